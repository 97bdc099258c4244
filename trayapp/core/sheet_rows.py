"""Excel's row limit in the workbooks we write: 1,048,576 rows a sheet (``cells.SHEET_ROWS``).

Excel opens a sheet with more rows only in part, and says so in a way an accountant may
not notice: no row may go past the limit. ``Series`` puts the rows of one table of a
printable report on a write-only workbook's sheets: «Платежи», then «Платежи (2)»,
«Платежи (3)»..., each further sheet beginning with the table's head again, as a printed
report repeats it on every page (docs/decisions.md). An export for the billing program is
refused instead (``exporter``: such a program reads one sheet). Every row goes through
``cells.xlsx_row``: text stays text, never a formula. Imports openpyxl only through the
workbook handed in; nothing of the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trayapp.core import cells


def sheet_title(title: str, n: int) -> str:
    """The title of a table's ``n``-th sheet: «Платежи», «Платежи (2)»..."""
    return title if n == 1 else f"{title} ({n})"


class Series:
    """The sheets of one table: ``append`` goes on to a new sheet when one is full."""

    def __init__(self, wb: Any, title: str, head: Callable[[Any], list[Any]]) -> None:
        """``head(ws)``: the table's head row, put first on every further sheet."""
        self.wb = wb
        self.title = title
        self.head = head
        self.sheets = 0
        self.used = 0
        self.ws: Any = None
        self._open()

    def _open(self) -> None:
        self.sheets += 1
        self.ws = self.wb.create_sheet(sheet_title(self.title, self.sheets))
        self.used = 0
        if self.sheets > 1:
            self._put(self.head(self.ws))

    def room(self) -> Any:
        """The sheet the next row goes to (a new one when this one is full): cells with a
        style are made for it."""
        if self.used >= cells.SHEET_ROWS:
            self._open()
        return self.ws

    def append(self, row: list[Any]) -> None:
        self.room()
        self._put(row)

    def _put(self, row: list[Any]) -> None:
        self.ws.append(cells.xlsx_row(self.ws, row))
        self.used += 1
