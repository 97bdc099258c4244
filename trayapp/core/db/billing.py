"""SQL of the billing data: the upserts of table import (and, re-exported, its lookups and
the reads for export).

The importer validates rows in Python (references through the dicts returned here) and hands
this module ready parameter tuples; each upsert writes them set-based, several rows per
statement (multi-row ``VALUES`` with ``ON CONFLICT ... DO UPDATE``), which is what makes a
10-million-row import fast. A key that comes twice in a file: the last row wins, on both
backends (SQLite applies a multi-row upsert row by row; PostgreSQL refuses one key twice
in a statement, so there a batch is made unique by key first, the last row of a key at the
place of its first, then COPYed into a temporary table and upserted from it). The lookups
are ``billing_lookup``'s; the reads for export, and the direct inserts of accepted rows for
tests and the demo, ``billing_accepted``'s: both re-exported here. Plain SQL; imports nothing
of the app but the connection and the dialect.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from itertools import chain
from typing import Any

from trayapp.core.db import dialect
from trayapp.core.db.billing_accepted import (
    accepted_payments,
    accepted_readings,
    add_accepted_payment,
    add_accepted_reading,
    add_document,
    mark_payments_exported,
    mark_readings_exported,
)
from trayapp.core.db.billing_lookup import (
    account_ids,
    account_spans,
    accounts_named,
    meter_refs,
    metered_codes,
    meters_named,
    provider_ids,
    service_codes,
    spans_of,
)
from trayapp.core.db.connection import Database

log = logging.getLogger(__name__)

# the lookups and the accepted rows live apart (billing_lookup, billing_accepted): served here
__all__ = [
    "MAX_PARAMS", "Row", "accepted_payments", "accepted_readings", "account_ids",
    "account_spans", "accounts_named", "add_accepted_payment", "add_accepted_reading",
    "add_document", "count_rows", "flush", "insert_payments_unreferenced",
    "mark_payments_exported", "mark_readings_exported", "meter_refs", "metered_codes",
    "meters_named", "provider_ids", "refresh_periods", "service_codes", "spans_of", "upsert",
]  # fmt: skip

# at most this many parameters in one statement (the oldest SQLite limit, also fine for
# PostgreSQL): a 4-column table gets 249 rows per statement
MAX_PARAMS = 999

Row = Sequence[Any]

# kind -> (table, columns, conflict clause with its update)
_UPSERTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "org": (
        "org",
        ("id", "inn", "name", "kpp", "bank_account", "bik", "address"),
        "ON CONFLICT (id) DO UPDATE SET inn = excluded.inn, name = excluded.name, "
        "kpp = excluded.kpp, bank_account = excluded.bank_account, bik = excluded.bik, "
        "address = excluded.address",
    ),
    "providers": (
        "providers",
        ("inn", "name", "bank_account", "bik"),
        "ON CONFLICT (inn) DO UPDATE SET name = excluded.name, "
        "bank_account = excluded.bank_account, bik = excluded.bik",
    ),
    "services": (
        "services",
        ("code", "name", "unit", "gorod_code", "sber_code", "provider_id", "metered"),
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, unit = excluded.unit, "
        "gorod_code = excluded.gorod_code, sber_code = excluded.sber_code, "
        "provider_id = excluded.provider_id, metered = excluded.metered",
    ),
    "accounts": (
        "accounts",
        (
            "number", "full_name", "settlement", "street", "house", "premise",
            "premise_kind", "area", "opened", "closed",
        ),
        "ON CONFLICT (number) DO UPDATE SET full_name = excluded.full_name, "
        "settlement = excluded.settlement, street = excluded.street, house = excluded.house, "
        "premise = excluded.premise, premise_kind = excluded.premise_kind, "
        "area = excluded.area, opened = excluded.opened, closed = excluded.closed",
    ),
    "balances": (
        "balances",
        ("account_id", "service_code", "amount"),
        "ON CONFLICT (account_id, service_code) DO UPDATE SET amount = excluded.amount",
    ),
    "accruals": (
        "accruals",
        ("account_id", "service_code", "period", "amount"),
        "ON CONFLICT (account_id, service_code, period) DO UPDATE SET amount = excluded.amount",
    ),
    # payments with a reference; those without one go through insert_payments_unreferenced
    "payments": (
        "payments",
        ("account_id", "service_code", "paid_on", "amount", "source", "reference"),
        "ON CONFLICT (source, reference) WHERE reference IS NOT NULL DO UPDATE SET "
        "account_id = excluded.account_id, service_code = excluded.service_code, "
        "paid_on = excluded.paid_on, amount = excluded.amount",
    ),
    "meters": (
        "meters",
        ("meter_id", "account_id", "service_code", "serial", "installed", "initial_reading",
         "removed"),
        "ON CONFLICT (meter_id) DO UPDATE SET account_id = excluded.account_id, "
        "service_code = excluded.service_code, serial = excluded.serial, "
        "installed = excluded.installed, initial_reading = excluded.initial_reading, "
        "removed = excluded.removed",
    ),
    # imported readings are posted; the key is the partial unique index readings_import_key
    "readings": (
        "readings",
        ("meter_ref", "taken_at", "value", "posted", "source"),
        "ON CONFLICT (meter_ref, taken_at) WHERE source = 'import' DO UPDATE SET "
        "value = excluded.value, posted = 1",
    ),
}

# kind -> the columns of its conflict key
_KEYS: dict[str, tuple[str, ...]] = {
    "org": ("id",),
    "providers": ("inn",),
    "services": ("code",),
    "accounts": ("number",),
    "balances": ("account_id", "service_code"),
    "accruals": ("account_id", "service_code", "period"),
    "payments": ("source", "reference"),
    "meters": ("meter_id",),
    "readings": ("meter_ref", "taken_at"),
}

_COUNTS: dict[str, str] = {
    "org": "SELECT COUNT(*) FROM org",
    "providers": "SELECT COUNT(*) FROM providers",
    "services": "SELECT COUNT(*) FROM services",
    "accounts": "SELECT COUNT(*) FROM accounts",
    "balances": "SELECT COUNT(*) FROM balances",
    "accruals": "SELECT COUNT(*) FROM accruals",
    "payments": "SELECT COUNT(*) FROM payments",
    "meters": "SELECT COUNT(*) FROM meters",
    "readings": "SELECT COUNT(*) FROM readings WHERE source = 'import'",
}


class _Statement:
    """One upsert, prepared as text for a full chunk of rows and for a single row."""

    __slots__ = ("per", "many", "one")

    def __init__(self, table: str, columns: tuple[str, ...], conflict: str) -> None:
        conflict = _only_when_changed(table, conflict)
        group = "(" + ", ".join("?" * len(columns)) + ")"
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        self.per = max(1, MAX_PARAMS // len(columns))
        self.many = head + ", ".join([group] * self.per) + " " + conflict
        self.one = head + group + " " + conflict


def _only_when_changed(table: str, conflict: str) -> str:
    """``DO UPDATE SET a = excluded.a, ...`` made to touch a row only when a value differs,
    so that the statement's row count is the rows inserted or changed (plain SQL that
    PostgreSQL runs too: no ``IS NOT``/``IS DISTINCT FROM``)."""
    head, sep, sets = conflict.partition(" DO UPDATE SET ")
    columns = [part.split("=")[0].strip() for part in sets.split(", ")]
    differs = " OR ".join(
        f"{table}.{c} <> excluded.{c} OR ({table}.{c} IS NULL) <> (excluded.{c} IS NULL)"
        for c in columns
        if f"excluded.{c}" in sets
    )
    return f"{head}{sep}{sets} WHERE {differs}" if differs else conflict


_STATEMENTS = {kind: _Statement(*spec) for kind, spec in _UPSERTS.items()}


def flush(db: Database) -> int:
    """Wait for an upsert still running in the background; the rows it inserted or changed
    (PostgreSQL; 0 on SQLite, which writes every batch at once)."""
    return db.take_changed()


def count_rows(db: Database, kind: str) -> int:
    """Rows an import of ``kind`` keys (imported readings only, for readings)."""
    return int(db.scalar(_COUNTS[kind]))


# ----------------------------------------------------------------------------- upserts


def refresh_periods(db: Database) -> None:
    """Rebuild the list of months that have accruals (after accruals were written)."""
    db.execute("DELETE FROM accrual_periods")
    db.execute("INSERT INTO accrual_periods SELECT DISTINCT period FROM accruals")


def upsert(db: Database, kind: str, rows: Sequence[Row]) -> int:
    """Insert or update ``rows`` (parameter tuples in the order of the kind's columns).

    Returns the rows inserted or changed (a row written again with the same values is not;
    on PostgreSQL a batch written in the background is counted by a later call or by
    ``flush``).
    """
    table, columns, conflict = _UPSERTS[kind]
    changed_pg = db.upsert_distinct(
        table, columns, _KEYS[kind], _only_when_changed(table, conflict), rows
    )
    if changed_pg is not None:
        return changed_pg
    st = _STATEMENTS[kind]
    per = st.per
    n = len(rows)
    full = n - n % per
    changed = 0
    for i in range(0, full, per):
        changed += db.execute(st.many, list(chain.from_iterable(rows[i : i + per]))).rowcount
    if full < n:
        changed += db.executemany(st.one, rows[full:]).rowcount
    return changed


def insert_payments_unreferenced(db: Database, rows: Sequence[Row]) -> int:
    """Payments without a reference, keyed by all their fields: a row already there is kept.

    Each row is ``(account_id, service_code, paid_on, amount, source)``. Returns how many
    were inserted.
    """
    head = (
        "INSERT INTO payments (account_id, service_code, paid_on, amount, source) "
        "SELECT ?, CAST(? AS INTEGER), ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM payments WHERE account_id = ? "
    )
    tail = (
        " AND paid_on = ? AND amount = ? AND source = ? AND reference IS NULL "
        "AND COALESCE(payment_id, '') = '' AND share_of IS NULL)"
    )
    if db.dialect == "postgresql":
        return _insert_payments_unreferenced_bulk(db, rows)
    coded = [(a, s, p, m, src, a, s, p, m, src) for a, s, p, m, src in rows if s is not None]
    whole = [(a, s, p, m, src, a, p, m, src) for a, s, p, m, src in rows if s is None]
    inserted = 0
    if coded:
        inserted += db.executemany(head + "AND service_code = ?" + tail, coded).rowcount
    if whole:
        inserted += db.executemany(head + "AND service_code IS NULL" + tail, whole).rowcount
    return inserted


_PLAIN = (
    "CREATE TEMP TABLE IF NOT EXISTS t_plain (seq INTEGER, account_id INTEGER,"
    " service_code INTEGER, paid_on TEXT, amount INTEGER, source TEXT)"
)


def _insert_payments_unreferenced_bulk(db: Database, rows: Sequence[Row]) -> int:
    """The same, set-based (PostgreSQL: COPY, then one INSERT ... SELECT): a row twice in
    the batch is written once, as the row-by-row statement does, in the order of the file."""
    db.execute(dialect.ddl(_PLAIN, db.dialect))
    db.execute("DELETE FROM t_plain")
    db.load_rows("t_plain", ("seq", "account_id", "service_code", "paid_on", "amount", "source"),
                 ((i, *r) for i, r in enumerate(rows)))  # fmt: skip
    cur = db.execute(
        "INSERT INTO payments (account_id, service_code, paid_on, amount, source)"
        " SELECT account_id, service_code, paid_on, amount, source FROM ("
        " SELECT account_id, service_code, paid_on, amount, source, MIN(seq) AS seq FROM t_plain"
        " GROUP BY account_id, service_code, paid_on, amount, source) t"
        " WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.account_id = t.account_id"
        " AND p.service_code IS NOT DISTINCT FROM t.service_code AND p.paid_on = t.paid_on"
        " AND p.amount = t.amount AND p.source = t.source AND p.reference IS NULL"
        " AND COALESCE(p.payment_id, '') = '' AND p.share_of IS NULL"
        # OFFSET 0 keeps it a lookup by payments_account per row: as an anti-join the
        # planner (statistics from before the import) would scan the growing table per batch
        " OFFSET 0) ORDER BY t.seq"
    )
    return int(cur.rowcount)
