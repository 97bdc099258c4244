"""The lines of the Debts registry, built in parallel parts and merged in account order.

The accounts are cut into ranges of their ids. Each range runs the grouped query
(``db.registries.debt_rows``) on a connection of its own in a worker thread and turns its
rows into the registry's lines, account by account, in account-number order; the consumer
merges the parts by account number (``heapq.merge``). SQLite groups and sorts with the GIL
released, so on two cores or more the parts overlap; memory stays bounded because a part
runs at most ``AHEAD`` batches ahead of the merge. Money is integer kopecks. No GUI, no SQL
here (``db.registries``), no files (``registries`` writes them).
"""

from __future__ import annotations

import heapq
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any

from trayapp.core.db import Database
from trayapp.core.db import registries as q
from trayapp.core.formats import debt_line, debt_line_prefix, debt_lines

log = logging.getLogger(__name__)

PARTS = 2  # worker threads; the grouping of each part runs on a core of its own
AHEAD = 8  # batches a part may prepare ahead of the merge
BATCH = 2000  # accounts a batch

Block = tuple[str, list[str], int]  # (account number, its lines, the sum of their debts)


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


@dataclass(frozen=True, slots=True)
class DebtRules:
    """How own services become the lines of one coding."""

    coding: str
    code_of: dict[int, str]  # own code -> code in the coding ('' where it has none)
    rank: dict[str, int]  # code in the coding -> its place in the file's order
    simple: bool  # one own service per code, codes in own-code order: no merge, no sort


@dataclass(frozen=True, slots=True)
class DebtQuery:
    period: int
    as_of: date
    first_day: date
    last_day: date
    apartments_only: bool


def _address(settlement: str, street: str, house: str, premise: str) -> str:
    return f"{settlement},{street},{house},{premise}"


class _Builder:
    """Turns the rows of one account into its lines; remembers what it left out."""

    def __init__(self, rules: DebtRules) -> None:
        self.rules = rules
        self.skipped: set[int] = set()
        self.orphans: list[str] = []

    def account(self, head: tuple[Any, ...], services: list[tuple[Any, ...]]) -> Block | None:
        rules = self.rules
        whole: int = head[3]
        number: str = head[4]
        prefix = debt_line_prefix(number, head[5], _address(head[6], head[7], head[8], head[9]))
        if rules.coding == "ACCOUNT":
            debt = sum(r[1] for r in services) - whole
            return number, [debt_line(prefix, "", debt, sum(r[2] for r in services))], debt
        if not services:
            if whole:
                self.orphans.append(number)
            return None
        owns = [r[0] for r in services]
        debts = [r[1] for r in services]
        if whole:  # services come in own-code order, as shares_in_order wants them
            debts = [d - sh for d, sh in zip(debts, shares_in_order(whole, debts), strict=True)]
        code_of = rules.code_of
        exts = [code_of.get(own, "") for own in owns]
        if rules.simple and all(exts):
            accrued = [r[2] for r in services]
            return number, debt_lines(prefix, zip(exts, debts, accrued, strict=True)), sum(debts)
        by_code: dict[str, list[int]] = {}
        for own, ext, debt, r in zip(owns, exts, debts, services, strict=True):
            if not ext:
                self.skipped.add(own)
                continue
            slot = by_code.get(ext)
            if slot is None:
                by_code[ext] = [debt, r[2]]
            else:
                slot[0] += debt
                slot[1] += r[2]
        if not by_code:
            return None
        codes = sorted(by_code, key=rules.rank.__getitem__)
        lines = debt_lines(prefix, ((c, by_code[c][0], by_code[c][1]) for c in codes))
        return number, lines, sum(by_code[c][0] for c in codes)

    def blocks(self, batches: Iterator[list[tuple[Any, ...]]]) -> Iterator[list[Block]]:
        """Rows come per account: first its NULL-service row (payments to the whole account
        and the account's columns), then one row per own service in own-code order."""
        out: list[Block] = []
        services: list[tuple[Any, ...]] = []
        head: tuple[Any, ...] | None = None
        for batch in batches:
            for row in batch:
                if row[0] is None:
                    if head is not None:
                        block = self.account(head, services)
                        if block is not None:
                            out.append(block)
                    head, services = row, []
                else:
                    services.append(row)
            if len(out) >= BATCH:
                yield out
                out = []
        if head is not None:
            block = self.account(head, services)
            if block is not None:
                out.append(block)
        if out:
            yield out


class _Part(threading.Thread):
    """One range of account ids, built on its own connection."""

    def __init__(self, db_path: Path, rules: DebtRules, query: DebtQuery, lo: int, hi: int,
                 stop: threading.Event) -> None:  # fmt: skip
        super().__init__(name=f"debts-{lo}-{hi}", daemon=True)
        self.db_path, self.query, self.lo, self.hi, self.stop = db_path, query, lo, hi, stop
        self.builder = _Builder(rules)
        self.queue: queue.Queue[list[Block] | BaseException | None] = queue.Queue(AHEAD)

    def _put(self, item: list[Block] | BaseException | None) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def run(self) -> None:
        try:
            with Database(self.db_path) as db:
                qy = self.query
                rows = q.debt_rows(db, qy.period, qy.as_of, qy.first_day, qy.last_day,
                                   qy.apartments_only, (self.lo, self.hi))  # fmt: skip
                for batch in self.builder.blocks(rows):
                    if not self._put(batch):
                        return
            self._put(None)
        except BaseException as exc:  # handed to the consumer, who raises it
            log.exception("debts part %s failed", self.name)
            self._put(exc)

    def results(self) -> Iterator[Block]:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item


class DebtLines:
    """The registry's blocks of lines, in account-number order, from parallel parts.

    Iterate once; ``skipped`` (own codes left out) and ``orphans`` (accounts with only
    payments to the whole account) are complete after the iteration.
    """

    def __init__(self, db: Database, rules: DebtRules, query: DebtQuery, parts: int = PARTS):
        self.skipped: set[int] = set()
        self.orphans: list[str] = []
        self._stop = threading.Event()
        self._parts = [
            _Part(db.path, rules, query, lo, hi, self._stop)
            for lo, hi in q.account_id_ranges(db, parts)
        ]

    def __iter__(self) -> Iterator[Block]:
        for part in self._parts:
            part.start()
        try:
            yield from heapq.merge(*(p.results() for p in self._parts), key=itemgetter(0))
        finally:
            self._stop.set()
            for part in self._parts:
                part.join()
        for part in self._parts:
            self.skipped |= part.builder.skipped
            self.orphans.extend(part.builder.orphans)
        self.orphans.sort()
