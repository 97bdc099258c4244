"""Generation of the outgoing registries: Services, Debts and Meters (spec/domain.md).

Rows stream from the database in file order; the body is written to a hidden temporary file
while ``#ROWS`` and ``#FILESUM`` are counted, then the header and the body are written
atomically into ``Исходящие`` under the next free name. Nothing holds the whole registry in
memory. Money is integer kopecks throughout. No GUI, no HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from trayapp.core import events
from trayapp.core import values as v
from trayapp.core.db import Database, journal
from trayapp.core.db import registries as q
from trayapp.core.folders import TEMP_PREFIX, ExchangeTree, atomic_file, os_error, remove_file
from trayapp.core.formats import (
    CODINGS,
    Header,
    MeterRow,
    ServiceRow,
    debt_line,
    debt_line_prefix,
    debt_lines,
    encode,
    make_name,
    parse_name,
    render_header,
    render_row,
)
from trayapp.core.progress import Progress, Throttle, no_progress
from trayapp.errors import GenerationError
from trayapp.fsutil import set_hidden

ACCOUNT_SERVICE_NAME = "Жилищно-коммунальные услуги"


@dataclass(frozen=True, slots=True)
class GenerateResult:
    file: Path
    kind: str
    rows: int
    total: int | None
    period: int | None
    as_of: date | None
    skipped_services: list[str] = field(default_factory=list)
    accounts_without_services: list[str] = field(default_factory=list)
    closed_with_debt: tuple[int, int] = (0, 0)  # closed accounts left out that owe: (n, kopecks)

    def to_json(self) -> dict[str, object]:
        return {
            "file": str(self.file),
            "kind": self.kind,
            "rows": self.rows,
            "sum": v.format_amount(self.total) if self.total is not None else None,
            "period": v.format_month(self.period) if self.period is not None else None,
            "as_of": v.format_date(self.as_of) if self.as_of is not None else None,
            "skipped_services": self.skipped_services,
            "accounts_without_services": self.accounts_without_services,
        }


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The service catalogue seen through one coding."""

    coding: str
    code_of: dict[int, str]  # own code -> code in the coding ('' where it has none)
    names: dict[int, str]
    numeric: bool  # all codes of the coding are digits: sort them as numbers

    @classmethod
    def load(cls, db: Database, coding: str) -> Catalogue:
        code_of: dict[int, str] = {}
        names: dict[int, str] = {}
        for code, name, _unit, gorod, sber, *_ in q.services(db):
            names[code] = name
            if coding == "OWN":
                code_of[code] = str(code)
            elif coding == "GOROD":
                code_of[code] = gorod
            elif coding == "SBER":
                code_of[code] = sber
            else:
                code_of[code] = "0"
        numeric = all(c.isdigit() for c in code_of.values() if c)
        return cls(coding, code_of, names, numeric)

    def sort_key(self, code: str) -> tuple[int, str]:
        return (int(code), "") if self.numeric else (0, code)

    def label(self, own: int) -> str:
        return f"{own} {self.names.get(own, '')}".strip()


def _check_coding(coding: str) -> None:
    if coding not in CODINGS:
        raise GenerationError(f"неизвестное кодирование услуг: {coding}")


def _org(db: Database) -> tuple[str, str, str, str]:
    org = q.org(db)
    if org is None:
        raise GenerationError("не загружены данные ТСЖ (ИНН, название)",
                              "trayapp import org ФАЙЛ", "загрузите таблицу реквизитов ТСЖ на вкладке «Данные»")  # fmt: skip
    return org


def billing_periods(db: Database) -> list[int]:
    """The months a registry can be generated for: those with accruals, the latest first."""
    return q.periods(db)


def billing_period(db: Database, month: int | None) -> int:
    """The billing month: the one given, else the latest month that has accruals."""
    latest = q.latest_period(db)
    if latest is None:
        raise GenerationError("нет начислений", "загрузите их (trayapp import accruals ФАЙЛ)",
                              "загрузите их на вкладке «Данные»")  # fmt: skip
    if month is None:
        return latest
    if not q.has_period(db, month):
        raise GenerationError(
            f"за {v.format_month(month)} начислений нет (последний начисленный месяц "
            f"{v.format_month(latest)}): проверьте месяц"
        )
    return month


# ---------------------------------------------------------------------------- writing


