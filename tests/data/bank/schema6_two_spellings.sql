BEGIN TRANSACTION;
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    settlement TEXT NOT NULL DEFAULT '', street TEXT NOT NULL, house TEXT NOT NULL,
    premise TEXT NOT NULL DEFAULT '',
    premise_kind TEXT NOT NULL DEFAULT 'apartment',
    area TEXT, opened TEXT, closed TEXT
);
CREATE TABLE accrual_periods (period INTEGER PRIMARY KEY);
CREATE TABLE accruals (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    service_code INTEGER NOT NULL REFERENCES services(code),
    period INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (account_id, service_code, period)
) WITHOUT ROWID;
CREATE TABLE balances (
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    service_code INTEGER NOT NULL REFERENCES services(code),
    amount INTEGER NOT NULL,
    PRIMARY KEY (account_id, service_code)
) WITHOUT ROWID;
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
INSERT INTO "bank_documents" VALUES(1,1,'40703810000000000001','41','2026-11-13',1010,'5406000777','2026-11-13','Платежное поручение','ООО «Агент»','40702810900000000777','Перечисление по реестру 009 от 13.11.2026');
INSERT INTO "bank_documents" VALUES(2,1,'40703810000000000001','42','2026-11-13',2000,'540100420042','2026-11-13','Платежное поручение','Иванов','40817810000000000042','Оплата ЖКУ л/с 1001');
INSERT INTO "bank_documents" VALUES(3,2,'40703810000000000001','41','2026-11-13',1010,'5406000777','2026-11-16','Платёжное поручение','ООО «Агент»','40702810900000000777','Перечисление по реестру 009 от 13.11.2026');
INSERT INTO "bank_documents" VALUES(4,2,'40703810000000000001','42','2026-11-13',2000,'540100420042','2026-11-13','Платёжное поручение','Иванов','40817810000000000042','Оплата ЖКУ л/с 1001');
CREATE TABLE bank_match_documents (
    file_id INTEGER NOT NULL REFERENCES bank_matches(file_id),
    document_id INTEGER NOT NULL REFERENCES bank_documents(id),
    bound INTEGER NOT NULL,
    PRIMARY KEY (file_id, document_id)
);
CREATE TABLE bank_matches (
    file_id INTEGER PRIMARY KEY REFERENCES files(id),
    status TEXT NOT NULL,
    fee INTEGER NOT NULL,
    expected INTEGER NOT NULL,
    difference INTEGER,
    matched_at TEXT NOT NULL
);
CREATE TABLE bank_references (
    document_id INTEGER NOT NULL REFERENCES bank_documents(id),
    ref_date TEXT NOT NULL,
    ref_number INTEGER NOT NULL,
    PRIMARY KEY (document_id, ref_date, ref_number)
);
INSERT INTO "bank_references" VALUES(1,'2026-11-13',9);
INSERT INTO "bank_references" VALUES(3,'2026-11-13',9);
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
INSERT INTO "bank_statements" VALUES(1,'bank_1c.txt','660e00512166718b55fc59a4629fdc2ba9745c8d3aab31fe7f9d2bc448733b7f','40703810000000000001','2026-11-13','2026-11-13',2,2,2,'2026-12-07 02:47:13');
INSERT INTO "bank_statements" VALUES(2,'bank_sber.txt','8242bba0735e15df75b057b41ce66ba3b32190a79f093271ac02a3b5b1745eb5','40703810000000000001','2026-11-13','2026-11-13',2,2,2,'2026-12-07 02:47:13');
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
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    level TEXT NOT NULL,
    text TEXT NOT NULL,
    seen INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "events" VALUES(1,'2026-12-07 02:47:13','info','Загружена выписка банка из файла «/tmp/bank6/bank_1c.txt»: документов 2, поступлений 2, новых 2',1);
INSERT INTO "events" VALUES(2,'2026-12-07 02:47:13','info','Загружена выписка банка из файла «/tmp/bank6/bank_sber.txt»: документов 2, поступлений 2, новых 2',1);
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
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "meta" VALUES('schema_version','6');
INSERT INTO "meta" VALUES('bank_references','1');
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
CREATE TABLE org (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    inn TEXT NOT NULL, name TEXT NOT NULL, kpp TEXT, bank_account TEXT, bik TEXT, address TEXT
);
INSERT INTO "org" VALUES(1,'5401000001','ТСЖ',NULL,'40703810000000000001',NULL,NULL);
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
, share_of INTEGER REFERENCES payments(id));
CREATE TABLE providers (
    id INTEGER PRIMARY KEY,
    inn TEXT NOT NULL UNIQUE, name TEXT NOT NULL, bank_account TEXT, bik TEXT
);
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
CREATE TABLE services (
    code INTEGER PRIMARY KEY,
    name TEXT NOT NULL, unit TEXT, gorod_code TEXT, sber_code TEXT,
    provider_id INTEGER REFERENCES providers(id),
    metered INTEGER NOT NULL DEFAULT 0
);
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
CREATE INDEX documents_parent ON documents(parent_id);
CREATE UNIQUE INDEX documents_one_per_file ON documents(file_id) WHERE kind IN ('registry', 'readings');
CREATE UNIQUE INDEX payments_reference ON payments(source, reference) WHERE reference IS NOT NULL;
CREATE INDEX payments_account ON payments(account_id, service_code, paid_on, amount);
CREATE INDEX payments_document ON payments(document_id);
CREATE INDEX meters_account ON meters(account_id);
CREATE UNIQUE INDEX readings_import_key ON readings(meter_ref, taken_at) WHERE source = 'import';
CREATE INDEX readings_meter ON readings(meter_ref, posted, taken_at);
CREATE INDEX readings_document ON readings(document_id);
CREATE INDEX bank_match_documents_document ON bank_match_documents(document_id);
CREATE INDEX bank_references_registry ON bank_references(ref_date, ref_number);
CREATE INDEX bank_documents_entry ON bank_documents(entry_date);
CREATE INDEX bank_documents_amount ON bank_documents(amount, entry_date);
CREATE UNIQUE INDEX bank_documents_identity ON bank_documents
    (payee_account, number, doc_date, amount, kind, payer_account, payer_inn);
COMMIT;
