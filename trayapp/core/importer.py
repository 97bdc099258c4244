"""Import of the billing program's table files into the database (spec/import.md).

``import_file(db, kind, path)`` opens a .csv or .xlsx (``table_read``), finds its table —
the sheet, the header row among the first 20, the column feeding each of the kind's
(``import_locate``; choices by hand or remembered, ``import_choices``) — checks every row
against the kind's columns (``import_values``) and the database's accounts, services,
providers and meters (loaded once into dicts), and upserts the good rows in batches inside
one transaction (``db.billing``). All or nothing: any bad row rolls everything back and
raises ``ImportFileError`` with each cause once, its rows as ranges (``import_errors``).
A footer row («Итого», «Всего») ends the data; account numbers that lost their leading zeros
are matched when one account fits; the result's ``notes`` say so. ``check=True`` does all
of it and loads nothing. Every load, failed or not, is an event in «События». Accruals
from a CSV take a fast path (dict lookups, a hand-written amount parser, no per-row function
calls) that falls back to the full check for any row it cannot take as is. ``import_rows``
feeds rows already in memory through the same path (the demo). No SQL here; nothing of the
UI.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from trayapp.core import events, tables
from trayapp.core import values as v
from trayapp.core.db import Database, billing
from trayapp.core.import_choices import Choice, ChoiceStore
from trayapp.core.import_columns import ALIASES, COLUMN_OF, COLUMNS, KINDS, column_key, match
from trayapp.core.import_errors import Errors, plural
from trayapp.core.import_locate import Found, locate
from trayapp.core.import_values import (
    BANK_ACCOUNT,
    BIK,
    KPP,
    METER_ID,
    PREMISE_KINDS,
    Bad,
    account_number,
    amount_of,
    area_of,
    cell_text,
    date_of,
    flag_of,
    float_units,
    inn_of,
    month_of,
    own_code,
    pattern,
    premise_kind,
    reading_of,
    text_of,
)
from trayapp.core.progress import Progress, Throttle, no_progress
from trayapp.errors import AppError, ImportFileError

log = logging.getLogger(__name__)

__all__ = [
    "ALIASES", "COLUMNS", "KINDS", "PREMISE_KINDS", "ImportResult", "cell_text", "column_key",
    "float_units", "import_file", "import_rows",
]
_COLUMN_OF = COLUMN_OF  # the name import_kind knew it by

MAX_ERRORS = 100
BATCH = 10_000
_Bad = Bad
_FOOTERS = ("итого", "всего")


@dataclass(frozen=True, slots=True)
class ImportResult:
    kind: str
    file: Path
    rows: int
    inserted: int
    updated: int  # rows already there whose values changed
    unchanged: int = 0  # rows already there with the same values (counted in neither)
    sheet: str | None = None  # the sheet read (.xlsx)
    header_row: int = 1  # the file's line (the sheet's row) of the header
    notes: tuple[str, ...] = ()  # what was read other than as written
    checked: bool = False  # a check: nothing was loaded

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": str(self.file), "sheet": self.sheet,
                "header_row": self.header_row, "rows": self.rows, "inserted": self.inserted,
                "updated": self.updated, "unchanged": self.unchanged,
                "notes": list(self.notes), "checked": self.checked}  # fmt: skip


class _Rollback(Exception):
    """Ends a check's transaction: everything it wrote is undone."""


# ----------------------------------------------------------------------------- public


def import_file(
    db: Database,
    kind: str,
    path: Path,
    progress: Progress = no_progress,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    columns: Mapping[str, str] | None = None,
    check: bool = False,
    store: ChoiceStore | None = None,
    failure_event: bool = True,
) -> ImportResult:
    """Import one table file of ``kind``; ImportFileError tells its bad rows.

    ``sheet``, ``header_row`` (the file's line), ``columns`` (kind's column → the file's
    header text; internal or Russian names) are choices by hand; without them a choice
    remembered in ``store`` for a file of the same header is used. A load that succeeds with
    choices by hand keeps them in ``store``. ``check``: read and check everything, load
    nothing (no event either). ``progress`` hears the rows read so far ("load").
    ``failure_event``: journal a refusal here (``import_batch`` words its own)."""
    _check_kind(kind)
    path = Path(path)
    try:
        with tables.open_source(path) as source:
            found = locate(source, kind, sheet, header_row, columns, store)
            if not found.ok:
                raise ImportFileError(path.name, found.errors, lines=[
                    f"строка: {n}, {m}" if n else m for n, m in found.errors])  # fmt: skip
            assert found.part is not None
            try:
                table = source.table(found.part, found.header_line)
                result = _import(db, kind, table, path, progress, event=not check,
                                 found=found, check=check)  # fmt: skip
            except (OSError, UnicodeDecodeError) as exc:
                raise AppError(f"Не удалось прочитать файл {path}: {exc}") from exc
    except AppError as exc:
        if not check and failure_event:
            failed_event(db, kind, path, exc)
        raise
    hand = bool(columns) or sheet is not None or header_row is not None
    if hand and store is not None and not check and found.signature:
        store.put(found.signature, Choice(kind, dict(found.columns)))
    return result


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


