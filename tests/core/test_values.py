"""Unit tests of trayapp.core.values: kopecks, thousandths, dates, months, ids."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trayapp.core import values as v


@pytest.mark.parametrize(
    ("text", "kopecks"),
    [
        ("1234.5", 123450),
        ("1234.50", 123450),
        ("-0.01", -1),
        ("1,50", 150),
        ("0", 0),
        ("-0", 0),
        ("007", 700),
        ("-150.00", -15000),
        ("9999999999999.99", 999999999999999),  # 13 digits of rubles: the largest stored
    ],
)
def test_parse_amount(text: str, kopecks: int) -> None:
    assert v.parse_amount(text) == kopecks


@pytest.mark.parametrize(
    "text",
    ["", "-", ".5", "1.", "1.234", "1 234", "1e3", "+5", "1,2,3", "1.2.3", "--1", " 1", "1 ",
     "١٢", "٣.٥٠", "12\n", "0x10", "1_000", "NaN", "Infinity"],
)  # fmt: skip
def test_parse_amount_rejects(text: str) -> None:
    assert v.parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "kopecks"),
    [
        ("1 234,50", 123450),
        ("1\u00a0234,50", 123450),
        ("1\u202f234.5", 123450),
        ("-12 000", -1200000),
        (" 5 ", 500),
    ],
)
def test_parse_loose_amount(text: str, kopecks: int) -> None:
    assert v.parse_loose_amount(text) == kopecks


@pytest.mark.parametrize("text", ["1 234,567", "abc", "", "1\t234", "12 руб."])
def test_parse_loose_amount_rejects(text: str) -> None:
    assert v.parse_loose_amount(text) is None


@pytest.mark.parametrize(
    ("kopecks", "text"),
    [(0, "0.00"), (1, "0.01"), (-1, "-0.01"), (-15000, "-150.00"), (215040, "2150.40"),
     (10**15 + 7, "10000000000000.07")],
)  # fmt: skip
def test_format_amount(kopecks: int, text: str) -> None:
    assert v.format_amount(kopecks) == text
    assert v.amount_decimal(kopecks) == Decimal(text)


def test_amounts_beyond_13_digits_of_rubles_are_not_amounts() -> None:
    assert v.parse_amount("9" * 14) is None and v.parse_amount("-" + "9" * 14 + ".00") is None
    assert v.parse_reading("9" * 13) is None and v.parse_reading("9" * 12 + ".999") is not None


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_amount_round_trip(kopecks: int) -> None:
    assert v.parse_amount(v.format_amount(kopecks)) == kopecks
    assert v.parse_amount(v.format_amount(kopecks).replace(".", ",")) == kopecks


@pytest.mark.parametrize(
    ("text", "thousandths"),
    [("115.5", 115500), ("20", 20000), ("0.125", 125), ("221,5", 221500), ("0.2", 200),
     ("007.010", 7010)],
)  # fmt: skip
def test_parse_reading(text: str, thousandths: int) -> None:
    assert v.parse_reading(text) == thousandths


@pytest.mark.parametrize("text", ["", "-1", "1.2345", "1.", ".5", "1e3", "١", "1 000", "20 "])
def test_parse_reading_rejects(text: str) -> None:
    assert v.parse_reading(text) is None


@pytest.mark.parametrize(
    ("thousandths", "text"),
    [(115500, "115.5"), (20000, "20"), (125, "0.125"), (0, "0"), (200, "0.2"), (10, "0.01"),
     (1234567, "1234.567"), (1001, "1.001")],
)  # fmt: skip
def test_format_reading(thousandths: int, text: str) -> None:
    assert v.format_reading(thousandths) == text


@given(st.integers(min_value=0, max_value=10**12))
def test_reading_round_trip(thousandths: int) -> None:
    text = v.format_reading(thousandths)
    assert v.parse_reading(text) == thousandths
    assert not text.endswith("0") or "." not in text


def test_dates_and_moments() -> None:
    assert v.parse_date("05.11.2026") == date(2026, 11, 5)
    assert v.parse_date("29.02.2028") == date(2028, 2, 29)
    for bad in (
        "29.02.2026",
        "31.04.2026",
        "00.01.2026",
        "5.11.2026",
        "2026-11-05",
        "05.11.26",
        "05.11.2026 ",
        "٠٥.١١.٢٠٢٦",
    ):
        assert v.parse_date(bad) is None, bad
    assert v.format_date(date(2026, 1, 2)) == "02.01.2026"
    assert v.format_date(date(999, 1, 2)) == "02.01.0999"
    assert v.parse_moment("05.11.2026 19:44:02") == datetime(2026, 11, 5, 19, 44, 2)
    for bad in (
        "05.11.2026 24:00:00",
        "05.11.2026 19:60:00",
        "05.11.2026T19:44:02",
        "05.11.2026 19:44",
        "5.11.2026 19:44:02 ",
        "٠٥.١١.٢٠٢٦ 19:44:02",
        "05.11.2026 1 :44:02",
        "31.02.2026 10:00:00",
    ):
        assert v.parse_moment(bad) is None, bad
    assert v.format_moment(datetime(2026, 1, 2, 3, 4, 5)) == "02.01.2026 03:04:05"
    assert v.iso_date(date(2026, 1, 2)) == "2026-01-02"
    assert v.from_iso_date("2026-01-02") == date(2026, 1, 2)
    assert v.iso_moment(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02 03:04:05"
    assert v.from_iso_moment("2026-01-02 03:04:05") == datetime(2026, 1, 2, 3, 4, 5)


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)))
def test_moment_and_date_round_trip(dt: datetime) -> None:
    dt = dt.replace(microsecond=0)
    assert v.parse_moment(v.format_moment(dt)) == dt
    assert v.parse_date(v.format_date(dt.date())) == dt.date()
    assert v.from_iso_moment(v.iso_moment(dt)) == dt


def test_months() -> None:
    assert v.parse_month("10.2026") == 202610
    for bad in ("13.2026", "00.2026", "1.2026", "10.26", "2026.10", "10.1899", "10-2026", ""):
        assert v.parse_month(bad) is None, bad
    assert v.format_month(202601) == "01.2026"
    assert v.next_month(202612) == 202701
    assert v.next_month(202611) == 202612
    assert v.next_month(202601) == 202602
    assert v.month_first_day(202612) == date(2026, 12, 1)
    assert v.month_last_day(202612) == date(2026, 12, 31)
    assert v.month_last_day(202602) == date(2026, 2, 28)
    assert v.month_last_day(202802) == date(2028, 2, 29)
    assert v.month_last_day(200002) == date(2000, 2, 29)
    assert v.month_last_day(210002) == date(2100, 2, 28)
    assert v.month_last_day(202604) == date(2026, 4, 30)
    assert v.month_of(date(2026, 12, 31)) == 202612


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9998, 12, 31)))
def test_month_helpers_agree(d: date) -> None:
    period = v.month_of(d)
    assert v.parse_month(v.format_month(period)) == period
    assert v.month_first_day(period) <= d <= v.month_last_day(period)
    nxt = v.next_month(period)
    assert v.month_first_day(nxt).toordinal() == v.month_last_day(period).toordinal() + 1
    assert v.month_of(v.month_first_day(nxt)) == nxt


def test_accounts_ids_inns() -> None:
    for ok in ("2001", "А-12б", "Ёж-1", "x" * 20, "ab-CD-01"):
        assert v.is_account(ok), ok
    for bad in ("", "x" * 21, "20 01", "20/01", "№1", "2001;", "٢٠٠١", "Ω1"):
        assert not v.is_account(bad), bad
    for ok in ("a81f-2291", "r-5521", "A" * 36, "-"):
        assert v.is_external_id(ok), ok
    for bad in ("", "A" * 37, "a_1", "платёж", "a 1", "a.1"):
        assert not v.is_external_id(bad), bad
    for ok in ("5401000001", "540100000112"):
        assert v.is_inn(ok), ok
    for bad in ("540100000", "54010000011", "5401000001123", "54010000O1", "٥٤٠١٠٠٠٠٠١"):
        assert not v.is_inn(bad), bad


@pytest.mark.parametrize(("kopecks", "text"), [
    (0, "0,00"), (5, "0,05"), (99999, "999,99"), (100000, "1\u00a0000,00"),
    (27332428, "273\u00a0324,28"), (-59679934, "-596\u00a0799,34"),
    (123456789012, "1\u00a0234\u00a0567\u00a0890,12")])  # fmt: skip
def test_format_money_groups_thousands_by_no_break_spaces(kopecks: int, text: str) -> None:
    assert v.format_money(kopecks) == text
    assert " " not in v.format_money(kopecks)  # an ordinary space would let a line break there
    assert v.parse_loose_amount(text) == kopecks  # and it reads back
