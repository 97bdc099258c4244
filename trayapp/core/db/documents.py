"""SQL of accepted registries: documents, accepted payments and readings, posting, reports.

Journals: ``receipts`` (Поступления) holds one ``registry`` document («Реестр "Мои счета"»)
per accepted Payments registry and one ``payment`` document («Платёж из БС») per payment,
child of the registry one; ``accruals`` (Начисления) holds one ``readings`` document
(«Показания новые») per accepted Readings registry. Numbers are per journal, six digits
with leading zeros, the next one being the journal's highest plus one. Payments and
readings are written set-based from the temporary tables ``t_pay`` / ``t_read`` that
``incoming.py`` filled during the check, in the same transaction. Plain SQL only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trayapp.core.db import dialect
from trayapp.core.db.connection import Database
from trayapp.core.db.incoming import HAS_SERVICE

SOURCE = "moischeta"
READINGS_COMMENT = "Принято из 'Мои счета'"


def format_number(n: int) -> str:
    return f"{n:06d}"


def _number_sql(expr: str) -> str:
    """A document number from an integer SQL expression (six digits, more when it grows)."""
    return (
        f"CASE WHEN {expr} < 1000000 THEN substr(CAST(1000000 + {expr} AS TEXT), 2)"
        f" ELSE CAST({expr} AS TEXT) END"
    )


def next_number(db: Database, journal: str, kind: str) -> int:
    """The next number of a document of ``kind`` in ``journal``: each kind has its own
    sequence, so registries are numbered 1, 2, 3 whatever their payments (call inside the
    writing transaction)."""
    top = db.scalar(
        "SELECT MAX(CAST(number AS INTEGER)) FROM documents WHERE journal = ? AND kind = ?",
        (journal, kind),
    )
    return int(top or 0) + 1


# ---------------------------------------------------------------------------- payments


def next_ids(db: Database) -> tuple[int, int]:
    """The next free ids of documents and payments (explicit ids let one set-based INSERT
    link rows without looking each up)."""
    d = db.scalar("SELECT MAX(id) FROM documents")
    p = db.scalar("SELECT MAX(id) FROM payments")
    # rows written without an id (payments of one own service) follow the highest one
    db.sync_ids("payments")
    return int(d or 0) + 1, int(p or 0) + 1


def insert_document(
    db: Database,
    journal: str,
    kind: str,
    number: str,
    doc_date: str,
    created_at: str,
    comment: str = "",
    file_id: int | None = None,
    rows: int | None = None,
    total: int | None = None,
    posted: bool = False,
    doc_id: int | None = None,
) -> int:
    values = (journal, kind, number, doc_date, comment, int(posted), file_id, rows, total,
              created_at)  # fmt: skip
    cols = "journal, kind, number, doc_date, comment, posted, file_id, rows_count, total, created_at"
    if doc_id is None:
        return db.insert(f"INSERT INTO documents ({cols}) VALUES ({', '.join('?' * 10)})", values)
    db.execute(f"INSERT INTO documents (id, {cols}) VALUES ({', '.join('?' * 11)})",
               (doc_id, *values))  # fmt: skip
    db.sync_ids("documents")
    return doc_id


def insert_payment_documents(
    db: Database, parent_id: int, number_offset: int, id_offset: int, created_at: str
) -> None:
    """One «Платёж из БС» per row of ``t_pay``: id ``line + id_offset``, number
    ``line + number_offset``, dated the day paid, comment the payment id."""
    db.execute(
        "INSERT INTO documents (id, journal, kind, number, doc_date, comment, posted, parent_id,"
        " rows_count, total, created_at)"
        f" SELECT t.line + :ids, 'receipts', 'payment', {_number_sql('(t.line + :off)')},"
        " substr(t.paid_at, 1, 10), t.payment_id, 1, :parent, 1, t.amount, :created"
        " FROM t_pay t ORDER BY t.line",
        {"ids": id_offset, "off": number_offset, "parent": parent_id, "created": created_at},
    )
    db.sync_ids("documents")


def insert_payments(db: Database, id_offset: int) -> int:
    """The payments of ``t_pay`` whose code is one own service's (or empty): one row each,
    with the payment document of id ``line + id_offset``."""
    cur = db.execute(
        "INSERT INTO payments (account_id, service_code, paid_on, paid_at, amount, period,"
        " source, payment_id, registry_code, document_id)"
        " SELECT t.account_id, (SELECT c.own FROM t_code c WHERE c.code = t.code),"
        " substr(t.paid_at, 1, 10), t.paid_at, t.amount, t.period, 'moischeta', t.payment_id,"
        " t.code, t.line + :ids FROM t_pay t"
        " WHERE NOT EXISTS (SELECT 1 FROM t_code s WHERE s.code = t.code AND s.shared = 1)"
        " ORDER BY t.line",
        {"ids": id_offset},
    )
    return int(cur.rowcount)


_SHARED_TABLE = "CREATE TEMP TABLE IF NOT EXISTS t_shared (k INTEGER PRIMARY KEY, line INTEGER NOT NULL)"
_SHARE_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS t_share (id INTEGER PRIMARY KEY, account_id INTEGER,"
    " service_code INTEGER, paid_at TEXT, amount INTEGER, period INTEGER, payment_id TEXT,"
    " code TEXT, document_id INTEGER, share_of INTEGER)"
)


def order_shared(db: Database, codes: Iterable[str] | None = None) -> int:
    """Number the rows of ``t_pay`` whose code several own services share (only ``codes``
    of them, when given) in ``t_shared`` by the order they were made: moment paid, then
    line (``k`` from 1). Returns how many."""
    db.execute(dialect.ddl(_SHARED_TABLE, db.dialect))
    db.execute("DELETE FROM t_shared")
    only, params = "", {}
    if codes is not None:
        names = {f"c{i}": c for i, c in enumerate(codes)}
        if not names:
            return 0
        only = f" AND t.code IN ({', '.join(':' + n for n in names)})"
        params = names
    cur = db.execute(
        "INSERT INTO t_shared (k, line) SELECT ROW_NUMBER() OVER (ORDER BY t.paid_at, t.line),"
        " t.line FROM t_pay t"
        f" WHERE EXISTS (SELECT 1 FROM t_code s WHERE s.code = t.code AND s.shared = 1){only}",
        params,
    )
    return int(cur.rowcount)


def shared_payments(db: Database, id_offset: int, first: int, last: int) -> list[tuple[Any, ...]]:
    """Rows ``first`` to ``last`` (``k`` of ``t_shared``) in that order:
    (line, account_id, document_id, paid_at, amount, period, payment_id, code)."""
    return db.all(
        "SELECT t.line, t.account_id, t.line + :ids, t.paid_at, t.amount, t.period,"
        " t.payment_id, t.code FROM t_shared s JOIN t_pay t ON t.line = s.line"
        " WHERE s.k BETWEEN :first AND :last ORDER BY s.k",
        {"ids": id_offset, "first": first, "last": last},
    )


def shared_debts(db: Database, first: int, last: int) -> list[tuple[int, int, int]]:
    """(line, own code, debt) of the account's services that the shared code of each of
    the rows ``first`` to ``last`` of ``t_shared`` names.

    The debt: opening balance + accruals of months up to the one paid for − payments to that
    service dated on or before the payment's day (payments to the whole account left out;
    the shares of this registry are not in ``payments`` until ``insert_payment_shares``).
    """
    has = HAS_SERVICE.format(acc="t.account_id", own="c.own")
    return db.all(
        "SELECT t.line, c.own,"
        " COALESCE((SELECT b.amount FROM balances b WHERE b.account_id = t.account_id"
        " AND b.service_code = c.own), 0)"
        " + COALESCE((SELECT SUM(r.amount) FROM accruals r WHERE r.account_id = t.account_id"
        " AND r.service_code = c.own AND r.period <= t.period), 0)"
        " - COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.account_id = t.account_id"
        " AND p.service_code = c.own AND p.paid_on <= substr(t.paid_at, 1, 10)), 0)"
        " FROM t_shared s JOIN t_pay t ON t.line = s.line"
        " JOIN t_code c ON c.code = t.code AND c.shared = 1"
        f" WHERE s.k BETWEEN :first AND :last AND {has} ORDER BY t.line, c.own",
        {"first": first, "last": last},
    )


def stage_payment_shares(db: Database, rows: list[tuple[Any, ...]], first: bool) -> None:
    """Shares of spread payments into ``t_share`` (emptied ``first``), each row (id,
    account_id, service_code, paid_at, amount, period, payment_id or None, code,
    document_id, share_of or None): written to ``payments`` at once by
    ``insert_payment_shares`` when all are spread."""
    if first:
        db.execute(dialect.ddl(_SHARE_TABLE, db.dialect))
        db.execute("DELETE FROM t_share")
    db.load_rows("t_share", ("id", "account_id", "service_code", "paid_at", "amount", "period",
                             "payment_id", "code", "document_id", "share_of"), rows)  # fmt: skip


def insert_payment_shares(db: Database) -> None:
    """The shares staged in ``t_share`` into ``payments``, in the order of their ids."""
    db.execute(
        "INSERT INTO payments (id, account_id, service_code, paid_on, paid_at, amount, period,"
        " source, payment_id, registry_code, document_id, share_of)"
        " SELECT id, account_id, service_code, substr(paid_at, 1, 10), paid_at, amount, period,"
        " 'moischeta', payment_id, code, document_id, share_of FROM t_share ORDER BY id"
    )
    db.sync_ids("payments")


# ---------------------------------------------------------------------------- readings


def insert_readings(db: Database, document_id: int) -> int:
    """The readings of ``t_read``, unposted, each marked where below the meter's previous one
    (its latest posted reading before the moment, else its initial reading)."""
    cur = db.execute(
        "INSERT INTO readings (meter_ref, taken_at, value, posted, source, reading_id,"
        " below_previous, document_id)"
        " SELECT m.id, t.taken_at, t.value, 0, 'moischeta', t.reading_id,"
        " CASE WHEN t.value < COALESCE((SELECT r.value FROM readings r WHERE r.meter_ref = m.id"
        " AND r.posted = 1 AND r.taken_at < t.taken_at ORDER BY r.taken_at DESC, r.id DESC"
        " LIMIT 1), m.initial_reading) THEN 1 ELSE 0 END, ?"
        " FROM t_read t JOIN accounts a ON a.number = t.account"
        " JOIN meters m ON m.meter_id = t.meter_id AND m.serial = t.serial AND m.account_id = a.id"
        " ORDER BY t.line",
        (document_id,),
    )
    return int(cur.rowcount)


# ---------------------------------------------------------------------------- lookups


def find_document(db: Database, journal: str, kind: str, number: str) -> tuple[Any, ...] | None:
    """(id, number, doc_date, comment, posted, file_id, rows_count, total, created_at)."""
    row = db.one(
        "SELECT id, number, doc_date, comment, posted, file_id, rows_count, total, created_at"
        " FROM documents WHERE journal = ? AND kind = ? AND number = ?",
        (journal, kind, number),
    )
    return tuple(row) if row else None


def document_of_file(db: Database, file_id: int) -> tuple[str, str] | None:
    """(kind, number) of the registry or readings document made from a file."""
    row = db.one(
        "SELECT kind, number FROM documents WHERE file_id = ? AND kind IN ('registry', 'readings')",
        (file_id,),
    )
    return (str(row[0]), str(row[1])) if row else None


def post_readings(db: Database, document_id: int) -> int:
    """Mark a readings document and its readings posted; returns the count of readings."""
    db.execute("UPDATE documents SET posted = 1 WHERE id = ?", (document_id,))
    cur = db.execute("UPDATE readings SET posted = 1 WHERE document_id = ?", (document_id,))
    return int(cur.rowcount)


def readings_below_previous(db: Database, document_id: int) -> list[tuple[Any, ...]]:
    """Readings of a document below the meter's previous one as of now (its latest posted
    reading before the moment, else its initial reading): (meter_id, serial, account,
    service name, previous value, value, taken_at, reading row id), in document order."""
    prev = ("COALESCE((SELECT p.value FROM readings p WHERE p.meter_ref = m.id AND p.posted = 1"
            " AND p.taken_at < r.taken_at ORDER BY p.taken_at DESC, p.id DESC LIMIT 1),"
            " m.initial_reading)")  # fmt: skip
    return db.all(
        f"SELECT m.meter_id, m.serial, a.number, s.name, {prev}, r.value, r.taken_at, r.id"
        " FROM readings r JOIN meters m ON m.id = r.meter_ref"
        " JOIN accounts a ON a.id = m.account_id"
        " LEFT JOIN services s ON s.code = m.service_code"
        f" WHERE r.document_id = ? AND r.value < {prev} ORDER BY r.id",
        (document_id,),
    )


def move_readings(db: Database, reading_ids: list[int], from_id: int, to_id: int) -> int:
    """Move readings (row ids) of document ``from_id`` to document ``to_id``, fixing both
    documents' row counts; returns how many moved (those of ``from_id`` only)."""
    moved = 0
    for i in range(0, len(reading_ids), 500):
        part = reading_ids[i:i + 500]
        cur = db.execute(f"UPDATE readings SET document_id = ? WHERE document_id = ?"
                         f" AND id IN ({', '.join('?' * len(part))})", (to_id, from_id, *part))  # fmt: skip
        moved += int(cur.rowcount)
    for doc in (from_id, to_id):
        db.execute("UPDATE documents SET rows_count = (SELECT COUNT(*) FROM readings r"
                   " WHERE r.document_id = ?) WHERE id = ?", (doc, doc))  # fmt: skip
    return moved


