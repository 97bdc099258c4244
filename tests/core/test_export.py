"""Export of payments and readings accepted from «Мои счета» (spec/import.md "Export")."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from trayapp.core.db import Database, billing, open_database
from trayapp.core.exporter import ExportResult, export
from trayapp.core.importer import import_rows
from trayapp.errors import AppError

NOW = datetime(2026, 11, 27, 10, 15, 0)
# the spec's header lines exactly (import.md, «Export»): Russian by default
PAY_HEADER = "Номер документа;Файл реестра;Номер платежа;Дата оплаты;Лицевой счёт;Код услуги;Сумма;Период".split(";")
READ_HEADER = ("Номер документа;Лицевой счёт;Код счётчика;Заводской номер;Дата показания;Показание;"
               "Меньше предыдущего;Проведено").split(";")
PAY_HEADER_EN = "document_number;registry_file;payment_id;paid_at;account;service_code;amount;period".split(";")
READ_HEADER_EN = "document_number;account;meter_id;serial;taken_at;value;below_previous;posted".split(";")


@pytest.fixture()
def db(db_target: Path | str) -> Iterator[Database]:
    d = open_database(db_target)
    import_rows(d, "org", ["inn", "name"], [["5401000001", "ТСЖ «Берёзка»"]])
    import_rows(d, "services", ["code", "name", "metered"], [["1", "Содержание", "0"],
                                                              ["3", "ХВС", "1"],
                                                              ["4", "Водоотведение", "0"]])
    import_rows(d, "accounts", ["account", "full_name", "street", "house"],
                [["8030001", "Иванов И. И.", "ул. Титова", "12"],
                 ["8030002", "Петров П. П.", "ул. Титова", "12"]])
    import_rows(d, "meters", ["meter_id", "account", "service_code", "serial", "installed",
                              "initial_reading"],
                [["17", "8030001", "3", "ХВ-1;2", "01.03.2021", "10"]])
    # an imported payment and reading: never exported
    import_rows(d, "payments", ["account", "service_code", "paid_on", "amount", "source"],
                [["8030001", "1", "01.10.2026", "5", "касса"]])
    import_rows(d, "readings", ["meter_id", "taken_on", "value"], [["17", "25.09.2026", "11"]])
    yield d
    d.close()


def accept_payments(db: Database, file_name: str, number: str, rows: list[tuple[
        str | None, str, str, int | None, int]]) -> None:
    """A «Реестр "Мои счета"» document with one «Платёж из БС» per payment, as accept does."""
    with db.transaction():
        reg = billing.add_document(db, journal="receipts", kind="registry", number=number,
                                   doc_date="2026-11-06", posted=True, file_name=file_name)
        first_share = 0
        for i, (pid, paid_at, account, code, amount) in enumerate(rows, 1):
            doc = billing.add_document(db, journal="receipts", kind="payment",
                                       number=f"{int(number) + i:06d}", doc_date=paid_at[:10],
                                       parent_id=reg, posted=True)
            row_id = billing.add_accepted_payment(
                db, document_id=doc, payment_id=pid, paid_at=paid_at, account=account,
                service_code=code, amount=amount, period=202610,
                share_of=None if pid else first_share)
            if pid:
                first_share = row_id


def accept_readings(db: Database, number: str, rows: list[tuple[str, str, int, bool]]) -> None:
    with db.transaction():
        doc = billing.add_document(db, journal="accruals", kind="readings", number=number,
                                   doc_date="2026-11-06", comment="Принято из 'Мои счета'",
                                   file_name=f"Readings_{number}.txt")
        for rid, taken_at, value, below in rows:
            billing.add_accepted_reading(db, document_id=doc, reading_id=rid, meter_id="17",
                                         taken_at=taken_at, value=value, below_previous=below)


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_payments_csv_with_bom_and_the_spec_columns(db: Database, tmp_path: Path) -> None:
    accept_payments(db, "Payments_20261106_001.txt", "000001", [
        ("a-1", "2026-11-05 19:44:02", "8030001", 1, 100000),
        ("a-2", "2026-11-06 08:10:59", "8030002", None, 5500),
        ("a-3", "2026-11-06 08:11:00", "8030001", 3, 600),   # spread over 3 and 4
        (None, "2026-11-06 08:11:00", "8030001", 4, 401),
    ])
    result = export(db, "payments", None, False, NOW, tmp_path)
    assert result == ExportResult("payments", tmp_path / "payments_20261127_101500.csv", 4)
    assert read_csv(result.file) == [
        PAY_HEADER,
        ["000001", "Payments_20261106_001.txt", "a-1", "05.11.2026 19:44:02", "8030001", "1",
         "1000,00", "10.2026"],
        ["000001", "Payments_20261106_001.txt", "a-2", "06.11.2026 08:10:59", "8030002", "",
         "55,00", "10.2026"],
        ["000001", "Payments_20261106_001.txt", "a-3", "06.11.2026 08:11:00", "8030001", "3",
         "6,00", "10.2026"],
        ["000001", "Payments_20261106_001.txt", "a-3", "06.11.2026 08:11:00", "8030001", "4",
         "4,01", "10.2026"],
    ]
    # no temporary file left beside it
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".db"
                  and "b.db" not in p.name) == ["payments_20261127_101500.csv"]


def test_only_not_exported_before_unless_all(db: Database, tmp_path: Path) -> None:
    accept_payments(db, "Payments_20261106_001.txt", "000001",
                    [("a-1", "2026-11-05 19:44:02", "8030001", 1, 100)])
    assert export(db, "payments", Path("one.csv"), False, NOW, tmp_path).rows == 1
    again = export(db, "payments", Path("two.csv"), False, NOW, tmp_path)
    assert again == ExportResult("payments", None, 0)  # nothing new: no file
    assert not (tmp_path / "two.csv").exists()

    accept_payments(db, "Payments_20261107_001.txt", "000003",
                    [("b-1", "2026-11-07 10:00:00", "8030002", 3, 200)])
    new = export(db, "payments", Path("three.csv"), False, NOW, tmp_path)
    assert [r[2] for r in read_csv(new.file)[1:]] == ["b-1"]
    every = export(db, "payments", Path("all.csv"), True, NOW, tmp_path)
    assert [(r[0], r[1], r[2]) for r in read_csv(every.file)[1:]] == [
        ("000001", "Payments_20261106_001.txt", "a-1"),
        ("000003", "Payments_20261107_001.txt", "b-1")]
    # imported payments are the billing program's own: never exported
    assert db.scalar("SELECT exported FROM payments WHERE source = 'касса'") == 0


def test_a_failed_write_marks_nothing(db: Database, tmp_path: Path) -> None:
    accept_payments(db, "P.txt", "000001", [("a-1", "2026-11-05 19:44:02", "8030001", 1, 100)])
    with pytest.raises(AppError, match="не существует"):
        export(db, "payments", tmp_path / "missing" / "p.csv", False, NOW, tmp_path)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(AppError, match="уже есть"):
        export(db, "payments", Path("dir.csv"), False, NOW, tmp_path)
    (tmp_path / "ro").mkdir()
    os.chmod(tmp_path / "ro", 0o500)
    if not os.access(tmp_path / "ro", os.W_OK):  # root writes anyway
        with pytest.raises(AppError, match="Не удалось записать файл|ошибка|прав"):
            export(db, "payments", Path("ro/p.csv"), False, NOW, tmp_path)
    assert db.scalar("SELECT exported FROM payments WHERE payment_id = 'a-1'") == 0
    assert export(db, "payments", None, False, NOW, tmp_path).rows == 1


def test_two_exports_in_one_second_never_overwrite(db: Database, tmp_path: Path) -> None:
    """The defect: the second export (0 rows) replaced the first, whose rows were marked."""
    accept_payments(db, "P1.txt", "000001", [("a-1", "2026-11-05 19:44:02", "8030001", 1, 100)])
    first = export(db, "payments", None, False, NOW, tmp_path)
    before = first.file.read_bytes() if first.file else b""
    assert first.rows == 1
    empty = export(db, "payments", None, False, NOW, tmp_path)  # the same second, nothing new
    assert empty == ExportResult("payments", None, 0)
    accept_payments(db, "P2.txt", "000003", [("b-1", "2026-11-07 10:00:00", "8030002", 3, 200)])
    second = export(db, "payments", None, False, NOW, tmp_path)  # the same second, new rows
    assert second.file == tmp_path / "payments_20261127_101500_2.csv"
    assert first.file is not None and first.file.read_bytes() == before
    assert [r[2] for r in read_csv(first.file)[1:]] == ["a-1"]
    assert [r[2] for r in read_csv(second.file)[1:]] == ["b-1"]
    every = export(db, "payments", None, True, NOW, tmp_path)
    assert every.file == tmp_path / "payments_20261127_101500_3.csv" and every.rows == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_given_name_that_exists_is_refused(db: Database, tmp_path: Path) -> None:
    accept_payments(db, "P1.txt", "000001", [("a-1", "2026-11-05 19:44:02", "8030001", 1, 100)])
    (tmp_path / "mine.csv").write_bytes(b"the accountant's own file")
    with pytest.raises(AppError, match="уже есть"):
        export(db, "payments", Path("mine.csv"), False, NOW, tmp_path)
    assert (tmp_path / "mine.csv").read_bytes() == b"the accountant's own file"
    assert db.scalar("SELECT exported FROM payments WHERE payment_id = 'a-1'") == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_name_taken_between_the_check_and_the_write(db: Database, tmp_path: Path) -> None:
    """Names are claimed atomically: a file appearing meanwhile is not replaced."""
    from trayapp.core import tables

    accept_payments(db, "P1.txt", "000001", [("a-1", "2026-11-05 19:44:02", "8030001", 1, 100)])
    target = tmp_path / "payments_20261127_101500.csv"
    real = tables.write_csv

    def racing(path: Path, *a: object, **kw: object) -> object:
        target.write_bytes(b"written meanwhile")  # by another process, after our check
        return real(path, *a, **kw)  # type: ignore[arg-type]

    tables.write_csv = racing  # type: ignore[assignment]
    try:
        r = export(db, "payments", None, False, NOW, tmp_path)
    finally:
        tables.write_csv = real
    assert target.read_bytes() == b"written meanwhile"
    assert r.file == tmp_path / "payments_20261127_101500_2.csv" and r.rows == 1


def test_without_hard_links_a_taken_name_is_never_overwritten(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT, some network shares: no hard links, a name is reserved by an exclusive create
    instead; the earlier export and the accountant's own file stay as they were."""
    def no_link(src: object, dst: object) -> None:
        raise OSError(1, "no hard links here")

    monkeypatch.setattr(os, "link", no_link)
    accept_payments(db, "P1.txt", "000001", [("a-1", "2026-11-05 19:44:02", "8030001", 1, 100)])
    first = export(db, "payments", None, False, NOW, tmp_path)
    assert first.file == tmp_path / "payments_20261127_101500.csv"
    before = first.file.read_bytes()
    accept_payments(db, "P2.txt", "000003", [("b-1", "2026-11-07 10:00:00", "8030002", 3, 200)])
    second = export(db, "payments", None, False, NOW, tmp_path)  # the same second
    assert second.file == tmp_path / "payments_20261127_101500_2.csv"
    assert first.file.read_bytes() == before
    assert [r[2] for r in read_csv(second.file)[1:]] == ["b-1"]
    (tmp_path / "mine.csv").write_bytes(b"the accountant's own file")
    with pytest.raises(AppError, match="уже есть"):
        export(db, "payments", Path("mine.csv"), True, NOW, tmp_path)
    assert (tmp_path / "mine.csv").read_bytes() == b"the accountant's own file"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_readings_csv(db: Database, tmp_path: Path) -> None:
    accept_readings(db, "000002", [("r-1", "2026-11-05 09:00:00", 115500, False),
                                   ("r-2", "2026-11-05 10:00:00", 9000, True)])
    result = export(db, "readings", Path("r.csv"), False, NOW, tmp_path)
    assert read_csv(result.file) == [
        READ_HEADER,
        ["000002", "8030001", "17", "ХВ-1;2", "05.11.2026 09:00:00", "115,500", "0", "0"],
        ["000002", "8030001", "17", "ХВ-1;2", "05.11.2026 10:00:00", "9,000", "1", "0"],
    ]
    assert export(db, "readings", Path("r2.csv"), False, NOW, tmp_path).rows == 0
    db.execute("UPDATE readings SET posted = 1 WHERE reading_id = 'r-1'")
    rows = read_csv(export(db, "readings", Path("r3.csv"), True, NOW, tmp_path).file)
    assert [r[-1] for r in rows[1:]] == ["1", "0"]


