"""Import of the billing program's table files into the database (spec/import.md).

``import_file(db, kind, path)`` reads a .csv or .xlsx (``tables``), checks every row against
the kind's columns and the database's accounts, services, providers and meters (loaded once
into dicts), and upserts the good rows in batches inside one transaction (``db.billing``).
All or nothing: any bad row rolls everything back and raises ``ImportFileError`` listing
each error with its line (up to 100, with the total). Accruals from a CSV take a fast path
(dict lookups, a hand-written amount parser, no per-row function calls) that falls back to
the full check for any row it cannot take as is. ``import_rows`` feeds rows already in memory
through the same path (the demo). No SQL here; nothing of the UI.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from trayapp.core import events, tables
from trayapp.core import values as v
from trayapp.core.db import Database, billing
from trayapp.core.progress import Progress, Throttle, no_progress
from trayapp.errors import AppError, ImportFileError

log = logging.getLogger(__name__)

KINDS: tuple[str, ...] = (
    "org", "providers", "services", "accounts", "balances", "accruals", "payments",
    "meters", "readings",
)

# (column, required) in the order the kind's builder takes them
COLUMNS: dict[str, tuple[tuple[str, bool], ...]] = {
    "org": (("inn", True), ("name", True), ("kpp", False), ("bank_account", False),
            ("bik", False), ("address", False)),
    "providers": (("inn", True), ("name", True), ("bank_account", False), ("bik", False)),
    "services": (("code", True), ("name", True), ("unit", False), ("gorod_code", False),
                 ("sber_code", False), ("provider_inn", False), ("metered", False)),
    "accounts": (("account", True), ("full_name", True), ("settlement", False),
                 ("street", True), ("house", True), ("premise", False),
                 ("premise_kind", False), ("area", False), ("opened", False),
                 ("closed", False)),
    "balances": (("account", True), ("service_code", True), ("amount", True)),
    "accruals": (("account", True), ("service_code", True), ("period", True),
                 ("amount", True)),
    "payments": (("account", True), ("service_code", False), ("paid_on", True),
                 ("amount", True), ("source", False), ("reference", False)),
    "meters": (("meter_id", True), ("account", True), ("service_code", True),
               ("serial", True), ("installed", True), ("initial_reading", True),
               ("removed", False)),
    "readings": (("meter_id", True), ("taken_on", True), ("value", True)),
}

# the Russian names each column also answers to (spec/import.md)
ALIASES: dict[str, tuple[str, ...]] = {
    "inn": ("ИНН",), "name": ("Наименование", "Название"), "kpp": ("КПП",),
    "bank_account": ("Расчётный счёт", "Р/с"), "bik": ("БИК",), "address": ("Адрес",),
    "code": ("Код",), "unit": ("Единица", "Ед. изм."), "gorod_code": ("Код Город", "Город"),
    "sber_code": ("Код Сбер", "Сбер"), "provider_inn": ("ИНН поставщика",),
    "metered": ("Счётчик", "По счётчику"), "account": ("Лицевой счёт", "Л/с", "ЛС"),
    "full_name": ("ФИО", "Собственник"), "settlement": ("Населённый пункт",),
    "street": ("Улица",), "house": ("Дом",), "premise": ("Помещение", "Квартира"),
    "premise_kind": ("Вид помещения",), "area": ("Площадь",), "opened": ("Открыт",),
    "closed": ("Закрыт",), "service_code": ("Код услуги", "Услуга"), "amount": ("Сумма",),
    "period": ("Период", "Месяц"), "paid_on": ("Дата оплаты",), "source": ("Источник",),
    "reference": ("Номер платежа", "Документ"), "meter_id": ("Код счётчика",),
    "serial": ("Заводской номер",), "installed": ("Установлен",),
    "initial_reading": ("Начальное показание",), "removed": ("Снят",),
    "taken_on": ("Дата показания",), "value": ("Показание",),
}


def column_key(name: str) -> str:
    """A header name as compared: case, spaces, dots and ё/е aside."""
    return name.lower().replace("ё", "е").replace(" ", "").replace("\u00a0", "").replace(".", "")


_COLUMN_OF: dict[str, str] = {
    column_key(alias): column
    for column, aliases in ALIASES.items()
    for alias in (column, *aliases)
}


PREMISE_KINDS = {
    "apartment": "apartment", "квартира": "apartment",
    "commercial": "commercial", "нежилое": "commercial",
    "storage": "storage", "кладовая": "storage",
    "parking": "parking", "машиноместо": "parking",
}

MAX_ERRORS = 100
BATCH = 10_000
_TOLERANCE = Decimal("1e-9")
_SCALE = {2: 100, 3: 1000}

_KPP = re.compile(r"\d{9}", re.ASCII)
_BIK = re.compile(r"\d{9}", re.ASCII)
_BANK_ACCOUNT = re.compile(r"\d{20}", re.ASCII)
_METER_ID = re.compile(r"[0-9A-Za-zА-Яа-яЁё_./-]{1,36}")
_AREA = re.compile(r"\d{1,6}(?:[.,]\d{1,4})?", re.ASCII)


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str
    file: Path
    rows: int
    inserted: int
    updated: int  # rows already there whose values changed
    unchanged: int = 0  # rows already there with the same values (counted in neither)


class _Bad(Exception):
    """One value not of its form; the message is the user's text."""


