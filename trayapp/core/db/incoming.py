"""SQL of the checks of a received Payments or Readings registry against the database.

The rows of the file are loaded once into a temporary table (``t_pay`` or ``t_read``), and
every check is one set-based query over it: accounts, service codes, the account's
services, meters, ids accepted before. Acceptance (``documents.py``) writes its documents
and rows straight from the same temporary tables, inside the same transaction, right after
the check. The coding's codes (a few dozen) go into ``t_code``. Plain SQL only; the rows go
in by ``db.load_rows`` (COPY on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable

from trayapp.core.db import dialect
from trayapp.core.db.connection import Database

CODING_COLUMNS = {"GOROD": "gorod_code", "SBER": "sber_code"}

# a payment row: line, payment_id, account, code, paid_at (ISO moment), amount, period
PayRow = tuple[int, str | None, str, str, str | None, int | None, int | None]
# a reading row: line, reading_id, account, meter_id, serial, taken_at (ISO moment), value
ReadRow = tuple[int, str | None, str, str, str, str | None, int | None]

_PAY_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS t_pay (line INTEGER PRIMARY KEY, payment_id TEXT,"
    " account TEXT, code TEXT, paid_at TEXT, amount INTEGER, period INTEGER,"
    " account_id INTEGER)"
)
_READ_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS t_read (line INTEGER PRIMARY KEY, reading_id TEXT,"
    " account TEXT, meter_id TEXT, serial TEXT, taken_at TEXT, value INTEGER)"
)
_CODE_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS t_code (code TEXT NOT NULL, own INTEGER NOT NULL,"
    " shared INTEGER NOT NULL, PRIMARY KEY (code, own))"
)

# the account has the service: an accrual, an opening balance or a payment on it
HAS_SERVICE = (
    "(EXISTS (SELECT 1 FROM accruals a WHERE a.account_id = {acc} AND a.service_code = {own})"
    " OR EXISTS (SELECT 1 FROM balances b WHERE b.account_id = {acc} AND b.service_code = {own})"
    " OR EXISTS (SELECT 1 FROM payments p WHERE p.account_id = {acc}"
    " AND p.service_code = {own}))"
)


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


def load_payments(db: Database, rows: Iterable[PayRow], codes: dict[str, tuple[int, ...]]) -> None:
    """Fill ``t_pay`` with the file's rows and ``t_code`` with the coding's codes."""
    db.execute(dialect.ddl(_PAY_TABLE, db.dialect))
    db.execute(dialect.ddl(_CODE_TABLE, db.dialect))
    db.execute("DELETE FROM t_pay")
    db.execute("DELETE FROM t_code")
    db.load_rows(
        "t_pay", ("line", "payment_id", "account", "code", "paid_at", "amount", "period"), rows
    )
    db.load_rows(
        "t_code", ("code", "own", "shared"),
        [(ext, own, int(len(owns) > 1)) for ext, owns in codes.items() for own in owns],
    )  # fmt: skip


def payments_unknown_account(db: Database) -> list[tuple[int, str]]:
    """Resolve ``t_pay.account_id`` once; the lines whose account the database lacks."""
    db.execute(
        "UPDATE t_pay SET account_id = (SELECT a.id FROM accounts a WHERE a.number = t_pay.account)"
    )
    return db.all("SELECT line, account FROM t_pay WHERE account_id IS NULL ORDER BY line")


def payments_unknown_code(db: Database) -> list[tuple[int, str]]:
    """Lines with a code the coding lacks (with ``ACCOUNT`` ``t_code`` is empty: any code)."""
    return db.all(
        "SELECT t.line, t.code FROM t_pay t WHERE t.code <> ''"
        " AND NOT EXISTS (SELECT 1 FROM t_code k WHERE k.code = t.code) ORDER BY t.line"
    )


def payments_foreign_service(db: Database) -> list[tuple[int, str]]:
    """Lines whose code, one several own services share, names none of the account's
    services: such a payment has nowhere to be spread. (A code of one service is taken
    as it is, formats.md asking only for a code of the coding.)"""
    has = HAS_SERVICE.format(acc="t.account_id", own="c.own")
    return db.all(
        "SELECT t.line, t.code FROM t_pay t WHERE t.account_id IS NOT NULL AND t.code <> ''"
        " AND EXISTS (SELECT 1 FROM t_code k WHERE k.code = t.code AND k.shared = 1)"
        f" AND NOT EXISTS (SELECT 1 FROM t_code c WHERE c.code = t.code AND {has})"
        " ORDER BY t.line"
    )


def payments_seen(db: Database) -> list[tuple[int, str]]:
    """Lines of ``t_pay`` whose payment id was accepted before."""
    return db.all(
        "SELECT t.line, t.payment_id FROM t_pay t JOIN payments p ON p.payment_id = t.payment_id"
        " ORDER BY t.line"
    )


# ---------------------------------------------------------------------------- readings


def load_readings(db: Database, rows: Iterable[ReadRow]) -> None:
    db.execute(dialect.ddl(_READ_TABLE, db.dialect))
    db.execute("DELETE FROM t_read")
    db.load_rows(
        "t_read", ("line", "reading_id", "account", "meter_id", "serial", "taken_at", "value"),
        rows,
    )


def readings_unknown_account(db: Database) -> list[tuple[int, str]]:
    return db.all(
        "SELECT t.line, t.account FROM t_read t"
        " WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.number = t.account) ORDER BY t.line"
    )


def readings_unknown_meter(db: Database) -> list[tuple[int, str]]:
    """Lines of a known account whose meter id and serial name none of its meters."""
    return db.all(
        "SELECT t.line, t.meter_id FROM t_read t JOIN accounts a ON a.number = t.account"
        " WHERE NOT EXISTS (SELECT 1 FROM meters m WHERE m.meter_id = t.meter_id"
        " AND m.serial = t.serial AND m.account_id = a.id) ORDER BY t.line"
    )


def readings_seen(db: Database) -> list[tuple[int, str]]:
    return db.all(
        "SELECT t.line, t.reading_id FROM t_read t JOIN readings r ON r.reading_id = t.reading_id"
        " ORDER BY t.line"
    )


# ---------------------------------------------------------------------------- summary


def summary_by_code(db: Database) -> list[tuple[str, int, int]]:
    """(code as in the file, payments, kopecks) of ``t_pay``, by code ('' for none)."""
    rows = db.all(
        "SELECT COALESCE(code, ''), COUNT(*), COALESCE(SUM(amount), 0) FROM t_pay"
        " GROUP BY COALESCE(code, '') ORDER BY COALESCE(code, '')"
    )
    return [(str(c), int(n), int(s)) for c, n, s in rows]


def summary_services(db: Database) -> list[tuple[str, int, str, int | None]]:
    """(code, own code, name, provider id) of the services behind the codes ``t_pay`` uses."""
    return db.all(
        "SELECT k.code, s.code, s.name, s.provider_id FROM t_code k"
        " JOIN services s ON s.code = k.own"
        " WHERE EXISTS (SELECT 1 FROM t_pay t WHERE t.code = k.code) ORDER BY k.code, s.code"
    )


def summary_by_provider(db: Database) -> list[tuple[int | None, int, int]]:
    """(provider id or None for the association's own services, payments, kopecks) of the
    rows of ``t_pay`` whose code's services all have one provider; the codes shared by
    services of several providers are spread (``accept.spread_shared``) by the caller."""
    rows = db.all(
        "SELECT c.provider_id, COUNT(*), SUM(t.amount) FROM t_pay t"
        " JOIN (SELECT k.code, MIN(s.provider_id) AS provider_id FROM t_code k"
        " JOIN services s ON s.code = k.own GROUP BY k.code"
        " HAVING COUNT(DISTINCT COALESCE(s.provider_id, 0)) = 1) c ON c.code = t.code"
        " GROUP BY c.provider_id"
    )
    return [(None if p is None else int(p), int(n), int(s)) for p, n, s in rows]


def summary_mixed_codes(db: Database) -> list[str]:
    """Codes of ``t_pay`` whose services belong to more than one provider."""
    rows = db.all(
        "SELECT k.code FROM t_code k JOIN services s ON s.code = k.own"
        " WHERE EXISTS (SELECT 1 FROM t_pay t WHERE t.code = k.code)"
        " GROUP BY k.code HAVING COUNT(DISTINCT COALESCE(s.provider_id, 0)) > 1"
    )
    return [str(r[0]) for r in rows]


def providers(db: Database) -> dict[int, tuple[str, str]]:
    """Every provider: id -> (ИНН, name)."""
    return {int(i): (str(inn), str(name)) for i, inn, name in
            db.all("SELECT id, inn, name FROM providers")}  # fmt: skip
