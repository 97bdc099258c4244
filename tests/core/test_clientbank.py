"""The bank statement reader (1CClientBankExchange, spec/bank.md): golden files, round trips,
and that any bytes give a statement or the format's own error, never another exception."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trayapp.core.formats.clientbank import (
    AccountSection,
    BankDocument,
    Statement,
    parse,
    render,
)
from trayapp.errors import StatementError

DATA = Path(__file__).resolve().parent.parent / "data" / "bank"
GOOD = sorted((DATA / "good").glob("*.txt"))
BROKEN = sorted((DATA / "broken").glob("*.txt"))
CORPUS = sorted((DATA / "corpus").glob("*.txt"))  # real-world shapes (test_bank_corpus.py)
SAMPLES = [p.read_bytes() for p in GOOD + BROKEN + CORPUS]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _d(x: date | None) -> str | None:
    return None if x is None else f"{x:%d.%m.%Y}"


def as_dict(s: Statement) -> dict[str, Any]:
    def section(a: AccountSection) -> dict[str, Any]:
        return {"line": a.line, "account": a.account, "from": _d(a.date_from),
                "to": _d(a.date_to), "opening": a.opening, "incoming": a.incoming,
                "outgoing": a.outgoing, "closing": a.closing}  # fmt: skip

    def document(d: BankDocument) -> dict[str, Any]:
        return {"line": d.line, "kind": d.kind, "number": d.number, "date": _d(d.day),
                "amount": d.amount, "payer_account": d.payer_account, "payer_inn": d.payer_inn,
                "payer": d.payer, "payee_account": d.payee_account, "payee_inn": d.payee_inn,
                "payee": d.payee, "received": _d(d.received), "written_off": _d(d.written_off),
                "purpose": d.purpose, "extra": d.extra}  # fmt: skip

    return {
        "version": s.version, "encoding": s.encoding, "sender": s.sender,
        "receiver": s.receiver, "created": _d(s.created), "from": _d(s.date_from),
        "to": _d(s.date_to), "accounts": list(s.accounts),
        "sections": [section(a) for a in s.sections],
        "documents": [document(d) for d in s.documents],
        "period": [_d(x) for x in s.period()],
        "incoming": [d.number for d in s.incoming()],
        "warnings": [[n, m] for n, m in s.warnings],
    }  # fmt: skip


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_files(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert as_dict(parse(path.read_bytes())) == expected


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_files(path: Path) -> None:
    expected = []
    for line in path.with_suffix(".expected").read_text(encoding="utf-8").splitlines():
        n, _, message = line.partition(";")
        expected.append((int(n), message))
    with pytest.raises(StatementError) as info:
        parse(path.read_bytes())
    assert info.value.errors == expected
    first = expected[0]
    assert str(info.value).startswith(f"строка: {first[0]}, {first[1]}")


def test_every_golden_case_is_there() -> None:
    assert len(GOOD) >= 6 and len(BROKEN) >= 8
    for p in GOOD:
        assert p.with_suffix(".json").is_file(), p
    for p in BROKEN:
        assert p.with_suffix(".expected").is_file(), p


def test_own_account_selects_incoming_documents() -> None:
    s = parse((DATA / "good" / "windows_crlf.txt").read_bytes())
    assert [d.number for d in s.incoming("40703810000000000001")] == ["715", "3"]
    assert [d.number for d in s.incoming("40702810000000000008")] == ["16"]
    assert s.incoming("40700000000000000000") == []
    # ДатаПоступило where given, Дата otherwise
    assert [d.entry_day for d in s.incoming()] == [date(2026, 11, 9), date(2026, 11, 12)]


def test_text_and_line_endings_agree() -> None:
    data = (DATA / "good" / "windows_crlf.txt").read_bytes()
    s = parse(data)
    text = data.decode("cp1251")
    for nl in ("\n", "\r"):
        assert parse(text.replace("\r\n", nl).encode("cp1251")) == s
    assert parse(text) == replace(s, encoding="utf-8")
    assert parse("\ufeff" + text) == replace(s, encoding="utf-8")


# ---------------------------------------------------------------------------- round trips

DIGITS = "0123456789"
CYR = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"
SAFE = CYR + "ABCDEFabcdef" + DIGITS + ' .,-№/()"=:;+'  # cp866 has no «»
text = st.text(SAFE, max_size=40).map(str.strip)
word = st.text(CYR + DIGITS + "-/", min_size=1, max_size=12)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
account = st.text(DIGITS, min_size=20, max_size=20)
inn = st.one_of(st.just(""), st.text(DIGITS, min_size=10, max_size=10),
                st.text(DIGITS, min_size=12, max_size=12))  # fmt: skip
money = st.integers(min_value=0, max_value=10**13)
kept_keys = st.sampled_from(["ВидОплаты", "Очередность", "КодНазПлатежа", "ПлательщикБИК",
                             "ПолучательБанк1", "Код"])  # fmt: skip


def _end_key(value: str) -> bool:
    return value not in ("КонецФайла", "КонецДокумента", "КонецРасчСчет")


documents = st.builds(
    BankDocument,
    line=st.just(0),
    kind=st.sampled_from(["Платежное поручение", "Банковский ордер", "Мемориальный ордер"]),
    number=word,
    day=days,
    amount=money,
    payer_account=st.one_of(st.just(""), account),
    payer_inn=inn,
    payer=text,
    payee_account=account,
    payee_inn=inn,
    payee=text,
    received=st.none() | days,
    written_off=st.none() | days,
    purpose=text.filter(_end_key),
    extra=st.dictionaries(kept_keys, text, max_size=3),
)
sections = st.builds(
    AccountSection, line=st.just(0), account=account, date_from=st.none() | days,
    date_to=st.none() | days, opening=st.none() | st.integers(-10**12, 10**12),
    incoming=st.none() | money, outgoing=st.none() | money,
    closing=st.none() | st.integers(-10**12, 10**12),
)  # fmt: skip
statements = st.builds(
    Statement,
    version=st.sampled_from(["1.01", "1.02", "1.03"]),
    encoding=st.sampled_from(["cp1251", "cp866"]),
    sender=text, receiver=text, created=st.none() | days, date_from=st.none() | days,
    date_to=st.none() | days, accounts=st.lists(account, max_size=3, unique=True).map(tuple),
    sections=st.lists(sections, max_size=3).map(tuple),
    documents=st.lists(documents, max_size=6).map(tuple),
)  # fmt: skip


@FAST
@given(statements, st.sampled_from(["\r\n", "\n", "\r"]), st.booleans())
def test_round_trip(s: Statement, nl: str, utf8: bool) -> None:
    out = render(s).replace("\r\n", nl)
    if utf8:
        data, expected = b"\xef\xbb\xbf" + out.encode("utf-8"), replace(s, encoding="utf-8")
    else:
        data, expected = out.encode(s.encoding), s
    assert parse(data) == expected


@FAST
@given(documents, st.lists(text, min_size=1, max_size=6))
def test_purpose_parts_are_joined_with_spaces(d: BankDocument, parts: list[str]) -> None:
    s = Statement(accounts=(d.payee_account,), documents=(replace(d, purpose=""),))
    lines = render(s).split("\r\n")
    at = lines.index("НазначениеПлатежа=")
    lines[at : at + 1] = [f"НазначениеПлатежа{i}={p}" for i, p in enumerate(parts, 1)]
    got = parse("\r\n".join(lines).encode("cp1251")).documents[0]
    assert got.purpose == " ".join(p for p in parts if p)


OPTIONAL = {"ПлательщикСчет": "payer_account", "ПлательщикИНН": "payer_inn",
            "Плательщик": "payer", "ПолучательИНН": "payee_inn", "Получатель": "payee",
            "ДатаПоступило": "received", "ДатаСписано": "written_off",
            "НазначениеПлатежа": "purpose"}  # fmt: skip


@FAST
@given(documents, st.sets(st.sampled_from(sorted(OPTIONAL))), st.booleans())
def test_missing_and_empty_keys(d: BankDocument, dropped: set[str], empty: bool) -> None:
    """A key left out, or given empty, reads as an empty field (dates: None)."""
    s = Statement(accounts=(d.payee_account,), documents=(replace(d, extra={}),))
    lines = []
    for line in render(s).split("\r\n"):
        key = line.partition("=")[0]
        if key in dropped:
            if empty:
                lines.append(f"{key}=")
            continue
        lines.append(line)
    got = parse("\r\n".join(lines).encode("cp1251")).documents[0]
    blank = {OPTIONAL[k]: None if k.startswith("Дата") else "" for k in dropped}
    assert got == replace(d, extra={}, **blank)


# ---------------------------------------------------------------------------- fuzzing


def _check(data: bytes) -> None:
    try:
        s = parse(data)
    except StatementError as exc:
        assert exc.errors, "an error names at least one line"
        lines = max(1, data.count(b"\n") + data.count(b"\r") + 1)
        for n, message in exc.errors:
            assert 1 <= n <= lines and message
        return
    assert isinstance(s, Statement)
    for d in s.documents:
        assert d.number and d.amount >= 0


@FAST
@given(st.binary(max_size=400))
def test_any_bytes(data: bytes) -> None:
    _check(data)


@FAST
@given(st.sampled_from(SAMPLES), st.data())
def test_mutated_samples(sample: bytes, data: st.DataObject) -> None:
    b = bytearray(sample)
    for _ in range(data.draw(st.integers(1, 8))):
        if not b:
            break
        at = data.draw(st.integers(0, len(b) - 1))
        op = data.draw(st.sampled_from(["flip", "cut", "dup", "byte"]))
        if op == "flip":
            b[at] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "cut":
            del b[at : at + data.draw(st.integers(1, 30))]
        elif op == "dup":
            b[at:at] = b[at : at + data.draw(st.integers(1, 30))]
        else:
            b[at] = data.draw(st.integers(0, 255))
    _check(bytes(b))


@FAST
@given(st.text(max_size=300))
def test_any_text(value: str) -> None:
    try:
        parse("1CClientBankExchange\n" + value)
    except StatementError as exc:
        assert exc.errors


# ---------------------------------------------------------------------------- warnings


def _with_header(*header: str, docs: int = 3) -> bytes:
    """A statement of ``docs`` incoming documents (dated 20.08.2018 + i) under ``header``."""
    lines = ["1CClientBankExchange", *header, "РасчСчет=40703810000000000001"]
    for i in range(docs):
        lines += ["СекцияДокумент=Платежное поручение", f"Номер={i + 1}",
                  f"Дата={date(2018, 8, 20) + timedelta(i):%d.%m.%Y}", "Сумма=10.10",
                  "ПолучательСчет=40703810000000000001", "КонецДокумента"]  # fmt: skip
    return "\r\n".join([*lines, "КонецФайла", ""]).encode("cp1251")


def test_unreadable_header_values_are_warnings_not_refusals() -> None:
    """Issue 16 item 6: a garbled ``ДатаКонца`` refused a statement of 14 intact documents."""
    data = _with_header("ВерсияФормата=1.03", "Кодировка=Windows", "ДатаНачала=01.08.2018",
                        "ДатаКонца=23.08.201819202122", docs=14)  # fmt: skip
    s = parse(data)
    assert len(s.documents) == 14 and len(s.incoming()) == 14
    assert s.warnings == ((5, "неверная дата ДатаКонца: 23.08.201819202122 — не учтена"),)
    assert s.date_to is None
    # from the header where it reads, else the last document's date
    assert s.period() == (date(2018, 8, 1), date(2018, 9, 2))


def test_every_value_documents_do_not_need_is_a_warning() -> None:
    data = _with_header(
        "ВерсияФормата=один", "Кодировка=Windows", "ДатаСоздания=вчера", "ДатаНачала=32.08.2018",
        "ДатаКонца=", "СекцияРасчСчет", "ДатаНачала=01.08.2018", "ДатаКонца=31.08.18",
        "РасчСчет=40703810000000000001", "НачальныйОстаток=1 000.00", "ВсегоПоступило=30.30",
        "ВсегоСписано=-", "КонечныйОстаток=1.2.3", "КонецРасчСчет",
    )  # fmt: skip
    s = parse(data)
    assert [n for n, _ in s.warnings] == [2, 4, 5, 9, 11, 13, 14]
    assert [m for _, m in s.warnings] == [
        "неверная версия ВерсияФормата: один — не учтена",
        "неверная дата ДатаСоздания: вчера — не учтена",
        "неверная дата ДатаНачала: 32.08.2018 — не учтена",
        "неверная дата ДатаКонца: 31.08.18 — не учтена",
        "неверная сумма НачальныйОстаток: 1 000.00 — не учтена",
        "неверная сумма ВсегоСписано: - — не учтена",
        "неверная сумма КонечныйОстаток: 1.2.3 — не учтена",
    ]
    assert (s.version, s.created, s.date_from, s.date_to) == ("", None, None, None)
    assert s.sections == (AccountSection(7, "40703810000000000001", date(2018, 8, 1), None,
                                         None, 3030, None, None),)  # fmt: skip
    assert s.period() == (date(2018, 8, 20), date(2018, 8, 22))
    assert len(s.documents) == 3


def test_a_bad_value_a_document_needs_is_still_an_error() -> None:
    """Warnings do not hide errors: a broken document still refuses the file, and the
    refusal names the document's lines only."""
    data = _with_header("ДатаКонца=23.08.201819202122").replace(b"\xd1\xf3\xec\xec\xe0=10.10",
                                                               b"\xd1\xf3\xec\xec\xe0=10,1,0", 1)  # fmt: skip
    with pytest.raises(StatementError) as info:
        parse(data)
    assert info.value.errors == [(7, "неверная сумма: Сумма=10,1,0")]


