"""Reading and writing MOISCHETA/1 files (spec/formats.md): the one place that knows it.

``parse(data, name=..., org=..., coding=...)`` reads bytes or text into a ``Registry`` and
raises ``RegistryError`` with every ``(line, message)`` it finds, never anything else.
``render(registry)`` writes text; ``render_header`` / ``render_row`` let a caller stream a
large registry. Pure functions: no I/O, no database.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime

from trayapp import plain
from trayapp.core import values as v
from trayapp.core.formats.records import (
    CODINGS,
    FORMAT_ID,
    AckRow,
    DebtRow,
    FileName,
    Header,
    MeterRow,
    PaymentRow,
    ReadingRow,
    Registry,
    Row,
    ServiceRow,
    parse_name,
)
from trayapp.errors import RegistryError

CRLF = "\r\n"
ENCODING = "cp1251"
UTF8_BOM = b"\xef\xbb\xbf"
CYRILLIC = re.compile("[\u0400-\u04ff]")  # what tells UTF-8 from cp1251 (formats.md)

FIELD_COUNTS = {
    "SERVICES": 8,
    "DEBTS": 6,
    "METERS": 7,
    "PAYMENTS": 6,
    "READINGS": 6,
    "ACK": 2,
}
_COMMON = ("FORMAT", "TYPE", "ORG", "NUMBER", "DATE", "ROWS")
REQUIRED = {
    "SERVICES": _COMMON + ("CODING",),
    "DEBTS": _COMMON + ("PERIOD", "ASOF", "CODING", "FILESUM"),
    "METERS": _COMMON + ("PERIOD", "ASOF", "CODING"),
    "PAYMENTS": _COMMON + ("CODING", "FILESUM"),
    "READINGS": _COMMON,
    "ACK": _COMMON + ("FILE", "STATUS"),
}
_HEADER = re.compile(r"#([A-Z][A-Z_]*) (.*)")
_NUMBER = re.compile(r"\d{3}", re.ASCII)

Errors = list[tuple[int, str]]


def _is_uint(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also takes ``²``, which ``int`` refuses."""
    return text.isascii() and text.isdigit()


# ----------------------------------------------------------------------------- decoding


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


def _read_header(
    rtype: str,
    raw: dict[str, tuple[int, str]],
    org: str | None,
    coding: str | None,
    errors: Errors,
    file_errors: Errors,
) -> Header:
    def get(key: str) -> tuple[int, str]:
        return raw.get(key, (0, ""))

    ln, org_text = get("ORG")
    if "ORG" in raw:
        if org is not None and org_text != org:
            file_errors.append((0, f"чужой реестр: ИНН {org_text}"))
        elif org is None and not v.is_inn(org_text):
            errors.append((ln, f"неверный ИНН: {org_text}"))
    ln, num_text = get("NUMBER")
    number = int(num_text) if _NUMBER.fullmatch(num_text) else 0
    if "NUMBER" in raw and not number:
        errors.append((ln, f"неверный номер: {num_text}"))
    day = _header_date(raw, "DATE", errors) or date(1900, 1, 1)
    as_of = _header_date(raw, "ASOF", errors)
    period = None
    if "PERIOD" in raw:
        ln, text = raw["PERIOD"]
        period = v.parse_month(text)
        if period is None:
            errors.append((ln, f"неверный период: {text}"))
    file_coding = None
    if "CODING" in raw:
        ln, text = raw["CODING"]
        if text not in CODINGS:
            errors.append((ln, f"неверное кодирование: {text}"))
        else:
            file_coding = text
            if rtype == "PAYMENTS" and coding is not None and text != coding:
                errors.append((ln, f"кодирование {text}, ожидалось {coding}"))
    filesum = None
    if "FILESUM" in raw:
        ln, text = raw["FILESUM"]
        filesum = v.parse_amount(text)
        if filesum is None:
            errors.append((ln, f"неверная сумма: {text}"))
    status = None
    if "STATUS" in raw:
        ln, text = raw["STATUS"]
        if text not in ("OK", "ERROR"):
            errors.append((ln, f"неверный статус: {text}"))
        status = text
    file = None
    if "FILE" in raw:
        ln, text = raw["FILE"]
        if parse_name(text) is None:
            errors.append((ln, f"неверное имя файла: {text}"))
        file = text
    answered_rows = None
    if "ANSWERED_ROWS" in raw:
        ln, text = raw["ANSWERED_ROWS"]
        answered_rows = int(text) if _is_uint(text) else None
        if answered_rows is None:
            errors.append((ln, f"неверное число строк: {text}"))
    answered_sum = None
    if "ANSWERED_SUM" in raw:
        ln, text = raw["ANSWERED_SUM"]
        answered_sum = v.parse_amount(text)
        if answered_sum is None:
            errors.append((ln, f"неверная сумма: {text}"))
    rows_text = get("ROWS")[1]
    known = {
        "FORMAT", "TYPE", "ORG", "NUMBER", "DATE", "ROWS", "FILESUM", "CODING", "PERIOD",
        "ASOF", "FILE", "STATUS", "ANSWERED_ROWS", "ANSWERED_SUM",
    }  # fmt: skip
    return Header(
        type=rtype,
        org=org_text,
        number=number,
        day=day,
        rows=int(rows_text) if _is_uint(rows_text) else 0,
        filesum=filesum,
        coding=file_coding,
        period=period,
        as_of=as_of,
        file=file,
        status=status,
        answered_rows=answered_rows,
        answered_sum=answered_sum,
        extra={k: t for k, (_, t) in raw.items() if k not in known},
    )


