"""The printable report of an accepted registry, as the manual shows it after acceptance.

For a «Реестр "Мои счета"» document: the registry's header, every payment (account,
owner, address, service, provider, amount) and the totals per service and per provider,
which the accountant compares with the bank statement, and the match against the bank's
transfers kept at the acceptance (``reconcile``). For a «Показания новые» document:
every reading with meter, serial, moment, value and the mark where it is below the
previous one. HTML that prints well (A4 landscape, the table head repeated on every page)
by default, ``.xlsx`` (openpyxl) on request; Russian throughout, written atomically into
the reports folder. The rows are streamed from the database to the file (bounded memory
whatever the registry's size); an .xlsx table longer than Excel's sheet goes on to further
sheets (``sheet_rows``). Imports no GUI; SQL lives in ``db/documents.py`` and
``db/report_rows.py``.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from trayapp.core import cells
from trayapp.core import values as v
from trayapp.core.db import documents as docs
from trayapp.core.db import report_rows
from trayapp.core.db.connection import Database
from trayapp.core.folders import atomic_file, os_error, write_atomic
from trayapp.core.formats import parse_name
from trayapp.core.sheet_rows import Series
from trayapp.errors import AcceptError
from trayapp.private import private_dir

log = logging.getLogger(__name__)

WHOLE_ACCOUNT = "На лицевой счёт в целом (без разбивки по услугам)"
OWN_PROVIDER = "Без поставщика (услуги ТСЖ)"
CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Times New Roman", serif; font-size: 10pt; color: #000; }
h1 { font-size: 14pt; margin: 0 0 4pt 0; }
h2 { font-size: 12pt; margin: 14pt 0 4pt 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 0.5pt solid #000; padding: 1pt 3pt; vertical-align: top; }
th { background: #eee; }
thead { display: table-header-group; }
tfoot { display: table-row-group; }
tr { page-break-inside: avoid; }
td.n { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; }
.head td { border: none; padding: 0 6pt 0 0; }
.mark { font-weight: bold; }
@media screen { body { margin: 1em auto; max-width: 290mm; } }
"""


@dataclass(frozen=True, slots=True)
class _Doc:
    id: int
    kind: str
    number: str
    doc_date: str
    comment: str
    posted: bool
    file: str
    rows: int
    total: int


def write_report(
    db: Database,
    document: str,
    reports_dir: Path,
    xlsx: bool = False,
    kind: str | None = None,
) -> Path:
    """Write the report of a registry (``kind='registry'``) or readings document; its path.

    ``document`` is the document's number; without ``kind`` a «Реестр "Мои счета"» of that
    number is looked for first, then a «Показания новые».
    """
    doc = _find(db, document, kind)
    try:
        private_dir(reports_dir)
    except OSError as exc:
        raise os_error(exc, str(reports_dir)) from exc
    stem = Path(doc.file).stem if doc.file else "реестр"
    prefix = "Реестр" if doc.kind == "registry" else "Показания"
    target = reports_dir / f"{prefix}_{doc.number}_{stem}.{'xlsx' if xlsx else 'html'}"
    inn, org_name = docs.org(db)
    # the rows are streamed from the database into the file (3,500,000 payments are never
    # in memory at once), and the stream is closed before the connection's next statement
    if doc.kind == "registry":
        bank = _bank_line(db, doc.file)
        with closing(report_rows.registry_payments(db, doc.id)) as rows:
            if xlsx:
                _payments_xlsx(target, doc, org_name, inn, rows, bank)
            else:
                write_atomic(target, _encoded(_payments_html(doc, org_name, inn, rows, bank)))
    else:
        counts = report_rows.readings_counts(db, doc.id)
        with closing(report_rows.document_readings(db, doc.id)) as readings:
            if xlsx:
                _readings_xlsx(target, doc, org_name, inn, readings)
            else:
                write_atomic(target, _encoded(_readings_html(doc, org_name, inn, readings, counts)))
    log.info("report of document %s written: %s", doc.number, target)
    return target


def _bank_line(db: Database, file: str) -> str:
    """The registry's match against the bank statement, as kept at its acceptance."""
    from trayapp.core.reconcile import kept_match, summary

    m = kept_match(db, file) if file else None
    return summary(m) if m else "не выполнялась при приёме: выписка банка не была загружена"


