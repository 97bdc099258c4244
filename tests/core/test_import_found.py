"""Issue 15: the accountant's own spreadsheets load on the first try (spec/import.md).

One test per defect found, each through ``import_file(db, kind, path)`` as the window and
the command line call it: the table found under title rows and on a second sheet, periods
as dates, accounts that lost their leading zeros, each cause told once with Russian column
names, a file refused because another was, and every load in «События».
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.core.test_import import ACCOUNTS, ORG, PROVIDERS, SERVICES, write
from trayapp.core import events
from trayapp.core.db import Database, open_database
from trayapp.core.importer import import_file
from trayapp.errors import AppError, ImportFileError


@pytest.fixture()
def db(db_target: Path | str) -> Iterator[Database]:
    d = open_database(db_target)
    yield d
    d.close()


@pytest.fixture()
def base(db: Database, tmp_path: Path) -> Database:
    for kind, text in (("org", ORG), ("providers", PROVIDERS), ("services", SERVICES),
                       ("accounts", ACCOUNTS)):  # fmt: skip
        import_file(db, kind, write(tmp_path / f"{kind}.csv", text))
    return db


def accruals(db: Database) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.all(
        "SELECT a.number, c.service_code, c.period, c.amount FROM accruals c"
        " JOIN accounts a ON a.id = c.account_id ORDER BY 1, 2, 3")]


def refused(db: Database, path: Path, kind: str) -> ImportFileError:
    with pytest.raises(ImportFileError) as info:
        import_file(db, kind, path)
    return info.value


def summary_then_data(path: Path) -> Path:
    """A workbook as the accountant keeps it: a summary with a formula first, then the
    accounts under a merged title row, a header with a «№», a line break and a comma."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Сводка"
    ws.append(["Всего лицевых счетов", "=COUNTA('Лицевые счета'!A4:A100)"])
    data = wb.create_sheet("Лицевые счета")
    data.append(["Лицевые счета ТСЖ «Берёзка» на 01.12.2026"])
    data.merge_cells("A1:F1")
    data.append([])
    data.append(["№ л/с", "ФИО\nсобственника", "Улица", "Дом", "Квартира", "Площадь,\u00a0м2"])
    data.append(["8030011", "Орлов Олег", "ул. Титова", "12", "11", Decimal("54.3")])
    data.append([8030012, "Орлова Ольга", "ул. Титова", 12, 12, 61])
    wb.save(path)
    return path


# ----------------------------------------------------------------------------- 1. the table


def test_a_workbook_with_a_summary_first_and_a_title_row(db: Database, tmp_path: Path) -> None:
    """Defect 1: refused with «нет столбца: account» although the header has «Лицевой счёт»."""
    r = import_file(db, "accounts", summary_then_data(tmp_path / "Лицевые счета.xlsx"))
    assert (r.rows, r.inserted, r.sheet, r.header_row) == (2, 2, "Лицевые счета", 3)
    assert [tuple(x) for x in db.all("SELECT number, full_name, house, premise, area"
                                     " FROM accounts ORDER BY number")] == [
        ("8030011", "Орлов Олег", "12", "11", "54.3"), ("8030012", "Орлова Ольга", "12", "12", "61")]


def test_a_csv_with_a_title_row_above_its_header(base: Database, tmp_path: Path) -> None:
    text = ("Сальдо на 01.09.2026\n\n"
            "Лицевой счёт;Код услуги;Сумма\n8030001;1;-150,25\n8030002;3;10\n")  # fmt: skip
    r = import_file(base, "balances", write(tmp_path / "Сальдо.csv", text))
    assert (r.rows, r.inserted, r.sheet, r.header_row) == (2, 2, None, 3)
    bad = write(tmp_path / "b.csv", "Сальдо на 01.09.2026\nЛицевой счёт;Код услуги;Сумма\n"
                "8030001;1;x\n")  # fmt: skip
    assert refused(base, bad, "balances").errors == [(3, "неверная сумма: x")]  # the file's line


