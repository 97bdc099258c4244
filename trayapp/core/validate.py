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
from dataclasses import dataclass, field

from trayapp.core import formats
from trayapp.core import values as v
from trayapp.core.db import incoming as q
from trayapp.core.db.connection import Database
from trayapp.core.formats import PaymentRow, ReadingRow, Registry
from trayapp.errors import RegistryError

log = logging.getLogger(__name__)

Errors = list[tuple[int, str]]


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
    accounts: dict[str, int] = field(default_factory=dict)
    codes: dict[str, tuple[int, ...]] = field(default_factory=dict)


def check_incoming(db: Database, name: str, data: bytes, org: str, coding: str) -> Checked:
    """Check a received PAYMENTS or READINGS file completely (see the module docstring)."""
    with db.transaction():
        checked, _ = check_loaded(db, name, data, org, coding)
    return checked


def check_loaded(
    db: Database, name: str, data: bytes, org: str, coding: str
) -> tuple[Checked, Lookup]:
    """``check_incoming`` inside the caller's transaction, leaving ``t_pay`` / ``t_read``
    loaded with the file's rows for the acceptance that follows."""
    registry: Registry | None = None
    parse_errors: Errors = []
    try:
        registry = formats.parse(data, name=name, org=org, coding=coding)
    except RegistryError as exc:
        parse_errors = list(exc.errors)
    kind = _kind(name, registry, data)
    if kind not in formats.INCOMING_TYPES:
        return Checked(registry if not parse_errors else None, parse_errors), Lookup("")

    lookup = Lookup(kind, q.account_ids(db), q.coding_codes(db, coding) if kind == "PAYMENTS" else {})
    found: Errors = []
    if kind == "PAYMENTS":
        _check_payments(db, _payment_fields(registry, data), lookup, coding, found)
    else:
        _check_readings(db, _reading_fields(registry, data), lookup, found)

    known = set(parse_errors)
    errors = parse_errors + [e for e in found if e not in known]
    errors.sort(key=lambda e: (e[0] == 0, e[0]))
    if errors:
        log.info("%s: %d errors found", name, len(errors))
        return Checked(None, errors), lookup
    return Checked(registry, []), lookup


# ---------------------------------------------------------------------------- payments

# (line, payment id or None, account, code)
PayFields = list[tuple[int, str | None, str, str]]
# (line, reading id or None, account, meter id, serial, ISO moment or '', value or None)
ReadFields = list[tuple[int, str | None, str, str, str, str, int | None]]


def _check_payments(
    db: Database, rows: PayFields, lookup: Lookup, coding: str, found: Errors
) -> None:
    accounts = lookup.accounts
    codes = lookup.codes
    table: list[tuple[int, str | None, int | None, str]] = []
    for line, pid, account, code in rows:
        acc_id = accounts.get(account)
        if acc_id is None and v.is_account(account):
            found.append((line, f"неизв.лиц.счёт: {account}"))
        if code and (coding == "ACCOUNT" or code not in codes):
            found.append((line, f"неизв.услуга: {code}"))
        table.append((line, pid, acc_id, code))
    q.load_payments(db, table, codes)
    if codes:
        found.extend((line, f"неизв.услуга: {code}") for line, code in q.payments_foreign_service(db))
    found.extend((line, f"повтор платежа: {pid}") for line, pid in q.payments_seen(db))


def _payment_fields(registry: Registry | None, data: bytes) -> PayFields:
    if registry is not None:
        return [
            (r.line, r.payment_id, r.account, r.service_code)
            for r in registry.rows
            if isinstance(r, PaymentRow)
        ]
    return [
        (line, f[0] if v.is_external_id(f[0]) else None, f[2], f[3]) for line, f in _raw_rows(data)
    ]


# ---------------------------------------------------------------------------- readings


def _check_readings(db: Database, rows: ReadFields, lookup: Lookup, found: Errors) -> None:
    accounts = lookup.accounts
    table: list[tuple[int, str | None, int | None, str, str, str, int | None]] = []
    for line, rid, account, meter_id, serial, taken_at, value in rows:
        acc_id = accounts.get(account)
        if acc_id is None and v.is_account(account):
            found.append((line, f"неизв.лиц.счёт: {account}"))
        table.append((line, rid, acc_id, meter_id, serial, taken_at, value))
    q.load_readings(db, table)
    found.extend(
        (line, f"неизв.счётчик: {meter}")
        for line, meter in q.readings_unknown_meter(db)
        if meter  # an empty meter id was reported by the format check
    )
    found.extend((line, f"повтор показания: {rid}") for line, rid in q.readings_seen(db))


def _reading_fields(registry: Registry | None, data: bytes) -> ReadFields:
    if registry is not None:
        return [
            (r.line, r.reading_id, r.account, r.meter_id, r.serial, v.iso_moment(r.taken_at), r.value)
            for r in registry.rows
            if isinstance(r, ReadingRow)
        ]
    out: ReadFields = []
    for line, f in _raw_rows(data):
        moment = v.parse_moment(f[1])
        out.append(
            (
                line,
                f[0] if v.is_external_id(f[0]) else None,
                f[2],
                f[3],
                f[4],
                v.iso_moment(moment) if moment else "",
                v.parse_reading(f[5]),
            )
        )
    return out


# ---------------------------------------------------------------------------- helpers


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
