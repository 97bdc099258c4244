"""SQL of the checks of a received Payments or Readings registry against the database.

The rows of the file are loaded into a temporary table (``t_pay`` or ``t_read``) batch by
batch as they are read, and every check is one set-based query over it: accounts, service
codes, the account's services, meters, ids accepted before. The errors are kept in
``t_err`` (the format's as they are found, then each check's, one INSERT ... SELECT, a
check's error left out where the format check already named that line with that text), so
that a registry of millions of broken lines is counted and its first errors listed without
holding them. Acceptance (``documents.py``) writes its documents and rows straight from the
same temporary tables, inside the same transaction, right after the check. The coding's
codes (a few dozen) go into ``t_code``. Plain SQL only; the rows go in by ``db.load_rows``
(COPY on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterable

from trayapp.core.db import dialect
from trayapp.core.db.connection import Database

CODING_COLUMNS = {"GOROD": "gorod_code", "SBER": "sber_code"}

# a payment row: line, payment_id, account, code, paid_at (ISO moment), amount, period,
# and 1 where the account is of the form of one (a malformed one is the format's error)
PayRow = tuple[int, str | None, str, str, str | None, int | None, int | None, int]
# a reading row: line, reading_id, account, meter_id, serial, taken_at (ISO moment), value,
# account of the form of one
ReadRow = tuple[int, str | None, str, str, str, str | None, int | None, int]
PAY_COLUMNS = ("line", "payment_id", "account", "code", "paid_at", "amount", "period", "acc_ok")
READ_COLUMNS = ("line", "reading_id", "account", "meter_id", "serial", "taken_at", "value",
                "acc_ok")  # fmt: skip

_PAY_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS t_pay (line INTEGER PRIMARY KEY, payment_id TEXT,"
    " account TEXT, code TEXT, paid_at TEXT, amount INTEGER, period INTEGER,"
    " account_id INTEGER, acc_ok INTEGER)"
)
_READ_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS t_read (line INTEGER PRIMARY KEY, reading_id TEXT,"
    " account TEXT, meter_id TEXT, serial TEXT, taken_at TEXT, value INTEGER, acc_ok INTEGER)"
)
# errors: the format's (src 0, seq the order found) and each check's (src 1, 2, ...)
_ERR_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS t_err (line INTEGER NOT NULL, src INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, msg TEXT NOT NULL, PRIMARY KEY (line, src, seq))"
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


# ---------------------------------------------------------------------------- errors


def start_errors(db: Database) -> None:
    db.execute(dialect.ddl(_ERR_TABLE, db.dialect))
    db.execute("DELETE FROM t_err")


def add_errors(db: Database, first_seq: int, errors: list[tuple[int, str]]) -> None:
    """The format check's errors, numbered in the order found from ``first_seq``."""
    db.executemany(
        "INSERT INTO t_err (line, src, seq, msg) VALUES (?, 0, ?, ?)",
        [(line, 2 * (first_seq + i), msg) for i, (line, msg) in enumerate(errors)],
    )  # even numbers: ``ids_twice`` puts its error between two of them


def _check(db: Database, table: str, src: int, msg: str, where: str) -> None:
    """One check's errors into ``t_err``: ``msg`` (an SQL text over ``t``) for each row
    of ``table`` (as ``t``) that ``where`` names, unless the format check named that
    line with that very text."""
    db.execute(
        f"INSERT INTO t_err (line, src, seq, msg) SELECT t.line, {src}, 0, {msg} FROM {table} t"
        f" WHERE {where} AND NOT EXISTS (SELECT 1 FROM t_err e WHERE e.line = t.line"
        f" AND e.msg = {msg})"
    )


def ids_twice(db: Database, table: str, column: str, text: str) -> None:
    """«``text``: id» for each line of ``table`` whose id (``column``) an earlier line has,
    as the format check names it (the reader holding no ids): among the format's errors of
    that line, after its «неверная кодировка», before the others (seq between them)."""
    db.execute(f"CREATE INDEX {table}_ids ON {table} ({column}, line)")
    msg = f"'{text}: ' || t.{column}"
    db.execute(
        "INSERT INTO t_err (line, src, seq, msg) SELECT t.line, 0, COALESCE("
        "(SELECT MIN(e.seq) - 1 FROM t_err e WHERE e.line = t.line AND e.src = 0"
        " AND e.msg <> 'неверная кодировка'),"
        " (SELECT MAX(e.seq) + 1 FROM t_err e WHERE e.line = t.line AND e.src = 0), 0),"
        f" {msg} FROM {table} t WHERE t.{column} IS NOT NULL AND EXISTS (SELECT 1 FROM {table} u"
        f" WHERE u.{column} = t.{column} AND u.line < t.line)"
    )
    db.execute(f"DROP INDEX {table}_ids")