# ---------------------------------------------------------------------------- purposes


def _purpose(*lines: str) -> str:
    data = _with_header(docs=1).replace(
        b"\xca\xee\xed\xe5\xf6\xc4\xee\xea\xf3\xec\xe5\xed\xf2\xe0",  # КонецДокумента
        "\r\n".join([*lines, "КонецДокумента"]).encode("cp1251"),
    )
    return parse(data).documents[0].purpose


def test_purpose_and_its_parts_are_joined_with_spaces() -> None:
    """Issue 16 item 6: «Перечисление по» + «реестру 009 от 13.11.2026» is one purpose."""
    assert _purpose("НазначениеПлатежа=Перечисление по",
                    "НазначениеПлатежа1=реестру 009 от 13.11.2026") == (
        "Перечисление по реестру 009 от 13.11.2026")  # fmt: skip
    assert _purpose("НазначениеПлатежа=Перевод", "НазначениеПлатежа2=по реестру",
                    "НазначениеПлатежа1=", "НазначениеПлатежа6=№ 1 от 06.11.2026") == (
        "Перевод по реестру № 1 от 06.11.2026")  # fmt: skip
    assert _purpose("НазначениеПлатежа1=за доставку", "НазначениеПлатежа2=бетона") == (
        "за доставку бетона")  # fmt: skip
    assert _purpose("НазначениеПлатежа=только целиком") == "только целиком"


def test_purpose_written_whole_and_again_in_lines_is_taken_once() -> None:
    """As many bank clients write it: the text whole, then the same split into lines (a
    line may break inside a word)."""
    whole = "Перечисление по реестру № 009 от 13.11.2026 за вычетом вознаграждения. Без НДС"
    assert _purpose(f"НазначениеПлатежа={whole}", f"НазначениеПлатежа1={whole}") == whole
    assert _purpose(f"НазначениеПлатежа={whole}",
                    "НазначениеПлатежа1=Перечисление по реестру № 009 от 13.11.2026 за вы",
                    "НазначениеПлатежа2=четом вознаграждения.",
                    "НазначениеПлатежа3=Без НДС") == whole  # fmt: skip
    # the whole cut short (210 characters in some clients), the lines complete
    assert _purpose("НазначениеПлатежа=Перечисление по реестру № 009",
                    "НазначениеПлатежа1=Перечисление по реестру № 009 от 13.11.2026") == (
        "Перечисление по реестру № 009 от 13.11.2026")  # fmt: skip
