"""Benchmark: wall time and peak memory of each step a big Payments registry goes through.

For a Payments registry of N lines (``--lines``, several sizes; the transport's 200 MB
ceiling is about 3,500,000 lines) against ``bench/make_db.py``'s database of 100,000
accounts, each step runs in a fresh child process, so that its peak RSS (VmHWM) is its
own, through the public functions the CLI and the window call:

- ``exchange``: a real session (``exchange.run_session`` over ``HttpTransport``) against
  the emulator on 127.0.0.1 offering that file: download, then the full check of it;
- ``check``: the pending list's check of the file dropped into Входящие (``list_pending``);
- ``accept``: ``accept.accept`` without the report;
- ``report``: ``accept.report_of_file``, HTML and .xlsx (one child each);
- ``export``: ``exporter.export`` of all payments, CSV and .xlsx (one child each).

A step whose state the next needs is run anyway ("setup") when not asked for. The registry
is written line by line (a 3.5 M-line file is never held whole here). The run is ``nice``d.
Usage: python bench/bench_memory.py [--lines 20000 1000000 3500000]
[--steps exchange,check,accept,report,export] [--accounts 100000] [--json FILE]; a step may
be one part: ``report-html``, ``report-xlsx``, ``export-csv``, ``export-xlsx``.
The defaults (20,000 lines; the database made once, about a minute) are a quick try.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
ORG = "5401000001"  # make_db's association
CODING = "GOROD"  # make_db: service c has «Город» code 100 + c
NAME = "Payments_20261106_001.txt"
TARGET_MB = 250.0
CEILING = 200_000_000  # core.exchange.MAX_REGISTRY_BYTES
STEPS = ("exchange", "check", "accept", "report", "export")
PARTS = {"report": ("report-html", "report-xlsx"), "export": ("export-csv", "export-xlsx")}


# ---------------------------------------------------------------------------- registry


def _amount(i: int) -> int:
    return 100 + (i * 7919) % 99_900  # 1.00 ... 999.99 roubles, in kopecks


def write_registry(path: Path, lines: int, accounts: int) -> int:
    """A correct Payments registry for make_db's database, streamed to ``path``; its size.
    One line in ten pays the whole account (no code), the others a service 101...108."""
    total = sum(_amount(i) for i in range(lines))
    head = ["#FORMAT MOISCHETA/1", "#TYPE PAYMENTS", f"#ORG {ORG}", "#NUMBER 001",
            "#DATE 06.11.2026", f"#CODING {CODING}", f"#ROWS {lines}",
            f"#FILESUM {total // 100}.{total % 100:02d}"]  # fmt: skip
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(head) + "\n")
        batch: list[str] = []
        for i in range(lines):
            code = "" if i % 10 == 0 else str(101 + i % 8)
            a = _amount(i)
            batch.append(
                f"P{i:07d};05.11.2026 {8 + i % 12:02d}:{i % 60:02d}:{i // 60 % 60:02d};"
                f"{1 + i % accounts:08d};{code};{a // 100}.{a % 100:02d};10.2026\n"
            )
            if len(batch) == 10_000:
                f.write("".join(batch))
                batch.clear()
        f.write("".join(batch))
    return path.stat().st_size


# ---------------------------------------------------------------------------- child


def _peak_mb() -> float:
    """Peak resident memory of this process, MB (VmHWM; ru_maxrss survives exec on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(step: str, cfg: dict[str, Any]) -> dict[str, Any]:
    """One step in this fresh process; what it did, its times and this process's peak."""
    from trayapp.core.db import open_database
    from trayapp.core.folders import ExchangeTree

    db = open_database(cfg["db"])
    tree = ExchangeTree(cfg["tree"])
    reports = Path(cfg["work"]) / "reports"
    base = _peak_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    if step == "exchange":
        from trayapp.core.exchange import run_session
        from trayapp.core.transport import HttpTransport

        with HttpTransport(cfg["url"], "demo", "demo") as transport:
            r = run_session(transport, db, tree, ORG, CODING)
        result = f"received {r.received}, pending {r.pending}, broken {r.broken}"
        ok = r.received == 1 and r.pending == 1 and not r.errors
    elif step == "check":
        from trayapp.core.accept import list_pending

        items = list_pending(db, tree, ORG, CODING)
        result = f"pending {[(i.file, i.rows) for i in items]}"
        ok = len(items) == 1 and items[0].rows == cfg["lines"]
    elif step == "accept":
        from trayapp.core.accept import accept

        a = accept(db, tree, NAME, ORG, CODING, reports, report=False)
        result = f"document {a.document}, {a.rows} payments"
        ok = a.rows == cfg["lines"]
    elif step.startswith("report"):
        from trayapp.core.accept import report_of_file

        path = report_of_file(db, NAME, reports, xlsx=step.endswith("xlsx"))
        result = f"{path.name}, {path.stat().st_size / 1e6:.1f} MB"
        ok = True
    else:
        from trayapp.core.exporter import export
        from trayapp.errors import AppError

        out = Path(cfg["work"]) / f"payments_{time.time_ns()}.{step.split('-')[1]}"
        try:
            e = export(db, "payments", out, True, datetime.now(), Path(cfg["work"]))
            assert e.file is not None
            result = f"{e.rows} rows, {e.file.stat().st_size / 1e6:.1f} MB"
            ok = e.rows >= cfg["lines"]
            e.file.unlink()
        except AppError as exc:  # refused (e.g. more rows than a sheet holds): say so
            result, ok = f"refused: {exc.message}", True
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    db.close()
    return {"wall": wall, "cpu": cpu, "base_mb": base, "peak_mb": _peak_mb(),
            "result": result, "ok": ok}  # fmt: skip


def run_child(step: str, cfg: dict[str, Any]) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run(
        [sys.executable, __file__, "--child", step, json.dumps(cfg)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-5:]
        return {"wall": 0.0, "cpu": 0.0, "base_mb": 0.0, "peak_mb": 0.0, "ok": False,
                "result": "FAILED: " + " | ".join(tail)}  # fmt: skip
    return dict(json.loads(p.stdout.strip().splitlines()[-1]))


# ---------------------------------------------------------------------------- parent


def start_emulator(data: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "trayapp.emulator", "--port", "0", "--no-residents",
         "--data", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )  # fmt: skip
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise SystemExit(f"the emulator did not start: {url!r}")
    return proc, url


def _fresh_db(base: Path, work: Path, name: str) -> Path:
    db = work / name
    shutil.copyfile(base, db)
    return db


def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.unlink(missing_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def run_size(lines: int, steps: list[str], base: Path, accounts: int) -> list[dict[str, Any]]:
    from trayapp.core.folders import ExchangeTree

    work = OUT / f"memory_{lines}_{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    reg = work / "registry.txt"
    t = time.perf_counter()
    size = write_registry(reg, lines, accounts)
    print(f"\n{lines:,} lines: registry of {size / 1e6:.1f} MB written in "
          f"{time.perf_counter() - t:.1f} s" + ("" if size <= CEILING else
          f" (over the {CEILING / 1e6:.0f} MB ceiling: the session will refuse it)"))  # fmt: skip
    # a step, or one part of one (``report-xlsx``): the step is then run for that part
    wanted = {s.split("-")[0] for s in steps}
    parts = {p for s in steps for p in PARTS.get(s, (s,))}
    todo = set(wanted) | ({"accept"} if wanted & {"report", "export"} else set())
    if "accept" in todo and not todo & {"exchange", "check"}:
        todo.add("check")  # a pending registry to accept
    rows: list[dict[str, Any]] = []
    cfg: dict[str, Any] = {"work": str(work), "lines": lines}
    for step in [s for s in STEPS if s in todo]:
        if step == "exchange":
            proc, url = start_emulator(work / "emu")
            try:
                _link(reg, work / "emu" / "inbox" / NAME)
                tree = ExchangeTree(work / "x_exchange").ensure()
                cfg.update(db=str(_fresh_db(base, work, "exchange.db")), tree=str(tree.root),
                           url=url)  # fmt: skip
                rows.append(_measure(step, step, cfg, wanted))
            finally:
                proc.terminate()
                proc.wait(10)
            continue
        if step == "check":
            tree = ExchangeTree(work / "x_check").ensure()
            _link(reg, tree.incoming / NAME)
            old = cfg.get("db")
            cfg.update(db=str(_fresh_db(base, work, "check.db")), tree=str(tree.root))
            if old:
                Path(old).unlink(missing_ok=True)
            rows.append(_measure(step, step, cfg, wanted))
            continue
        for sub in PARTS.get(step, (step,)):
            if sub in parts or step not in wanted:
                rows.append(_measure(step, sub, cfg, wanted))
    shutil.rmtree(work, ignore_errors=True)
    return rows


def _measure(step: str, label: str, cfg: dict[str, Any], wanted: set[str]) -> dict[str, Any]:
    r = run_child(label, cfg)
    r.update(step=label, lines=cfg["lines"], setup=step not in wanted,
             load=os.getloadavg()[0])  # fmt: skip
    mark = "" if r["ok"] else "  !! NOT OK"
    print(
        f"  {label + (' (setup)' if r['setup'] else ''):20} {r['wall']:8.1f} s "
        f"(cpu {r['cpu']:6.1f} s)  peak RSS {r['peak_mb']:7.1f} MB "
        f"({r['peak_mb'] / TARGET_MB:4.2f} of {TARGET_MB:.0f}; {r['base_mb']:.0f} MB at the "
        f"step's start)  {r['wall'] / (cfg['lines'] / 1e6):7.1f} s per M lines  "
        f"load {r['load']:.1f}  {r['result']}{mark}"
    )
    return r


def summary(results: list[dict[str, Any]]) -> None:
    sizes = sorted({r["lines"] for r in results})
    print(f"\npeak RSS, MB (target {TARGET_MB:.0f} MB at the ceiling):")
    print(f"  {'step':14}" + "".join(f"{n:>14,}" for n in sizes)
          + ("   growth per M lines" if len(sizes) > 1 else ""))  # fmt: skip
    for step in dict.fromkeys(r["step"] for r in results):
        peak = {r["lines"]: r["peak_mb"] for r in results if r["step"] == step}
        line = f"  {step:14}" + "".join(
            f"{peak[n]:14.0f}" if n in peak else f"{'':14}" for n in sizes
        )
        have = [n for n in sizes if n in peak]
        if len(have) > 1:
            lo, hi = have[0], have[-1]
            line += f"   {(peak[hi] - peak[lo]) / ((hi - lo) / 1e6):8.1f} MB"
        worst = peak[have[-1]]
        line += "   over the target" if worst > TARGET_MB else ""
        print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, nargs="+", default=[20_000])
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--nice", type=int, default=10)
    ap.add_argument("--json", type=Path, help="append the figures to this file (JSON lines)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], json.loads(args.child[1]))))
        return
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    known = STEPS + tuple(p for ps in PARTS.values() for p in ps)
    if bad := [s for s in steps if s not in known]:
        ap.error(f"unknown steps {bad}; possible: {', '.join(known)}")
    os.nice(args.nice)
    OUT.mkdir(parents=True, exist_ok=True)
    base = OUT / f"memory_base_{args.accounts}.db"
    if not base.exists():
        from bench.make_db import make

        make(base, args.accounts)
    load = os.getloadavg()
    print(
        f"machine load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on "
        f"{os.cpu_count()} CPUs; database {base.name} ({base.stat().st_size / 1e6:.0f} MB)"
    )
    results: list[dict[str, Any]] = []
    for n in args.lines:
        results += run_size(n, steps, base, args.accounts)
    summary(results)
    if args.json:
        with open(args.json, "a", encoding="utf-8") as f:
            for r in results:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
