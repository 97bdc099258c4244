"""Import of table files (spec/import.md): CSV and .xlsx, every kind, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from trayapp.core import importer
from trayapp.core.db import Database, open_database
from trayapp.core.import_columns import described
from trayapp.core.import_values import PERIOD_FORMS
from trayapp.core.importer import KINDS, ImportResult, import_file, import_rows
from trayapp.errors import AppError, ImportFileError

ORG = "inn;name;kpp;bank_account;bik;address\n5401000001;ТСЖ «Берёзка»;540101001;40703810000000000001;045004774;г. Новосибирск\n"
PROVIDERS = (
    "inn;name;bank_account;bik\n"
    "5401000002;АО «Теплосеть»;40702810000000000008;045004774\n"
    '5401000003;"МУП ""Горводоканал""";40702810000000000007;045004774\n'
)
SERVICES = (
    "code;name;unit;gorod_code;sber_code;provider_inn;metered\n"
    "1;Содержание жилья;м2;101;11;;0\n"
    "2;Отопление;Гкал;102;;5401000002;0\n"
    "3;Холодная вода;м3;;13;5401000003;1\n"
)
ACCOUNTS = (
    "account;full_name;settlement;street;house;premise;premise_kind;area;opened;closed\n"
    "8030001;Иванов Иван Иванович;г. Новосибирск;ул. Титова;12;1;квартира;54,3;01.02.2015;\n"
    "8030002;Петрова Анна Сергеевна;;ул. Титова;12;2;;40.5;;\n"
    "8030003;ООО «Аптека»;г. Новосибирск;ул. Титова;12;Н1;нежилое;120;;\n"
    "8030004;Сидоров Пётр;г. Новосибирск;ул. Титова;12;К1;storage;;;\n"
    "8030005;Козлов Олег;г. Новосибирск;ул. Титова;12;ММ1;машиноместо;;01.01.2020;31.07.2026\n"
)


def write(path: Path, text: str, encoding: str = "cp1251", bom: bool = False) -> Path:
    data = text.replace("\n", "\r\n").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def load(db: Database, tmp: Path, kind: str, text: str, **kw: Any) -> ImportResult:
    return import_file(db, kind, write(tmp / f"{kind}.csv", text, **kw))


@pytest.fixture()
def db(db_target: Path | str) -> Iterator[Database]:
    d = open_database(db_target)
    yield d
    d.close()


@pytest.fixture()
def base(db: Database, tmp_path: Path) -> Database:
    for kind, text in (("org", ORG), ("providers", PROVIDERS), ("services", SERVICES),
                       ("accounts", ACCOUNTS)):
        load(db, tmp_path, kind, text)
    return db


def rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.all(sql)]


def failure(db: Database, path: Path, kind: str) -> ImportFileError:
    with pytest.raises(ImportFileError) as info:
        import_file(db, kind, path)
    return info.value


# ----------------------------------------------------------------------------- every kind


def test_kinds_are_the_spec_tables() -> None:
    assert KINDS == ("org", "providers", "services", "accounts", "balances", "accruals",
                     "payments", "meters", "readings")


