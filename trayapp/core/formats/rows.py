"""The rows and the header of a MOISCHETA/1 registry, one line at a time (spec/formats.md).

What a line may hold: the header keys each type requires, ``_read_header`` (values and the
file's own checks against the association), and one reader per type of data line, each
appending every error of its line to ``errors`` (a list, or any sink with ``append`` and
``len``). ``stream.Reader`` runs them over the lines of a file. Pure: no I/O.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from typing import Protocol

from trayapp.core import values as v
from trayapp.core.formats.records import (
    CODINGS,
    AckRow,
    DebtRow,
    Header,
    MeterRow,
    PaymentRow,
    ReadingRow,
    Row,
    ServiceRow,
    parse_name,
)


class Sink(Protocol):
    """Where errors go: ``(line, message)`` appended, and how many so far."""

    def append(self, item: tuple[int, str], /) -> None: ...

    def __len__(self) -> int: ...


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

Errors = Sink


def _is_uint(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also takes ``²``, which ``int`` refuses."""
    return text.isascii() and text.isdigit()


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
    """What row readers remember across lines: ids seen (unless ``track`` is off: a caller
    that finds an id twice in the file itself, not holding every id), the file's coding."""

    __slots__ = ("coding", "seen", "track")

    def __init__(self, coding: str | None, track: bool = True) -> None:
        self.coding = coding
        self.seen: set[str] = set()
        self.track = track


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
    elif st.track:
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
    elif st.track:
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
    if st.track:
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
