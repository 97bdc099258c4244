"""Rows of an .xlsx sheet as the accountant sees them, streamed (openpyxl read-only).

``sheet_rows(ws)`` gives each row of a read-only worksheet from row 1 (missing rows as empty
tuples), cell values as Excel stores them (str, int, datetime, bool, None), with two
differences from openpyxl's own rows: a number with a fraction is a ``Decimal`` of the very
digits the file holds (never a float: ``0.3`` stays ``0.3``, ``1234567890123.45`` stays
exact), and a cell inside a merged range reads as the range's top-left cell. ``copies`` of
the generator says, per row, which cells only repeat a merged cell to their left (a header
cell spread over two columns is one name, not two). No I/O beyond the workbook; imports
nothing of the app.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import VALUE_TAG, WorkSheetParser

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)"')
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
_CHUNK = 1 << 20


class _ExactParser(WorkSheetParser):  # type: ignore[misc]
    """openpyxl's sheet parser, but a number with a fraction is the Decimal of its digits."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell: dict[str, Any] = super().parse_cell(element)
        if type(cell["value"]) is float:
            text = element.findtext(VALUE_TAG)
            try:
                cell["value"] = Decimal(text)
            except (InvalidOperation, TypeError):
                pass
        return cell


class _LazySheet(ReadOnlyWorksheet):  # type: ignore[misc]
    """A read-only sheet that does not parse itself whole when opened: openpyxl does, to
    size a sheet whose file has no ``<dimension>`` (what other programs than Excel write),
    and a 100,000-row sheet took 12 s. Rows here are sized as they come."""

    def _get_size(self) -> None:
        self._min_column = self._min_row = 1
        self._max_column = self._max_row = None


class _Reader(ExcelReader):  # type: ignore[misc]
    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            ws = _LazySheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def open_workbook(path: Any) -> Any:
    """A workbook read-only, formulas as their cached values, no sheet read yet."""
    reader = _Reader(path, read_only=True, keep_vba=False, data_only=True, keep_links=False,
                     rich_text=False)  # fmt: skip
    reader.read()
    return reader.wb


def merged_ranges(ws: Any) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range of a read-only sheet.

    They stand after the rows in the sheet's XML: the part is inflated once, in chunks,
    and only what follows ``</sheetData>`` is searched."""
    out: list[tuple[int, int, int, int]] = []
    with ws._get_source() as src:
        tail = b""
        after = False
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            data = tail + chunk
            if not after:
                at = data.find(b"sheetData>")  # memchr-fast; the regex only where it is
                m = _SHEET_DATA_END.search(data, max(0, at - 16)) if at >= 0 else None
                if m is None:
                    tail = data[-32:]
                    continue
                after = True
                data = data[m.end():]
            tail = data
        text = tail if after else b""
    for m in _MERGE.finditer(text):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(m.group(1).decode())
        except (ValueError, TypeError):
            continue
        if None in (min_col, min_row, max_col, max_row):
            continue
        out.append((int(min_col), int(min_row), int(max_col), int(max_row)))
    return out


class SheetRows:
    """The rows of one read-only worksheet from row 1, merged cells filled in.

    Iterating gives one tuple per row; ``copies(line)`` the cells of row ``line`` that only
    repeat a merged cell on their left."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self._by_row: dict[int, list[tuple[int, int, int, int]]] = {}
        self._copies: dict[int, frozenset[int]] = {}
        for rng in merged_ranges(ws):
            min_col, min_row, max_col, max_row = rng
            if (max_row - min_row + 1) * (max_col - min_col + 1) > 1_000_000:
                continue  # a whole-column merge: a format, not data
            for r in range(min_row, max_row + 1):
                self._by_row.setdefault(r, []).append(rng)
            if max_col > min_col:
                for r in range(min_row, max_row + 1):
                    cols = set(self._copies.get(r, frozenset()))
                    cols.update(range(min_col, max_col))  # 0-based indexes of the copies
                    self._copies[r] = frozenset(cols)
        self._top: dict[tuple[int, int], Any] = {}

    def copies(self, line: int) -> frozenset[int]:
        return self._copies.get(line, frozenset())

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        ws = self._ws
        parent = ws.parent
        by_row = self._by_row
        line = 0
        with ws._get_source() as src:
            parser = _ExactParser(src, ws._shared_strings, data_only=parent.data_only,
                                  epoch=parent.epoch, date_formats=parent._date_formats,
                                  timedelta_formats=parent._timedelta_formats)  # fmt: skip
            for idx, cells in parser.parse():
                while line + 1 < idx:  # rows the file leaves out
                    line += 1
                    yield self._fill(line, ()) if line in by_row else ()
                line = idx
                row = ws._get_row(cells, 1, None, True) if cells else ()
                yield self._fill(line, row) if line in by_row else row

    def _fill(self, line: int, row: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(row)
        for min_col, min_row, max_col, _max_row in self._by_row[line]:
            if line == min_row:
                self._top[(min_row, min_col)] = out[min_col - 1] if min_col <= len(out) else None
            value = self._top.get((min_row, min_col))
            if len(out) < max_col:
                out.extend([None] * (max_col - len(out)))
            for c in range(min_col, max_col + 1):
                if (line, c) != (min_row, min_col):
                    out[c - 1] = value
        return tuple(out)
