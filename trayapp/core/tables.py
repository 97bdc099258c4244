"""Reading and writing table files (CSV and .xlsx) as the accountant's Excel makes them.

Reading is ``table_read`` (re-exported here): ``open_source(path)`` finds the sheets and the
first rows, ``Source.table`` streams the rows under the header row found.

Writing: ``write_csv`` and ``write_xlsx`` write a header and rows atomically (temporary file
in the target folder, flush, fsync, ``os.replace``, fsync of the folder; with ``new``, never
over an existing file: the first free name of a numbered series, claimed by a hard link).
CSV with ``;``, UTF-8 with BOM, CRLF.

Errors: an unreadable file becomes ``AppError`` with a Russian message. Knows nothing of
kinds or the database; imports only ``errors`` of the app.
"""

from __future__ import annotations

import csv
import errno
import io
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from trayapp.core import cells
from trayapp.core.table_read import (
    EXTENSIONS,
    REPLACEMENT,
    UTF8_BOM,
    CsvTable,
    MemoryTable,
    Part,
    Source,
    Table,
    TableSyntaxError,
    blank,
    detect_delimiter,
    open_source,
    sniff_encoding,
)
from trayapp.core.table_xlsx import XlsxTable
from trayapp.errors import AppError, FolderError
from trayapp.fsutil import fsync_dir, remove_file, replace_file, set_hidden

__all__ = [
    "EXTENSIONS", "REPLACEMENT", "UTF8_BOM", "CsvTable", "MemoryTable", "Part", "Source",
    "Table", "TableSyntaxError", "XlsxTable", "atomic_write", "blank", "detect_delimiter",
    "open_source", "sniff_encoding", "write_csv", "write_xlsx",
]

log = logging.getLogger(__name__)


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
    title: str = "",
) -> tuple[int, Path]:
    """An .xlsx of one sheet (named ``title``, not openpyxl's «Sheet»): the header row, then
    ``rows``; ``formats`` maps a column index
    to a number format (``0.00`` for amounts). (row count, path). More rows than Excel's
    sheet holds (``cells.SHEET_ROWS``) raise ``AppError`` and write nothing."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    formats = formats or {}
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(title=title or None)
    ws.append(list(header))
    count = 0
    room = cells.SHEET_ROWS - 1  # Excel's rows of a sheet, under the header row

    def write(f: IO[bytes]) -> None:
        wb.save(f)

    try:
        for row in rows:
            if count == room:  # never a row past the sheet's last, never a row dropped
                raise AppError(f"на листе Excel помещается не больше {room} строк под "
                               "заголовком: файл .xlsx не записан")  # fmt: skip
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
        written = atomic_write(path, write, new)
    except BaseException:
        cells.discard(wb)  # no traceback of openpyxl's after the user's message
        raise
    return count, written
