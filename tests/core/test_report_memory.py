"""Reports and exports of a big accepted registry run in bounded memory (issue 16 item 7).

A registry of ``ROWS`` payments and a «Показания новые» document of ``ROWS`` readings are
written into the database in SQL (as the acceptance leaves them: a «Платёж из БС» document
per payment under the registry's); then each report and export runs in a child process of
its own, which says how much its resident memory grew over what it held after its imports
(the high-water mark, VmHWM). The growth must stay under ``GROWTH_MB``, on SQLite and on
PostgreSQL: before the rows were streamed, PostgreSQL's rows came into memory whole (every
step failed) and the readings report held its rows as a list on both (it failed on SQLite
too), checked on 07.12.2026.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.core import registry_fixture as fx
from trayapp.core.db import Database, billing
from trayapp.errors import AppError

ROWS = 150_000
# what a streamed report or export may add to its process: on PostgreSQL a batch of rows
# (3 to 8 MB measured); SQLite's own page cache and sorter add up to 32 MB each
# (``cache_size``), whatever the rows (16 to 40 MB measured). Before the rows were streamed:
# 68, 208, 34 and 29 MB on PostgreSQL, 159 MB for the readings report on SQLite
GROWTH_MB = {"postgresql": 20.0, "sqlite": 80.0}
ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import json, sys, time
from datetime import datetime
from pathlib import Path

def mb(key):
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise SystemExit("no " + key)

from trayapp.core.db import open_database
from trayapp.core.exporter import export
from trayapp.core.report import write_report
import openpyxl  # imported before the baseline: its modules are not the rows' memory

step, target, out = sys.argv[1:4]
db = open_database(target)
db.scalar("SELECT COUNT(*) FROM org")
base = mb("VmRSS")
t = time.perf_counter()
if step.startswith("report"):
    kind = "readings" if step == "report-readings" else "registry"
    path = write_report(db, "000001", Path(out), kind=kind)
else:
    path = export(db, step, Path(out) / (step + ".csv"), True, datetime(2026, 12, 7), Path(out)).file
size = path.stat().st_size
db.close()
print(json.dumps({"growth": mb("VmHWM") - base, "seconds": time.perf_counter() - t,
                  "size": size}))
"""


def fill(db: Database, n: int) -> None:
    """``n`` accepted payments under registry 000001, ``n`` readings in document 000001."""
    with db.transaction():
        reg = billing.add_document(db, journal="receipts", kind="registry", number="000001",
                                   doc_date="2026-11-06", posted=True,
                                   file_name="Payments_20261106_001.txt")  # fmt: skip
        rd = billing.add_document(db, journal="accruals", kind="readings", number="000001",
                                  doc_date="2026-11-06", comment="Принято из 'Мои счета'",
                                  file_name="Readings_20261106_001.txt")  # fmt: skip
        db.execute("CREATE TEMPORARY TABLE t_n (i INTEGER PRIMARY KEY)")
        db.load_rows("t_n", ["i"], ((i,) for i in range(1, n + 1)))
        db.execute(
            "INSERT INTO documents (id, journal, kind, number, doc_date, posted, parent_id,"
            " created_at) SELECT 1000 + i, 'receipts', 'payment', 'П' || i, '2026-11-05', 1, ?,"
            " '2026-11-06 10:00:00' FROM t_n", (reg,))  # fmt: skip
        db.execute(
            "INSERT INTO payments (account_id, service_code, paid_on, paid_at, amount, period,"
            " source, payment_id, registry_code, document_id)"
            " SELECT 1 + i % 9, CASE WHEN i % 7 = 0 THEN NULL ELSE 1 + i % 6 END, '2026-11-05',"
            " '2026-11-05 10:00:00', 100 + i % 99900, 202610, 'moischeta', 'big-' || i,"
            " '101', 1000 + i FROM t_n"
        )
        db.execute(
            "INSERT INTO readings (meter_ref, taken_at, value, posted, source, reading_id,"
            " below_previous, document_id) SELECT 1 + i % 7, '2026-11-06 09:00:00', i,"
            " 0, 'moischeta', 'rd-' || i, CASE WHEN i % 11 = 0 THEN 1 ELSE 0 END, ? FROM t_n",
            (rd,),
        )  # fmt: skip
        db.execute("UPDATE documents SET rows_count = ?, total = ? WHERE id = ?",
                   (n, db.scalar("SELECT SUM(amount) FROM payments WHERE document_id > 1000"),
                    reg))  # fmt: skip
        db.execute("DROP TABLE t_n")
    db.sync_ids("documents")


def run_child(step: str, target: str, out: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-c", CHILD, step, target, str(out)], env=env,
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert p.returncode == 0, p.stderr[-2000:]
    return dict(json.loads(p.stdout.strip().splitlines()[-1]))


def test_big_reports_and_exports_in_bounded_memory(tmp_path: Path, db_target: Path | str) -> None:
    db = fx.build(db_target)
    fill(db, ROWS)
    db.close()
    grew = {}
    for step in ("report", "report-readings", "payments", "readings"):
        out = tmp_path / step
        out.mkdir()
        r = run_child(step, str(db_target), out)
        assert r["size"] > ROWS * 20, (step, r)  # every row is in the file
        grew[step] = round(r["growth"], 1)
    cap = GROWTH_MB["postgresql" if isinstance(db_target, str) else "sqlite"]
    assert max(grew.values()) < cap, grew


def test_a_report_that_fails_half_way_leaves_the_connection_usable(
    tmp_path: Path, db_target: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report that fails while its rows are streamed (the disk full at the fifth row, the
    rows read 2 at a time): no half report is left, the connection takes the next statements
    and the export after it writes and marks every row."""
    from trayapp.core import report
    from trayapp.core.db import report_rows
    from trayapp.core.exporter import export
    from trayapp.core.report import write_report

    monkeypatch.setattr(report_rows, "FETCH", 2)
    db = fx.build(db_target)
    fill(db, 2_000)
    calls = 0
    moment = report._moment

    def failing(iso: str) -> str:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise OSError(28, "No space left on device")
        return moment(iso)

    monkeypatch.setattr(report, "_moment", failing)
    with pytest.raises(AppError):
        write_report(db, "000001", tmp_path / "r", kind="registry")
    assert db.scalar("SELECT COUNT(*) FROM payments WHERE payment_id LIKE 'big-%'") == 2_000
    assert list((tmp_path / "r").iterdir()) == []  # no half report
    out = tmp_path / "out"
    out.mkdir()
    assert export(db, "payments", out / "p.csv", False, datetime(2026, 12, 7), out).rows == 2_000
    db.close()
