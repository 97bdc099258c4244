"""Issue 15: the accountant's own tables through the window's preview — a folder of messy
files (a title row, a date for the period, a «Итого» footer, cp1251, a workbook whose data is
on its second sheet under a title), a column the program cannot name chosen by hand in the
drop-down, «Проверить» loading nothing, «Загрузить» loading, and next month's file of the
same shape loading without a question.

A real Tk window under Xvfb, the real demo database (SQLite), real files.
"""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

from openpyxl import Workbook

from trayapp.app import App
from trayapp.core import values as v
from trayapp.core.demo import DemoInfo

from .conftest import pump
from .test_window import configure, make_window

ODD = "Итого к оплате, руб."  # no name of the amount's: the accountant points at it


def _accruals_csv(home: Path, source: int, period: int, path: Path) -> int:
    """The billing program's accruals for ``period`` (``source``'s amounts): cp1251, a title
    row, the period as a date, the sum under an odd name, an «Итого» row at the end."""
    app = App.create(home)
    rows = app.db.all("SELECT a.number, c.service_code, c.amount FROM accruals c JOIN accounts a "
                      "ON a.id = c.account_id WHERE c.period = ? ORDER BY 1, 2", (source,))  # fmt: skip
    app.close()
    year, month = divmod(period, 100)
    lines = [f"Начисления ТСЖ за {month:02d}.{year};;;", f"Лицевой счёт;Услуга;Месяц;{ODD}"]
    lines += [f"{n};{code};01.{month:02d}.{year};{v.format_amount(amount).replace('.', ',')}"
              for n, code, amount in rows]  # fmt: skip
    lines.append(f"Итого;;;{v.format_amount(sum(r[2] for r in rows)).replace('.', ',')}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    return len(rows)


def _balances_xlsx(home: Path, path: Path) -> None:
    """Opening balances on the second sheet, under a title row; the first a summary."""
    app = App.create(home)
    rows = app.db.all("SELECT a.number, b.service_code, b.amount FROM balances b JOIN accounts a "
                      "ON a.id = b.account_id ORDER BY 1, 2")  # fmt: skip
    app.close()
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "Сводка"
    summary.append(["Всего", "=SUM(Сальдо!C3:C999)"])
    sheet = wb.create_sheet("Сальдо")
    sheet.append(["Сальдо на 01.09.2026"])
    sheet.append(["Л/с", "Код услуги", "Сумма"])
    for n, code, amount in rows:
        sheet.append([n, code, v.format_amount(amount).replace(".", ",")])
    wb.save(path)


def _accrual_count(home: Path, period: int) -> int:
    app = App.create(home)
    try:
        return int(app.db.scalar("SELECT count(*) FROM accruals WHERE period = ?", (period,)))
    finally:
        app.close()


def test_a_folder_loads_through_the_preview_and_next_month_loads_unasked(
        root: tk.Tk, home: Path, info: DemoInfo, tmp_path: Path) -> None:  # fmt: skip
    configure(home)
    nov, dec = info.billing_period + 1, info.billing_period + 2  # the demo ends in October
    assert nov % 100 <= 12 and dec % 100 <= 12
    folder = tmp_path / "Из 1С"
    folder.mkdir()
    count = _accruals_csv(home, info.billing_period, nov, folder / "Начисления ноябрь.csv")
    _balances_xlsx(home, folder / "Сальдо.xlsx")
    win, dialogs = make_window(root, home)
    pane = win.data_panel.loading
    dialogs.folder = str(folder)
    win.data_panel.folder_button.invoke()
    pump(root, lambda: len(pane.previews) == 2 and not win.worker.busy())
    assert _accrual_count(home, nov) == 0  # shown, nothing loaded
    by_name = {p.name: p for p in pane.plans}
    accruals = pane.previews[by_name["Начисления ноябрь.csv"]]
    balances = pane.previews[by_name["Сальдо.xlsx"]]
    assert balances is not None and balances.ok and balances.sheet == "Сальдо"
    assert balances.header_row == 2
    assert accruals is not None and accruals.kind == "accruals" and accruals.header_row == 2
    assert not accruals.ok and ODD in accruals.headers
    # the files list names the kind, the sheet, the header row of each
    row = pane.files_tree.item(str(by_name["Сальдо.xlsx"]), "values")
    assert list(row[:4]) == ["Сальдо.xlsx", "сальдо", "Сальдо", "2"]
    # the accountant selects the accruals file, the column «Сумма *», and the file's column
    pane.files_tree.selection_set(str(by_name["Начисления ноябрь.csv"]))
    root.update()
    fields = {str(i): pane.fields_tree.item(i, "values") for i in pane.fields_tree.get_children()}
    assert fields["amount"][0] == "Сумма *" and fields["amount"][1] == "— нет —"
    assert fields["period"][1] == "Месяц"
    assert pane.errors_tree.get_children()  # the dry check says what is missing
    pane.fields_tree.selection_set("amount")
    root.update()
    assert ODD in pane.column_box.cget("values")
    pane.column_box.set(ODD)
    pane.column_box.event_generate("<<ComboboxSelected>>")
    pump(root, lambda: (p := pane.previews[by_name["Начисления ноябрь.csv"]]) is not None
         and p.ok and not win.worker.busy())  # fmt: skip
    fields = {str(i): pane.fields_tree.item(i, "values") for i in pane.fields_tree.get_children()}
    assert fields["amount"][1:] == (ODD, "вручную")
    assert fields["account"][2] == "по названию"  # the others as found
    # the first rows as they will be read: the period as a month, the sum as a sum
    shown = [pane.rows_tree.item(i, "values") for i in pane.rows_tree.get_children()]
    assert len(shown) == 10 and all(r[3] == v.format_month(nov) for r in shown)
    assert all("," in r[4] for r in shown)
    # «Проверить»: read whole and checked, nothing loaded
    pane.check_button.invoke()
    pump(root, lambda: "Проверено" in pane.load_var.get() and not win.worker.busy())
    assert _accrual_count(home, nov) == 0
    # «Загрузить»
    pane.load_button.invoke()
    pump(root, lambda: pane.loaded is not None and not win.worker.busy())
    assert [r.errors for r in pane.loaded or []] == [[], []]
    assert _accrual_count(home, nov) == count
    pump(root, lambda: win.month_var.get() == v.format_month(nov))  # the new month selected

    # next month: the same shape, chosen by nobody
    december = tmp_path / "Начисления декабрь.csv"
    _accruals_csv(home, info.billing_period, dec, december)
    dialogs.files = [str(december)]
    win.data_panel.files_button.invoke()
    pump(root, lambda: december in pane.previews and not win.worker.busy())
    p = pane.previews[december]
    assert p is not None and p.ok and p.remembered
    assert "как в прошлый раз" in str(pane.files_tree.item(str(december), "values")[4])
    pane.load_button.invoke()
    pump(root, lambda: pane.loaded is not None and not win.worker.busy())
    assert _accrual_count(home, dec) == count
    assert not [d for d in dialogs.shown if d[0] in ("error", "ask")]
    win.close()