# ----------------------------------------------------------------------------- public


def import_file(
    db: Database, kind: str, path: Path, progress: Progress = no_progress
) -> ImportResult:
    """Import one table file of ``kind``; ImportFileError lists its bad rows.
    ``progress`` hears the rows read so far ("load"; their total is not known)."""
    _check_kind(kind)
    path = Path(path)
    with tables.open_table(path) as table:
        try:
            return _import(db, kind, table, path, progress, event=True)
        except (OSError, UnicodeDecodeError) as exc:
            raise AppError(f"Не удалось прочитать файл {path}: {exc}") from exc


def import_rows(
    db: Database,
    kind: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    name: str = "<данные>",
) -> ImportResult:
    """Import rows already in memory exactly as a file with that header would be."""
    _check_kind(kind)
    with tables.MemoryTable(name, header, rows) as table:
        return _import(db, kind, table, Path(name))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise AppError(f"Неизвестный вид таблицы: {kind}; возможны: {', '.join(KINDS)}")


# ----------------------------------------------------------------------------- cells


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
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, datetime):
        if raw.hour or raw.minute or raw.second or raw.microsecond:
            return v.format_moment(raw)
        return v.format_date(raw.date())
    if isinstance(raw, date):
        return v.format_date(raw)
    return str(raw).strip()


def float_units(x: float, places: int) -> int | None:
    """A spreadsheet number to units of 10**-places, when it is that exact to 1e-9."""
    if not math.isfinite(x):
        return None
    d = Decimal(repr(x))
    units = d.scaleb(places).to_integral_value(rounding=ROUND_HALF_EVEN)
    if abs(d - units.scaleb(-places)) > _TOLERANCE:
        return None
    return int(units)


_LIMIT = {2: 10 ** (v.AMOUNT_DIGITS + 2), 3: 10 ** (v.READING_DIGITS + 3)}


def _number_units(raw: Any, places: int) -> int | None:
    """A spreadsheet number in units; None when not exact or beyond what is stored."""
    if isinstance(raw, bool):
        return None
    units: int | None = None
    if isinstance(raw, int):
        units = raw * _SCALE[places]
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
    if isinstance(raw, (int, float)):
        k = _number_units(raw, 2)
    else:
        k = v.parse_loose_amount(text)
    if k is None:
        raise _Bad(f"неверная сумма: {text}")
    return k


def reading_of(raw: Any, text: str) -> int:
    if isinstance(raw, (int, float)):
        r = _number_units(raw, 3)
        if r is not None and r < 0:
            r = None
    else:
        r = v.parse_reading(text.replace("\u00a0", "").replace("\u202f", "").replace(" ", ""))
    if r is None:
        raise _Bad(f"неверное показание: {text}")
    return r


