"""Which table a billing-data file is, from its name or else its header (spec/import.md).

The window loads files the accountant picks (or a whole folder) without asking the kind of
each: ``recognise(path)`` names it — by a choice remembered for its header
(``import_choices``), else by a word in the file name («accruals.csv», «Начисления
11.2026.xlsx»), else by the header: the first of its first 20 rows (of any sheet) that holds
all of some kind's required columns, the kind with most columns matched when several fit.
``order`` sorts files so that what others refer to is loaded first (org, providers,
services, accounts, then the rest). No SQL; reads the first rows only.
"""

from __future__ import annotations

from pathlib import Path

from trayapp.core import tables
from trayapp.core.import_choices import ChoiceStore
from trayapp.core.import_columns import KINDS, guess_kind
from trayapp.core.import_locate import guess

SUFFIXES = (".csv", ".xlsx", ".txt")

# words in a file name, checked in this order (the first match wins)
_NAME_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("readings", ("readings", "показан")),
    ("meters", ("meters", "счетчик", "счётчик", "приборы")),
    ("providers", ("providers", "поставщик")),
    ("services", ("services", "услуг")),
    ("balances", ("balances", "сальдо", "остатк", "долг", "задолж")),
    ("accruals", ("accruals", "начислен")),
    ("payments", ("payments", "оплат", "платеж", "платёж")),
    ("accounts", ("accounts", "лицев", "абонент")),
    ("org", ("org", "тсж", "организац", "реквизит")),
)


def by_name(path: Path) -> str | None:
    stem = path.stem.lower()
    for kind, words in _NAME_WORDS:
        if any(w in stem for w in words):
            return kind
    return None


def by_header(header: list[str]) -> str | None:
    return guess_kind(header)


def recognise(path: Path, store: ChoiceStore | None = None) -> str | None:
    """The kind of the table in ``path``; None when neither its name nor header tells."""
    path = Path(path)
    remembered = None
    if store is not None:
        remembered = _by_header_of(path, store, remembered_only=True)
    if remembered is not None:
        return remembered
    kind = by_name(path)
    if kind is not None:
        return kind
    return _by_header_of(path, store)


def _by_header_of(path: Path, store: ChoiceStore | None, remembered_only: bool = False) -> str | None:
    try:
        with tables.open_source(path, sample=True) as source:
            if remembered_only:
                return guess(source, store, remembered_only=True)
            return guess(source, store)
    except Exception:  # not a table at all: the caller says so
        return None


def order(kinds: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """Files in the order their rows may refer to each other."""
    return sorted(kinds, key=lambda pk: (KINDS.index(pk[1]), pk[0].name))
