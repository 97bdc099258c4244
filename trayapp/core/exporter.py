"""Export of what was accepted from «Мои счета» back to the billing program (spec/import.md).

``export(db, kind, out, all_rows, now, cwd)`` writes the payments or the readings accepted
from the service and not exported before (or all of them) as a table file: CSV with ``;``,
UTF-8 with BOM, amounts and readings with a decimal comma (``1710,00``, ``39,100``: numbers
to a Russian Excel), or .xlsx when the name ends so (amounts as numbers
shown with two decimals, moments as date-time cells shown ``DD.MM.YYYY HH:MM:SS``). The
file is written atomically and never over an existing one (a default name takes the first
free of ``name``, ``name_2``...; a name given is refused when taken); nothing new to export
writes no file. The rows are marked exported in the same transaction as they were read,
after the file is in place. No SQL here (``db.billing``); nothing of the UI.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from trayapp.core import cells, events, tables
from trayapp.core import values as v
from trayapp.core.db import Database, billing
from trayapp.core.db.billing_accepted import count_accepted
from trayapp.errors import AppError, FolderError
from trayapp.fsutil import os_error

log = logging.getLogger(__name__)

EXPORT_KINDS = ("payments", "readings")
COLUMNS: dict[str, tuple[str, ...]] = {
    "payments": ("document_number", "registry_file", "payment_id", "paid_at", "account",
                 "service_code", "amount", "period"),
    "readings": ("document_number", "account", "meter_id", "serial", "taken_at", "value",
                 "below_previous", "posted"),
}
# the header the accountant's billing program reads (the default), and the old one (``en``)
HEADERS_RU: dict[str, tuple[str, ...]] = {
    "payments": ("Номер документа", "Файл реестра", "Номер платежа", "Дата оплаты",
                 "Лицевой счёт", "Код услуги", "Сумма", "Период"),
    "readings": ("Номер документа", "Лицевой счёт", "Код счётчика", "Заводской номер",
                 "Дата показания", "Показание", "Меньше предыдущего", "Проведено"),
}
HEADER_LANGUAGES = ("ru", "en")
MOMENT_FORMAT = "DD.MM.YYYY HH:MM:SS"
SAME_NAME_SERIES = 999  # payments_<stamp>.csv, payments_<stamp>_2.csv ... _999


@dataclass(frozen=True, slots=True)
class ExportResult:
    kind: str
    file: Path | None  # None: nothing new to export, no file written
    rows: int


def default_name(kind: str, now: datetime) -> str:
    return f"{kind}_{now:%Y%m%d_%H%M%S}.csv"


def export(
    db: Database, kind: str, out: Path | None, all_rows: bool, now: datetime, cwd: Path,
    header: str = "ru", replace: bool = False,
) -> ExportResult:  # fmt: skip
    """Write the accepted ``kind`` rows to ``out`` (default ``<kind>_<stamp>.csv`` in ``cwd``);
    ``header`` ``ru`` (the accountant's own names, the default) or ``en`` (the old names);
    ``replace``: an ``out`` that exists is replaced atomically (the window's save dialog asked
    «Заменить?» and the accountant agreed), else it is refused."""
    if kind not in EXPORT_KINDS:
        raise AppError(f"Неизвестный вид выгрузки: {kind}; возможны: payments, readings")
    if header not in HEADER_LANGUAGES:
        raise AppError(f"Неизвестный заголовок выгрузки: {header}; возможны: ru, en")
    names = HEADERS_RU[kind] if header == "ru" else COLUMNS[kind]
    path = Path(out) if out is not None else Path(default_name(kind, now))
    if not path.is_absolute():
        path = Path(cwd) / path
    if not path.parent.is_dir():
        raise AppError(f"Папка {path.parent} не существует")
    xlsx = path.suffix.lower() == ".xlsx"
    # never over an existing file: a default name takes the first free of name, name_2...;
    # a name given with --out is refused when taken
    series = SAME_NAME_SERIES if out is None else 0 if replace else 1
    with db.transaction():
        if xlsx:  # refused before a row is written, not after minutes of writing
            _check_sheet(kind, count_accepted(db, kind, all_rows), all_rows)
        if kind == "payments":
            source = billing.accepted_payments(db, all_rows)
        else:
            source = billing.accepted_readings(db, all_rows)
        # the rows go from the database into the file a batch at a time; the stream is
        # closed (on an error too) before the transaction's next statement
        with closing(source):
            count, path = _write(kind, source, path, names, xlsx, series)
        if count == 0:
            log.info("export %s: nothing new, no file written", kind)
            return ExportResult(kind, None, 0)
        if kind == "payments":
            billing.mark_payments_exported(db)
        else:
            billing.mark_readings_exported(db)
        what = "оплаты" if kind == "payments" else "показания"
        events.record(db, f"Выгружены {what}" + (" (все)" if all_rows else "")
                      + f": строк {count}, файл «{path}»")  # fmt: skip
    log.info("export %s: %d rows to %s%s", kind, count, path, " (all)" if all_rows else "")
    return ExportResult(kind, path, count)


def _check_sheet(kind: str, count: int, all_rows: bool) -> None:
    """An .xlsx export is one sheet for the billing program: more rows than Excel's sheet
    holds are refused in words, never cut (docs/decisions.md)."""
    room = cells.SHEET_ROWS - 1  # under the header row
    if count > room:
        what = "Оплат" if kind == "payments" else "Показаний"
        raise AppError(
            f"{what} для выгрузки {_grouped(count)}, а на листе Excel помещается не больше "
            f"{_grouped(room)} строк под заголовком: файл .xlsx не записан, ничего не отмечено "
            "выгруженным",
            f"выгрузите в CSV: trayapp export {kind}{' --all' if all_rows else ''} --out {kind}.csv",
            "выгрузите в файл CSV (имя файла с расширением .csv)",
        )


def _grouped(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _write(
    kind: str, source: Iterator[tuple[Any, ...]], path: Path, names: tuple[str, ...],
    xlsx: bool, series: int,
) -> tuple[int, Path]:  # fmt: skip
    """Write the rows of ``source`` under ``names``: (rows, the path written); (0, ``path``)
    and no file when there is no row."""
    first = next(source, None)
    if first is None:
        return 0, path
    source = itertools.chain([first], source)
    if kind == "payments":
        rows = _payments_xlsx(source) if xlsx else _payments_csv(source)
    else:
        rows = _readings_xlsx(source) if xlsx else _readings_csv(source)
    try:
        if xlsx:
            formats = {3: MOMENT_FORMAT, 6: "0.00"} if kind == "payments" else {4: MOMENT_FORMAT}
            return tables.write_xlsx(path, names, rows, formats, series,
                                     title="Оплаты" if kind == "payments" else "Показания")
        return tables.write_csv(path, names, rows, series)
    except FileExistsError as exc:
        raise AppError(
            f"Файл {path} уже есть: выгрузка не записана, ничего не отмечено; "
            "укажите другое имя (--out)"
        ) from exc
    except OSError as exc:  # the reason in Russian, naming the folder
        reason = os_error(exc, str(path.parent)).message
        raise AppError(f"Не удалось записать файл {path}: {reason}") from exc
    except FolderError as exc:  # held by Excel past the wait, or refused
        raise AppError(f"Не удалось записать файл {path}: {exc.message}") from exc


# ----------------------------------------------------------------------------- rows


def _moment(iso: str) -> str:
    return v.format_moment(v.from_iso_moment(iso))


def _comma_amount(kopecks: int) -> str:
    """``1710,00``: a number to a Russian Excel (``1710.00`` opens as text there)."""
    return v.format_amount(kopecks).replace(".", ",")


def _comma_reading(thousandths: int) -> str:
    """``39,100``: thousandths with a decimal comma, three places as the spec writes them."""
    whole, frac = divmod(thousandths, 1000)
    return f"{whole},{frac:03d}"


def _code(code: int | None) -> str:
    return "" if code is None else str(code)


def _payments_csv(source: Iterator[tuple[Any, ...]]) -> Iterator[list[str]]:
    for number, file_name, pid, paid_at, account, code, amount, period in source:
        yield [number, file_name, pid, _moment(paid_at), account, _code(code),
               _comma_amount(amount), v.format_month(period) if period else ""]


def _payments_xlsx(source: Iterator[tuple[Any, ...]]) -> Iterator[list[Any]]:
    for number, file_name, pid, paid_at, account, code, amount, period in source:
        yield [number, file_name, pid, v.from_iso_moment(paid_at), account, _code(code),
               Decimal(v.format_amount(amount)), v.format_month(period) if period else ""]


def _readings_csv(source: Iterator[tuple[Any, ...]]) -> Iterator[list[str]]:
    for number, account, meter_id, serial, taken_at, value, below, posted in source:
        yield [number, account, meter_id, serial, _moment(taken_at), _comma_reading(value),
               "1" if below else "0", "1" if posted else "0"]


def _readings_xlsx(source: Iterator[tuple[Any, ...]]) -> Iterator[list[Any]]:
    for number, account, meter_id, serial, taken_at, value, below, posted in source:
        yield [number, account, meter_id, serial, v.from_iso_moment(taken_at),
               Decimal(v.format_reading(value)), 1 if below else 0, 1 if posted else 0]
