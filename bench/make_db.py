"""Make a large association database quickly, in SQL, for the generation benchmark.

100,000 accounts × 8 services × 12 months of accruals (9.6 M rows), opening balances,
payments (about one a month for most accounts, some to the whole account), a meter per
metered service and account with monthly readings. Usage: python bench/make_db.py OUT.db [N]

``copy_to_postgres`` copies such a file into a PostgreSQL database (COPY, table by table), so
that the generation bench reads the very same data from both.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from trayapp.core.db import Database, billing, open_database

TABLES = ("org", "providers", "services", "accounts", "balances", "accruals",
          "accrual_periods", "payments", "meters", "readings")


def make(path: Path, accounts: int = 100_000, months: int = 12, services: int = 8) -> None:
    if path.exists():
        path.unlink()
    db = Database(path)
    db.execute("PRAGMA synchronous = OFF")
    t = time.perf_counter()
    with db.transaction():
        db.execute("INSERT INTO org (id, inn, name, bank_account, bik) VALUES "
                   "(1, '5401000001', 'УК «Бенчмарк»', '40703810000000000001', '045004774')")
        db.execute("INSERT INTO providers (id, inn, name) VALUES (1, '5401000002', 'РСО')")
        for c in range(1, services + 1):
            db.execute(
                "INSERT INTO services (code, name, unit, gorod_code, sber_code, provider_id,"
                " metered) VALUES (?, ?, 'м2', ?, ?, 1, ?)",
                (c, f"Услуга {c}", str(100 + c), f"S{c}" if c != 8 else None, 1 if c in (3, 4) else 0),
            )
        db.execute(
            f"""INSERT INTO accounts (id, number, full_name, settlement, street, house, premise,
                 premise_kind)
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {accounts})
            SELECT i, printf('%08d', i), 'Собственник ' || i, 'Новосибирск', 'ул. Ленина',
                   CAST(i / 200 AS TEXT), CAST(i % 200 AS TEXT),
                   CASE WHEN i % 50 = 0 THEN 'commercial' ELSE 'apartment' END FROM n"""
        )
        db.execute(
            """INSERT INTO balances
            SELECT a.id, s.code, (a.id * 37 + s.code * 11) % 50000 - 10000
            FROM accounts a, services s WHERE a.id % 3 = 0"""
        )
        db.execute(
            f"""INSERT INTO accruals
            WITH RECURSIVE m(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM m WHERE k < {months - 1})
            SELECT a.id, s.code, CASE WHEN k = 0 THEN 202512 ELSE 202600 + k END,
                   50000 + (a.id * 13 + s.code * 7 + k * 3) % 150000
            FROM accounts a, services s, m ORDER BY a.id, s.code, k"""
        )
        billing.refresh_periods(db)
        db.execute(
            f"""INSERT INTO payments (account_id, service_code, paid_on, amount, source)
            WITH RECURSIVE m(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM m WHERE k < {months})
            SELECT a.id, CASE WHEN (a.id + k) % 5 = 0 THEN NULL ELSE 1 + (a.id + k) % 8 END,
                   printf('2026-%02d-%02d', k, 1 + (a.id % 27)),
                   100000 + (a.id * 7 + k) % 300000, 'Сбербанк'
            FROM accounts a, m WHERE a.id % 10 != 0"""
        )
        db.execute(
            """INSERT INTO meters (meter_id, account_id, service_code, serial, installed,
                 initial_reading)
            SELECT a.id * 10 + s.code, a.id, s.code, 'SN-' || a.id || '-' || s.code,
                   '2020-01-01', 1000 FROM accounts a, services s WHERE s.metered = 1"""
        )
        db.execute(
            f"""INSERT INTO readings (meter_ref, taken_at, value, posted)
            WITH RECURSIVE m(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM m WHERE k < {months - 1})
            SELECT id, printf('2026-%02d-25 00:00:00', k), 1000 + k * 5500, 1 FROM meters, m"""
        )
    db.execute("ANALYZE")
    n = db.scalar("SELECT COUNT(*) FROM accruals")
    print(f"made {path}: {accounts} accounts, {n} accruals in {time.perf_counter() - t:.1f} s")
    db.close()


def copy_to_postgres(path: Path, url: str) -> None:
    t = time.perf_counter()
    src = Database(path)
    dst = open_database(url)
    with dst.transaction():
        for table in TABLES:
            cols = [r[1] for r in src.all(f"PRAGMA table_info({table})")]
            rows = src.execute(f"SELECT {', '.join(cols)} FROM {table}")
            dst.load_rows(table, cols, rows)
            if "id" in cols:
                dst.sync_ids(table)
    dst.execute("ANALYZE")
    n = dst.scalar("SELECT COUNT(*) FROM accruals")
    print(f"copied {path} to PostgreSQL: {n} accruals in {time.perf_counter() - t:.1f} s")
    src.close()
    dst.close()


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("bench/out/generate.db")
    out.parent.mkdir(parents=True, exist_ok=True)
    make(out, int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
