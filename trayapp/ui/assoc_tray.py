"""The tray's associations wired together (spec/associations.md): which associations one tray
shows (``associations_of``), the ``Desk`` with its windows (``make_desk``), the commands of the
icon's menu (``handle``) and the «уже запущены» text that names them. Tk thread only.
"""

from __future__ import annotations

import logging
import tkinter as tk
from pathlib import Path
from typing import Any

from trayapp import associations
from trayapp.associations import Association
from trayapp.errors import AppError
from trayapp.paths import AppPaths
from trayapp.ui.assoc_desk import Desk
from trayapp.ui.assoc_settings import AssocPane
from trayapp.ui.schedule_button import ScheduleButton

log = logging.getLogger(__name__)


def associations_of(home: str | None) -> list[Association]:
    """``--home DIR``: that home alone (named as the list names it, else by its org); no home:
    every association of the list."""
    if home is None:
        try:
            return associations.load()
        except AppError:
            log.exception("the list of associations is unreadable: the default home alone")
            return [Association(associations.UNNAMED, None)]
    paths = AppPaths.resolve(home)
    name = associations.name_of(paths) or associations.UNNAMED
    return [Association(name, Path(home))]


def already_running(items: list[Association]) -> str:
    names = ", ".join(a.name for a in items)
    return (f"«Мои счета» ({names}) уже запущены: окно работающей программы выведено на "
            "передний план.")  # fmt: skip


def make_desk(root: tk.Tk, items: list[Association], password: str | None, tray: Any,
              notifier: Any, on_quit: Any, dialogs: Any = None) -> Desk:  # fmt: skip
    """The tray's ``Desk``; ``dialogs`` stand for the windows' own (tests record them)."""
    from trayapp.ui.backend import Backend
    from trayapp.ui.window import MainWindow, UiState

    holder: list[Desk] = []

    def make_backend(home: str | None) -> Backend:
        return Backend(home, password)

    def make_window(e: Any, on_state: Any) -> MainWindow:
        win = MainWindow(root, e.backend, dialogs, on_state=on_state)
        win.on_quit = on_quit
        e.schedule_button = ScheduleButton(win, e.schedule)  # this association's schedule
        pane = AssocPane(win.settings_form.add_section("ТСЖ"), holder[0], win.dialogs)
        pane.grid(row=0, column=0, columnspan=3, sticky="new")
        e.pane = pane
        win.backup_pane.start_of_day()  # backup.md: a backup at the first start of a day
        return win

    def notify(name: str, text: str, on_click: Any) -> None:
        notifier.send(name, text, on_click)  # the title is the association's name

    def on_change() -> None:
        if holder:
            d = holder[0]
            tray.update(UiState(d.state(), *d.counts(), d.tooltip()))

    desk = Desk(root, items, make_backend, make_window, notify, on_change)
    holder.append(desk)
    tray.menu_rows = desk.menu_rows
    return desk


def handle(desk: Desk, command: str) -> bool:
    """One command of the icon; False when it is not one of the associations'."""
    what, _, index_text = command.partition(":")
    index = int(index_text) if index_text.isdigit() else desk.current
    if not 0 <= index < len(desk.entries):
        return True  # the list changed meanwhile
    if what == "exchange" and index_text:
        desk.exchange_one(index)
    elif what == "exchange":
        desk.exchange_all()
    elif what == "show":
        desk.show(index)
        desk.window.show()
    elif what == "folder":
        desk.show(index)
        desk.window.open_folder()
    elif what == "add":
        desk.window.show()
        desk.entries[desk.current].pane.add()
    else:
        return False
    return True
