"""After a restore the window shows the restored state alone, and the backup list is never
out of date (07.12.2026, item 6): «Принят Readings_…: документ № …» and «Документ … проведён»
are gone once that registry is pending again; copies made outside the list's own buttons
(the command line, an automatic one) are listed when it is shown and
while it is in view. A real Tk window under Xvfb, the real demo database."""

from __future__ import annotations

import time
import tkinter as tk
from pathlib import Path

from trayapp.core.demo import DemoInfo

from .conftest import pump
from .test_backup_pane import idle, rows
from .test_outside_changes import cli, incoming
from .test_posting import NAME
from .test_window import accept_pending, configure, make_window


def _show_backups(root: tk.Tk, win: object) -> None:
    """«Настройки» → «Резервные копии», as the accountant clicks to them."""
    win.notebook.select(win.settings_form)  # type: ignore[attr-defined]
    form = win.settings_form  # type: ignore[attr-defined]
    form.sections.select(win.backup_pane.master)  # type: ignore[attr-defined]
    root.update()


def test_a_restore_forgets_the_results_of_the_state_before(root: tk.Tk, home: Path,
                                                           info: DemoInfo) -> None:  # fmt: skip
    configure(home)
    incoming(home, info.inn)
    win, dialogs = make_window(root, home)
    pump(root, lambda: win.pending_tree.exists(NAME))
    pane = win.backup_pane
    pane.backup_button.invoke()  # the registry pending in this copy
    idle(root, win)
    first = rows(win)[-1]
    accept_pending(root, win, "Readings_")
    assert win.pending.accept_result_var.get().startswith(f"Принят {NAME}")
    panel = win.data_panel
    pump(root, lambda: bool(panel.post_tree.get_children()))
    panel.post_tree.selection_set(panel.post_tree.get_children()[0])
    dialogs.answer = True
    panel.post_button.invoke()
    pump(root, lambda: "проведён" in panel.post_var.get() and not win.worker.busy())
    idle(root, win)
    # «Восстановить…» from the copy before the acceptance
    pane.tree.selection_set(next(i for i in pane.tree.get_children()
                                 if pane.tree.item(i, "values")[0] == first[0]))  # fmt: skip
    pane.restore_button.invoke()
    pump(root, lambda: "Восстановлено из" in win.message_var.get() and not win.worker.busy())
    pump(root, lambda: win.pending_tree.exists(NAME))  # pending again
    idle(root, win)
    assert win.pending.accept_result_var.get() == ""
    assert panel.post_var.get() == "" and panel.export_var.get() == ""
    assert not panel.post_tree.get_children()
    assert win.pending.last_accepted is None and win.pending.report_path is None
    # the restore's result whole in the pane (the footer keeps a short line)
    assert "before-restore" in pane.result_var.get()
    _show_backups(root, win)  # and not cut there (its third line was, in the footer)
    label = pane.result_label
    box = label.master

    def whole() -> bool:  # its frame fitted to the text (whether the window has the room for
        # the whole pane depends on the screen: checked at 1280×800 on a screenshot)
        return bool(label.winfo_ismapped()) and label.winfo_reqheight() <= box.winfo_height()

    pump(root, whole)
    win.close()


def test_the_backup_list_follows_copies_made_elsewhere(root: tk.Tk, home: Path,
                                                       info: DemoInfo) -> None:  # fmt: skip
    configure(home)
    incoming(home, info.inn)
    win, _dialogs = make_window(root, home)
    idle(root, win)
    assert rows(win) == []
    cli(home, "backup")  # from a console while the window is on «Реестры»
    _show_backups(root, win)
    pump(root, lambda: len(rows(win)) == 1, timeout=30)  # listed when shown
    time.sleep(1.1)  # a copy's name has its second
    cli(home, "backup")  # again, the list in view: it follows
    pump(root, lambda: len(rows(win)) == 2, timeout=30)
    win.close()
