"""What a table file holds, before it is loaded: the preview the window shows (import.md).

The contract for the window (and anyone else)::

    inspect(path, kind=None, sheet=None, header_row=None, columns=None, *,
            db=None, store=None) -> Preview

reads the first rows of a .csv or .xlsx only (under a second for any file: a CSV's encoding
from its first megabyte, a workbook read-only) and tells:

- ``kind``: the kind given, else recognised — a choice remembered for the file's header
  (``store``), else a word of the file name, else the header (None when nothing tells:
  ``errors`` says so and the accountant picks one); ``kind_title`` its Russian name;
- ``sheets`` of a workbook (empty for a CSV), the ``sheet`` read, the ``header_row`` found
  (the file's own line, the sheet's own row; when no row fits, the row that came nearest,
  ``errors`` saying what it lacks, ``ok`` false), ``head``: the first 20 rows as text, for
  choosing the header row by hand;
- ``headers``: the file's column headers (of the header row) as read — what a drop-down
  offers; ``fields``: each column of the kind in order, with its Russian ``title``,
  ``required``, and the file's column feeding it (``column`` an index into ``headers``, -1
  none; ``header`` its text; ``chosen`` by hand or remembered rather than by its name);
- ``rows``: the first 10 data rows as they will be read (``values`` per field, in the form
  the database will hold them: an account found without its leading zeros as the account,
  ``10.2026`` for a period, ``1 234,50`` for a sum), each with its own ``errors``;
- ``errors``: what a dry check of the header and of these rows finds, each cause once (rows
  as ranges), as the load would tell it; ``notes``: what was read other than as written;
  ``remembered``: the columns came from a file of the same header loaded before;
- ``ok``: a kind, a header row and no error; ``choices``: the columns in effect as
  ``{field: header}``, to pass back as ``columns``.

Changing a choice is calling ``inspect`` again with it (``sheet``, ``header_row``,
``columns={"amount": "Начислено"}``; a field given "" is fed by no column). ``db``: the
database references are checked against (without it, account, service, provider and meter
references are shown as written, unchecked). «Проверить» is ``check(db, path, kind,
...)``: the whole file read and checked, nothing loaded (``ImportResult.checked``), or
``ImportFileError`` with every cause. «Загрузить» is ``importer.import_file(db, kind, path,
sheet=..., header_row=..., columns=preview.choices, store=store)``: a load with choices by
hand keeps them in ``store`` for files of the same header, and a later file with that header
loads with them unasked (``inspect`` shows ``remembered``). Several files at once, in the
order their rows refer to each other: ``import_batch.load_files``. No UI here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trayapp.core import events, tables
from trayapp.core import values as v
from trayapp.core.db import Database
from trayapp.core.import_choices import ChoiceStore
from trayapp.core.import_columns import COLUMNS, header_text, title
from trayapp.core.import_errors import Errors
from trayapp.core.import_kind import by_name
from trayapp.core.import_locate import guess, locate
from trayapp.core.import_values import (
    Bad,
    amount_of,
    cell_text,
    date_of,
    month_of,
    reading_of,
)
from trayapp.core.importer import ImportResult, _build, _converters, _Refs, footer_text, import_file
from trayapp.errors import AppError

PREVIEW_ROWS = 10


@dataclass(frozen=True, slots=True)
class FieldView:
    """One column of the kind and the file's column that feeds it."""

    name: str  # internal: "account"
    title: str  # Russian, as shown: «Лицевой счёт»
    required: bool
    column: int  # index into Preview.headers; -1: no column feeds it
    header: str  # the file's header text of that column ("" when none)
    chosen: bool  # chosen by hand or remembered (not found by its name)


@dataclass(frozen=True, slots=True)
class PreviewRow:
    line: int  # the file's line (the sheet's row)
    values: tuple[str, ...]  # per field, as the load will read it ("" empty or unreadable)
    errors: tuple[str, ...]  # this row's errors


