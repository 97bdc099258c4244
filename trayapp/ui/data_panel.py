"""The «Данные» tab: what the accountant brings from and takes back to the billing program.

- «Загрузить файлы…» / «Загрузить папку…»: billing-data tables (.csv, .xlsx), the kind of
  each recognised from its name or header (core/import_kind.py), loaded in the worker; each
  file's outcome in one list, every bad row of a refused file in another (a file with a bad
  row loads nothing);
- «Выгрузка в учётную программу»: «Оплаты…» / «Показания…», the accepted rows not exported before,
  the save dialog opened in the exchange folder with «Оплаты_11.2026.csv» for the month;
- «Показания к проведению»: the «Показания новые» documents not yet posted (the Meters
  registry leaves their readings out until they are), «Провести» posts the selected one.

Calls the core only through ``Backend``; widgets on the Tk thread only.
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from datetime import date
from pathlib import Path
from tkinter import ttk

from trayapp.core import values as v
from trayapp.core.accept import BelowPrevious
from trayapp.core.posting import Posted, posted_text
from trayapp.core.values import reading_text
from trayapp.ui.backend import LoadedFile
from trayapp.ui.common import fixed_label
from trayapp.ui.context import PaneContext
from trayapp.ui.desktop import auto_scrollbar, fit_columns
from trayapp.ui.header import tooltip
from trayapp.ui.load_pane import KIND_TITLES, TABLES, LoadPane, table_files

log = logging.getLogger(__name__)

__all__ = ["KIND_TITLES", "TABLES", "DataPanel", "table_files"]


class DataPanel(ttk.Frame):
    """The «Данные» tab: loading on the left (its lists take the room), export and posting
    on the right; a sash between. ``month`` gives the window's month (MM.YYYY)."""

    def __init__(self, master: tk.Misc, ctx: PaneContext,
                 month: Callable[[], str] = lambda: "") -> None:  # fmt: skip
        super().__init__(master, padding=6)
        self.ctx = ctx
        self.backend, self.worker, self.dialogs = ctx.backend, ctx.worker, ctx.dialogs
        self.month = month
        background = str(ttk.Style(self).lookup("TFrame", "background"))
        self.split = tk.PanedWindow(self, orient="horizontal", sashwidth=6, borderwidth=0,
                                    background=background)  # fmt: skip
        self.split.pack(fill="both", expand=True)

        load = self.loading = LoadPane(self.split, ctx)
        self.files_button, self.folder_button = load.files_button, load.folder_button
        self.load_var, self.files_tree, self.errors_tree = (
            load.load_var, load.files_tree, load.errors_tree)  # fmt: skip

        side = ttk.Frame(self.split)
        out = ttk.LabelFrame(side, text="Выгрузка в учётную программу", padding=8)
        out.pack(fill="x")
        self.export_buttons: dict[str, ttk.Button] = {}
        # side by side under the frame's title (at 150 % a button a row left the posting list
        # below no row under its heading)
        row = ttk.Frame(out)
        row.pack(fill="x")
        for kind, label, tip in (("payments", "Оплаты…", "Выгрузить принятые оплаты в файл для "
                                  "учётной программы"),
                                 ("readings", "Показания…", "Выгрузить принятые показания в "
                                  "файл для учётной программы")):  # fmt: skip
            b = ttk.Button(row, text=label, command=lambda k=kind: self.export(k))  # type: ignore[misc]
            b.pack(side="left", fill="x", expand=True, padx=(0 if kind == "payments" else 3, 0))
            tooltip(b, tip)
            self.export_buttons[kind] = b
        self.export_var = tk.StringVar(self, "")
        # results keep a fixed height and wrap (a long path never widens the window)
        fixed_label(out, self.export_var, 3)[0].pack(fill="x", pady=(4, 0))

        post = ttk.LabelFrame(side, text="Показания к проведению", padding=8)
        post.pack(fill="both", expand=True, pady=(8, 0))
        self.post_var = tk.StringVar(self, "")
        fixed_label(post, self.post_var, 3)[0].pack(side="bottom", fill="x", pady=(4, 0))
        self.post_button = ttk.Button(post, text="Провести", command=self.post_selected)
        self.post_button.pack(side="bottom", anchor="w", pady=(4, 0))
        self.post_tree = _tree(post, (("number", "№", 90), ("date", "Дата", 90),
                                      ("rows", "Показаний", 90)), 2)  # fmt: skip
        # narrow (150 %): the date gives way first, the number and the count stay whole
        self.post_tree.bind("<Configure>", lambda e: fit_columns(self.post_tree, e.width,
                                                                 ("date",)))  # fmt: skip
        self.split.add(load, minsize=300, stretch="always")
        self.split.add(side, minsize=200, stretch="always")

    def where(self) -> tuple[Path | None, str]:
        """The exchange folder and the window's month (MM.YYYY)."""
        snap = self.ctx.snapshot
        return (snap.exchange_folder if snap is not None else None), self.month()

    # ------------------------------------------------------------------ loading

    @property
    def loaded(self) -> list[LoadedFile] | None:
        return self.loading.loaded

    @loaded.setter
    def loaded(self, value: list[LoadedFile] | None) -> None:
        self.loading.loaded = value

    def load(self, paths: list[Path], replace_org: bool = False) -> None:
        """Load ``paths`` as found, without the preview (scripts and tests)."""
        self.loading.load(paths, replace_org)

    def load_files(self) -> None:
        self.loading.load_files()

    def load_folder(self) -> None:
        self.loading.load_folder()

    # ------------------------------------------------------------------ export

    def export(self, kind: str) -> None:
        what = "оплаты" if kind == "payments" else "показания"
        folder, month = self.where()
        name = export_name(kind, month)
        if folder is not None:  # the month's second export is offered «…_2.csv»: not asked
            name = self.backend.export_name(folder, name)  # to replace the first one
        target = self.dialogs.ask_save(f"Выгрузить {what}", name,
                                       str(folder) if folder is not None else "")  # fmt: skip
        if not target:
            return
        self.export_var.set("Выгружается…")
        # a file chosen that exists was confirmed in the dialog («Заменить?» — «Да»): it is
        # replaced, atomically (docs/decisions.md)
        self.worker.submit("export", lambda: self.backend.export(kind, Path(target), True),
                           lambda r: self._exported(what, r),
                           self.ctx.error("Выгрузка не сделана"))  # fmt: skip

    def _exported(self, what: str, result: tuple[Path | None, int, bool]) -> None:
        path, rows, replaced = result
        if path is None:
            self.export_var.set(f"Новых принятых записей ({what}) для выгрузки нет.")
        else:
            # the name beside the buttons (a narrow column), the whole path in the footer
            self.export_var.set(f"Выгружено строк {rows}: «{path.name}»"
                                + (" (прежний файл заменён)" if replaced else ""))  # fmt: skip
            self.ctx.say(f"Выгрузка: {path}" + (" (прежний файл заменён)" if replaced else ""))
            self.ctx.refresh()  # «События» shows the export

    # ------------------------------------------------------------------ posting

    def clear(self) -> None:
        """Results of another state forgotten (after a restore)."""
        self.export_var.set("")
        self.post_var.set("")
        self.loading.clear()

    def show(self, unposted: list[tuple[str, str, int]]) -> None:
        self.post_tree.delete(*self.post_tree.get_children())
        for number, day, rows in unposted:
            self.post_tree.insert("", "end", iid=number, values=(number, _day(day), rows))
        fit_columns(self.post_tree, self.post_tree.winfo_width(), ("date",))  # the new rows
        if unposted:
            self.post_tree.selection_set(unposted[0][0])
        self.post_button.configure(state="normal" if unposted else "disabled")

    def post_selected(self) -> None:
        sel = self.post_tree.selection()
        if not sel:
            return
        number = str(sel[0])
        # the readings below the previous ones first: shown, and posted only when confirmed
        self.worker.submit("post:check", lambda: self.backend.below_previous(number),
                           lambda low: self._confirm_post(number, low),
                           self.ctx.error("Документ не проведён"))  # fmt: skip

    def _confirm_post(self, number: str, low: list[BelowPrevious]) -> None:
        leave: list[int] = []
        if low:  # each with a check box: the unticked stay unposted (issue 17, 8)
            intro, items, footer = below_text(number, low)
            ticks = self.dialogs.choose("Проведение показаний", intro, items, footer)
            if ticks is None:
                self.post_var.set(f"Документ «Показания новые» № {number} не проведён: "
                                  "проверьте показания ниже предыдущих (отчёт по реестру).")  # fmt: skip
                return
            leave = [b.reading for b, tick in zip(low, ticks, strict=True) if not tick]
        self.worker.submit("post", lambda: self.backend.post_leaving(number, leave, low),
                           self._posted, self.ctx.error("Документ не проведён"))  # fmt: skip

    def _posted(self, result: Posted) -> None:
        self.post_var.set(f"{posted_text(result)}. Они войдут в следующий реестр «Счётчики».")
        self.ctx.refresh()


