"""check_incoming: the format check and the database check of received registries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core import registry_fixture as fx
from trayapp.core import formats
from trayapp.core.db import Database
from trayapp.core.validate import check_incoming

ORG = fx.ORG[0]
PAY_NAME = "Payments_20261106_001.txt"
READ_NAME = "Readings_20261106_001.txt"


def payments_file(
    rows: list[str], coding: str = "GOROD", filesum: str | None = None, org: str = ORG
) -> bytes:
    """A Payments file from data lines ``id;moment;account;code;amount;period``."""
    total = sum(int(r.split(";")[4].replace(".", "")) for r in rows)
    lines = [
        "#FORMAT MOISCHETA/1",
        "#TYPE PAYMENTS",
        f"#ORG {org}",
        "#NUMBER 001",
        "#DATE 06.11.2026",
        f"#CODING {coding}",
        f"#ROWS {len(rows)}",
        f"#FILESUM {filesum or f'{total // 100}.{total % 100:02d}'}",
        *rows,
    ]
    return formats.encode("\r\n".join(lines) + "\r\n")


def readings_file(rows: list[str]) -> bytes:
    lines = [
        "#FORMAT MOISCHETA/1",
        "#TYPE READINGS",
        f"#ORG {ORG}",
        "#NUMBER 001",
        "#DATE 06.11.2026",
        f"#ROWS {len(rows)}",
        *rows,
    ]
    return formats.encode("\r\n".join(lines) + "\r\n")


@pytest.fixture()
def db(db_target: Path | str) -> Iterator[Database]:
    d = fx.build(db_target)
    yield d
    d.close()


def test_good_payments_pass(db: Database) -> None:
    data = payments_file(
        [
            "a-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026",
            "a-2;06.11.2026 08:10:59;1002;;55.00;10.2026",
            "a-3;06.11.2026 08:11:00;1001;9;10.01;10.2026",  # code shared by services 3, 4
        ]
    )
    checked = check_incoming(db, PAY_NAME, data, ORG, "GOROD")
    assert checked.errors == []
    assert checked.ok
    assert checked.header is not None and checked.rows == 3


def test_database_errors_each_named_with_its_line(db: Database) -> None:
    db.execute(
        "INSERT INTO payments (account_id, service_code, paid_on, amount, source, payment_id)"
        " VALUES (1, 1, '2026-10-01', 100, 'moischeta', 'old-1')"
    )
    data = payments_file(
        [
            "a-1;05.11.2026 19:44:02;8032067;102;1.00;10.2026",  # 9: unknown account
            "a-2;05.11.2026 19:44:02;1001;777;1.00;10.2026",  # 10: unknown code
            "a-3;05.11.2026 19:44:02;1008;102;1.00;10.2026",  # 11: fine (a code of the coding)
            "old-1;05.11.2026 19:44:02;1001;101;1.00;10.2026",  # 12: accepted before
            "a-5;05.11.2026 19:44:02;1002;;1.00;10.2026",  # 13: fine
            "a-6;05.11.2026 19:44:02;0999;9;1.00;10.2026",  # 14: shared code, no such service
        ]
    )
    checked = check_incoming(db, PAY_NAME, data, ORG, "GOROD")
    assert checked.header is None
    assert checked.errors == [
        (9, "неизв.лиц.счёт: 8032067"),
        (10, "неизв.услуга: 777"),
        (12, "повтор платежа: old-1"),
        (14, "неизв.услуга: 9"),
    ]


def test_format_errors_and_database_errors_together(db: Database) -> None:
    data = payments_file(
        [
            "a-1;05.11.2026 19:44:02;8032067;102;1.00;10.2026",
            "a-1;05.11.2026 19:44:02;1001;102;1.00;10.2026",  # duplicate in the file
            "a-3;31.11.2026 19:44:02;1001;555;1.00;10.2026",  # bad date and unknown code
        ],
        filesum="9.99",
    )
    checked = check_incoming(db, PAY_NAME, data, ORG, "GOROD")
    assert checked.header is None
    assert checked.errors == [
        (9, "неизв.лиц.счёт: 8032067"),
        (10, "повтор платежа: a-1"),
        (11, "неверная дата: 31.11.2026 19:44:02"),
        (11, "неизв.услуга: 555"),
        (0, "#FILESUM 9.99, сумма строк 3.00"),
    ]


def test_foreign_org_is_reported_with_the_rows(db: Database) -> None:
    data = payments_file(["a-1;05.11.2026 19:44:02;8032067;102;1.00;10.2026"], org="7700000000")
    checked = check_incoming(db, PAY_NAME, data, ORG, "GOROD")
    assert checked.errors == [(9, "неизв.лиц.счёт: 8032067"), (0, "чужой реестр: ИНН 7700000000")]


def test_not_our_format_reports_only_that(db: Database) -> None:
    checked = check_incoming(db, PAY_NAME, b"account;sum\r\n8032067;1;2;3;4;5\r\n", ORG, "GOROD")
    assert checked.errors == [(1, "не формат MOISCHETA/1")]


@pytest.mark.parametrize(
    ("coding", "good", "bad"),
    [
        ("OWN", "2", "9"),  # own code 9 does not exist
        ("SBER", "S2", "S3"),
        ("GOROD", "102", "S2"),
    ],
)
def test_codes_of_the_chosen_coding(db: Database, coding: str, good: str, bad: str) -> None:
    data = payments_file(
        [
            f"a-1;05.11.2026 19:44:02;1001;{good};1.00;10.2026",
            f"a-2;05.11.2026 19:44:02;1001;{bad};1.00;10.2026",
        ],
        coding=coding,
    )
    checked = check_incoming(db, PAY_NAME, data, ORG, coding)
    assert checked.errors == [(10, f"неизв.услуга: {bad}")]


def test_account_coding_wants_no_code_and_says_it_once(db: Database) -> None:
    data = payments_file(
        [
            "a-1;05.11.2026 19:44:02;1001;;1.00;10.2026",
            "a-2;05.11.2026 19:44:02;1001;102;1.00;10.2026",
        ],
        coding="ACCOUNT",
    )
    checked = check_incoming(db, PAY_NAME, data, ORG, "ACCOUNT")
    assert checked.errors == [(10, "неизв.услуга: 102")]


def test_readings_meters_and_ids(db: Database) -> None:
    db.execute(
        "INSERT INTO readings (meter_ref, taken_at, value, posted, source, reading_id)"
        " VALUES (1, '2026-10-25 10:00:00', 1, 0, 'moischeta', 'r-old')"
    )
    data = readings_file(
        [
            "r-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221",  # 7: fine
            "r-2;06.11.2026 09:00:00;1002;17;ХВ-1001-1;221",  # 8: another account's meter
            "r-3;06.11.2026 09:00:00;1001;17;ХВ-1001-9;221",  # 9: wrong serial
            "r-4;06.11.2026 09:00:00;1001;99;ХВ-1001-1;221",  # 10: no such meter
            "r-old;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221",  # 11: accepted before
            "r-6;06.11.2026 09:00:00;5555;17;ХВ-1001-1;221",  # 12: unknown account
            "r-6;06.11.2026 09:00:00;1001;17;ХВ-1001-1;2x",  # 13: format errors
        ]
    )
    checked = check_incoming(db, READ_NAME, data, ORG, "GOROD")
    assert checked.errors == [
        (8, "неизв.счётчик: 17"),
        (9, "неизв.счётчик: 17"),
        (10, "неизв.счётчик: 99"),
        (11, "повтор показания: r-old"),
        (12, "неизв.лиц.счёт: 5555"),
        (13, "повтор показания: r-6"),
        (13, "неверное показание: 2x"),
    ]


def test_good_readings_pass(db: Database) -> None:
    data = readings_file(["r-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221"])
    checked = check_incoming(db, READ_NAME, data, ORG, "SBER")
    assert checked.ok and checked.header is not None
    assert checked.header.type == "READINGS"


def test_example_file_checks_clean(db: Database) -> None:
    """The spec's example Payments file fits the fixture association (accounts 2001/2002 do not)."""
    data = (Path(__file__).parents[1] / "data/formats/good/Payments_20261106_001.txt").read_bytes()
    checked = check_incoming(db, PAY_NAME, data, ORG, "GOROD")
    assert checked.errors == [(9, "неизв.лиц.счёт: 2001"), (10, "неизв.лиц.счёт: 2002")]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc/self/fd")
def test_the_received_file_is_closed_before_the_database_checks(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held open through the checks (seconds for a big registry), the file could not be
    moved by another program on Windows (a console's accept while the window checks it)."""
    import os

    from trayapp.core import validate

    path = tmp_path / PAY_NAME
    path.write_bytes(payments_file(["a-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026",
                                    "a-2;06.11.2026 08:10:59;1002;;55.00;10.2026"]))  # fmt: skip
    seen: list[list[str]] = []

    def open_on_it() -> list[str]:
        out = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                if os.readlink(f"/proc/self/fd/{fd}") == str(path):
                    out.append(fd)
            except OSError:
                pass
        return out

    real = validate.q.check_payments

    def probe(*args: object, **kwargs: object) -> object:
        seen.append(open_on_it())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(validate.q, "check_payments", probe)
    checked = check_incoming(db, PAY_NAME, path, ORG, "GOROD")
    assert checked.ok and seen == [[]], seen
    import hashlib

    assert checked.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
