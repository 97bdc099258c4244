"""The simulated owners: a Payments registry after Debts, a Readings registry after Meters."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from tests.emulator.helpers import ORG, Client, example
from trayapp.core import formats
from trayapp.core.formats import DebtRow, Header, MeterRow, PaymentRow, ReadingRow, Registry, Row
from trayapp.emulator import Emulator, residents

DEBTS = "Debts_20261105_001.txt"
METERS = "Meters_20261105_001.txt"
def today() -> str:
    """The emulator's day, taken when asked (a constant of the import went stale at midnight)."""
    return f"{date.today():%Y%m%d}"
ID = re.compile(r"[A-Za-z0-9-]{1,36}")


def _debts(
    n_accounts: int, coding: str = "GOROD", number: int = 1, seed: int = 0
) -> tuple[str, bytes]:
    rows: list[Row] = []
    codes = ["101", "102", "103"] if coding != "ACCOUNT" else [""]
    for a in range(n_accounts):
        for i, code in enumerate(codes):
            debt = ((a * 7919 + i * 104729 + seed) % 500000) - 50000  # some negative, some zero
            if (a + i) % 11 == 0:
                debt = 0
            rows.append(
                DebtRow(f"{3000 + a}", "Иванов И.И.", "Город,Улица,1,2", code, debt, 100000)
            )
    header = Header(
        type="DEBTS",
        org=ORG,
        number=number,
        day=date(2026, 11, 5),
        rows=len(rows),
        filesum=sum(r.debt for r in rows if isinstance(r, DebtRow)),
        coding=coding,
        period=202610,
        as_of=date(2026, 11, 5),
    )
    name = formats.make_name("DEBTS", header.day, number)
    return name, formats.encode(formats.render(Registry(header, rows)))


def _meters(n: int) -> tuple[str, bytes]:
    rows: list[Row] = [
        MeterRow(
            f"{3000 + i}", f"m{i}", f"СЧ-{i}", "103", date(2020, 1, 1), date(2026, 10, 25), i * 1500
        )
        for i in range(n)
    ]
    header = Header(
        type="METERS", org=ORG, number=2, day=date(2026, 11, 5), rows=n, coding="GOROD",
        period=202610, as_of=date(2026, 11, 1),
    )  # fmt: skip
    return "Meters_20261105_002.txt", formats.encode(formats.render(Registry(header, rows)))


def _payments(client: Client, name: str, coding: str = "GOROD") -> tuple[bytes, list[PaymentRow]]:
    r = client.get(name)
    assert r.status_code == 200, client.names()
    reg = formats.parse(r.content, name=name, org=ORG, coding=coding)
    return r.content, [p for p in reg.rows if isinstance(p, PaymentRow)]


def _check_payments(debts: bytes, payments: list[PaymentRow], started: datetime) -> None:
    lines = [r for r in formats.parse(debts).rows if isinstance(r, DebtRow)]
    by_line = {(r.account, r.service_code): r.debt for r in lines}
    by_account: dict[str, int] = defaultdict(int)
    for r in lines:
        by_account[r.account] += r.debt
    ids = [p.payment_id for p in payments]
    assert len(set(ids)) == len(ids)
    assert all(ID.fullmatch(i) for i in ids)
    for p in payments:
        assert p.amount > 0
        if p.service_code:
            assert p.amount <= by_line[(p.account, p.service_code)]
        else:
            assert p.amount <= by_account[p.account]
        assert p.period == 202610
        assert p.paid_at.date() == started.date() or p.paid_at.date() == date.today()
        assert p.paid_at <= datetime.now()


def test_owners_pay_after_the_example_debts(client: Client) -> None:
    started = datetime.now()
    assert client.put(DEBTS, example(DEBTS)).status_code == 201
    name = f"Payments_{today()}_001.txt"
    assert client.names() == ["Ack_" + DEBTS, name]
    data, payments = _payments(client, name)
    assert payments
    _check_payments(example(DEBTS), payments, started)
    assert data.endswith(b"\r\n") and data.count(b"\n") == data.count(b"\r\n")
    data.decode("cp1251")
    reg = formats.parse(data, name=name)
    assert reg.header.filesum == sum(p.amount for p in payments)
    assert reg.header.coding == "GOROD" and reg.header.org == ORG
    assert reg.header.day == date.today() and reg.header.number == 1


def test_owners_pay_about_a_third_of_positive_debts(client: Client) -> None:
    started = datetime.now()
    name, debts = _debts(200)
    assert client.put(name, debts).status_code == 201
    _, payments = _payments(client, f"Payments_{today()}_001.txt")
    _check_payments(debts, payments, started)
    positive = [r for r in formats.parse(debts).rows if isinstance(r, DebtRow) and r.debt > 0]
    assert 0.2 * len(positive) <= len(payments) <= 0.4 * len(positive)
    assert any(p.service_code == "" for p in payments)  # now and then to the whole account
    assert sum(1 for p in payments if p.service_code == "") < len(payments) / 3
    whole = {(r.account, r.service_code): r.debt for r in positive}
    assert any(p.amount == whole.get((p.account, p.service_code)) for p in payments)
    assert any(p.amount < whole.get((p.account, p.service_code), 0) for p in payments)
    assert [p.paid_at for p in payments] == sorted(p.paid_at for p in payments)


def test_account_coding_pays_the_whole_account(client: Client) -> None:
    name, debts = _debts(60, coding="ACCOUNT")
    assert client.put(name, debts).status_code == 201
    _, payments = _payments(client, f"Payments_{today()}_001.txt", coding="ACCOUNT")
    assert payments and all(p.service_code == "" for p in payments)
    _check_payments(debts, payments, datetime.now())