def _header_date(raw: dict[str, tuple[int, str]], key: str, errors: Errors) -> date | None:
    if key not in raw:
        return None
    ln, text = raw[key]
    d = v.parse_date(text)
    if d is None:
        errors.append((ln, f"неверная дата: {text}"))
    return d


class _RowState:
    """What row readers remember across lines: ids seen, the file's coding."""

    __slots__ = ("coding", "seen")

    def __init__(self, coding: str | None) -> None:
        self.coding = coding
        self.seen: set[str] = set()


def _check_code(code: str, state: _RowState, ln: int, errors: Errors) -> None:
    if state.coding == "ACCOUNT":
        if code:
            errors.append((ln, f"неизв.услуга: {code}"))
    elif state.coding is not None and not code:
        errors.append((ln, "неизв.услуга: "))


def _read_service(f: list[str], ln: int, st: _RowState, errors: Errors) -> tuple[Row | None, int]:
    bad = len(errors)
    if not f[0]:
        errors.append((ln, "неизв.услуга: "))
    if not f[1]:
        errors.append((ln, "пустое поле: name"))
    if f[7] not in ("0", "1"):
        errors.append((ln, f"неверный признак: {f[7]}"))
    if len(errors) > bad:
        return None, 0
    return ServiceRow(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7] == "1"), 0


def _read_debt(f: list[str], ln: int, st: _RowState, errors: Errors) -> tuple[Row | None, int]:
    bad = len(errors)
    if not v.is_account(f[0]):
        errors.append((ln, f"неизв.лиц.счёт: {f[0]}"))
    if st.coding is not None:
        _check_code(f[3], st, ln, errors)
    debt = v.parse_amount(f[4])
    if debt is None:
        errors.append((ln, f"неверная сумма: {f[4]}"))
    accrued = v.parse_amount(f[5])
    if accrued is None:
        errors.append((ln, f"неверная сумма: {f[5]}"))
    if len(errors) > bad or debt is None or accrued is None:
        return None, debt or 0
    return DebtRow(f[0], f[1], f[2], f[3], debt, accrued), debt


def _read_meter(f: list[str], ln: int, st: _RowState, errors: Errors) -> tuple[Row | None, int]:
    bad = len(errors)
    if not v.is_account(f[0]):
        errors.append((ln, f"неизв.лиц.счёт: {f[0]}"))
    if not f[1] or not f[2]:
        errors.append((ln, f"неизв.счётчик: {f[1]}"))
    if st.coding is not None:
        _check_code(f[3], st, ln, errors)
    installed = v.parse_date(f[4])
    if installed is None:
        errors.append((ln, f"неверная дата: {f[4]}"))
    last_date = v.parse_date(f[5])
    if last_date is None:
        errors.append((ln, f"неверная дата: {f[5]}"))
    value = v.parse_reading(f[6])
    if value is None:
        errors.append((ln, f"неверное показание: {f[6]}"))
    if len(errors) > bad or installed is None or last_date is None or value is None:
        return None, 0
    return MeterRow(f[0], f[1], f[2], f[3], installed, last_date, value), 0


