"""Generation of the outgoing registries: Services, Debts and Meters (spec/domain.md).

Rows stream from the database in file order; the body is written to a hidden temporary file
while ``#ROWS`` and ``#FILESUM`` are counted, then the header and the body are written
atomically into ``Исходящие`` under the next free name. Nothing holds the whole registry in
memory. Money is integer kopecks throughout. This module makes Services and Meters and
chooses the kind; the Debts registry is ``registry_debts``', the writing ``registry_write``'s,
what all start from (the result, the catalogue, the month) ``registry_setup``'s. No GUI, no
HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

from trayapp.core import values as v
from trayapp.core.db import Database
from trayapp.core.db import registries as q
from trayapp.core.folders import ExchangeTree, remove_file
from trayapp.core.formats import Header, MeterRow, ServiceRow, parse_name, render_row
from trayapp.core.progress import Progress, Throttle, no_progress
from trayapp.core.registry_debts import generate_debts, shares_in_order, spread
from trayapp.core.registry_setup import (
    Catalogue,
    GenerateResult,
    billing_period,
    billing_periods,
    check_coding,
    month_setup,
    org_of,
)
from trayapp.core.registry_write import batched, write_registry
from trayapp.errors import GenerationError

# the pieces split out by concern, served here as before
__all__ = [
    "ACCOUNT_SERVICE_NAME", "Catalogue", "GenerateResult", "billing_period", "billing_periods",
    "generate", "generate_debts", "generate_meters", "generate_services", "shares_in_order",
    "spread", "withdraw",
]  # fmt: skip

ACCOUNT_SERVICE_NAME = "Жилищно-коммунальные услуги"


def generate_services(
    db: Database, tree: ExchangeTree, coding: str, today: date, progress: Progress = no_progress
) -> GenerateResult:
    check_coding(coding)
    inn, org_name, org_account, org_bik = org_of(db)
    cat = Catalogue.load(db, coding)
    services = q.services(db)
    if not services:
        raise GenerationError("справочник услуг пуст", "trayapp import services ФАЙЛ",
                              "загрузите его на вкладке «Данные»")  # fmt: skip
    skipped: list[str] = []
    rows: list[ServiceRow] = []
    if coding == "ACCOUNT":
        metered = any(s[5] for s in services)
        rows.append(
            ServiceRow("0", ACCOUNT_SERVICE_NAME, "", inn, org_name, org_account, org_bik, metered)
        )
    else:
        merged: dict[str, ServiceRow] = {}
        for code, name, unit, _g, _s, metered_flag, p_inn, p_name, p_acc, p_bik in services:
            if not p_inn:  # no provider: the association collects for it itself
                p_inn, p_name, p_acc, p_bik = inn, org_name, org_account, org_bik
            ext = cat.code_of[code]
            if not ext:
                skipped.append(cat.label(code))
                continue
            first = merged.get(ext)
            if first is None:  # services come in own-code order: the lowest one names it
                merged[ext] = ServiceRow(
                    ext, name, unit, p_inn, p_name, p_acc, p_bik, bool(metered_flag)
                )
            elif metered_flag and not first.metered:
                merged[ext] = ServiceRow(
                    first.code, first.name, first.unit, first.provider_inn,
                    first.provider_name, first.provider_bank_account, first.provider_bik, True,
                )  # fmt: skip
        rows = [merged[c] for c in sorted(merged, key=cat.sort_key)]
    header = Header(type="SERVICES", org=inn, number=1, day=today, coding=coding)
    path, count = write_registry(tree, db, header, [[render_row(r) for r in rows]], None,
                                  lambda name, n, _: f"Сформирован реестр {name}: услуг {n}")  # fmt: skip
    progress("services", len(services), len(services))
    return GenerateResult(path, "SERVICES", count, None, None, None, skipped)


# ---------------------------------------------------------------------------- meters


def generate_meters(
    db: Database,
    tree: ExchangeTree,
    coding: str,
    today: date,
    month: int | None = None,
    apartments_only: bool = False,
    progress: Progress = no_progress,
) -> GenerateResult:
    inn, period, first_day, last_day, cat = month_setup(db, coding, month)
    as_of = v.month_first_day(v.next_month(period))
    skipped: set[int] = set()
    accounts: set[str] = set()
    report = Throttle(progress)
    meters = q.meters_in_service(db, as_of, first_day, last_day, apartments_only)

    def lines() -> Iterator[str]:
        done = 0
        report("meters", 0, meters)
        for number, meter_id, serial, own, installed, initial, taken_at, value in q.meter_rows(
            db, as_of, first_day, last_day, apartments_only
        ):
            done += 1
            if not done % 4096:
                report("meters", done, meters)
            if coding == "ACCOUNT":
                ext = ""
            else:
                ext = cat.code_of.get(own, "")
                if not ext:
                    skipped.add(own)
                    continue
            accounts.add(number)
            if taken_at is None:
                last_date, last_value = v.from_iso_date(installed), int(initial)
            else:
                last_date, last_value = v.from_iso_date(taken_at[:10]), int(value)
            yield render_row(
                MeterRow(
                    number, meter_id, serial, ext, v.from_iso_date(installed), last_date,
                    last_value,
                )  # fmt: skip
            )
        report("meters", done, meters)

    header = Header(
        type="METERS", org=inn, number=1, day=today, period=period, as_of=as_of, coding=coding
    )
    path, count = write_registry(
        tree, db, header, batched(lines()), None,
        lambda name, n, _: (f"Сформирован реестр {name}: лицевых счетов {len(accounts)}, "
                            f"счётчиков {n}, показания на {v.format_date(as_of)}"),
    )  # fmt: skip
    return GenerateResult(
        path, "METERS", count, None, period, as_of, [cat.label(c) for c in sorted(skipped)]
    )


def generate(
    db: Database,
    tree: ExchangeTree,
    kind: str,
    coding: str,
    today: date,
    month: int | None = None,
    apartments_only: bool = False,
    progress: Progress = no_progress,
) -> GenerateResult:
    """One registry by its command-line name: ``services``, ``debts`` or ``meters``;
    ``progress`` hears how many accounts (meters, services) of how many are done."""
    if kind == "services":
        return generate_services(db, tree, coding, today, progress)
    if kind == "debts":
        return generate_debts(db, tree, coding, today, month, apartments_only, progress)
    if kind == "meters":
        return generate_meters(db, tree, coding, today, month, apartments_only, progress)
    raise GenerationError(f"неизвестный вид реестра: {kind}; допустимо: services, debts, meters")


def withdraw(tree: ExchangeTree, name: str) -> None:
    """Remove a registry of ours that still waits in Исходящие (the accountant replaces it
    with a new one before it is sent); a name not there, or not ours, is refused."""
    fname = parse_name(name)
    path = tree.outgoing / name
    if fname is None or fname.is_ack or not path.is_file():
        raise GenerationError(f"в каталоге Исходящие нет реестра {name}")
    remove_file(path)  # waits out Excel or an antivirus holding it, then says so
    logging.getLogger(__name__).info("withdrawn from Исходящие before sending: %s", name)