def test_every_kind_from_cp1251_semicolon_csv(db: Database, tmp_path: Path) -> None:
    assert load(db, tmp_path, "org", ORG) == ImportResult("org", tmp_path / "org.csv", 1, 1, 0)
    assert load(db, tmp_path, "providers", PROVIDERS).inserted == 2
    assert load(db, tmp_path, "services", SERVICES).inserted == 3
    assert load(db, tmp_path, "accounts", ACCOUNTS).rows == 5
    load(db, tmp_path, "balances", "account;service_code;amount\n8030001;1;-150,25\n8030002;3;10\n")
    load(db, tmp_path, "accruals", "account;service_code;period;amount\n"
         "8030001;1;10.2026;1759,38\n8030001;2;10.2026;2 100,00\n")
    load(db, tmp_path, "payments", "account;service_code;paid_on;amount;source;reference\n"
         "8030001;1;05.10.2026;100,00;Сбербанк;SB-1\n8030002;;06.10.2026;55;касса;\n")
    load(db, tmp_path, "meters", "meter_id;account;service_code;serial;installed;initial_reading;removed\n"
         "17;8030001;3;ХВ-0001;01.03.2021;10,5;\n18;8030001;3;ХВ-0002;01.03.2020;0;01.03.2021\n")
    load(db, tmp_path, "readings", "meter_id;taken_on;value\n17;25.10.2026;115,125\n")

    assert rows(db, "SELECT * FROM org") == [
        (1, "5401000001", "ТСЖ «Берёзка»", "540101001", "40703810000000000001", "045004774",
         "г. Новосибирск")]
    assert rows(db, "SELECT inn, name FROM providers ORDER BY inn")[1] == (
        "5401000003", 'МУП "Горводоканал"')
    assert rows(db, "SELECT s.code, s.gorod_code, s.sber_code, p.inn, s.metered FROM services s"
                    " LEFT JOIN providers p ON p.id = s.provider_id ORDER BY code") == [
        (1, "101", "11", None, 0), (2, "102", None, "5401000002", 0),
        (3, None, "13", "5401000003", 1)]
    assert rows(db, "SELECT number, settlement, premise, premise_kind, area, opened, closed"
                    " FROM accounts ORDER BY number") == [
        ("8030001", "г. Новосибирск", "1", "apartment", "54.3", "2015-02-01", None),
        ("8030002", "", "2", "apartment", "40.5", None, None),
        ("8030003", "г. Новосибирск", "Н1", "commercial", "120", None, None),
        ("8030004", "г. Новосибирск", "К1", "storage", None, None, None),
        ("8030005", "г. Новосибирск", "ММ1", "parking", None, "2020-01-01", "2026-07-31")]
    assert rows(db, "SELECT service_code, amount FROM balances ORDER BY service_code") == [
        (1, -15025), (3, 1000)]
    assert rows(db, "SELECT service_code, period, amount FROM accruals ORDER BY service_code") == [
        (1, 202610, 175938), (2, 202610, 210000)]
    assert rows(db, "SELECT service_code, paid_on, amount, source, reference, payment_id"
                    " FROM payments ORDER BY id") == [
        (1, "2026-10-05", 10000, "Сбербанк", "SB-1", None),
        (None, "2026-10-06", 5500, "касса", None, None)]
    assert rows(db, "SELECT meter_id, serial, installed, initial_reading, removed FROM meters"
                    " ORDER BY meter_id") == [
        ("17", "ХВ-0001", "2021-03-01", 10500, None),
        ("18", "ХВ-0002", "2020-03-01", 0, "2021-03-01")]
    assert rows(db, "SELECT m.meter_id, r.taken_at, r.value, r.posted, r.source FROM readings r"
                    " JOIN meters m ON m.id = r.meter_ref") == [
        ("17", "2026-10-25 00:00:00", 115125, 1, "import")]


def test_comma_delimiter_utf8_bom_and_excel_quoting(db: Database, tmp_path: Path) -> None:
    text = (
        "account,full_name,street,house,premise\n"
        '8030001,"Иванов; Иван, ""Ваня""",ул. Титова,"12, корп. 1",1\n'
        '8030002,"Петров\nПётр",ул. Титова,12,2\n'
    )
    r = load(db, tmp_path, "accounts", text, encoding="utf-8", bom=True)
    assert (r.rows, r.inserted) == (2, 2)
    assert rows(db, "SELECT full_name, house FROM accounts ORDER BY number") == [
        ('Иванов; Иван, "Ваня"', "12, корп. 1"), ("Петров\r\nПётр", "12")]


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("cp1251", False)])
@pytest.mark.parametrize("sep", [";", ","])
def test_encodings_and_delimiters_detected(
    db: Database, tmp_path: Path, encoding: str, bom: bool, sep: str
) -> None:
    text = f"account{sep}full_name{sep}street{sep}house\n8030001{sep}Ёлкина Юлия{sep}ул. Щорса{sep}5\n"
    load(db, tmp_path, "accounts", text, encoding=encoding, bom=bom)
    assert rows(db, "SELECT full_name, street FROM accounts") == [("Ёлкина Юлия", "ул. Щорса")]


def test_loose_amounts_as_excel_writes_them(base: Database, tmp_path: Path) -> None:
    amounts = ["1 234,50", "1\u00a0234,5", "1\u202f000", "-5,5", "12", "0,07", " 7.10 ", "-1 000 000,01"]
    text = "account;service_code;period;amount\n" + "".join(
        f"8030001;1;{m:02d}.2026;{a}\n" for m, a in enumerate(amounts, 1))
    # UTF-8 without a Cyrillic letter is cp1251 by the rule (formats.md): with its BOM
    load(base, tmp_path, "accruals", text, encoding="utf-8", bom=True)
    assert [a for (a,) in base.all("SELECT amount FROM accruals ORDER BY period")] == [
        123450, 123450, 100000, -550, 1200, 7, 710, -100000001]


def test_header_case_order_and_extra_columns(base: Database, tmp_path: Path) -> None:
    text = "Amount;PERIOD;Примечание;Service_Code; Account \n10,00;10.2026;что-то;2;8030002\n"
    load(base, tmp_path, "accruals", text)
    assert rows(base, "SELECT a.number, c.service_code, c.period, c.amount FROM accruals c"
                      " JOIN accounts a ON a.id = c.account_id") == [("8030002", 2, 202610, 1000)]


