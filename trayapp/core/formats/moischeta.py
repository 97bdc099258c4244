"""Reading and writing MOISCHETA/1 files (spec/formats.md): the one place that knows it.

``parse(data, name=..., org=..., coding=...)`` reads bytes or text into a ``Registry`` and
raises ``RegistryError`` with every ``(line, message)`` it finds, never anything else.
``render(registry)`` writes text; ``render_header`` / ``render_row`` let a caller stream a
large registry. Reading line by line is ``stream.py`` (``parse`` collects it), the rows of
each type ``rows.py``. Pure functions: no I/O, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from trayapp import plain
from trayapp.core import values as v
from trayapp.core.formats.records import (
    FORMAT_ID,
    AckRow,
    DebtRow,
    Header,
    MeterRow,
    PaymentRow,
    ReadingRow,
    Registry,
    Row,
    ServiceRow,
    parse_name,
)

# the readers of lines and rows, for the tests that run a fast path against the full one
from trayapp.core.formats.rows import _FAST_READERS, _fast_payment, _read_payment  # noqa: F401
from trayapp.core.formats.stream import (
    ENCODING,
    NOT_FORMAT,
    Fields,
    Reader,
    decode_lines,
    ordered,
    sniff_encoding,
    text_lines,
)
from trayapp.errors import RegistryError

CRLF = "\r\n"
Errors = list[tuple[int, str]]


# ----------------------------------------------------------------------------- decoding


def decode(data: bytes) -> tuple[list[str], Errors]:
    """Bytes to lines (without line ends), with an error for each line that cannot decode
    (formats.md's rule of encodings: ``stream.sniff_encoding``)."""
    errors: Errors = []
    lines = list(decode_lines((data,), sniff_encoding((data,)), errors))
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
    """``stream.Reader`` collected: the whole registry, or every error it found."""
    errors: Errors = []
    if isinstance(data, str):
        lines: Iterable[str] = text_lines(data)
    else:
        lines = decode_lines((data,), sniff_encoding((data,)), errors)
    reader = Reader(lines, errors, name, org, coding)
    if reader.not_format:
        raise RegistryError([(1, NOT_FORMAT)], name or "")
    rows = [r for r in reader.rows() if not isinstance(r, Fields)]
    if errors or reader.header is None:
        raise RegistryError(ordered(errors), name or "")
    return Registry(reader.header, rows)


# ----------------------------------------------------------------------------- writing


def clean(text: str) -> str:
    """A text field as a writer must put it: no ``;``, no line breaks, no control characters
    (a registry's ESC or NUL quoted in our rejection: ``?``), trimmed."""
    if ";" in text or "\n" in text or "\r" in text:
        text = text.replace(";", ",").replace("\r", " ").replace("\n", " ")
    return plain.line(text).strip()


def render_header(h: Header) -> list[str]:
    """Header lines, in the order of the examples."""
    out = [
        f"#FORMAT {FORMAT_ID}",
        f"#TYPE {h.type}",
        f"#ORG {h.org}",
        f"#NUMBER {h.number:03d}",
        f"#DATE {v.format_date(h.day)}",
    ]
    if h.type == "ACK":
        out.append(f"#FILE {h.file}")
        out.append(f"#STATUS {h.status}")
        if h.answered_rows is not None:
            out.append(f"#ANSWERED_ROWS {h.answered_rows}")
        if h.answered_sum is not None:
            out.append(f"#ANSWERED_SUM {v.format_amount(h.answered_sum)}")
    if h.period is not None:
        out.append(f"#PERIOD {v.format_month(h.period)}")
    if h.as_of is not None:
        out.append(f"#ASOF {v.format_date(h.as_of)}")
    if h.coding is not None:
        out.append(f"#CODING {h.coding}")
    for key, value in h.extra.items():
        out.append(f"#{key} {clean(value)}")
    out.append(f"#ROWS {h.rows}")
    if h.filesum is not None:
        out.append(f"#FILESUM {v.format_amount(h.filesum)}")
    return out


def render_row(row: Row) -> str:
    """One data line, without its line end."""
    if isinstance(row, DebtRow):
        return (
            f"{row.account};{clean(row.full_name)};{clean(row.address)};{row.service_code};"
            f"{v.format_amount(row.debt)};{v.format_amount(row.accrued)}"
        )
    if isinstance(row, MeterRow):
        return (
            f"{row.account};{clean(row.meter_id)};{clean(row.serial)};{row.service_code};"
            f"{v.format_date(row.installed)};{v.format_date(row.last_reading_date)};"
            f"{v.format_reading(row.last_reading)}"
        )
    if isinstance(row, ServiceRow):
        return ";".join(
            [
                clean(row.code),
                clean(row.name),
                clean(row.unit),
                clean(row.provider_inn),
                clean(row.provider_name),
                clean(row.provider_bank_account),
                clean(row.provider_bik),
                "1" if row.metered else "0",
            ]
        )
    if isinstance(row, PaymentRow):
        return (
            f"{row.payment_id};{v.format_moment(row.paid_at)};{row.account};{row.service_code};"
            f"{v.format_amount(row.amount)};{v.format_month(row.period)}"
        )
    if isinstance(row, ReadingRow):
        return (
            f"{row.reading_id};{v.format_moment(row.taken_at)};{row.account};"
            f"{clean(row.meter_id)};{clean(row.serial)};{v.format_reading(row.value)}"
        )
    return f"{row.line};{clean(row.message)}"


def debt_line_prefix(account: str, full_name: str, address: str) -> str:
    """The fields of a Debts line that repeat for every service of one account."""
    return f"{account};{clean(full_name)};{clean(address)};"


def debt_line(prefix: str, service_code: str, debt: int, accrued: int) -> str:
    """A Debts line from its account prefix (same text as ``render_row(DebtRow(...))``)."""
    return debt_lines(prefix, ((service_code, debt, accrued),))[0]


def debt_lines(prefix: str, items: Iterable[tuple[str, int, int]]) -> list[str]:
    """The Debts lines of one account: ``items`` of (service code, debt, accrued).

    The generator's hot path: kopecks come from a table rather than a ``:02d`` format
    (three times faster); negative amounts take ``format_amount``.
    """
    k = v.KOPECKS
    fmt = v.format_amount
    return [
        f"{prefix}{code};{debt // 100}.{k[debt % 100]};{acc // 100}.{k[acc % 100]}"
        if debt >= 0 and acc >= 0
        else f"{prefix}{code};{fmt(debt)};{fmt(acc)}"
        for code, debt, acc in items
    ]


def row_amount(row: Row) -> int:
    """The amount the row adds to ``#FILESUM`` (0 for types without one)."""
    if isinstance(row, DebtRow):
        return row.debt
    if isinstance(row, PaymentRow):
        return row.amount
    return 0


def render(registry: Registry) -> str:
    """The whole file as text with CRLF line ends (encode with ``encode``)."""
    lines = render_header(registry.header)
    lines.extend(render_row(r) for r in registry.rows)
    return CRLF.join(lines) + CRLF


def encode(text: str) -> bytes:
    """Text to the file's bytes: cp1251, a character it lacks becomes ``?``."""
    return text.encode(ENCODING, errors="replace")


def make_ack(
    answered: str,
    org: str,
    day: date,
    errors: Iterable[tuple[int, str]] = (),
    answered_header: Header | None = None,
) -> Registry:
    """An answer to ``answered``: OK echoing its rows and sum, or ERROR with the errors."""
    fname = parse_name(answered)
    number = fname.number if fname else 0
    rows: list[Row] = [AckRow(n, m) for n, m in list(errors)[:1000]]
    ok = not rows
    return Registry(
        Header(
            type="ACK",
            org=org,
            number=number,
            day=day,
            rows=len(rows),
            file=answered,
            status="OK" if ok else "ERROR",
            answered_rows=answered_header.rows if ok and answered_header else None,
            answered_sum=answered_header.filesum if ok and answered_header else None,
        ),
        rows,
    )
