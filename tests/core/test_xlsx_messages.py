"""What a new user meets when a file is not a workbook we can read: an Excel lock file
(``~$…``, there while the book is open), an old .xls renamed to .xlsx, a workbook cut short,
a zip with no workbook in it. Each is said in Russian, naming what it is and what to do;
before, the message ended in zipfile's or openpyxl's English («File is not a zip file»)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from tests.core import xlsx_bombs as xb
from trayapp.core.table_read import open_source
from trayapp.errors import AppError

ALLOWED = {"Excel", "xlsx", "xls", "CSV"}


def _message(path: Path) -> str:
    with pytest.raises(AppError) as e:
        open_source(path).close()
    text = e.value.message.replace(path.name, "")
    latin = set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED
    assert not latin, f"English in {text!r}"
    return e.value.message


def test_excel_lock_file_is_named_for_what_it_is(tmp_path: Path) -> None:
    good = tmp_path / "Начисления.xlsx"
    xb.write(good, xb.parts())
    lock = tmp_path / "~$Начисления.xlsx"
    lock.write_bytes(b"\x0bAccountant" + b"\x00" * 150)  # what Excel leaves: owner's name
    m = _message(lock)
    assert "служебный файл Excel" in m and "«Начисления.xlsx»" in m


def test_old_xls_renamed_to_xlsx(tmp_path: Path) -> None:
    old = tmp_path / "Оплаты.xlsx"
    old.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 4000)
    assert "Excel 97–2003 (.xls)" in _message(old)


def test_workbook_cut_short(tmp_path: Path) -> None:
    whole = tmp_path / "whole.xlsx"
    xb.write(whole, xb.parts())
    cut = tmp_path / "Начисления ноябрь.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert "записан не до конца" in _message(cut)


def test_a_zip_without_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "Архив.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    _message(path)
