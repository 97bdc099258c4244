"""The report and the export write what they wrote before they were made to stream.

``tests/data/report_same/`` holds the outputs of the code before (07.12.2026, main at
004c511: reports and exports read the rows whole on PostgreSQL, the readings as a list):
the HTML reports (the «Сформирован» moment masked), the CSV exports byte for byte, and every
part of the .xlsx files but ``docProps/core.xml`` (the moment of writing) and the theme. Each
test makes the same data on SQLite and on PostgreSQL, reads it in batches of 2 rows (so
that every batch boundary is crossed), and compares. ``python -m tests.core.test_report_same``
rewrote the files (done once, with the code before; never to make a test pass).
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.core import registry_fixture as fx
from tests.core.test_validate import payments_file, readings_file
from trayapp.core.accept import accept, post_document
from trayapp.core.db import Database
from trayapp.core.exporter import export
from trayapp.core.folders import ExchangeTree
from trayapp.core.report import write_report

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "report_same"
ORG = fx.ORG[0]
NOW = datetime(2026, 11, 27, 10, 15, 0)
PAYMENTS = [
    "a-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026",  # Отопление, АО «Теплосеть»
    "a-2;06.11.2026 08:10:59;1002;;55.00;10.2026",  # the whole account
    "a-3;06.11.2026 08:11:00;1001;9;10.01;10.2026",  # shared code: two shares
    "a-4;06.11.2026 08:12:00;1002;101;20.00;10.2026",  # no provider
    "a-5;06.11.2026 08:13:00;1003;10;7.50;10.2026",
    "-1-1;06.11.2026 08:14:00;1003;;3.00;10.2026",  # an id Excel would take for -2
    "a-7;06.11.2026 08:15:00;1001;9;0.01;10.2026",  # a share of zero kopecks
    "a-8;06.11.2026 08:16:00;1009;101;123456.78;09.2026",
]
READINGS = [
    "r-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221",
    "r-2;06.11.2026 09:00:00;1002;20;ХВ-1002-1;5",
    "r-3;06.11.2026 09:30:00;1001;17;ХВ-1001-1;222.125",
]
SKIP = ("docProps/core.xml", "xl/theme/theme1.xml")  # the moment of writing; openpyxl's theme
MOMENT = re.compile(r"(Сформирован:</td><td><b>)[0-9.: ]+(</b>)")


def build(target: Path | str, work: Path) -> tuple[Database, Path]:
    """Two accepted registries, one posted readings document, and hostile owners' names."""
    db = fx.build(target)
    db.execute("UPDATE accounts SET full_name = '=HYPERLINK(\"http://x\",\"click\") <b>&' "
               "WHERE number = '1001'")  # fmt: skip
    db.execute("UPDATE accounts SET full_name = '+7 (383) 222-33-44' WHERE number = '1002'")
    tree = ExchangeTree(work / "x").ensure()
    (tree.incoming / "Payments_20261106_001.txt").write_bytes(payments_file(PAYMENTS))
    accept(db, tree, "Payments_20261106_001.txt", ORG, "GOROD", work / "r", lambda: NOW,
           report=False)  # fmt: skip
    (tree.incoming / "Readings_20261106_001.txt").write_bytes(readings_file(READINGS))
    accept(db, tree, "Readings_20261106_001.txt", ORG, "GOROD", work / "r", lambda: NOW,
           report=False)  # fmt: skip
    return db, work / "reports"


def outputs(db: Database, reports: Path, out: Path) -> dict[str, bytes]:
    """Every report and export of the data, by a name of its kind."""
    made: dict[str, bytes] = {}
    for kind, number in (("registry", "000001"), ("readings", "000001")):
        for xlsx in (False, True):
            path = write_report(db, number, reports, xlsx=xlsx, kind=kind)
            made.update(_parts(f"report_{kind}", path))
    out.mkdir(parents=True, exist_ok=True)
    for kind in ("payments", "readings"):
        for ext in ("csv", "xlsx"):
            for header in ("ru", "en"):
                r = export(db, kind, out / f"{kind}_{header}.{ext}", True, NOW, out, header)
                assert r.file is not None
                made.update(_parts(f"export_{kind}_{header}", r.file))
    post_document(db, "000001")  # posted: the readings report says so
    made.update(_parts("report_readings_posted", write_report(db, "1", reports, kind="readings")))
    return made


def _parts(label: str, path: Path) -> dict[str, bytes]:
    data = path.read_bytes()
    if path.suffix == ".html":
        return {f"{label}.html": MOMENT.sub(r"\1DD.MM.YYYY HH:MM\2", data.decode()).encode()}
    if path.suffix == ".csv":
        return {f"{label}.csv": data}
    with zipfile.ZipFile(path) as z:  # its parts in one text, the static theme apart
        parts = [b"== " + name.encode() + b" ==\n" + z.read(name) + b"\n"
                 for name in sorted(z.namelist()) if name not in SKIP]  # fmt: skip
    return {f"{label}.xlsx.txt": b"".join(parts)}


@pytest.fixture()
def made(
    tmp_path: Path, db_target: Path | str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, bytes]]:
    from trayapp.core.db import connection, postgres

    for cls in (connection.Database, postgres.PgDatabase):  # every batch boundary crossed
        batches = cls.batches
        monkeypatch.setattr(cls, "batches", lambda self, sql, params=(), size=2, f=batches:
                            f(self, sql, params, 2))  # fmt: skip
    db, reports = build(db_target, tmp_path)
    yield outputs(db, reports, tmp_path / "out")
    db.close()


def test_the_same_files_as_before(made: dict[str, bytes]) -> None:
    want = {p.name: p.read_bytes() for p in GOLDEN.iterdir()}
    assert sorted(made) == sorted(want)
    for name in sorted(want):
        assert made[name] == want[name], name


def test_nothing_became_a_formula(made: dict[str, bytes]) -> None:
    """The golden files themselves hold no formula (a golden file that did would make the
    test above keep it)."""
    for name, data in made.items():
        assert b"<f>" not in data and b"<f " not in data, name
        if name.endswith(".csv"):
            assert b";=" not in data and b";-1-1" not in data, name


def main() -> None:
    """Rewrite the golden files from the code as it is (with the code before, once)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        db, reports = build(Path(tmp) / "b.db", Path(tmp))
        made = outputs(db, reports, Path(tmp) / "out")
        db.close()
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN.iterdir():
        old.unlink()
    for name, data in made.items():
        (GOLDEN / name).write_bytes(data)
    print(f"{len(made)} files written to {GOLDEN}", file=sys.stderr)


if __name__ == "__main__":
    main()