def test_xlsx_when_the_name_ends_so(db: Database, tmp_path: Path) -> None:
    accept_payments(db, "Payments_20261106_001.txt", "000001", [
        ("a-1", "2026-11-05 19:44:02", "8030001", 1, 123456),
        ("a-2", "2026-11-06 08:10:59", "8030002", None, 5),
    ])
    result = export(db, "payments", Path("Платежи.XLSX"), False, NOW, tmp_path)
    assert result.rows == 2
    ws = openpyxl.load_workbook(result.file).worksheets[0]
    assert ws.title == "Оплаты"  # not openpyxl's «Sheet», which a new user met
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == PAY_HEADER
    assert values[1] == ["000001", "Payments_20261106_001.txt", "a-1",
                         datetime(2026, 11, 5, 19, 44, 2), "8030001", "1", 1234.56, "10.2026"]
    assert values[2][5] is None and values[2][6] == 0.05
    amount = ws.cell(row=2, column=7)
    assert amount.number_format == "0.00" and amount.data_type == "n"
    assert ws.cell(row=2, column=4).number_format == "DD.MM.YYYY HH:MM:SS"
    assert Decimal(str(values[1][6])) == Decimal("1234.56")

    accept_readings(db, "000003", [("r-1", "2026-11-05 09:00:00", 115500, True)])
    ws = openpyxl.load_workbook(
        export(db, "readings", tmp_path / "r.xlsx", False, NOW, tmp_path).file).worksheets[0]
    assert ws.title == "Показания"
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        READ_HEADER,
        ["000003", "8030001", "17", "ХВ-1;2", datetime(2026, 11, 5, 9, 0), 115.5, 1, 0]]


