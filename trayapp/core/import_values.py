"""Cells of a table file to the values the database holds (import.md), one converter a form.

Each converter takes the cell as the file holds it (``raw``: str from a CSV; str, int,
Decimal, datetime, bool or None from .xlsx, ``sheets`` giving fractions as Decimal of the
file's own digits) and its text (``cell_text``), and returns the value or raises ``Bad``
with the user's message. Numbers never pass through a float: a float that still arrives
(``import_rows`` from code) is read by its shortest repr, exact to 1e-9 or refused. Excel
dates may come as date cells or as their serial numbers. Pure: no I/O, no SQL.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from trayapp.core import values as v


class Bad(Exception):
    """One value not of its form; the message is the user's text."""


PREMISE_KINDS = {
    "apartment": "apartment", "квартира": "apartment",
    "commercial": "commercial", "нежилое": "commercial",
    "storage": "storage", "кладовая": "storage",
    "parking": "parking", "машиноместо": "parking",
}  # fmt: skip

_TOLERANCE = Decimal("1e-9")
_SCALE = {2: 100, 3: 1000}
_LIMIT = {2: 10 ** (v.AMOUNT_DIGITS + 2), 3: 10 ** (v.READING_DIGITS + 3)}
_EXCEL_EPOCH = date(1899, 12, 30)
# serial numbers Excel gives dates of 1901..2199 (a number cell in a date column)
_SERIALS = (367, 109574)

KPP = re.compile(r"\d{9}", re.ASCII)
BIK = re.compile(r"\d{9}", re.ASCII)
BANK_ACCOUNT = re.compile(r"\d{20}", re.ASCII)
METER_ID = re.compile(r"[0-9A-Za-zА-Яа-яЁё_./-]{1,36}")
_AREA = re.compile(r"\d{1,6}(?:[.,]\d{1,4})?", re.ASCII)


def _moment(raw: datetime) -> datetime:
    """An Excel date-time to the nearest second (a serial's float leaves microseconds)."""
    if raw.microsecond:
        raw = (raw + timedelta(microseconds=500_000)).replace(microsecond=0)
    return raw


