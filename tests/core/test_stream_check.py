"""The streaming check finds exactly what the whole-registry check found (issue 16 item 7).

``validate.check_incoming`` now reads the file as a stream, loads its rows in batches and
keeps the errors in the database; ``reference_reader.check_reference`` is the check it
replaced (the whole registry parsed, its rows loaded at once, every error in a list). Both
run on the same registries against the fixture association: good rows, unknown accounts,
codes of no service or of a shared code the account lacks, ids twice in the file or
accepted before, malformed fields, headers of another type or none, readings of other
meters. Same errors with the same lines in the same order (the first 1000, as a rejection
carries them) and the same count; for a correct file the same rows and sum.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.core import reference_reader as ref
from tests.core import registry_fixture as fx
from trayapp.core import formats
from trayapp.core.db import Database
from trayapp.core.validate import MAX_ERRORS, check_incoming

ORG = fx.ORG[0]
PAY = "Payments_20261106_001.txt"
READ = "Readings_20261106_001.txt"


def _prepare(db: Database) -> None:
    db.execute("INSERT INTO payments (account_id, service_code, paid_on, paid_at, amount,"
               " period, source, payment_id) VALUES (1, 1, '2026-10-01',"
               " '2026-10-01 10:00:00', 100, 202610, 'moischeta', 'p-old')")  # fmt: skip
    db.execute("INSERT INTO readings (meter_ref, taken_at, value, posted, source, reading_id)"
               " VALUES (1, '2026-10-25 10:00:00', 1, 0, 'moischeta', 'r-old')")  # fmt: skip


@pytest.fixture(scope="module")
def sqlite_db() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as tmp:
        db = fx.build(Path(tmp) / "b.db")
        _prepare(db)
        yield db
        db.close()


def _same(db: Database, name: str, data: bytes, coding: str) -> None:
    with db.transaction():
        old = ref.check_reference(db, name, data, ORG, coding)
    new = check_incoming(db, name, data, ORG, coding)
    assert (new.errors, new.count) == (old[:MAX_ERRORS], len(old))
    if not old:
        reg = formats.parse(data, name=name, org=ORG, coding=coding)
        assert new.header == reg.header and new.rows == len(reg.rows)
        assert new.total == sum(formats.row_amount(r) for r in reg.rows)


def _file(kind: str, head: list[str], rows: list[str], filesum: str | None) -> bytes:
    lines = ["#FORMAT MOISCHETA/1", *head, f"#ROWS {len(rows)}"]
    if filesum is not None:
        lines.append(f"#FILESUM {filesum}")
    return formats.encode("\r\n".join(lines + rows) + "\r\n")


pid = st.sampled_from(["p-1", "p-2", "p-1", "p-old", "p-3", "", "п-1", "x" * 37])
moment = st.sampled_from(["05.11.2026 10:00:00", "05.11.2026 09:00:00", "31.11.2026 10:00:00",
                          "05.11.2026"])
account = st.sampled_from(["1001", "1002", "1003", "5555", "л1001", "", "1 001", "0999"])
code = st.sampled_from(["", "101", "102", "9", "10", "77", " ", "\u00a0", "1\x002"])
amount = st.sampled_from(["5.00", "10", "0", "-1", "1,5", "x", "123.45"])
month = st.sampled_from(["10.2026", "13.2026", "11.2026"])
pay_line = st.tuples(pid, moment, account, code, amount, month).map(";".join)
rid = st.sampled_from(["r-1", "r-2", "r-1", "r-old", "", "x" * 37])
meter = st.sampled_from([("17", "ХВ-1001-1"), ("17", "ХВ-1001-9"), ("99", "ХВ-1001-1"),
                         ("", "ХВ-1001-1"), ("17", ""), ("20", "ХВ-1002-1"), ("1\x007", "s")])
value = st.sampled_from(["221", "1.5", "2x", ""])
read_line = st.tuples(rid, moment, account, meter, value).map(
    lambda t: ";".join([t[0], t[1], t[2], t[3][0], t[3][1], t[4]]))
odd = st.sampled_from(["", "#ROWS 1", "a;b;c", "1;2;3;4;5;6;7", ";;;;;"])


@st.composite
def case(draw: Any) -> tuple[str, bytes, str]:
    kind = draw(st.sampled_from(["PAYMENTS", "READINGS"]))
    coding = draw(st.sampled_from(["GOROD", "ACCOUNT", "OWN"]))
    file_type = draw(st.sampled_from([kind, kind, kind, "PAYMENTS", "READINGS", "DEBTS", ""]))
    head = ([f"#TYPE {file_type}"] if file_type else []) + [
        f"#ORG {draw(st.sampled_from([ORG, ORG, '7700000000']))}", "#NUMBER 001",
        "#DATE 06.11.2026"]  # fmt: skip
    if file_type == "PAYMENTS":
        head.append(f"#CODING {draw(st.sampled_from([coding, coding, 'GOROD', 'ACCOUNT']))}")
    line = pay_line if kind == "PAYMENTS" else read_line
    rows = draw(st.lists(st.one_of(line, line, line, odd), max_size=10))
    if coding == "ACCOUNT" or "#CODING ACCOUNT" in head:  # a NUL in a code quoted twice
        rows = [r.replace("\x00", "") for r in rows]  # before (see decisions.md): not compared
    filesum = None
    if file_type == "PAYMENTS":
        total = 0
        for r in rows:
            f = r.split(";")
            amt = formats.moischeta.v.parse_amount(f[4]) if len(f) == 6 else None
            total += amt or 0
        filesum = draw(st.sampled_from([formats.moischeta.v.format_amount(total), "1.00"]))
    return (PAY if kind == "PAYMENTS" else READ), _file(kind, head, rows, filesum), coding


@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])  # fmt: skip
@given(c=case())
@example(c=(PAY, _file("PAYMENTS", ["#TYPE PAYMENTS", f"#ORG {ORG}", "#NUMBER 001",
                                    "#DATE 06.11.2026", "#CODING GOROD"],
                       ["p-1;05.11.2026 10:00:00;1001;101;5.00;10.2026",
                        "p-2;05.11.2026 10:00:00;1002;9;5.00;10.2026"], "10.00"), "GOROD"))
@example(c=(PAY, _file("PAYMENTS", ["#TYPE PAYMENTS", f"#ORG {ORG}", "#NUMBER 001",
                                    "#DATE 06.11.2026", "#CODING GOROD"],
                       ["p-1;05.11.2026 10:00:00;1001;101;5.00;10.2026",
                        "p-1;31.11.2026 10:00:00;10\u201801;101;5.00;10.2026",
                        "p-1;05.11.2026 10:00:00;1001;101;5.00;10.2026",
                        "p-old;05.11.2026 10:00:00;1001;101;5.00;10.2026",
                        "p-old;05.11.2026 10:00:00;1001;101;5.00;10.2026"],
                       "25.00").replace("\u2018".encode("cp1251"), b"\x98"), "GOROD"))
def test_streaming_check_is_the_whole_registry_check(
    sqlite_db: Database, c: tuple[str, bytes, str]
) -> None:
    _same(sqlite_db, *c)


@pytest.mark.parametrize("path", sorted((Path(__file__).parents[1] / "data/formats").rglob("*.txt")),
                         ids=lambda p: p.name)  # fmt: skip
def test_golden_and_broken_files_check_as_before(sqlite_db: Database, path: Path) -> None:
    data = path.read_bytes()
    for name in (PAY, READ, path.name):
        for coding in ("GOROD", "ACCOUNT"):
            _same(sqlite_db, name, data, coding)


def test_thousands_of_errors_keep_the_first_thousand_and_count_all(db_target: Path | str) -> None:
    """2,400 lines with two or three errors each (format and database), on both databases:
    the first 1000 in line order, and every one counted, as the whole-list check did."""
    db = fx.build(db_target)
    try:
        _prepare(db)
        rows = [f"p-{i % 1200};05.11.2026 10:00:00;{'5555' if i % 2 else 'л1'};77;5.00;13.2026"
                for i in range(2400)]  # fmt: skip
        head = ["#TYPE PAYMENTS", f"#ORG {ORG}", "#NUMBER 001", "#DATE 06.11.2026",
                "#CODING GOROD"]  # fmt: skip
        data = _file("PAYMENTS", head, rows, "1.00")
        _same(db, PAY, data, "GOROD")
        new = check_incoming(db, PAY, data, ORG, "GOROD")
        assert new.count > 6000 and len(new.errors) == MAX_ERRORS
        assert new.errors[:3] == [(9, "неверный период: 13.2026"), (9, "неизв.лиц.счёт: л1"),
                                  (9, "неизв.услуга: 77")]  # fmt: skip
    finally:
        db.close()