def errors(db: Database, limit: int) -> tuple[int, list[tuple[int, str]]]:
    """How many errors ``t_err`` holds, and the first ``limit`` of them: by line, the format
    check's first (in the order found), then each check's, those of the file (line 0) last."""
    count = int(db.scalar("SELECT COUNT(*) FROM t_err") or 0)
    if not count:
        return 0, []
    rows = db.all(
        "SELECT line, msg FROM t_err ORDER BY CASE WHEN line = 0 THEN 1 ELSE 0 END, line, src,"
        " seq LIMIT ?",
        (limit,),
    )
    return count, [(int(n), str(m)) for n, m in rows]


# ---------------------------------------------------------------------------- payments


def start_payments(db: Database, codes: dict[str, tuple[int, ...]]) -> None:
    """Empty ``t_pay`` and ``t_err``, fill ``t_code`` with the coding's codes."""
    db.execute(dialect.ddl(_PAY_TABLE, db.dialect))
    db.execute(dialect.ddl(_CODE_TABLE, db.dialect))
    db.execute("DELETE FROM t_pay")
    db.execute("DELETE FROM t_code")
    start_errors(db)
    db.load_rows(
        "t_code", ("code", "own", "shared"),
        [(ext, own, int(len(owns) > 1)) for ext, owns in codes.items() for own in owns],
    )  # fmt: skip


def load_payments(db: Database, rows: Iterable[PayRow]) -> None:
    """Append a batch of the file's rows to ``t_pay``."""
    db.load_rows("t_pay", PAY_COLUMNS, rows)


def check_payments(db: Database, shared: bool) -> None:
    """Every check of ``t_pay`` into ``t_err``: accounts the database lacks (resolving
    ``t_pay.account_id`` once), codes the coding lacks (with ``ACCOUNT`` ``t_code`` is
    empty: any code), with ``shared`` codes several own services share that name none of
    the account's services (such a payment has nowhere to be spread; a code of one service
    is taken as it is, formats.md asking only for a code of the coding), and payment ids
    accepted before."""
    db.execute(
        "UPDATE t_pay SET account_id = (SELECT a.id FROM accounts a WHERE a.number = t_pay.account)"
    )
    _check(db, "t_pay", 1, "'неизв.лиц.счёт: ' || t.account",
           "t.account_id IS NULL AND t.acc_ok = 1")  # fmt: skip
    _check(db, "t_pay", 2, "'неизв.услуга: ' || t.code",
           "t.code <> '' AND NOT EXISTS (SELECT 1 FROM t_code k WHERE k.code = t.code)")  # fmt: skip
    if shared:
        has = HAS_SERVICE.format(acc="t.account_id", own="c.own")
        _check(db, "t_pay", 3, "'неизв.услуга: ' || t.code",
               "t.account_id IS NOT NULL AND t.code <> ''"
               " AND EXISTS (SELECT 1 FROM t_code k WHERE k.code = t.code AND k.shared = 1)"
               f" AND NOT EXISTS (SELECT 1 FROM t_code c WHERE c.code = t.code AND {has})")  # fmt: skip
    _check(db, "t_pay", 4, "'повтор платежа: ' || t.payment_id",
           "EXISTS (SELECT 1 FROM payments p WHERE p.payment_id = t.payment_id)")  # fmt: skip


def resolve_accounts(db: Database) -> None:
    """``t_pay.account_id`` of each row (what the summary spreads by)."""
    db.execute(
        "UPDATE t_pay SET account_id = (SELECT a.id FROM accounts a WHERE a.number = t_pay.account)"
    )


# ---------------------------------------------------------------------------- readings


def start_readings(db: Database) -> None:
    db.execute(dialect.ddl(_READ_TABLE, db.dialect))
    db.execute("DELETE FROM t_read")
    start_errors(db)


def load_readings(db: Database, rows: Iterable[ReadRow]) -> None:
    db.load_rows("t_read", READ_COLUMNS, rows)


def check_readings(db: Database) -> None:
    """Every check of ``t_read`` into ``t_err``: accounts, meters (of a known account,
    meter id and serial naming none of its meters; an empty meter id is the format's
    error), reading ids accepted before."""
    _check(db, "t_read", 1, "'неизв.лиц.счёт: ' || t.account",
           "t.acc_ok = 1 AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.number = t.account)")  # fmt: skip
    _check(db, "t_read", 2, "'неизв.счётчик: ' || t.meter_id",
           "t.meter_id <> '' AND EXISTS (SELECT 1 FROM accounts a WHERE a.number = t.account"
           " AND NOT EXISTS (SELECT 1 FROM meters m WHERE m.meter_id = t.meter_id"
           " AND m.serial = t.serial AND m.account_id = a.id))")  # fmt: skip
    _check(db, "t_read", 3, "'повтор показания: ' || t.reading_id",
           "EXISTS (SELECT 1 FROM readings r WHERE r.reading_id = t.reading_id)")  # fmt: skip


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
