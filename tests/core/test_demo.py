"""The demo association: deterministic, realistic, made through the importer's path."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from trayapp.core import values as v
from trayapp.core.db import Database
from trayapp.core.demo import DemoInfo, build_demo, write_tables
from trayapp.core.importer import import_file

TODAY = date(2026, 11, 20)
TABLES = ("org", "providers", "services", "accounts", "balances", "accruals", "payments",
          "meters", "readings")


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {t: [tuple(r) for r in db.all(f"SELECT * FROM {t} ORDER BY 1, 2, 3")] for t in TABLES}


def make(tmp_path: Path, name: str, **kw: Any) -> tuple[Database, DemoInfo]:
    db = Database(tmp_path / name)
    return db, build_demo(db, today=TODAY, **kw)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, DemoInfo]:
    return make(tmp_path_factory.mktemp("demo"), "d.db")


def test_deterministic(tmp_path: Path, demo: tuple[Database, DemoInfo]) -> None:
    db, info = demo
    again, info2 = make(tmp_path, "again.db")
    assert info2 == info
    assert dump(again) == dump(db)
    # built again over itself: the upserts change nothing
    assert build_demo(again, today=TODAY) == info
    assert dump(again) == dump(db)
    other, info3 = make(tmp_path, "other.db", seed=2)
    assert info3.inn != info.inn
    assert dump(other)["accounts"] != dump(db)["accounts"]


def test_association_and_catalogue(demo: tuple[Database, DemoInfo]) -> None:
    db, info = demo
    inn = db.scalar("SELECT inn FROM org")
    assert inn == info.inn and re.fullmatch(r"54\d{8}", inn)
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    assert sum(w * int(c) for w, c in zip(weights, inn, strict=False)) % 11 % 10 == int(inn[9])
    assert db.scalar("SELECT name FROM org").startswith("ТСЖ «")
    assert 2 <= db.scalar("SELECT COUNT(*) FROM providers") <= 3
    services = db.all("SELECT code, name, gorod_code, sber_code, provider_id, metered"
                      " FROM services ORDER BY code")
    assert 6 <= len(services) <= 8 and info.services == len(services)
    names = " ".join(s[1] for s in services).lower()
    for word in ("содержание", "отопление", "холодная", "горячая", "водоотведение",
                 "электроэнергия", "тко", "домофон"):
        assert word in names
    assert any(s[2] is None for s in services) and any(s[3] is None for s in services)
    assert {s[5] for s in services} == {0, 1}
    assert all(s[4] is not None for s in services)


def test_accounts(demo: tuple[Database, DemoInfo]) -> None:
    db, info = demo
    assert db.scalar("SELECT COUNT(*) FROM accounts") == info.accounts == 60
    kinds = dict(db.all("SELECT premise_kind, COUNT(*) FROM accounts GROUP BY 1"))
    assert set(kinds) == {"apartment", "commercial", "storage", "parking"}
    assert kinds["apartment"] >= 50
    for number, full_name, settlement, street, house, premise, kind in db.all(
            "SELECT number, full_name, settlement, street, house, premise, premise_kind"
            " FROM accounts"):
        assert v.is_account(number) and settlement and street and house and premise
        if kind == "apartment":
            assert re.fullmatch(r"[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+(вич|вна)", full_name)
    billing_first = v.month_first_day(info.billing_period).isoformat()
    closed = db.all("SELECT number, closed FROM accounts WHERE closed IS NOT NULL")
    assert closed == [(info.closed_account, closed[0][1])] and closed[0][1] < billing_first
    recent = db.all("SELECT number FROM accounts WHERE opened >= ?", (billing_first,))
    assert recent == [(info.new_account,)]


def test_twelve_months_of_accruals_ending_before_today(demo: tuple[Database, DemoInfo]) -> None:
    db, info = demo
    periods = [p for (p,) in db.all("SELECT DISTINCT period FROM accruals ORDER BY 1")]
    assert len(periods) == 12 and periods[-1] == 202610 == info.billing_period
    assert periods[0] == info.first_period == 202511
    assert db.scalar("SELECT COUNT(*) FROM accruals WHERE amount <= 0") == 0
    new_periods = db.all("SELECT DISTINCT c.period FROM accruals c JOIN accounts a"
                         " ON a.id = c.account_id WHERE a.number = ?", (info.new_account,))
    assert new_periods == [(202610,)]
    last_closed = db.scalar("SELECT MAX(c.period) FROM accruals c JOIN accounts a"
                            " ON a.id = c.account_id WHERE a.number = ?", (info.closed_account,))
    assert last_closed < info.billing_period
    # a storeroom pays for maintenance only
    assert db.all("SELECT DISTINCT c.service_code FROM accruals c JOIN accounts a"
                  " ON a.id = c.account_id WHERE a.premise_kind = 'storage'") == [(1,)]
    assert db.scalar("SELECT COUNT(*) FROM balances") > 0
    # and someone paid in advance: an opening balance below zero
    assert db.scalar("SELECT COUNT(*) FROM balances WHERE amount < 0") > 0


def test_payments_through_several_channels(demo: tuple[Database, DemoInfo]) -> None:
    db, _ = demo
    by_source = {s: (n, whole, noref) for s, n, whole, noref in db.all(
        "SELECT source, COUNT(*), SUM(service_code IS NULL), SUM(reference IS NULL)"
        " FROM payments GROUP BY source")}
    assert set(by_source) == {"Сбербанк", "Город", "касса"}
    assert by_source["Сбербанк"][1] == 0 and by_source["Сбербанк"][2] == 0
    assert by_source["Город"][1] == by_source["Город"][0]
    assert by_source["касса"][2] == by_source["касса"][0] > 0
    assert db.scalar("SELECT MAX(paid_on) FROM payments") < TODAY.isoformat()
    assert db.scalar("SELECT COUNT(*) FROM payments WHERE amount <= 0") == 0
    # debts stay plausible: nobody owes more than a year of bills or has paid far ahead
    debts = [d for (d,) in db.all(
        "SELECT COALESCE((SELECT SUM(amount) FROM balances b WHERE b.account_id = a.id), 0)"
        " + COALESCE((SELECT SUM(amount) FROM accruals c WHERE c.account_id = a.id), 0)"
        " - COALESCE((SELECT SUM(amount) FROM payments p WHERE p.account_id = a.id), 0)"
        " FROM accounts a")]
    assert sum(1 for d in debts if d > 0) > 10
    assert max(debts) < 30_000_000


def test_meters_with_one_replacement(demo: tuple[Database, DemoInfo]) -> None:
    db, info = demo
    kinds = {code for (code,) in db.all("SELECT DISTINCT service_code FROM meters")}
    assert kinds == {3, 4, 6}
    old = db.one("SELECT account_id, service_code, removed, id FROM meters WHERE meter_id = ?",
                 (info.replaced_meter,))
    new = db.one("SELECT account_id, service_code, installed, initial_reading, removed, id"
                 " FROM meters WHERE meter_id = ?", (info.new_meter,))
    assert old[:2] == new[:2] and old[2] == new[2] and new[4] is None
    last_old = db.scalar("SELECT MAX(value) FROM readings WHERE meter_ref = ?", (old[3],))
    assert new[3] < last_old
    assert db.scalar("SELECT COUNT(*) FROM readings WHERE meter_ref = ?", (new[5],)) >= 2
    assert db.scalar("SELECT COUNT(*) FROM meters WHERE removed IS NOT NULL") == 1 + 3  # + closed
    assert db.scalar("SELECT COUNT(*) FROM readings WHERE posted = 0 OR source != 'import'") == 0
    # readings only grow on each meter
    for (ref,) in db.all("SELECT id FROM meters"):
        values = [x for (x,) in db.all(
            "SELECT value FROM readings WHERE meter_ref = ? ORDER BY taken_at", (ref,))]
        initial = db.scalar("SELECT initial_reading FROM meters WHERE id = ?", (ref,))
        assert values == sorted(values) and (not values or values[0] >= initial)


def test_refuses_too_small(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        build_demo(Database(tmp_path / "x.db"), accounts=5)


def test_write_tables_is_the_same_data_as_build_demo(
    tmp_path: Path, demo: tuple[Database, DemoInfo]
) -> None:
    db, _ = demo
    paths = write_tables(tmp_path / "t", accounts=60, seed=1, today=TODAY)
    assert list(paths) == list(TABLES)
    raw = paths["accruals"].read_bytes()
    assert raw.startswith(b"account;service_code;period;amount\r\n")
    assert "Иванов".encode("cp1251") in paths["accounts"].read_bytes() or \
        "Смирнов".encode("cp1251") in paths["accounts"].read_bytes()
    fresh = Database(tmp_path / "f.db")
    for kind in TABLES:
        import_file(fresh, kind, paths[kind])
    assert dump(fresh) == dump(db)


def test_write_tables_services_and_months(tmp_path: Path) -> None:
    paths = write_tables(tmp_path, accounts=30, seed=3, services=6, months=3, today=TODAY)
    fresh = Database(tmp_path / "f.db")
    for kind in TABLES:
        import_file(fresh, kind, paths[kind])
    assert fresh.scalar("SELECT COUNT(*) FROM services") == 6
    assert [p for (p,) in fresh.all("SELECT DISTINCT period FROM accruals ORDER BY 1")] == [
        202608, 202609, 202610]
