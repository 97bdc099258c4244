"""The long fuzzing run: N mutated inputs per reader (default 100,000), against the inner
functions (tests/fuzz/readers.py). Prints, per reader, the inputs run, how many were read,
refused, and the bugs (other exceptions, errors with impossible lines), with the first input
of each kind of bug saved under tests/fuzz/found/. Not part of the suite (it takes a while):

    .venv/bin/python -m tests.fuzz.run [--inputs N] [--seconds S] [--only WORD] [--seed K]

``--seconds`` bounds each reader's time (the count reached is printed).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
import traceback
from pathlib import Path

from tests.fuzz.mutator import mutate
from tests.fuzz.readers import Bug, all_readers

FOUND = Path(__file__).parent / "found"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", type=int, default=100_000)
    ap.add_argument("--seconds", type=float, default=0.0)
    ap.add_argument("--only", default="")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    bugs_total = 0
    print(f"{'reader':24} {'inputs':>8} {'read':>8} {'refused':>8} {'bugs':>5} {'s':>6}")
    for name, (reader, seeds) in all_readers().items():
        if args.only and args.only not in name:
            continue
        rng = random.Random(f"{args.seed}:{name}")
        counts = {"ok": 0, "refused": 0}
        kinds: dict[str, int] = {}
        began = time.monotonic()
        n = 0
        while n < args.inputs:
            if args.seconds and time.monotonic() - began > args.seconds:
                break
            data = mutate(rng, seeds)
            n += 1
            try:
                counts[reader(data)] += 1
            except Exception as exc:  # a bug: keep the first input of each kind
                where = traceback.extract_tb(exc.__traceback__)[-1]
                kind = f"{type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
                if isinstance(exc, Bug):
                    kind = f"Bug: {str(exc)[:80]}"
                if kind not in kinds:
                    FOUND.mkdir(exist_ok=True)
                    tag = hashlib.sha256(kind.encode()).hexdigest()[:10]
                    (FOUND / f"{name.replace(' ', '_')}-{tag}.bin").write_bytes(data)
                    print(f"  BUG {name}: {kind}: {exc!s:.200}", flush=True)
                kinds[kind] = kinds.get(kind, 0) + 1
        bugs = sum(kinds.values())
        bugs_total += bugs
        print(f"{name:24} {n:8d} {counts['ok']:8d} {counts['refused']:8d} {bugs:5d} "
              f"{time.monotonic() - began:6.0f}", flush=True)
    return 1 if bugs_total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
