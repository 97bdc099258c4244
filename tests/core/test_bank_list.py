"""Which registries ``bank list`` shows a document bound to: those whose match is ``matched``
or ``mismatch`` and lists it; the candidates an ``ambiguous`` match lists belong to none
(the accountant must not read the money as that registry's), and a document two registries
of one day share names both, by date then number."""

from __future__ import annotations

from datetime import date

from trayapp.core.bank_list import bindings
from trayapp.core.reconcile import AMBIGUOUS, MATCHED, MISMATCH, MISSING, Match, Transfer

DAY = date(2026, 11, 6)


def doc(i: int, amount: int) -> Transfer:
    return Transfer(i, str(100 + i), DAY, amount, "7707083893", f"перевод {i}")


def match(number: int, status: str, docs: tuple[Transfer, ...], day: date = DAY) -> Match:
    name = f"Payments_{day:%Y%m%d}_{number:03d}.txt"
    return Match(name, number, day, number, 1, 1000, 0, 1000, status,
                 0 if status == MATCHED else None, docs)  # fmt: skip


def test_only_matched_and_mismatched_registries_bind_their_documents() -> None:
    shared = doc(1, 2000)
    matches = [
        match(3, MATCHED, (shared,)),
        match(2, MATCHED, (shared,)),  # rule 3: one transfer for two registries of one day
        match(4, MISMATCH, (doc(2, 990),)),
        match(5, AMBIGUOUS, (doc(3, 1000), doc(4, 1000))),  # two candidates: neither bound
        match(6, MISSING, ()),
        match(1, MATCHED, (doc(5, 1000),), day=date(2026, 11, 5)),
    ]
    bound = {i: files for i, files in bindings(matches).items() if files}
    assert bound == {
        1: ["Payments_20261106_002.txt", "Payments_20261106_003.txt"],
        2: ["Payments_20261106_004.txt"],
        5: ["Payments_20261105_001.txt"],
    }
