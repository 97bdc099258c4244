"""Write the benchmark association's tables as CSV files (default: 100,000 accounts).

    python bench/gen_association.py [--accounts 100000] [--seed 1] [--out bench/out]

Each kind goes to ``<out>/<kind>.csv`` (cp1251, ``;``, as Excel saves them), written as a
stream by ``trayapp.core.demo.write_tables``; 100,000 accounts × 8 services × 12 months make
about 9.4 million accrual rows (non-residential premises have fewer services). The months
end with the one before a fixed day, 20.11.2026, so that the files are the same every run.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trayapp.core.demo import write_tables  # noqa: E402

TODAY = date(2026, 11, 20)


def generate(out: Path, accounts: int, seed: int) -> dict[str, Path]:
    started = time.perf_counter()
    paths = write_tables(out, accounts, seed, services=8, months=12, today=TODAY)
    took = time.perf_counter() - started
    (out / "PARAMS").write_text(f"{accounts} {seed} {TODAY.isoformat()}\n", encoding="ascii")
    for kind, path in paths.items():
        print(f"  {kind:10s} {path.stat().st_size / 1e6:9.1f} MB  {path}")
    print(f"generated {accounts} accounts in {took:.1f} s")
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    args = ap.parse_args()
    generate(args.out, args.accounts, args.seed)


if __name__ == "__main__":
    main()
