"""The database schema and its migrations.

Plain SQL that PostgreSQL also takes (no SQLite-only types; WITHOUT ROWID is the one
SQLite clause, applied by ``connection.py`` only when it runs on SQLite). Money is integer
kopecks, readings integer thousandths, months ``yyyymm`` integers, dates ISO text
(``YYYY-MM-DD``), moments ISO text (``YYYY-MM-DD HH:MM:SS``).

Migrations are a list: index ``i`` brings the schema from version ``i`` to ``i + 1``. A
migration is SQL (one text, or one per dialect), or a list of such texts and Python steps
(``Step``: called with a function that runs one SQL statement, ``?`` parameters, and gives
its rows, and the dialect's name), run in order in the migration's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from trayapp.core.db import bank_rekey

V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE org (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    inn TEXT NOT NULL, name TEXT NOT NULL, kpp TEXT, bank_account TEXT, bik TEXT, address TEXT
);

CREATE TABLE providers (
    id INTEGER PRIMARY KEY,
    inn TEXT NOT NULL UNIQUE, name TEXT NOT NULL, bank_account TEXT, bik TEXT
);

-- the service catalogue (справочник ЖКУ); code is the catalogue's own code
CREATE TABLE services (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL, unit TEXT, gorod_code TEXT, sber_code TEXT,
    provider_id INTEGER REFERENCES providers(id),
    metered INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    settlement TEXT NOT NULL DEFAULT '', street TEXT NOT NULL, house TEXT NOT NULL,
    premise TEXT NOT NULL DEFAULT '',
    premise_kind TEXT NOT NULL DEFAULT 'apartment',
    area TEXT, opened TEXT, closed TEXT
);

CREATE TABLE balances (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    service_code INTEGER NOT NULL REFERENCES services(code),
    amount INTEGER NOT NULL,
    PRIMARY KEY (account_id, service_code)
) /*WITHOUT_ROWID*/;

CREATE TABLE accruals (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    service_code INTEGER NOT NULL REFERENCES services(code),
    period INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (account_id, service_code, period)
) /*WITHOUT_ROWID*/;

-- every registry file sent or received.
-- direction 'out': status generated / sent / ok / error
-- direction 'in' : status received / pending / broken / accepting / accepted / answer
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    direction TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    rows_count INTEGER,
    total INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (direction, name)
);

-- journals of documents: 'receipts' (Поступления) and 'accruals' (Начисления)
-- kinds: 'registry' (Реестр "Мои счета"), 'payment' (Платёж из БС),
--        'readings' (Показания новые)
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    journal TEXT NOT NULL,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    doc_date TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    posted INTEGER NOT NULL DEFAULT 0,
    parent_id INTEGER REFERENCES documents(id),
    file_id INTEGER REFERENCES files(id),
    rows_count INTEGER,
    total INTEGER,
    created_at TEXT NOT NULL,
    UNIQUE (journal, kind, number)
);
CREATE INDEX documents_parent ON documents(parent_id);
-- a registry file is accepted at most once: the database itself refuses a second time
CREATE UNIQUE INDEX documents_one_per_file ON documents(file_id) WHERE kind IN ('registry', 'readings');

-- source: 'import' (from the billing program) or 'moischeta' (accepted from the service)
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    service_code INTEGER REFERENCES services(code),
    paid_on TEXT NOT NULL,
    paid_at TEXT,
    amount INTEGER NOT NULL,
    period INTEGER,
    source TEXT NOT NULL DEFAULT '',
    reference TEXT,
    payment_id TEXT UNIQUE,
    registry_code TEXT,
    document_id INTEGER REFERENCES documents(id),
    exported INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX payments_reference ON payments(source, reference) WHERE reference IS NOT NULL;
CREATE INDEX payments_account ON payments(account_id, service_code, paid_on, amount);
CREATE INDEX payments_document ON payments(document_id);

CREATE TABLE meters (
    id INTEGER PRIMARY KEY,
    meter_id TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    service_code INTEGER NOT NULL REFERENCES services(code),
    serial TEXT NOT NULL,
    installed TEXT NOT NULL,
    initial_reading INTEGER NOT NULL,
    removed TEXT
);
CREATE INDEX meters_account ON meters(account_id);

CREATE TABLE readings (
    id INTEGER PRIMARY KEY,
    meter_ref INTEGER NOT NULL REFERENCES meters(id),
    taken_at TEXT NOT NULL,
    value INTEGER NOT NULL,
    posted INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT 'import',
    reading_id TEXT UNIQUE,
    below_previous INTEGER NOT NULL DEFAULT 0,
    document_id INTEGER REFERENCES documents(id),
    exported INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX readings_import_key ON readings(meter_ref, taken_at) WHERE source = 'import';
CREATE INDEX readings_meter ON readings(meter_ref, posted, taken_at);
CREATE INDEX readings_document ON readings(document_id);

-- one row per exchange session
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    ok INTEGER NOT NULL DEFAULT 0,
    sent INTEGER NOT NULL DEFAULT 0,
    received INTEGER NOT NULL DEFAULT 0,
    answers_ok INTEGER NOT NULL DEFAULT 0,
    answers_error INTEGER NOT NULL DEFAULT 0,
    broken INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]'
);

-- events the user must see (rejected registries, broken incoming files), for notifications
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    level TEXT NOT NULL,
    text TEXT NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0
);
"""

