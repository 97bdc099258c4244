"""The whole-file reader of MOISCHETA/1 as it was before the streaming one (kept verbatim
from ``moischeta.py`` of 06.12.2026, only its imports adapted): the reference that
``test_stream_reader.py`` proves ``formats.parse`` (now ``stream.Reader`` collected) equal
to, on the same inputs. Not used by the program.
"""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

from trayapp.core import values as v
from trayapp.core.formats.records import FORMAT_ID, FileName, Registry, Row, parse_name
from trayapp.core.formats.rows import (
    _FAST_READERS,
    _HEADER,
    _ROW_READERS,
    FIELD_COUNTS,
    REQUIRED,
    _is_uint,
    _read_header,
    _RowState,
)
from trayapp.core.formats.stream import CYRILLIC, ENCODING, UTF8_BOM
from trayapp.errors import RegistryError

Errors = list[tuple[int, str]]


def _parse_reference(data, name, org, coding):
    return _parse(data, name, org, coding)


def decode(data: bytes) -> tuple[list[str], Errors]:
    """Bytes to lines (without line ends), with an error for each line that cannot decode.

    UTF-8 when the file starts with a BOM, or decodes as strict UTF-8 and then holds at least
    one Cyrillic letter (U+0400–U+04FF); otherwise cp1251 (formats.md: a short cp1251 text
    such as ``В«`` can be valid UTF-8, but then it decodes to no Cyrillic letter).
    """
    errors: Errors = []
    if data.startswith(UTF8_BOM):
        encoding = "utf-8"
        data = data[len(UTF8_BOM) :]
    else:
        encoding = ENCODING
        if not data.isascii():
            try:
                if CYRILLIC.search(data.decode("utf-8")):
                    encoding = "utf-8"
            except UnicodeDecodeError:
                pass
    try:  # the whole file at once; line by line only to name the lines that fail
        lines = data.decode(encoding).split("\n")
    except UnicodeDecodeError:
        lines = []
        for i, chunk in enumerate(data.split(b"\n"), 1):
            try:
                lines.append(chunk.decode(encoding))
            except UnicodeDecodeError:
                errors.append((i, "неверная кодировка"))
                lines.append(chunk.decode(encoding, errors="replace"))
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    while lines and lines[-1] == "":
        lines.pop()
    return lines, errors


# ----------------------------------------------------------------------------- parsing


def parse(
    data: bytes | str,
    name: str | None = None,
    org: str | None = None,
    coding: str | None = None,
) -> Registry:
    """Read a registry; ``org`` and ``coding``, when given, are checked against the file.

    Raises ``RegistryError`` with every error found, line errors first in line order, then
    those of the file as a whole (line 0).
    """
    try:
        return _parse(data, name, org, coding)
    except RegistryError:
        raise
    except Exception as exc:  # pragma: no cover - a bug must still not escape as a crash
        raise RegistryError([(0, f"не формат MOISCHETA/1 ({type(exc).__name__})")]) from exc


def _parse(data: bytes | str, name: str | None, org: str | None, coding: str | None) -> Registry:
    if isinstance(data, str):
        lines = data.split("\n")
        lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
        while lines and lines[-1] == "":
            lines.pop()
        errors: Errors = []
    else:
        lines, errors = decode(data)
    file_errors: Errors = []
    if not lines or lines[0].rstrip() != f"#FORMAT {FORMAT_ID}":
        raise RegistryError([(1, "не формат MOISCHETA/1")], name or "")

    # header
    raw: dict[str, tuple[int, str]] = {}
    i = 1
    while i < len(lines) and (lines[i].startswith("#") or lines[i] == ""):
        if lines[i] == "":
            errors.append((i + 1, "пустая строка"))
            i += 1
            continue
        m = _HEADER.fullmatch(lines[i].rstrip())
        if m:
            raw[m.group(1)] = (i + 1, m.group(2).strip())
        else:
            errors.append((i + 1, f"неверный заголовок: {lines[i]}"))
        i += 1
    first_data = i

    fname: FileName | None = parse_name(name) if name else None
    type_line, rtype = raw.get("TYPE", (0, ""))
    if rtype and rtype not in FIELD_COUNTS:
        errors.append((type_line, f"неверный тип: {rtype}"))
        raise RegistryError(_ordered(errors, file_errors), name or "")
    if fname is not None and rtype and fname.type != rtype:
        errors.append((type_line, f"тип #TYPE {rtype} не совпадает с именем файла"))
    if not rtype:
        file_errors.append((0, "нет заголовка #TYPE"))
        raise RegistryError(_ordered(errors, file_errors), name or "")
    for key in REQUIRED[rtype]:
        if key not in raw and key != "FORMAT":
            file_errors.append((0, f"нет заголовка #{key}"))

    header = _read_header(rtype, raw, org, coding, errors, file_errors)

    # data lines
    count = FIELD_COUNTS[rtype]
    reader = _ROW_READERS[rtype]
    fast = _FAST_READERS.get(rtype)
    state = _RowState(header.coding)
    rows: list[Row] = []
    total = 0
    data_count = 0
    for n in range(first_data, len(lines)):
        text = lines[n]
        ln = n + 1
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
                rows.append(fast_row)
                total += fast_row.amount
                continue
        fields = [f.strip() for f in text.split(";")]
        if len(fields) != count:
            errors.append((ln, f"число полей: {len(fields)}, ожидалось {count}"))
            continue
        row, amount = reader(fields, ln, state, errors)
        if row is not None:
            rows.append(row)
        total += amount

    rows_line, rows_text = raw.get("ROWS", (0, ""))
    if "ROWS" in raw and (not _is_uint(rows_text) or int(rows_text) != data_count):
        file_errors.append((0, f"#ROWS {rows_text}, строк {data_count}"))
    if header.filesum is not None and header.filesum != total:
        file_errors.append(
            (0, f"#FILESUM {v.format_amount(header.filesum)}, сумма строк {v.format_amount(total)}")
        )
    if errors or file_errors:
        raise RegistryError(_ordered(errors, file_errors), name or "")
    return Registry(header, rows)


def _ordered(errors: Errors, file_errors: Errors) -> Errors:
    return sorted(errors, key=lambda e: e[0]) + file_errors

