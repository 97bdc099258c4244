"""The .xlsx side of the table readers (``table_read``): a workbook refused in Russian
before openpyxl unpacks it when its parts could exhaust memory (``xlsx_guard``), its sheets
read row by row, each sheet's head kept for finding the table. Imports openpyxl only
through ``core.sheets``, when a workbook is opened; nothing of the UI."""

from __future__ import annotations

import itertools
import logging
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from trayapp.core import xlsx_guard
from trayapp.core.import_columns import header_text
from trayapp.core.table_read import HEAD_ROWS, OneLineRows, Part, Source
from trayapp.errors import AppError

log = logging.getLogger(__name__)


# what openpyxl's sheet parser raises on a broken part (found by fuzzing the structure)
SHEET_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, IndexError,
                TypeError, SyntaxError)  # SyntaxError: ElementTree's ParseError


class XlsxSource(Source):
    def __init__(self, path: Path) -> None:
        from trayapp.core.sheets import open_workbook  # deferred: openpyxl takes a second

        self.name = path.name
        xlsx_guard.check(path)  # sizes, ratios, DTDs, cell lengths: before openpyxl unpacks
        try:
            self._wb = open_workbook(path)
        except OSError:
            raise
        except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
            log.info("%s: openpyxl: %r", path.name, exc)  # its English goes to the log only
            raise AppError(
                f"Файл {path.name} не читается как таблица Excel (.xlsx): в книге нет нужной "
                "части или она повреждена. Сохраните таблицу в Excel заново или выгрузите её "
                "в CSV"
            ) from exc
        self._sheets = list(self._wb.worksheets)
        self.sheets = [ws.title for ws in self._sheets]
        if not self._sheets:
            self._wb.close()
            raise AppError(f"Файл {path.name}: в книге нет листов")
        self._rows: dict[str, Any] = {}
        self._parts: dict[tuple[str, int], Part] = {}

    def _sheet_rows(self, title: str) -> Any:
        from trayapp.core.sheets import SheetRows

        if title not in self._rows:
            ws = self._sheets[self.sheets.index(title)]
            try:
                self._rows[title] = SheetRows(ws)
            except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
                raise AppError(f"Файл {self.name}: лист «{title}» не читается: {exc}") from exc
        return self._rows[title]

    def parts(self, rows: int = HEAD_ROWS) -> Iterator[Part]:
        for title in self.sheets:
            cached = self._parts.get((title, rows))
            if cached is not None:
                yield cached
                continue
            sheet = self._sheet_rows(title)
            head: list[tuple[int, list[Any]]] = []
            gen = iter(sheet)
            try:
                for line, row in enumerate(itertools.islice(gen, rows), 1):
                    head.append((line, list(row)))
            except SHEET_ERRORS as exc:
                raise AppError(f"Файл {self.name}: лист «{title}» не читается: {exc}") from exc
            finally:
                gen.close()
            copies = {line: sheet.copies(line) for line, _ in head if sheet.copies(line)}
            part = self._parts[(title, rows)] = Part(title, None, head, copies)
            yield part

    def table(self, part: Part, header_line: int) -> XlsxTable:
        return XlsxTable(self, part.sheet or self.sheets[0], header_line)

    def close(self) -> None:
        self._wb.close()


class XlsxTable(OneLineRows):
    def __init__(self, source: XlsxSource, sheet: str, header_line: int) -> None:
        self.name = source.name
        self.sheet = sheet
        self.suspect = False
        self._source = source
        rows = iter(source._sheet_rows(sheet))
        header: Sequence[Any] = ()
        for row in itertools.islice(rows, header_line):
            header = row
        self.header = [header_text(h) for h in header]
        self.header_row = header_line
        self._rows = rows
        self._line = header_line

    def __iter__(self) -> Iterator[Sequence[Any]]:
        try:
            yield from super().__iter__()
        except SHEET_ERRORS as exc:  # a part broken further down than the head read
            raise AppError(f"Файл {self.name}: лист «{self.sheet}» не читается "
                           f"(строка {self._line + 1}): {exc}") from exc  # fmt: skip

    def close(self) -> None:
        self._source.close()
