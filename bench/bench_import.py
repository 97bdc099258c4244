"""Benchmark of the table import: the 100,000-account association, kind by kind.

    python bench/bench_import.py [--accounts 100000] [--seed 1] [--regenerate]

Generates the CSV files into bench/out/ (or reuses them when bench/out/PARAMS matches),
then imports each kind, in order, into a fresh SQLite file bench/out/association.db, each in
a child process of its own, and prints rows, seconds, rows per second and the child's peak
RSS (its own ``resource.getrusage(RUSAGE_SELF).ru_maxrss``). Targets: accruals at 300,000
rows a second or more (issue 15; issue 2 asked 200,000), peak memory under 200 MB. The database stays for the other
benchmarks (the debts generation bench reads it).

Then the same files into a fresh PostgreSQL database (``bench/pg_server.py``: a durable
throwaway cluster, or ``TRAYAPP_BENCH_PG``), side by side (issue 10: accruals at 100,000
rows a second or more, by COPY). ``--sqlite-only`` skips it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = Path(__file__).resolve().parent / "out"
DB = OUT / "association.db"
TARGET_RATE = 300_000  # issue 15 (issue 2 asked 200,000)
TARGET_RATE_PG = 100_000  # issue 10
UNTIL = "readings"
TARGET_RSS_MB = 200
KINDS = ("org", "providers", "services", "accounts", "balances", "accruals", "payments",
         "meters", "readings")


def child(kind: str, file: Path, db_path: str) -> None:
    """Import one file and print one JSON line: rows, seconds, peak RSS (MB)."""
    import resource

    from trayapp.core.db import open_database
    from trayapp.core.importer import import_file

    with open_database(db_path) as db:
        backend = db.scalar("SELECT pg_backend_pid()") if db.dialect == "postgresql" else None
        server_started = _server_cpu(backend)
        started = time.perf_counter()
        cpu_started = time.process_time()
        result = import_file(db, kind, file)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        server_cpu = _server_cpu(backend) - server_started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mb = rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024
    print(json.dumps({"kind": kind, "rows": result.rows, "inserted": result.inserted,
                      "seconds": seconds, "cpu": cpu, "server_cpu": server_cpu,
                      "rss_mb": rss_mb}))


def _server_cpu(pid: int | None) -> float:
    """CPU seconds of the PostgreSQL backend serving us (on this machine), 0 for SQLite."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ensure_files(accounts: int, seed: int, regenerate: bool) -> None:
    from gen_association import TODAY, generate

    params = f"{accounts} {seed} {TODAY.isoformat()}\n"
    marker = OUT / "PARAMS"
    complete = all((OUT / f"{k}.csv").is_file() for k in KINDS)
    if not regenerate and complete and marker.is_file() and marker.read_text() == params:
        print(f"reusing the tables in {OUT}")
        return
    print(f"generating {accounts} accounts into {OUT} ...")
    marker.unlink(missing_ok=True)
    generate(OUT, accounts, seed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--sqlite-only", action="store_true")
    ap.add_argument("--postgres-only", action="store_true")
    ap.add_argument("--until", choices=KINDS, default=KINDS[-1], help="the last kind to import")
    ap.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    global UNTIL
    UNTIL = args.until
    if args.child:
        child(args.child[0], Path(args.child[1]), args.child[2])
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_files(args.accounts, args.seed, args.regenerate)
    for suffix in ("", "-wal", "-shm"):
        if not args.postgres_only:
            Path(f"{DB}{suffix}").unlink(missing_ok=True)

    results: dict[str, dict[str, float]] = {}
    if not args.postgres_only:
        results = run_all(str(DB), "SQLite")
        report("SQLite", results, TARGET_RATE)
        print(f"database left at {DB} ({DB.stat().st_size / 1e6:.0f} MB)")
    if args.sqlite_only:
        return
    from pg_server import server

    with server() as pg:
        if pg is None:
            return
        url = pg.fresh("trayapp_bench_import")
        pg_results = run_all(url, "PostgreSQL")
        report("PostgreSQL", pg_results, TARGET_RATE_PG)
        if not results:
            return
        print()
        print(f"{'kind':10s} {'SQLite rows/s':>14s} {'PostgreSQL rows/s':>18s} {'ratio':>6s}")
        for kind in pg_results:
            a, b = results[kind], pg_results[kind]
            ra = a["rows"] / a["seconds"] if a["seconds"] else 0.0
            rb = b["rows"] / b["seconds"] if b["seconds"] else 0.0
            print(f"{kind:10s} {ra:14,.0f} {rb:18,.0f} {rb / ra if ra else 0:6.2f}")


def run_all(target: str, label: str) -> dict[str, dict[str, float]]:
    print(f"== {label}")
    print(f"{'kind':10s} {'rows':>10s} {'seconds':>8s} {'cpu s':>7s} {'server':>7s} "
          f"{'rows/s':>10s} {'peak RSS':>9s}")
    results = {}
    for kind in KINDS[: KINDS.index(UNTIL) + 1]:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(OUT / f"{kind}.csv"), target],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if proc.returncode:
            print(proc.stdout, proc.stderr, file=sys.stderr)
            raise SystemExit(f"import of {kind} failed")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        results[kind] = r
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0.0
        print(f"{kind:10s} {r['rows']:10d} {r['seconds']:8.2f} {r['cpu']:7.2f} "
              f"{r['server_cpu']:7.2f} {rate:10.0f} {r['rss_mb']:7.1f}MB", flush=True)
    return results


def report(label: str, results: dict[str, dict[str, float]], target: int) -> None:
    acc = results["accruals"]
    rate = acc["rows"] / acc["seconds"]
    peak = max(r["rss_mb"] for r in results.values())
    print()
    print(f"{label} accruals: {acc['rows']} rows in {acc['seconds']:.2f} s = {rate:,.0f} rows/s, "
          f"{rate / target:.2f} x the target of {target:,}/s "
          f"({'met' if rate >= target else 'NOT met'}); "
          f"CPU {acc['cpu']:.2f} s = {acc['rows'] / acc['cpu']:,.0f} rows per CPU second")
    if acc["server_cpu"]:
        busy = max(acc["cpu"], acc["server_cpu"])
        print(f"{label} accruals: server CPU {acc['server_cpu']:.2f} s; rows per CPU second of "
              f"the busier side (what a quiet 2-core machine would reach): {acc['rows'] / busy:,.0f}")
    print(f"{label} peak RSS of any import: {peak:.1f} MB, target < {TARGET_RSS_MB} MB "
          f"({'met' if peak < TARGET_RSS_MB else 'NOT met'})")


if __name__ == "__main__":
    main()