def cell_text(raw: Any) -> str:
    """A cell as text: trimmed (no-break spaces too); numbers and dates as Excel shows them."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return "1" if raw else "0"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            return str(raw)
        if raw == raw.to_integral_value() and abs(raw) < Decimal(10) ** 15:
            return str(int(raw))
        return str(raw)
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, datetime):
        raw = _moment(raw)
        if raw.hour or raw.minute or raw.second:
            return v.format_moment(raw)
        return v.format_date(raw.date())
    if isinstance(raw, date):
        return v.format_date(raw)
    return str(raw).strip()


def float_units(x: float, places: int) -> int | None:
    """A spreadsheet number to units of 10**-places, when it is that exact to 1e-9."""
    if not math.isfinite(x):
        return None
    return decimal_units(Decimal(repr(x)), places)


def decimal_units(d: Decimal, places: int) -> int | None:
    if not d.is_finite():
        return None
    try:
        units = d.scaleb(places).to_integral_value(rounding=ROUND_HALF_EVEN)
    except InvalidOperation:
        return None
    if abs(d - units.scaleb(-places)) > _TOLERANCE:
        return None
    return int(units)


def number_units(raw: Any, places: int) -> int | None:
    """A spreadsheet number in units; None when not exact or beyond what is stored."""
    if isinstance(raw, bool):
        return None
    units: int | None = None
    if isinstance(raw, int):
        units = raw * _SCALE[places]
    elif isinstance(raw, Decimal):
        if abs(raw.adjusted()) > 30:
            return None
        units = decimal_units(raw, places)
    elif isinstance(raw, float):
        units = float_units(raw, places)
    if units is None or abs(units) >= _LIMIT[places]:
        return None
    return units


def amount_of(raw: Any, text: str) -> int:
    if type(raw) is str:  # the common forms first: 123, 123.45, 123,45
        if 3 < len(text) <= v.AMOUNT_DIGITS + 3 and text[-3] in ".,":
            digits = text[:-3] + text[-2:]
            if digits.isdigit() and digits.isascii():
                return int(digits)
        elif text.isdigit() and text.isascii() and len(text) <= v.AMOUNT_DIGITS:
            return int(text) * 100
    if isinstance(raw, (int, float, Decimal)):
        k = number_units(raw, 2)
    else:
        k = v.parse_loose_amount(text.replace("\u2212", "-"))
    if k is None:
        raise Bad(f"неверная сумма: {text}")
    return k


def reading_of(raw: Any, text: str) -> int:
    if isinstance(raw, (int, float, Decimal)):
        r = number_units(raw, 3)
        if r is not None and r < 0:
            r = None
    else:
        r = v.parse_reading(text.replace("\u00a0", "").replace("\u202f", "").replace(" ", ""))
    if r is None:
        raise Bad(f"неверное показание: {text}")
    return r


def _serial_date(raw: Any) -> date | None:
    """An Excel serial number of a day (a date cell left as a number), else None."""
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
        return None
    if raw != int(raw) or not _SERIALS[0] <= int(raw) <= _SERIALS[1]:
        return None
    return _EXCEL_EPOCH + timedelta(days=int(raw))


def date_of(raw: Any, text: str) -> str:
    d = _serial_date(raw) or v.parse_date(text)
    if d is None:
        raise Bad(f"неверная дата: {text}")
    return d.isoformat()


PERIOD_FORMS = "ММ.ГГГГ, ДД.ММ.ГГГГ, ГГГГ-ММ или «Октябрь 2026»"


def month_of(raw: Any, text: str) -> int:
    """A period: its month (import.md: a month, a date of it, an Excel date, a month name)."""
    if isinstance(raw, (date, datetime)):
        return raw.year * 100 + raw.month
    serial = _serial_date(raw)
    if serial is not None:
        return serial.year * 100 + serial.month
    if isinstance(raw, Decimal) and raw.is_finite() and 0 < raw < 13 and raw.as_tuple().exponent in (-3, -4):
        text = f"{raw:07.4f}"  # Excel keeps «10.2020» typed as a number as 10.202
    p = v.parse_period(text)
    if p is None:
        raise Bad(f"неверный период: {text} (ожидается {PERIOD_FORMS})")
    return p


def pattern(rx: re.Pattern[str], message: str) -> Callable[[Any, str], str]:
    def conv(raw: Any, text: str) -> str:
        if rx.fullmatch(text) is None:
            raise Bad(f"{message}: {text}")
        return text

    return conv


def text_of(raw: Any, text: str) -> str:
    return text


def inn_of(raw: Any, text: str) -> str:
    if not (v.is_inn(text) and text.isascii()):
        raise Bad(f"неверный ИНН: {text}")
    return text


def own_code(raw: Any, text: str) -> int:
    if not (text.isdigit() and text.isascii()) or len(text) > 9 or int(text) <= 0:
        raise Bad(f"неверный код услуги: {text}")
    return int(text)


def account_number(raw: Any, text: str) -> str:
    if not v.is_account(text):
        raise Bad(f"неверный лиц.счёт: {text}")
    return text


def premise_kind(raw: Any, text: str) -> str:
    kind = PREMISE_KINDS.get(text.lower())
    if kind is None:
        raise Bad(f"неверный вид помещения: {text}")
    return kind


def area_of(raw: Any, text: str) -> str:
    if isinstance(raw, (float, Decimal)) and not isinstance(raw, bool):
        d = Decimal(repr(raw)) if isinstance(raw, float) else raw
        if d.is_finite() and d >= 0 and abs(d.adjusted()) < 10:
            return format(d.normalize(), "f")
    if _AREA.fullmatch(text) is None:
        raise Bad(f"неверная площадь: {text}")
    return text.replace(",", ".")


def flag_of(raw: Any, text: str) -> int:
    if text not in ("0", "1"):
        raise Bad(f"неверный признак: {text}")
    return int(text)