def test_blank_lines_and_empty_excel_rows_are_skipped(base: Database, tmp_path: Path) -> None:
    text = "account;service_code;amount\n\n8030001;1;5\n;;\n  ;;\n8030002;1;6\n;;\n\n"
    r = load(base, tmp_path, "balances", text)
    assert (r.rows, r.inserted, r.updated) == (2, 2, 0)


# ----------------------------------------------------------------------------- all or nothing


def test_missing_required_columns_one_error_each(base: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "account;amount;extra\n8030001;5;x\n")
    err = failure(base, path, "accruals")
    assert err.errors == [(1, "нет столбца «Код услуги» (или «Услуга»)"),
                          (1, "нет столбца «Период» (или «Месяц»)")]
    assert err.file == "a.csv"
    assert base.scalar("SELECT COUNT(*) FROM accruals") == 0


def test_every_bad_row_listed_with_its_line_and_nothing_written(
    base: Database, tmp_path: Path
) -> None:
    load(base, tmp_path, "accruals", "account;service_code;period;amount\n8030001;1;09.2026;1,00\n")
    text = (
        "account;service_code;period;amount;note\n"          # 1
        "8030001;1;10.2026;100,00;ok\n"                       # 2 good
        "8039999;1;10.2026;100,00;\n"                         # 3 unknown account
        "8030001;77;10.2026;100,00;\n"                        # 4 unknown service
        '8030001;1;13.2026;1,2,3;"two\nlines"\n'              # 5-6 bad period, bad amount
        "8030001;;10.2026;;\n"                                # 7 two empty fields
        "8030002;2;10.2026;5\n"                               # 8 good
        "8030002;abc;2026-13;1e3\n"                           # 9 three errors
        "8030001;1;09.2026;999,00\n"                          # 10 good (an update)
    )
    err = failure(base, write(tmp_path / "acc.csv", text), "accruals")
    assert err.errors == [
        (3, "неизв.лиц.счёт: 8039999"),
        (4, "неизв.услуга: 77"),
        (5, f"неверный период: 13.2026 (ожидается {PERIOD_FORMS})"),
        (5, "неверная сумма: 1,2,3"),
        (7, "пустое поле: «Код услуги»"),
        (7, "пустое поле: «Сумма»"),
        (9, "неизв.услуга: abc"),
        (9, f"неверный период: 2026-13 (ожидается {PERIOD_FORMS})"),
        (9, "неверная сумма: 1e3"),
    ]
    assert "строка: 3, неизв.лиц.счёт: 8039999" in err.message
    assert "не загружен" in err.message
    # nothing of the good rows either: the update of line 10 was rolled back
    assert rows(base, "SELECT period, amount FROM accruals") == [(202609, 100)]


def test_at_most_100_errors_shown_with_the_total(base: Database, tmp_path: Path) -> None:
    text = "account;service_code;amount\n" + "".join(f"{9000000 + i};1;1\n" for i in range(150))
    err = failure(base, write(tmp_path / "b.csv", text), "balances")
    assert len(err.errors) == 100
    assert err.errors[0] == (2, "неизв.лиц.счёт: 9000000")
    assert err.errors[-1] == (101, "неизв.лиц.счёт: 9000099")
    assert err.message.endswith("... и ещё 50")


def test_unknown_references_of_each_kind(base: Database, tmp_path: Path) -> None:
    err = failure(base, write(tmp_path / "s.csv", "code;name;provider_inn\n9;Лифт;7700000000\n"),
                  "services")
    assert err.errors == [(2, "неизв.поставщик: 7700000000")]
    err = failure(base, write(tmp_path / "m.csv",
                              "meter_id;account;service_code;serial;installed;initial_reading\n"
                              "1;8030001;3;X;01.01.2020;0\n2;1111;3;X;01.01.2020;0\n"
                              "3;8030001;8;X;01.01.2020;0\n"), "meters")
    assert err.errors == [(3, "неизв.лиц.счёт: 1111"), (4, "неизв.услуга: 8")]
    err = failure(base, write(tmp_path / "r.csv", "meter_id;taken_on;value\n1;01.10.2026;5\n"),
                  "readings")
    assert err.errors == [(2, "неизв.счётчик: 1")]
    err = failure(base, write(tmp_path / "p.csv",
                              "account;service_code;paid_on;amount\n8030001;4;01.10.2026;5\n"),
                  "payments")
    assert err.errors == [(2, "неизв.услуга: 4")]
    assert base.scalar("SELECT COUNT(*) FROM meters") == 0