def _write_registry(
    tree: ExchangeTree,
    db: Database,
    header: Header,
    batches: Iterable[list[str]],
    amounts: list[int] | None,
    describe: Callable[[str, int, int | None], str] | None = None,
) -> tuple[Path, int]:
    """Stream ``batches`` of lines into a body file, then write header + body atomically.

    ``amounts``, when given, is a one-element accumulator the line producer adds to: its
    value once the lines are out is ``#FILESUM``. Returns (path, rows); the sha256 for the
    journal is taken while the file is written, not by reading it again. ``describe(name,
    rows, sum)`` words the event journaled with the file («События»).
    """
    tree.ensure()
    number = tree.next_number(header.type, header.day)
    name = make_name(header.type, header.day, number)
    target = tree.outgoing / name
    try:
        fd, body_path = tempfile.mkstemp(prefix=TEMP_PREFIX + "body.", dir=tree.outgoing)
    except OSError as exc:
        raise os_error(exc, str(tree.outgoing)) from exc
    set_hidden(body_path)  # Windows: not shown in Исходящие while the registry is written
    rows = 0
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as body:
            for batch in batches:
                if batch:
                    rows += len(batch)
                    body.write(encode("\r\n".join(batch) + "\r\n"))
        total = amounts[0] if amounts is not None else None
        final = replace(header, number=number, rows=rows, filesum=total)
        with atomic_file(target) as out, open(body_path, "rb") as body_in:
            chunk = encode("\r\n".join(render_header(final)) + "\r\n")
            while chunk:
                digest.update(chunk)
                out.write(chunk)
                chunk = body_in.read(1 << 20)
    except OSError as exc:
        raise os_error(exc, str(target)) from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(body_path)
    with db.transaction():
        journal.record_file(
            db, name, "out", digest.hexdigest(), header.type, "generated", rows, total
        )
        if describe is not None:
            events.record(db, describe(name, rows, total))
    return target, rows


def _batched(lines: Iterable[str], size: int = 4096) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    yield batch


# ---------------------------------------------------------------------------- services


def generate_services(
    db: Database, tree: ExchangeTree, coding: str, today: date, progress: Progress = no_progress
) -> GenerateResult:
    _check_coding(coding)
    inn, org_name, org_account, org_bik = _org(db)
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
    path, count = _write_registry(tree, db, header, [[render_row(r) for r in rows]], None,
                                  lambda name, n, _: f"Сформирован реестр {name}: услуг {n}")  # fmt: skip
    progress("services", len(services), len(services))
    return GenerateResult(path, "SERVICES", count, None, None, None, skipped)


# ---------------------------------------------------------------------------- debts