def failed_event(db: Database, kind: str, path: Path, exc: AppError) -> None:
    """«События»: a refused file, its first causes (the one who loaded it was told). Called
    outside any transaction of the load (one that rolls back would take the event along)."""
    title = events.IMPORT_TITLES.get(kind, kind)
    if isinstance(exc, ImportFileError):
        causes = exc.lines
        why = "; ".join(causes[:3]) + (f"; … всего причин: {len(causes)}" if len(causes) > 3 else "")
    else:
        why = exc.message
    try:
        with db.transaction():
            events.record(db, f"Не загружены данные ({title}) из файла «{path.absolute()}»: "
                          f"{why}", level="error", seen=True)  # fmt: skip
    except AppError:
        log.exception("the refused load could not be journaled")


# ----------------------------------------------------------------------------- references


class _Refs:
    """The database's keys, loaded once per import (``only``: just the accounts and meters
    named, for a preview of a few rows)."""

    def __init__(
        self, db: Database, kind: str, only: Mapping[str, Collection[str]] | None = None
    ) -> None:
        self.accounts: dict[str, int] = {}
        self.services: dict[str, int] = {}
        self.providers: dict[str, int] = {}
        self.meters: dict[str, int] = {}
        self.spans: dict[int, tuple[str | None, str | None]] = {}
        self.metered: set[int] = set()
        self._unzeroed: dict[str, list[str]] | None = None
        self.zeros = 0  # rows whose account was read without its leading zeros
        self.zeros_example = ""
        if kind in ("balances", "accruals", "payments", "meters"):
            if only is None:
                self.accounts = billing.account_ids(db)
            else:
                self.accounts = billing.accounts_named(db, only.get("account", ()))
            self.services = {str(code): code for code in billing.service_codes(db)}
        if kind == "accruals":
            if only is None:
                self.spans = billing.account_spans(db)
            else:
                self.spans = billing.spans_of(db, self.accounts.values())
        if kind == "meters":
            self.metered = billing.metered_codes(db)
        elif kind == "services":
            self.providers = billing.provider_ids(db)
        elif kind == "readings":
            if only is None:
                self.meters = billing.meter_refs(db)
            else:
                self.meters = billing.meters_named(db, only.get("meter_id", ()))

    def account(self, raw: Any, text: str) -> int:
        found = self.accounts.get(text)
        if found is None:
            return self._without_zeros(text)
        return found

    def _without_zeros(self, text: str) -> int:
        """An account number Excel turned into a number (0007005 → 7005): the one account
        it is once the leading zeros are dropped (import.md)."""
        if not (text.isdigit() and text.isascii()):
            raise Bad(f"неизв.лиц.счёт: {text}")
        if self._unzeroed is None:
            self._unzeroed = {}
            for number in self.accounts:
                if number[:1] == "0" and number.isdigit() and number.isascii():
                    self._unzeroed.setdefault(number.lstrip("0"), []).append(number)
        short = text.lstrip("0")
        fits = [n for n in self._unzeroed.get(short, ()) if n != text]
        if short in self.accounts and short != text:
            fits.append(short)
        if not fits:
            raise Bad(f"неизв.лиц.счёт: {text}")
        if len(fits) > 1:
            raise Bad(f"неизв.лиц.счёт: {text} (без ведущих нулей подходят: "
                      f"{', '.join(sorted(fits))})")  # fmt: skip
        self.zeros += 1
        if not self.zeros_example:
            self.zeros_example = f"{text} → {fits[0]}"
        return self.accounts[fits[0]]

    def service(self, raw: Any, text: str) -> int:
        found = self.services.get(text)
        if found is None and text.isdigit() and text.isascii():
            found = self.services.get(str(int(text)))  # "007" is code 7
        if found is None:
            raise Bad(f"неизв.услуга: {text}")
        return found

    def provider(self, raw: Any, text: str) -> int:
        found = self.providers.get(text)
        if found is None:
            raise Bad(f"неизв.поставщик: {text}")
        return found

    def meter(self, raw: Any, text: str) -> int:
        found = self.meters.get(text)
        if found is None:
            raise Bad(f"неизв.счётчик: {text}")
        return found