def date_of(raw: Any, text: str) -> str:
    d = v.parse_date(text)
    if d is None:
        raise _Bad(f"неверная дата: {text}")
    return d.isoformat()


def month_of(raw: Any, text: str) -> int:
    if isinstance(raw, (date, datetime)):
        # Excel turns a typed "10.2026" into the date 01.10.2026
        if raw.day == 1 and (not isinstance(raw, datetime) or raw.time() == datetime.min.time()):
            return raw.year * 100 + raw.month
        raise _Bad(f"неверный период: {text}")
    p = v.parse_month(text)
    if p is None:
        raise _Bad(f"неверный период: {text}")
    return p


def _pattern(rx: re.Pattern[str], message: str) -> Callable[[Any, str], str]:
    def conv(raw: Any, text: str) -> str:
        if rx.fullmatch(text) is None:
            raise _Bad(f"{message}: {text}")
        return text

    return conv


def _text(raw: Any, text: str) -> str:
    return text


def _inn(raw: Any, text: str) -> str:
    if not (v.is_inn(text) and text.isascii()):
        raise _Bad(f"неверный ИНН: {text}")
    return text


def _own_code(raw: Any, text: str) -> int:
    if not (text.isdigit() and text.isascii()) or len(text) > 9 or int(text) <= 0:
        raise _Bad(f"неверный код услуги: {text}")
    return int(text)


def _account_number(raw: Any, text: str) -> str:
    if not v.is_account(text):
        raise _Bad(f"неверный лиц.счёт: {text}")
    return text


def _premise_kind(raw: Any, text: str) -> str:
    kind = PREMISE_KINDS.get(text.lower())
    if kind is None:
        raise _Bad(f"неверный вид помещения: {text}")
    return kind


def _area(raw: Any, text: str) -> str:
    if isinstance(raw, float) and math.isfinite(raw) and raw >= 0:
        return format(Decimal(repr(raw)).normalize(), "f")
    if _AREA.fullmatch(text) is None:
        raise _Bad(f"неверная площадь: {text}")
    return text.replace(",", ".")


def _flag(raw: Any, text: str) -> int:
    if text not in ("0", "1"):
        raise _Bad(f"неверный признак: {text}")
    return int(text)


# ----------------------------------------------------------------------------- references


class _Refs:
    """The database's keys, loaded once per import."""

    def __init__(self, db: Database, kind: str) -> None:
        self.accounts: dict[str, int] = {}
        self.services: dict[str, int] = {}
        self.providers: dict[str, int] = {}
        self.meters: dict[str, int] = {}
        self.spans: dict[int, tuple[str | None, str | None]] = {}
        self.metered: set[int] = set()
        if kind in ("balances", "accruals", "payments", "meters"):
            self.accounts = billing.account_ids(db)
            self.services = {str(code): code for code in billing.service_codes(db)}
        if kind == "accruals":
            self.spans = billing.account_spans(db)
        if kind == "meters":
            self.metered = billing.metered_codes(db)
        elif kind == "services":
            self.providers = billing.provider_ids(db)
        elif kind == "readings":
            self.meters = billing.meter_refs(db)

    def account(self, raw: Any, text: str) -> int:
        found = self.accounts.get(text)
        if found is None:
            raise _Bad(f"неизв.лиц.счёт: {text}")
        return found

    def service(self, raw: Any, text: str) -> int:
        found = self.services.get(text)
        if found is None and text.isdigit() and text.isascii():
            found = self.services.get(str(int(text)))  # "007" is code 7
        if found is None:
            raise _Bad(f"неизв.услуга: {text}")
        return found

    def provider(self, raw: Any, text: str) -> int:
        found = self.providers.get(text)
        if found is None:
            raise _Bad(f"неизв.поставщик: {text}")
        return found

    def meter(self, raw: Any, text: str) -> int:
        found = self.meters.get(text)
        if found is None:
            raise _Bad(f"неизв.счётчик: {text}")
        return found