def below_text(number: str, low: list[BelowPrevious]) -> tuple[str, list[str], str]:
    """The question before posting a document with readings below the previous ones: the
    intro, one line per reading (each gets a check box), the closing question."""
    intro = (f"В документе «Показания новые» № {number} показаний меньше предыдущих: "
             f"{len(low)}. Снимите отметку с тех, что проводить не надо: они останутся "
             "непроведёнными в новом документе.")  # fmt: skip
    items = [f"л/с {b.account}, счётчик {b.meter_id} ({b.serial}"
             f"{f', {b.service}' if b.service else ''}): было {reading_text(b.previous)}, стало "
             f"{reading_text(b.value)} ({b.taken_at.strftime('%d.%m.%Y %H:%M')})" for b in low]  # fmt: skip
    footer = ("Так бывает при ошибке ввода или после замены счётчика. Проведённые, они войдут "
              "в реестр «Счётчики». Провести документ?")  # fmt: skip
    return intro, items, footer




EXPORT_NAMES = {"payments": "Оплаты", "readings": "Показания"}


def export_name(kind: str, month: str) -> str:
    """The save dialog's name: «Оплаты_11.2026.csv» for the window's month (MM.YYYY), or
    for this month when none is chosen."""
    m = v.parse_month(month) if month else None
    return f"{EXPORT_NAMES[kind]}_{v.format_month(m or v.month_of(date.today()))}.csv"


def _tree(parent: tk.Misc, cols: tuple[tuple[str, str, int], ...], height: int) -> ttk.Treeview:
    frame = ttk.Frame(parent, padding=(0, 6, 0, 0))
    if not isinstance(parent, tk.PanedWindow):  # a pane's parent places it itself
        frame.pack(fill="both", expand=True)
    tree = ttk.Treeview(frame, columns=[c[0] for c in cols], show="headings", height=height,
                        selectmode="browse")  # fmt: skip
    for key, title, width in cols:
        tree.heading(key, text=title)
        tree.column(key, width=width, stretch=key in ("file", "result", "error"))
    scroll = ttk.Scrollbar(frame, orient="vertical", command=tree.yview)
    tree.pack(side="left", fill="both", expand=True)
    auto_scrollbar(scroll, tree)  # shown only while rows are out of view
    tree.bind("<Configure>", lambda e: fit_columns(tree, e.width))  # narrow: columns give way
    return tree


def _day(iso: str) -> str:
    """``2026-11-06`` as ``06.11.2026`` (anything else as it is)."""
    parts = iso[:10].split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}.{parts[1]}.{parts[0]}"
    return iso
