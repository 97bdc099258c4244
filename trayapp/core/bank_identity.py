"""Which bank documents are one and the same (spec/bank.md): their identity.

A document is the same when its kind (``СекцияДокумент=``), the payee's account, number,
``Дата``, sum, the payer's account and ИНН are. The kind is compared in a canonical form,
``kind_key``: bank clients write one kind differently («Платежное поручение», «Платёжное
поручение», «ПЛАТЕЖНОЕ ПОРУЧЕНИЕ», a no-break space, two spaces), and the same order in the
statements of two programs must count once. The text as the bank wrote it is kept apart for
display. ``distinct`` keeps the first of the documents of one file that are one document,
and tells the repeats as warnings of their lines. Pure: imports nothing of the app but
``values`` and the statement's record.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from trayapp.core.values import format_amount, format_date

if TYPE_CHECKING:  # the schema's migration imports this module: nothing heavy at run time
    from trayapp.core.formats.clientbank import BankDocument

Identity = tuple[str, str, date, int, str, str, str]


@lru_cache(maxsize=256)  # a statement of 100,000 documents has a handful of kinds
def kind_key(kind: str) -> str:
    """The kind as the identity compares it: composed (NFC), letter case folded, «ё» read as
    «е», every run of whitespace (no-break spaces, tabs) one space, none at the ends."""
    text = unicodedata.normalize("NFC", kind).casefold().replace("ё", "е")
    return " ".join(text.split())


def identity(d: BankDocument) -> Identity:
    return (d.payee_account, d.number, d.day, d.amount, kind_key(d.kind), d.payer_account,
            d.payer_inn)  # fmt: skip


def distinct(docs: Iterable[BankDocument]) -> tuple[list[BankDocument], list[tuple[int, str]]]:
    """The documents with each identity once (the first met), and a warning ``(line,
    message)`` for each section that repeats one before it: held once, it counts once."""
    first: dict[Identity, BankDocument] = {}
    warnings: list[tuple[int, str]] = []
    for d in docs:
        key = identity(d)
        held = first.get(key)
        if held is None:
            first[key] = d
            continue
        warnings.append((d.line, f"документ № {d.number} от {format_date(d.day)} на "
                         f"{format_amount(d.amount)} повторяет документ строки {held.line}"
                         " — пропущен, учтён один раз"))  # fmt: skip
    return list(first.values()), warnings
