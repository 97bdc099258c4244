"""Each payments registry against the bank's transfers (spec/bank.md, «Matching»).

For a registry of ``#FILESUM`` S and ``#DATE`` D the agent's fee is S × percent / 100,
rounded half up to the kopeck, and the expected transfer S − fee. Candidates are the
incoming documents (from the agent's ИНН when set) that came from D to D + days and are not
bound to another registry. The rules run in this order, each over every registry still
without a match (registries by D, then number) before the next starts:

1. documents whose purpose names the registry (its file name, or «№ 001 от 06.11.2026» and
   its variants) bind to it: ``matched`` when they sum to the expected transfer, else
   ``mismatch`` with the difference; a document naming several registries binds to all of
   them and is compared with their total;
2. one candidate of the expected sum: ``matched``; two or more: ``ambiguous`` (listed, none
   bound);
3. one candidate of the total of all the registries of that D still without a match, when
   there are two or more of them: each ``matched``, sharing it;
4. otherwise ``missing``.

Matches are worked out afresh each time, except that an accepted registry's match is kept at
its acceptance (``keep_match``) and shown from then on. Set-based: the documents are indexed
by sum and each purpose is read once, so 1,000 registries against 100,000 documents take a
fraction of a second. Imports no GUI; SQL lives in ``db/bank.py``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from trayapp.core import values as v
from trayapp.core.db import bank as sql
from trayapp.core.db.connection import Database
from trayapp.core.formats import parse_name

MATCHED, MISMATCH, AMBIGUOUS, MISSING = "matched", "mismatch", "ambiguous", "missing"
STATUS_TEXT = {
    MATCHED: "сверено",
    MISMATCH: "расхождение",
    AMBIGUOUS: "неоднозначно",
    MISSING: "не найдено",
}


@dataclass(frozen=True, slots=True)
class BankTerms:
    """The settings ``bank_agent_inn``, ``bank_fee_percent``, ``bank_days``."""

    agent_inn: str = ""
    fee_percent: Decimal = Decimal(0)
    days: int = 5


def fee_of(total: int, percent: Decimal) -> int:
    """The agent's fee in kopecks: ``total × percent / 100``, rounded half up."""
    return int((Decimal(total) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Transfer:
    """An incoming bank document as a match shows it."""

    id: int
    number: str
    day: date  # the day it came (ДатаПоступило, else Дата)
    amount: int
    payer_inn: str
    purpose: str

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "date": v.format_date(self.day),
            "sum": v.format_amount(self.amount),
            "payer_inn": self.payer_inn,
            "purpose": self.purpose,
        }


@dataclass(frozen=True, slots=True)
class Match:
    file: str
    file_id: int
    day: date
    number: int
    rows: int
    total: int
    fee: int
    expected: int
    status: str
    difference: int | None  # documents − expected; 0 when matched, None when not found
    documents: tuple[Transfer, ...]
    kept: bool = False  # the match kept at acceptance

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    def bank_json(self) -> dict[str, Any]:
        """The ``bank`` object of ``trayapp pending``."""
        return {
            "status": self.status,
            "documents": [d.to_json() for d in self.documents],
            "difference": None if self.difference is None else v.format_amount(self.difference),
        }

    def to_json(self) -> dict[str, Any]:
        """One element of ``trayapp reconcile --json``."""
        return {
            "file": self.file,
            "date": v.format_date(self.day),
            "number": f"{self.number:03d}",
            "rows": self.rows,
            "sum": v.format_amount(self.total),
            "fee": v.format_amount(self.fee),
            "expected": v.format_amount(self.expected),
            **self.bank_json(),
        }


@dataclass(frozen=True, slots=True)
class Registry:
    """A payments registry to match: its journal entry and the name's date and number."""

    file_id: int
    file: str
    day: date
    number: int
    rows: int
    total: int


# ---------------------------------------------------------------------------- purposes

_LETTER = "0-9A-Za-zА-Яа-яЁё"
_SIGN = r"(?:№|[NНnн][oо]?\.?)"
# «№ 001 от 06.11.2026» and its variants: «N 001», «N001», «Н 001», no «от», a two-digit year,
# «реестр» (any case ending) before the number, a list «№ 001, 002 и № 003» sharing one date.
# Written without IGNORECASE and starting with a character set, so that the engine skips
# quickly to the places worth trying (three times faster on 100,000 purposes).
_REF = re.compile(
    rf"[№NНnнРр](?:(?<=№)|(?<=[NНnн])(?<![{_LETTER}][NНnн])[oо]?\.?"
    r"|(?<=[Рр])[Ее][Ее][Сс][Тт][Рр][а-яёА-ЯЁ]*)\s*"
    rf"(?:{_SIGN}\s*)?(\d{{1,4}}(?:\s*(?:,|;|и|И)\s*(?:{_SIGN}\s*)?\d{{1,4}})*)(?!\d)"
    r"[\s,]*(?:[Оо][Тт]\s*)?(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?!\d)"
)
# a number of another document: «по счёту № 5 от 06.11.2026», «договор N 15 от …»
_OTHER = ("счет", "счёт", "договор", "контракт", "соглашени", "акт", "накладн", "заявк",
          "письм", "решени", "постановлени", "приказ", "квитанци", "протокол", "инвойс",
          "спецификаци", "заказ")  # fmt: skip
_NAME_REF = re.compile(r"Payments_(\d{8})_(\d{3})(?!\d)", re.IGNORECASE)
_NUMBERS = re.compile(r"\d+")


def references(purpose: str) -> set[tuple[date, int]]:
    """The (date, number) of every registry a payment's purpose names."""
    out: set[tuple[date, int]] = set()
    if "ayments_" in purpose or "AYMENTS_" in purpose:
        for m in _NAME_REF.finditer(purpose):
            name = parse_name(f"Payments_{m.group(1)}_{m.group(2)}.txt")
            if name is not None:
                out.add((name.day, name.number))
    for m in _REF.finditer(purpose):
        at = m.start()
        if purpose[at] not in "Рр":
            before = purpose[max(0, at - 30) : at].rsplit(None, 1)
            if before and before[-1].lower().startswith(_OTHER):
                continue
        year = int(m.group(4))
        if len(m.group(4)) == 2:
            year += 2000
        try:
            day = date(year, int(m.group(3)), int(m.group(2)))
        except ValueError:
            continue
        for number in _NUMBERS.findall(m.group(1)):
            out.add((day, int(number)))
    return out


# ---------------------------------------------------------------------------- matching


class _Docs:
    """The candidate documents, indexed: by sum, and the registries each purpose names."""

    def __init__(self, rows: Iterable[sql.DocRow]) -> None:
        self.rows: list[sql.DocRow] = list(rows)
        texts = [r[2] for r in self.rows]
        ordinal = {t: date.fromisoformat(t).toordinal() for t in set(texts)}  # few days
        self.day: list[int] = [ordinal[t] for t in texts]  # the day it came, as an ordinal
        self.by_amount: dict[int, list[int]] = defaultdict(list)
        for i, r in enumerate(self.rows):
            self.by_amount[r[3]].append(i)
        self.bound = bytearray(len(self.rows))
        self.reserved = bytearray(len(self.rows))  # names a registry: not for sum rules

    def transfer(self, i: int) -> Transfer:
        r = self.rows[i]
        return Transfer(r[0], r[1], date.fromordinal(self.day[i]), r[3], r[4], r[5])

    def of_sum(self, amount: int, first: int, last: int) -> list[int]:
        """Free candidates of ``amount`` that came from ``first`` to ``last`` (ordinals)."""
        return [
            i
            for i in self.by_amount.get(amount, ())
            if not self.bound[i] and not self.reserved[i] and first <= self.day[i] <= last
        ]


def match_registries(
    registries: list[Registry],
    rows: Iterable[sql.DocRow],
    terms: BankTerms,
    known: Iterable[tuple[date, int]] = (),
) -> dict[int, Match]:
    """Match ``registries`` (those without a kept match) against candidate documents
    ``rows`` (incoming, from the agent, not bound by a kept match). ``known``: the (date,
    number) of the registries with a kept match, whose naming also reserves a document.
    Returns file_id -> Match. Pure."""
    regs = sorted(registries, key=lambda r: (r.day, r.number))
    docs = _Docs(rows)
    fee = [fee_of(r.total, terms.fee_percent) for r in regs]
    expected = [r.total - f for r, f in zip(regs, fee, strict=True)]
    start = [r.day.toordinal() for r in regs]
    window = [(s, s + terms.days) for s in start]
    index = {(r.day, r.number): k for k, r in enumerate(regs)}
    kept = set(known)
    status: list[str | None] = [None] * len(regs)
    listed: list[list[int]] = [[] for _ in regs]
    difference: list[int | None] = [None] * len(regs)

    # rule 1: the purpose names the registry
    parent = list(range(len(regs)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    named: set[int] = set()
    for i, row in enumerate(docs.rows):
        refs = references(row[5]) if row[5] else set()
        if not refs:
            continue
        hits = [index[ref] for ref in refs if ref in index]
        if hits or refs & kept:
            docs.reserved[i] = 1
        day = docs.day[i]
        hits = sorted(k for k in hits if window[k][0] <= day <= window[k][1])
        if not hits:
            continue
        docs.bound[i] = 1
        for k in hits:
            listed[k].append(i)
            named.add(k)
            parent[root(k)] = root(hits[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for k in sorted(named):
        groups[root(k)].append(k)
    for members in groups.values():
        got = sum(docs.rows[i][3] for i in {i for k in members for i in listed[k]})
        diff = got - sum(expected[k] for k in members)
        for k in members:
            status[k] = MATCHED if diff == 0 else MISMATCH
            difference[k] = diff

    # rule 2: one candidate of the expected sum
    for k in range(len(regs)):
        if status[k] is not None:
            continue
        found = docs.of_sum(expected[k], *window[k])
        if len(found) == 1:
            status[k], difference[k], listed[k] = MATCHED, 0, found
            docs.bound[found[0]] = 1
        elif found:
            status[k], listed[k] = AMBIGUOUS, found

    # rule 3: one transfer for all the registries of one day
    by_day: dict[int, list[int]] = defaultdict(list)
    for k in range(len(regs)):
        if status[k] is None:
            by_day[start[k]].append(k)
    for members in by_day.values():
        if len(members) < 2:
            continue
        found = docs.of_sum(sum(expected[k] for k in members), *window[members[0]])
        if len(found) == 1:
            docs.bound[found[0]] = 1
            for k in members:
                status[k], difference[k], listed[k] = MATCHED, 0, found

    out: dict[int, Match] = {}
    for k, r in enumerate(regs):
        out[r.file_id] = Match(
            r.file, r.file_id, r.day, r.number, r.rows, r.total, fee[k], expected[k],
            status[k] or MISSING, difference[k],
            tuple(docs.transfer(i) for i in sorted(listed[k], key=lambda i: (docs.day[i], i))),
        )  # fmt: skip
    return out


# ---------------------------------------------------------------------------- database


def _registries(db: Database) -> list[tuple[Registry, bool]]:
    out = []
    for file_id, name, status, rows, total in sql.payments_registries(db):
        fname = parse_name(name)
        if fname is None or fname.is_ack:
            continue
        reg = Registry(file_id, name, fname.day, fname.number, rows, total)
        out.append((reg, status in ("accepted", "done")))
    return out


def _kept(db: Database, regs: list[Registry], one: bool = True) -> list[Match]:
    """The kept matches of ``regs`` (those that have one)."""
    kept_rows = sql.kept_matches(db)
    wanted = [r for r in regs if r.file_id in kept_rows]
    if not wanted:
        return []
    docs: dict[int, list[Transfer]] = defaultdict(list)
    for file_id, _doc_id, _bound, d in sql.documents_of_matches(
        db, wanted[0].file_id if one and len(wanted) == 1 else None
    ):
        docs[file_id].append(Transfer(d[0], d[1], date.fromisoformat(d[2]), d[3], d[4], d[5]))
    out = []
    for reg in wanted:
        status, fee, expected, diff = kept_rows[reg.file_id]
        out.append(
            Match(
                reg.file, reg.file_id, reg.day, reg.number, reg.rows, reg.total, fee, expected,
                status, diff, tuple(docs.get(reg.file_id, ())), kept=True,
            )
        )  # fmt: skip
    return out


def reconcile(db: Database, terms: BankTerms) -> list[Match]:
    """Every payments registry, pending or accepted, with its match; by date, then number."""
    regs = [reg for reg, _accepted in _registries(db)]
    result = {m.file_id: m for m in _kept(db, regs, one=False)}
    fresh = [r for r in regs if r.file_id not in result]
    if fresh:
        taken = {doc_id for _, doc_id, bound, _ in sql.documents_of_matches(db) if bound}
        first = min(r.day for r in fresh)
        last = max(r.day for r in fresh) + timedelta(days=terms.days)
        rows = sql.documents_between(db, first.isoformat(), last.isoformat(), terms.agent_inn)
        known = [(m.day, m.number) for m in result.values()]
        result.update(match_registries(fresh, (r for r in rows if r[0] not in taken), terms, known))
    return sorted(result.values(), key=lambda m: (m.day, m.number))


def kept_match(db: Database, name: str) -> Match | None:
    """The match kept at the acceptance of the registry ``name``, if any."""
    found = [m for m in _kept(db, [reg for reg, _ in _registries(db) if reg.file == name])]
    return found[0] if found else None


def summary(m: Match) -> str:
    """The match in the accountant's words, for the report and the window."""
    expected = (
        f"ожидался перевод {v.format_amount(m.expected)} = {v.format_amount(m.total)}"
        f" − комиссия {v.format_amount(m.fee)}"
    )
    docs = "; ".join(
        f"п/п № {d.number} от {v.format_date(d.day)} на {v.format_amount(d.amount)}"
        for d in m.documents
    )
    if m.status == MATCHED:
        text = f"сверено: {docs} ({expected})"
    elif m.status == MISMATCH:
        diff = m.difference or 0
        text = (f"расхождение {'+' if diff > 0 else ''}{v.format_amount(diff)}: {docs}"
                f" ({expected})")  # fmt: skip
    elif m.status == AMBIGUOUS:
        text = f"неоднозначно: перевод на эту сумму не один — {docs} ({expected})"
    else:
        text = f"не найдено: в выписках нет перевода по реестру ({expected})"
    return text


def matches_by_file(db: Database, terms: BankTerms) -> dict[str, Match]:
    """file name -> its match (for the pending list)."""
    return {m.file: m for m in reconcile(db, terms)}


def pending_matches(
    db: Database, terms: BankTerms, pending: Iterable[Any]
) -> tuple[dict[str, Match], int]:
    """The matches of the pending payments registries (items with ``file`` and ``kind``),
    by file name, and how many statements were imported (for the window)."""
    names = {p.file for p in pending if p.kind == "PAYMENTS"}
    if not names:
        return {}, sql.statements_count(db)
    found = {m.file: m for m in reconcile(db, terms) if m.file in names}
    return found, sql.statements_count(db)


def keep_match(db: Database, file_id: int, terms: BankTerms) -> Match | None:
    """Keep the registry's current match with it (call inside its acceptance transaction,
    before it is marked accepted); returns it, None when it is no payments registry."""
    if file_id in sql.kept_matches(db):
        return None
    found = next((m for m in reconcile(db, terms) if m.file_id == file_id), None)
    if found is None:
        return None
    bound = found.status in (MATCHED, MISMATCH)
    sql.keep_match(
        db, file_id, found.status, found.fee, found.expected, found.difference,
        [(d.id, bound) for d in found.documents],
    )  # fmt: skip
    return found
