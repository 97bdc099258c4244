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
its acceptance (``keep_match``) and shown from then on. Set-based: each purpose is read once,
at import, into ``bank_references`` (read again for every document when ``references``
changes: ``REFERENCES_VERSION``); the matcher then fetches only the documents that can
matter — those naming a registry we hold, and those of the sums rules 2 and 3 look for —
and indexes them by sum, so 1,000 registries against 100,000 documents take a few
hundredths of a second. Imports no GUI; SQL lives in ``db/bank.py``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from trayapp.core import values as v
from trayapp.core.db import bank as sql
from trayapp.core.db.connection import Database
from trayapp.core.formats import parse_name
from trayapp.setting_types import BankTerms as BankTerms  # the settings hold the terms

MATCHED, MISMATCH, AMBIGUOUS, MISSING = "matched", "mismatch", "ambiguous", "missing"
STATUS_TEXT = {
    MATCHED: "сверено",
    MISMATCH: "расхождение",
    AMBIGUOUS: "неоднозначно",
    MISSING: "не найдено",
}


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
    rf"(?:{_SIGN}\s*)?([0-9]{{1,4}}(?:\s*(?:,|;|и|И)\s*(?:{_SIGN}\s*)?[0-9]{{1,4}})*)(?![0-9])"
    r"[\s,]*(?:[Оо][Тт]\s*)?([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4}|[0-9]{2})(?![0-9])"
)  # digits ASCII ([0-9], not \d: a bank's spaces may be Unicode ones)
# a number of another document: «по счёту № 5 от 06.11.2026», «договор N 15 от …»
_OTHER = ("счет", "счёт", "договор", "контракт", "соглашени", "акт", "накладн", "заявк",
          "письм", "решени", "постановлени", "приказ", "квитанци", "протокол", "инвойс",
          "спецификаци", "заказ")  # fmt: skip
_NAME_REF = re.compile(r"Payments_(\d{8})_(\d{3})(?!\d)", re.IGNORECASE | re.ASCII)
_NUMBERS = re.compile(r"\d+", re.ASCII)


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


Row = tuple[Any, ...]  # id, number, entry_date, amount, payer_inn, purpose, ref_date, ref_number


class Source(Protocol):
    """Where the matcher gets its documents: only those that can matter."""

    def naming(self) -> Iterable[Row]:
        """Documents in the window whose purpose names a registry (one row a reference)."""

    def of_amounts(self, amounts: set[int]) -> Iterable[Row]:
        """Documents in the window of these sums (with their references, if any)."""


class _Docs:
    """The documents fetched so far: rows, day ordinals, the registries each names, and
    whether it is bound; indexed by sum. Documents ``taken`` by a kept match are left out."""

    def __init__(self, taken: set[int], held: set[tuple[date, int]]) -> None:
        self.taken = taken
        self.held = held  # every registry we hold: naming one reserves a document
        self.index: dict[int, int] = {}
        self.rows: list[Row] = []
        self.day: list[int] = []
        self.refs: list[set[tuple[date, int]]] = []
        self.by_amount: dict[int, list[int]] = defaultdict(list)
        self.bound = bytearray()
        self._ordinal: dict[str, int] = {}
        self._ref_day: dict[str, date] = {}

    def add(self, rows: Iterable[Row]) -> None:
        for r in rows:
            if r[0] in self.taken:
                continue
            i = self.index.get(r[0])
            if i is None:
                i = self.index[r[0]] = len(self.rows)
                self.rows.append(r[:6])
                day = self._ordinal.get(r[2])
                if day is None:
                    day = self._ordinal[r[2]] = date.fromisoformat(r[2]).toordinal()
                self.day.append(day)
                self.refs.append(set())
                self.by_amount[r[3]].append(i)
                self.bound.append(0)
            if r[6] is not None:
                ref_day = self._ref_day.get(r[6])
                if ref_day is None:
                    ref_day = self._ref_day[r[6]] = date.fromisoformat(r[6])
                self.refs[i].add((ref_day, int(r[7])))

    def transfer(self, i: int) -> Transfer:
        r = self.rows[i]
        return Transfer(r[0], r[1], date.fromordinal(self.day[i]), r[3], r[4], r[5])

    def of_sum(self, amount: int, first: int, last: int) -> list[int]:
        """Free candidates of ``amount`` that came from ``first`` to ``last`` (ordinals); a
        document naming a registry we hold is for that registry only (rule 1)."""
        return sorted(
            (
                i
                for i in self.by_amount.get(amount, ())
                if not self.bound[i]
                and first <= self.day[i] <= last
                and self.refs[i].isdisjoint(self.held)
            ),
            key=lambda i: (self.day[i], self.rows[i][0]),
        )


