"""SQL of the billing data: lookups and upserts for table import, reads for export.

The importer validates rows in Python (references through the dicts returned here) and hands
this module ready parameter tuples; each upsert writes them set-based, several rows per
statement (multi-row ``VALUES`` with ``ON CONFLICT ... DO UPDATE``), which is what makes a
10-million-row import fast. A key that comes twice in a file: the last row wins, on both
backends (SQLite applies a multi-row upsert row by row; PostgreSQL refuses one key twice
in a statement, so there a batch is made unique by key first, the last row of a key at the
place of its first, then COPYed into a temporary table and upserted from it). Export reads payments and readings accepted from «Мои счета» and
marks them exported. A few helpers at the end insert accepted rows directly, for tests and
the demo, until the accept module writes them itself. Plain SQL; imports nothing of the app
but the connection.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from itertools import chain
from typing import Any

from trayapp.core.db import dialect, report_rows
from trayapp.core.db.connection import Database, now_text

log = logging.getLogger(__name__)

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


# ----------------------------------------------------------------------------- lookups


def account_ids(db: Database) -> dict[str, int]:
    """Account number -> id, for every account."""
    return dict(db.execute("SELECT number, id FROM accounts").fetchall())


def account_spans(db: Database) -> dict[int, tuple[str | None, str | None]]:
    """Account id -> (opened, closed) ISO dates, for the accounts that have either."""
    rows = db.execute(
        "SELECT id, opened, closed FROM accounts WHERE opened IS NOT NULL OR closed IS NOT NULL"
    ).fetchall()
    return {int(i): (o, c) for i, o, c in rows}


def accounts_named(db: Database, numbers: Collection[str]) -> dict[str, int]:
    """Account number -> id of the accounts ``numbers`` name, as written or once leading
    zeros are dropped on both sides (a preview's few rows: no need to load them all)."""
    values = sorted(set(numbers))
    out: dict[str, int] = {}
    for i in range(0, len(values), 400):
        part = values[i : i + 400]
        marks = ", ".join("?" * len(part))
        out.update(db.all(f"SELECT number, id FROM accounts WHERE number IN ({marks})"
                          f" OR ltrim(number, '0') IN ({marks})",
                          [*part, *(n.lstrip("0") for n in part)]))  # fmt: skip
    return out


def spans_of(db: Database, ids: Collection[int]) -> dict[int, tuple[str | None, str | None]]:
    """``account_spans`` for the accounts ``ids`` only."""
    values = sorted(set(ids))
    out: dict[int, tuple[str | None, str | None]] = {}
    for i in range(0, len(values), 400):
        part = values[i : i + 400]
        marks = ", ".join("?" * len(part))
        for a, o, c in db.all(f"SELECT id, opened, closed FROM accounts WHERE id IN ({marks})"
                              " AND (opened IS NOT NULL OR closed IS NOT NULL)", part):  # fmt: skip
            out[int(a)] = (o, c)
    return out


def meters_named(db: Database, meter_ids: Collection[str]) -> dict[str, int]:
    """``meter_refs`` for the meters ``meter_ids`` only."""
    values = sorted(set(meter_ids))
    out: dict[str, int] = {}
    for i in range(0, len(values), 400):
        part = values[i : i + 400]
        marks = ", ".join("?" * len(part))
        out.update(db.all(f"SELECT meter_id, id FROM meters WHERE meter_id IN ({marks})", part))
    return out


def metered_codes(db: Database) -> set[int]:
    """Own codes of the services billed by a meter."""
    return {code for (code,) in db.execute("SELECT code FROM services WHERE metered = 1")}


def service_codes(db: Database) -> set[int]:
    return {code for (code,) in db.execute("SELECT code FROM services").fetchall()}


def provider_ids(db: Database) -> dict[str, int]:
    """Provider ИНН -> id."""
    return dict(db.execute("SELECT inn, id FROM providers").fetchall())


def meter_refs(db: Database) -> dict[str, int]:
    """Meter id as imported -> the meters row id."""
    return dict(db.execute("SELECT meter_id, id FROM meters").fetchall())


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


# ----------------------------------------------------------------------------- export

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