# V2 (accept.py): a payment to a code several own services share is stored as one row per
# share; the first share's row carries payment_id, the others point to it by share_of.
V2 = """
ALTER TABLE payments ADD COLUMN share_of INTEGER REFERENCES payments(id);
"""

# V3: the months that have accruals, kept by the import (db.billing.refresh_periods), so that
# the default billing month and a check of --month need not scan millions of accruals.
V3 = """
CREATE TABLE accrual_periods (period INTEGER PRIMARY KEY);
INSERT INTO accrual_periods SELECT DISTINCT period FROM accruals;
"""

# V4 (bank.md): bank statements and their incoming documents, and the match of each
# payments registry kept at its acceptance. A document is the same when the payee's account,
# its number, date, sum and the payer's ИНН are: importing a statement again adds nothing.
V4 = """
CREATE TABLE bank_statements (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    accounts TEXT NOT NULL DEFAULT '',
    date_from TEXT,
    date_to TEXT,
    documents INTEGER NOT NULL,
    incoming INTEGER NOT NULL,
    inserted INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE bank_documents (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES bank_statements(id),
    payee_account TEXT NOT NULL,
    number TEXT NOT NULL,
    doc_date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    payer_inn TEXT NOT NULL DEFAULT '',
    entry_date TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    payer TEXT NOT NULL DEFAULT '',
    payer_account TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    UNIQUE (payee_account, number, doc_date, amount, payer_inn)
);
CREATE INDEX bank_documents_entry ON bank_documents(entry_date);

-- the match of an accepted payments registry, as it was at the acceptance
CREATE TABLE bank_matches (
    file_id INTEGER PRIMARY KEY REFERENCES files(id),
    status TEXT NOT NULL,
    fee INTEGER NOT NULL,
    expected INTEGER NOT NULL,
    difference INTEGER,
    matched_at TEXT NOT NULL
);
-- its documents: bound (matched, mismatch) or only listed (ambiguous)
CREATE TABLE bank_match_documents (
    file_id INTEGER NOT NULL REFERENCES bank_matches(file_id),
    document_id INTEGER NOT NULL REFERENCES bank_documents(id),
    bound INTEGER NOT NULL,
    PRIMARY KEY (file_id, document_id)
);
CREATE INDEX bank_match_documents_document ON bank_match_documents(document_id);
"""

# V5 (reconcile.py): the registries each document's purpose names, read once at import, so
# that the matcher fetches only the documents that can matter; documents by sum. The meta
# key ``bank_references`` (absent here) makes the next reconcile read every purpose held.
V5 = """
CREATE INDEX bank_documents_amount ON bank_documents(amount, entry_date);

CREATE TABLE bank_references (
    document_id INTEGER NOT NULL REFERENCES bank_documents(id),
    ref_date TEXT NOT NULL,
    ref_number INTEGER NOT NULL,
    PRIMARY KEY (document_id, ref_date, ref_number)
);
CREATE INDEX bank_references_registry ON bank_references(ref_date, ref_number);
"""

