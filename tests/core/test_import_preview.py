"""The preview of a table file before it is loaded (core/import_preview.py), and choices
made by hand remembered for files of the same header (core/import_choices.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from tests.core.test_import import ACCOUNTS, ORG, PROVIDERS, SERVICES, write
from trayapp.core.db import Database, open_database
from trayapp.core.import_choices import ChoiceStore
from trayapp.core.import_preview import check, inspect
from trayapp.core.importer import import_file
from trayapp.errors import ImportFileError


@pytest.fixture()
def db(tmp_path: Path, db_target: Path | str) -> Iterator[Database]:
    d = open_database(db_target)
    for kind, text in (("org", ORG), ("providers", PROVIDERS), ("services", SERVICES),
                       ("accounts", ACCOUNTS)):  # fmt: skip
        import_file(d, kind, write(tmp_path / f"{kind}.csv", text))
    yield d
    d.close()


def month_book(path: Path, month: int, amount_header: str = "Начислено, руб.") -> Path:
    """Next month's file of the same shape: another title, other rows, the same header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Свод"
    ws.append(["Итого", "=SUM(Данные!D3:D20)"])
    data = wb.create_sheet("Данные")
    data.append([f"Начисления за {month:02d}.2026"])
    data.append(["Лицевой счёт", "Услуга", "Месяц", amount_header, "Примечание"])
    data.append([8030001, 1, datetime(2026, month, 1), 1234.5, ""])
    data.append(["8030002", "2", f"{month:02d}.2026", "-1\u00a0234,50", "перерасчёт"])
    data.append([7, 1, f"{month:02d}.2026", 5, ""])  # no such account
    for i in range(20):
        data.append(["8030003", 1, f"{month:02d}.2026", i + 1, ""])
    data.append(["Итого", None, None, 0, None])
    wb.save(path)
    return path


def test_preview_of_a_file_whose_amount_column_has_another_name(db: Database, tmp_path: Path) -> None:
    path = month_book(tmp_path / "Начисления ноябрь.xlsx", 11)
    p = inspect(path, db=db)
    assert (p.kind, p.kind_title, p.sheets, p.sheet) == (
        "accruals", "начисления", ("Свод", "Данные"), "Данные")
    assert p.header_row == 2 and not p.ok
    assert p.headers == ("Лицевой счёт", "Услуга", "Месяц", "Начислено, руб.", "Примечание")
    assert [(f.name, f.title, f.required, f.column, f.header) for f in p.fields] == [
        ("account", "Лицевой счёт", True, 0, "Лицевой счёт"),
        ("service_code", "Код услуги", True, 1, "Услуга"),
        ("period", "Период", True, 2, "Месяц"),
        ("amount", "Сумма", True, -1, "")]
    assert p.errors[-1] == "строка: 2, лист «Данные»: нет столбца «Сумма»"
    assert p.errors[0] == "строка: 1, лист «Свод»: нет столбца «Лицевой счёт» (или «Л/с», «ЛС»)"
    assert p.head[0] == (1, ("Начисления за 11.2026",)) and p.head[1][0] == 2

    # the accountant points «Сумма» at «Начислено, руб.»
    p = inspect(path, columns={"amount": "Начислено, руб."}, db=db)
    assert p.fields[3].column == 3 and p.fields[3].chosen and not p.fields[0].chosen
    assert [(r.line, r.values, r.errors) for r in p.rows[:3]] == [
        (3, ("8030001", "1", "11.2026", "1\u00a0234,50"), ()),
        (4, ("8030002", "2", "11.2026", "-1\u00a0234,50"), ()),
        (5, ("7", "1", "11.2026", "5,00"), ("неизв.лиц.счёт: 7",))]
    assert len(p.rows) == 10
    assert p.errors == ("строка: 5, неизв.лиц.счёт: 7",) and not p.ok
    assert p.choices == {"account": "Лицевой счёт", "service_code": "Услуга", "period": "Месяц",
                         "amount": "Начислено, руб."}
    # without a database, references are shown as written, unchecked
    p = inspect(path, "accruals", columns={"Сумма": "Начислено, руб."})
    assert p.rows[2].values[0] == "7" and p.errors == ()