def test_no_sheet_fits_names_each_sheet_and_what_it_lacks(db: Database, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Сводка"
    wb.active.append(["Всего", 5])
    wb.create_sheet("Данные").append(["Лицевой счёт", "ФИО", "Дом"])
    wb.save(tmp_path / "a.xlsx")
    err = refused(db, tmp_path / "a.xlsx", "accounts")
    assert err.errors == [
        (1, "лист «Сводка»: нет столбца «Лицевой счёт» (или «Л/с», «ЛС»)"),
        (1, "лист «Сводка»: нет столбца «ФИО» (или «Собственник», «ФИО собственника»)"),
        (1, "лист «Сводка»: нет столбца «Улица»"),
        (1, "лист «Сводка»: нет столбца «Дом»"),
        (1, "лист «Данные»: нет столбца «Улица»"),
    ]


def test_header_cells_as_excel_leaves_them_and_merged_cells(base: Database, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Начисления за октябрь 2026"])
    ws.append(["Лицевой\nсчёт", "Код\u00a0услуги", "Период", "Сумма", None])
    ws.merge_cells("D2:E2")  # one header cell over two columns is one name
    ws.append(["8030001", 1, "10.2026", 5, None])
    ws.append([None, 2, "10.2026", 6, None])  # the account merged down over its services
    ws.merge_cells("A3:A4")
    ws.append(["Итого", None, None, 11, None])
    ws.append(["Главный бухгалтер", None, None, None, None])
    wb.save(tmp_path / "n.xlsx")
    r = import_file(base, "accruals", tmp_path / "n.xlsx")
    assert accruals(base) == [("8030001", 1, 202610, 500), ("8030001", 2, 202610, 600)]
    assert r.rows == 2 and r.header_row == 2
    assert r.notes == ("строка 5 «Итого» — итоговая: она и строки ниже не загружены",)


def test_footer_and_empty_rows_in_a_csv(base: Database, tmp_path: Path) -> None:
    text = ("account;service_code;period;amount\n8030001;1;10.2026;5\n;;;\n\n"
            "8030002;1;10.2026;6\nВсего:;;;11\nподпись;;;\n")  # fmt: skip
    r = import_file(base, "accruals", write(tmp_path / "a.csv", text))
    assert accruals(base) == [("8030001", 1, 202610, 500), ("8030002", 1, 202610, 600)]
    assert r.notes == ("строка 6 «Всего:» — итоговая: она и строки ниже не загружены",)


# ----------------------------------------------------------------------------- 2. values


def test_periods_as_accountants_write_them(base: Database, tmp_path: Path) -> None:
    """Defect 2: «01.09.2026» was refused («неверный период») with no word of the form."""
    periods = ["01.09.2026", "31.10.2026", "2026-11", "Декабрь 2026", "январь 2027 г.", "02.2027"]
    text = "account;service_code;period;amount\n" + "".join(
        f"8030001;1;{p};1\n" for p in periods)
    import_file(base, "accruals", write(tmp_path / "a.csv", text))
    assert [p for _, _, p, _ in accruals(base)] == [202609, 202610, 202611, 202612, 202701, 202702]
    err = refused(base, write(tmp_path / "b.csv", "account;service_code;period;amount\n"
                              "8030001;1;сентябрь;1\n"), "accruals")
    assert err.errors == [(2, "неверный период: сентябрь (ожидается ММ.ГГГГ, ДД.ММ.ГГГГ, "
                              "ГГГГ-ММ или «Октябрь 2026»)")]


def test_excel_dates_numbers_and_negative_sums(base: Database, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["account", "service_code", "period", "amount"])
    ws.append([8030001, 1, datetime(2026, 10, 15), 0.1 + 0.2])  # an Excel date: its month
    ws.append([8030001, 2, datetime(2026, 10, 1), 1234567890123.45])
    ws.append([8030001, 3, "Октябрь 2026", "-1\u00a0234,50"])
    ws.append([8030002, 1, 46296, "1 234,50"])  # a date cell left as its serial number
    wb.save(tmp_path / "a.xlsx")
    import_file(base, "accruals", tmp_path / "a.xlsx")
    assert accruals(base) == [("8030001", 1, 202610, 30), ("8030001", 2, 202610, 123456789012345),
                              ("8030001", 3, 202610, -123450), ("8030002", 1, 202610, 123450)]


def test_numbers_excel_stores_never_pass_through_a_float(tmp_path: Path) -> None:
    """A number cell reads as the Decimal of the very digits the file holds."""
    import re
    import zipfile

    from trayapp.core.table_read import open_source

    wb = openpyxl.Workbook()
    wb.active.append(["x"])
    for value in (0.1 + 0.2, 1234567890123.45, 9999999999999.99, 2.675, -7.1):
        wb.active.append([value])
    wb.save(tmp_path / "n.xlsx")
    xml = zipfile.ZipFile(tmp_path / "n.xlsx").read("xl/worksheets/sheet1.xml").decode()
    # and a number as Excel writes one at 17 digits, which a float cannot hold
    xml = xml.replace("<v>-7.1</v>", "<v>1759.3800000000001</v>")
    with zipfile.ZipFile(tmp_path / "n.xlsx") as src, zipfile.ZipFile(tmp_path / "m.xlsx", "w") as dst:
        for item in src.infolist():
            data = xml.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item)
            dst.writestr(item, data)
    written = re.findall(r"<v>([-0-9.E+]+)</v>", xml)
    with open_source(tmp_path / "m.xlsx") as source:
        part = next(source.parts())
        values = [cells[0] for _, cells in part.head[1:]]
    assert values == [Decimal(t) for t in written] and len(values) == 5
    assert values[-1] == Decimal("1759.3800000000001") and all(type(x) is Decimal for x in values)


# ----------------------------------------------------------------------------- 3. zeros


@pytest.fixture()
def zeros(base: Database, tmp_path: Path) -> Database:
    import_file(base, "accounts", write(tmp_path / "z.csv",
                "account;full_name;street;house\n0007005;Нулев;ул. Титова;1\n"
                "0007006;Двойнов;ул. Титова;2\n007006;Двойнова;ул. Титова;3\n"))  # fmt: skip
    return base


def test_accounts_that_lost_their_leading_zeros(zeros: Database, tmp_path: Path) -> None:
    """Defect 3: 100 rows of «неизв.лиц.счёт: 7005», no hint that 0007005 exists."""
    wb = openpyxl.Workbook()
    wb.active.append(["Лицевой счёт", "Код услуги", "Период", "Сумма"])
    for m in range(1, 13):
        wb.active.append([7005, 1, f"{m:02d}.2026", 100])
    wb.active.append(["8030001", 1, "10.2026", 5])
    wb.save(tmp_path / "n.xlsx")
    r = import_file(zeros, "accruals", tmp_path / "n.xlsx")
    assert r.rows == 13 and r.notes == (
        "лицевые счета без ведущих нулей: 12 строк (например, 7005 → 0007005)",)
    assert {a for a, *_ in accruals(zeros)} == {"0007005", "8030001"}
    # the same from a CSV (the fast path of accruals), and in payments
    text = "account;service_code;period;amount\n7005;1;10.2026;7\n7005;1;11.2026;7\n"
    r = import_file(zeros, "accruals", write(tmp_path / "a.csv", text))
    assert r.notes == ("лицевые счета без ведущих нулей: 2 строки (например, 7005 → 0007005)",)
    r = import_file(zeros, "payments", write(tmp_path / "p.csv",
                    "account;paid_on;amount\n7005;05.10.2026;10\n"))  # fmt: skip
    assert r.inserted == 1 and r.notes[0].startswith("лицевые счета без ведущих нулей: 1 строка")


def test_two_accounts_fit_without_zeros_the_row_is_bad(zeros: Database, tmp_path: Path) -> None:
    text = "account;service_code;period;amount\n7006;1;10.2026;7\n7006;1;11.2026;7\n9999;1;10.2026;1\n"
    err = refused(zeros, write(tmp_path / "a.csv", text), "accruals")
    assert err.lines == [
        "неизв.лиц.счёт: 7006 (без ведущих нулей подходят: 0007006, 007006) — строки 2–3",
        "строка: 4, неизв.лиц.счёт: 9999"]
    # an accounts file itself is never read so: 7005 is a new account there
    r = import_file(zeros, "accounts", write(tmp_path / "c.csv",
                    "account;full_name;street;house\n7005;Новый;ул. Титова;5\n"))  # fmt: skip
    assert r.inserted == 1 and r.notes == ()


# ----------------------------------------------------------------------------- 4, 5. causes


def test_each_cause_told_once_with_its_rows_as_ranges(base: Database, tmp_path: Path) -> None:
    """Defect 4: 40 rows naming one unknown account were 40 lines."""
    text = "account;service_code;period;amount\n" + "".join(
        f"0009999;1;{m % 12 + 1:02d}.{2000 + m // 12};1\n" for m in range(40))  # rows 2–41
    text += "8030001;1;10.2026;x\n" + "".join(  # row 42; then 12 ranges of row 43, 45...
        f"0009999;1;10.2026;1\n8030001;1;{m:02d}.2025;1\n" for m in range(1, 13))
    err = refused(base, write(tmp_path / "a.csv", text), "accruals")
    assert err.lines == [
        "неизв.лиц.счёт: 0009999 — строки 2–41, 43, 45, 47, 49, 51, 53, 55, 57, 59 и ещё 3",
        "строка: 42, неверная сумма: x",
    ]
    assert err.errors[0] == (2, "неизв.лиц.счёт: 0009999 — строки 2–41, 43, 45, 47, 49, 51, "
                                "53, 55, 57, 59 и ещё 3")
    assert "строка: 42, неверная сумма: x" in err.message


def test_at_most_100_causes(base: Database, tmp_path: Path) -> None:
    text = "account;service_code;amount\n" + "".join(f"{9000000 + i};1;1\n" for i in range(150))
    err = refused(base, write(tmp_path / "b.csv", text), "balances")
    assert len(err.lines) == 100 and err.message.endswith("... и ещё 50")


def test_columns_are_named_in_russian_never_by_the_internal_name(
    base: Database, tmp_path: Path
) -> None:
    """Defect 5: «нет столбца: account (Лицевой счёт, Л/с, ЛС)», «пустое поле: amount»."""
    err = refused(base, write(tmp_path / "a.csv", "Код услуги;Период;Сумма\n1;10.2026;1\n"),
                  "accruals")
    assert err.errors == [(1, "нет столбца «Лицевой счёт» (или «Л/с», «ЛС»)")]
    err = refused(base, write(tmp_path / "b.csv", "account;service_code;period;amount\n"
                              "8030001;;10.2026;\n"), "accruals")
    assert err.errors == [(2, "пустое поле: «Код услуги»"), (2, "пустое поле: «Сумма»")]
    for message in err.lines:
        assert "service_code" not in message and "amount" not in message


def test_a_file_refused_because_another_was(db: Database, tmp_path: Path) -> None:
    """Defect 4: each file depending on a refused accounts file listed 100 «неизв.лиц.счёт»."""
    from trayapp.core.import_batch import load_files

    folder = tmp_path / "load"
    folder.mkdir()
    for kind, text in (("org", ORG), ("providers", PROVIDERS), ("services", SERVICES)):
        write(folder / f"{kind}.csv", text)
    write(folder / "Лицевые счета.csv", ACCOUNTS.replace("ул. Титова;12;1;", "ул. Титова;;1;"))
    write(folder / "Начисления.csv", "account;service_code;period;amount\n" + "".join(
        f"{8030001 + i % 5};1;{i % 12 + 1:02d}.2026;1\n" for i in range(60)))  # fmt: skip
    write(folder / "Оплаты.csv", "account;paid_on;amount\n8030001;05.10.2026;x\n")
    out = {o.path.name: o for o in load_files(db, sorted(folder.iterdir()))}
    assert out["Лицевые счета.csv"].lines == ["строка: 2, пустое поле: «Дом»"]
    assert out["Начисления.csv"].lines == [
        "не загружен: ссылается на лицевые счета из «Лицевые счета.csv», который не загружен"]
    # a file with a cause of its own is told in full
    assert out["Оплаты.csv"].lines == ["строка: 2, неизв.лиц.счёт: 8030001",
                                       "строка: 2, неверная сумма: x"]
    assert out["services.csv"].result is not None and out["services.csv"].result.inserted == 3
    texts = [t for _, _, t in events.recent(db)]
    assert any("Начисления.csv" in t and "ссылается на лицевые счета" in t for t in texts)


# ----------------------------------------------------------------------------- 7. events


def test_every_load_failed_or_not_is_an_event(base: Database, tmp_path: Path) -> None:
    """Defect 7: nine refused files, none in «События»."""
    good = write(tmp_path / "Сальдо.csv", "account;service_code;amount\n8030001;1;5\n")
    bad = write(tmp_path / "Начисления.csv", "account;service_code;period;amount\n9;1;10.2026;1\n")
    import_file(base, "balances", good)
    with pytest.raises(ImportFileError):
        import_file(base, "accruals", bad)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(AppError, match="не читается как таблица Excel"):
        import_file(base, "accruals", tmp_path / "broken.xlsx")
    (_, l1, t1), (_, l2, t2), (_, l3, t3) = events.recent(base, 3)
    assert l1 == "error" and "broken.xlsx" in t1 and "не читается" in t1
    assert l2 == "error" and t2.startswith("Не загружены данные (начисления) из файла «") and (
        str(bad.absolute()) in t2 and "строка: 2, неизв.лиц.счёт: 9" in t2)
    assert l3 == "info" and str(good.absolute()) in t3 and "строк 1, новых 1" in t3
    # a check is no load: no event
    count = len(events.recent(base, 1000))
    import_file(base, "balances", good, check=True)
    with pytest.raises(ImportFileError):
        import_file(base, "accruals", bad, check=True)
    assert len(events.recent(base, 1000)) == count
