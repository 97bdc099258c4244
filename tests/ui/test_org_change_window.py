"""The window asks before another organisation's data replaces the association's (issue 19
defect 5): a real Tk window under Xvfb, the demo database, a real org table file."""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

from trayapp.app import App

from .conftest import pump
from .test_window import configure, make_window


def org_of(home: Path) -> tuple[str, str]:
    from trayapp.core.db.documents import org

    app = App.create(home)
    try:
        return org(app.db)
    finally:
        app.close()


def test_another_inn_is_loaded_only_when_the_accountant_says_yes(
    root: tk.Tk, home: Path, tmp_path: Path
) -> None:
    configure(home)
    before = org_of(home)
    assert before[0] and before[0] != "5406002225"
    f = tmp_path / "Реквизиты ТСЖ.csv"
    f.write_text("inn;name;bank_account;bik\n5406002225;ТСЖ «Сосны»;40703810000000000002;"
                 "045004774\n", encoding="utf-8")  # fmt: skip
    win, dialogs = make_window(root, home)
    dialogs.answer = False  # «Нет»: nothing changes
    win.data_panel.load([f])
    pump(root, lambda: win.data_panel.loaded is not None and not win.worker.busy())
    asked = [m for k, t, m in dialogs.shown if k == "ask"]
    assert len(asked) == 1 and "5406002225" in asked[0] and before[0] in asked[0]
    assert org_of(home) == before
    dialogs.answer = True  # «Да»: the new ИНН and name
    dialogs.shown.clear()
    win.data_panel.loaded = None
    win.data_panel.load([f])
    pump(root, lambda: org_of(home)[0] == "5406002225" and not win.worker.busy())
    assert org_of(home) == ("5406002225", "ТСЖ «Сосны»")
    win.close()
