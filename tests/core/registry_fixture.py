"""A small hand-made association covering every rule of the Debts and Meters registries.

Rows are written with plain SQL so that the generation is tested apart from the importer;
the same raw rows feed the independent recomputation in the tests.
"""

from __future__ import annotations

from pathlib import Path

from trayapp.core.db import Database, billing, open_database

ORG = ("5401000001", "ТСЖ «Берёзка»", "40703810000000000001", "045004774")
PROVIDERS = [
    (1, "5401000002", "АО «Теплосеть»", "40702810000000000008", "045004774"),
    (2, "5401000003", "МУП «Горводоканал»", "40702810000000000007", "045004774"),
]
# code, name, unit, gorod, sber, provider, metered
SERVICES = [
    (1, "Содержание жилья", "м2", "101", "S1", None, 0),
    (2, "Отопление", "Гкал", "102", "S2", 1, 0),
    (3, "Холодная вода", "м3", "9", "", 2, 1),   # no Сбер code
    (4, "Водоотведение", "м3", "9", "S4", 2, 0),  # shares «Город» code 9 with service 3
    (5, "Домофон", "шт", "", "", None, 0),        # no Город / Сбер code
    (6, "Горячая вода", "м3", "10", "S6", 1, 1),
]
# id, number, full_name, settlement, street, house, premise, kind, opened, closed
ACCOUNTS = [
    (1, "1001", "Иванов Иван Иванович", "Новосибирск", "ул. Ленина", "1", "1", "apartment", None, None),
    (2, "1002", "Петрова Анна; Сергеевна", "Новосибирск", "ул. Ленина", "1", "2", "apartment", None, None),
    (3, "1003", "Сидоров Пётр", "Новосибирск", "ул. Ленина", "1", "3", "commercial", None, None),
    (4, "1004", "Закрытый Счёт", "Новосибирск", "ул. Ленина", "1", "4", "apartment", None, "2026-09-30"),
    (5, "1005", "Закрыт Вмесяце", "Новосибирск", "ул. Ленина", "1", "5", "apartment", None, "2026-10-15"),
    (6, "1006", "Новый Жилец", "Новосибирск", "ул. Ленина", "1", "6", "apartment", "2026-11-02", None),
    (7, "0999", "Только Оплата", "Новосибирск", "ул. Ленина", "1", "7", "storage", None, None),
    (8, "1008", "Без Долгов", "Новосибирск", "ул. Ленина", "1", "8", "apartment", None, None),
    (9, "1009", "Переплата Вся", "Новосибирск", "ул. Ленина", "1", "9", "apartment", None, None),
]
# account_id, service, amount (kopecks)
BALANCES = [(1, 1, 10000), (1, 2, -5000), (2, 3, 333), (9, 1, -1000), (9, 2, -3000)]
# account_id, service, period, amount
ACCRUALS = [
    (1, 1, 202609, 150000), (1, 1, 202610, 150000), (1, 1, 202611, 150000),
    (1, 2, 202610, 200050), (1, 3, 202610, 30000), (1, 4, 202610, 20000),
    (1, 5, 202610, 5000), (1, 6, 202610, 40001),
    (2, 1, 202610, 100000), (2, 2, 202610, 100000), (2, 3, 202610, 100000),
    (3, 1, 202610, 70000), (3, 6, 202610, 1000),
    (4, 1, 202609, 50000),
    (5, 1, 202610, 12345),
    (6, 1, 202611, 99999),
    (8, 1, 202610, 0),
    (9, 1, 202610, 500),
]
# account_id, service (None = whole account), paid_on, amount, source
PAYMENTS = [
    (1, 1, "2026-10-05", 100000, "Сбербанк"),
    (1, 2, "2026-11-20", 50000, "Город"),        # after as_of when as_of = 05.11
    (1, None, "2026-10-20", 100001, "касса"),    # spread over 1,2,3,4,5,6
    (2, None, "2026-10-25", 10000, "касса"),
    (2, None, "2026-10-26", 1, "касса"),
    (3, 6, "2026-10-10", 5000, "Сбербанк"),
    (7, None, "2026-10-01", 7000, "касса"),      # account with no service at all
    (9, None, "2026-10-03", 2500, "касса"),      # no positive debt: all to the lowest code
    (8, None, "2026-12-01", 100, "касса"),       # after as_of: ignored
]
# id, meter_id, account_id, service, serial, installed, initial (thousandths), removed
METERS = [
    (1, "17", 1, 3, "ХВ-1001-1", "2021-03-01", 10000, None),
    (2, "18", 1, 6, "ГВ-1001-1", "2021-03-01", 5000, "2026-10-15"),   # replaced
    (3, "19", 1, 6, "ГВ-1001-2", "2026-10-15", 200, None),            # the new one
    (4, "20", 2, 3, "ХВ-1002-1", "2026-11-05", 0, None),              # installed after 1st
    (5, "21", 3, 3, "ХВ-1003-1", "2020-01-01", 1500, None),           # commercial premise
    (6, "22", 4, 3, "ХВ-1004-1", "2020-01-01", 1500, None),           # closed account
    (7, "23", 2, 5, "ДФ-1002", "2020-01-01", 0, None),                # service w/o Город code
]
# meter_ref, taken_at, value, posted
READINGS = [
    (1, "2026-10-20 00:00:00", 215500, 1),
    (1, "2026-10-20 18:30:00", 216000, 1),   # same day, later moment wins
    (1, "2026-11-01 09:00:00", 220000, 1),   # on the 1st: counts
    (1, "2026-11-02 00:00:00", 230000, 1),   # after: ignored
    (1, "2026-10-31 00:00:00", 299000, 0),   # not posted: ignored
    (2, "2026-10-01 00:00:00", 90000, 1),
    (3, "2026-10-16 00:00:00", 210, 0),      # not posted: the initial reading stands
]


def build(path: Path | str) -> Database:
    """The association in a new database (an SQLite file path or a PostgreSQL URL)."""
    db = open_database(path)
    with db.transaction():
        db.execute("INSERT INTO org (id, inn, name, bank_account, bik) VALUES (1, ?, ?, ?, ?)", ORG)
        db.executemany("INSERT INTO providers (id, inn, name, bank_account, bik) VALUES (?,?,?,?,?)", PROVIDERS)
        db.executemany(
            "INSERT INTO services (code, name, unit, gorod_code, sber_code, provider_id, metered)"
            " VALUES (?,?,?,?,?,?,?)", SERVICES)
        db.executemany(
            "INSERT INTO accounts (id, number, full_name, settlement, street, house, premise,"
            " premise_kind, opened, closed) VALUES (?,?,?,?,?,?,?,?,?,?)", ACCOUNTS)
        db.executemany("INSERT INTO balances VALUES (?,?,?)", BALANCES)
        db.executemany("INSERT INTO accruals VALUES (?,?,?,?)", ACCRUALS)
        billing.refresh_periods(db)
        db.executemany(
            "INSERT INTO payments (account_id, service_code, paid_on, amount, source)"
            " VALUES (?,?,?,?,?)", PAYMENTS)
        db.executemany(
            "INSERT INTO meters (id, meter_id, account_id, service_code, serial, installed,"
            " initial_reading, removed) VALUES (?,?,?,?,?,?,?,?)", METERS)
        db.executemany(
            "INSERT INTO readings (meter_ref, taken_at, value, posted) VALUES (?,?,?,?)", READINGS)
        for table in ("providers", "accounts", "meters"):  # explicit ids above
            db.sync_ids(table)
    return db
