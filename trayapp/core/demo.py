"""A realistic, deterministic demo association: the billing program's tables, made up.

``build_demo(db, accounts, seed, today)`` fills an empty database through the importer's own
path (``importer.import_rows``: the same checks and upserts as a file), one transaction.
``write_tables(out_dir, accounts, seed, ...)`` writes the same kind of data as CSV files, one
per kind, as the accountant's Excel saves them (cp1251, ``;``, decimal comma), streaming, so
that 100,000 accounts (9+ million accrual rows) take a minute, not gigabytes.

The association: a ТСЖ in Новосибирск with a valid ИНН; houses of up to 100 premises, the
last five of each a non-residential premise, two storerooms and two parking places; owners
with Russian names; 8 services (6 by default in a small catalogue cut) from 3 providers, with
some «Город»/«Сбер» codes missing and two services sharing a «Сбер» code; twelve months of
accruals ending with the month before ``today``'s; opening balances; payments through
Сбербанк (by services), «Город» (to the whole account) and the cash desk (to the whole
account, without a reference); water and electricity meters with monthly posted readings,
one meter in 500 replaced (the new one starting from a smaller reading); account 8 of every
thousand closed, account 14 opened in the billing month. Everything follows from
``(accounts, seed, today)``; the model that makes it up is ``demo_model``. No SQL here.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

from trayapp.core import importer
from trayapp.core.db import Database
from trayapp.core.demo_model import ORDER, SERVICES, Association, demo_rows, rows_of

# the model's names that were served here before it moved to demo_model
__all__ = ["ORDER", "SERVICES", "DemoInfo", "build_demo", "demo_rows", "write_tables"]

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class DemoInfo:
    inn: str
    name: str
    accounts: int
    services: int
    providers: int
    first_period: int
    billing_period: int
    closed_account: str
    new_account: str
    replaced_meter: str
    new_meter: str
    rows: dict[str, int] = field(default_factory=dict)


def build_demo(
    db: Database, accounts: int = 60, seed: int = 1, today: date | None = None
) -> DemoInfo:
    """Fill an empty database with a demo association (one transaction)."""
    if accounts < 20:
        raise ValueError("a demo association has at least 20 accounts")
    gen = Association(accounts, seed, len(SERVICES), 12, today or date.today())
    per_kind = rows_of(gen)
    counts: dict[str, int] = {}
    with db.transaction():
        for kind in ORDER:
            result = importer.import_rows(
                db, kind, _header(kind), per_kind[kind], name=f"demo_{kind}.csv"
            )
            counts[kind] = result.rows
    log.info("demo association %s: %d accounts, %s", gen.inn, accounts, counts)
    return DemoInfo(
        inn=gen.inn,
        name=gen.org_name,
        accounts=accounts,
        services=len(SERVICES),
        providers=len(gen.providers),
        first_period=gen.periods[0],
        billing_period=gen.periods[-1],
        closed_account=gen.number(gen.closed_index),
        new_account=gen.number(gen.new_index),
        replaced_meter=gen.meter_id(gen.replaced_index, 0),
        new_meter=gen.meter_id(gen.replaced_index, 3),
        rows=counts,
    )


def write_tables(
    out_dir: Path,
    accounts: int,
    seed: int,
    services: int = 8,
    months: int = 12,
    today: date | None = None,
) -> dict[str, Path]:
    """Write the association's tables as CSV files (``<kind>.csv``); kind -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    gen = Association(accounts, seed, services, months, today or date.today())
    paths = {kind: out_dir / f"{kind}.csv" for kind in ORDER}
    files: dict[str, IO[str]] = {}
    try:
        for kind in ORDER:
            f = open(paths[kind], "w", encoding="cp1251", newline="")  # noqa: SIM115
            files[kind] = f
            f.write(";".join(_header(kind)) + "\r\n")
        for kind, rows in gen.catalogue().items():
            csv.writer(files[kind], delimiter=";", lineterminator="\r\n").writerows(rows)
        accounts_writer = csv.writer(files["accounts"], delimiter=";", lineterminator="\r\n")
        for i in range(accounts):
            for kind, lines in gen.account(i).items():
                if kind == "accounts":
                    accounts_writer.writerows(lines)
                elif lines:
                    lines.append("")
                    files[kind].write("\r\n".join(lines))
    finally:
        for stream in files.values():
            stream.close()
    return paths


def _header(kind: str) -> list[str]:
    return [name for name, _ in importer.COLUMNS[kind]]
