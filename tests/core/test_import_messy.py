"""Files as a billing program and Excel leave them load as clean ones do (issue 15).

One small association is written twice: as clean CSV files (the internal column names, one
header line, plain values) and as the accountant's own files — title rows, a summary sheet
with a formula before the data, merged cells, line breaks, no-break spaces and «№» in
headers, Russian column names, numbers stored as text and text (account numbers) turned
into numbers that lost their leading zeros, dates as Excel date cells and serial numbers,
periods as dates and month names, sums with no-break-space thousands, footers, empty rows,
cp1251 and UTF-8, ``;`` and ``,``. The messy folder is loaded as the window loads a folder
(``import_batch.load_files``: kinds recognised, in order), the clean files one by one; both
databases hold the same rows, and the registries generated from them are the same bytes.
The messy side runs on SQLite and on PostgreSQL (``db_target``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from trayapp.core import values as v
from trayapp.core.db import Database, open_database
from trayapp.core.folders import ExchangeTree
from trayapp.core.import_batch import load_files
from trayapp.core.import_preview import inspect
from trayapp.core.importer import COLUMNS, import_file
from trayapp.core.registries import generate

ORG = ("5401000001", "ТСЖ «Берёзка»", "540101001", "40703810000000000001", "045004774",
       "г. Новосибирск, ул. Титова, 12")  # fmt: skip
PROVIDERS = [("5401000002", "АО «Теплосеть»", "40702810000000000008", "045004774"),
             ("5401000003", 'МУП "Горводоканал", г. Новосибирск', "40702810000000000007",
              "045004774")]  # fmt: skip
SERVICES = [(1, "Содержание жилья", "м2", "101", "11", None, 0),
            (2, "Отопление", "Гкал", "102", "12", "5401000002", 0),
            (3, "Холодная вода", "м3", "103", "13", "5401000003", 1)]  # fmt: skip
# number, name, street, house, premise, kind, area, opened
ACCOUNTS = [
    (f"000700{i}", f"Жилец {i} Иванович", "ул. Титова", "12", str(i), "квартира",
     Decimal(f"{40 + i}.{i}"), date(2015, i, 1))
    for i in range(1, 9)
] + [
    ("8030001", "ООО «Аптека»", "ул. Титова", "12", "Н1", "нежилое", Decimal("120"), None),
    ("8030002", "Петрова Анна", "ул. Титова", "12", "9", "квартира", None, None),
]
NUMBERS = [a[0] for a in ACCOUNTS]
BALANCES = [(n, 1, (-1) ** i * (123450 + i * 100001)) for i, n in enumerate(NUMBERS)]
PERIODS = [202609, 202610]
AMOUNTS = [30, 175938, 210000, 123456789, 1, 99999]  # kopecks: 0,30 and large ones
ACCRUALS = [(n, s, p, AMOUNTS[(i + s + p) % len(AMOUNTS)])
            for i, n in enumerate(NUMBERS) for s in (1, 2, 3) for p in PERIODS]  # fmt: skip
PAYMENTS = [("0007001", 1, date(2026, 10, 5), 150000, "Сбербанк", "SB-1"),
            ("0007002", None, date(2026, 10, 6), 5500, "касса", None),
            ("8030001", 2, date(2026, 10, 7), 123456, "Сбербанк", "SB-2"),
            ("0007003", 1, date(2026, 10, 8), -5000, "касса", "В-1")]  # fmt: skip
METERS = [("17", "0007001", 3, "ХВ-0001", date(2021, 3, 1), 10125, None),
          ("18", "0007002", 3, "ХВ-0002", date(2020, 3, 1), 0, None)]  # fmt: skip
READINGS = [("17", date(2026, 9, 25), 115125), ("17", date(2026, 10, 25), 118500),
            ("18", date(2026, 10, 25), 7000)]  # fmt: skip


def money(k: int) -> str:
    """Kopecks as an accountant's Excel shows them: ``-1 234,50`` (no-break spaces)."""
    return v.format_money(k)


# ----------------------------------------------------------------------------- clean


