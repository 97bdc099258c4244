"""Benchmark: generating the Debts registry vs the sqlite3 shell exporting the same query.

Target (issue 2): our generation takes at most 1.5× the time the ``sqlite3`` command-line
shell takes to export the equivalent grouped query (the same SQL: grouping of accruals,
balances and payments per account and service, joined to the accounts, in account order) to
a ``;`` file, both measured in the same run; peak memory of the generation under 200 MB.
Usage: python bench/bench_generate.py [DB] (default bench/out/generate.db, made by
bench/make_db.py when missing). Also timed: the generation reporting its progress to a
listener as the window's (issue 7, item 9: the reports must cost nothing measurable).

Issue 10: the same data copied into PostgreSQL (``bench/pg_server.py``), the Debts registry
generated from both alternately in the same run: PostgreSQL's time at most 1.5× SQLite's,
and the two files the same, byte for byte.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, resource, sys, time
from datetime import date
from pathlib import Path
from typing import Any
from trayapp.core.db import open_database
from trayapp.core.folders import ExchangeTree
from trayapp.core.registries import generate
from trayapp.core.progress import Latest, no_progress
db = open_database(sys.argv[1]); tree = ExchangeTree(sys.argv[2])
listen = Latest() if sys.argv[5:] == ["progress"] else no_progress  # as the window listens
t = time.perf_counter()
r = generate(db, tree, sys.argv[3], sys.argv[4], date(2026, 12, 5), 202611, progress=listen)
dt = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": dt, "rows": r.rows, "file": str(r.file), "rss_mb": rss}))
"""


def reference_sql(db_path: Path) -> str:
    from trayapp.core.db import registries as q

    # the very query the generator runs, with its parameters written in
    src = Path(q.__file__).read_text(encoding="utf-8")
    body = re.search(r'sql = f"""(.*?)"""', src, re.S)
    assert body is not None
    sql = body.group(1).replace("{_eligible(apartments_only)}", q._eligible(False))
    params = {"period": "202611", "as_of": "'2026-12-05'", "first_day": "'2026-11-01'",
              "last_day": "'2026-11-30'"}  # fmt: skip
    for k, v in params.items():
        sql = sql.replace(f":{k}", v)
    return " ".join(sql.split())


def _child_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_reference(db_path: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the sqlite3 shell exporting the query."""
    script = f".mode list\n.separator ;\n.output {out}\n{reference_sql(db_path)};\n"
    c = _child_cpu()
    t = time.perf_counter()
    subprocess.run(["sqlite3", str(db_path)], input=script, text=True, check=True)
    return time.perf_counter() - t, _child_cpu() - c


def run_ours(db_path: Path | str, tree: Path, kind: str, coding: str, *extra: str
             ) -> dict[str, Any]:  # fmt: skip
    c = _child_cpu()
    out = subprocess.run([sys.executable, "-c", CHILD, str(db_path), str(tree), kind, coding,
                          *extra],
                         capture_output=True, text=True, check=True)  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout)
    result["cpu"] = _child_cpu() - c  # includes the interpreter's start (~0.05 s)
    return result


def main() -> None:
    db_path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "out" / "generate.db"
    if not db_path.exists():
        subprocess.run([sys.executable, str(HERE / "make_db.py"), str(db_path)], check=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-gen-"))
    try:
        # warm the page cache once, then measure each side alternately
        run_reference(db_path, tmp / "warm.txt")
        refs, ours = [], []
        for i in range(3):
            refs.append(run_reference(db_path, tmp / f"ref{i}.txt"))
            ours.append(run_ours(db_path, tmp / "tree", "debts", "GOROD"))
        ref = min(r[0] for r in refs)
        ref_cpu = min(r[1] for r in refs)
        best = min(ours, key=lambda r: r["seconds"])
        best_cpu = min(r["cpu"] for r in ours)
        ref_rows = sum(1 for _ in open(tmp / "ref0.txt", encoding="utf-8"))
        print(f"sqlite3 shell, grouped query to a ';' file: {ref:.2f} s wall, {ref_cpu:.2f} s CPU "
              f"({ref_rows} rows)")  # fmt: skip
        print(f"trayapp generate debts (GOROD):             {best['seconds']:.2f} s wall, "
              f"{best_cpu:.2f} s CPU ({best['rows']} rows), peak RSS {best['rss_mb']:.0f} MB")
        print(f"ratio ours / sqlite3: wall {best['seconds'] / ref:.2f}, CPU {best_cpu / ref_cpu:.2f}"
              " (target <= 1.5)")  # fmt: skip
        heard = min((run_ours(db_path, tmp / "tree", "debts", "GOROD", "progress")
                     for _ in range(2)), key=lambda r: r["seconds"])  # fmt: skip
        print(f"the same with the window's progress listener: {heard['seconds']:.2f} s wall "
              f"(the best of 2; ratio {heard['seconds'] / ref:.2f})")  # fmt: skip
        acc = run_ours(db_path, tmp / "tree", "debts", "ACCOUNT")
        print(f"trayapp generate debts (ACCOUNT): {acc['seconds']:.2f} s ({acc['rows']} rows), "
              f"peak RSS {acc['rss_mb']:.0f} MB")  # fmt: skip
        met = run_ours(db_path, tmp / "tree", "meters", "GOROD")
        print(f"trayapp generate meters: {met['seconds']:.2f} s ({met['rows']} rows), "
              f"peak RSS {met['rss_mb']:.0f} MB (target < 200 MB)")  # fmt: skip
        postgres(db_path, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def postgres(db_path: Path, tmp: Path) -> None:
    """Debts from PostgreSQL vs from SQLite, the same data, alternately (issue 10)."""
    import hashlib

    sys.path.insert(0, str(HERE))
    from make_db import copy_to_postgres
    from pg_server import server

    with server() as pg:
        if pg is None:
            return
        url = pg.fresh("trayapp_bench_generate")
        copy_to_postgres(db_path, url)
        run_ours(url, tmp / "warm-pg", "debts", "GOROD")  # the server's cache warmed once
        lite, post = [], []
        for i in range(3):
            lite.append(run_ours(db_path, tmp / f"lite{i}", "debts", "GOROD"))
            post.append(run_ours(url, tmp / f"pg{i}", "debts", "GOROD"))
        a = min(r["seconds"] for r in lite)
        b = min(r["seconds"] for r in post)

        def digest(r: dict[str, Any]) -> str:
            return hashlib.sha256(Path(r["file"]).read_bytes()).hexdigest()

        same = digest(lite[0]) == digest(post[0])
        print(f"Debts (GOROD) from SQLite:     {a:.2f} s ({lite[0]['rows']} rows), "
              f"peak RSS {max(r['rss_mb'] for r in lite):.0f} MB")
        print(f"Debts (GOROD) from PostgreSQL: {b:.2f} s ({post[0]['rows']} rows), "
              f"peak RSS {max(r['rss_mb'] for r in post):.0f} MB")
        runs_a = ", ".join(f"{r['seconds']:.2f}" for r in lite)
        runs_b = ", ".join(f"{r['seconds']:.2f}" for r in post)
        print(f"ratio PostgreSQL / SQLite: {b / a:.2f} (target <= 1.5; runs: SQLite {runs_a};"
              f" PostgreSQL {runs_b})")
        print(f"the two files byte for byte the same: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
