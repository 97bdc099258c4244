"""``trayapp bank list`` and the window's list of transfers: the incoming documents held from
bank statements, each with the registries it is bound to (spec/bank.md, spec/cli.md).

A document is bound to a registry where that registry's match (kept at its acceptance, else
worked out afresh by ``reconcile``) is ``matched`` or ``mismatch`` and lists it; the
documents an ``ambiguous`` match lists are bound to none. Imports no GUI; SQL in
``db/bank.py``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from trayapp.core import values as v
from trayapp.core.db import bank as sql
from trayapp.core.db.connection import Database
from trayapp.core.reconcile import MATCHED, MISMATCH, BankTerms, Match, reconcile

RECENT = 200  # the latest documents the window lists (``bank list`` prints them all)


@dataclass(frozen=True, slots=True)
class HeldDocument:
    """One incoming document as ``bank list`` shows it; the amount in kopecks."""

    id: int
    day: date  # the day it came (ДатаПоступило, else Дата)
    number: str
    amount: int
    payer: str
    payer_inn: str
    purpose: str
    kind: str
    registries: tuple[str, ...] = ()  # file names of the registries it is bound to

    def to_json(self) -> dict[str, Any]:
        return {
            "date": v.format_date(self.day),
            "number": self.number,
            "sum": v.format_amount(self.amount),
            "payer": self.payer,
            "payer_inn": self.payer_inn,
            "purpose": self.purpose,
            "kind": self.kind,
            "registry": self.registries[0] if self.registries else None,
            "registries": list(self.registries),
        }


def bindings(matches: list[Match]) -> dict[int, list[str]]:
    """Document id -> the registries it is bound to (by date, then number)."""
    out: dict[int, list[str]] = defaultdict(list)
    for m in sorted(matches, key=lambda m: (m.day, m.number)):
        if m.status in (MATCHED, MISMATCH):
            for d in m.documents:
                if m.file not in out[d.id]:
                    out[d.id].append(m.file)
    return out


def held_documents(
    db: Database,
    terms: BankTerms,
    first: date | None = None,
    last: date | None = None,
    limit: int | None = None,
    matches: list[Match] | None = None,
) -> list[HeldDocument]:
    """The incoming documents that came from ``first`` to ``last`` (each end optional), by
    day; ``limit``: only the latest that many. ``matches``: the result of ``reconcile`` when
    the caller has it already."""
    rows = sql.held_documents(db, first.isoformat() if first else None,
                              last.isoformat() if last else None, limit)  # fmt: skip
    if not rows:
        return []
    bound = bindings(reconcile(db, terms) if matches is None else matches)
    return [
        HeldDocument(int(r[0]), date.fromisoformat(r[1]), str(r[2]), int(r[3]), str(r[4]),
                     str(r[5]), str(r[6]), str(r[7]), tuple(bound.get(int(r[0]), ())))
        for r in rows
    ]  # fmt: skip
