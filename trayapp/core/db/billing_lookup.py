"""SQL of the billing data's lookups for table import: the ids the importer resolves
references through (accounts, meters, providers, services), whole or for the few rows a
preview names.

Split from ``billing`` (the upserts), which re-exports these names. Plain SQL; imports
nothing of the app but the connection.
"""

from __future__ import annotations

from collections.abc import Collection

from trayapp.core.db.connection import Database


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