def test_unknown_kind(db: Database, tmp_path: Path) -> None:
    with pytest.raises(AppError, match="Неизвестный вид выгрузки: debts"):
        export(db, "debts", None, False, NOW, tmp_path)


def test_export_after_a_real_acceptance(tmp_path: Path) -> None:
    """The accept module's documents, as it writes them, export as the spec says."""
    from tests.core import registry_fixture as fx
    from tests.core.test_validate import payments_file
    from trayapp.core.accept import accept
    from trayapp.core.folders import ExchangeTree

    db = fx.build(tmp_path / "b.db")
    tree = ExchangeTree(tmp_path / "x").ensure()
    name = "Payments_20261106_001.txt"
    (tree.incoming / name).write_bytes(payments_file([
        "a-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026",
        "a-2;06.11.2026 08:10:59;1002;;55.00;10.2026",
    ]))
    accept(db, tree, name, fx.ORG[0], "GOROD", tmp_path / "reports", lambda: NOW)
    rows = read_csv(export(db, "payments", None, False, NOW, tmp_path).file)
    number = db.scalar("SELECT number FROM documents WHERE kind = 'registry'")
    assert rows[1:] == [
        [number, name, "a-1", "05.11.2026 19:44:02", "1001", "2", "1000,00", "10.2026"],
        [number, name, "a-2", "06.11.2026 08:10:59", "1002", "", "55,00", "10.2026"],
    ]
    db.close()


def test_the_old_english_header_on_request(db: Database, tmp_path: Path) -> None:
    """Issue 15: the Russian header is the default; ``--header en`` writes the old one."""
    accept_payments(db, "Payments_20261106_001.txt", "000001", [
        ("a-1", "2026-11-05 19:44:02", "8030001", 1, 100000)])
    accept_readings(db, "000002", [("r-1", "2026-11-05 09:00:00", 115500, False)])
    assert read_csv(export(db, "payments", Path("p.csv"), True, NOW, tmp_path, "en").file)[0] == (
        PAY_HEADER_EN)
    assert read_csv(export(db, "readings", Path("r.csv"), True, NOW, tmp_path, "en").file)[0] == (
        READ_HEADER_EN)
    with pytest.raises(AppError, match="Неизвестный заголовок выгрузки: de"):
        export(db, "payments", Path("x.csv"), True, NOW, tmp_path, "de")
