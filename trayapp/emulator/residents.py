"""Simulated owners: the payments and readings they send after the association's registries.

After a Debts registry answered ``OK``, about a third of the lines with a positive debt get
a payment (the whole debt, or a round part of it), now and then to the whole account rather
than to a service; after a Meters registry, about two thirds of the meters get a reading, the
last one plus a plausible increment, about one in twenty lower than the last. Moments fall
earlier on the day of ``now``. Pure functions over ``formats`` records: the random source and
the id factory are given, so that a seeded emulator is repeatable. No I/O.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from trayapp.core.formats import DebtRow, Header, MeterRow, PaymentRow, ReadingRow, Registry, Row

PAY_SHARE = 0.3  # of the lines with a positive debt
WHOLE_ACCOUNT_CHANCE = 0.1  # a payment to the account as a whole, where coded by service
WHOLE_DEBT_CHANCE = 0.4
READ_SHARE = 0.6  # of the meters
LOWER_CHANCE = 0.05  # a reading below the last one

IdFactory = Callable[[], str]


def id_factory(rng: random.Random | None) -> IdFactory:
    """uuid4 strings (36 characters of ``[a-f0-9-]``); drawn from ``rng`` when given."""
    if rng is None:
        return lambda: str(uuid.uuid4())
    source = rng
    return lambda: str(uuid.UUID(int=source.getrandbits(128), version=4))


def _moment_today(rng: random.Random, now: datetime) -> datetime:
    """A moment between midnight and ``now`` (whole seconds), never in the future."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    seconds = int((now - midnight).total_seconds())
    # rng.random() rather than randint(0, seconds): the draws that follow do not depend on
    # the clock, so a seeded run gives the same ids and amounts at any time of day.
    return midnight + timedelta(seconds=int(rng.random() * (seconds + 1)) if seconds else 0)


def _part_of(debt: int, rng: random.Random) -> int:
    """A plausible payment of ``debt`` kopecks (> 0): all of it, or a round part of it."""
    share = rng.randint(30, 90)
    whole = rng.random() < WHOLE_DEBT_CHANCE
    if whole or debt <= 100:
        return debt
    part = debt * share // 100
    step = 10000 if part >= 500000 else 1000 if part >= 100000 else 100
    part = part // step * step
    return part if 0 < part <= debt else debt


def make_payments(
    debts: Registry,
    rng: random.Random,
    now: datetime,
    number: int,
    new_id: IdFactory,
) -> Registry | None:
    """A PAYMENTS registry for ``debts`` (None where no line has a positive debt)."""
    lines = [r for r in debts.rows if isinstance(r, DebtRow)]
    positive = [r for r in lines if r.debt > 0]
    if not positive:
        return None
    by_account: dict[str, int] = defaultdict(int)
    for r in lines:
        by_account[r.account] += r.debt
    count = max(1, round(len(positive) * PAY_SHARE))
    chosen = sorted(rng.sample(range(len(positive)), count))
    coding = debts.header.coding or "ACCOUNT"
    period = debts.header.period or (now.year * 100 + now.month)
    payments: list[PaymentRow] = []
    for i in chosen:
        row = positive[i]
        amount = _part_of(row.debt, rng)
        code = row.service_code
        to_account = rng.random() < WHOLE_ACCOUNT_CHANCE
        if coding != "ACCOUNT" and to_account and by_account[row.account] > 0:
            code = ""
            amount = min(amount, by_account[row.account])
        payments.append(
            PaymentRow(new_id(), _moment_today(rng, now), row.account, code, amount, period)
        )
    payments.sort(key=lambda p: (p.paid_at, p.account))
    rows: list[Row] = list(payments)
    header = Header(
        type="PAYMENTS",
        org=debts.header.org,
        number=number,
        day=now.date(),
        rows=len(rows),
        filesum=sum(p.amount for p in payments),
        coding=coding,
    )
    return Registry(header, rows)


def _next_value(last: int, rng: random.Random) -> int:
    """The next reading in thousandths: up by 1.0 to 20.0, now and then below the last."""
    lower = rng.random() < LOWER_CHANCE
    step = rng.randint(10, 200) * 100
    if lower and last >= 100:
        return last - min(last, rng.randint(1, 50) * 100)
    return last + step


def make_readings(
    meters: Registry,
    rng: random.Random,
    now: datetime,
    number: int,
    new_id: IdFactory,
) -> Registry | None:
    """A READINGS registry for a part of the meters of ``meters`` (None where it has none)."""
    lines = [r for r in meters.rows if isinstance(r, MeterRow)]
    if not lines:
        return None
    count = max(1, round(len(lines) * READ_SHARE))
    chosen = sorted(rng.sample(range(len(lines)), count))
    readings: list[ReadingRow] = []
    for i in chosen:
        m = lines[i]
        value = _next_value(m.last_reading, rng)
        readings.append(
            ReadingRow(new_id(), _moment_today(rng, now), m.account, m.meter_id, m.serial, value)
        )
    readings.sort(key=lambda r: (r.taken_at, r.account))
    rows: list[Row] = list(readings)
    header = Header(
        type="READINGS", org=meters.header.org, number=number, day=now.date(), rows=len(rows)
    )
    return Registry(header, rows)
