"""«не загружен: ссылается на … из «…», который не загружен» (import.md), decided by the values.

Several files loaded together: a file refused only for references to what a refused file
would have loaded is told in one line; one that also names an account (service…) that is
in neither the refused file nor the database keeps its own message, so the accountant is
not sent to mend the wrong file. The refused file's rows count as far as they can be read
(a row refused for another column still holds its account; an account written without its
leading zeros, a service code with them, are looked up as the import does). Both backends,
real CSV files, the load the window and the command line use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.test_import import ACCOUNTS, ORG, PROVIDERS, SERVICES, write
from trayapp.core import events
from trayapp.core.db import Database, open_database
from trayapp.core.import_batch import FileOutcome, Plan, load_files

HEADER = "account;service_code;period;amount\n"
# the accounts file refused: its first account's house is empty; it also holds 0007005
BAD_ACCOUNTS = ACCOUNTS.replace("ул. Титова;12;1;", "ул. Титова;;1;") + (
    "0007005;Без Нулей;г. Новосибирск;ул. Титова;12;7;;;;\n")  # fmt: skip


@pytest.fixture()
def db(db_target: Path | str) -> Iterator[Database]:
    d = open_database(db_target)
    yield d
    d.close()


def load(db: Database, folder: Path, files: dict[str, tuple[str, str]]) -> dict[str, FileOutcome]:
    folder.mkdir()
    plans = [Plan(write(folder / name, text), kind) for name, (kind, text) in files.items()]
    return {o.path.name: o for o in load_files(db, plans)}


def test_a_reference_in_neither_the_refused_file_nor_the_database_is_told(
    db: Database, tmp_path: Path
) -> None:
    """Defect: every cause an unknown account and an accounts file refused made the line
    «ссылается на лицевые счета из «Лицевые счета.csv»», though 9999999 is in neither: the
    accountant would mend the accounts file and be refused again."""
    rows = "".join(f"{8030001 + i % 5};1;{i % 12 + 1:02d}.2026;1\n" for i in range(20))
    out = load(db, tmp_path / "load", {
        "org.csv": ("org", ORG), "providers.csv": ("providers", PROVIDERS),
        "services.csv": ("services", SERVICES), "Лицевые счета.csv": ("accounts", BAD_ACCOUNTS),
        "Начисления.csv": ("accruals", HEADER + rows + "9999999;1;10.2026;1\n"),
    })  # fmt: skip
    assert out["Лицевые счета.csv"].lines == ["строка: 2, пустое поле: «Дом»"]
    lines = out["Начисления.csv"].lines
    assert "строка: 22, неизв.лиц.счёт: 9999999" in lines
    assert "неизв.лиц.счёт: 8030001 — строки 2, 7, 12, 17" in lines
    assert not any("ссылается" in line for line in lines)
    texts = [t for _, _, t in events.recent(db)]
    assert any("Начисления.csv" in t and "неизв.лиц.счёт: " in t for t in texts)


def test_one_line_when_every_reference_is_a_refused_files_row(
    db: Database, tmp_path: Path
) -> None:
    """Accounts and services files refused; the accruals name only their rows (one of them
    a row refused itself, one account without its zeros, one code with them): one line
    naming both files. The same accruals naming one account more, in neither: told in full."""
    bad_services = SERVICES.replace(";5401000003;1", ";5401000003;2")  # metered 2: refused
    rows = ("8030001;1;10.2026;1\n8030002;2;10.2026;1\n7005;03;10.2026;1\n"
            "8030005;3;07.2026;1\n")  # fmt: skip
    files = {
        "org.csv": ("org", ORG), "providers.csv": ("providers", PROVIDERS),
        "Услуги.csv": ("services", bad_services), "Лицевые счета.csv": ("accounts", BAD_ACCOUNTS),
        "Начисления.csv": ("accruals", HEADER + rows),
    }  # fmt: skip
    out = load(db, tmp_path / "one", files)
    assert out["Услуги.csv"].result is None and out["Лицевые счета.csv"].result is None
    assert out["Начисления.csv"].lines == [
        "не загружен: ссылается на лицевые счета из «Лицевые счета.csv», который не загружен,"
        " и на услуги из «Услуги.csv», который не загружен"]  # fmt: skip
    files["Начисления.csv"] = ("accruals", HEADER + rows + "8030099;1;10.2026;1\n")
    out = load(db, tmp_path / "two", files)
    assert "строка: 6, неизв.лиц.счёт: 8030099" in out["Начисления.csv"].lines
    assert "строка: 4, неизв.услуга: 03" in out["Начисления.csv"].lines


def test_a_refused_file_without_a_required_column_is_read_as_far_as_it_can_be(
    db: Database, tmp_path: Path
) -> None:
    """The accounts file lacks «ФИО» (refused before any row is read): its accounts are still
    its rows; an accruals file naming only them gets the one line."""
    no_names = "\n".join(";".join(c for i, c in enumerate(line.split(";")) if i != 1)
                         for line in ACCOUNTS.splitlines()) + "\n"  # fmt: skip
    out = load(db, tmp_path / "load", {
        "org.csv": ("org", ORG), "providers.csv": ("providers", PROVIDERS),
        "services.csv": ("services", SERVICES), "Лицевые счета.csv": ("accounts", no_names),
        "Начисления.csv": ("accruals", HEADER + "8030001;1;10.2026;1\n8030004;2;10.2026;1\n"),
    })  # fmt: skip
    assert out["Лицевые счета.csv"].lines[0].startswith("строка: 1, нет столбца «ФИО»")
    assert out["Начисления.csv"].lines == [
        "не загружен: ссылается на лицевые счета из «Лицевые счета.csv», который не загружен"]
