"""No row past Excel's last row of a sheet (1,048,576), and none lost (docs/decisions.md).

The report's tables go on to «Платежи (2)», «Показания (2)»..., the head repeated on each;
an .xlsx export, read by the billing program as one sheet, is refused in Russian before a
row is written, and nothing is marked exported. The limit is ``cells.SHEET_ROWS``, lowered
here to 10 rows: the same code paths as a million rows, in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.core import registry_fixture as fx
from tests.core.test_report_memory import fill
from trayapp.core import cells, tables
from trayapp.core.db import Database
from trayapp.core.exporter import export
from trayapp.core.report import write_report
from trayapp.errors import AppError

LIMIT = 10
ROWS = 25
NOW = datetime(2026, 12, 7, 3, 0, 0)
PAY_HEAD = ["№", "Ид. платежа", "Дата и время", "Лиц. счёт", "Собственник", "Адрес", "Услуга",
            "Поставщик", "Период", "Сумма, руб."]  # fmt: skip
READ_HEAD = ["№", "Ид. показания", "Дата и время", "Лиц. счёт", "Собственник", "Адрес",
             "Счётчик", "Зав. номер", "Услуга", "Показание", "Отметка"]  # fmt: skip


@pytest.fixture()
def db(db_target: Path | str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setattr(cells, "SHEET_ROWS", LIMIT)
    d = fx.build(db_target)
    fill(d, ROWS)
    yield d
    d.close()


def _sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    wb = openpyxl.load_workbook(path)
    return [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb]


def _continued(sheets: list[tuple[str, list[list[Any]]]], title: str, head: list[str]
               ) -> list[list[Any]]:  # fmt: skip
    """The rows of a table spread over ``title``, ``title (2)``...: each sheet within the
    limit, each further one beginning with the head; the rows joined."""
    mine = [(t, rows) for t, rows in sheets if t == title or t.startswith(title + " (")]
    assert [t for t, _ in mine] == [title] + [f"{title} ({n})" for n in range(2, len(mine) + 1)]
    joined: list[list[Any]] = []
    for n, (_, rows) in enumerate(mine):
        assert 0 < len(rows) <= LIMIT
        if n:
            assert rows[0][: len(head)] == head
            rows = rows[1:]
        joined += rows
    return joined


def test_a_report_longer_than_a_sheet_goes_on_to_further_sheets(
    db: Database, tmp_path: Path
) -> None:
    sheets = _sheets(write_report(db, "000001", tmp_path, xlsx=True, kind="registry"))
    assert [t for t, _ in sheets][-2:] == ["По услугам", "По поставщикам"]
    rows = _continued(sheets, "Платежи", PAY_HEAD)
    assert rows[7][: len(PAY_HEAD)] == PAY_HEAD
    payments = rows[8:-1]
    assert [r[0] for r in payments] == list(range(1, ROWS + 1))  # none lost, in order
    assert [r[1] for r in payments] == [f"big-{i}" for i in range(1, ROWS + 1)]
    total = sum(Decimal(str(r[9])) for r in payments)
    assert rows[-1][:2] == ["Итого", ROWS] and Decimal(str(rows[-1][9])) == total


def test_a_readings_report_longer_than_a_sheet(db: Database, tmp_path: Path) -> None:
    rows = _continued(
        _sheets(write_report(db, "000001", tmp_path, xlsx=True, kind="readings")),
        "Показания", READ_HEAD,
    )  # fmt: skip
    assert rows[6][: len(READ_HEAD)] == READ_HEAD
    assert [r[1] for r in rows[7:]] == [f"rd-{i}" for i in range(1, ROWS + 1)]


@pytest.mark.parametrize("kind", ["payments", "readings"])
def test_an_export_longer_than_a_sheet_is_refused(
    db: Database, tmp_path: Path, kind: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(AppError) as e:
        export(db, kind, out / "out.xlsx", False, NOW, out)
    what = "Оплат" if kind == "payments" else "Показаний"
    assert e.value.message.startswith(f"{what} для выгрузки {ROWS}, а на листе Excel помещается "
                                      f"не больше {LIMIT - 1} строк под заголовком")  # fmt: skip
    assert f"--out {kind}.csv" in e.value.cli_message and "расширением .csv" in e.value.message
    assert list(out.iterdir()) == []  # no file, no temporary file
    r = export(db, kind, out / "out.csv", False, NOW, out)  # nothing marked
    assert r.rows == ROWS and r.file is not None


def test_an_export_that_fills_a_sheet_exactly(db_target: Path | str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(cells, "SHEET_ROWS", ROWS + 1)  # the header and every row
    db = fx.build(db_target)
    fill(db, ROWS)
    r = export(db, "payments", tmp_path / "out.xlsx", False, NOW, tmp_path)
    db.close()
    assert r.rows == ROWS and r.file is not None
    [(_, rows)] = _sheets(r.file)
    assert len(rows) == ROWS + 1 and rows[-1][2] == f"big-{ROWS}"


def test_the_table_writer_never_writes_past_a_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cells, "SHEET_ROWS", LIMIT)
    assert tables.write_xlsx(tmp_path / "t.xlsx", ["a"], [[i] for i in range(LIMIT - 1)])[0] == (
        LIMIT - 1)
    with pytest.raises(AppError, match=f"не больше {LIMIT - 1} строк под заголовком"):
        tables.write_xlsx(tmp_path / "u.xlsx", ["a"], [[i] for i in range(LIMIT)])
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]
