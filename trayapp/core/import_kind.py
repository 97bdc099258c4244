"""Which table a billing-data file is, from its name or else its header (spec/import.md).

The window loads files the accountant picks (or a whole folder) without asking the kind of
each: ``recognise(path)`` names it as ``trayapp import KIND`` does — by a word in the file
name («accruals.csv», «Начисления 11.2026.xlsx»), else by the header: the kind all of whose
required columns are there, the one with most columns matched when several are. ``order``
sorts files so that what others refer to is loaded first (org, providers, services,
accounts, then the rest). No SQL; reads the header row only.
"""

from __future__ import annotations

from pathlib import Path

from trayapp.core import tables
from trayapp.core.importer import _COLUMN_OF, COLUMNS, KINDS, column_key

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
    columns = {_COLUMN_OF.get(column_key(h)) for h in header} - {None}
    best: tuple[int, str] | None = None
    for kind in KINDS:
        required = {c for c, needed in COLUMNS[kind] if needed}
        if not required <= columns:
            continue
        matched = len(columns & {c for c, _ in COLUMNS[kind]})
        extra = len(columns - {c for c, _ in COLUMNS[kind]})
        score = matched * 10 - extra
        if best is None or score > best[0]:
            best = (score, kind)
    return best[1] if best else None


def recognise(path: Path) -> str | None:
    """The kind of the table in ``path``; None when neither its name nor header tells."""
    kind = by_name(path)
    if kind is not None:
        return kind
    try:
        with tables.open_table(Path(path)) as table:
            return by_header(list(table.header))
    except Exception:  # not a table at all: the caller says so
        return None


def order(kinds: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """Files in the order their rows may refer to each other."""
    return sorted(kinds, key=lambda pk: (KINDS.index(pk[1]), pk[0].name))
