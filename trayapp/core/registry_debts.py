"""The Debts registry (spec/domain.md): each account's debt by service in the coding, payments
to the whole account shared over its services (``shares_in_order``, import.md's rule).

Rows stream from one set-based query, account by account; services of one code are merged
and sorted by code, or written as they come where each code has one own service in code
order. Split from ``registries``, which re-exports these names. No GUI, no HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from trayapp.core import events
from trayapp.core import values as v
from trayapp.core.db import Database
from trayapp.core.db import registries as q
from trayapp.core.folders import ExchangeTree
from trayapp.core.formats import Header, debt_line, debt_line_prefix, debt_lines
from trayapp.core.progress import Progress, Throttle, no_progress
from trayapp.core.registry_setup import GenerateResult, month_setup
from trayapp.core.registry_write import write_registry


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
    inn, period, first_day, last_day, cat = month_setup(db, coding, month)
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

    path, count = write_registry(tree, db, header, batches(), total, describe)
    closed = q.closed_with_debt(db, period, as_of, first_day)
    return GenerateResult(
        path, "DEBTS", count, total[0], period, as_of,
        [cat.label(c) for c in sorted(skipped)], orphans, closed,
    )  # fmt: skip
