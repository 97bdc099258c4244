"""A MOISCHETA/1 registry read as a stream: bytes in pieces, lines, rows (spec/formats.md).

For a registry too large to hold (the transport takes 200 MB, 3,500,000 lines): the caller
gives the file's bytes as an iterable of pieces, twice if need be, and takes the rows one
by one. ``sniff_encoding(pieces)`` applies the rule of formats.md (a BOM, or strict UTF-8
holding a Cyrillic letter, else cp1251) incrementally, stopping at the first byte that is
not UTF-8; ``decode_lines(pieces, encoding, errors)`` yields the lines without their ends
(the empty lines at the very end dropped), appending «неверная кодировка» for a line as it
is yielded; ``Reader`` reads the header at once and yields the data rows from ``rows()``,
appending every error to its ``errors`` sink as it is found. ``moischeta.parse`` is this
reader collected into a ``Registry``, so both read alike by construction. Pure: no I/O
(the pieces come from the caller), no database.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import NamedTuple

from trayapp.core import values as v
from trayapp.core.formats.records import FORMAT_ID, FileName, Header, Row, parse_name
from trayapp.core.formats.rows import (
    _FAST_READERS,
    _HEADER,
    _ROW_READERS,
    FIELD_COUNTS,
    REQUIRED,
    Sink,
    _is_uint,
    _read_header,
    _RowState,
)

ENCODING = "cp1251"
UTF8_BOM = b"\xef\xbb\xbf"
CYRILLIC = re.compile("[\u0400-\u04ff]")  # what tells UTF-8 from cp1251 (formats.md)
NOT_FORMAT = "не формат MOISCHETA/1"


class Fields(NamedTuple):
    """A data line as its fields (trimmed), where no correct row could be read of it."""

    line: int
    fields: list[str]


def _head(pieces: Iterable[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The first three bytes or more (enough to see a BOM), and the pieces after them."""
    it = iter(pieces)
    head = b""
    while len(head) < len(UTF8_BOM):
        piece = next(it, None)
        if piece is None:
            break
        head += piece
    return head, it


def sniff_encoding(pieces: Iterable[bytes]) -> str:
    """``utf-8`` or ``cp1251`` for the whole file, by the rule of formats.md: UTF-8 when it
    starts with a BOM, or decodes as strict UTF-8 and holds at least one Cyrillic letter."""
    head, rest = _head(pieces)
    if head.startswith(UTF8_BOM):
        return "utf-8"
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    cyrillic = False
    try:
        for piece in chain((head,), rest):
            if piece.isascii() and not decoder.getstate()[0]:
                continue  # ASCII is UTF-8 and holds no Cyrillic letter
            text = decoder.decode(piece)
            if not cyrillic and CYRILLIC.search(text):
                cyrillic = True
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return ENCODING
    return "utf-8" if cyrillic else ENCODING


def decode_lines(pieces: Iterable[bytes], encoding: str, errors: Sink) -> Iterator[str]:
    """The file's lines without their ends (``\\n`` or ``\\r\\n``), a UTF-8 BOM left out;
    a line that does not decode is yielded with ``?``-like replacements and an error
    (line, «неверная кодировка») appended just before it. Empty lines at the very end are
    not yielded (formats.md). A run of whole lines is decoded at once; line by line only
    where that fails, to name the lines."""
    head, rest = _head(pieces)
    if encoding == "utf-8" and head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    n = 0
    empty = 0  # empty lines held back: yielded only when a line follows them
    parts: list[bytes] = []
    for piece in chain((head,), rest, (None,)):
        if piece is not None:
            cut = piece.rfind(b"\n")
            if cut < 0:
                parts.append(piece)
                continue
            parts.append(piece[:cut])
            block = b"".join(parts)
            parts = [piece[cut + 1 :]]
        else:  # the end: what follows the last line end is the last line
            block = b"".join(parts)
        try:
            lines = block.decode(encoding).split("\n")
            bad: list[bool] | None = None
        except UnicodeDecodeError:
            lines, bad = [], []
            for chunk in block.split(b"\n"):
                try:
                    lines.append(chunk.decode(encoding))
                    bad.append(False)
                except UnicodeDecodeError:
                    lines.append(chunk.decode(encoding, errors="replace"))
                    bad.append(True)
        for i, text in enumerate(lines):
            if text.endswith("\r"):
                text = text[:-1]
            if not text:  # an empty line never fails to decode
                empty += 1
                continue
            while empty:
                empty -= 1
                n += 1
                yield ""
            n += 1
            if bad is not None and bad[i]:
                errors.append((n, "неверная кодировка"))
            yield text


def text_lines(text: str) -> Iterator[str]:
    """The lines of a text already decoded, as ``decode_lines`` gives them."""
    empty = 0
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if not line:
            empty += 1
            continue
        while empty:
            empty -= 1
            yield ""
        yield line


