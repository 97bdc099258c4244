"""Reading table files (CSV and .xlsx) as a billing program and Excel leave them.

``open_source(path)`` opens a file for finding its table: ``parts()`` gives, lazily, each
place a table may be — each sheet of a workbook in order, or a CSV read with ``;`` and then
with ``,`` — with its first rows (``head``: the file's own line of each, and its cells);
``table(part, header_line)`` then streams the data rows under the header row found there.
CSV: encoding UTF-8 (with or without BOM) or cp1251 detected as ``formats.md`` says, in one
pass over the bytes before parsing (``sample``: over the first megabyte only, for a preview
that must not read 9 million rows); a byte that cannot decode makes ``suspect`` true and
shows as U+FFFD, for the importer to report; Excel quoting, line breaks inside quotes.
.xlsx (``table_xlsx``): read-only, formulas as their cached values, numbers never through a
float and merged cells as their top-left cell (``sheets``). The rows before the header and the header row
itself are never data; line numbers stay the file's (the sheet's) own.

Errors: an unreadable file becomes ``AppError`` with a Russian message. Knows nothing of
kinds or the database; imports only ``errors`` of the app.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from trayapp.core.import_columns import header_text
from trayapp.errors import AppError
from trayapp.fsutil import os_reason

UTF8_BOM = b"\xef\xbb\xbf"
EXTENSIONS = (".csv", ".xlsx")
REPLACEMENT = "\ufffd"
HEAD_ROWS = 20  # the header row is looked for among the first 20 rows (import.md)
SAMPLE_BYTES = 1 << 20
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_CHUNK = 1 << 20
_HEAD_LINES_MAX = 2000  # physical lines read for the head, quoted line breaks included

# a broken CSV record (a field over the size limit after an unclosed quote, a NUL byte)
TableSyntaxError = csv.Error


class Table:
    """An open table: ``header`` (its cells as the accountant reads them, ``header_row``
    their line), then ``iter(table)`` gives the data rows below it."""

    name: str
    header: list[str]
    header_row: int = 1
    sheet: str | None = None
    suspect: bool = False

    def __iter__(self) -> Iterator[Sequence[Any]]:
        raise NotImplementedError

    def line_of(self, row: Sequence[Any]) -> int:
        """The file line (sheet row) where ``row``, the row just read, starts."""
        raise NotImplementedError

    def line_now(self) -> int:
        """The line read last (for a syntax error that has no row)."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class Part:
    """A place a table may be: one sheet of a workbook, or a CSV read with one delimiter."""

    sheet: str | None
    delimiter: str | None
    head: list[tuple[int, list[Any]]]  # (the file's line, cells) of the first rows
    copies: dict[int, frozenset[int]] = field(default_factory=dict)  # merged repeats