@dataclass(frozen=True, slots=True)
class Preview:
    path: Path
    kind: str | None
    kind_title: str
    sheets: tuple[str, ...]
    sheet: str | None
    header_row: int | None
    head: tuple[tuple[int, tuple[str, ...]], ...]
    headers: tuple[str, ...]
    fields: tuple[FieldView, ...]
    rows: tuple[PreviewRow, ...]
    errors: tuple[str, ...]
    notes: tuple[str, ...]
    remembered: bool

    @property
    def ok(self) -> bool:
        return self.kind is not None and self.header_row is not None and not self.errors

    @property
    def choices(self) -> dict[str, str]:
        """The columns in effect, ``{field: the file's header}`` ("" for none)."""
        return {f.name: f.header for f in self.fields}


def inspect(
    path: Path,
    kind: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    columns: Mapping[str, str] | None = None,
    *,
    db: Database | None = None,
    store: ChoiceStore | None = None,
    held: Mapping[str, Collection[str]] | None = None,
) -> Preview:
    """The preview of ``path`` (see the module's docstring). AppError when the file cannot
    be read at all (not a table, not there). ``held``: keys by kind (``import_keys.KEYS``)
    that files loaded before this one would add (a folder: ``import_preview_all``), counted
    as the database's."""
    path = Path(path)
    with tables.open_source(path, sample=True) as source:
        sheets = tuple(source.sheets)
        if kind is None:
            kind = guess(source, store, remembered_only=True) if store is not None else None
            kind = kind or by_name(path) or guess(source)
        if kind is None:
            first = next(iter(source.parts()), None)
            return Preview(path, None, "", sheets, first.sheet if first else None, None,
                           _head(first.head if first else []), (), (), (),
                           ("непонятно, что это за таблица: выберите вид данных",), (),
                           False)  # fmt: skip
        if kind not in COLUMNS:
            raise AppError(f"Неизвестный вид таблицы: {kind}")
        found = locate(source, kind, sheet, header_row, columns, store)
        kind_title = events.IMPORT_TITLES.get(kind, kind)
        if found.part is None:  # the nearest row's columns, for the accountant to complete
            near = found.nearest
            cells = dict(near.head).get(found.nearest_line, []) if near is not None else []
            headers = tuple(header_text(c) for c in cells)
            position = found.match.position if found.match is not None else {}
            fields = tuple(
                FieldView(n, title(n), r, position.get(n, -1),
                          headers[position[n]] if position.get(n, -1) >= 0 else "",
                          n in found.columns)
                for n, r in COLUMNS[kind]
            )  # fmt: skip
            return Preview(path, kind, kind_title, sheets, near.sheet if near else sheet,
                           found.nearest_line or None, _head(near.head if near else []), headers,
                           fields, (), tuple(_told(found.errors)), (), False)  # fmt: skip
        part = found.part
        table = source.table(part, found.header_line)
        headers = tuple(table.header)
        assert found.match is not None
        fields = tuple(
            FieldView(n, title(n), r, found.match.position[n],
                      headers[found.match.position[n]] if found.match.position[n] >= 0 else "",
                      n in found.columns)
            for n, r in COLUMNS[kind]
        )  # fmt: skip
        errors = Errors()
        for line, message in found.errors:
            errors.add(line, message)
        rows, notes = _rows(db, kind, table, found.match.position, errors, held)
        if found.remembered:
            notes.insert(0, "столбцы выбраны так же, как для прошлого файла с таким же заголовком")
        return Preview(path, kind, kind_title, sheets, part.sheet, found.header_line,
                       _head(part.head), headers, fields, tuple(rows), tuple(errors.lines()),
                       tuple(notes), found.remembered)  # fmt: skip


def check(
    db: Database,
    path: Path,
    kind: str,
    sheet: str | None = None,
    header_row: int | None = None,
    columns: Mapping[str, str] | None = None,
    store: ChoiceStore | None = None,
) -> ImportResult:
    """«Проверить»: the whole file read and checked as a load would, nothing loaded;
    ImportFileError with every cause."""
    return import_file(db, kind, path, sheet=sheet, header_row=header_row, columns=columns,
                       check=True, store=store)  # fmt: skip


def _told(errors: list[tuple[int, str]]) -> list[str]:
    return [f"строка: {n}, {m}" if n else m for n, m in errors]