def test_values_not_of_their_form(base: Database, tmp_path: Path) -> None:
    err = failure(base, write(tmp_path / "a.csv",
                              "account;full_name;street;house;premise_kind;area;opened;closed\n"
                              "80 30;Х;ул;1;;;;\n"
                              "8030009;Х;ул;1;дворец;-5;31.02.2026;\n"
                              "8030010;Х;ул;1;;;01.02.2026;01.01.2026\n"), "accounts")
    assert err.errors == [
        (2, "неверный лиц.счёт: 80 30"),
        (3, "неверный вид помещения: дворец"),
        (3, "неверная площадь: -5"),
        (3, "неверная дата: 31.02.2026"),
        (4, "неверная дата: 01.01.2026"),
    ]
    err = failure(base, write(tmp_path / "o.csv",
                              "inn;name;kpp;bank_account;bik\n12345;Х;1;2;3\n"), "org")
    assert err.errors == [(2, "неверный ИНН: 12345"), (2, "неверный КПП: 1"),
                          (2, "неверный р/с: 2"), (2, "неверный БИК: 3")]
    err = failure(base, write(tmp_path / "s.csv", "code;name;metered\n0;Х;1\n5;Y;да\n"),
                  "services")
    assert err.errors == [(2, "неверный код услуги: 0"), (3, "неверный признак: да")]
    err = failure(base, write(tmp_path / "m.csv",
                              "meter_id;account;service_code;serial;installed;initial_reading\n"
                              "a b;8030001;3;X;01.01.2020;-1\n"), "meters")
    assert err.errors == [(2, "неверный ид.: a b"), (2, "неверное показание: -1")]


def test_org_is_one_row(db: Database, tmp_path: Path) -> None:
    err = failure(db, write(tmp_path / "o.csv", ORG + "5401000002;Другое\n"), "org")
    assert err.errors == [(3, "лишняя строка: организация одна")]
    err = failure(db, write(tmp_path / "o.csv", "inn;name\n"), "org")
    assert err.errors == [(2, "нет строки с данными организации")]
    load(db, tmp_path, "org", ORG)
    r = load(db, tmp_path, "org", "inn;name\n5401000009;ТСЖ «Новое имя»\n")
    assert (r.inserted, r.updated) == (0, 1)
    assert rows(db, "SELECT id, inn, name, kpp FROM org") == [
        (1, "5401000009", "ТСЖ «Новое имя»", None)]


