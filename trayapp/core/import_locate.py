"""Finding the table in a file: the sheet, the header row, the column feeding each field.

``locate(source, kind, ...)`` looks at each part of the file in order (each sheet of a
workbook; a CSV read with ``;``, then ``,``) and, in its first 20 rows, for the first row
holding all of ``kind``'s required columns (title rows above it are not data). A choice
remembered for a header (``import_choices``) is tried first; choices given by hand
(``sheet``, ``header_row``, ``columns``) narrow the search. Where nothing fits, the errors
name each sheet looked at, the row that came nearest and the columns it lacks, by their
Russian names. ``guess`` names the kind of a file of unknown kind from its header. No SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trayapp.core.import_choices import Choice, ChoiceStore, signature
from trayapp.core.import_columns import (
    COLUMNS,
    Match,
    described,
    field_named,
    guess_kind,
    match,
    title,
)
from trayapp.core.table_read import HEAD_ROWS, Part, Source, blank
from trayapp.errors import AppError


@dataclass(frozen=True, slots=True)
class Found:
    """Where the table of a file is, and how its columns feed the kind."""

    part: Part | None  # None: no header found (``errors`` says why)
    header_line: int  # 0: none
    kind: str
    match: Match | None
    columns: dict[str, str] = field(default_factory=dict)  # choices by hand in effect
    remembered: bool = False  # the choices came from a file of the same header before
    signature: str = ""
    errors: list[tuple[int, str]] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    # where nothing fits: the part and the row that came nearest (``match`` is its match)
    nearest: Part | None = None
    nearest_line: int = 0

    @property
    def ok(self) -> bool:
        return self.part is not None and not self.errors


def hand_columns(kind: str, columns: Mapping[str, str] | None) -> dict[str, str]:
    """``--column FIELD=ЗАГОЛОВОК`` choices with FIELD as the kind's internal name; FIELD may
    be written as the internal or a Russian name. AppError for a FIELD the kind lacks."""
    out: dict[str, str] = {}
    for name, header in (columns or {}).items():
        f = field_named(kind, name)
        if f is None:
            names = ", ".join(f"{c} ({title(c)})" for c, _ in COLUMNS[kind])
            raise AppError(f"У таблицы «{kind}» нет столбца «{name}»; есть: {names}")
        out[f] = header
    return out


def _required_found(kind: str, m: Match) -> int:
    return sum(1 for _, needed in COLUMNS[kind] if needed) - len(m.missing)


def locate(
    source: Source,
    kind: str,
    sheet: str | None = None,
    header_row: int | None = None,
    columns: Mapping[str, str] | None = None,
    store: ChoiceStore | None = None,
) -> Found:
    """Where ``kind``'s table is in ``source``; ``errors`` non-empty when nowhere."""
    hand = hand_columns(kind, columns)
    rows = max(HEAD_ROWS, header_row or 0)
    sheets = list(source.sheets)
    if sheet is not None and sheets and sheet not in sheets:
        listed = ", ".join(f"«{s}»" for s in sheets)
        return Found(None, 0, kind, None, hand, errors=[(0, f"нет листа «{sheet}»; в книге: {listed}")],
                     sheets=sheets)  # fmt: skip
    looked: list[tuple[Part, int, Match | None]] = []
    parts = [p for p in source.parts(rows)
             if sheet is None or p.sheet is None or p.sheet == sheet]  # fmt: skip

    def candidates(part: Part) -> list[tuple[int, list[Any]]]:
        return [(line, cells) for line, cells in part.head
                if (header_row is None or line == header_row) and not blank(cells)]  # fmt: skip

    if not hand and store is not None:  # a choice remembered for a header, in any part
        for part in parts:
            for line, cells in candidates(part):
                sig = signature(cells)
                choice = store.get(sig)
                if choice is None or choice.kind != kind:
                    continue
                m = match(kind, cells, choice.columns, part.copies.get(line, frozenset()))
                if m.complete and not m.twice:
                    return Found(part, line, kind, m, dict(choice.columns), True, sig,
                                 sheets=sheets)  # fmt: skip
    for part in parts:
        best: tuple[int, Match] | None = None
        for line, cells in candidates(part):
            m = match(kind, cells, hand, part.copies.get(line, frozenset()))
            if m.complete:
                errors = [(line, f"столбец указан дважды: {described(f)}") for f in m.twice]
                return Found(part, line, kind, m, hand, False, signature(cells), errors,
                             sheets)  # fmt: skip
            if best is None or _required_found(kind, m) > _required_found(kind, best[1]):
                best = (line, m)
        if best is None:
            looked.append((part, header_row or 0, None))
        else:
            looked.append((part, best[0], best[1]))
    near = max(looked, key=lambda item: -1 if item[2] is None else _required_found(kind, item[2]),
               default=None)  # fmt: skip
    return Found(None, 0, kind, near[2] if near else None, hand,
                 errors=_lacks(kind, looked, hand, header_row), sheets=sheets,
                 nearest=near[0] if near else None, nearest_line=near[1] if near else 0)  # fmt: skip


def _lacks(
    kind: str, looked: list[tuple[Part, int, Match | None]], hand: dict[str, str],
    header_row: int | None,
) -> list[tuple[int, str]]:  # fmt: skip
    """What each part looked at lacks: per sheet of a workbook; for a CSV, the reading (of
    ``;`` and ``,``) that came nearest."""
    if looked and looked[0][0].sheet is None:  # a CSV: the nearer of its two readings
        def score(item: tuple[Part, int, Match | None]) -> int:
            return -1 if item[2] is None else _required_found(kind, item[2])

        looked = [max(looked, key=score)]
    out: list[tuple[int, str]] = []
    for part, line, m in looked:
        where = f"лист «{part.sheet}»: " if part.sheet is not None else ""
        if m is None:
            if header_row:
                what = f"нет строки {header_row}" if all(
                    line != header_row for line, _ in part.head) else f"строка {header_row} пустая"
            elif not part.head:
                what = "пустой" if part.sheet is not None else "в файле нет строк"
            else:
                what = f"в первых {HEAD_ROWS} строках нет ни одной непустой"
            out.append((0, f"{where}{what}"))
            continue
        for f in m.twice:
            out.append((line, f"{where}столбец указан дважды: {described(f)}"))
        for f in m.missing:
            if f in hand and hand[f]:
                out.append((line, f"{where}нет столбца «{hand[f]}», выбранного для «{title(f)}»"))
            else:
                out.append((line, f"{where}нет столбца {described(f)}"))
    return out


def guess(
    source: Source, store: ChoiceStore | None = None, remembered_only: bool = False
) -> str | None:
    """The kind of the table in ``source`` from its header: a remembered choice for one of
    its first rows (of any part), else the first row that holds all of some kind's required
    columns."""
    parts = list(source.parts(HEAD_ROWS))
    if store is not None:
        for part in parts:
            for _, cells in part.head:
                if not blank(cells):
                    choice: Choice | None = store.get(signature(cells))
                    if choice is not None:
                        return choice.kind
    if remembered_only:
        return None
    for part in parts:
        for _, cells in part.head:
            kind = None if blank(cells) else guess_kind(cells)
            if kind is not None:
                return kind
    return None