def test_a_choice_by_hand_is_remembered_for_next_months_file(db: Database, tmp_path: Path) -> None:
    store = ChoiceStore(tmp_path / "home" / "import_choices.json")
    november = month_book(tmp_path / "ноябрь.xlsx", 11)
    with pytest.raises(ImportFileError):
        check(db, november, "accruals", columns={"amount": "Начислено, руб."}, store=store)
    fixed = tmp_path / "ноябрь2.xlsx"
    wb = openpyxl.load_workbook(november)
    wb["Данные"].delete_rows(5)  # the unknown account gone
    wb.save(fixed)
    r = check(db, fixed, "accruals", columns={"amount": "Начислено, руб."}, store=store)
    assert r.checked and r.rows == 22 and db.scalar("SELECT COUNT(*) FROM accruals") == 0
    assert not store.path.exists()  # a check remembers nothing
    r = import_file(db, "accruals", fixed, columns={"amount": "Начислено, руб."}, store=store)
    assert (r.rows, r.inserted) == (22, 3) and store.path.exists()

    # December: the same header under another title, on the second sheet: loads unasked
    december = month_book(tmp_path / "декабрь.xlsx", 12)
    wb = openpyxl.load_workbook(december)
    wb["Данные"].delete_rows(5)
    wb["Данные"].insert_rows(1)
    wb["Данные"]["A1"] = "ТСЖ «Берёзка»"
    wb.save(december)
    p = inspect(december, store=store, db=db)
    assert p.ok and p.remembered and p.kind == "accruals" and p.header_row == 3
    assert p.fields[3].header == "Начислено, руб." and p.fields[3].chosen
    r = import_file(db, "accruals", december, store=store)
    assert (r.rows, r.inserted) == (22, 3) and r.notes[0].startswith("столбцы выбраны так же")
    # another header is not taken for it
    other = month_book(tmp_path / "other.xlsx", 12, "Начислено")
    assert not inspect(other, store=store, db=db).ok


def test_preview_guesses_the_kind_and_says_when_it_cannot(tmp_path: Path) -> None:
    path = write(tmp_path / "выгрузка.csv", "Отчёт\nЛ/с;Код услуги;Сумма\n8030001;1;5\n")
    p = inspect(path)
    assert (p.kind, p.header_row, p.ok) == ("balances", 2, True)
    p = inspect(write(tmp_path / "x.csv", "a;b\n1;2\n"))
    assert p.kind is None and p.errors == ("непонятно, что это за таблица: выберите вид данных",)
    p = inspect(tmp_path / "x.csv", "accruals")
    assert p.header_row == 1 and p.headers == ("a", "b") and not p.ok
    assert [f.column for f in p.fields] == [-1, -1, -1, -1]


def test_preview_with_a_sheet_and_a_header_row_by_hand(db: Database, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Первый"
    wb.active.append(["Лицевой счёт", "Код услуги", "Сумма"])
    wb.active.append(["8030001", 1, 5])
    second = wb.create_sheet("Второй")
    second.append(["Л/с", "Услуга", "Сумма"])
    second.append(["8030002", 2, 6])
    second.append(["Лицевой счёт", "Код услуги", "Сумма"])
    second.append(["8030003", 3, 7])
    wb.save(tmp_path / "b.xlsx")
    assert inspect(tmp_path / "b.xlsx", "balances").sheet == "Первый"
    p = inspect(tmp_path / "b.xlsx", "balances", sheet="Второй", db=db)
    assert (p.sheet, p.header_row, p.rows[0].values) == ("Второй", 1, ("8030002", "2", "6,00"))
    p = inspect(tmp_path / "b.xlsx", "balances", sheet="Второй", header_row=3, db=db)
    assert (p.header_row, [r.values for r in p.rows]) == (3, [("8030003", "3", "7,00")])
    r = import_file(db, "balances", tmp_path / "b.xlsx", sheet="Второй", header_row=3)
    assert (r.sheet, r.header_row, r.rows) == ("Второй", 3, 1)
    p = inspect(tmp_path / "b.xlsx", "balances", sheet="Третий")
    assert p.errors == ("нет листа «Третий»; в книге: «Первый», «Второй»",)


def test_preview_reads_the_first_rows_only(tmp_path: Path) -> None:
    """A big CSV: the preview reads its first megabyte, not its 2 million rows."""
    path = tmp_path / "big.csv"
    with path.open("w", encoding="cp1251", newline="") as f:
        f.write("Начисления за октябрь\r\nЛицевой счёт;Код услуги;Период;Сумма\r\n")
        line = "8030001;1;10.2026;1234,50\r\n" * 1000
        for _ in range(2000):
            f.write(line)
    started = time.perf_counter()
    p = inspect(path)
    took = time.perf_counter() - started
    assert p.ok and p.header_row == 2 and len(p.rows) == 10
    assert took < 5  # 1 s on a quiet machine (bench/bench_import.py --preview); generous here
