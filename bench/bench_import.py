"""Benchmark of the table import: the 100,000-account association, kind by kind.

    python bench/bench_import.py [--accounts 100000] [--seed 1] [--regenerate]

Generates the CSV files into bench/out/ (or reuses them when bench/out/PARAMS matches),
then imports each kind, in order, into a fresh SQLite file bench/out/association.db, each in
a child process of its own, and prints rows, seconds, rows per second and the child's peak
RSS (its own ``resource.getrusage(RUSAGE_SELF).ru_maxrss``). Targets (the issue's): accruals
at 200,000 rows a second or more, peak memory under 200 MB. The database stays for the other
benchmarks (the debts generation bench reads it).
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
TARGET_RATE = 200_000
TARGET_RSS_MB = 200
KINDS = ("org", "providers", "services", "accounts", "balances", "accruals", "payments",
         "meters", "readings")


def child(kind: str, file: Path, db_path: Path) -> None:
    """Import one file and print one JSON line: rows, seconds, peak RSS (MB)."""
    import resource

    from trayapp.core.db import Database
    from trayapp.core.importer import import_file

    with Database(db_path) as db:
        started = time.perf_counter()
        cpu_started = time.process_time()
        result = import_file(db, kind, file)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mb = rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024
    print(json.dumps({"kind": kind, "rows": result.rows, "inserted": result.inserted,
                      "seconds": seconds, "cpu": cpu, "rss_mb": rss_mb}))


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
    ap.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_files(args.accounts, args.seed, args.regenerate)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)

    print(f"{'kind':10s} {'rows':>10s} {'seconds':>8s} {'cpu s':>7s} {'rows/s':>10s} "
          f"{'peak RSS':>9s}")
    results = {}
    for kind in KINDS:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", kind, str(OUT / f"{kind}.csv"), str(DB)],
            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        if proc.returncode:
            print(proc.stdout, proc.stderr, file=sys.stderr)
            raise SystemExit(f"import of {kind} failed")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        results[kind] = r
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0.0
        print(f"{kind:10s} {r['rows']:10d} {r['seconds']:8.2f} {r['cpu']:7.2f} {rate:10.0f} "
              f"{r['rss_mb']:7.1f}MB", flush=True)

    acc = results["accruals"]
    rate = acc["rows"] / acc["seconds"]
    peak = max(r["rss_mb"] for r in results.values())
    print()
    print(f"accruals: {acc['rows']} rows in {acc['seconds']:.2f} s = {rate:,.0f} rows/s, "
          f"{rate / TARGET_RATE:.2f} x the target of {TARGET_RATE:,}/s "
          f"({'met' if rate >= TARGET_RATE else 'NOT met'}); "
          f"CPU {acc['cpu']:.2f} s = {acc['rows'] / acc['cpu']:,.0f} rows per CPU second")
    print(f"peak RSS of any import: {peak:.1f} MB, target < {TARGET_RSS_MB} MB "
          f"({'met' if peak < TARGET_RSS_MB else 'NOT met'})")
    print(f"database left at {DB} ({DB.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