def _head(head: list[tuple[int, list[Any]]]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    return tuple((line, tuple(cell_text(c) for c in cells)) for line, cells in head)


def _shown(conv: Any, value: Any, text: str, numbers: dict[int, str]) -> str:
    """A converted value as the accountant reads it."""
    if conv is month_of:
        return v.format_month(value)
    if conv is amount_of:
        return v.format_money(value)
    if conv is reading_of:
        return v.format_reading(value).replace(".", ",")
    if conv is date_of:
        return v.format_date(v.from_iso_date(value))
    if getattr(conv, "__func__", None) is _Refs.account:
        return numbers.get(value, text)
    if isinstance(value, int):
        return str(value)
    return text


def _rows(
    db: Database | None, kind: str, table: tables.Table, position: dict[str, int],
    errors: Errors, held: Mapping[str, Collection[str]] | None = None,
) -> tuple[list[PreviewRow], list[str]]:  # fmt: skip
    """The first data rows as the load will read them, their errors into ``errors``."""
    spec = [(n, r, position[n]) for n, r in COLUMNS[kind]]
    taken: list[tuple[int, Sequence[Any]]] = []
    notes: list[str] = []
    for row in table:
        if len(taken) >= PREVIEW_ROWS:
            break
        foot = footer_text(row)
        if foot is not None:
            notes.append(f"строка {table.line_of(row)} «{foot}» — итоговая: "
                         "она и строки ниже не загружаются")  # fmt: skip
            break
        if not tables.blank(row):
            taken.append((table.line_of(row), row))
    refs = None
    if db is not None:  # only the accounts and meters these rows name: a second, not ten
        named: dict[str, list[str]] = {
            f: [cell_text(r[i]) for _, r in taken if 0 <= (i := position[f]) < len(r)]
            for f in ("account", "meter_id") if f in position}  # fmt: skip
        refs = _Refs(db, kind, named)
        if held:
            _add_held(refs, kind, held)
    convert = _converters(kind, refs if refs is not None else _NoRefs())  # type: ignore[arg-type]
    numbers = {i: n for n, i in refs.accounts.items()} if refs is not None else {}
    out: list[PreviewRow] = []
    for line, row in taken:
        shown: list[str] = []
        vals: list[Any] = []
        bad: list[str] = []
        for k, (name, required, i) in enumerate(spec):
            raw = row[i] if 0 <= i < len(row) else None
            text = cell_text(raw)
            if not text:
                if required:
                    bad.append(f"пустое поле: «{title(name)}»")
                shown.append("")
                vals.append(None)
                continue
            conv = convert[k]
            try:
                value = conv(raw, text)
            except Bad as exc:
                bad.append(str(exc))
                shown.append(text)
                vals.append(None)
                continue
            vals.append(value)
            shown.append(_shown(conv, value, text, numbers))
        if not bad and refs is not None:
            built = _build(kind, vals, refs)
            if isinstance(built, str):
                bad.append(built)
        for message in bad:
            errors.add(line, message)
        out.append(PreviewRow(line, tuple(shown), tuple(bad)))
    if refs is not None and refs.zeros:
        notes.insert(0, f"лицевые счета без ведущих нулей (например, {refs.zeros_example})")
    return out, notes


def _add_held(refs: _Refs, kind: str, held: Mapping[str, Collection[str]]) -> None:
    """The keys earlier files would load, as if the database had them (ids below zero: never
    written, a preview only). A service of an earlier file counts as metered (its file's
    flag is not read here; the load checks it)."""
    fake = -1 - len(refs.accounts) - len(refs.meters) - len(refs.providers)
    if kind in ("balances", "accruals", "payments", "meters"):
        for number in held.get("accounts", ()):
            if number not in refs.accounts:
                refs.accounts[number] = fake
                fake -= 1
        for code in held.get("services", ()):
            refs.services.setdefault(str(int(code)), int(code))
            refs.metered.add(int(code))
    if kind == "services":
        for inn in held.get("providers", ()):
            refs.providers.setdefault(inn, fake)
            fake -= 1
    if kind == "readings":
        for meter in held.get("meters", ()):
            refs.meters.setdefault(meter, fake)
            fake -= 1


class _NoRefs:
    """References shown as written when no database is given."""

    def __init__(self) -> None:
        self.spans: dict[int, Any] = {}
        self.metered: set[int] = set()
        self.zeros = 0
        self.zeros_example = ""

    def account(self, raw: Any, text: str) -> str:
        return text

    service = provider = meter = account