def readings_of_meters(db: Database, document_id: int, meter_ids: list[str]
                       ) -> list[tuple[int, str]]:  # fmt: skip
    """(reading row id, meter id) of a document's readings on meters of those meter ids."""
    if not meter_ids:
        return []
    return [(int(r[0]), str(r[1])) for r in db.all(
        "SELECT r.id, m.meter_id FROM readings r JOIN meters m ON m.id = r.meter_ref"
        f" WHERE r.document_id = ? AND m.meter_id IN ({', '.join('?' * len(meter_ids))})"
        " ORDER BY r.id", (document_id, *meter_ids))]  # fmt: skip


def file_name(db: Database, file_id: int | None) -> str:
    if file_id is None:
        return ""
    return str(db.scalar("SELECT name FROM files WHERE id = ?", (file_id,)) or "")


def org(db: Database) -> tuple[str, str]:
    """(ИНН, name) of the association, empty where not loaded."""
    row = db.one("SELECT inn, name FROM org WHERE id = 1")
    return (str(row[0]), str(row[1])) if row else ("", "")


def unposted_readings(db: Database) -> list[tuple[str, str, int]]:
    """(number, doc_date, rows) of the «Показания новые» documents not yet posted, oldest first."""
    rows = db.all(
        "SELECT number, doc_date, rows_count FROM documents"
        " WHERE journal = 'accruals' AND kind = 'readings' AND posted = 0 ORDER BY id"
    )
    return [(str(r[0]), str(r[1]), int(r[2] or 0)) for r in rows]
