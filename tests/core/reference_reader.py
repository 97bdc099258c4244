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



# ---------------------------------------------------------------------------- the check
# ``validate.check_loaded`` as it was before the streaming check (the whole registry read
# by the reader above, then its rows loaded at once and each check's rows fetched), with
# the SQL of ``db/incoming.py`` of then over tables of its own (``r_pay``, ``r_code``,
# ``r_read``): every error of a received registry, in the order it reported them.

from trayapp.core.db import dialect
from trayapp.core.db.incoming import HAS_SERVICE, coding_codes
from trayapp.core.formats.records import PaymentRow, ReadingRow, INCOMING_TYPES


def check_reference(db, name, data, org, coding):
    registry = None
    parse_errors = []
    try:
        registry = _parse(data, name, org, coding)
    except RegistryError as exc:
        parse_errors = list(exc.errors)
    kind = _kind(name, registry, data)
    if kind not in INCOMING_TYPES or (1, "не формат MOISCHETA/1") in parse_errors:
        return parse_errors
    found = []
    if kind == "PAYMENTS":
        codes = coding_codes(db, coding)
        _load_payments(db, _no_nul(_payment_rows(registry, data), data), codes)
        db.execute("UPDATE r_pay SET account_id = (SELECT a.id FROM accounts a"
                   " WHERE a.number = r_pay.account)")
        found += [(n, f"неизв.лиц.счёт: {a}") for n, a in db.all(
            "SELECT line, account FROM r_pay WHERE account_id IS NULL ORDER BY line")
            if v.is_account(a)]
        found += [(n, f"неизв.услуга: {c}") for n, c in db.all(
            "SELECT t.line, t.code FROM r_pay t WHERE t.code <> ''"
            " AND NOT EXISTS (SELECT 1 FROM r_code k WHERE k.code = t.code) ORDER BY t.line")]
        if codes:
            has = HAS_SERVICE.format(acc="t.account_id", own="c.own")
            found += [(n, f"неизв.услуга: {c}") for n, c in db.all(
                "SELECT t.line, t.code FROM r_pay t WHERE t.account_id IS NOT NULL"
                " AND t.code <> '' AND EXISTS (SELECT 1 FROM r_code k WHERE k.code = t.code"
                f" AND k.shared = 1) AND NOT EXISTS (SELECT 1 FROM r_code c"
                f" WHERE c.code = t.code AND {has}) ORDER BY t.line")]
        found += [(n, f"повтор платежа: {p}") for n, p in db.all(
            "SELECT t.line, t.payment_id FROM r_pay t JOIN payments p"
            " ON p.payment_id = t.payment_id ORDER BY t.line")]
    else:
        db.execute(dialect.ddl(
            "CREATE TEMP TABLE IF NOT EXISTS r_read (line INTEGER PRIMARY KEY,"
            " reading_id TEXT, account TEXT, meter_id TEXT, serial TEXT, taken_at TEXT,"
            " value INTEGER)", db.dialect))
        db.execute("DELETE FROM r_read")
        db.load_rows("r_read", ("line", "reading_id", "account", "meter_id", "serial",
                                "taken_at", "value"), _no_nul(_reading_rows(registry, data), data))
        found += [(n, f"неизв.лиц.счёт: {a}") for n, a in db.all(
            "SELECT t.line, t.account FROM r_read t WHERE NOT EXISTS (SELECT 1 FROM accounts a"
            " WHERE a.number = t.account) ORDER BY t.line") if v.is_account(a)]
        found += [(n, f"неизв.счётчик: {m}") for n, m in db.all(
            "SELECT t.line, t.meter_id FROM r_read t JOIN accounts a ON a.number = t.account"
            " WHERE NOT EXISTS (SELECT 1 FROM meters m WHERE m.meter_id = t.meter_id"
            " AND m.serial = t.serial AND m.account_id = a.id) ORDER BY t.line") if m]
        found += [(n, f"повтор показания: {r}") for n, r in db.all(
            "SELECT t.line, t.reading_id FROM r_read t JOIN readings r"
            " ON r.reading_id = t.reading_id ORDER BY t.line")]
    known = set(parse_errors)
    errors = parse_errors + [e for e in found if e not in known]
    errors.sort(key=lambda e: (e[0] == 0, e[0]))
    return errors


def _load_payments(db, rows, codes):
    db.execute(dialect.ddl(
        "CREATE TEMP TABLE IF NOT EXISTS r_pay (line INTEGER PRIMARY KEY, payment_id TEXT,"
        " account TEXT, code TEXT, paid_at TEXT, amount INTEGER, period INTEGER,"
        " account_id INTEGER)", db.dialect))
    db.execute(dialect.ddl(
        "CREATE TEMP TABLE IF NOT EXISTS r_code (code TEXT NOT NULL, own INTEGER NOT NULL,"
        " shared INTEGER NOT NULL, PRIMARY KEY (code, own))", db.dialect))
    db.execute("DELETE FROM r_pay")
    db.execute("DELETE FROM r_code")
    db.load_rows("r_pay", ("line", "payment_id", "account", "code", "paid_at", "amount",
                           "period"), rows)
    db.load_rows("r_code", ("code", "own", "shared"),
                 [(e, o, int(len(owns) > 1)) for e, owns in codes.items() for o in owns])


def _payment_rows(registry, data):
    if registry is not None:
        return [(r.line, r.payment_id, r.account, r.service_code, r.paid_at.isoformat(" "),
                 r.amount, r.period) for r in registry.rows if isinstance(r, PaymentRow)]
    out = []
    for line, f in _raw_rows(data):
        moment = v.parse_moment(f[1])
        out.append((line, f[0] if v.is_external_id(f[0]) else None, f[2], f[3],
                    moment.isoformat(" ") if moment else None, v.parse_amount(f[4]),
                    v.parse_month(f[5])))
    return out


def _reading_rows(registry, data):
    if registry is not None:
        return [(r.line, r.reading_id, r.account, r.meter_id, r.serial,
                 r.taken_at.isoformat(" "), r.value) for r in registry.rows
                if isinstance(r, ReadingRow)]
    out = []
    for line, f in _raw_rows(data):
        moment = v.parse_moment(f[1])
        out.append((line, f[0] if v.is_external_id(f[0]) else None, f[2], f[3], f[4],
                    moment.isoformat(" ") if moment else None, v.parse_reading(f[5])))
    return out


def _kind(name, registry, data):
    if registry is not None:
        return registry.header.type
    fname = parse_name(name)
    if fname is not None:
        return fname.type
    lines, _ = decode(data)
    for text in lines:
        if not text.startswith("#"):
            break
        if text.startswith("#TYPE "):
            return text[6:].strip()
    return ""


def _no_nul(rows, data):
    if b"\x00" not in data:
        return rows
    return [tuple(x.replace("\x00", "?") if isinstance(x, str) else x for x in row)
            for row in rows]


def _raw_rows(data):
    lines, _ = decode(data)
    out = []
    started = False
    for n, text in enumerate(lines, 1):
        if not started and text.startswith("#"):
            continue
        started = True
        if not text or text.startswith("#"):
            continue
        fields = [f.strip() for f in text.split(";")]
        if len(fields) == 6:
            out.append((n, fields))
    return out
