"""Golden files of MOISCHETA/1 (spec/formats.md): the examples and broken files.

``tests/data/formats/good`` holds the spec's example files byte for byte;
``tests/data/formats/broken`` holds ``<case>.txt`` (the file's bytes) beside ``<case>.expected``
(UTF-8: optional ``@name``/``@org``/``@coding`` lines giving the arguments of ``parse``, then
every expected error as ``line;message``, in order).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from trayapp.core.formats import (
    AckRow,
    DebtRow,
    Header,
    MeterRow,
    PaymentRow,
    ReadingRow,
    Registry,
    ServiceRow,
    ack_name,
    encode,
    make_ack,
    make_name,
    parse,
    parse_name,
    render,
)
from trayapp.errors import RegistryError

DATA = Path(__file__).resolve().parent.parent / "data" / "formats"
GOOD = sorted((DATA / "good").glob("*.txt"))
BROKEN = sorted((DATA / "broken").glob("*.txt"))
ORG = "5401000001"

# every text of the spec's error table must be produced by at least one broken file
SPEC_TEXTS = [
    "не формат MOISCHETA/1",
    "нет заголовка #",
    "тип #TYPE ",
    "чужой реестр: ИНН ",
    "число полей: ",
    "неизв.лиц.счёт: ",
    "неизв.услуга: ",
    "неизв.счётчик: ",
    "неверная сумма: ",
    "неверное показание: ",
    "неверная дата: ",
    "неверный период: ",
    "повтор платежа: ",
    "повтор показания: ",
    "неверный ид.: ",
    "кодирование ",
    "#ROWS ",
    "#FILESUM ",
    "пустая строка",
    "заголовок после данных",
    "неверная кодировка",
]


def _errors(data: bytes | str, **kwargs: str) -> list[tuple[int, str]]:
    with pytest.raises(RegistryError) as info:
        parse(data, **kwargs)
    return info.value.errors


def _load_expected(path: Path) -> tuple[dict[str, str], list[tuple[int, str]]]:
    opts: dict[str, str] = {}
    expected: list[tuple[int, str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line:
            continue
        if line.startswith("@"):
            key, _, value = line[1:].partition(" ")
            opts[key] = value
            continue
        n, _, message = line.partition(";")
        expected.append((int(n), message))
    return opts, expected


# ----------------------------------------------------------------------------- good files


def test_golden_folder_holds_every_example() -> None:
    assert [p.name for p in GOOD] == [
        "Ack_Debts_20261105_001.txt",
        "Ack_Payments_20261106_002.txt",
        "Debts_20261105_001.txt",
        "Meters_20261105_001.txt",
        "Payments_20261106_001.txt",
        "Readings_20261106_001.txt",
        "Services_20261105_001.txt",
    ]


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_example_round_trip_is_byte_identical(path: Path) -> None:
    data = path.read_bytes()
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    registry = parse(data, name=path.name, org=ORG, coding="GOROD")
    assert registry.header.rows == len(registry.rows)
    assert encode(render(registry)) == data


def test_debts_example_values() -> None:
    reg = parse((DATA / "good" / "Debts_20261105_001.txt").read_bytes())
    assert reg.header == Header(
        type="DEBTS", org=ORG, number=1, day=date(2026, 11, 5), rows=4, filesum=215040,
        coding="GOROD", period=202610, as_of=date(2026, 11, 5),
    )  # fmt: skip
    assert reg.rows[1] == DebtRow(
        "2001", "Зайцева Алла Борисовна", "Новосибирск,Кирова ул,10,1", "102", 150040, 120040
    )
    last = reg.rows[3]
    assert (
        isinstance(last, DebtRow)
        and last.debt == -15000
        and last.full_name.startswith("Лебедев Пётр")
    )


def test_other_examples_values() -> None:
    def read(name: str) -> Registry:
        return parse((DATA / "good" / name).read_bytes(), name=name, org=ORG)

    assert read("Meters_20261105_001.txt").rows == [
        MeterRow("2001", "17", "ХВ-2001-1", "103", date(2021, 3, 1), date(2026, 10, 28), 215500),
        MeterRow("2002", "18", "ХВ-2002-1", "103", date(2026, 10, 15), date(2026, 10, 15), 200),
    ]
    pay = read("Payments_20261106_001.txt")
    assert (pay.header.filesum, pay.header.coding) == (105500, "GOROD")
    assert pay.rows == [
        PaymentRow("a81f-2291", datetime(2026, 11, 5, 19, 44, 2), "2001", "102", 100000, 202610, 9),
        PaymentRow("a81f-2292", datetime(2026, 11, 6, 8, 10, 59), "2002", "", 5500, 202610, 10),
    ]
    assert read("Readings_20261106_001.txt").rows == [
        ReadingRow("r-5521", datetime(2026, 11, 6, 9, 0, 0), "2001", "17", "ХВ-2001-1", 221000, 7)
    ]
    services = read("Services_20261105_001.txt").rows
    assert [s.metered for s in services if isinstance(s, ServiceRow)] == [False, False, True]
    assert services[0] == ServiceRow(
        "101", "Содержание жилья", "м2", "5401000001", "ТСЖ «Пример»", "40703810000000000009",
        "045004774", False,
    )  # fmt: skip
    ack = read("Ack_Debts_20261105_001.txt").header
    assert (ack.file, ack.status, ack.answered_rows, ack.answered_sum, ack.rows) == (
        "Debts_20261105_001.txt", "OK", 4, 215040, 0,
    )  # fmt: skip
    err = read("Ack_Payments_20261106_002.txt")
    assert err.header.status == "ERROR"
    assert err.rows == [
        AckRow(9, "неизв.лиц.счёт: 8032067"),
        AckRow(0, "#FILESUM 1100.00, сумма строк 1000.00"),
    ]


def test_make_ack_reproduces_the_examples() -> None:
    debts = parse((DATA / "good" / "Debts_20261105_001.txt").read_bytes())
    ok = make_ack("Debts_20261105_001.txt", ORG, date(2026, 11, 5), (), debts.header)
    assert encode(render(ok)) == (DATA / "good" / "Ack_Debts_20261105_001.txt").read_bytes()
    bad = make_ack(
        "Payments_20261106_002.txt",
        ORG,
        date(2026, 11, 6),
        [(9, "неизв.лиц.счёт: 8032067"), (0, "#FILESUM 1100.00, сумма строк 1000.00")],
        debts.header,  # ignored for ERROR
    )
    assert encode(render(bad)) == (DATA / "good" / "Ack_Payments_20261106_002.txt").read_bytes()


def test_make_ack_keeps_at_most_1000_errors() -> None:
    ack = make_ack(
        "Payments_20261106_002.txt", ORG, date(2026, 11, 6), [(n, "x") for n in range(1500)]
    )
    assert ack.header.rows == 1000 and len(ack.rows) == 1000 and ack.header.status == "ERROR"
    assert parse(encode(render(ack)), name=ack_name("Payments_20261106_002.txt")) == ack


def test_file_names() -> None:
    fn = parse_name("Payments_20261127_003.txt")
    assert fn is not None and (fn.kind, fn.day, fn.number, fn.type) == (
        "PAYMENTS", date(2026, 11, 27), 3, "PAYMENTS",
    )  # fmt: skip
    ack = parse_name("Ack_Payments_20261127_003.txt")
    assert (
        ack is not None and ack.type == "ACK" and ack.registry_name == "Payments_20261127_003.txt"
    )
    assert make_name("DEBTS", date(2026, 1, 2), 7) == "Debts_20260102_007.txt"
    assert ack_name("Debts_20260102_007.txt") == "Ack_Debts_20260102_007.txt"
    for bad in (
        "Payments_20261127_000.txt",
        "Payments_20261131_001.txt",
        "Invoices_20261127_001.txt",
        "Payments_20261127_1.txt",
        "payments_20261127_001.txt",
        "Payments_20261127_001.csv",
    ):
        assert parse_name(bad) is None, bad


# ----------------------------------------------------------------------------- accepted variants


def _variants(data: bytes) -> dict[str, bytes]:
    text = data.decode("cp1251")
    return {
        "utf8-bom": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "utf8": text.encode("utf-8"),
        "lf": data.replace(b"\r\n", b"\n"),
        "trailing-crlf": data + b"\r\n\r\n\r\n",
        "trailing-lf": data.replace(b"\r\n", b"\n") + b"\n\n",
        "no-final-eol": data[:-2],
        "utf8-bom-lf": b"\xef\xbb\xbf" + text.replace("\r\n", "\n").encode("utf-8"),
    }


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_encodings_and_line_ends_are_accepted(path: Path) -> None:
    data = path.read_bytes()
    expected = parse(data, name=path.name)
    for how, variant in _variants(data).items():
        assert parse(variant, name=path.name) == expected, how
    assert parse(data.decode("cp1251"), name=path.name) == expected


def test_utf8_without_bom_is_not_read_as_cp1251() -> None:
    data = (DATA / "good" / "Debts_20261105_001.txt").read_bytes().decode("cp1251").encode("utf-8")
    row = parse(data).rows[3]
    assert isinstance(row, DebtRow) and row.full_name == "Лебедев Пётр Ильич"


def test_fields_are_trimmed_and_comma_decimals_accepted() -> None:
    data = (DATA / "good" / "Payments_20261106_001.txt").read_bytes()
    loose = data.replace(b"a81f-2292;", b"  a81f-2292 ; ").replace(b";55.00;", b"; 55,00 ;")
    assert parse(loose) == parse(data)


# ----------------------------------------------------------------------------- broken files


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_file_reports_every_error(path: Path) -> None:
    opts, expected = _load_expected(path.with_suffix(".expected"))
    assert expected, "a broken case must expect errors"
    data = path.read_bytes()
    with pytest.raises(RegistryError) as info:
        parse(data, **opts)
    assert info.value.errors == expected
    assert info.value.file == opts.get("name", "")
    assert info.value.message.startswith(
        opts["name"] + ": строка: " if "name" in opts else "строка: "
    )


def test_broken_files_are_cp1251_crlf_unless_about_line_ends_or_encoding() -> None:
    for path in BROKEN:
        data = path.read_bytes()
        if path.stem in ("bad_account_lf", "bad_encoding", "bad_encoding_utf8", "not_format_empty"):
            continue
        assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b""), path.name
        assert encode(data.decode("cp1251")) == data, path.name
        assert not data.startswith(b"\xef\xbb\xbf"), path.name


def test_broken_files_cover_the_spec_error_table() -> None:
    messages = [m for p in BROKEN for _, m in _load_expected(p.with_suffix(".expected"))[1]]
    missing = [t for t in SPEC_TEXTS if not any(m.startswith(t) for m in messages)]
    assert missing == []


def test_broken_file_parses_once_repaired() -> None:
    """A broken file is otherwise sound: the errors are exactly the broken spots."""
    path = DATA / "broken" / "bad_account.txt"
    fixed = path.read_bytes().replace(b"2001/1", b"2001").replace(b"123456789012345678901", b"2002")
    reg = parse(fixed, name="Payments_20261106_001.txt")
    assert [r.account for r in reg.rows if isinstance(r, PaymentRow)] == ["2001", "2002"]


def test_errors_on_every_line_not_only_the_first() -> None:
    errors = _errors(
        (DATA / "broken" / "several_errors.txt").read_bytes(), name="Payments_20261106_001.txt"
    )
    assert sorted({n for n, _ in errors if n}) == [5, 10, 11, 13, 14, 15, 16]


def test_trailing_empty_lines_ignored_but_inner_empty_line_is_not() -> None:
    data = (DATA / "good" / "Readings_20261106_001.txt").read_bytes()
    assert parse(data + b"\r\n\r\n") == parse(data)
    second = data.splitlines()[-1].replace(b"r-5521", b"r-5522")
    assert _errors(data + b"\r\n" + second + b"\r\n") == [
        (8, "пустая строка"),
        (0, "#ROWS 1, строк 2"),
    ]


def test_whole_file_checks_report_line_zero() -> None:
    data = (DATA / "good" / "Payments_20261106_001.txt").read_bytes()
    assert _errors(data, org="7701000002") == [(0, "чужой реестр: ИНН 5401000001")]
    assert parse(data, org=ORG, coding="GOROD").header.org == ORG
    assert _errors(data, coding="ACCOUNT") == [(6, "кодирование GOROD, ожидалось ACCOUNT")]


def test_coding_is_only_checked_on_payments() -> None:
    data = (DATA / "good" / "Debts_20261105_001.txt").read_bytes()
    assert parse(data, coding="SBER").header.coding == "GOROD"