def match_registries(
    registries: list[Registry],
    source: Source,
    terms: BankTerms,
    known: Iterable[tuple[date, int]] = (),
    taken: Iterable[int] = (),
) -> dict[int, Match]:
    """Match ``registries`` (those without a kept match) against the documents ``source``
    gives (incoming, from the agent when set, in the registries' whole window). ``known``:
    the (date, number) of the registries with a kept match; ``taken``: the documents bound by
    those. Returns file_id -> Match."""
    regs = sorted(registries, key=lambda r: (r.day, r.number))
    fee = [fee_of(r.total, terms.fee_percent) for r in regs]
    expected = [r.total - f for r, f in zip(regs, fee, strict=True)]
    start = [r.day.toordinal() for r in regs]
    window = [(s, s + terms.days) for s in start]
    index = {(r.day, r.number): k for k, r in enumerate(regs)}
    docs = _Docs(set(taken), set(index) | set(known))
    status: list[str | None] = [None] * len(regs)
    listed: list[list[int]] = [[] for _ in regs]
    difference: list[int | None] = [None] * len(regs)

    # rule 1: the purpose names the registry
    docs.add(source.naming())
    parent = list(range(len(regs)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    named: set[int] = set()
    for i in range(len(docs.rows)):
        day = docs.day[i]
        hits = sorted(
            k for k in (index.get(ref) for ref in docs.refs[i])
            if k is not None and window[k][0] <= day <= window[k][1]
        )  # fmt: skip
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
    docs.add(source.of_amounts({expected[k] for k in range(len(regs)) if status[k] is None}))
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
    days = {d: sum(expected[k] for k in m) for d, m in by_day.items() if len(m) >= 2}
    if days:
        docs.add(source.of_amounts(set(days.values())))
    for d, total in sorted(days.items()):
        members = by_day[d]
        found = docs.of_sum(total, *window[members[0]])
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

# Bump when ``references`` reads purposes differently: the stored references are then read
# again from every document's purpose at the next reconcile.
REFERENCES_VERSION = "1"


def index_references(db: Database, statement_id: int | None = None) -> None:
    """Store the registries named by the purposes of a statement's new documents (all
    documents, when the stored ones were read by another version of ``references``)."""
    if statement_id is None and sql.references_version(db) == REFERENCES_VERSION:
        return  # the usual case: no write, no lock
    with db.transaction():
        current = sql.references_version(db) == REFERENCES_VERSION
        if current and statement_id is None:
            return
        if current and statement_id is not None:
            rows = sql.purposes_of_statement(db, statement_id)
        else:
            sql.clear_references(db)
            rows = sql.all_purposes(db)
            sql.set_references_version(db, REFERENCES_VERSION)
        sql.insert_references(
            db, ((doc_id, d.isoformat(), n) for doc_id, p in rows for d, n in references(p))
        )


class _DbSource:
    def __init__(self, db: Database, first: date, last: date, payer: str,
                 held: list[tuple[date, int]]) -> None:  # fmt: skip
        self.db, self.payer = db, payer
        self.first, self.last = first.isoformat(), last.isoformat()
        days = [d for d, _ in held]
        self.ref_first, self.ref_last = min(days).isoformat(), max(days).isoformat()

    def naming(self) -> Iterable[Row]:
        return sql.documents_naming(self.db, self.first, self.last, self.payer,
                                    self.ref_first, self.ref_last)  # fmt: skip

    def of_amounts(self, amounts: set[int]) -> Iterable[Row]:
        if not amounts:
            return []
        return sql.documents_of_amounts(self.db, amounts, self.first, self.last, self.payer)


def _registries(db: Database) -> list[Registry]:
    out = []
    for file_id, name, _status, rows, total in sql.payments_registries(db):
        fname = parse_name(name)
        if fname is None or fname.is_ack:
            continue
        out.append(Registry(file_id, name, fname.day, fname.number, rows, total))
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
    index_references(db)
    regs = _registries(db)
    result = {m.file_id: m for m in _kept(db, regs, one=False)}
    fresh = [r for r in regs if r.file_id not in result]
    if fresh:
        taken = {doc_id for _, doc_id, bound, _ in sql.documents_of_matches(db) if bound}
        first = min(r.day for r in fresh)
        last = max(r.day for r in fresh) + timedelta(days=terms.days)
        known = [(m.day, m.number) for m in result.values()]
        source = _DbSource(db, first, last, terms.agent_inn,
                           [(r.day, r.number) for r in regs])  # fmt: skip
        result.update(match_registries(fresh, source, terms, known, taken))
    return sorted(result.values(), key=lambda m: (m.day, m.number))


def kept_match(db: Database, name: str) -> Match | None:
    """The match kept at the acceptance of the registry ``name``, if any."""
    found = _kept(db, [reg for reg in _registries(db) if reg.file == name])
    return found[0] if found else None


def _rub(kopecks: int) -> str:
    """A sum in the human text: ``273 324,28 ₽`` (no-break spaces)."""
    return v.format_rubles(kopecks)


def summary(m: Match) -> str:
    """The match in the accountant's words, for the report and the window."""
    expected = f"ожидался перевод {_rub(m.expected)} = {_rub(m.total)} − комиссия {_rub(m.fee)}"
    docs = "; ".join(
        f"п/п № {d.number} от {v.format_date(d.day)} на {_rub(d.amount)}" for d in m.documents
    )
    if m.status == MATCHED:
        text = f"сверено: {docs} ({expected})"
    elif m.status == MISMATCH:
        diff = m.difference or 0
        text = (f"расхождение {'+' if diff > 0 else ''}{_rub(diff)}: {docs}"
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
