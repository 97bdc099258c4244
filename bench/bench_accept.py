"""Benchmark: accept a 100,000-payment registry into a 100,000-account database.

Target: parse + check against the database + all documents and payments + the
confirmation in at most 3 s, peak memory under 150 MB. The report is timed apart.
The database is made in SQL the first time (bench/out/accept_base.db: accounts, 8
services of which two share a «Город» code, two months of accruals, opening balances) and
copied for each run; the measured acceptance runs in a fresh child process, so that its
peak RSS is its own. Usage: python bench/bench_accept.py [--accounts N] [--payments N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trayapp.core import formats  # noqa: E402
from trayapp.core.db import Database, billing  # noqa: E402
from trayapp.core.folders import ExchangeTree  # noqa: E402
from trayapp.core.formats import Header, PaymentRow  # noqa: E402

OUT = ROOT / "bench" / "out"
ORG = "5401000001"
NAME = "Payments_20261106_001.txt"
CODES = ["101", "102", "105", "106", "107", "108"]  # one own service each (103: two)


def make_base(path: Path, accounts: int) -> None:
    t = time.perf_counter()
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    db = Database(path)
    db.execute("PRAGMA synchronous = OFF")
    with db.transaction():
        db.execute("INSERT INTO org (id, inn, name) VALUES (1, ?, 'УК «Бенчмарк»')", (ORG,))
        db.execute("INSERT INTO providers (id, inn, name) VALUES (1, '5401000002', 'РСО')")
        for c in range(1, 9):
            gorod = "103" if c == 4 else str(100 + c)  # services 3 and 4 share «Город» 103
            db.execute(
                "INSERT INTO services (code, name, gorod_code, provider_id) VALUES (?, ?, ?, ?)",
                (c, f"Услуга {c}", gorod, 1 if c > 1 else None),
            )
        db.execute(
            "INSERT INTO accounts (id, number, full_name, settlement, street, house, premise)"
            " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " SELECT i, CAST(10000000 + i AS TEXT), 'Собственник ' || i, 'Новосибирск',"
            " 'ул. Ленина', CAST(i / 200 AS TEXT), CAST(i % 200 AS TEXT) FROM n",
            (accounts,),
        )
        db.execute(
            "INSERT INTO balances SELECT a.id, s.code, (a.id * 37 + s.code * 11) % 50000 - 10000"
            " FROM accounts a, services s WHERE a.id % 3 = 0"
        )
        db.execute(
            "INSERT INTO accruals SELECT a.id, s.code, p.period,"
            " 50000 + (a.id * 13 + s.code * 7) % 150000"
            " FROM accounts a, services s, (SELECT 202609 AS period UNION ALL SELECT 202610) p"
            " ORDER BY a.id, s.code, p.period"
        )
        billing.refresh_periods(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"base database of {accounts} accounts made in {time.perf_counter() - t:.1f} s")


def write_registry(path: Path, count: int, accounts: int) -> None:
    """The registry, written line by line (the same lines ``render`` writes): never held."""
    def amount(i: int) -> int:
        return 1000 + (i * 7919) % 500000

    header = Header(
        type="PAYMENTS", org=ORG, number=1, day=date(2026, 11, 6), rows=count,
        filesum=sum(amount(i) for i in range(count)), coding="GOROD",
    )  # fmt: skip
    with open(path, "wb") as f:
        f.write(formats.encode("\r\n".join(formats.render_header(header)) + "\r\n"))
        lines: list[str] = []
        for i in range(count):
            k = i % 10
            code = "" if k == 0 else "103" if k == 1 else CODES[i % len(CODES)]
            lines.append(formats.render_row(PaymentRow(
                f"bench-{i:08d}", datetime(2026, 11, 5, 10, i % 60, i % 60),
                str(10000000 + 1 + i % accounts), code, amount(i), 202610)))  # fmt: skip
            if len(lines) == 10_000 or i == count - 1:
                f.write(formats.encode("\r\n".join(lines) + "\r\n"))
                lines = []


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(t0: tuple[float, float]) -> str:
    wall, cpu = time.perf_counter() - t0[0], time.process_time() - t0[1]
    return f"{wall:6.2f} s (cpu {cpu:5.2f} s)"


def _rss() -> float:
    """Peak resident memory of this process, MB (VmHWM: ru_maxrss survives exec on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, db_path: Path, tree_root: Path) -> None:
    """One measured step in a fresh process, so that its peak RSS is its own."""
    db = Database(db_path)
    tree = ExchangeTree(tree_root)
    path = tree.incoming / NAME
    base = _rss()
    if mode == "check":
        from trayapp.core.formats.stream import Reader, decode_lines, sniff_encoding
        from trayapp.core.validate import check_incoming

        t = _clock()
        with open(path, "rb") as f:  # the format's reading alone, streamed as the check does
            errors: list[tuple[int, str]] = []
            encoding = sniff_encoding(iter(lambda: f.read(1 << 20), b""))
            f.seek(0)
            pieces = iter(lambda: f.read(1 << 20), b"")
            reader = Reader(decode_lines(pieces, encoding, errors), errors, NAME, ORG, "GOROD")
            rows = sum(1 for _ in reader.rows())
        print(f"parse alone ({rows} rows)         {_since(t)}")
        t = _clock()
        checked = check_incoming(db, NAME, path, ORG, "GOROD")
        print(f"check_incoming (parse + db)     {_since(t)}   peak RSS {_rss():.0f} MB")
        assert checked.ok, checked.errors[:5]
    elif mode == "accept":
        from trayapp.core.accept import accept

        t = _clock()
        res = accept(db, tree, NAME, ORG, "GOROD", OUT / "reports", report=False)
        print(f"accept (all but the report)     {_since(t)}   target <= 3 s")
        print(f"peak RSS: {base:.0f} MB before, {_rss():.0f} MB after the acceptance"
              "   target < 150 MB")  # fmt: skip
        docs = db.scalar("SELECT COUNT(*) FROM documents")
        pays = db.scalar("SELECT COUNT(*) FROM payments WHERE source = 'moischeta'")
        print(f"  {res.rows} payments, sum {res.total / 100:.2f}: {docs} documents, "
              f"{pays} payment rows (shares of the shared code included)")  # fmt: skip
    else:
        from trayapp.core.report import write_report

        number = str(db.scalar("SELECT number FROM documents WHERE kind = 'registry'"))
        t = _clock()
        html = write_report(db, number, OUT / "reports")
        print(f"report HTML                     {_since(t)}   {html.stat().st_size / 1e6:.1f} MB")
        t = _clock()
        xlsx = write_report(db, number, OUT / "reports", xlsx=True)
        print(f"report xlsx                     {_since(t)}   {xlsx.stat().st_size / 1e6:.1f} MB")
        print(f"peak RSS of the reports         {_rss():.0f} MB")
    db.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--payments", type=int, default=100_000)
    ap.add_argument("--no-report", action="store_true", help="skip the report timings")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    base = OUT / f"accept_base_{args.accounts}.db"
    if not base.exists():
        make_base(base, args.accounts)
    work = Path(tempfile.mkdtemp(prefix="bench_accept_", dir=OUT))
    try:
        shutil.copyfile(base, work / "b.db")
        tree = ExchangeTree(work / "x").ensure()
        t = time.perf_counter()
        write_registry(tree.incoming / NAME, args.payments, args.accounts)
        print(f"registry generated in {time.perf_counter() - t:.1f} s")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        print(f"machine load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for mode in ("check", "accept") + (() if args.no_report else ("report",)):
            subprocess.run(
                [sys.executable, __file__, "--child", mode, str(work / "b.db"), str(work / "x")],
                check=True,
                env=env,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