def clean_files(folder: Path) -> dict[str, Path]:
    """Clean CSV: UTF-8 with BOM, ``;``, the internal names, one header line."""
    rows: dict[str, list[list[Any]]] = {
        "org": [list(ORG)],
        "providers": [list(p) for p in PROVIDERS],
        "services": [[c, n, u, g, s, p or "", m] for c, n, u, g, s, p, m in SERVICES],
        "accounts": [[n, f, "", st, h, pr, k, "" if a is None else str(a),
                      v.format_date(o) if o else "", ""] for n, f, st, h, pr, k, a, o in ACCOUNTS],
        "balances": [[n, s, v.format_amount(k)] for n, s, k in BALANCES],
        "accruals": [[n, s, v.format_month(p), v.format_amount(k)] for n, s, p, k in ACCRUALS],
        "payments": [[n, "" if s is None else s, v.format_date(d), v.format_amount(k), src, ref or ""]
                     for n, s, d, k, src, ref in PAYMENTS],
        "meters": [[m, n, s, ser, v.format_date(i), v.format_reading(r), ""]
                   for m, n, s, ser, i, r, _ in METERS],
        "readings": [[m, v.format_date(d), v.format_reading(r)] for m, d, r in READINGS],
    }  # fmt: skip
    out = {}
    for kind, data in rows.items():
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
        w.writerow([c for c, _ in COLUMNS[kind]])
        w.writerows(data)
        out[kind] = folder / f"{kind}.csv"
        out[kind].write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return out


# ----------------------------------------------------------------------------- messy


def _csv(path: Path, lines: list[list[Any]], delimiter: str, encoding: str) -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(lines)
    path.write_bytes(buf.getvalue().encode(encoding))


def _title(ws: Any, text: str, width: int) -> None:
    ws.append([text])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)


