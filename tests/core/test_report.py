"""The printable report of an accepted registry: HTML by default, .xlsx on request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.core import registry_fixture as fx
from tests.core.test_validate import payments_file, readings_file
from trayapp.core.accept import accept
from trayapp.core.db import Database
from trayapp.core.folders import ExchangeTree
from trayapp.core.report import write_report
from trayapp.errors import AcceptError

ORG = fx.ORG[0]
P1 = "Payments_20261106_001.txt"
ROWS = [
    "a-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026",  # Отопление, АО «Теплосеть»
    "a-2;06.11.2026 08:10:59;1002;;55.00;10.2026",  # the whole account
    "a-3;06.11.2026 08:11:00;1001;9;10.01;10.2026",  # 6.01 ХВ + 4.00 водоотведение, Горводоканал
    "a-4;06.11.2026 08:12:00;1002;101;20.00;10.2026",  # Содержание жилья, no provider
    "a-5;06.11.2026 08:13:00;1003;10;7.50;10.2026",  # Горячая вода, АО «Теплосеть»
]


@pytest.fixture()
def accepted(tmp_path: Path, db_target: Path | str) -> Iterator[tuple[Database, Path]]:
    db = fx.build(db_target)
    tree = ExchangeTree(tmp_path / "x").ensure()
    (tree.incoming / P1).write_bytes(payments_file(ROWS))
    accept(db, tree, P1, ORG, "GOROD", tmp_path / "reports", report=False)
    (tree.incoming / "Readings_20261106_001.txt").write_bytes(
        readings_file(
            [
                "r-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221",
                "r-2;06.11.2026 09:00:00;1002;20;ХВ-1002-1;5",
            ]
        )
    )
    accept(db, tree, "Readings_20261106_001.txt", ORG, "GOROD", tmp_path / "r", report=False)
    yield db, tmp_path / "reports"
    db.close()


def _cells(text: str) -> list[list[str]]:
    """Rows of every table as lists of cell texts (tags stripped)."""
    out = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", text, flags=re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)
        out.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return out


def test_html_report_has_payments_and_totals(accepted: tuple[Database, Path]) -> None:
    db, reports = accepted
    path = write_report(db, "000001", reports)
    assert path.name == "Реестр_000001_Payments_20261106_001.html" and path.parent == reports
    text = path.read_text(encoding="utf-8")
    assert 'lang="ru"' in text and "@page" in text and "table-header-group" in text
    cells = _cells(text)
    assert ["Файл реестра:", "Payments_20261106_001.txt (№ 001 от 06.11.2026)"] in cells
    assert ["Сумма, руб.:", "1092.51"] in cells
    assert ["1", "a-1", "05.11.2026 19:44:02", "1001", "Иванов Иван Иванович",
            "Новосибирск, ул. Ленина, д. 1, пом. 1", "2 Отопление",
            "АО «Теплосеть», ИНН 5401000002", "10.2026", "1000.00"] in cells  # fmt: skip
    # per service
    assert ["1 Содержание жилья", "1", "20.00"] in cells
    assert ["2 Отопление", "1", "1000.00"] in cells
    assert ["3 Холодная вода", "1", "6.01"] in cells
    assert ["4 Водоотведение", "1", "4.00"] in cells
    assert ["6 Горячая вода", "1", "7.50"] in cells
    assert ["На лицевой счёт в целом (без разбивки по услугам)", "1", "55.00"] in cells
    # per provider
    assert ["АО «Теплосеть», ИНН 5401000002", "2", "1007.50"] in cells
    assert ["МУП «Горводоканал», ИНН 5401000003", "2", "10.01"] in cells
    assert ["Без поставщика (услуги ТСЖ)", "1", "20.00"] in cells
    assert ["Итого", "6", "1092.51"] in cells
    assert ["Итого платежей: 5", "1092.51"] in cells


def test_xlsx_report_opens_with_openpyxl(accepted: tuple[Database, Path]) -> None:
    db, reports = accepted
    path = write_report(db, "1", reports, xlsx=True)
    assert path.suffix == ".xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Платежи", "По услугам", "По поставщикам"]
    payments = [list(r) for r in wb["Платежи"].iter_rows(values_only=True)]
    assert payments[0][0] == 'Реестр "Мои счета" № 000001 от ' + payments[0][0][-10:]
    assert payments[5] == ["Сверка с банком", "не выполнялась при приёме: выписка банка не была загружена"] + [None] * 8
    assert "trayapp" not in str(payments[5])  # the report is read in the window too
    assert payments[8][:4] == [1, "a-1", "05.11.2026 19:44:02", "1001"]
    assert Decimal(str(payments[8][9])) == Decimal("1000.00")
    assert payments[-1][0] == "Итого" and Decimal(str(payments[-1][9])) == Decimal("1092.51")
    providers = {r[0]: r[2] for r in wb["По поставщикам"].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(providers["МУП «Горводоканал», ИНН 5401000003"])) == Decimal("10.01")
    assert Decimal(str(providers["Итого"])) == Decimal("1092.51")


def test_readings_report_marks_values_below_previous(accepted: tuple[Database, Path]) -> None:
    db, reports = accepted
    path = write_report(db, "000001", reports, kind="readings")
    assert path.name == "Показания_000001_Readings_20261106_001.html"
    cells = _cells(path.read_text(encoding="utf-8"))
    assert ["Комментарий:", "Принято из 'Мои счета'"] in cells
    assert ["Документ:", "не проведён"] in cells
    r1 = next(c for c in cells if c[1:2] == ["r-1"])
    assert r1[6:] == ["17", "ХВ-1001-1", "Холодная вода", "221", "ниже предыдущего"]
    r2 = next(c for c in cells if c[1:2] == ["r-2"])
    assert r2[-1] == ""
    wb = openpyxl.load_workbook(write_report(db, "000001", reports, xlsx=True, kind="readings"))
    rows = list(wb["Показания"].iter_rows(values_only=True))
    assert rows[-2][-1] == "ниже предыдущего" and rows[-1][-1] in ("", None)


def test_unknown_document(accepted: tuple[Database, Path]) -> None:
    db, reports = accepted
    with pytest.raises(AcceptError, match="№ 000777"):
        write_report(db, "000777", reports)