def _read_payment(f: list[str], ln: int, st: _RowState, errors: Errors) -> tuple[Row | None, int]:
    bad = len(errors)
    pid = f[0]
    if not v.is_external_id(pid):
        errors.append((ln, f"неверный ид.: {pid}"))
    elif pid in st.seen:
        errors.append((ln, f"повтор платежа: {pid}"))
    else:
        st.seen.add(pid)
    paid_at = v.parse_moment(f[1])
    if paid_at is None:
        errors.append((ln, f"неверная дата: {f[1]}"))
    if not v.is_account(f[2]):
        errors.append((ln, f"неизв.лиц.счёт: {f[2]}"))
    if st.coding == "ACCOUNT" and f[3]:
        errors.append((ln, f"неизв.услуга: {f[3]}"))
    amount = v.parse_amount(f[4])
    if amount is None or amount <= 0:
        errors.append((ln, f"неверная сумма: {f[4]}"))
    period = v.parse_month(f[5])
    if period is None:
        errors.append((ln, f"неверный период: {f[5]}"))
    if len(errors) > bad or paid_at is None or amount is None or period is None:
        return None, amount or 0
    return PaymentRow(pid, paid_at, f[2], f[3], amount, period, ln), amount


def _read_reading(f: list[str], ln: int, st: _RowState, errors: Errors) -> tuple[Row | None, int]:
    bad = len(errors)
    rid = f[0]
    if not v.is_external_id(rid):
        errors.append((ln, f"неверный ид.: {rid}"))
    elif rid in st.seen:
        errors.append((ln, f"повтор показания: {rid}"))
    else:
        st.seen.add(rid)
    taken_at = v.parse_moment(f[1])
    if taken_at is None:
        errors.append((ln, f"неверная дата: {f[1]}"))
    if not v.is_account(f[2]):
        errors.append((ln, f"неизв.лиц.счёт: {f[2]}"))
    if not f[3] or not f[4]:
        errors.append((ln, f"неизв.счётчик: {f[3]}"))
    value = v.parse_reading(f[5])
    if value is None:
        errors.append((ln, f"неверное показание: {f[5]}"))
    if len(errors) > bad or taken_at is None or value is None:
        return None, 0
    return ReadingRow(rid, taken_at, f[2], f[3], f[4], value, ln), 0


def _read_ack(f: list[str], ln: int, st: _RowState, errors: Errors) -> tuple[Row | None, int]:
    if not _is_uint(f[0]):
        errors.append((ln, f"неверный номер строки: {f[0]}"))
        return None, 0
    return AckRow(int(f[0]), f[1]), 0


# A whole correct Payments line in one match (the common case of a large registry); a line
# it does not take goes through ``_read_payment``, which names every error.
_PAYMENT_LINE = re.compile(
    r"([A-Za-z0-9-]{1,36});(\d\d\.\d\d\.\d{4}) (\d\d):(\d\d):(\d\d);"
    r"([0-9A-Za-zА-Яа-яЁё-]{1,20});([^;\s]*);(\d{1,13})(?:[.,](\d{1,2}))?;(\d\d\.\d{4})",
    re.ASCII,
)
# a registry holds few distinct days and months: each is checked once
_day = functools.lru_cache(maxsize=4096)(v.parse_date)
_month = functools.lru_cache(maxsize=4096)(v.parse_month)


def _fast_payment(text: str, ln: int, st: _RowState) -> PaymentRow | None:
    m = _PAYMENT_LINE.fullmatch(text)
    if m is None:
        return None
    pid, day_text, hh, mi, ss, account, code, whole, frac, month_text = m.groups()
    if pid in st.seen or (code and (st.coding == "ACCOUNT" or code != code.strip())):
        return None  # a code of other white space (U+00A0, U+001C) is stripped by the reader
    day = _day(day_text)
    period = _month(month_text)
    if day is None or period is None:
        return None
    amount = v.kopecks(whole, frac)
    if amount <= 0:
        return None
    try:
        paid_at = datetime(day.year, day.month, day.day, int(hh), int(mi), int(ss))
    except ValueError:
        return None
    st.seen.add(pid)
    return PaymentRow(pid, paid_at, account, code, amount, period, ln)


_FAST_READERS = {"PAYMENTS": _fast_payment}

_ROW_READERS = {
    "SERVICES": _read_service,
    "DEBTS": _read_debt,
    "METERS": _read_meter,
    "PAYMENTS": _read_payment,
    "READINGS": _read_reading,
    "ACK": _read_ack,
}


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