def _converters(kind: str, refs: _Refs) -> list[Callable[[Any, str], Any]]:
    kpp = _pattern(_KPP, "неверный КПП")
    bik = _pattern(_BIK, "неверный БИК")
    bank = _pattern(_BANK_ACCOUNT, "неверный р/с")
    table: dict[str, list[Callable[[Any, str], Any]]] = {
        "org": [_inn, _text, kpp, bank, bik, _text],
        "providers": [_inn, _text, bank, bik],
        "services": [_own_code, _text, _text, _text, _text, refs.provider, _flag],
        "accounts": [_account_number, _text, _text, _text, _text, _text, _premise_kind,
                     _area, date_of, date_of],
        "balances": [refs.account, refs.service, amount_of],
        "accruals": [refs.account, refs.service, month_of, amount_of],
        "payments": [refs.account, refs.service, date_of, amount_of, _text, _text],
        "meters": [_pattern(_METER_ID, "неверный ид."), refs.account, refs.service, _text,
                   date_of, reading_of, date_of],
        "readings": [refs.meter, date_of, reading_of],
    }
    return table[kind]


# ----------------------------------------------------------------------------- the check

# converters of values that repeat a lot (dates, months) remember what they gave per text;
# references are dict lookups already
_CACHED: set[Callable[[Any, str], Any]] = {date_of, month_of}
_CACHE_SIZE = 100_000


def _blank(row: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)



class _Errors:
    def __init__(self) -> None:
        self.shown: list[tuple[int, str]] = []
        self.total = 0
        self.bad_rows = 0
        self.changed = 0  # rows the database inserted or changed

    def add(self, line: int, message: str) -> None:
        self.total += 1
        if len(self.shown) < MAX_ERRORS:
            self.shown.append((line, message))


def _names(column: str) -> str:
    """The names a column answers to, for a message: «account, Лицевой счёт, Л/с, ЛС»."""
    return ", ".join(ALIASES.get(column, ())) or column


class _Checker:
    """Turns one raw row into the kind's values, or records its errors and gives None."""

    def __init__(self, kind: str, table: tables.Table, refs: _Refs, errors: _Errors) -> None:
        spec = COLUMNS[kind]
        self.table = table
        self.errors = errors
        mine = {name for name, _ in spec}
        position: dict[str, int] = {}
        twice: list[tuple[int, str]] = []
        for i, cell in enumerate(table.header):
            name = _COLUMN_OF.get(column_key(cell), cell)
            if name in position and name in mine:
                twice.append((1, f"столбец указан дважды: {name} ({_names(name)})"))
            position.setdefault(name, i)
        missing = [name for name, required in spec if required and name not in position]
        if missing or twice:
            raise ImportFileError(
                table.name,
                twice + [(1, f"нет столбца: {name} ({_names(name)})") for name in missing],
            )
        self.index = [position.get(name, -1) for name, _ in spec]
        self.names = [name for name, _ in spec]
        self.required = [required for _, required in spec]
        self.convert = _converters(kind, refs)
        caches: list[dict[str, Any] | None] = [
            {} if conv in _CACHED else None for conv in self.convert
        ]
        self.spec = list(
            zip(self.index, self.names, self.required, self.convert, caches, strict=True)
        )

    def __call__(self, row: Sequence[Any]) -> list[Any] | None:
        """The row's values (None for empty optional cells); None for a blank or bad row."""
        out: list[Any] = []
        line = 0
        failed = False
        width = len(row)
        if self.table.suspect and any(
            isinstance(c, str) and tables.REPLACEMENT in c for c in row
        ):
            if _blank(row):
                return None
            line = self.table.line_of(row)
            self.errors.add(line, "неверная кодировка")
            failed = True
        for i, name, required, conv, cache in self.spec:
            raw = row[i] if 0 <= i < width else None
            text = raw.strip() if type(raw) is str else cell_text(raw)
            if not text:
                if required:
                    if not failed and _blank(row):
                        return None
                    line = line or self.table.line_of(row)
                    self.errors.add(line, f"пустое поле: {name}")
                    failed = True
                out.append(None)
                continue
            if cache is not None and type(raw) is str:
                value = cache.get(text)
                if value is not None:
                    out.append(value)
                    continue
            try:
                value = conv(raw, text)
            except _Bad as bad:
                line = line or self.table.line_of(row)
                self.errors.add(line, str(bad))
                failed = True
                out.append(None)
                continue
            if cache is not None and type(raw) is str and len(cache) < _CACHE_SIZE:
                cache[text] = value
            out.append(value)
        if failed:
            self.errors.bad_rows += 1
            return None
        return out

    def extra(self, row: Sequence[Any], message: str) -> None:
        """A row good in each value but wrong as a whole."""
        self.errors.add(self.table.line_of(row), message)
        self.errors.bad_rows += 1


