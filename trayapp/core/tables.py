"""Reading and writing table files (CSV and .xlsx) as the accountant's Excel makes them.

Reading: ``open_table(path)`` gives a ``Table``: its header (names stripped and lower-cased)
and its data rows, streamed, with the file line (or sheet row) of each. CSV: delimiter ``;``
or ``,`` detected from the header line, encoding UTF-8 (with or without BOM) or cp1251
detected as ``formats.md`` says (in one pass over the bytes, before parsing), Excel quoting.
A cp1251 byte that cannot decode, or broken UTF-8 after a BOM, makes ``suspect`` true and
shows as U+FFFD in the row, for the importer to report. .xlsx: the first sheet, read-only,
cell values as Excel stores them (str, int, float, datetime, bool, None).

Writing: ``write_csv`` and ``write_xlsx`` write a header and rows atomically (temporary file
in the target folder, flush, fsync, ``os.replace``, fsync of the folder; with ``new``, never
over an existing file: the first free name of a numbered series, claimed by a hard link).
CSV with ``;``, UTF-8 with BOM, CRLF.

Errors: an unreadable file becomes ``AppError`` with a Russian message. Knows nothing of
kinds or the database; imports only ``errors`` of the app.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from trayapp.core import cells
from trayapp.errors import AppError, FolderError
from trayapp.fsutil import fsync_dir, remove_file, replace_file, set_hidden

log = logging.getLogger(__name__)

UTF8_BOM = b"\xef\xbb\xbf"
EXTENSIONS = (".csv", ".xlsx")
REPLACEMENT = "\ufffd"
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_CHUNK = 1 << 20

# a broken CSV record (a field over the size limit after an unclosed quote, a NUL byte)
TableSyntaxError = csv.Error


class Table:
    """An open table file: ``header``, then ``iter(table)`` gives the data rows."""

    name: str
    header: list[str]
    suspect: bool

    def __iter__(self) -> Iterator[Sequence[Any]]:
        raise NotImplementedError

    def line_of(self, row: Sequence[Any]) -> int:
        """The file line (sheet row) where ``row``, the row just read, starts."""
        raise NotImplementedError

    def line_now(self) -> int:
        """The line read last (for a syntax error that has no row)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_table(path: Path) -> Table:
    """Open a .csv or .xlsx file for reading; AppError when it cannot be read."""
    ext = path.suffix.lower()
    if ext not in EXTENSIONS:
        raise AppError(f"Файл {path.name}: ожидается таблица .csv или .xlsx")
    if not path.is_file():
        raise AppError(f"Файл {path} не найден")
    try:
        if ext == ".csv":
            return CsvTable(path)
        return XlsxTable(path)
    except AppError:
        raise
    except OSError as exc:
        raise AppError(f"Не удалось прочитать файл {path}: {exc.strerror or exc}") from exc


def header_name(cell: Any) -> str:
    """A header cell as a column name: trimmed, lower-case, without a stray BOM."""
    if cell is None:
        return ""
    return str(cell).replace("\ufeff", "").strip().lower()


# ----------------------------------------------------------------------------- CSV


