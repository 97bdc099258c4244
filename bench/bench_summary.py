"""Benchmark: the summary shown before accepting a 100,000-payment registry (count, sums
per named service and per provider: core/summary.py), on bench_accept's database.
Usage: python bench/bench_summary.py [--accounts N] [--mixed]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import bench_accept as ba  # noqa: E402

from trayapp.core.db import Database  # noqa: E402
from trayapp.core.folders import ExchangeTree  # noqa: E402
from trayapp.core.summary import pending_summary  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--mixed", action="store_true",
                    help="the shared «Город» code 103 split between two providers (a spread)")
    args = ap.parse_args()
    n = args.accounts
    home = Path(tempfile.mkdtemp(prefix="bench-summary-"))
    try:
        ba.make_base(home / "s.db", n)
        tree = ExchangeTree(home / "x").ensure()
        (tree.incoming / ba.NAME).write_bytes(ba.make_registry(n, n))
        db = Database(home / "s.db")
        if args.mixed:
            with db.transaction():
                db.execute("UPDATE services SET provider_id = NULL WHERE code = 4")
        t = time.perf_counter()
        sm = pending_summary(db, tree, ba.NAME, ba.ORG, "GOROD")
        took = time.perf_counter() - t
        db.close()
        print(f"summary of {sm.rows} payments: {took:.2f} s; {len(sm.by_service)} service lines, "
              f"{len(sm.by_provider)} provider lines")  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
