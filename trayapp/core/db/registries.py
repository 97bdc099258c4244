"""SQL that reads the billing data for the outgoing registries (Services, Debts, Meters).

Each query is set-based and streams its rows in the order the registry is written, so that
the generator never holds a registry in memory. Amounts come out in kopecks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from trayapp.core.db.connection import Database

# column of the service catalogue that holds a coding's codes
CODE_COLUMN = {"GOROD": "gorod_code", "SBER": "sber_code"}


def org(db: Database) -> tuple[str, str, str, str] | None:
    """(inn, name, bank_account, bik) of the association."""
    row = db.one("SELECT inn, name, COALESCE(bank_account, ''), COALESCE(bik, '') FROM org")
    return None if row is None else (row[0], row[1], row[2], row[3])


def latest_period(db: Database) -> int | None:
    value = db.scalar("SELECT MAX(period) FROM accrual_periods")
    return None if value is None else int(value)


def periods(db: Database) -> list[int]:
    """The months that have accruals (YYYYMM), the latest first."""
    return [int(r[0]) for r in db.all("SELECT period FROM accrual_periods ORDER BY period DESC")]


def has_period(db: Database, period: int) -> bool:
    return db.scalar("SELECT 1 FROM accrual_periods WHERE period = ?", (period,)) is not None


def services(db: Database) -> list[tuple[int, str, str, str, str, int, str, str, str, str]]:
    """Every service: (code, name, unit, gorod, sber, metered, provider inn, name, account,
    bik), ordered by own code."""
    rows = db.all(
        "SELECT s.code, s.name, COALESCE(s.unit, ''), COALESCE(s.gorod_code, ''),"
        " COALESCE(s.sber_code, ''), s.metered, COALESCE(p.inn, ''), COALESCE(p.name, ''),"
        " COALESCE(p.bank_account, ''), COALESCE(p.bik, '')"
        " FROM services s LEFT JOIN providers p ON p.id = s.provider_id ORDER BY s.code"
    )
    return [tuple(r) for r in rows]


def _eligible(apartments_only: bool) -> str:
    cond = (
        "(a.closed IS NULL OR a.closed >= :first_day)"
        " AND (a.opened IS NULL OR a.opened <= :last_day)"
    )
    if apartments_only:
        cond += " AND a.premise_kind = 'apartment'"
    return cond


def debt_rows(
    db: Database,
    period: int,
    as_of: date,
    first_day: date,
    last_day: date,
    apartments_only: bool,
) -> Iterator[list[tuple[Any, ...]]]:
    """Batches of rows, per eligible account (number order): (service_code, debt, accrued,
    whole_account_payments, number, full_name, settlement, street, house, premise).

    Each account comes first with ``service_code`` NULL, carrying the payments to the whole
    account dated on or before ``as_of`` (for the caller to spread) and the account's own
    columns (NULL on the other rows: they are the same, and not converted again), then once
    per own service with ``debt`` = opening balance + accruals up to ``period`` − payments to that
    service dated on or before ``as_of``, and ``accrued`` = accruals of ``period``.
    The union is grouped first and the accounts looked up by key, so that every table is
    read once, in one pass. (The sums are cast back to BIGINT: PostgreSQL sums BIGINTs
    as NUMERIC.)
    """
    sql = f"""
        SELECT t.service_code, t.debt, t.accrued, t.whole,
               CASE WHEN t.service_code IS NULL THEN a.number END,
               CASE WHEN t.service_code IS NULL THEN a.full_name END,
               CASE WHEN t.service_code IS NULL THEN a.settlement END,
               CASE WHEN t.service_code IS NULL THEN a.street END,
               CASE WHEN t.service_code IS NULL THEN a.house END,
               CASE WHEN t.service_code IS NULL THEN a.premise END
        FROM (
            SELECT account_id, service_code, CAST(SUM(debt) AS BIGINT) AS debt,
                   CAST(SUM(accrued) AS BIGINT) AS accrued, CAST(SUM(whole) AS BIGINT) AS whole
            FROM (
                SELECT account_id, service_code,
                       SUM(CASE WHEN period <= :period THEN amount ELSE 0 END) AS debt,
                       SUM(CASE WHEN period = :period THEN amount ELSE 0 END) AS accrued,
                       0 AS whole
                FROM accruals GROUP BY account_id, service_code
                UNION ALL
                SELECT account_id, service_code, amount, 0, 0 FROM balances
                UNION ALL
                SELECT account_id, service_code,
                       -SUM(CASE WHEN paid_on <= :as_of THEN amount ELSE 0 END), 0, 0
                FROM payments WHERE service_code IS NOT NULL
                GROUP BY account_id, service_code
                UNION ALL
                SELECT account_id, NULL, 0, 0, SUM(amount) FROM payments
                WHERE service_code IS NULL AND paid_on <= :as_of GROUP BY account_id
                UNION ALL
                SELECT id, NULL, 0, 0, 0 FROM accounts
            ) u
            GROUP BY account_id, service_code
        ) t
        JOIN accounts a ON a.id = t.account_id
        WHERE {_eligible(apartments_only)}
        ORDER BY a.number, t.service_code NULLS FIRST
    """
    params = {
        "period": period,
        "as_of": as_of.isoformat(),
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
    }
    yield from db.batches(sql, params, 5000)


def meter_rows(
    db: Database,
    as_of: date,
    first_day: date,
    last_day: date,
    apartments_only: bool,
) -> Iterator[tuple[Any, ...]]:
    """Meters in service on ``as_of`` of eligible accounts, in (account, meter id) order:
    (number, meter_id, serial, service_code, installed, initial_reading, last taken_at,
    last value), the last reading being the latest posted one dated on or before ``as_of``.
    """
    sql = f"""
        SELECT a.number, m.meter_id, m.serial, m.service_code, m.installed,
               m.initial_reading, r.taken_at, r.value
        FROM meters m
        JOIN accounts a ON a.id = m.account_id
        LEFT JOIN readings r ON r.id = (
            SELECT r2.id FROM readings r2
            WHERE r2.meter_ref = m.id AND r2.posted = 1 AND r2.taken_at < :next_day
            ORDER BY r2.taken_at DESC, r2.id DESC LIMIT 1)
        WHERE m.installed <= :as_of AND (m.removed IS NULL OR m.removed >= :as_of)
          AND {_eligible(apartments_only)}
        ORDER BY a.number, m.meter_id
    """
    next_day = date.fromordinal(as_of.toordinal() + 1)
    params = {
        "as_of": as_of.isoformat(),
        "next_day": next_day.isoformat(),
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
    }
    for batch in db.batches(sql, params, 5000):
        yield from batch


def closed_with_debt(db: Database, period: int, as_of: date, first_day: date) -> tuple[int, int]:
    """Accounts closed before ``first_day`` that still owe (the Debts registry leaves them
    out): (how many, their debt in kopecks), the debt taken as for the registry."""
    row = db.one(
        """
        SELECT COUNT(*), COALESCE(SUM(debt), 0) FROM (
            SELECT u.account_id, SUM(u.amount) AS debt FROM (
                SELECT account_id, amount FROM accruals WHERE period <= :period
                UNION ALL SELECT account_id, amount FROM balances
                UNION ALL SELECT account_id, -amount FROM payments WHERE paid_on <= :as_of
            ) u JOIN accounts a ON a.id = u.account_id
            WHERE a.closed IS NOT NULL AND a.closed < :first_day
            GROUP BY u.account_id HAVING SUM(u.amount) > 0
        ) owing
        """,
        {"period": period, "as_of": as_of.isoformat(), "first_day": first_day.isoformat()},
    )
    return (int(row[0]), int(row[1])) if row else (0, 0)