def sniff_encoding(f: IO[bytes]) -> tuple[str, bool]:
    """(encoding, suspect) of a whole CSV file, read in chunks; leaves ``f`` at 0.

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
    for chunk in iter(lambda: f.read(_CHUNK), b""):
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
    if utf8:
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
    """``;`` unless the header line has more ``,`` than ``;``."""
    return "," if line.count(",") > line.count(";") else ";"


class CsvTable(Table):
    def __init__(self, path: Path) -> None:
        self.name = path.name
        raw = open(path, "rb", buffering=_CHUNK)  # noqa: SIM115 (closed by close())
        try:
            encoding, self.suspect = sniff_encoding(raw)
            self._text = io.TextIOWrapper(
                raw,
                encoding=encoding,
                errors="replace" if self.suspect else "strict",
                newline="",
            )
            first = self._text.readline()
        except BaseException:
            raw.close()
            raise
        self.encoding = encoding
        self.delimiter = detect_delimiter(first)
        header = next(csv.reader([first], delimiter=self.delimiter), [])
        self.header = [header_name(h) for h in header]
        self._reader = csv.reader(self._text, delimiter=self.delimiter)

    def __iter__(self) -> Iterator[list[str]]:
        return self._reader

    def line_of(self, row: Sequence[Any]) -> int:
        inner = 0
        for field in row:
            if "\n" in field or "\r" in field:
                inner += field.count("\n") + field.count("\r") - field.count("\r\n")
        return 1 + self._reader.line_num - inner

    def line_now(self) -> int:
        return 1 + self._reader.line_num

    def close(self) -> None:
        self._text.close()


# ----------------------------------------------------------------------------- xlsx


class _OneLineRows(Table):
    """A table whose every row is one line (a sheet row, a row in memory), header line 1."""

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


class XlsxTable(_OneLineRows):
    def __init__(self, path: Path) -> None:
        import openpyxl  # deferred: a second to import, needed only for .xlsx

        self.name = path.name
        self.suspect = False
        try:
            self._wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except OSError:
            raise
        except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
            raise AppError(
                f"Файл {path.name} не читается как таблица Excel (.xlsx): {exc}"
            ) from exc
        try:
            sheets = self._wb.worksheets
            if not sheets:
                raise AppError(f"Файл {path.name}: в книге нет листов")
            self._rows = sheets[0].iter_rows(values_only=True)
            first = next(self._rows, ())
        except AppError:
            self._wb.close()
            raise
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            self._wb.close()
            raise AppError(f"Файл {path.name}: лист Excel не читается: {exc}") from exc
        self.header = [header_name(h) for h in first]
        self._line = 1

    def close(self) -> None:
        self._wb.close()


# ----------------------------------------------------------------------------- writing


def atomic_write(path: Path, write: Callable[[IO[bytes]], None], new: int = 0) -> Path:
    """Write ``path`` through a temporary file in its folder: flush, fsync, then into place,
    then fsync the folder.

    ``new`` > 0: never overwrite a file; the data goes under ``path``, or, when that is
    taken, ``<stem>_2<suffix>``, ``_3``... up to ``new`` names (the first free one, claimed
    atomically by a hard link, or an ``O_EXCL`` create where the file system has no links);
    ``FileExistsError`` when all are taken. Returns the path written.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    set_hidden(tmp)  # Windows: not shown in the accountant's folder while it is written
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        set_hidden(tmp, False)  # a rename or a hard link keeps the attributes
        if new:
            path = _claim(tmp, path, new)
        else:
            replace_file(tmp, path)  # waits out Excel holding the previous file, then says so
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)  # the rename or link itself survives a power cut
    return path


def _claim(tmp: str, path: Path, names: int) -> Path:
    """Put the finished ``tmp`` under the first free name of ``path``'s series."""
    for n in range(1, names + 1):
        target = path if n == 1 else path.with_name(f"{path.stem}_{n}{path.suffix}")
        try:
            os.link(tmp, target)
        except FileExistsError:
            continue
        except OSError:  # no hard links here (FAT, some network shares): reserve, then replace
            try:
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            except FileExistsError:
                continue
            replace_file(tmp, target)  # an antivirus may be scanning the new empty file
            return target
        try:  # the data is in place under ``target``: a held temporary name must not undo it
            remove_file(Path(tmp))
        except FolderError as exc:
            log.warning("the temporary file stays behind: %s", exc.message)
        return target
    raise FileExistsError(errno.EEXIST, "файл уже есть", str(path))


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], new: int = 0
) -> tuple[int, Path]:
    """A CSV as Excel opens it right: ``;``, UTF-8 with BOM, CRLF. (row count, path)."""
    count = 0

    def write(f: IO[bytes]) -> None:
        nonlocal count
        text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="", write_through=False)
        w = csv.writer(text, delimiter=";", lineterminator="\r\n")
        w.writerow(header)
        for row in rows:
            w.writerow(cells.csv_row(row))  # nothing becomes a formula in Excel
            count += 1
        text.flush()
        text.detach()

    written = atomic_write(path, write, new)
    return count, written


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: dict[int, str] | None = None,
    new: int = 0,
) -> tuple[int, Path]:
    """An .xlsx of one sheet: the header row, then ``rows``; ``formats`` maps a column index
    to a number format (``0.00`` for amounts). (row count, path)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    formats = formats or {}
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(list(header))
    count = 0
    for row in rows:
        out: list[Any] = []
        for i, value in enumerate(row):
            fmt = formats.get(i)
            if fmt is not None and value is not None and value != "":
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = fmt
                out.append(cell)
            else:
                out.append(value)
        ws.append(cells.xlsx_row(ws, out))  # text stays text: never a formula
        count += 1

    def write(f: IO[bytes]) -> None:
        wb.save(f)

    written = atomic_write(path, write, new)
    return count, written


# ----------------------------------------------------------------------------- in memory


class MemoryTable(_OneLineRows):
    """Rows already in memory (the demo, tests) read like a file: header is line 1."""

    def __init__(self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        self.name = name
        self.header = [header_name(h) for h in header]
        self.suspect = False
        self._rows = iter(rows)
        self._line = 1

    def close(self) -> None:
        pass