BANK_IDENTITY_V6 = """
CREATE UNIQUE INDEX bank_documents_identity ON bank_documents
    (payee_account, number, doc_date, amount, kind, payer_account, payer_inn);
"""

# V6 (bank.md, issue 16): a document is the same when its kind (``СекцияДокумент=``), the
# payee's account, number, date, sum, the payer's account and ИНН are: a payment order and a
# payment request of one number, date and sum are two documents (the old key dropped the
# second). The columns were kept since V4, so every held row keeps the kind and payer's
# account it was read with. SQLite cannot drop a table's UNIQUE clause: the table is built
# again with the same ids, the references to it checked at the commit (defer_foreign_keys).
V6_SQLITE = """
PRAGMA defer_foreign_keys = ON;
CREATE TABLE bank_documents_v5 AS SELECT * FROM bank_documents;
DROP TABLE bank_documents;
CREATE TABLE bank_documents (
    id INTEGER PRIMARY KEY,
    statement_id INTEGER NOT NULL REFERENCES bank_statements(id),
    payee_account TEXT NOT NULL,
    number TEXT NOT NULL,
    doc_date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    payer_inn TEXT NOT NULL DEFAULT '',
    entry_date TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    payer TEXT NOT NULL DEFAULT '',
    payer_account TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT ''
);
INSERT INTO bank_documents (id, statement_id, payee_account, number, doc_date, amount,
    payer_inn, entry_date, kind, payer, payer_account, purpose)
    SELECT id, statement_id, payee_account, number, doc_date, amount, payer_inn, entry_date,
    kind, payer, payer_account, purpose FROM bank_documents_v5 ORDER BY id;
DROP TABLE bank_documents_v5;
CREATE INDEX bank_documents_entry ON bank_documents(entry_date);
CREATE INDEX bank_documents_amount ON bank_documents(amount, entry_date);
""" + BANK_IDENTITY_V6
V6_POSTGRESQL = """
ALTER TABLE bank_documents
    DROP CONSTRAINT bank_documents_payee_account_number_doc_date_amount_payer_i_key;
""" + BANK_IDENTITY_V6
V6 = {"sqlite": V6_SQLITE, "postgresql": V6_POSTGRESQL}

# the columns of the document's identity since V7, for ``ON CONFLICT (…)``
BANK_IDENTITY_COLUMNS = (
    "payee_account, number, doc_date, amount, kind_key, payer_account, payer_inn"
)

Run = Callable[[str, Sequence[Any]], list[Any]]  # one statement, ``?`` parameters -> its rows
Step = Callable[[Run, str], None]  # a migration's Python step: (run, dialect)

# V7 (bank.md): the kind counts in the identity in its canonical form (``kind_key``: ё/е,
# letter case, spaces aside; ``core/bank_identity.py``), the text as the bank wrote it kept
# in ``kind`` for display. Held documents are keyed again; those that become one are merged
# (``bank_rekey``: the first held stays, what the others bind moves to it, and the accountant
# is told in «События» and the log).
V7: list[str | dict[str, str] | Step] = [
    """
ALTER TABLE bank_documents ADD COLUMN kind_key TEXT NOT NULL DEFAULT '';
DROP INDEX bank_documents_identity;
""",
    bank_rekey.rekey,
    f"""
CREATE UNIQUE INDEX bank_documents_identity ON bank_documents ({BANK_IDENTITY_COLUMNS});
""",
]

Migration = str | dict[str, str] | list[str | dict[str, str] | Step]

MIGRATIONS: list[Migration] = [V1, V2, V3, V4, V5, V6, V7]
VERSION = len(MIGRATIONS)


def steps(migration: Migration) -> list[str | dict[str, str] | Step]:
    """A migration's parts, in order."""
    return list(migration) if isinstance(migration, list) else [migration]
