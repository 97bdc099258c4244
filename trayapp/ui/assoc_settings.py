"""«Настройки»: the associations of this program, with «Добавить ТСЖ…» (a new home, then its
first-start settings) and «Убрать из списка» (the list only: its data stay where they are).
Tk thread only; the list itself is ``trayapp.associations``'s.
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk
from typing import Any

from trayapp import associations
from trayapp.errors import AppError
from trayapp.ui.ask_text import ask_text

log = logging.getLogger(__name__)


def ask_name(parent: tk.Misc) -> str | None:
    return ask_text(parent, "Добавить ТСЖ", "Название ТСЖ (например, ТСЖ «Берёзка»):")


class AssocPane(ttk.LabelFrame):
    """The list of associations in a settings form; ``desk`` is the tray's ``Desk``."""

    def __init__(self, parent: tk.Misc, desk: Any, dialogs: Any,
                 asker: Callable[[tk.Misc], str | None] = ask_name) -> None:  # fmt: skip
        super().__init__(parent, text="ТСЖ в этой программе", padding=8)
        self.desk = desk
        self.dialogs = dialogs
        self.asker = asker
        self.names = tk.Listbox(self, height=4, exportselection=False)
        self.names.pack(side="left", fill="x", expand=True)
        buttons = ttk.Frame(self)
        buttons.pack(side="left", anchor="n", padx=(8, 0))
        self.add_button = ttk.Button(buttons, text="Добавить ТСЖ…", command=self.add)
        self.add_button.pack(fill="x")
        self.remove_button = ttk.Button(buttons, text="Убрать из списка", command=self.remove)
        self.remove_button.pack(fill="x", pady=(4, 0))
        self.bind("<Map>", lambda _e: self.fill())
        self.fill()

    def fill(self) -> None:
        self.names.delete(0, "end")
        for e in self.desk.entries:
            self.names.insert("end", e.name)
        if 0 <= self.desk.current < len(self.desk.entries):
            self.names.selection_set(self.desk.current)
        self.remove_button.configure(state="normal" if len(self.desk.entries) > 1 else "disabled")

    def add(self) -> None:
        name = self.asker(self)
        if not name or not name.strip():
            return
        try:  # the associations shown (a --home one) and the default stay in the list
            associations.keep_shown([e.assoc for e in self.desk.entries])
            a = associations.add(name)
        except AppError as exc:
            self.dialogs.error(exc.title, exc.message)
            return
        log.info("association added from the window")
        self.desk.show(self.desk.add(a))  # its window opens on its first-start settings

    def remove(self) -> None:
        chosen = self.names.curselection()  # type: ignore[no-untyped-call]
        index = int(chosen[0]) if chosen else self.desk.current
        e = self.desk.entries[index]
        if not self.dialogs.confirm("Убрать из списка",
                                    f"Убрать {e.name} из списка? Его данные (настройки, база, "
                                    f"каталог обмена) останутся в {e.assoc.paths.config_dir}."):  # fmt: skip
            return
        try:
            associations.remove(e.name)
        except AppError as exc:
            self.dialogs.error(exc.title, exc.message)
            return
        self.desk.remove(index)
