"""SQL of the printable reports: the rows of a registry or readings document, streamed.

``rows(db, sql, params)`` yields a query's rows a batch at a time (``fetchmany`` on SQLite,
a server-side stream on PostgreSQL), so that a report of 3,500,000 payments holds one
batch, never the whole. The connection is busy until the rows are read to the end or the
iterator is closed: callers close it (``contextlib.closing``) before their next statement.
Counts a report prints before its rows come from SQL aggregates. Plain SQL only.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from trayapp.core.db.connection import Database

Rows = Generator[tuple[Any, ...], None, None]  # closable: ``contextlib.closing``
FETCH = 2000  # rows per batch: a few hundred kB of tuples


def rows(db: Database, sql: str, params: tuple[Any, ...] = ()) -> Rows:
    """The rows of ``sql`` one by one, read ``FETCH`` at a time."""
    for batch in db.batches(sql, params, FETCH):
        yield from batch


def registry_payments(db: Database, document_id: int) -> Rows:
    """Payments of a registry document, in file order, streamed: (payment_id, paid_at,
    account, full_name, settlement, street, house, premise, service_code, service_name,
    provider_inn, provider_name, amount, registry_code, period, share)."""
    return rows(
        db,
        "SELECT COALESCE(p.payment_id, m.payment_id), p.paid_at, a.number, a.full_name,"
        " a.settlement, a.street, a.house, a.premise, p.service_code, s.name, v.inn, v.name,"
        " p.amount, p.registry_code, p.period, CASE WHEN p.share_of IS NULL THEN 0 ELSE 1 END"
        " FROM documents d JOIN payments p ON p.document_id = d.id"
        " JOIN accounts a ON a.id = p.account_id"
        " LEFT JOIN payments m ON m.id = p.share_of"
        " LEFT JOIN services s ON s.code = p.service_code"
        " LEFT JOIN providers v ON v.id = s.provider_id"
        " WHERE d.parent_id = ? ORDER BY d.id, p.id",
        (document_id,),
    )


def document_readings(db: Database, document_id: int) -> Rows:
    """Readings of a readings document, streamed: (reading_id, taken_at, account,
    full_name, settlement, street, house, premise, meter_id, serial, service_name, value,
    below_previous, posted)."""
    return rows(
        db,
        "SELECT r.reading_id, r.taken_at, a.number, a.full_name, a.settlement, a.street,"
        " a.house, a.premise, m.meter_id, m.serial, s.name, r.value, r.below_previous, r.posted"
        " FROM readings r JOIN meters m ON m.id = r.meter_ref"
        " JOIN accounts a ON a.id = m.account_id"
        " LEFT JOIN services s ON s.code = m.service_code"
        " WHERE r.document_id = ? ORDER BY r.id",
        (document_id,),
    )


def readings_counts(db: Database, document_id: int) -> tuple[int, int]:
    """(readings, of them below the previous one) of a readings document."""
    row = db.one(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN r.below_previous <> 0 THEN 1 ELSE 0 END), 0)"
        " FROM readings r JOIN meters m ON m.id = r.meter_ref"
        " JOIN accounts a ON a.id = m.account_id WHERE r.document_id = ?",
        (document_id,),
    )
    return int(row[0]), int(row[1])
