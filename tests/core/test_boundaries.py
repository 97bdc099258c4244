"""Every date comparison of the registries on its boundary day (mutation testing found that
no fixture had a payment, a closing or a removal exactly on one: `<` for `<=` went unseen).

October 2026, today 05.11.2026: as_of 05.11.2026 for Debts, first_day 01.10, last_day 31.10;
Meters are as of 01.11.2026. Each account below sits on one side of one boundary.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from trayapp.core import formats
from trayapp.core.db import Database, billing
from trayapp.core.folders import ExchangeTree
from trayapp.core.registries import generate

TODAY = date(2026, 11, 5)
# id, number, opened, closed
ACCOUNTS = [
    (1, "A-payday", None, None),
    (2, "B-closed-first", None, "2026-10-01"),   # closed on first_day: still in October
    (3, "C-closed-before", None, "2026-09-30"),  # closed the day before: out
    (4, "D-opened-last", "2026-10-31", None),    # opened on last_day: in
    (5, "E-opened-after", "2026-11-01", None),   # opened the day after: out
    (6, "F-meters", None, None),
]
# account, code, paid_on, amount
PAYMENTS = [
    (1, 1, "2026-11-05", 1000),   # on as_of: counts
    (1, 1, "2026-11-06", 20000),  # the day after: does not
    (1, None, "2026-11-05", 300),  # to the whole account, on as_of: counts
    (1, None, "2026-11-06", 4000),  # the day after: does not
]
# meter_id, account, installed, removed
METERS = [
    ("m-in-on-asof", 6, "2026-11-01", None),         # installed on as_of (01.11): in
    ("m-in-after", 6, "2026-11-02", None),           # installed the day after: out
    ("m-removed-on-asof", 6, "2021-01-01", "2026-11-01"),  # removed on as_of: in
    ("m-removed-before", 6, "2021-01-01", "2026-10-31"),   # removed the day before: out
]


@pytest.fixture
def env(tmp_path: Path) -> tuple[Database, ExchangeTree]:
    db = Database(tmp_path / "b.db")
    with db.transaction():
        db.execute("INSERT INTO org (id, inn, name, bank_account, bik) VALUES (1, '5401000001',"
                   " 'ТСЖ', '40703810000000000001', '045004774')")
        db.execute("INSERT INTO services (code, name, unit, gorod_code, sber_code, provider_id,"
                   " metered) VALUES (1, 'Вода', 'м3', '101', 'S1', NULL, 1)")
        db.executemany(
            "INSERT INTO accounts (id, number, full_name, settlement, street, house, premise,"
            " premise_kind, opened, closed) VALUES (?, ?, 'Ф', 'Н', 'У', '1', '1', 'apartment',"
            " ?, ?)", ACCOUNTS)  # fmt: skip
        db.executemany("INSERT INTO accruals VALUES (?, 1, ?, ?)",
                       [(a, 202610, 10000) for a, *_ in ACCOUNTS]
                       + [(1, 202611, 777)])  # the month after: not in the debt  # fmt: skip
        billing.refresh_periods(db)
        db.executemany("INSERT INTO payments (account_id, service_code, paid_on, amount, source)"
                       " VALUES (?, ?, ?, ?, 'касса')", PAYMENTS)  # fmt: skip
        db.executemany(
            "INSERT INTO meters (meter_id, account_id, service_code, serial, installed,"
            " initial_reading, removed) VALUES (?, ?, 1, 'S', ?, 0, ?)", METERS)  # fmt: skip
        ref = db.scalar("SELECT id FROM meters WHERE meter_id = 'm-removed-on-asof'")
        db.executemany("INSERT INTO readings (meter_ref, taken_at, value, posted) VALUES (?,?,?,1)",
                       [(ref, "2026-11-01 23:59:59", 5000),     # on as_of, last second: counts
                        (ref, "2026-11-02 00:00:00", 9000)])   # the next day: does not  # fmt: skip
    yield db, ExchangeTree(tmp_path / "x")
    db.close()


def test_debts_on_their_boundary_days(env: tuple[Database, ExchangeTree]) -> None:
    db, tree = env
    r = generate(db, tree, "debts", "GOROD", TODAY, 202610)
    reg = formats.parse(r.file.read_bytes())
    assert reg.header.as_of == TODAY
    debts = {x.account: x.debt for x in reg.rows}
    assert sorted(debts) == ["A-payday", "B-closed-first", "D-opened-last", "F-meters"]
    # 100.00 accrued − 10.00 on as_of − 3.00 to the whole account on as_of
    assert debts["A-payday"] == 10000 - 1000 - 300


def test_meters_on_their_boundary_days(env: tuple[Database, ExchangeTree]) -> None:
    db, tree = env
    r = generate(db, tree, "meters", "GOROD", TODAY, 202610)
    reg = formats.parse(r.file.read_bytes())
    assert reg.header.as_of == date(2026, 11, 1)
    got = {x.meter_id: (x.last_reading_date, x.last_reading) for x in reg.rows}
    assert sorted(got) == ["m-in-on-asof", "m-removed-on-asof"]
    assert got["m-removed-on-asof"] == (date(2026, 11, 1), 5000)
