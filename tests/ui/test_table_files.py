"""«Загрузить папку…» takes the tables of a folder, not Excel's lock files (issue 20, item 20)."""

from __future__ import annotations

from pathlib import Path

from trayapp.ui.data_panel import table_files


def test_excel_lock_files_and_junk_are_not_tables(tmp_path: Path) -> None:
    for name in ("Оплаты.xlsx", "~$Оплаты.xlsx", "Лицевые.CSV", "desktop.ini", "заметки.txt",
                 ".~Оплаты.xlsx.tmp.xlsx", "Thumbs.db"):  # fmt: skip
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "старые.csv").mkdir()  # a folder named like a table
    assert [p.name for p in table_files(tmp_path)] == ["Лицевые.CSV", "Оплаты.xlsx"]
