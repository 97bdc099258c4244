"""The full check of a received Payments or Readings registry: format, then the database.

``check_incoming`` runs ``formats.parse`` and then checks every row against the database:
the account exists, the service code is one of the chosen coding and one of the account's
services, the meter is the account's, the payment or reading id was never accepted. Every
error is reported (line order, line 0 last), also when the format check failed: the rows
that could still be read are checked too. The database part is set-based (the rows go into
a temporary table once, see ``db/incoming.py``), so that 100,000 rows take a fraction of a
second. Imports no GUI, no HTTP; all SQL lives in ``db/incoming.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar, cast

from trayapp.core import formats
from trayapp.core import values as v
from trayapp.core.db import incoming as q
from trayapp.core.db.connection import Database
from trayapp.core.formats import PaymentRow, ReadingRow, Registry
from trayapp.core.progress import Progress, Throttle, no_progress
from trayapp.errors import RegistryError

log = logging.getLogger(__name__)

Errors = list[tuple[int, str]]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of a check: the registry when correct, else every error found."""

    registry: Registry | None  # None when errors
    errors: list[tuple[int, str]]  # every error, line order, line 0 (whole file) last

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class Lookup:
    """What acceptance reuses after a check (the temporary tables stay loaded as well)."""

    kind: str  # PAYMENTS, READINGS or '' for a file of another kind
    codes: dict[str, tuple[int, ...]] = field(default_factory=dict)


def check_incoming(db: Database, name: str, data: bytes, org: str, coding: str) -> Checked:
    """Check a received PAYMENTS or READINGS file completely (see the module docstring)."""
    with db.transaction():
        checked, _ = check_loaded(db, name, data, org, coding)
    return checked


def check_loaded(
    db: Database, name: str, data: bytes, org: str, coding: str,
    progress: Progress = no_progress,
) -> tuple[Checked, Lookup]:
    """``check_incoming`` inside the caller's transaction, leaving ``t_pay`` / ``t_read``
    loaded with the file's rows for the acceptance that follows; ``progress`` hears the
    rows loaded for the check ("check") of how many."""  # fmt: skip
    registry: Registry | None = None
    parse_errors: Errors = []
    try:
        registry = formats.parse(data, name=name, org=org, coding=coding)
    except RegistryError as exc:
        parse_errors = list(exc.errors)
    kind = _kind(name, registry, data)
    if kind not in formats.INCOMING_TYPES or (1, "не формат MOISCHETA/1") in parse_errors:
        return Checked(registry if not parse_errors else None, parse_errors), Lookup("")

    found: Errors = []
    total = len(registry.rows) if registry is not None else None
    if kind == "PAYMENTS":
        lookup = Lookup(kind, q.coding_codes(db, coding))
        rows = _counted(_no_nul(_payment_rows(registry, data), data), progress, total)
        _check_payments(db, rows, lookup, found)
    else:
        lookup = Lookup(kind)
        rows_r = _no_nul(_reading_rows(registry, data), data)
        _check_readings(db, _counted(rows_r, progress, total), found)

    known = set(parse_errors)
    errors = parse_errors + [e for e in found if e not in known]
    errors.sort(key=lambda e: (e[0] == 0, e[0]))
    if errors:
        log.info("%s: %d errors found", name, len(errors))
        return Checked(None, errors), lookup
    return Checked(registry, []), lookup


# ---------------------------------------------------------------------------- payments


def _check_payments(db: Database, rows: Iterable[q.PayRow], lookup: Lookup, found: Errors) -> None:
    q.load_payments(db, rows, lookup.codes)
    found.extend(
        (line, f"неизв.лиц.счёт: {account}")
        for line, account in q.payments_unknown_account(db)
        if v.is_account(account)  # a malformed one was reported by the format check
    )
    found.extend((line, f"неизв.услуга: {code}") for line, code in q.payments_unknown_code(db))
    if lookup.codes:
        found.extend(
            (line, f"неизв.услуга: {code}") for line, code in q.payments_foreign_service(db)
        )
    found.extend((line, f"повтор платежа: {pid}") for line, pid in q.payments_seen(db))