def test_undecodable_cp1251_byte_is_an_error_of_its_line(base: Database, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("account;full_name;street;house\r\n8030001;Иванов;ул;1\r\n".encode("cp1251")
                     + b"8030002;\x98;ul;1\r\n")
    assert failure(base, path, "accounts").errors == [(3, "неверная кодировка")]


def test_broken_csv_quote_is_reported(base: Database, tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", 'account;service_code;amount\n8030001;1;"5\n' + "x" * 140_000)
    err = failure(base, path, "balances")
    assert err.errors[0][1] == "строка не читается как CSV (незакрытая кавычка?)"


# ----------------------------------------------------------------------------- re-import


def test_reimport_updates_in_place(base: Database, tmp_path: Path) -> None:
    first = "account;service_code;period;amount\n" + "".join(
        f"803000{a};{s};10.2026;{a}{s},00\n" for a in (1, 2) for s in (1, 2, 3))
    r = load(base, tmp_path, "accruals", first)
    assert (r.rows, r.inserted, r.updated) == (6, 6, 0)
    again = ("account;service_code;period;amount\n8030001;1;10.2026;999,99\n"
             "8030002;3;10.2026;23,00\n8030002;3;11.2026;1,00\n")
    r = load(base, tmp_path, "accruals", again)
    # 8030002/3/10.2026 was 23,00 already: neither new nor changed
    assert (r.rows, r.inserted, r.updated, r.unchanged) == (3, 1, 1, 1)
    assert base.scalar("SELECT COUNT(*) FROM accruals") == 7
    assert base.scalar("SELECT amount FROM accruals WHERE service_code = 1 AND period = 202610"
                       " AND account_id = (SELECT id FROM accounts WHERE number = '8030001')") == 99999


def test_reimport_of_every_keyed_kind(base: Database, tmp_path: Path) -> None:
    r = load(base, tmp_path, "accounts", "account;full_name;street;house;premise_kind\n"
             "8030001;Новый Владелец;ул. Титова;12;commercial\n8030006;Ещё;ул;1;\n")
    assert (r.inserted, r.updated) == (1, 1)
    assert base.scalar("SELECT full_name || premise_kind FROM accounts WHERE number = '8030001'") \
        == "Новый Владелецcommercial"
    # the account keeps its id: references stay valid
    assert base.scalar("SELECT id FROM accounts WHERE number = '8030001'") == 1

    bal = "account;service_code;amount\n8030001;1;5\n"
    load(base, tmp_path, "balances", bal)
    r = load(base, tmp_path, "balances", bal.replace(";5", ";7"))
    assert (r.inserted, r.updated) == (0, 1)
    assert base.scalar("SELECT amount FROM balances") == 700

    pays = ("account;service_code;paid_on;amount;source;reference\n"
            "8030001;1;05.10.2026;100;Сбербанк;R1\n"
            "8030001;;05.10.2026;100;касса;\n"
            "8030001;;05.10.2026;100;Город;\n")
    assert load(base, tmp_path, "payments", pays).inserted == 3
    changed = pays.replace("100;Сбербанк", "150;Сбербанк")
    r = load(base, tmp_path, "payments", changed)
    assert (r.rows, r.inserted, r.updated, r.unchanged) == (3, 0, 1, 2)
    assert base.scalar("SELECT COUNT(*) FROM payments") == 3
    assert base.scalar("SELECT amount FROM payments WHERE reference = 'R1'") == 15000
    # without a reference the key is every field: another amount is another payment
    r = load(base, tmp_path, "payments", pays.replace(";100;касса", ";101;касса"))
    assert (r.inserted, r.updated, r.unchanged) == (1, 1, 1)  # R1 back to 100; Город as it was

    meters = ("meter_id;account;service_code;serial;installed;initial_reading;removed\n"
              "17;8030001;3;A;01.01.2020;1;\n")
    load(base, tmp_path, "meters", meters)
    r = load(base, tmp_path, "meters", meters.replace(";1;\n", ";1;15.10.2026\n"))
    assert (r.inserted, r.updated) == (0, 1)
    assert base.scalar("SELECT removed FROM meters") == "2026-10-15"

    load(base, tmp_path, "readings", "meter_id;taken_on;value\n17;25.10.2026;5\n")
    r = load(base, tmp_path, "readings", "meter_id;taken_on;value\n17;25.10.2026;6\n17;25.09.2026;4\n")
    assert (r.inserted, r.updated) == (1, 1)
    assert rows(base, "SELECT taken_at, value, posted FROM readings ORDER BY taken_at") == [
        ("2026-09-25 00:00:00", 4000, 1), ("2026-10-25 00:00:00", 6000, 1)]


def test_reimport_of_unchanged_rows_counts_nothing_changed(base: Database, tmp_path: Path) -> None:
    """The defect: re-importing the same 432 rows said «обновлено 432»."""
    text = "account;service_code;period;amount\n" + "".join(
        f"8030002;{s};{m:02d}.2026;{m}{s},50\n" for s in (1, 2, 3) for m in range(1, 13))
    assert load(base, tmp_path, "accruals", text).inserted == 36
    for kind, table in (("accruals", text), ("accounts", ACCOUNTS), ("services", SERVICES)):
        r = load(base, tmp_path, kind, table)
        assert (r.inserted, r.updated, r.unchanged) == (0, 0, r.rows), kind
    r = load(base, tmp_path, "accruals", text.replace("8030002;2;05.2026;52,50",
                                                      "8030002;2;05.2026;52,51"))
    assert (r.inserted, r.updated, r.unchanged) == (0, 1, 35)


def test_duplicate_key_within_one_file_counts_as_update(base: Database, tmp_path: Path) -> None:
    r = load(base, tmp_path, "balances", "account;service_code;amount\n8030001;1;5\n8030001;1;6\n")
    assert (r.rows, r.inserted, r.updated) == (2, 1, 1)
    assert base.scalar("SELECT amount FROM balances") == 600


def test_fast_and_full_paths_agree(base: Database, tmp_path: Path) -> None:
    """Accruals from a CSV take the fast path; the same rows through import_rows do not."""
    odd = [("8030001", "1", "10.2026", "5"), (" 8030001 ", "002", "10.2026 ", " 1 234,50"),
           ("8030002", "3", "09.2026", "0,5"), ("8030002", "3", "08.2026", "-3,00"),
           ("8030003", "1", "10.2026", "12.3"), ("8030003", "2", "10.2026", "1234,56")]
    text = "account;service_code;period;amount\n" + "".join(";".join(r) + "\n" for r in odd)
    load(base, tmp_path, "accruals", text)
    fast = rows(base, "SELECT * FROM accruals ORDER BY 1, 2, 3")
    base.execute("DELETE FROM accruals")
    import_rows(base, "accruals", ["account", "service_code", "period", "amount"], odd)
    assert rows(base, "SELECT * FROM accruals ORDER BY 1, 2, 3") == fast
    assert [r[3] for r in fast] == [500, 123450, -300, 50, 1230, 123456]


# ----------------------------------------------------------------------------- xlsx


def xlsx(path: Path, header: list[str], data: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in data:
        ws.append(row)
    wb.create_sheet("second").append(["ignored"])
    wb.save(path)
    return path


def test_xlsx_with_date_and_number_cells(base: Database, tmp_path: Path) -> None:
    import_file(base, "accounts", xlsx(tmp_path / "a.xlsx",
        ["Account", "full_name", "street", "house", "premise", "area", "opened"],
        [[8030007, "Орлов Олег", "ул. Титова", 12, 7, 54.3, datetime(2015, 2, 1)],
         ["8030008", "Орлова Ольга", "ул. Титова", "12", "8", 61, None]]))
    assert rows(base, "SELECT number, house, premise, area, opened FROM accounts"
                      " WHERE number IN ('8030007', '8030008') ORDER BY number") == [
        ("8030007", "12", "7", "54.3", "2015-02-01"), ("8030008", "12", "8", "61", None)]

    r = import_file(base, "accruals", xlsx(tmp_path / "c.xlsx",
        ["account", "service_code", "period", "amount"],
        [[8030001, 1, datetime(2026, 10, 1), 1234.5],
         [8030001, 2, "09.2026", 100],
         [8030001, 3, "08.2026", 0.1 + 0.2],
         [None, None, None, None],
         [8030002, 1, "10.2026", "1 234,56"]]))
    assert (r.rows, r.inserted) == (4, 4)
    assert rows(base, "SELECT service_code, period, amount FROM accruals"
                      " WHERE account_id = 1 ORDER BY 1") == [
        (1, 202610, 123450), (2, 202609, 10000), (3, 202608, 30)]

    import_file(base, "meters", xlsx(tmp_path / "m.xlsx",
        ["meter_id", "account", "service_code", "serial", "installed", "initial_reading"],
        [[17, 8030001, 3, "ХВ-1", datetime(2021, 3, 1), 10.125]]))
    import_file(base, "readings", xlsx(tmp_path / "r.xlsx", ["meter_id", "taken_on", "value"],
        [[17, datetime(2026, 10, 25), 115.5], ["17", "25.09.2026", 110]]))
    assert rows(base, "SELECT initial_reading FROM meters") == [(10125,)]
    assert rows(base, "SELECT taken_at, value FROM readings ORDER BY taken_at") == [
        ("2026-09-25 00:00:00", 110000), ("2026-10-25 00:00:00", 115500)]


def test_xlsx_bad_cells_reported_by_sheet_row(base: Database, tmp_path: Path) -> None:
    path = xlsx(tmp_path / "c.xlsx", ["account", "service_code", "period", "amount"],
                [[8030001, 1, "10.2026", 12.345],
                 [None, None, None, None],
                 [8030001, 1, datetime(2026, 10, 5), "1,2,3"],  # a date: its month
                 [8030001, 1, "10.2026", True]])
    err = failure(base, path, "accruals")
    assert err.errors == [(2, "неверная сумма: 12.345"), (4, "неверная сумма: 1,2,3"),
                          (5, "неверная сумма: 1")]
    path = xlsx(tmp_path / "r.xlsx", ["meter_id", "taken_on", "value"],
                [[17, datetime(2026, 10, 25, 10, 30), 1]])
    import_file(base, "meters", xlsx(tmp_path / "m.xlsx",
        ["meter_id", "account", "service_code", "serial", "installed", "initial_reading"],
        [[17, 8030001, 3, "ХВ-1", datetime(2021, 3, 1), 0]]))
    assert failure(base, path, "readings").errors == [(2, "неверная дата: 25.10.2026 10:30:00")]


@pytest.mark.parametrize("value,places,expected", [
    (1234.5, 2, 123450), (0.1 + 0.2, 2, 30), (12.345, 2, None), (1e-10, 2, 0),
    (2.675, 2, None), (0.125, 2, None), (115.5, 3, 115500), (0.0005, 3, None),
    (float("inf"), 2, None), (float("nan"), 2, None), (-7.1, 2, -710),
])
def test_float_cells_to_units(value: float, places: int, expected: int | None) -> None:
    assert importer.float_units(value, places) == expected


# ----------------------------------------------------------------------------- the file itself


def test_file_level_problems_are_app_errors(db: Database, tmp_path: Path) -> None:
    with pytest.raises(AppError, match="Неизвестный вид таблицы: debts"):
        import_file(db, "debts", tmp_path / "x.csv")
    with pytest.raises(AppError, match=r"ожидается таблица \.csv или \.xlsx"):
        import_file(db, "accounts", write(tmp_path / "a.txt", "account\n"))
    with pytest.raises(AppError, match="не найден"):
        import_file(db, "accounts", tmp_path / "nope.csv")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(AppError, match="не читается как таблица Excel"):
        import_file(db, "accounts", tmp_path / "bad.xlsx")
    (tmp_path / "empty.csv").write_bytes(b"")
    err = failure(db, tmp_path / "empty.csv", "accounts")
    assert err.errors == [(0, "в файле нет строк")]


def test_amounts_from_csv_agree_with_values_parser(base: Database, tmp_path: Path) -> None:
    """The accruals fast path and the full check read every amount as values.py does."""
    import random

    from trayapp.core import values

    rng = random.Random(7)
    alphabet = "0123456789" * 3 + ".,- \u00a0+_e١"
    texts = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
                    for _ in range(3000)} | {"0", "00,50", "1,2", "12,", ",5", "-0", "1_000"})
    good = [t for t in texts if values.parse_loose_amount(t.strip()) is not None]
    bad = [t for t in texts if t.strip() and values.parse_loose_amount(t.strip()) is None]
    assert len(good) > 300 and len(bad) > 300

    def csv_of(amounts: list[str]) -> str:
        return "account;service_code;period;amount\n" + "".join(
            f'8030002;1;{i % 12 + 1:02d}.{1900 + i // 12};"{a}"\n' for i, a in enumerate(amounts))

    load(base, tmp_path, "accruals", csv_of(good), encoding="utf-8", bom=True)
    stored = [a for (a,) in base.all("SELECT amount FROM accruals ORDER BY period")]
    assert stored == [values.parse_loose_amount(t.strip()) for t in good]

    unique = list({t.strip(): t for t in bad}.values())[:100]  # each cause is told once
    err = failure(base, write(tmp_path / "bad.csv", csv_of(unique), encoding="utf-8",
                              bom=True), "accruals")
    assert err.errors == [(i + 2, f"неверная сумма: {t.strip()}") for i, t in enumerate(unique)]


# ----------------------------------------------------------------------------- refusals (issue 9)


def test_zero_and_unexplained_negative_payments_are_refused(base: Database, tmp_path: Path) -> None:
    head = "account;service_code;paid_on;amount;source;reference\n"
    err = failure(base, write(tmp_path / "p.csv", head + "8030001;1;05.10.2026;0;касса;R1\n"
                              "8030001;1;05.10.2026;-5,00;;R2\n"
                              "8030001;1;05.10.2026;0,00;Сбербанк;\n"), "payments")
    assert err.errors == [
        (2, "неверная сумма: 0,00 (платёж не может быть нулевым) — строки 2, 4"),
        (3, "неверная сумма: -5,00 (отрицательный платёж — только возврат, с указанием «Источник»)"),
    ]
    assert base.scalar("SELECT COUNT(*) FROM payments") == 0


def test_a_refund_is_a_negative_payment_with_a_source(base: Database, tmp_path: Path) -> None:
    r = load(base, tmp_path, "payments", "account;service_code;paid_on;amount;source;reference\n"
             "8030001;1;05.10.2026;-150,00;касса;В-17\n")
    assert r.inserted == 1
    assert rows(base, "SELECT amount, source, reference FROM payments") == [(-15000, "касса", "В-17")]


def test_a_meter_on_a_service_not_metered_is_refused(base: Database, tmp_path: Path) -> None:
    head = "meter_id;account;service_code;serial;installed;initial_reading\n"
    err = failure(base, write(tmp_path / "m.csv", head + "17;8030001;3;A;01.01.2020;1\n"
                              "18;8030001;1;B;01.01.2020;1\n"), "meters")
    assert err.errors == [(3, "услуга не по счётчику: 1")]  # 1 «Содержание жилья» is not metered


@pytest.mark.parametrize("account,period,error", [
    ("8030001", "01.2015", "начисление до открытия лицевого счёта: 01.2015"),  # opened 01.02.2015
    ("8030001", "02.2015", None),  # the month it opened
    ("8030005", "12.2019", "начисление до открытия лицевого счёта: 12.2019"),  # 01.01.2020-31.07.2026
    ("8030005", "07.2026", None),  # the month it closed
    ("8030005", "08.2026", "начисление после закрытия лицевого счёта: 08.2026"),
    ("8030002", "01.1990", None),  # no dates: any month
])
def test_an_accrual_outside_the_accounts_life_is_refused(
    base: Database, tmp_path: Path, account: str, period: str, error: str | None
) -> None:
    text = f"account;service_code;period;amount\n8030003;1;10.2026;1\n{account};1;{period};5\n"
    for encoding, bom in (("cp1251", False), ("utf-8", True)):  # the fast path and ...
        path = write(tmp_path / "a.csv", text, encoding=encoding, bom=bom)
        if error is None:
            assert import_file(base, "accruals", path).rows == 2
        else:
            assert failure(base, path, "accruals").errors == [(3, error)]
    header, *data = [line.split(";") for line in text.strip().split("\n")]
    if error is None:  # ... the full check
        assert import_rows(base, "accruals", header, data).rows == 2
    else:
        with pytest.raises(ImportFileError) as info:
            import_rows(base, "accruals", header, data)
        assert info.value.errors == [(3, error)]


def test_russian_column_names_as_the_spec_lists_them(base: Database, tmp_path: Path) -> None:
    r = load(base, tmp_path, "accruals", "Лицевой счёт;Код услуги;Период;Сумма\n8030001;1;10.2026;5\n")
    assert r.inserted == 1
    # case, spaces, dots and ё/е aside
    r = load(base, tmp_path, "accruals", "л/с;УСЛУГА;месяц; сумма \n8030002;1;10.2026;6\n")
    assert r.inserted == 1
    r = load(base, tmp_path, "services", "Код;Наименование;Ед. изм.;Код Город;Сбер;По счетчику\n"
             "7;Вывоз мусора;мес;107;S7;0\n")
    assert rows(base, "SELECT code, name, unit, gorod_code, sber_code, metered FROM services "
                "WHERE code = 7") == [(7, "Вывоз мусора", "мес", "107", "S7", 0)]
    r = load(base, tmp_path, "accounts", "ЛС;ФИО;Улица;Дом;Квартира;Вид помещения;Площадь;Открыт\n"
             "8030009;Новиков Н.Н.;ул. Титова;12;9;квартира;33,3;01.03.2024\n")
    assert rows(base, "SELECT full_name, premise, area, opened FROM accounts WHERE number = '8030009'"
                ) == [("Новиков Н.Н.", "9", "33.3", "2024-03-01")]


def test_a_column_named_twice_and_a_missing_one_say_which_names_count(
    base: Database, tmp_path: Path
) -> None:
    err = failure(base, write(tmp_path / "a.csv", "account;ЛС;Сумма;Месяц\n1;1;1;1\n"), "accruals")
    assert err.errors == [(1, f"столбец указан дважды: {described('account')}"),
                          (1, "нет столбца «Код услуги» (или «Услуга»)")]


def test_amounts_and_codes_beyond_what_is_stored_are_refused(base: Database, tmp_path: Path) -> None:
    """Found by fuzzing: a 20-digit amount crashed the import (OverflowError from SQLite)."""
    big = "9" * 20
    err = failure(base, write(tmp_path / "a.csv", "account;service_code;period;amount\n"
                              f"8030001;1;10.2026;{big}\n8030001;1;11.2026;{'9' * 14},00\n"
                              f"8030001;{big};10.2026;1\n"), "accruals")
    assert err.errors == [(2, f"неверная сумма: {big}"), (3, f"неверная сумма: {'9' * 14},00"),
                          (4, f"неизв.услуга: {big}")]
    err = failure(base, write(tmp_path / "s.csv", f"code;name\n{big};Лишняя\n"), "services")
    assert err.errors == [(2, f"неверный код услуги: {big}")]
    err = failure(base, write(tmp_path / "m.csv", "meter_id;account;service_code;serial;installed;"
                              f"initial_reading\n99;8030001;3;A;01.01.2020;{big}\n"), "meters")
    assert err.errors == [(2, f"неверное показание: {big}")]
    r = load(base, tmp_path, "accruals", f"account;service_code;period;amount\n"
             f"8030001;1;10.2026;{'9' * 13},99\n")  # the largest that is stored
    assert r.inserted == 1 and base.scalar("SELECT amount FROM accruals") == 10**15 - 1
    xl = xlsx(tmp_path / "big.xlsx", ["account", "service_code", "period", "amount"],
              [["8030001", 1, "10.2026", 10**18], ["8030001", 1, "09.2026", 1e300]])
    assert [m for _, m in failure(base, xl, "accruals").errors] == [
        "неверная сумма: 1E+18", "неверная сумма: 1E+300"]


def test_a_column_named_twice_alone_is_refused(base: Database, tmp_path: Path) -> None:
    err = failure(base, write(tmp_path / "a.csv", "account;service_code;period;amount;Сумма\n"
                              "8030001;1;10.2026;5;6\n"), "accruals")
    assert err.errors == [(1, "столбец указан дважды: «Сумма»")]
    assert base.scalar("SELECT COUNT(*) FROM accruals") == 0
