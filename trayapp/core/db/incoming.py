"""SQL of the checks of a received Payments or Readings registry against the database.

The rows of the file are loaded once into a temporary table (``t_pay`` or ``t_read``), and
every check is one set-based query over it: accounts, service codes, the account's
services, meters, ids accepted before. Acceptance (``documents.py``) reads the same
temporary tables, inside the same transaction, right after the check. Small lookups
(account number to id, the coding's codes) are loaded into dicts once. Plain SQL only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from trayapp.core.db.connection import Database

CODING_COLUMNS = {"GOROD": "gorod_code", "SBER": "sber_code"}

_PAY_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS t_pay (line INTEGER PRIMARY KEY, payment_id TEXT,"
    " account_id INTEGER, code TEXT)"
)
_READ_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS t_read (line INTEGER PRIMARY KEY, reading_id TEXT,"
    " account_id INTEGER, meter_id TEXT, serial TEXT, taken_at TEXT, value INTEGER)"
)
_CODE_TABLE = "CREATE TEMP TABLE IF NOT EXISTS t_code (code TEXT NOT NULL, own INTEGER NOT NULL)"

# the account has the service: an opening balance, an accrual or a payment on it
_HAS_SERVICE = (
    "(EXISTS (SELECT 1 FROM balances b WHERE b.account_id = {acc} AND b.service_code = {own})"
    " OR EXISTS (SELECT 1 FROM accruals a WHERE a.account_id = {acc} AND a.service_code = {own})"
    " OR EXISTS (SELECT 1 FROM payments p WHERE p.account_id = {acc}"
    " AND p.service_code = {own}))"
)


def account_ids(db: Database) -> dict[str, int]:
    """Every account number with its id."""
    return dict(db.all("SELECT number, id FROM accounts"))


def coding_codes(db: Database, coding: str) -> dict[str, tuple[int, ...]]:
    """Codes of the coding, each with the own codes of the services that carry it (sorted).

    ``ACCOUNT`` has no codes; ``OWN`` maps each own code (as text) to itself.
    """
    if coding == "ACCOUNT":
        return {}
    if coding == "OWN":
        return {str(c): (int(c),) for (c,) in db.all("SELECT code FROM services")}
    column = CODING_COLUMNS[coding]
    out: dict[str, list[int]] = {}
    rows = db.all(
        f"SELECT {column}, code FROM services WHERE {column} IS NOT NULL AND {column} <> ''"
        " ORDER BY code"
    )
    for ext, own in rows:
        out.setdefault(str(ext).strip(), []).append(int(own))
    return {k: tuple(v) for k, v in out.items()}


# ---------------------------------------------------------------------------- payments


def load_payments(
    db: Database,
    rows: Iterable[tuple[int, str, int | None, str]],
    codes: dict[str, tuple[int, ...]],
) -> None:
    """Fill ``t_pay`` (line, payment_id, account_id or None, code) and ``t_code``."""
    db.execute(_PAY_TABLE)
    db.execute(_CODE_TABLE)
    db.execute("DELETE FROM t_pay")
    db.execute("DELETE FROM t_code")
    db.executemany("INSERT INTO t_pay (line, payment_id, account_id, code) VALUES (?, ?, ?, ?)", rows)
    db.executemany(
        "INSERT INTO t_code (code, own) VALUES (?, ?)",
        [(ext, own) for ext, owns in codes.items() for own in owns],
    )


def payments_seen(db: Database) -> list[tuple[int, str]]:
    """Lines of ``t_pay`` whose payment id was accepted before."""
    return db.all(
        "SELECT t.line, t.payment_id FROM t_pay t JOIN payments p ON p.payment_id = t.payment_id"
        " ORDER BY t.line"
    )


def payments_foreign_service(db: Database) -> list[tuple[int, str]]:
    """Lines whose (known) code names none of the account's services."""
    has = _HAS_SERVICE.format(acc="t.account_id", own="c.own")
    return db.all(
        "SELECT t.line, t.code FROM t_pay t WHERE t.account_id IS NOT NULL AND t.code <> ''"
        " AND EXISTS (SELECT 1 FROM t_code k WHERE k.code = t.code)"
        f" AND NOT EXISTS (SELECT 1 FROM t_code c WHERE c.code = t.code AND {has})"
        " ORDER BY t.line"
    )


