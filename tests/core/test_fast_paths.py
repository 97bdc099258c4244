"""Every fast path refuses exactly what its general path refuses, and reads the same values.

Accruals from a CSV take ``importer._accruals_fast``; the same rows given to ``import_rows``
take the full check. A second property gives both only good rows, amounts in every form a
table writes them (whole rubles, one or two decimals, a comma, thousands spaces, 13 digits,
signs), and checks the kopecks stored against those the test generated: comparing odd rows
mostly compares two refusals, where a misread amount is never seen. Payments lines take ``moischeta._fast_payment`` before
``_read_payment``. Hypothesis generates rows of both, odd ones included (empty cells,
spaces, commas, signs, thousands separators, control characters), and runs both paths.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.core.test_import import ACCOUNTS, ORG, PROVIDERS, SERVICES, write
from trayapp.core import formats
from trayapp.core.db import Database
from trayapp.core.formats import moischeta
from trayapp.core.importer import import_file, import_rows
from trayapp.errors import ImportFileError, RegistryError

HEADER = ["account", "service_code", "period", "amount"]
# accounts Excel may have stripped of their zeros: 7005 fits one, 7006 two
ZEROS = "0007005;Нулев;;ул. Титова;1;;;;;\n0007006;Двойнов;;ул. Титова;2;;;;;\n007006;Двойнова;;ул. Титова;3;;;;;\n"

_AMOUNT_CHARS = "0123456789" * 2 + " ,.-+\u00a0e"
amount_text = st.one_of(
    st.sampled_from(["", " ", "0", "00", "5", "12,34", "12.34", "-3,00", "1 234,50",
                     "1\u00a0234.5", "12,", ",50", "1,2,34", "+5", "00,50", "12.345", "-",
                     "9" * 13, "9" * 13 + ",99", "9" * 14, "9" * 14 + ".00", "9" * 20]),
    st.text(_AMOUNT_CHARS, max_size=9),
)
account_text = st.sampled_from(["8030001", "8030002", " 8030001", "8030001 ", "", "9999999",
                                "803000１", "8030005",  # 8030001 opened 02.2015, 8030005 07.2020-07.2026
                                # without leading zeros: one account fits, two fit, or exact
                                "7005", "07005", "0007005", "7006", "007006", "Итого", "Всего:"])
service_text = st.sampled_from(["1", "2", "3", "002", " 1", "", "9", "0"])
period_text = st.sampled_from(["10.2026", "09.2026", "13.2026", "", " 10.2026", "1.2026",
                               "10.1899", "10,2026", "01.2015", "02.2015", "07.2026",
                               "08.2026", "12.2019", "01.2020", "01.10.2026", "31.10.2026",
                               "2026-10", "Октябрь 2026", "октябрь 2026 г.", "32.10.2026"])
accrual_row = st.tuples(account_text, service_text, period_text, amount_text)


@pytest.fixture(scope="module")
def base() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "b.db")
        for kind, text in (("org", ORG), ("providers", PROVIDERS), ("services", SERVICES),
                           ("accounts", ACCOUNTS + ZEROS)):
            import_file(db, kind, write(Path(tmp) / f"{kind}.csv", text))
        yield db
        db.close()


def _outcome(db: Database, run: Any) -> tuple[Any, ...]:
    db.execute("DELETE FROM accruals")
    try:
        r = run()
    except ImportFileError as exc:
        return ("refused", exc.errors, exc.message)
    got = [tuple(x) for x in db.all("SELECT * FROM accruals ORDER BY 1, 2, 3")]
    db.execute("DELETE FROM accruals")
    return ("imported", r.rows, r.inserted, r.updated, r.notes, got)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(accrual_row, min_size=1, max_size=8))
@example(rows=[("8030001", "1", "10.2026", "")])  # the empty amount read as 0,00
@example(rows=[("8030001", "1", "10.2026", "5"), ("8030002", "1", "10.2026", "")])
@example(rows=[("8030001", "1", "08.2026", "5"), ("8030005", "1", "08.2026", "5")])  # after closing
@example(rows=[("8030002", "1", "12.2019", "5"), ("8030005", "2", "12.2019", "5")])  # before opening
@example(rows=[("7005", "1", "10.2026", "5"), ("7005", "1", "01.10.2026", "5"), ("7006", "1", "10.2026", "5")])
@example(rows=[("8030001", "1", "10.2026", "5"), ("Итого", "", "", "5"), ("8030002", "1", "10.2026", "x")])
@example(rows=[("7005", "1", "Октябрь 2026", "5"), ("8030001", "1", "2026-10", "1 234,50")])
def test_accruals_fast_path_is_the_full_check(base: Database, rows: list[tuple[str, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        text = ";".join(HEADER) + "\n" + "".join(";".join(r) + "\n" for r in rows)
        path = write(Path(tmp) / "accruals.csv", text, encoding="utf-8", bom=True)
        fast = _outcome(base, lambda: import_file(base, "accruals", path))
    full = _outcome(base, lambda: import_rows(base, "accruals", HEADER, rows, "accruals.csv"))
    assert fast == full


# ----------------------------------------------------------------------------- amounts read right

ACCOUNT_IDS = {"8030001": 1, "8030002": 2}  # as the base imports them, in this order
KEYS = [(a, s, p) for a in ACCOUNT_IDS for s in ("1", "2", "3") for p in ("09.2026", "10.2026")]


@st.composite
def written_amount(draw: st.DrawFn) -> tuple[str, int]:
    """An amount as a spreadsheet or a billing program writes it, and its kopecks, known
    here apart from any reader: whole rubles (``123`` is 123,00), one or two decimals after
    a point or a comma, thousands by spaces or no-break spaces, signs, up to 13 digits."""
    rubles = draw(st.one_of(st.integers(0, 999), st.integers(1000, 10**13 - 1),
                            st.sampled_from([0, 1, 100, 123, 1000, 10**12, 10**13 - 1])))
    form = draw(st.sampled_from(["whole", "one", "two"]))
    kop = {"whole": 0, "one": draw(st.integers(0, 9)) * 10, "two": draw(st.integers(0, 99))}[form]
    whole = str(rubles)
    group = draw(st.sampled_from(["", " ", "\u00a0"]))
    if group:
        whole = f"{rubles:,}".replace(",", group)
    point = draw(st.sampled_from([".", ","]))
    tail = {"whole": "", "one": f"{point}{kop // 10}", "two": f"{point}{kop:02d}"}[form]
    sign = draw(st.sampled_from(["", "", "", "-"]))
    k = rubles * 100 + kop
    return sign + whole + tail, -k if sign else k


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(amounts=st.lists(written_amount(), min_size=1, max_size=len(KEYS)))
@example(amounts=[("123", 12300)])  # whole rubles: the fast path once read 1,23
@example(amounts=[("5", 500), ("12,3", 1230), ("1 234,50", 123450), ("0", 0)])
@example(amounts=[("9999999999999,99", 999999999999999), ("-1\u00a0000.5", -100050)])
def test_accrual_amounts_are_read_as_written(
    base: Database, amounts: list[tuple[str, int]]
) -> None:
    """Every row good, so that the file is imported and the values compared (a property over
    odd rows mostly compares two refusals): both paths store the kopecks the text means."""
    keys = KEYS[:len(amounts)]
    rows = [(*key, text) for key, (text, _) in zip(keys, amounts, strict=True)]
    expected = sorted((ACCOUNT_IDS[a], int(s), int(p[3:] + p[:2]), k)
                      for (a, s, p), (_, k) in zip(keys, amounts, strict=True))  # fmt: skip
    imported = ("imported", len(rows), len(rows), 0, (), expected)
    with tempfile.TemporaryDirectory() as tmp:
        text = ";".join(HEADER) + "\n" + "".join(";".join(r) + "\n" for r in rows)
        path = write(Path(tmp) / "accruals.csv", text, encoding="utf-8", bom=True)
        assert _outcome(base, lambda: import_file(base, "accruals", path)) == imported
    full = _outcome(base, lambda: import_rows(base, "accruals", HEADER, rows, "accruals.csv"))
    assert full == imported


def test_an_empty_amount_is_refused_with_its_line(base: Database, tmp_path: Path) -> None:
    """The defect: ``1004;1;11.2026;`` beside good rows imported as 0,00."""
    text = "account;service_code;period;amount\n8030001;1;10.2026;5\n8030002;1;10.2026;\n"
    with pytest.raises(ImportFileError) as info:
        import_file(base, "accruals", write(tmp_path / "a.csv", text))
    assert info.value.errors == [(3, "пустое поле: «Сумма»")]
    assert base.scalar("SELECT COUNT(*) FROM accruals") == 0


# ----------------------------------------------------------------------------- Payments

pid_text = st.sampled_from(["p-1", "p-2", "p-1", "", "п-1", "x" * 37, "a b"])
moment_text = st.sampled_from(["05.11.2026 10:00:00", "31.11.2026 10:00:00",
                               "05.11.2026 24:00:00", "05.11.2026", " 05.11.2026 10:00:00"])
pay_account = st.sampled_from(["1001", "л1001", "", "1 001", "x" * 21])
code_text = st.sampled_from(["", "102", "9", " ", "\u00a0", "\x1c", "10 2", "\u00a0102"])
pay_amount = st.one_of(st.sampled_from(["", "0", "0,00", "-5", "5", "5.5", "5,55", "5.555",
                                        "1 000", "9" * 13 + ".99", "9" * 14, "9" * 19]),
                       st.text("0123456789.,- ", max_size=6))
month_text = st.sampled_from(["10.2026", "13.2026", "", "10.1899"])
payment_line = st.tuples(pid_text, moment_text, pay_account, code_text, pay_amount, month_text)


def _registry(lines: list[str], coding: str, filesum: str = "0.00") -> bytes:
    head = ["#FORMAT MOISCHETA/1", "#TYPE PAYMENTS", "#ORG 5401000001", "#DATE 06.11.2026",
            "#NUMBER 001", f"#CODING {coding}", f"#ROWS {len(lines)}", f"#FILESUM {filesum}"]
    return formats.encode("\r\n".join(head + lines) + "\r\n")


def _parse(data: bytes, fast: bool) -> tuple[Any, ...]:
    saved = dict(moischeta._FAST_READERS)
    if not fast:
        moischeta._FAST_READERS.clear()
    try:
        reg = moischeta._parse(data, "Payments_20261106_001.txt", None, None)
    except RegistryError as exc:
        return ("refused", exc.errors)
    finally:
        moischeta._FAST_READERS.update(saved)
    return ("read", reg.rows)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(payment_line, min_size=1, max_size=6),
       coding=st.sampled_from(["GOROD", "ACCOUNT", "OWN"]))
@example(lines=[("p-1", "05.11.2026 10:00:00", "1001", "\u00a0", "5", "10.2026")],
         coding="GOROD")
def test_payments_fast_path_is_the_full_reader(lines: list[tuple[str, ...]], coding: str) -> None:
    text = [";".join(x) for x in lines]
    data = _registry(text, coding)
    full = _parse(data, fast=False)
    sums = [m for n, m in full[1] if n == 0 and m.startswith("#FILESUM")] if full[0] == "refused" else []
    if sums:  # the header's sum made right, so that the rows decide
        data = _registry(text, coding, sums[0].rpartition(" ")[2])
        full = _parse(data, fast=False)
    assert _parse(data, fast=True) == full
