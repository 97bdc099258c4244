"""«События»: every notice of the exchange and the accountant's own work, newest first, errors
in red; the selected event's whole text below the list; a double click opens the document the
event names (a table or a registry, never a program). Nothing depends on a toast being seen.
Talks to the window only through its ``PaneContext``.
"""

from __future__ import annotations

import re
import tkinter as tk
from datetime import datetime
from pathlib import Path
from tkinter import ttk

from trayapp.ui.backend import Event, Snapshot
from trayapp.ui.context import PaneContext
from trayapp.ui.desktop import auto_scrollbar, fit_columns
from trayapp.ui.header import tooltip
from trayapp.ui.texts import moment

QUOTED = re.compile(r"«([^«»]+)»")
OPENABLE = {".csv", ".xlsx", ".txt", ".html", ".htm"}  # tables, registries, statements, reports
FILE_NAME = re.compile(r"(?:Ack_)?(?:Services|Debts|Meters|Payments|Readings)_\d{8}_\d{3}\.txt",
                       re.ASCII)
SHOWN = 100


class EventsPane(ttk.Frame):
    def __init__(self, master: tk.Misc, ctx: PaneContext) -> None:
        super().__init__(master, padding=8)
        self.ctx = ctx
        self.local_events: list[Event] = []
        self._event_text: dict[str, str] = {}  # the list's row -> the whole text
        self._journaled: list[Event] = []
        # the selected event's whole text, wrapped, below the list (a list row is one line)
        self.event_detail_var = tk.StringVar(self, "Выберите событие: здесь его полный текст.")
        self.event_detail = ttk.Label(self, textvariable=self.event_detail_var, wraplength=700,
                                      justify="left")  # fmt: skip
        self.event_detail.pack(side="bottom", fill="x", pady=(6, 0))
        self.bind("<Configure>", lambda e: self.event_detail.configure(
            wraplength=max(200, e.width - 16)))  # fmt: skip
        self.tree = ttk.Treeview(self, columns=("at", "text"), show="headings")
        self.tree.heading("at", text="Время")
        self.tree.heading("text", text="Событие")
        self.tree.column("at", width=130, stretch=False)
        self.tree.column("text", width=560)
        scroll = ttk.Scrollbar(self, orient="vertical", command=self.tree.yview)
        self.tree.pack(side="left", fill="both", expand=True)
        auto_scrollbar(scroll, self.tree)  # shown only while rows are out of view
        self.tree.tag_configure("error", foreground="#b00020")
        self.tree.bind("<Double-1>", lambda _e: self.open_event_file())
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._event_selected())
        self.tree.bind("<Configure>", lambda e: fit_columns(self.tree, e.width))
        tooltip(self.tree, "Двойной щелчок открывает файл, названный в событии")

    def show(self, snap: Snapshot) -> None:
        self._journaled = snap.recent
        self._fill()

    def add(self, text: str, level: str = "error") -> None:
        at = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        self.local_events.insert(0, (at, level, text))
        self._fill()

    def _fill(self) -> None:
        said = {text for _at, _level, text in self._journaled}  # a failed session: in both
        events = [e for e in self.local_events if e[2] not in said] + self._journaled
        events.sort(key=lambda e: e[0], reverse=True)
        self.tree.delete(*self.tree.get_children())
        self._event_text = {}
        for at, level, text in events[:SHOWN]:
            iid = self.tree.insert("", "end", values=(moment(at), text.replace("\n", " ")),
                                   tags=("error",) if level == "error" else ())  # fmt: skip
            self._event_text[str(iid)] = text

    def _event_selected(self) -> None:
        sel = self.tree.selection()
        if sel:
            values = self.tree.item(sel[0], "values")
            text = self._event_text.get(str(sel[0]), str(values[1]))
            self.event_detail_var.set(f"{values[0]}: {text}")

    def open_event_file(self) -> None:
        """Open the file the selected event names: a table loaded or exported (its full
        path in «»), or a registry, wherever in the tree it lies."""
        sel = self.tree.selection()
        snap = self.ctx.snapshot
        folder = snap.exchange_folder if snap is not None else None
        if not sel or folder is None:
            return
        text = self._event_text.get(str(sel[0]), str(self.tree.item(sel[0], "values")[1]))
        for quoted in QUOTED.findall(text):
            # only a document the program reads or writes: an event may quote the server's
            # words, and on Windows opening a path named there could start a program
            if (Path(quoted).suffix.lower() in OPENABLE and Path(quoted).is_absolute()
                    and Path(quoted).is_file()):  # fmt: skip
                self.ctx.open(Path(quoted))
                return
        for name in FILE_NAME.findall(text):
            found = sorted(folder.rglob(name))
            if found:
                self.ctx.open(found[0])
                return

    def texts(self) -> list[str]:
        return [str(self.tree.item(i, "values")[1]) for i in self.tree.get_children()]