def payments_shared_services(db: Database) -> list[tuple[int, int, int]]:
    """For lines whose code several own services share: (line, own code, debt).

    Only the account's services among them; the debt is the opening balance plus accruals of
    months up to the one paid for, less payments to that service dated on or before the
    payment's day (payments to the whole account left out, as ``import.md`` says).
    """
    has = _HAS_SERVICE.format(acc="t.account_id", own="c.own")
    return db.all(
        "SELECT t.line, c.own,"
        " COALESCE((SELECT b.amount FROM balances b WHERE b.account_id = t.account_id"
        "   AND b.service_code = c.own), 0)"
        " + COALESCE((SELECT SUM(a.amount) FROM accruals a WHERE a.account_id = t.account_id"
        "   AND a.service_code = c.own AND a.period <= t2.period), 0)"
        " - COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.account_id = t.account_id"
        "   AND p.service_code = c.own AND p.paid_on <= t2.paid_on), 0)"
        " FROM t_pay t JOIN t_pay_when t2 ON t2.line = t.line"
        " JOIN t_code c ON c.code = t.code"
        f" WHERE {has} ORDER BY t.line, c.own"
    )


def load_payment_moments(db: Database, rows: Sequence[tuple[int, int, str]]) -> None:
    """``t_pay_when`` (line, period yyyymm, paid_on ISO) of the lines to spread."""
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS t_pay_when (line INTEGER PRIMARY KEY,"
        " period INTEGER, paid_on TEXT)"
    )
    db.execute("DELETE FROM t_pay_when")
    db.executemany("INSERT INTO t_pay_when (line, period, paid_on) VALUES (?, ?, ?)", rows)


# ---------------------------------------------------------------------------- readings


def load_readings(
    db: Database, rows: Iterable[tuple[int, str, int | None, str, str, str, int]]
) -> None:
    """Fill ``t_read`` (line, reading_id, account_id or None, meter_id, serial, taken_at, value)."""
    db.execute(_READ_TABLE)
    db.execute("DELETE FROM t_read")
    db.executemany(
        "INSERT INTO t_read (line, reading_id, account_id, meter_id, serial, taken_at, value)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def readings_seen(db: Database) -> list[tuple[int, str]]:
    return db.all(
        "SELECT t.line, t.reading_id FROM t_read t JOIN readings r ON r.reading_id = t.reading_id"
        " ORDER BY t.line"
    )


def readings_unknown_meter(db: Database) -> list[tuple[int, str]]:
    """Lines of a known account whose meter id and serial name none of its meters."""
    return db.all(
        "SELECT t.line, t.meter_id FROM t_read t WHERE t.account_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM meters m WHERE m.meter_id = t.meter_id"
        " AND m.serial = t.serial AND m.account_id = t.account_id) ORDER BY t.line"
    )


def readings_previous(db: Database) -> list[tuple[int, int, int]]:
    """(line, meter ref, previous value) for each line of ``t_read``.

    The previous value is the meter's latest posted reading before the line's moment (of two
    at one moment the later entered), or its initial reading where it has none.
    """
    return db.all(
        "SELECT t.line, m.id, COALESCE((SELECT r.value FROM readings r WHERE r.meter_ref = m.id"
        " AND r.posted = 1 AND r.taken_at < t.taken_at ORDER BY r.taken_at DESC, r.id DESC"
        " LIMIT 1), m.initial_reading)"
        " FROM t_read t JOIN meters m ON m.meter_id = t.meter_id ORDER BY t.line"
    )