def messy_files(folder: Path) -> None:
    # org: a sheet of instructions first; the details under a merged title, numbers as numbers
    wb = openpyxl.Workbook()
    wb.active.title = "Инструкция"
    wb.active.append(["Заполните реквизиты на листе «ТСЖ»"])
    ws = wb.create_sheet("ТСЖ")
    _title(ws, "Реквизиты товарищества", 6)
    ws.append(["ИНН", "Наименование", "КПП", "Р/с", "БИК", "Адрес"])
    ws.append([int(ORG[0]), ORG[1], int(ORG[2]), ORG[3], ORG[4], ORG[5]])
    wb.save(folder / "Реквизиты ТСЖ.xlsx")

    # providers: cp1251, «,», a title line, a name with a comma and quotes
    _csv(folder / "Поставщики.csv", [["Поставщики услуг на 01.09.2026"], [],
                                     ["ИНН", "Наименование", "Расчётный счёт", "БИК"],
                                     *[list(p) for p in PROVIDERS]], ",", "cp1251")

    # services: codes and provider ИНН as numbers, a header cell with a line break
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Код", "Наименование", "Ед.\nизм.", "Код Город", "Код Сбер", "ИНН поставщика",
               "По\u00a0счётчику"])
    for c, n, u, g, s, p, m in SERVICES:
        ws.append([c, n, u, int(g), int(s), int(p) if p else None, m])
    wb.save(folder / "Услуги.xlsx")

    # accounts: a summary with a formula first; title, an empty row, «№ л/с», a header cell
    # over two lines; area and dates as Excel keeps them; a footer
    wb = openpyxl.Workbook()
    wb.active.title = "Свод"
    wb.active.append(["Лицевых счетов", "=COUNTA('Лицевые счета'!A4:A40)"])
    ws = wb.create_sheet("Лицевые счета")
    _title(ws, "Лицевые счета ТСЖ «Берёзка» на 01.12.2026", 9)
    ws.append([])
    ws.append(["№ л/с", "ФИО\nсобственника", "Улица", "Дом", "Квартира", "Вид помещения",
               "Площадь,\u00a0м2", "Открыт", "Закрыт"])
    for n, f, st, h, pr, k, a, o in ACCOUNTS:
        ws.append([n, f, st, int(h), int(pr) if pr.isdigit() else pr, k,
                   float(a) if a is not None else None, datetime(o.year, o.month, o.day) if o else None,
                   None])  # fmt: skip
        if o is not None:
            ws.cell(ws.max_row, 8).number_format = "DD.MM.YYYY"
    ws.append([])
    ws.append(["Всего лицевых счетов: 10"])
    wb.save(folder / "Лицевые счета.xlsx")

    # balances: cp1251 «;», a title line, accounts without their zeros, -1 234,50, a footer
    _csv(folder / "Сальдо на 01.09.2026.csv", [
        ["Сальдо на 01.09.2026"], [], ["Л/с", "Услуга", "Сумма"],
        *[[n.lstrip("0"), s, money(k)] for n, s, k in BALANCES],
        ["Итого", "", money(sum(k for _, _, k in BALANCES))]], ";", "cp1251")

    # accruals: accounts as numbers merged down over their services, periods as Excel dates,
    # dates as text, ISO months and month names; sums as numbers; empty rows; a footer
    wb = openpyxl.Workbook()
    wb.active.title = "Свод"
    wb.active.append(["Итого начислено", "=SUM('Начисления'!D3:D200)"])
    ws = wb.create_sheet("Начисления")
    _title(ws, "Начисления за сентябрь — октябрь 2026", 4)
    ws.append(["Лицевой\nсчёт", "Код\nуслуги", "Период", "Сумма"])
    forms = [lambda p: datetime(p // 100, p % 100, 1), lambda p: f"01.{p % 100:02d}.{p // 100}",
             lambda p: f"{p // 100}-{p % 100:02d}",
             lambda p: f"{v.MONTH_NAMES[p % 100 - 1].capitalize()} {p // 100}",
             lambda p: f"{v.MONTH_NAMES[p % 100 - 1]} {p // 100} г.",
             lambda p: datetime(p // 100, p % 100, 28)]  # fmt: skip
    for i, n in enumerate(NUMBERS):
        first = 0
        for j, (_, s, p, k) in enumerate(a for a in ACCRUALS if a[0] == n):
            period = forms[(i + j) % len(forms)](p)
            ws.append([int(n) if j == 0 else None, s, period, float(Decimal(k) / 100)])
            first = first or ws.max_row
            if isinstance(period, datetime):
                ws.cell(ws.max_row, 3).number_format = "MMMM YYYY"
        ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
        if i % 3 == 0:
            ws.append([None, None, None, None])
    ws.append(["Итого", None, None, float(Decimal(sum(k for *_, k in ACCRUALS)) / 100)])
    wb.save(folder / "Начисления.xlsx")

    # payments: UTF-8 without BOM, «,», sums quoted with thousands, a «№» column
    _csv(folder / "Оплаты.csv", [
        ["Лицевой счёт", "Услуга", "Дата оплаты", "Сумма", "Источник", "№ платежа"],
        *[[n.lstrip("0"), "" if s is None else s, v.format_date(d), money(k), src, ref or ""]
          for n, s, d, k, src, ref in PAYMENTS]], ",", "utf-8")  # fmt: skip

    # meters: ids and accounts as numbers, dates as serial numbers, a reading as a number
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Код счётчика", "Л/с", "Услуга", "Заводской\nномер", "Установлен",
               "Начальное показание", "Снят"])
    for m, n, s, ser, inst, r, _ in METERS:
        ws.append([int(m), int(n), s, ser, (inst - date(1899, 12, 30)).days,
                   float(Decimal(r) / 1000), None])
    wb.save(folder / "Счётчики.xlsx")

    # readings: cp1251 «;», title lines, readings with a comma, a footer
    _csv(folder / "Показания.csv", [
        ["Показания приборов учёта"], ["за сентябрь — октябрь 2026"],
        ["Код счётчика", "Дата показания", "Показание"],
        *[[m, v.format_date(d), v.format_reading(r).replace(".", ",")] for m, d, r in READINGS],
        ["Всего показаний: 3"]], ";", "cp1251")


# ----------------------------------------------------------------------------- compare


CONTENT = {
    "org": "SELECT inn, name, kpp, bank_account, bik, address FROM org",
    "providers": "SELECT inn, name, bank_account, bik FROM providers ORDER BY inn",
    "services": "SELECT s.code, s.name, s.unit, s.gorod_code, s.sber_code, p.inn, s.metered"
                " FROM services s LEFT JOIN providers p ON p.id = s.provider_id ORDER BY s.code",
    "accounts": "SELECT number, full_name, settlement, street, house, premise, premise_kind,"
                " area, opened, closed FROM accounts ORDER BY number",
    "balances": "SELECT a.number, b.service_code, b.amount FROM balances b"
                " JOIN accounts a ON a.id = b.account_id ORDER BY 1, 2",
    "accruals": "SELECT a.number, c.service_code, c.period, c.amount FROM accruals c"
                " JOIN accounts a ON a.id = c.account_id ORDER BY 1, 2, 3",
    "payments": "SELECT a.number, p.service_code, p.paid_on, p.amount, p.source, p.reference"
                " FROM payments p JOIN accounts a ON a.id = p.account_id ORDER BY 1, 3, 4",
    "meters": "SELECT m.meter_id, a.number, m.service_code, m.serial, m.installed,"
              " m.initial_reading, m.removed FROM meters m"
              " JOIN accounts a ON a.id = m.account_id ORDER BY 1",
    "readings": "SELECT m.meter_id, r.taken_at, r.value, r.posted, r.source FROM readings r"
                " JOIN meters m ON m.id = r.meter_ref ORDER BY 1, 2",
}  # fmt: skip


def content(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {k: [tuple(r) for r in db.all(sql)] for k, sql in CONTENT.items()}


@pytest.fixture()
def clean(tmp_path: Path) -> Iterator[Database]:
    folder = tmp_path / "clean"
    folder.mkdir()
    db = open_database(tmp_path / "clean.db")
    for kind, path in clean_files(folder).items():
        import_file(db, kind, path)
    yield db
    db.close()


@pytest.fixture()
def messy(tmp_path: Path, db_target: Path | str) -> Iterator[tuple[Database, Path]]:
    folder = tmp_path / "messy"
    folder.mkdir()
    messy_files(folder)
    db = open_database(db_target)
    yield db, folder
    db.close()


def test_the_clean_files_hold_what_the_data_says(clean: Database) -> None:
    got = content(clean)
    assert len(got["accounts"]) == 10 and got["accounts"][0][0] == "0007001"
    assert len(got["accruals"]) == len(ACCRUALS) and {a for *_, a in got["accruals"]} == set(AMOUNTS)
    assert got["balances"][1] == ("0007002", 1, -223451)


def test_messy_files_load_as_the_clean_ones(clean: Database,
                                            messy: tuple[Database, Path], tmp_path: Path) -> None:
    db, folder = messy
    # each file's preview finds its table at once
    for path in sorted(folder.iterdir()):
        p = inspect(path)
        assert p.ok, (path.name, p.errors)
    outcomes = load_files(db, sorted(folder.iterdir()))
    for o in outcomes:
        assert o.result is not None, (o.path.name, o.lines)
    notes = {o.path.name: o.result.notes for o in outcomes if o.result is not None}
    assert notes["Сальдо на 01.09.2026.csv"] == (
        "лицевые счета без ведущих нулей: 8 строк (например, 7001 → 0007001)",
        "строка 14 «Итого» — итоговая: она и строки ниже не загружены")
    assert notes["Лицевые счета.xlsx"] == (
        "строка 15 «Всего лицевых счетов: 10» — итоговая: она и строки ниже не загружены",)
    sheets = {o.path.name: (o.result.sheet, o.result.header_row) for o in outcomes if o.result}
    assert sheets["Лицевые счета.xlsx"] == ("Лицевые счета", 3)
    assert sheets["Начисления.xlsx"] == ("Начисления", 2)
    assert sheets["Поставщики.csv"] == (None, 3)
    assert content(db) == content(clean)

    # the same registries, byte for byte
    for coding in ("ACCOUNT", "GOROD"):
        for kind in ("services", "debts", "meters"):
            made = []
            for name, base in (("clean", clean), ("messy", db)):
                tree = ExchangeTree(tmp_path / f"x-{name}-{coding}-{kind}")
                r = generate(base, tree, kind, coding, date(2026, 11, 5), 202610)
                made.append(r.file.read_bytes())
            assert made[0] == made[1], (coding, kind)
            assert len(made[0]) > 200


def test_messy_files_again_change_nothing(messy: tuple[Database, Path]) -> None:
    db, folder = messy
    load_files(db, sorted(folder.iterdir()))
    before = content(db)
    again = load_files(db, sorted(folder.iterdir()))
    assert all(o.result is not None and o.result.inserted == 0 for o in again
               if o.kind != "payments" or o.result is None) and content(db) == before