class Reader:
    """One registry read line by line (see the module docstring).

    The header is read when the reader is made: ``header`` is set unless the file is not
    ours (``not_format``: the first line is not ``#FORMAT MOISCHETA/1``) or its type is
    missing or unknown (``fatal``). ``rows()`` then yields each correct data row, and, for
    a data line with errors, its ``Fields`` when it has as many as its type asks for; with
    ``fields=True``, or after a fatal header, the ``Fields`` of every data line instead (of
    any count: the caller reads them as it must). Errors go to ``errors`` as
    found, each line's in the order found; sorted by line (stable, line 0 last) they are
    what ``parse`` raises (``unique_ids=False``: less «повтор платежа/показания» of an id
    met on an earlier line, which holding every id would take; the check finds those in its
    table, ``validate``). Counts after ``rows()``: ``data_count`` (data lines), ``total``
    (kopecks of the amount column), ``first_row`` (line of the first correct row).
    """

    def __init__(
        self,
        lines: Iterable[str],
        errors: Sink,
        name: str | None = None,
        org: str | None = None,
        coding: str | None = None,
        unique_ids: bool = True,
    ) -> None:
        self.errors = errors
        self.unique_ids = unique_ids  # False: an id twice in the file is the caller's to find
        self.name = name
        self.not_format = False
        self.fatal = False
        self.header: Header | None = None
        self.data_count = 0
        self.total = 0
        self.first_row = 0
        self._raw: dict[str, tuple[int, str]] = {}
        self._lines = enumerate(lines, 1)
        self._next: tuple[int, str] | None = None  # the first data line, read ahead
        self._read_head(org, coding)

    def _read_head(self, org: str | None, coding: str | None) -> None:
        errors = self.errors
        first = next(self._lines, None)
        if first is None or first[1].rstrip() != f"#FORMAT {FORMAT_ID}":
            self.not_format = self.fatal = True
            return
        raw = self._raw
        for ln, text in self._lines:
            if text == "":
                errors.append((ln, "пустая строка"))
                continue
            if not text.startswith("#"):
                self._next = (ln, text)
                break
            m = _HEADER.fullmatch(text.rstrip())
            if m:
                raw[m.group(1)] = (ln, m.group(2).strip())
            else:
                errors.append((ln, f"неверный заголовок: {text}"))

        fname: FileName | None = parse_name(self.name) if self.name else None
        type_line, rtype = raw.get("TYPE", (0, ""))
        if rtype and rtype not in FIELD_COUNTS:
            errors.append((type_line, f"неверный тип: {rtype}"))
            self.fatal = True
            return
        if fname is not None and rtype and fname.type != rtype:
            errors.append((type_line, f"тип #TYPE {rtype} не совпадает с именем файла"))
        if not rtype:
            errors.append((0, "нет заголовка #TYPE"))
            self.fatal = True
            return
        for key in REQUIRED[rtype]:
            if key not in raw and key != "FORMAT":
                errors.append((0, f"нет заголовка #{key}"))
        self.header = _read_header(rtype, raw, org, coding, errors, errors)

    def _rest(self) -> Iterator[tuple[int, str]]:
        if self._next is not None:
            yield self._next
            self._next = None
        yield from self._lines

    def rows(self, fields: bool = False) -> Iterator[Row | Fields]:
        """The data rows (see the class docstring); the file's own checks (``#ROWS``,
        ``#FILESUM``) are made once the last line is read."""
        if self.not_format:
            return
        if self.fatal or self.header is None:
            for ln, text in self._rest():  # no type to read them by: the fields as they are
                if text and not text.startswith("#"):
                    yield Fields(ln, [f.strip() for f in text.split(";")])
            return
        header = self.header
        errors = self.errors
        rtype = header.type
        count = FIELD_COUNTS[rtype]
        reader = _ROW_READERS[rtype]
        fast = None if fields else _FAST_READERS.get(rtype)
        state = _RowState(header.coding, self.unique_ids)
        total = 0
        data_count = 0
        first_row = 0
        for ln, text in self._rest():
            if text == "":
                errors.append((ln, "пустая строка"))
                continue
            if text.startswith("#"):
                errors.append((ln, "заголовок после данных"))
                continue
            data_count += 1
            if fast is not None:
                fast_row = fast(text, ln, state)
                if fast_row is not None:
                    if not first_row:
                        first_row = ln
                    total += fast_row.amount
                    yield fast_row
                    continue
            split = [f.strip() for f in text.split(";")]
            if len(split) != count:
                errors.append((ln, f"число полей: {len(split)}, ожидалось {count}"))
                if fields:
                    yield Fields(ln, split)
                continue
            row, amount = reader(split, ln, state, errors)
            total += amount
            if row is not None and not fields:
                if not first_row:
                    first_row = ln
                yield row
            else:
                yield Fields(ln, split)
        self.data_count, self.total, self.first_row = data_count, total, first_row
        rows_text = self._raw.get("ROWS", (0, ""))[1]
        if "ROWS" in self._raw and (not _is_uint(rows_text) or int(rows_text) != data_count):
            errors.append((0, f"#ROWS {rows_text}, строк {data_count}"))
        if header.filesum is not None and header.filesum != total:
            errors.append(
                (0, f"#FILESUM {v.format_amount(header.filesum)}, "
                    f"сумма строк {v.format_amount(total)}")
            )  # fmt: skip


def ordered(errors: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Errors in the order they are shown: by line (stable), those of the file (0) last."""
    return sorted(errors, key=lambda e: (e[0] == 0, e[0]))