def _converters(kind: str, refs: _Refs) -> list[Callable[[Any, str], Any]]:
    kpp = pattern(KPP, "неверный КПП")
    bik = pattern(BIK, "неверный БИК")
    bank = pattern(BANK_ACCOUNT, "неверный р/с")
    table: dict[str, list[Callable[[Any, str], Any]]] = {
        "org": [inn_of, text_of, kpp, bank, bik, text_of],
        "providers": [inn_of, text_of, bank, bik],
        "services": [own_code, text_of, text_of, text_of, text_of, refs.provider, flag_of],
        "accounts": [account_number, text_of, text_of, text_of, text_of, text_of, premise_kind,
                     area_of, date_of, date_of],
        "balances": [refs.account, refs.service, amount_of],
        "accruals": [refs.account, refs.service, month_of, amount_of],
        "payments": [refs.account, refs.service, date_of, amount_of, text_of, text_of],
        "meters": [pattern(METER_ID, "неверный ид."), refs.account, refs.service, text_of,
                   date_of, reading_of, date_of],
        "readings": [refs.meter, date_of, reading_of],
    }
    return table[kind]


# ----------------------------------------------------------------------------- the check

# converters of values that repeat a lot (dates, months) remember what they gave per text;
# references are dict lookups already
_CACHED: set[Callable[[Any, str], Any]] = {date_of, month_of}
_CACHE_SIZE = 100_000


def footer_text(row: Sequence[Any]) -> str | None:
    """The row's first non-empty cell when it begins with «Итого» or «Всего» (a footer)."""
    for cell in row:
        if cell is None:
            continue
        if not isinstance(cell, str):
            return None
        text = cell.strip()
        if not text:
            continue
        return text if text[:5].lower() in _FOOTERS else None
    return None


class _Checker:
    """Turns one raw row into the kind's values, or records its errors and gives None."""

    def __init__(
        self, kind: str, table: tables.Table, refs: _Refs, errors: Errors,
        position: dict[str, int],
    ) -> None:  # fmt: skip
        spec = COLUMNS[kind]
        self.table = table
        self.errors = errors
        self.ended: tuple[int, str] | None = None  # the footer row: (line, its text)
        self.index = [position[name] for name, _ in spec]
        self.names = [name for name, _ in spec]
        self.titles = [ALIASES.get(name, (name,))[0] for name, _ in spec]
        self.required = [required for _, required in spec]
        self.convert = _converters(kind, refs)
        caches: list[dict[str, Any] | None] = [
            {} if conv in _CACHED else None for conv in self.convert
        ]
        self.spec = list(
            zip(self.index, self.titles, self.required, self.convert, caches, strict=True)
        )

    def __call__(self, row: Sequence[Any]) -> list[Any] | None:
        """The row's values (None for empty optional cells); None for a blank, footer or
        bad row (a footer sets ``ended``)."""
        out: list[Any] = []
        line = 0
        failed = False
        width = len(row)
        foot = footer_text(row)
        if foot is not None:
            self.ended = (self.table.line_of(row), foot)
            return None
        if self.table.suspect and any(
            isinstance(c, str) and tables.REPLACEMENT in c for c in row
        ):
            if tables.blank(row):
                return None
            line = self.table.line_of(row)
            self.errors.add(line, "неверная кодировка")
            failed = True
        for i, name, required, conv, cache in self.spec:
            raw = row[i] if 0 <= i < width else None
            text = raw.strip() if type(raw) is str else cell_text(raw)
            if not text:
                if required:
                    if not failed and tables.blank(row):
                        return None
                    line = line or self.table.line_of(row)
                    self.errors.add(line, f"пустое поле: «{name}»")
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
            except Bad as bad:
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
                    "(отрицательный платёж — только возврат, с указанием «Источник»)")  # fmt: skip
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


def _position(kind: str, table: tables.Table, found: Found | None) -> dict[str, int]:
    """The cell feeding each column: as found in the file, or (rows in memory) by the
    header's names; ImportFileError for a header that lacks a column or names one twice."""
    if found is not None and found.match is not None:
        return found.match.position
    m = match(kind, table.header)
    if m.missing or m.twice:
        from trayapp.core.import_columns import described

        errors = [(table.header_row, f"столбец указан дважды: {described(f)}") for f in m.twice]
        errors += [(table.header_row, f"нет столбца {described(f)}") for f in m.missing]
        raise ImportFileError(table.name, errors)
    return m.position


def _notes(found: Found | None, check: _Checker, refs: _Refs) -> list[str]:
    notes: list[str] = []
    if found is not None and found.remembered:
        notes.append("столбцы выбраны так же, как для прошлого файла с таким же заголовком")
    if refs.zeros:
        notes.append(f"лицевые счета без ведущих нулей: {plural(refs.zeros, 'строка', 'строки', 'строк')}"
                     f" (например, {refs.zeros_example})")  # fmt: skip
    if check.ended is not None:
        line, text = check.ended
        notes.append(f"строка {line} «{text}» — итоговая: она и строки ниже не загружены")
    return notes


