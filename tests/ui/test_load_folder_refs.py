"""«Загрузить папку…» with files that depend on each other (07.12.2026, item 4): an accounts
file adds 0007001–0007003, the accruals and payments of the same folder name them as Excel
left them (7001, 7002). The preview checks each file against the database plus what the
files before it would load (all four ready, the accruals' note «7001 → 0007001»), and after
«Загрузить» the window says the accounts were read without their leading zeros.

A real Tk window under Xvfb, the real demo database, real .xlsx files.
"""

from __future__ import annotations

import tkinter as tk
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from trayapp.app import App
from trayapp.core.demo import DemoInfo

from .conftest import pump
from .test_window import configure, make_window


def _sheet(path: Path, header: list[str], rows: list[list[object]]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)


def _folder(home: Path, info: DemoInfo, folder: Path) -> int:
    """Three new accounts, their accruals for the next month and two payments; the accounts
    named as numbers (their zeros lost) in the files that refer to them. The code used."""
    app = App.create(home)
    code = int(app.db.scalar("SELECT MIN(code) FROM services"))
    app.close()
    folder.mkdir()
    _sheet(folder / "Лицевые счета.xlsx", ["Лицевой счёт", "ФИО", "Улица", "Дом", "Помещение"],
           [[f"000700{i}", f"Новиков Н. {i}", "Титова", "12", str(100 + i)] for i in (1, 2, 3)])
    month = info.billing_period + 1
    period = f"{month % 100:02d}.{month // 100}"
    _sheet(folder / "Начисления ноябрь 2026.xlsx", ["Лицевой счёт", "Код услуги", "Период",
                                                    "Сумма"],
           [[7001, code, period, "100,00"], [7002, code, period, "200,00"],
            [7003, code, period, "300,00"]])  # fmt: skip
    _sheet(folder / "Оплаты касса.xlsx", ["Лицевой счёт", "Дата оплаты", "Сумма", "Источник",
                                          "Номер платежа"],
           [[7001, date(2026, 11, 5), "100,00", "касса", "к-1"],
            [7002, date(2026, 11, 6), "150,00", "касса", "к-2"]])  # fmt: skip
    return code


def test_a_folder_whose_files_refer_to_each_other_previews_ready(
        root: tk.Tk, home: Path, info: DemoInfo, tmp_path: Path) -> None:  # fmt: skip
    configure(home)
    folder = tmp_path / "Из 1С"
    _folder(home, info, folder)
    win, dialogs = make_window(root, home)
    pane = win.data_panel.loading
    dialogs.folder = str(folder)
    win.data_panel.folder_button.invoke()
    pump(root, lambda: len(pane.previews) == 3 and not win.worker.busy())
    by_name = {p.name: pane.previews[p] for p in pane.plans}
    errors = {n: (p.errors if p is not None else "не прочитан") for n, p in by_name.items()}
    assert errors == {"Лицевые счета.xlsx": (), "Начисления ноябрь 2026.xlsx": (),
                      "Оплаты касса.xlsx": ()}, errors  # fmt: skip
    assert "готовы к загрузке: 3" in pane.load_var.get(), pane.load_var.get()
    rows = [pane.files_tree.item(i, "values") for i in pane.files_tree.get_children()]
    assert all(str(r[4]).startswith("готов") for r in rows), rows
    accruals = by_name["Начисления ноябрь 2026.xlsx"]
    assert accruals is not None
    assert any("7001 → 0007001" in n for n in accruals.notes), accruals.notes
    assert [r.values[0] for r in accruals.rows] == ["0007001", "0007002", "0007003"]

    pane.load_button.invoke()
    pump(root, lambda: pane.loaded is not None and not win.worker.busy())
    assert [r.errors for r in pane.loaded or []] == [[], [], []]
    # the note in the window after the load: beside the file and in the list below
    results = {str(pane.files_tree.item(i, "values")[0]): str(pane.files_tree.item(i, "values")[4])
               for i in pane.files_tree.get_children()}  # fmt: skip
    assert "7001 → 0007001" in results["Начисления ноябрь 2026.xlsx"], results
    assert "7001 → 0007001" in results["Оплаты касса.xlsx"], results
    listed = [pane.errors_tree.item(i, "values") for i in pane.errors_tree.get_children()]
    assert any("7001 → 0007001" in str(r[2]) for r in listed), listed
    assert "7001 → 0007001" in pane.load_var.get(), pane.load_var.get()  # above the lists
    assert not [d for d in dialogs.shown if d[0] in ("error", "ask")]
    win.close()


def test_the_line_column_of_the_errors_list_is_filled(
        root: tk.Tk, home: Path, info: DemoInfo, tmp_path: Path) -> None:  # fmt: skip
    """07.12.2026, item 7: «Строка» was always empty, the row in the text."""
    configure(home)
    folder = tmp_path / "Из 1С"
    _folder(home, info, folder)
    (folder / "Лицевые счета.xlsx").unlink()  # the accruals now name unknown accounts
    win, dialogs = make_window(root, home)
    pane = win.data_panel.loading
    dialogs.folder = str(folder)
    win.data_panel.folder_button.invoke()
    pump(root, lambda: len(pane.previews) == 2 and not win.worker.busy())
    name = next(p for p in pane.plans if p.name.startswith("Начисления"))
    pane.files_tree.selection_set(str(name))
    root.update()
    listed = [tuple(str(x) for x in pane.errors_tree.item(i, "values"))
              for i in pane.errors_tree.get_children()]  # fmt: skip
    assert listed, listed
    assert all(r[1] for r in listed), listed  # every line has its row
    assert ("Начисления ноябрь 2026.xlsx", "2", "неизв.лиц.счёт: 7001") in listed, listed
    win.close()


def test_checking_a_folder_counts_the_files_before(
        root: tk.Tk, home: Path, info: DemoInfo, tmp_path: Path) -> None:  # fmt: skip
    """«Проверить» checked each file against the database alone: the accruals and payments
    failed for accounts the accounts file beside them adds. Nothing is loaded."""
    configure(home)
    folder = tmp_path / "Из 1С"
    _folder(home, info, folder)
    win, dialogs = make_window(root, home)
    pane = win.data_panel.loading
    dialogs.folder = str(folder)
    win.data_panel.folder_button.invoke()
    pump(root, lambda: len(pane.previews) == 3 and not win.worker.busy())
    pane.check_button.invoke()
    pump(root, lambda: "Проверено" in pane.load_var.get() and not win.worker.busy())
    results = [str(pane.files_tree.item(i, "values")[4]) for i in pane.files_tree.get_children()]
    assert all(r.startswith("проверен:") and "ошибок нет" in r for r in results), results
    assert "без ошибок: 3" in pane.load_var.get()
    app = App.create(home)
    try:  # nothing stays
        assert app.db.scalar("SELECT COUNT(*) FROM accounts WHERE number LIKE '000700%'") == 0
        assert app.db.scalar("SELECT COUNT(*) FROM payments WHERE reference LIKE 'к-%'") == 0
    finally:
        app.close()
    win.close()