def shares_in_order(total: int, debts: list[int]) -> list[int]:
    """Share ``total`` over ``debts`` given in own-code order (import.md's rule).

    Shares are in proportion to the positive debts, each rounded down to the kopeck; the
    kopecks left over go one each to the largest debts (ties: the lower own code, that is
    the earlier one); where no debt is positive, everything goes to the first (lowest own
    code). Returns the share of each debt, in the same order.
    """
    if not debts or total == 0:
        return [0] * len(debts)
    positive = 0
    for d in debts:
        if d > 0:
            positive += d
    if positive <= 0:
        return [total] + [0] * (len(debts) - 1)
    shares = [total * d // positive if d > 0 else 0 for d in debts]
    left = total - sum(shares)
    if left:
        for _, i in sorted([(-d, i) for i, d in enumerate(debts) if d > 0])[:left]:
            shares[i] += 1
    return shares


def spread(total: int, debts: list[tuple[int, int]]) -> dict[int, int]:
    """``shares_in_order`` keyed by own code: ``debts`` holds (own code, debt) pairs."""
    ordered = sorted(debts)
    shares = shares_in_order(total, [d for _, d in ordered])
    return {c: s for (c, _), s in zip(ordered, shares, strict=True) if s}


def _month_setup(
    db: Database, coding: str, month: int | None
) -> tuple[str, int, date, date, Catalogue]:
    """What the Debts and Meters registries start from: (ИНН, billing month, its first and
    last day, the catalogue in the coding)."""
    _check_coding(coding)
    inn = _org(db)[0]
    period = billing_period(db, month)
    return inn, period, v.month_first_day(period), v.month_last_day(period), Catalogue.load(
        db, coding
    )


def _address(settlement: str, street: str, house: str, premise: str) -> str:
    return f"{settlement},{street},{house},{premise}"


def generate_debts(
    db: Database,
    tree: ExchangeTree,
    coding: str,
    today: date,
    month: int | None = None,
    apartments_only: bool = False,
    progress: Progress = no_progress,
) -> GenerateResult:
    inn, period, first_day, last_day, cat = _month_setup(db, coding, month)
    as_of = max(today, last_day)
    report = Throttle(progress)
    open_accounts = q.eligible_accounts(db, first_day, last_day, apartments_only)
    skipped: set[int] = set()
    orphans: list[str] = []
    total = [0]
    accounts = [0]  # accounts with a line in the file

    code_of = cat.code_of
    rank = {c: i for i, c in enumerate(sorted({c for c in code_of.values() if c},
                                               key=cat.sort_key))}  # fmt: skip
    coded = [code_of[own] for own in sorted(code_of) if code_of[own]]
    simple = len(set(coded)) == len(coded) and [rank[c] for c in coded] == sorted(rank.values())

    def batches() -> Iterator[list[str]]:
        # rows come per account: first the NULL-service row (payments to the whole account
        # and the account's columns), then one row per own service in own-code order
        out: list[str] = []
        services: list[tuple[Any, ...]] = []
        head: tuple[Any, ...] | None = None
        done = 0  # accounts seen (their NULL-service rows)
        report("debts", 0, open_accounts)
        for batch in q.debt_rows(db, period, as_of, first_day, last_day, apartments_only):
            for row in batch:
                if row[0] is None:
                    if head is not None:
                        before = len(out)
                        account_lines(head, services, out)
                        accounts[0] += len(out) > before
                    head, services = row, []
                    done += 1
                else:
                    services.append(row)
            report("debts", done - 1 if head is not None else done, open_accounts)
            if len(out) >= 4096:
                yield out
                out = []
        if head is not None:
            before = len(out)
            account_lines(head, services, out)
            accounts[0] += len(out) > before
        report("debts", done, open_accounts)
        yield out

    def account_lines(head: tuple[Any, ...], services: list[tuple[Any, ...]],
                      out: list[str]) -> None:  # fmt: skip
        whole: int = head[3]
        number: str = head[4]
        prefix = debt_line_prefix(number, head[5], _address(head[6], head[7], head[8], head[9]))
        if coding == "ACCOUNT":
            debt = sum(r[1] for r in services) - whole
            total[0] += debt
            out.append(debt_line(prefix, "", debt, sum(r[2] for r in services)))
            return
        if not services:
            if whole:
                orphans.append(number)
            return
        owns = [r[0] for r in services]
        debts = [r[1] for r in services]
        if whole:  # services come in own-code order, as shares_in_order wants them
            debts = [d - sh for d, sh in zip(debts, shares_in_order(whole, debts), strict=True)]
        exts = [code_of.get(own, "") for own in owns]
        if simple and all(exts):  # one own service per code, in code order: no merge, no sort
            total[0] += sum(debts)
            out.extend(debt_lines(prefix, zip(exts, debts, [r[2] for r in services], strict=True)))
            return
        by_code: dict[str, list[int]] = {}
        for own, ext, debt, r in zip(owns, exts, debts, services, strict=True):
            if not ext:
                skipped.add(own)
                continue
            slot = by_code.get(ext)
            if slot is None:
                by_code[ext] = [debt, r[2]]
            else:
                slot[0] += debt
                slot[1] += r[2]
        codes = sorted(by_code, key=rank.__getitem__)
        total[0] += sum(by_code[c][0] for c in codes)
        out.extend(debt_lines(prefix, ((c, by_code[c][0], by_code[c][1]) for c in codes)))

    header = Header(
        type="DEBTS", org=inn, number=1, day=today, period=period, as_of=as_of, coding=coding
    )
    def describe(name: str, rows: int, filesum: int | None) -> str:
        return (f"Сформирован реестр {name}: лицевых счетов {accounts[0]}, строк {rows}, "
                f"задолженность {events.rubles(filesum or 0)}, месяц {v.format_month(period)}, "
                f"на {v.format_date(as_of)}")  # fmt: skip

    path, count = _write_registry(tree, db, header, batches(), total, describe)
    closed = q.closed_with_debt(db, period, as_of, first_day)
    return GenerateResult(
        path, "DEBTS", count, total[0], period, as_of,
        [cat.label(c) for c in sorted(skipped)], orphans, closed,
    )  # fmt: skip


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
    inn, period, first_day, last_day, cat = _month_setup(db, coding, month)
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
    path, count = _write_registry(
        tree, db, header, _batched(lines()), None,
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
