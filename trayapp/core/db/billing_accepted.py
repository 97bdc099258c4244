"""SQL of the payments and readings accepted from «Мои счета»: read for the export to the
billing program and marked exported; and, for tests and the demo, inserted directly as
accepting a registry writes them.

A payment spread over services at acceptance is one row per share (the first carries
``payment_id``, the others ``share_of``). Split from ``billing`` (the import's upserts), which
re-exports these names. Plain SQL; imports nothing of the app but the connection.
"""

from __future__ import annotations

from trayapp.core.db import report_rows
from trayapp.core.db.connection import Database, now_text

# The «Платёж из БС» document of a payment and its parent «Реестр "Мои счета"»; a payment
# pointing at the registry document itself is taken as well. A payment spread over services
# at acceptance is one row per share: the first carries payment_id, the others share_of.
_PAYMENTS_FROM = """
FROM payments p
LEFT JOIN payments s ON s.id = p.share_of
JOIN accounts a ON a.id = p.account_id
JOIN documents d ON d.id = p.document_id
JOIN documents r ON r.id = CASE WHEN d.kind = 'registry' THEN d.id ELSE d.parent_id END
LEFT JOIN files f ON f.id = r.file_id
WHERE p.source = 'moischeta' AND (p.payment_id IS NOT NULL OR p.share_of IS NOT NULL)
"""

_READINGS_FROM = """
FROM readings g
JOIN meters m ON m.id = g.meter_ref
JOIN accounts a ON a.id = m.account_id
JOIN documents d ON d.id = g.document_id
WHERE g.source = 'moischeta'
"""


def accepted_payments(db: Database, all_rows: bool) -> report_rows.Rows:
    """Payments accepted from «Мои счета», not exported yet unless ``all_rows``, streamed
    (close the iterator before the next statement: ``report_rows``).

    Rows: document_number, registry_file, payment_id, paid_at (ISO moment), account,
    service_code (None for the whole account), amount (kopecks), period (yyyymm).
    """
    where = "" if all_rows else " AND p.exported = 0"
    return report_rows.rows(
        db,
        "SELECT r.number, COALESCE(f.name, ''), COALESCE(p.payment_id, s.payment_id), "
        "COALESCE(p.paid_at, "
        "p.paid_on || ' 00:00:00'), a.number, p.service_code, p.amount, p.period "
        + _PAYMENTS_FROM
        + where
        + " ORDER BY r.id, p.id",
    )


def count_accepted(db: Database, kind: str, all_rows: bool) -> int:
    """How many rows ``accepted_payments`` (``kind`` payments) or ``accepted_readings``
    would give."""
    if kind == "payments":
        sql = "SELECT COUNT(*) " + _PAYMENTS_FROM + ("" if all_rows else " AND p.exported = 0")
    else:
        sql = "SELECT COUNT(*) " + _READINGS_FROM + ("" if all_rows else " AND g.exported = 0")
    return int(db.scalar(sql) or 0)


def mark_payments_exported(db: Database) -> int:
    cur = db.execute(
        "UPDATE payments SET exported = 1 WHERE exported = 0 AND id IN (SELECT p.id "
        + _PAYMENTS_FROM
        + ")"
    )
    return int(cur.rowcount)


def accepted_readings(db: Database, all_rows: bool) -> report_rows.Rows:
    """Readings accepted from «Мои счета», not exported yet unless ``all_rows``, streamed.

    Rows: document_number, account, meter_id, serial, taken_at (ISO moment), value
    (thousandths), below_previous, posted.
    """
    where = "" if all_rows else " AND g.exported = 0"
    return report_rows.rows(
        db,
        "SELECT d.number, a.number, m.meter_id, m.serial, g.taken_at, g.value, "
        "g.below_previous, g.posted " + _READINGS_FROM + where + " ORDER BY d.id, g.id",
    )


def mark_readings_exported(db: Database) -> int:
    cur = db.execute(
        "UPDATE readings SET exported = 1 WHERE exported = 0 AND id IN (SELECT g.id "
        + _READINGS_FROM
        + ")"
    )
    return int(cur.rowcount)


# ----------------------------------------------------------------------------- accepted rows
# Direct inserts of what accepting a registry writes, for tests and the demo.


def add_document(
    db: Database,
    *,
    journal: str,
    kind: str,
    number: str,
    doc_date: str,
    comment: str = "",
    posted: bool = False,
    parent_id: int | None = None,
    file_name: str | None = None,
) -> int:
    """A document (with a received file row when ``file_name`` is given); its id."""
    now = now_text()
    file_id = None
    if file_name is not None:
        file_id = db.insert(
            "INSERT INTO files (name, direction, sha256, kind, status, created_at, updated_at) "
            "VALUES (?, 'in', '', ?, 'accepted', ?, ?)",
            (file_name, "PAYMENTS" if kind == "registry" else "READINGS", now, now),
        )
    return db.insert(
        "INSERT INTO documents (journal, kind, number, doc_date, comment, posted, parent_id, "
        "file_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (journal, kind, number, doc_date, comment, int(posted), parent_id, file_id, now),
    )


def add_accepted_payment(
    db: Database,
    *,
    document_id: int,
    payment_id: str | None,
    paid_at: str,
    account: str,
    service_code: int | None,
    amount: int,
    period: int,
    registry_code: str | None = None,
    share_of: int | None = None,
) -> int:
    """A payment accepted from «Мои счета» (``paid_at`` an ISO moment); its row id.

    A further share of a spread payment has ``payment_id`` None and ``share_of`` the row id
    of the first share."""
    return db.insert(
        "INSERT INTO payments (account_id, service_code, paid_on, paid_at, amount, period, "
        "source, payment_id, registry_code, document_id, share_of) "
        "SELECT id, CAST(? AS INTEGER), ?, ?, ?, ?, 'moischeta', ?, ?, ?, CAST(? AS INTEGER)"
        " FROM accounts WHERE number = ?",
        (service_code, paid_at[:10], paid_at, amount, period, payment_id, registry_code,
         document_id, share_of, account),
    )


def add_accepted_reading(
    db: Database,
    *,
    document_id: int,
    reading_id: str,
    meter_id: str,
    taken_at: str,
    value: int,
    below_previous: bool = False,
    posted: bool = False,
) -> int:
    """A reading accepted from «Мои счета» (``taken_at`` an ISO moment); its row id."""
    return db.insert(
        "INSERT INTO readings (meter_ref, taken_at, value, posted, source, reading_id, "
        "below_previous, document_id) "
        "SELECT id, ?, ?, ?, 'moischeta', ?, ?, ? FROM meters WHERE meter_id = ?",
        (taken_at, value, int(posted), reading_id, int(below_previous), document_id, meter_id),
    )
