"""Parsing and formatting of the values registries and tables carry.

Money is held as integer kopecks, meter readings as integer thousandths, months as
``yyyymm`` integers, dates as ``datetime.date``. Nothing here is ever a float.
Pure functions: no I/O, no imports of the app.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

# at most 13 digits of rubles and 12 of units: what a 64-bit integer of the database holds
# with room to add up (no association bills 10 trillion rubles)
AMOUNT_DIGITS = 13
READING_DIGITS = 12
_AMOUNT = re.compile(r"(-?\d{1,13})(?:[.,](\d{1,2}))?", re.ASCII)
_READING = re.compile(r"\d{1,12}([.,]\d{1,3})?", re.ASCII)
_DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})", re.ASCII)
_MONTH = re.compile(r"(\d{2})\.(\d{4})", re.ASCII)
_MOMENT = re.compile(r"(\d\d)\.(\d\d)\.(\d{4}) (\d\d):(\d\d):(\d\d)", re.ASCII)
_ACCOUNT = re.compile(r"[0-9A-Za-zА-Яа-яЁё-]{1,20}")
_ID = re.compile(r"[A-Za-z0-9-]{1,36}")
_INN = re.compile(r"\d{10}|\d{12}", re.ASCII)


KOPECKS = tuple(f"{k:02d}" for k in range(100))  # "00".."99": faster than a :02d format


def parse_amount(text: str) -> int | None:
    """``-?\\d{1,13}(\\.\\d{1,2})?`` (``,`` accepted) to kopecks; None when not of the form."""
    m = _AMOUNT.fullmatch(text)
    if m is None:
        return None
    k = kopecks(m.group(1).lstrip("-"), m.group(2))
    return -k if text[0] == "-" else k


def kopecks(whole: str, frac: str | None) -> int:
    """Kopecks of the digits before and after the decimal point (0–2 of them after)."""
    return int(whole) * 100 + (int(frac) * (10 if len(frac) == 1 else 1) if frac else 0)


def parse_loose_amount(text: str) -> int | None:
    """An amount as a spreadsheet writes it: spaces (also no-break) as thousands separators."""
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    return parse_amount(cleaned)


def format_amount(kopecks: int) -> str:
    """Kopecks to ``-123.45``."""
    if kopecks < 0:
        r, k = divmod(-kopecks, 100)
        return f"-{r}.{KOPECKS[k]}"
    r, k = divmod(kopecks, 100)
    return f"{r}.{KOPECKS[k]}"


NBSP = "\u00a0"  # a no-break space: a sum is never broken inside the number


def format_money(kopecks: int) -> str:
    """Kopecks as the accountant reads a sum: ``596 799,34`` (thousands by no-break spaces,
    a comma before the kopecks); the human text only, files and JSON keep ``format_amount``."""
    sign = "-" if kopecks < 0 else ""
    rubles, kop = divmod(abs(kopecks), 100)
    return f"{sign}{rubles:,}".replace(",", NBSP) + f",{KOPECKS[kop]}"


def format_rubles(kopecks: int) -> str:
    """A sum with its sign of the rouble, as every human text writes it: ``596 799,34 ₽``,
    a no-break space before «₽» too (a line never breaks between the sum and its unit)."""
    return f"{format_money(kopecks)}{NBSP}₽"


def amount_decimal(kopecks: int) -> Decimal:
    return Decimal(format_amount(kopecks))


def parse_reading(text: str) -> int | None:
    """``\\d{1,12}(\\.\\d{1,3})?`` to thousandths; None when not of the form."""
    if not _READING.fullmatch(text):
        return None
    whole, _, frac = text.replace(",", ".").partition(".")
    return int(whole) * 1000 + int((frac + "000")[:3])


def reading_text(thousandths: int) -> str:
    """A meter value as the accountant reads it: ``1 234,5`` (no trailing zeros)."""
    whole, frac = divmod(thousandths, 1000)
    text = f"{whole:,}".replace(",", "\u00a0")
    tail = f"{frac:03d}".rstrip("0")
    return f"{text},{tail}" if tail else text


def format_reading(thousandths: int) -> str:
    """Thousandths to the shortest form: ``115.5``, ``20``, ``0.125``."""
    whole, frac = divmod(thousandths, 1000)
    if frac == 0:
        return str(whole)
    return f"{whole}.{frac:03d}".rstrip("0")


def parse_date(text: str) -> date | None:
    m = _DATE.fullmatch(text)
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def format_date(d: date) -> str:
    return f"{d.day:02d}.{d.month:02d}.{d.year:04d}"


def parse_moment(text: str) -> datetime | None:
    """``DD.MM.YYYY HH:MM:SS``; one ASCII match, it is on the hot path."""
    m = _MOMENT.fullmatch(text)
    if m is None:
        return None
    d, mo, y, h, mi, se = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(se))
    except ValueError:
        return None


def format_moment(dt: datetime) -> str:
    return f"{format_date(dt.date())} {dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"


def parse_month(text: str) -> int | None:
    """``MM.YYYY`` to ``yyyymm``."""
    m = _MONTH.fullmatch(text)
    if not m:
        return None
    month, year = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or year < 1900:
        return None
    return year * 100 + month


_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_NAMED_MONTH = re.compile(r"([а-яё]+)\s+([0-9]{4})(?:\s*(?:г|г\.|года))?", re.IGNORECASE)
MONTH_NAMES = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
               "сентябрь", "октябрь", "ноябрь", "декабрь")  # fmt: skip
_GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
             "сентября", "октября", "ноября", "декабря")  # fmt: skip
_MONTH_NUMBER = {name: i for names in (MONTH_NAMES, _GENITIVE) for i, name in enumerate(names, 1)}


def parse_period(text: str) -> int | None:
    """A month as accountants write it in a table (import.md): ``10.2026``, a date of the
    month (``01.10.2026``, ``31.10.2026``), ``2026-10``, ``Октябрь 2026``, ``октябрь 2026 г.``
    to ``yyyymm``; None when none of these."""
    p = parse_month(text)
    if p is not None:
        return p
    d = parse_date(text)
    if d is not None:
        return month_of(d) if d.year >= 1900 else None
    m = _ISO_MONTH.fullmatch(text)
    if m is not None:
        year, month = int(m.group(1)), int(m.group(2))
        return year * 100 + month if 1 <= month <= 12 and year >= 1900 else None
    m = _NAMED_MONTH.fullmatch(" ".join(text.split()))
    if m is not None:
        named = _MONTH_NUMBER.get(m.group(1).lower().replace("ё", "е"))
        year = int(m.group(2))
        if named is not None and year >= 1900:
            return year * 100 + named
    return None


def format_month(period: int) -> str:
    return f"{period % 100:02d}.{period // 100:04d}"


def month_first_day(period: int) -> date:
    return date(period // 100, period % 100, 1)


def month_last_day(period: int) -> date:
    return date.fromordinal(month_first_day(next_month(period)).toordinal() - 1)


def next_month(period: int) -> int:
    year, month = divmod(period, 100)
    return (year + 1) * 100 + 1 if month == 12 else year * 100 + month + 1


def month_of(d: date) -> int:
    return d.year * 100 + d.month


def is_account(text: str) -> bool:
    return _ACCOUNT.fullmatch(text) is not None


def is_external_id(text: str) -> bool:
    return _ID.fullmatch(text) is not None


def is_inn(text: str) -> bool:
    return _INN.fullmatch(text) is not None


def iso_date(d: date) -> str:
    return d.isoformat()


def iso_moment(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def from_iso_date(text: str) -> date:
    return date.fromisoformat(text)


def from_iso_moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
