"""Balances and accruals are written without SQLite's own foreign key lookups (the importer
checks every reference against keys read in the same transaction): what they write still
references existing rows, and foreign keys are on again after any load, good or refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.test_import import ACCOUNTS, ORG, PROVIDERS, SERVICES, load
from trayapp.core.db import Database
from trayapp.core.importer import import_file
from trayapp.errors import ImportFileError, IntegrityError

# leading zeros lost (7005 is 0007005), a code written "002": both resolved by the importer
ZEROS = "0007005;Нулев;;ул. Титова;1;;;;;\n"


@pytest.fixture()
def base(tmp_path: Path) -> Database:
    db = Database(tmp_path / "r.db")
    for kind, text in (("org", ORG), ("providers", PROVIDERS), ("services", SERVICES),
                       ("accounts", ACCOUNTS + ZEROS)):  # fmt: skip
        load(db, tmp_path, kind, text)
    return db


def _foreign_keys(db: Database) -> int:
    return int(db.scalar("PRAGMA foreign_keys"))


def test_rows_written_reference_existing_rows_and_keys_are_on_again(
    base: Database, tmp_path: Path
) -> None:
    load(base, tmp_path, "balances", "account;service_code;amount\n8030001;1;10,00\n7005;002;5\n")
    load(base, tmp_path, "accruals", "account;service_code;period;amount\n"
         "8030001;1;10.2026;2805,84\n7005;002;10.2026;5\n8030002;3;11.2026;1\n")  # fmt: skip
    assert base.scalar("SELECT COUNT(*) FROM accruals") == 3
    assert base.scalar("SELECT COUNT(*) FROM balances") == 2
    for table in ("accruals", "balances"):
        assert base.all(f"PRAGMA foreign_key_check({table})") == []
    assert _foreign_keys(base) == 1
    with pytest.raises(IntegrityError), base.transaction():  # SQLite checks again
        base.execute("INSERT INTO accruals VALUES (999, 1, 202610, 1)")


def test_keys_are_on_again_after_a_refused_load_and_a_check(base: Database, tmp_path: Path) -> None:
    with pytest.raises(ImportFileError):
        load(base, tmp_path, "accruals", "account;service_code;period;amount\n9999999;1;10.2026;1\n")
    assert _foreign_keys(base) == 1
    path = tmp_path / "c.csv"
    path.write_text("account;service_code;period;amount\n8030001;1;10.2026;1\n", encoding="utf-8")
    assert import_file(base, "accruals", path, check=True).rows == 1
    assert _foreign_keys(base) == 1
    assert base.scalar("SELECT COUNT(*) FROM accruals") == 0


def test_inside_a_transaction_already_nothing_changes(base: Database, tmp_path: Path) -> None:
    with base.transaction():
        load(base, tmp_path, "accruals", "account;service_code;period;amount\n8030001;1;10.2026;1\n")
        assert _foreign_keys(base) == 1
    assert base.scalar("SELECT COUNT(*) FROM accruals") == 1