# ----------------------------------------------------------------------------- building rows


def _build(kind: str, vals: list[Any], refs: _Refs) -> tuple[Any, ...] | str:
    """The upsert's parameters from checked values; a str is the error of the row."""
    if kind == "org":
        return (1, *vals)
    if kind == "services":
        return (*vals[:6], vals[6] or 0)
    if kind == "accounts":
        number, name, settlement, street, house, premise, pkind, area, opened, closed = vals
        if opened and closed and closed < opened:
            return f"неверная дата: {v.format_date(v.from_iso_date(closed))}"
        return (number, name, settlement or "", street, house, premise or "",
                pkind or "apartment", area, opened, closed)
    if kind == "payments":
        account, code, paid_on, amount, source, reference = vals
        if amount == 0:
            return "неверная сумма: 0,00 (платёж не может быть нулевым)"
        if amount < 0 and not source:
            return (f"неверная сумма: {v.format_amount(amount).replace('.', ',')} "
                    "(отрицательный платёж — только возврат, с источником: source)")  # fmt: skip
        return (account, code, paid_on, amount, source or "", reference)
    if kind == "meters":
        if vals[6] and vals[6] < vals[4]:
            return f"неверная дата: {v.format_date(v.from_iso_date(vals[6]))}"
        if vals[2] not in refs.metered:
            return f"услуга не по счётчику: {vals[2]}"
        return tuple(vals)
    if kind == "accruals":
        span = refs.spans.get(vals[0])
        if span is not None:
            opened, closed = span
            if opened and vals[2] < int(opened[:4] + opened[5:7]):
                return f"начисление до открытия лицевого счёта: {v.format_month(vals[2])}"
            if closed and vals[2] > int(closed[:4] + closed[5:7]):
                return f"начисление после закрытия лицевого счёта: {v.format_month(vals[2])}"
    if kind == "readings":
        meter, taken_on, value = vals
        return (meter, taken_on + " 00:00:00", value, 1, "import")
    return tuple(vals)


def _import(
    db: Database, kind: str, table: tables.Table, path: Path, progress: Progress = no_progress,
    event: bool = False,
) -> ImportResult:  # fmt: skip
    """``event``: journal the load («События»), for a file the accountant loaded."""
    errors = _Errors()
    report = Throttle(progress)
    with db.transaction():
        refs = _Refs(db, kind)
        check = _Checker(kind, table, refs, errors)
        before = billing.count_rows(db, kind)
        try:
            if kind == "accruals" and isinstance(table, tables.CsvTable) and not table.suspect:
                rows = _accruals_fast(db, table, check, refs, errors, report)
            else:
                rows = _generic(db, kind, table, check, refs, errors, report)
            report("load", rows, rows)
        except tables.TableSyntaxError as exc:
            log.info("import %s: csv error at line %d: %s", table.name, table.line_now(), exc)
            errors.add(table.line_now(), "строка не читается как CSV (незакрытая кавычка?)")
            rows = 0
        if kind == "org" and not errors.total and rows == 0:
            errors.add(2, "нет строки с данными организации")
        if errors.total:
            log.info("import %s (%s): %d errors, nothing written", table.name, kind, errors.total)
            raise ImportFileError(table.name, errors.shown, errors.total)
        errors.changed += billing.flush(db)  # a batch still being written (PostgreSQL)
        after = billing.count_rows(db, kind)
        if kind == "accruals":
            billing.refresh_periods(db)
        inserted = after - before
        updated = max(0, errors.changed - inserted)
        if event:
            title = events.IMPORT_TITLES.get(kind, kind)
            events.record(db, f"Загружены данные ({title}) из файла «{Path(path).absolute()}»: "
                          f"строк {rows}, новых {inserted}, изменено {updated}")  # fmt: skip
    log.info("import %s (%s): %d rows, %d new, %d changed", table.name, kind, rows, inserted,
             updated)  # fmt: skip
    return ImportResult(kind, path, rows, inserted, updated, rows - inserted - updated)