class Source:
    """A table file opened for finding its table (``parts``) and reading it (``table``)."""

    name: str
    sheets: list[str]
    suspect: bool = False

    def parts(self, rows: int = HEAD_ROWS) -> Iterator[Part]:
        raise NotImplementedError

    def table(self, part: Part, header_line: int) -> Table:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_source(path: Path, sample: bool = False) -> Source:
    """Open a .csv or .xlsx file; AppError when it cannot be read."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in EXTENSIONS:
        raise AppError(f"Файл {path.name}: ожидается таблица .csv или .xlsx")
    if not path.is_file():
        raise AppError(f"Файл {path} не найден")
    try:
        if ext == ".csv":
            return CsvSource(path, sample)
        from trayapp.core.table_xlsx import XlsxSource  # openpyxl's side, where it is needed

        return XlsxSource(path)
    except AppError:
        raise
    except OSError as exc:
        raise AppError(f"Не удалось прочитать файл {path}: {os_reason(exc)}") from exc


def blank(row: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)


# ----------------------------------------------------------------------------- CSV


def sniff_encoding(f: IO[bytes], limit: int | None = None) -> tuple[str, bool]:
    """(encoding, suspect) of a CSV file, read in chunks (all of it, or ``limit`` bytes);
    leaves ``f`` at 0.

    UTF-8 when it starts with a BOM, or decodes as strict UTF-8 and then holds at least one
    Cyrillic letter (U+0400–U+04FF); otherwise cp1251 (formats.md, import.md).
    ``suspect``: some bytes will not decode (replaced by U+FFFD).
    """
    f.seek(0)
    bom = f.read(len(UTF8_BOM)) == UTF8_BOM
    if not bom:
        f.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    utf8 = True
    nonascii = False
    cyrillic = False
    byte98 = False
    left = limit
    while left is None or left > 0:
        chunk = f.read(_CHUNK if left is None else min(_CHUNK, left))
        if not chunk:
            break
        if left is not None:
            left -= len(chunk)
        if not nonascii and not chunk.isascii():
            nonascii = True
        if not byte98 and b"\x98" in chunk:
            byte98 = True
        if utf8 and nonascii:
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
            else:
                if not cyrillic and _CYRILLIC.search(text):
                    cyrillic = True
        if not utf8 and byte98 and not bom:
            break
    if utf8 and (left is None or left > 0):  # the whole file was read: it must end whole
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    f.seek(0)
    if bom:
        return "utf-8-sig", not utf8
    if utf8 and cyrillic:
        return "utf-8", False
    return "cp1251", byte98


def detect_delimiter(line: str) -> str:
    """``;`` unless the line has more ``,`` than ``;``."""
    return "," if line.count(",") > line.count(";") else ";"


class CsvSource(Source):
    def __init__(self, path: Path, sample: bool = False) -> None:
        self.name = path.name
        self.sheets = []
        raw = open(path, "rb", buffering=_CHUNK)  # noqa: SIM115 (closed by close())
        try:
            encoding, self.suspect = sniff_encoding(raw, SAMPLE_BYTES if sample else None)
            self._text = io.TextIOWrapper(
                raw,
                encoding=encoding,
                errors="replace" if self.suspect or sample else "strict",
                newline="",
            )
        except BaseException:
            raw.close()
            raise
        self.encoding = encoding
        self._lines: list[str] = []
        self._eof = False
        self._taken = False

    def _read_head(self, rows: int) -> None:
        """Physical lines enough for ``rows`` records (a quoted field may hold line breaks)."""
        quotes = sum(line.count('"') for line in self._lines)
        while not self._eof and len(self._lines) < _HEAD_LINES_MAX and (
            len(self._lines) < rows or quotes % 2
        ):
            line = self._text.readline()
            if not line:
                self._eof = True
                break
            self._lines.append(line)
            quotes += line.count('"')

    def _records(self, delimiter: str, rows: int) -> list[tuple[int, list[Any]]]:
        out: list[tuple[int, list[Any]]] = []
        reader = csv.reader(self._lines, delimiter=delimiter)
        start = 1
        try:
            for record in reader:
                out.append((start, list(record)))
                start = reader.line_num + 1
                if len(out) >= rows:
                    break
        except csv.Error:
            pass
        return out

    def delimiters(self) -> list[str]:
        """``;`` then ``,``; the one the first line with either favours first."""
        first = next((ln for ln in self._lines if ";" in ln or "," in ln), "")
        return [";", ","] if detect_delimiter(first) == ";" else [",", ";"]

    def parts(self, rows: int = HEAD_ROWS) -> Iterator[Part]:
        self._read_head(rows)
        for delimiter in self.delimiters():
            yield Part(None, delimiter, self._records(delimiter, rows))

    def table(self, part: Part, header_line: int) -> CsvTable:
        if self._taken:
            raise RuntimeError("a CSV source gives one table")
        self._taken = True
        delimiter = part.delimiter or ";"
        self._read_head(header_line + 1)
        reader = csv.reader(self._lines, delimiter=delimiter)
        start = 1
        header: list[Any] = []
        end = 0
        for record in reader:
            if start == header_line:
                header, end = record, reader.line_num
                break
            start = reader.line_num + 1
        return CsvTable(self, delimiter, header, header_line, end)

    def close(self) -> None:
        self._text.close()


class CsvTable(Table):
    """The data rows of a CSV under its header (physical line ``offset`` its last line)."""

    def __init__(
        self, source: CsvSource, delimiter: str, header: list[Any], header_line: int,
        offset: int,
    ) -> None:  # fmt: skip
        self.name = source.name
        self.suspect = source.suspect
        self.encoding = source.encoding
        self.delimiter = delimiter
        self.header = [header_text(h) for h in header]
        self.header_row = header_line
        self._source = source
        self._offset = offset
        # the data from the file itself, past the header's last line, read as it always was
        # (no iterator between the reader and the file: 9 million rows go through here)
        text = source._text
        text.seek(0)
        for _ in range(offset):
            text.readline()
        self._reader = csv.reader(text, delimiter=delimiter)

    def __iter__(self) -> Iterator[list[str]]:
        return self._reader

    def line_of(self, row: Sequence[Any]) -> int:
        inner = 0
        for cell in row:
            if "\n" in cell or "\r" in cell:
                inner += cell.count("\n") + cell.count("\r") - cell.count("\r\n")
        return self._offset + self._reader.line_num - inner

    def line_now(self) -> int:
        return self._offset + self._reader.line_num

    def close(self) -> None:
        self._source.close()


# ----------------------------------------------------------------------------- xlsx


class OneLineRows(Table):
    """A table whose every row is one line (a sheet row, a row in memory)."""

    _rows: Iterator[Sequence[Any]]
    _line: int

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self._rows:
            self._line += 1
            yield row

    def line_of(self, row: Sequence[Any]) -> int:
        return self._line

    def line_now(self) -> int:
        return self._line


# ----------------------------------------------------------------------------- in memory


class MemoryTable(OneLineRows):
    """Rows already in memory (the demo, tests) read like a file: header is line 1."""

    def __init__(self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        self.name = name
        self.header = [header_text(h) for h in header]
        self.suspect = False
        self._rows = iter(rows)
        self._line = 1