def _import(
    db: Database, kind: str, table: tables.Table, path: Path, progress: Progress = no_progress,
    event: bool = False, found: Found | None = None, check: bool = False,
) -> ImportResult:  # fmt: skip
    """``event``: journal the load («События»), for a file the accountant loaded; ``check``:
    everything but the load (the transaction is rolled back)."""
    errors = Errors()
    report = Throttle(progress)
    position = _position(kind, table, found)
    # each reference of these is looked up in ``refs``, read inside the transaction
    checked: AbstractContextManager[None] = nullcontext()
    if kind in ("balances", "accruals"):
        checked = db.references_checked()
    try:
        with checked, db.transaction():
            refs = _Refs(db, kind)
            checker = _Checker(kind, table, refs, errors, position)
            before = billing.count_rows(db, kind)
            try:
                if kind == "accruals" and isinstance(table, tables.CsvTable) and not table.suspect:
                    rows = _accruals_fast(db, table, checker, refs, errors, report)
                else:
                    rows = _generic(db, kind, table, checker, refs, errors, report)
                report("load", rows, rows)
            except tables.TableSyntaxError as exc:
                log.info("import %s: csv error at line %d: %s", table.name, table.line_now(), exc)
                errors.add(table.line_now(), "строка не читается как CSV (незакрытая кавычка?)")
                rows = 0
            if kind == "org" and not errors and rows == 0:
                errors.add(table.header_row + 1, "нет строки с данными организации")
            if errors:
                log.info("import %s (%s): %d errors, nothing written", table.name, kind,
                         errors.total)  # fmt: skip
                raise ImportFileError(table.name, errors.pairs(), errors.causes(), errors.lines(),
                                      errors.refers_to(), errors.references())  # fmt: skip
            errors.changed += billing.flush(db)  # a batch still being written (PostgreSQL)
            after = billing.count_rows(db, kind)
            if kind == "accruals":
                billing.refresh_periods(db)
            inserted = after - before
            updated = max(0, errors.changed - inserted)
            notes = tuple(_notes(found, checker, refs))
            result = ImportResult(kind, path, rows, inserted, updated, rows - inserted - updated,
                                  table.sheet, table.header_row, notes, check)  # fmt: skip
            if check:
                raise _Rollback
            if event:
                title = events.IMPORT_TITLES.get(kind, kind)
                where = f", лист «{table.sheet}»" if table.sheet else ""
                events.record(db, f"Загружены данные ({title}) из файла «{Path(path).absolute()}»"
                              f"{where}: строк {rows}, новых {inserted}, изменено {updated}")  # fmt: skip
    except _Rollback:
        log.info("check of %s (%s): %d rows, nothing written", table.name, kind, result.rows)
        return result
    log.info("import %s (%s): %d rows, %d new, %d changed", table.name, kind, rows, inserted,
             updated)  # fmt: skip
    return result


def _generic(
    db: Database, kind: str, table: tables.Table, check: _Checker, refs: _Refs, errors: Errors,
    report: Progress = no_progress,
) -> int:  # fmt: skip
    batch: list[tuple[Any, ...]] = []
    plain: list[tuple[Any, ...]] = []  # payments without a reference
    good = 0

    def flush() -> None:
        if not errors:
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
            if check.ended is not None:
                break
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
    db: Database, table: tables.CsvTable, check: _Checker, refs: _Refs, errors: Errors,
    report: Progress = no_progress,
) -> int:  # fmt: skip
    """The common case at full speed; any row it cannot take as is goes through ``check``.

    An amount ``123``, ``123.45`` or ``123,45`` of ASCII digits is read here; anything else,
    and any key not found in the dicts (a value with spaces around it, an unknown account or
    one without its leading zeros, a period not seen yet, a footer...), takes the full
    check, which reports the row's line.
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
                if check.ended is not None:
                    break
                continue
            built = _build("accruals", vals, refs)
            if isinstance(built, str):
                check.extra(row, built)
                continue
            raw = row[ip] if ip < len(row) else ""
            if raw == raw.strip():
                periods[raw] = vals[2]
            append((vals[0], vals[1], vals[2], vals[3]))
        good += len(batch)
        if not errors and batch:
            errors.changed += billing.upsert(db, "accruals", batch)
        report("load", good + errors.bad_rows, None)
        if table.line_now() == before or check.ended is not None:
            break
    return good + errors.bad_rows