def _generic(
    db: Database, kind: str, table: tables.Table, check: _Checker, refs: _Refs, errors: _Errors,
    report: Progress = no_progress,
) -> int:  # fmt: skip
    batch: list[tuple[Any, ...]] = []
    plain: list[tuple[Any, ...]] = []  # payments without a reference
    good = 0

    def flush() -> None:
        if not errors.total:
            if batch:
                errors.changed += billing.upsert(db, kind, batch)
            if plain:
                errors.changed += billing.insert_payments_unreferenced(db, plain)
        batch.clear()
        plain.clear()
        report("load", good + errors.bad_rows, None)

    for row in table:
        vals = check(row)
        if vals is None:
            continue
        params = _build(kind, vals, refs)
        if isinstance(params, str):
            check.extra(row, params)
            continue
        if kind == "org" and good:
            check.extra(row, "лишняя строка: организация одна")
            continue
        good += 1
        if kind == "payments" and params[5] is None:
            plain.append(params[:5])
        else:
            batch.append(params)
        if len(batch) + len(plain) >= BATCH:
            flush()
    flush()
    return good + errors.bad_rows


# ----------------------------------------------------------------------------- accruals, fast


def _accruals_fast(
    db: Database, table: tables.CsvTable, check: _Checker, refs: _Refs, errors: _Errors,
    report: Progress = no_progress,
) -> int:  # fmt: skip
    """The common case at full speed; any row it cannot take as is goes through ``check``.

    An amount ``123``, ``123.45`` or ``123,45`` of ASCII digits is read here; anything else,
    and any key not found in the dicts (a value with spaces around it, an unknown account, a
    period not seen yet...), takes the full check, which reports the row's line.
    """
    ia, isv, ip, iam = check.index
    accounts = refs.accounts
    # the months an account is open, as yyyymm (``_build`` checks the same); a row outside
    # them takes the full check, which names its line
    spans = {
        i: (int(o[:4] + o[5:7]) if o else 0, int(c[:4] + c[5:7]) if c else 999999)
        for i, (o, c) in refs.spans.items()
    }
    always = (0, 999999)
    services = refs.services
    periods: dict[str, int] = {}
    good = 0
    rows = iter(table)
    while True:
        before = table.line_now()
        batch: list[tuple[int, int, int, int]] = []
        append = batch.append
        for row in islice(rows, BATCH):  # lazily: the reader's line is the row's
            try:
                amount = row[iam]
                if len(amount) > 3 and amount[-3] in ".,":
                    digits = amount[:-3] + amount[-2:]
                else:
                    digits = amount + "00" if amount else ""  # empty: the full check
                if digits.isascii() and digits.isdigit() and len(digits) <= v.AMOUNT_DIGITS + 2:
                    account = accounts[row[ia]]
                    period = periods[row[ip]]
                    lo, hi = spans.get(account, always)
                    if lo <= period <= hi:
                        append((account, services[row[isv]], period, int(digits)))
                        continue
            except (KeyError, IndexError):
                pass
            vals = check(row)
            if vals is None:
                continue
            built = _build("accruals", vals, refs)
            if isinstance(built, str):
                check.extra(row, built)
                continue
            raw = row[ip]
            if raw == raw.strip():
                periods[raw] = vals[2]
            append((vals[0], vals[1], vals[2], vals[3]))
        good += len(batch)
        if not errors.total and batch:
            errors.changed += billing.upsert(db, "accruals", batch)
        report("load", good + errors.bad_rows, None)
        if table.line_now() == before:
            break
    return good + errors.bad_rows
