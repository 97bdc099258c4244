"""The bank statement in 1C's exchange format «1CClientBankExchange» (spec/bank.md).

Every Russian bank client exports it for 1C («Выгрузка в 1С», ``kl_to_1c.txt``; versions
1.01–1.03): a first line ``1CClientBankExchange``, ``Key=Value`` lines, balance sections
``СекцияРасчСчет`` … ``КонецРасчСчет``, document sections ``СекцияДокумент=<kind>`` …
``КонецДокумента``, and ``КонецФайла``. ``parse(data)`` takes the file's bytes (or text) and
returns a ``Statement`` with amounts in integer kopecks, or raises ``StatementError`` holding
every ``(line, message)`` found; nothing else escapes it. A value the documents do not need
(the header's dates and ``ВерсияФормата``, anything of a ``СекцияРасчСчет``) that cannot be
read is left out with a warning in ``Statement.warnings``, never an error. ``render`` writes a statement back
(for tests, benchmarks and the demo). Pure: no I/O, imports nothing of the app but
``values`` and ``errors``.

Encoding: a UTF-8 BOM, or bytes that decode as strict UTF-8 and hold a Cyrillic letter, are
UTF-8 whatever ``Кодировка`` says; otherwise ``Кодировка=DOS`` is cp866 and ``Windows`` (or
none) cp1251. Lines end in CRLF, LF or CR; they are numbered from 1 as an editor shows them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from trayapp.core.values import format_amount, format_date, kopecks, parse_date
from trayapp.errors import StatementError

FIRST_LINE = "1CClientBankExchange"
ENCODINGS = {"windows": "cp1251", "dos": "cp866"}
PURPOSE_PARTS = tuple(f"НазначениеПлатежа{i}" for i in range(1, 7))
MAX_ERRORS = 1000

_LINE_END = re.compile(r"\r\n|\r|\n")
_AMOUNT = re.compile(r"(-?)(\d{1,15})(?:[.,](\d{1,2}))?", re.ASCII)
_VERSION = re.compile(r"\d{1,3}(?:\.\d{1,3}){0,3}", re.ASCII)
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class BankDocument:
    """One ``СекцияДокумент``: a payment order, a bank order, …; amounts in kopecks."""

    line: int = field(compare=False)  # the line of its ``СекцияДокумент``
    kind: str
    number: str
    day: date  # ``Дата``
    amount: int
    payer_account: str = ""
    payer_inn: str = ""
    payer: str = ""
    payee_account: str = ""
    payee_inn: str = ""
    payee: str = ""
    received: date | None = None  # ``ДатаПоступило``
    written_off: date | None = None  # ``ДатаСписано``
    purpose: str = ""  # ``НазначениеПлатежа`` and its parts 1…6 joined with spaces
    extra: dict[str, str] = field(default_factory=dict)  # every other key, as read

    @property
    def entry_day(self) -> date:
        """The day the money came: ``ДатаПоступило``, or ``Дата`` where that is empty."""
        return self.received or self.day


@dataclass(frozen=True, slots=True)
class AccountSection:
    """One ``СекцияРасчСчет``: the balances of an account over a period (kopecks)."""

    line: int = field(compare=False)
    account: str = ""
    date_from: date | None = None
    date_to: date | None = None
    opening: int | None = None
    incoming: int | None = None
    outgoing: int | None = None
    closing: int | None = None


@dataclass(frozen=True, slots=True)
class Statement:
    version: str = ""
    encoding: str = ""  # the codec it was read with: cp1251, cp866 or utf-8
    sender: str = ""
    receiver: str = ""
    created: date | None = None
    date_from: date | None = None
    date_to: date | None = None
    accounts: tuple[str, ...] = ()
    sections: tuple[AccountSection, ...] = ()
    documents: tuple[BankDocument, ...] = ()
    # values left out as unreadable (line, message), by line: the statement loads without them
    warnings: tuple[tuple[int, str], ...] = ()

    def period(self) -> tuple[date | None, date | None]:
        """``ДатаНачала``/``ДатаКонца``, or the first and last document dates where absent."""
        days = [d.day for d in self.documents]
        first = self.date_from or (min(days) if days else None)
        last = self.date_to or (max(days) if days else None)
        return first, last

    def incoming(self, own_account: str | None = None) -> list[BankDocument]:
        """Documents paid to the association: to ``own_account`` when given, else to any
        ``РасчСчет`` of the header."""
        accounts = {own_account} if own_account else set(self.accounts)
        return [d for d in self.documents if d.payee_account and d.payee_account in accounts]


# ---------------------------------------------------------------------------- decoding


def decode(data: bytes) -> tuple[list[str], str, list[tuple[int, str]]]:
    """The file's lines, the codec used, and the errors of lines that cannot be decoded."""
    if data.startswith(_BOM):
        codec, body = "utf-8", data[len(_BOM) :]
    else:
        body = data
        codec = _declared(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if _CYRILLIC.search(text):
                codec = "utf-8"
    try:
        return _LINE_END.split(body.decode(codec)), codec, []
    except UnicodeDecodeError:
        pass
    raw = _LINE_END.split(body.decode("latin-1"))  # split on bytes, decode line by line
    lines: list[str] = []
    errors: list[tuple[int, str]] = []
    for n, chunk in enumerate(raw, 1):
        b = chunk.encode("latin-1")
        try:
            lines.append(b.decode(codec))
        except UnicodeDecodeError as exc:
            errors.append((n, f"байт 0x{b[exc.start]:02X} не в кодировке {_CODEC_NAMES[codec]}"))
            lines.append(b.decode(codec, errors="replace"))
    return lines, codec, errors


_CODEC_NAMES = {"utf-8": "UTF-8", "cp1251": "Windows-1251", "cp866": "DOS (866)"}


def _declared(data: bytes) -> str:
    """The codec ``Кодировка=`` names (the key itself in cp1251 or cp866); cp1251 if none."""
    for codec in ("cp1251", "cp866"):
        key = "Кодировка=".encode(codec)
        at = data.find(key)
        if at >= 0:
            value = re.split(rb"[\r\n]", data[at + len(key) : at + len(key) + 40], maxsplit=1)[0]
            return ENCODINGS.get(value.decode("latin-1").strip().lower(), codec)
    return "cp1251"


# ---------------------------------------------------------------------------- parsing


def join_purpose(whole: str, parts: list[str]) -> str:
    """``НазначениеПлатежа`` and its parts ``НазначениеПлатежа1``…``6``, joined with spaces.
    Many bank clients write the text whole and again split into lines: where one holds the
    other (spaces aside), it is taken once."""
    tail = " ".join(p for p in parts if p)
    if not tail or not whole:
        return whole or tail
    w, t = "".join(whole.split()), "".join(tail.split())
    if t in w:
        return whole
    if w in t:
        return tail
    return f"{whole} {tail}"



class _Parser:
    def __init__(self) -> None:
        self.errors: list[tuple[int, str]] = []
        self.warnings: list[tuple[int, str]] = []
        self.header: dict[str, str] = {}
        self.header_lines: dict[str, int] = {}
        self.accounts: list[str] = []
        self.sections: list[AccountSection] = []
        self.documents: list[BankDocument] = []

    def error(self, line: int, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((line, message))

    def warn(self, line: int, message: str) -> None:
        if len(self.warnings) < MAX_ERRORS:
            self.warnings.append((line, f"{message} — не учтена"))

    def optional_date(self, line: int, key: str, value: str) -> date | None:
        """A date nothing depends on: one that cannot be read is a warning."""
        d = parse_date(value) if value else None
        if value and d is None:
            self.warn(line, f"неверная дата {key}: {_short(value)}")
        return d

    def date(self, line: int, key: str, value: str) -> date | None:
        if not value:
            return None
        d = parse_date(value)
        if d is None:
            self.error(line, f"неверная дата: {key}={value}")
        return d

    def amount(self, line: int, key: str, value: str) -> int | None:
        m = _AMOUNT.fullmatch(value)
        if m is None or m.group(1):
            self.error(line, f"неверная сумма: {key}={value}")
            return None
        return kopecks(m.group(2), m.group(3))

    def section(self, start: int, pairs: list[tuple[int, str, str]]) -> None:
        at = {k: n for n, k, _ in pairs}
        values = {k: v for _, k, v in pairs}

        def day(key: str) -> date | None:
            return self.optional_date(at.get(key, start), key, values.get(key, ""))

        def money(key: str) -> int | None:
            v = values.get(key, "")
            m = _AMOUNT.fullmatch(v)
            if v and m is None:
                self.warn(at.get(key, start), f"неверная сумма {key}: {_short(v)}")
            if not v or m is None:
                return None
            k = kopecks(m.group(2), m.group(3))
            return -k if m.group(1) else k

        self.sections.append(
            AccountSection(
                start, values.get("РасчСчет", ""), day("ДатаНачала"), day("ДатаКонца"),
                money("НачальныйОстаток"), money("ВсегоПоступило"), money("ВсегоСписано"),
                money("КонечныйОстаток"),
            )
        )  # fmt: skip

    def document(self, start: int, kind: str, pairs: list[tuple[int, str, str]]) -> None:
        values: dict[str, str] = {}
        where: dict[str, int] = {}
        for n, k, v in pairs:
            values[k] = v
            where[k] = n
        ok = True
        number = values.pop("Номер", "")
        if not number:
            self.error(start, "документ без номера (Номер)")
            ok = False
        day_text = values.pop("Дата", "")
        day = None
        if not day_text:
            self.error(start, "документ без даты (Дата)")
        else:
            day = self.date(where["Дата"], "Дата", day_text)
        sum_text = values.pop("Сумма", "")
        amount = None
        if not sum_text:
            self.error(start, "документ без суммы (Сумма)")
        else:
            amount = self.amount(where["Сумма"], "Сумма", sum_text)
        received = self.date(where.get("ДатаПоступило", start), "ДатаПоступило",
                             values.pop("ДатаПоступило", ""))  # fmt: skip
        written_off = self.date(where.get("ДатаСписано", start), "ДатаСписано",
                                values.pop("ДатаСписано", ""))  # fmt: skip
        purpose = join_purpose(values.pop("НазначениеПлатежа", ""),
                               [values.pop(k, "") for k in PURPOSE_PARTS])  # fmt: skip
        payer = values.pop("Плательщик", "") or values.get("Плательщик1", "")
        if not ok or day is None or amount is None:
            return
        self.documents.append(
            BankDocument(
                start, kind, number, day, amount,
                payer_account=values.pop("ПлательщикСчет", ""),
                payer_inn=values.pop("ПлательщикИНН", ""),
                payer=payer,
                payee_account=values.pop("ПолучательСчет", ""),
                payee_inn=values.pop("ПолучательИНН", ""),
                payee=values.pop("Получатель", "") or values.get("Получатель1", ""),
                received=received, written_off=written_off, purpose=purpose, extra=values,
            )
        )  # fmt: skip

    def header_value(self, n: int, key: str, value: str) -> None:
        if key == "РасчСчет":
            if value and value not in self.accounts:
                self.accounts.append(value)
            return
        self.header.setdefault(key, value)
        self.header_lines.setdefault(key, n)

    def statement(self, codec: str) -> Statement:
        h = self.header

        def day(key: str) -> date | None:
            return self.optional_date(self.header_lines.get(key, 0), key, h.get(key, ""))

        version = h.get("ВерсияФормата", "")
        if version and not _VERSION.fullmatch(version):
            self.warn(self.header_lines["ВерсияФормата"],
                      f"неверная версия ВерсияФормата: {_short(version)}")  # fmt: skip
            version = ""
        return Statement(
            version=version, encoding=codec,
            sender=h.get("Отправитель", ""), receiver=h.get("Получатель", ""),
            created=day("ДатаСоздания"), date_from=day("ДатаНачала"), date_to=day("ДатаКонца"),
            accounts=tuple(self.accounts), sections=tuple(self.sections),
            documents=tuple(self.documents),
            warnings=tuple(sorted(self.warnings, key=lambda w: w[0])),
        )  # fmt: skip


def parse(data: bytes | str) -> Statement:
    """The statement in ``data``; ``StatementError`` with every (line, message) otherwise."""
    if isinstance(data, str):
        lines = _LINE_END.split(data.removeprefix("\ufeff"))
        codec, decode_errors = "utf-8", list[tuple[int, str]]()
    else:
        lines, codec, decode_errors = decode(data)
    p = _Parser()
    for n, m in decode_errors:
        p.error(n, m)
    if not lines or lines[0].strip() != FIRST_LINE:
        raise StatementError([(1, f"это не выписка банка: первая строка не {FIRST_LINE}")])
    open_kind = ""  # "" (header), "account" or "document"
    open_line = 0
    doc_kind = ""
    pairs: list[tuple[int, str, str]] = []
    ended = False
    for n, raw in enumerate(lines[1:], 2):
        line = raw.strip()
        if not line:
            continue
        key, eq, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if key in ("СекцияРасчСчет", "СекцияДокумент"):
            if open_kind:
                p.error(open_line, _unclosed(open_kind))
            open_kind = "account" if key == "СекцияРасчСчет" else "document"
            open_line, doc_kind, pairs = n, value, []
        elif key == "КонецРасчСчет" or key == "КонецДокумента":
            want = "account" if key == "КонецРасчСчет" else "document"
            if open_kind != want:
                opener = "СекцияРасчСчет" if want == "account" else "СекцияДокумент"
                p.error(n, f"{key} без {opener}")
                if open_kind:
                    p.error(open_line, _unclosed(open_kind))
            elif want == "account":
                p.section(open_line, pairs)
            else:
                p.document(open_line, doc_kind, pairs)
            open_kind = ""
        elif key == "КонецФайла":
            ended = True
            break
        elif not eq:
            p.error(n, f"строка не вида Ключ=Значение: {_short(line)}")
        elif open_kind:
            pairs.append((n, key, value))
        else:
            p.header_value(n, key, value)
    if open_kind:
        p.error(open_line, _unclosed(open_kind))
    if not ended:
        last = max((n for n, x in enumerate(lines, 1) if x.strip()), default=1)
        p.error(last, "нет строки КонецФайла: файл выписки не полон")
    codec_line = p.header_lines.get("Кодировка")
    declared = p.header.get("Кодировка", "")
    if codec_line and declared and declared.lower() not in ENCODINGS and codec != "utf-8":
        p.error(codec_line, f"неизвестная кодировка: {declared}; ожидается Windows или DOS")
    statement = p.statement(codec)
    if p.errors:
        raise StatementError(sorted(p.errors, key=lambda e: e[0])[:MAX_ERRORS])
    return statement


def _unclosed(kind: str) -> str:
    if kind == "account":
        return "секция СекцияРасчСчет не закрыта (нет КонецРасчСчет)"
    return "секция СекцияДокумент не закрыта (нет КонецДокумента)"


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


# ---------------------------------------------------------------------------- writing


def render(s: Statement) -> str:
    """The statement as a bank client writes it (lines joined with CRLF, no encoding)."""
    out = [FIRST_LINE, f"ВерсияФормата={s.version or '1.03'}",
           f"Кодировка={'DOS' if s.encoding == 'cp866' else 'Windows'}",
           f"Отправитель={s.sender}", f"Получатель={s.receiver}"]  # fmt: skip
    for key, day in (("ДатаСоздания", s.created), ("ДатаНачала", s.date_from),
                     ("ДатаКонца", s.date_to)):  # fmt: skip
        out.append(f"{key}={format_date(day) if day else ''}")
    out += [f"РасчСчет={a}" for a in s.accounts]
    for sec in s.sections:
        out.append("СекцияРасчСчет")
        for key, day in (("ДатаНачала", sec.date_from), ("ДатаКонца", sec.date_to)):
            out.append(f"{key}={format_date(day) if day else ''}")
        out.append(f"РасчСчет={sec.account}")
        for key, k in (("НачальныйОстаток", sec.opening), ("ВсегоПоступило", sec.incoming),
                       ("ВсегоСписано", sec.outgoing), ("КонечныйОстаток", sec.closing)):  # fmt: skip
            out.append(f"{key}={format_amount(k) if k is not None else ''}")
        out.append("КонецРасчСчет")
    for d in s.documents:
        out += [f"СекцияДокумент={d.kind}", f"Номер={d.number}", f"Дата={format_date(d.day)}",
                f"Сумма={format_amount(d.amount)}", f"ПлательщикСчет={d.payer_account}",
                f"ПлательщикИНН={d.payer_inn}", f"Плательщик={d.payer}",
                f"ПолучательСчет={d.payee_account}", f"ПолучательИНН={d.payee_inn}",
                f"Получатель={d.payee}",
                f"ДатаПоступило={format_date(d.received) if d.received else ''}",
                f"ДатаСписано={format_date(d.written_off) if d.written_off else ''}",
                f"НазначениеПлатежа={d.purpose}"]  # fmt: skip
        out += [f"{k}={v}" for k, v in d.extra.items()]
        out.append("КонецДокумента")
    out.append("КонецФайла")
    return "\r\n".join(out) + "\r\n"