def test_no_positive_debt_no_payments(client: Client) -> None:
    text = example(DEBTS).decode("cp1251")
    text = text.replace(";800.00;800.00", ";0.00;800.00").replace(";1500.40;", ";0.00;")
    text = text.replace("#FILESUM 2150.40", "#FILESUM -150.00")
    assert client.put(DEBTS, formats.encode(text)).status_code == 201
    assert client.names() == ["Ack_" + DEBTS]
    assert formats.parse(client.get("Ack_" + DEBTS).content).header.status == "OK"


def test_numbers_go_on_across_restarts_and_past_files_dropped_by_hand(tmp_path: Path) -> None:
    with Emulator(tmp_path) as e:
        c = Client(e.url)
        for number in (1, 2):
            name, debts = _debts(5, number=number)
            assert c.put(name, debts).status_code == 201
        c.close()
    with Emulator(tmp_path) as e:
        c = Client(e.url)
        for n in c.names():  # the client took everything
            assert c.delete(n).status_code == 204
        name, debts = _debts(5, number=3)
        assert c.put(name, debts).status_code == 201
        assert f"Payments_{today()}_003.txt" in c.names()
        (tmp_path / "inbox" / f"Payments_{today()}_007.txt").write_bytes(b"by hand")
        name, debts = _debts(5, number=4)
        assert c.put(name, debts).status_code == 201
        assert f"Payments_{today()}_008.txt" in c.names()
        c.close()


def _run(
    tmp_path: Path, seed: int | None, name: str, data: bytes
) -> list[tuple[str, str, str, int]]:
    with Emulator(tmp_path, seed=seed) as e:
        c = Client(e.url)
        assert c.put(name, data).status_code == 201
        _, payments = _payments(c, f"Payments_{today()}_001.txt")
        c.close()
    return [(p.payment_id, p.account, p.service_code, p.amount) for p in payments]


def test_a_seed_makes_the_owners_repeatable(tmp_path: Path) -> None:
    name, debts = _debts(50)
    first = _run(tmp_path / "a", 42, name, debts)
    assert _run(tmp_path / "b", 42, name, debts) == first
    other = _run(tmp_path / "c", 43, name, debts)
    assert other != first
    unseeded = [_run(tmp_path / d, None, name, debts) for d in ("d", "e")]
    assert not {p[0] for p in unseeded[0]} & {p[0] for p in unseeded[1]}


def test_owners_send_readings_after_meters(client: Client) -> None:
    assert client.put(METERS, example(METERS)).status_code == 201
    name = f"Readings_{today()}_001.txt"
    assert client.names() == ["Ack_" + METERS, name]
    reg = formats.parse(client.get(name).content, name=name, org=ORG)
    meters = {
        (m.account, m.meter_id, m.serial): m
        for m in formats.parse(example(METERS)).rows
        if isinstance(m, MeterRow)
    }
    assert reg.rows
    for r in reg.rows:
        assert isinstance(r, ReadingRow)
        assert (r.account, r.meter_id, r.serial) in meters
        assert ID.fullmatch(r.reading_id)
        assert r.taken_at <= datetime.now()


def test_readings_are_plausible_and_now_and_then_lower(client: Client) -> None:
    name, data = _meters(400)
    assert client.put(name, data).status_code == 201
    reg = formats.parse(client.get(f"Readings_{today()}_001.txt").content, org=ORG)
    readings = [r for r in reg.rows if isinstance(r, ReadingRow)]
    last = {m.meter_id: m.last_reading for m in formats.parse(data).rows if isinstance(m, MeterRow)}
    assert 200 <= len(readings) <= 280  # about 60 %
    assert len({r.reading_id for r in readings}) == len(readings)
    lower = [r for r in readings if r.value < last[r.meter_id]]
    assert 1 <= len(lower) <= len(readings) // 8  # about 1 in 20
    for r in readings:
        assert abs(r.value - last[r.meter_id]) <= 20_000  # at most 20 units either way
        assert r.value != last[r.meter_id]


def test_a_large_debts_registry_is_answered_at_once(client: Client) -> None:
    name, debts = _debts(2000)
    assert client.put(name, debts).status_code == 201
    # the owners' payments are there when the upload is answered: no waiting, no clock read
    assert f"Payments_{today()}_001.txt" in client.names()


def test_a_payment_to_the_whole_account_never_exceeds_its_debt() -> None:
    rows: list[Row] = []
    for a in range(300):  # each account owes 1000.00 for one service, is 900.00 ahead on another
        rows.append(DebtRow(f"{a + 1}", "Ф", "А", "101", 100000, 0))
        rows.append(DebtRow(f"{a + 1}", "Ф", "А", "102", -90000, 0))
    header = Header(
        type="DEBTS", org=ORG, number=1, day=date(2026, 11, 5), rows=len(rows), filesum=0,
        coding="GOROD", period=202610, as_of=date(2026, 11, 5),
    )  # fmt: skip
    now = datetime(2026, 11, 27, 10, 0, 0)
    rng = random.Random(5)
    reg = residents.make_payments(Registry(header, rows), rng, now, 1, residents.id_factory(rng))
    assert reg is not None
    payments = [p for p in reg.rows if isinstance(p, PaymentRow)]
    to_account = [p for p in payments if p.service_code == ""]
    assert to_account and all(0 < p.amount <= 10000 for p in to_account)
    assert all(0 < p.amount <= 100000 for p in payments)
    assert all(now.replace(hour=0) <= p.paid_at <= now for p in payments)
    assert reg.header.filesum == sum(p.amount for p in payments) and reg.header.day == now.date()