def _find(db: Database, number: str, kind: str | None) -> _Doc:
    num = number.strip()
    if num.isascii() and num.isdigit():  # «١» or «²» is no document number
        num = docs.format_number(int(num))
    where = [("receipts", "registry"), ("accruals", "readings")]
    for journal_name, k in where:
        if kind is not None and k != kind:
            continue
        row = docs.find_document(db, journal_name, k, num)
        if row is not None:
            return _Doc(
                int(row[0]), k, str(row[1]), str(row[2]), str(row[3]), bool(row[4]),
                docs.file_name(db, row[5]), int(row[6] or 0), int(row[7] or 0),
            )  # fmt: skip
    raise AcceptError(f"нет принятого реестра (документа) № {number}")


# ---------------------------------------------------------------------------- figures


def _address(settlement: str, street: str, house: str, premise: str) -> str:
    parts = [
        settlement,
        street,
        f"д. {house}" if house else "",
        f"пом. {premise}" if premise else "",
    ]
    return ", ".join(p for p in parts if p)


def _service(code: int | None, name: str | None) -> str:
    return WHOLE_ACCOUNT if code is None else f"{code} {name or ''}".strip()


def _provider(code: int | None, inn: str | None, name: str | None) -> str:
    if code is None:
        return WHOLE_ACCOUNT
    if not inn:
        return OWN_PROVIDER
    return f"{name or ''}, ИНН {inn}"


class _Totals:
    """Count and sum per service (by own code, the whole account last) and per provider."""

    def __init__(self) -> None:
        self.services: dict[tuple[int, str], list[int]] = {}
        self.providers: dict[str, list[int]] = {}
        self.payments = 0
        self.total = 0

    def add(self, r: tuple[Any, ...]) -> None:
        code, amount = r[8], int(r[12])
        if not r[15]:
            self.payments += 1
        self.total += amount
        key = (code if code is not None else 1 << 62, _service(code, r[9]))
        s = self.services.setdefault(key, [0, 0])
        s[0] += 1
        s[1] += amount
        p = self.providers.setdefault(_provider(code, r[10], r[11]), [0, 0])
        p[0] += 1
        p[1] += amount

    def by_service(self) -> list[tuple[str, int, int]]:
        return [(name, c, t) for (_, name), (c, t) in sorted(self.services.items())]

    def by_provider(self) -> list[tuple[str, int, int]]:
        order = sorted(
            self.providers,
            key=lambda k: (k in (WHOLE_ACCOUNT, OWN_PROVIDER), k == WHOLE_ACCOUNT, k),
        )
        return [(k, self.providers[k][0], self.providers[k][1]) for k in order]


def _moment(iso: str) -> str:
    """``YYYY-MM-DD HH:MM:SS`` to ``DD.MM.YYYY HH:MM:SS`` (sliced: 100,000 rows per report)."""
    if len(iso) == 19 and iso[4] == "-" and iso[7] == "-" and iso[10] == " ":
        return f"{iso[8:10]}.{iso[5:7]}.{iso[0:4]}{iso[10:]}"
    return iso


def _day(iso: str) -> str:
    if len(iso) == 10 and iso[4] == "-" and iso[7] == "-":
        return f"{iso[8:10]}.{iso[5:7]}.{iso[0:4]}"
    return iso


def _registry_title(doc: _Doc) -> str:
    fname = parse_name(doc.file) if doc.file else None
    if fname is None:
        return doc.file
    return f"{doc.file} (№ {fname.number:03d} от {v.format_date(fname.day)})"


# ---------------------------------------------------------------------------- HTML


def _e(x: object) -> str:
    return html.escape(str(x), quote=False)


def _encoded(parts: Iterator[str]) -> Iterator[bytes]:
    buf: list[str] = []
    size = 0
    for p in parts:
        buf.append(p)
        size += len(p)
        if size > 1 << 16:
            yield "".join(buf).encode("utf-8")
            buf, size = [], 0
    yield "".join(buf).encode("utf-8")


def _page_head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    )


