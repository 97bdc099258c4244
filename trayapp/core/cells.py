"""Cells that stay text: nothing we write for Excel becomes a formula (spec/import.md, end).

``csv_field(value)``: a CSV field that begins with ``=``, ``+``, ``-``, ``@``, a tab or a CR
and is not a number gets a leading ``'`` (``-1-1`` → ``'-1-1``; ``-5,00`` stays a number).
``xlsx_row(ws, values)``: every ``str`` of a row becomes an explicit string cell (an inline
string, never ``<f>`` nor an error value such as ``#N/A``), quote-prefixed when it would read
as a formula once edited in Excel; a cell already built (a style, a number format) keeps its
style but loses a formula it took from its text. Characters XML cannot hold (C0 controls but
tab and line feeds) are replaced by ``?``: openpyxl would otherwise refuse the whole file.
Used at the two writers of tables (``tables.write_csv``/``write_xlsx``) and by the report;
``discard`` drops a workbook that could not be saved without openpyxl's noise.
Imports nothing of the UI; openpyxl only through the cells handed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_ROWS = 1_048_576  # Excel's rows on a sheet: no row may go past it (``sheet_rows``)
# a number as we write one (amounts "-5,00", readings "39,100", counts "12")
NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?", re.ASCII)
# what an XML 1.0 document cannot carry (openpyxl's own check refuses it)
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet would take ``text`` for a formula (a number is not one)."""
    return text.startswith(FORMULA_START) and NUMBER.fullmatch(text) is None


def csv_field(value: Any) -> Any:
    """The field as written to CSV: text that would be a formula gets a leading ``'``."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_field(x) for x in values]


def xlsx_cell(ws: Any, value: Any) -> Any:
    """``value`` for a write-only sheet: a ``str`` as an explicit string cell, a built
    cell made text if its value took it for a formula or an error; anything else as is."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell

    if isinstance(value, Cell):
        if isinstance(value.value, str) and value.data_type != "s":
            _as_text(value, value.value)
        return value
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(ws)
    _as_text(cell, value)
    return cell


def _as_text(cell: Any, text: str) -> None:
    text = XML_ILLEGAL.sub("?", text)
    cell.value = text  # openpyxl's own reading: a formula when it starts with "="...
    cell.data_type = "s"  # ...undone: an inline string, whatever the text
    if needs_quote(text):
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited


def xlsx_row(ws: Any, values: Iterable[Any]) -> list[Any]:
    return [xlsx_cell(ws, x) for x in values]


def discard(wb: Any) -> None:
    """A write-only workbook that will not be saved (its file could not be written): finish
    each sheet's stream and remove its temporary file now. Left to the garbage collector,
    openpyxl writes to the closed stream and prints a traceback on stderr, and the
    temporary file stays in the system's temp folder."""
    for ws in getattr(wb, "worksheets", ()):
        try:
            if not ws.closed:
                ws.close()
            writer = getattr(ws, "_writer", None)
            if writer is not None:
                writer.cleanup()
        except Exception:  # best effort: the export's own error is what the user sees
            pass