def _payment_rows(registry: Registry | None, data: bytes) -> Iterable[q.PayRow]:
    if registry is not None:
        # a generator: 100,000 rows are not held twice. datetime.isoformat(" ") is
        # "YYYY-MM-DD HH:MM:SS" here (parsed moments have no microseconds), and several
        # times faster than strftime
        return (
            (r.line, r.payment_id, r.account, r.service_code, r.paid_at.isoformat(" "),
             r.amount, r.period)
            for r in registry.rows
            if isinstance(r, PaymentRow)
        )  # fmt: skip
    out: list[q.PayRow] = []
    for line, f in _raw_rows(data):
        moment = v.parse_moment(f[1])
        out.append(
            (
                line,
                f[0] if v.is_external_id(f[0]) else None,
                f[2],
                f[3],
                moment.isoformat(" ") if moment else None,
                v.parse_amount(f[4]),
                v.parse_month(f[5]),
            )
        )
    return out


# ---------------------------------------------------------------------------- readings


def _check_readings(db: Database, rows: Iterable[q.ReadRow], found: Errors) -> None:
    q.load_readings(db, rows)
    found.extend(
        (line, f"неизв.лиц.счёт: {account}")
        for line, account in q.readings_unknown_account(db)
        if v.is_account(account)
    )
    found.extend(
        (line, f"неизв.счётчик: {meter}")
        for line, meter in q.readings_unknown_meter(db)
        if meter  # an empty meter id was reported by the format check
    )
    found.extend((line, f"повтор показания: {rid}") for line, rid in q.readings_seen(db))


def _reading_rows(registry: Registry | None, data: bytes) -> Iterable[q.ReadRow]:
    if registry is not None:
        return (
            (r.line, r.reading_id, r.account, r.meter_id, r.serial, r.taken_at.isoformat(" "),
             r.value)
            for r in registry.rows
            if isinstance(r, ReadingRow)
        )  # fmt: skip
    out: list[q.ReadRow] = []
    for line, f in _raw_rows(data):
        moment = v.parse_moment(f[1])
        out.append(
            (
                line,
                f[0] if v.is_external_id(f[0]) else None,
                f[2],
                f[3],
                f[4],
                moment.isoformat(" ") if moment else None,
                v.parse_reading(f[5]),
            )
        )
    return out


# ---------------------------------------------------------------------------- helpers


def _counted(rows: Iterable[T], progress: Progress, total: int | None) -> Iterator[T]:
    """``rows`` as they are, reporting how many went by every ``STRIDE`` and at the end."""
    report = Throttle(progress)
    report("check", 0, total)
    done = 0
    it = iter(rows)
    while chunk := list(islice(it, STRIDE)):
        yield from chunk
        done += len(chunk)
        report("check", done, total)
    report("check", done, done if total is None else total)


STRIDE = 2048


def _kind(name: str, registry: Registry | None, data: bytes) -> str:
    if registry is not None:
        return registry.header.type
    fname = formats.parse_name(name)
    if fname is not None:
        return fname.type
    lines, _ = formats.decode(data)
    for text in lines:
        if not text.startswith("#"):
            break
        if text.startswith("#TYPE "):
            return text[6:].strip()
    return ""


def _no_nul(rows: Iterable[T], data: bytes) -> Iterable[T]:
    """The rows, a NUL in a field made ``?`` (PostgreSQL cannot hold one in text; the field
    is wrong either way and is named so in the rejection). A scan of the bytes first: the
    usual file holds none and its rows pass untouched."""
    if b"\x00" not in data:
        return rows
    return (cast(T, tuple(_nul_free(x) for x in cast(tuple[Any, ...], row))) for row in rows)


def _nul_free(x: Any) -> Any:
    return x.replace("\x00", "?") if isinstance(x, str) else x


def _raw_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """Data lines of a file the format check refused: (line, six trimmed fields) each."""
    lines, _ = formats.decode(data)
    out: list[tuple[int, list[str]]] = []
    started = False
    for n, text in enumerate(lines, 1):
        if not started and text.startswith("#"):
            continue
        started = True
        if not text or text.startswith("#"):
            continue
        fields = [f.strip() for f in text.split(";")]
        if len(fields) == 6:
            out.append((n, fields))
    return out