def _head_table(pairs: list[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><td>{_e(k)}:</td><td><b>{_e(val)}</b></td></tr>\n" for k, val in pairs)
    return f'<table class="head">\n{cells}</table>\n'


def _payments_html(
    doc: _Doc, org_name: str, inn: str, rows: Iterable[tuple[Any, ...]], bank: str
) -> Iterator[str]:
    title = f'Реестр "Мои счета" № {doc.number} от {_day(doc.doc_date)}'
    yield _page_head(title)
    yield f"<h1>{_e(title)}</h1>\n"
    yield _head_table(
        [
            ("Организация", f"{org_name}, ИНН {inn}" if inn else org_name),
            ("Файл реестра", _registry_title(doc)),
            ("Платежей", str(doc.rows)),
            ("Сумма, руб.", v.format_amount(doc.total)),
            ("Сверка с банком", bank),
            ("Сформирован", datetime.now().strftime("%d.%m.%Y %H:%M")),
        ]
    )
    yield "<h2>Платежи</h2>\n<table>\n<thead><tr><th>№</th><th>Ид. платежа</th>"
    yield "<th>Дата и время</th><th>Лиц. счёт</th><th>Собственник</th><th>Адрес</th>"
    yield "<th>Услуга</th><th>Поставщик</th><th>Период</th><th>Сумма, руб.</th></tr></thead>\n<tbody>\n"
    sums = _Totals()
    for r in rows:
        share = bool(r[15])
        sums.add(r)
        n = sums.payments
        yield (
            f'<tr><td class="n">{"" if share else n}</td><td>{_e(r[0] or "")}</td>'
            f"<td>{_moment(r[1] or '')}</td><td>{_e(r[2])}</td><td>{_e(r[3])}</td>"
            f"<td>{_e(_address(r[4], r[5], r[6], r[7]))}</td><td>{_e(_service(r[8], r[9]))}</td>"
            f"<td>{_e(_provider(r[8], r[10], r[11]) if r[8] is not None else '')}</td>"
            f"<td>{v.format_month(r[14]) if r[14] else ''}</td>"
            f'<td class="n">{v.format_amount(int(r[12]))}</td></tr>\n'
        )
    total = sums.total
    yield (
        f'</tbody>\n<tfoot><tr class="total"><td colspan="9">Итого платежей: {sums.payments}'
        f'</td><td class="n">{v.format_amount(total)}</td></tr></tfoot>\n</table>\n'
    )
    for caption, head, lines in (
        ("Итоги по услугам", "Услуга", sums.by_service()),
        ("Итоги по поставщикам", "Поставщик", sums.by_provider()),
    ):
        yield f"<h2>{caption}</h2>\n<table>\n<thead><tr><th>{head}</th><th>Строк</th>"
        yield "<th>Сумма, руб.</th></tr></thead>\n<tbody>\n"
        for name, count, amount in lines:
            yield (
                f'<tr><td>{_e(name)}</td><td class="n">{count}</td>'
                f'<td class="n">{v.format_amount(amount)}</td></tr>\n'
            )
        yield (
            f'</tbody>\n<tfoot><tr class="total"><td>Итого</td><td class="n">'
            f'{sum(c for _, c, _ in lines)}</td><td class="n">{v.format_amount(total)}</td>'
            "</tr></tfoot>\n</table>\n"
        )
    yield "<p>Сверьте итог с банковской выпиской.</p>\n</body>\n</html>\n"


def _readings_html(
    doc: _Doc, org_name: str, inn: str, rows: Iterable[tuple[Any, ...]], counts: tuple[int, int]
) -> Iterator[str]:
    """``counts``: (readings, of them below the previous one), printed above the rows."""
    title = f"Показания новые № {doc.number} от {_day(doc.doc_date)}"
    count, below = counts
    yield _page_head(title)
    yield f"<h1>{_e(title)}</h1>\n"
    yield _head_table(
        [
            ("Организация", f"{org_name}, ИНН {inn}" if inn else org_name),
            ("Комментарий", doc.comment),
            ("Файл реестра", _registry_title(doc)),
            ("Показаний", str(count)),
            ("Ниже предыдущего", str(below)),
            ("Документ", "проведён" if doc.posted else "не проведён"),
        ]
    )
    yield "<table>\n<thead><tr><th>№</th><th>Ид. показания</th><th>Дата и время</th>"
    yield "<th>Лиц. счёт</th><th>Собственник</th><th>Адрес</th><th>Счётчик</th>"
    yield "<th>Зав. номер</th><th>Услуга</th><th>Показание</th><th>Отметка</th></tr></thead>\n<tbody>\n"
    for n, r in enumerate(rows, 1):
        mark = '<span class="mark">ниже предыдущего</span>' if r[12] else ""
        yield (
            f'<tr><td class="n">{n}</td><td>{_e(r[0] or "")}</td><td>{_moment(r[1])}</td>'
            f"<td>{_e(r[2])}</td><td>{_e(r[3])}</td><td>{_e(_address(r[4], r[5], r[6], r[7]))}</td>"
            f"<td>{_e(r[8])}</td><td>{_e(r[9])}</td><td>{_e(r[10] or '')}</td>"
            f'<td class="n">{v.format_reading(int(r[11]))}</td><td>{mark}</td></tr>\n'
        )
    yield "</tbody>\n</table>\n</body>\n</html>\n"


# ---------------------------------------------------------------------------- xlsx


def _money(kopecks: int) -> Decimal:
    return v.amount_decimal(kopecks)


def _put(ws: Any, row: list[Any]) -> None:
    """A row of a write-only sheet: its text as text, never a formula (spec/import.md)."""
    ws.append(cells.xlsx_row(ws, row))


def _save(target: Path, wb: Any) -> None:
    try:
        with atomic_file(target) as f:
            wb.save(f)
    except BaseException:
        cells.discard(wb)  # no traceback of openpyxl's after the user's message
        raise


def _payments_xlsx(
    target: Path, doc: _Doc, org_name: str, inn: str, rows: Iterable[tuple[Any, ...]], bank: str
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def money(ws: Any, kopecks: int) -> Any:
        c = WriteOnlyCell(ws, value=_money(kopecks))
        c.number_format = "#,##0.00"
        return c

    def b(ws: Any, text: str) -> Any:
        c = WriteOnlyCell(ws, value=text)
        c.font = bold
        return c

    head = ["№", "Ид. платежа", "Дата и время", "Лиц. счёт", "Собственник", "Адрес", "Услуга",
            "Поставщик", "Период", "Сумма, руб."]  # fmt: skip
    # over Excel's rows of a sheet, the payments go on to «Платежи (2)»..., head repeated
    sheets = Series(wb, "Платежи", lambda ws: [b(ws, h) for h in head])
    ws = sheets.ws
    sheets.append([b(ws, f'Реестр "Мои счета" № {doc.number} от {_day(doc.doc_date)}')])
    sheets.append(["Организация", f"{org_name}, ИНН {inn}" if inn else org_name])
    sheets.append(["Файл реестра", _registry_title(doc)])
    sheets.append(["Платежей", doc.rows])
    sheets.append(["Сумма, руб.", money(ws, doc.total)])
    sheets.append(["Сверка с банком", bank])
    sheets.append([])
    sheets.append([b(ws, h) for h in head])
    sums = _Totals()
    for r in rows:
        share = bool(r[15])
        sums.add(r)
        n = sums.payments
        ws = sheets.room()
        sheets.append(
            [
                None if share else n, r[0] or "", _moment(r[1] or ""), r[2], r[3],
                _address(r[4], r[5], r[6], r[7]), _service(r[8], r[9]),
                _provider(r[8], r[10], r[11]) if r[8] is not None else "",
                v.format_month(r[14]) if r[14] else "", money(ws, int(r[12])),
            ]
        )  # fmt: skip
    total = sums.total
    ws = sheets.room()
    sheets.append([b(ws, "Итого"), sums.payments] + [None] * 7 + [money(ws, total)])
    for sheet, head1, lines in (
        ("По услугам", "Услуга", sums.by_service()),
        ("По поставщикам", "Поставщик", sums.by_provider()),
    ):
        ws2 = wb.create_sheet(sheet)
        _put(ws2, [b(ws2, head1), b(ws2, "Строк"), b(ws2, "Сумма, руб.")])
        for name, count, amount in lines:
            _put(ws2, [name, count, money(ws2, amount)])
        _put(ws2, [b(ws2, "Итого"), sum(c for _, c, _ in lines), money(ws2, total)])
    _save(target, wb)


def _readings_xlsx(
    target: Path, doc: _Doc, org_name: str, inn: str, rows: Iterable[tuple[Any, ...]]
) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    head = ["№", "Ид. показания", "Дата и время", "Лиц. счёт", "Собственник", "Адрес",
            "Счётчик", "Зав. номер", "Услуга", "Показание", "Отметка"]  # fmt: skip
    sheets = Series(wb, "Показания", lambda ws: list(head))
    sheets.append([f"Показания новые № {doc.number} от {_day(doc.doc_date)}"])
    sheets.append(["Организация", f"{org_name}, ИНН {inn}" if inn else org_name])
    sheets.append(["Комментарий", doc.comment])
    sheets.append(["Файл реестра", _registry_title(doc)])
    sheets.append(["Документ", "проведён" if doc.posted else "не проведён"])
    sheets.append([])
    sheets.append(list(head))
    for n, r in enumerate(rows, 1):
        sheets.append(
            [
                n, r[0] or "", _moment(r[1]), r[2], r[3], _address(r[4], r[5], r[6], r[7]),
                r[8], r[9], r[10] or "", Decimal(v.format_reading(int(r[11]))),
                "ниже предыдущего" if r[12] else "",
            ]
        )  # fmt: skip
    _save(target, wb)
