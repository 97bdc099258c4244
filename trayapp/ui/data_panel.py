"""The «Данные» tab: what the accountant brings from and takes back to the billing program.

- «Загрузить файлы…» / «Загрузить папку…»: billing-data tables (.csv, .xlsx), the kind of
  each recognised from its name or header (core/import_kind.py), loaded in the worker; each
  file's outcome in one list, every bad row of a refused file in another (a file with a bad
  row loads nothing);
- «Выгрузить оплаты…» / «Выгрузить показания…»: the accepted rows not exported before,
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
from trayapp.core.folders import is_junk
from trayapp.ui.backend import LoadedFile
from trayapp.ui.common import fixed_label, plural
from trayapp.ui.context import PaneContext
from trayapp.ui.desktop import auto_scrollbar, fit_columns

log = logging.getLogger(__name__)

KIND_TITLES = {
    "org": "данные ТСЖ", "providers": "поставщики", "services": "услуги",
    "accounts": "лицевые счета", "balances": "сальдо", "accruals": "начисления",
    "payments": "оплаты", "meters": "счётчики", "readings": "показания",
}  # fmt: skip
TABLES = [("Таблицы (*.csv *.xlsx)", "*.csv *.xlsx"), ("Все файлы", "*.*")]


class DataPanel(ttk.Frame):
    """The «Данные» tab: loading on the left (its lists take the room), export and posting
    on the right; a sash between. ``month`` gives the window's month (MM.YYYY)."""

    def __init__(self, master: tk.Misc, ctx: PaneContext,
                 month: Callable[[], str] = lambda: "") -> None:  # fmt: skip
        super().__init__(master, padding=6)
        self.ctx = ctx
        self.backend, self.worker, self.dialogs = ctx.backend, ctx.worker, ctx.dialogs
        self.month = month
        self.loaded: list[LoadedFile] | None = None
        background = str(ttk.Style(self).lookup("TFrame", "background"))
        self.split = tk.PanedWindow(self, orient="horizontal", sashwidth=6, borderwidth=0,
                                    background=background)  # fmt: skip
        self.split.pack(fill="both", expand=True)

        load = ttk.LabelFrame(self.split, text="Загрузка из учётной программы", padding=8)
        self.load_box = load
        row = ttk.Frame(load)
        row.pack(fill="x")
        self.files_button = ttk.Button(row, text="Загрузить файлы…", command=self.load_files)
        self.files_button.pack(side="left")
        self.folder_button = ttk.Button(row, text="Загрузить папку…", command=self.load_folder)
        self.folder_button.pack(side="left", padx=6)
        self.load_var = tk.StringVar(self, "Вид каждой таблицы узнаётся по имени файла или "
                                           "по заголовку.")  # fmt: skip
        # wraps below the buttons, two lines tall whatever it says (nothing cut or moved)
        fixed_label(load, self.load_var, 2)[0].pack(fill="x", pady=(4, 0))
        lists = tk.PanedWindow(load, orient="vertical", sashwidth=6, borderwidth=0,
                               background=background)  # fmt: skip
        lists.pack(fill="both", expand=True)
        self.files_tree = _tree(lists, (("file", "Файл", 220), ("kind", "Вид", 110),
                                        ("result", "Итог", 260)), 2)  # fmt: skip
        self.errors_tree = _tree(lists, (("file", "Файл", 170), ("line", "Строка", 60),
                                         ("error", "Ошибка", 360)), 3)  # fmt: skip
        self.errors_tree.tag_configure("error", foreground="#b00020")
        line = int(ttk.Style(self).lookup("Treeview", "rowheight") or 20)
        for tree in (self.files_tree, self.errors_tree):
            lists.add(tree.master, minsize=line * 4, stretch="always")  # type: ignore[arg-type]

        side = ttk.Frame(self.split)
        out = ttk.LabelFrame(side, text="Выгрузка в учётную программу", padding=8)
        out.pack(fill="x")
        self.export_buttons: dict[str, ttk.Button] = {}
        for kind, label in (("payments", "Выгрузить оплаты…"),
                            ("readings", "Выгрузить показания…")):  # fmt: skip
            b = ttk.Button(out, text=label, command=lambda k=kind: self.export(k))  # type: ignore[misc]
            b.pack(fill="x", pady=(0, 3))
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
        self.post_tree = _tree(post, (("number", "Документ №", 100), ("date", "Дата", 90),
                                      ("rows", "Показаний", 90)), 2)  # fmt: skip
        self.split.add(load, minsize=300, stretch="always")
        self.split.add(side, minsize=200, stretch="always")

    def where(self) -> tuple[Path | None, str]:
        """The exchange folder and the window's month (MM.YYYY)."""
        snap = self.ctx.snapshot
        return (snap.exchange_folder if snap is not None else None), self.month()

    # ------------------------------------------------------------------ loading

    def load_files(self) -> None:
        chosen = self.dialogs.ask_files("Таблицы учётной программы", TABLES)
        if chosen:
            self.load([Path(p) for p in chosen])

    def load_folder(self) -> None:
        folder = self.dialogs.ask_dir("Папка с таблицами учётной программы")
        if not folder:
            return
        files = table_files(Path(folder))
        if not files:
            self.dialogs.info("Загрузка", f"В папке {folder} нет таблиц .csv или .xlsx.")
            return
        self.load(files)

    def load(self, paths: list[Path], replace_org: bool = False) -> None:
        self.load_var.set(
            f"Загружается {len(paths)} {plural(len(paths), 'файл', 'файла', 'файлов')}…"
        )
        self.worker.submit("load", lambda: self.backend.load_files(paths, self.worker.progress,
                                                                   replace_org),
                           self._loaded, self.ctx.error("Данные не загружены"))  # fmt: skip

    def _loaded(self, results: list[LoadedFile]) -> None:
        self.loaded = results
        self.files_tree.delete(*self.files_tree.get_children())
        self.errors_tree.delete(*self.errors_tree.get_children())
        bad = 0
        for r in results:
            kind = KIND_TITLES.get(r.kind, "не распознан")
            if r.errors:
                bad += 1
                result = f"не загружен: ошибок {len(r.errors)}"
                for line, message in r.errors:
                    self.errors_tree.insert("", "end", values=(r.path.name, line or "", message),
                                            tags=("error",))  # fmt: skip
            else:
                result = f"загружено строк {r.rows} (новых {r.inserted}, изменено {r.updated})"
            self.files_tree.insert("", "end", values=(r.path.name, kind, result))
        for tree in (self.files_tree, self.errors_tree):
            fit_columns(tree, tree.winfo_width())  # for the new rows
        good = len(results) - bad
        self.load_var.set(f"Загружено файлов: {good}" + (f", не загружено: {bad} (ошибки ниже)"
                                                         if bad else ""))  # fmt: skip
        self.ctx.refresh()
        self._ask_org_change(results)

    def _ask_org_change(self, results: list[LoadedFile]) -> None:
        """An org file of another ИНН was not loaded: ask whether to replace (associations.md)."""
        other = next((r for r in results if r.org_change), None)
        if other is not None and self.dialogs.ask_yes_no(
            "Другая организация",
            f"{other.errors[0][1]}.\n\nЗаменить ИНН и название этого ТСЖ данными из файла "
            f"{other.path.name}?",
        ):
            self.load([other.path], replace_org=True)

    # ------------------------------------------------------------------ export

    def export(self, kind: str) -> None:
        what = "оплаты" if kind == "payments" else "показания"
        folder, month = self.where()
        target = self.dialogs.ask_save(f"Выгрузить {what}", export_name(kind, month),
                                       str(folder) if folder is not None else "")  # fmt: skip
        if not target:
            return
        self.export_var.set("Выгружается…")
        self.worker.submit("export", lambda: self.backend.export(kind, Path(target)),
                           lambda r: self._exported(what, r),
                           self.ctx.error("Выгрузка не сделана"))  # fmt: skip

    def _exported(self, what: str, result: tuple[Path | None, int]) -> None:
        path, rows = result
        if path is None:
            self.export_var.set(f"Новых принятых записей ({what}) для выгрузки нет.")
        else:
            # the name beside the buttons (a narrow column), the whole path in the footer
            self.export_var.set(f"Выгружено строк {rows}: «{path.name}»")
            self.ctx.say(f"Выгрузка: {path}")
            self.ctx.refresh()  # «События» shows the export

    # ------------------------------------------------------------------ posting

    def show(self, unposted: list[tuple[str, str, int]]) -> None:
        self.post_tree.delete(*self.post_tree.get_children())
        for number, day, rows in unposted:
            self.post_tree.insert("", "end", iid=number, values=(number, _day(day), rows))
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
        if low and not self.dialogs.ask_yes_no("Проведение показаний", below_text(number, low)):
            self.post_var.set(f"Документ «Показания новые» № {number} не проведён: проверьте "
                              "показания ниже предыдущих (отчёт по реестру).")  # fmt: skip
            return
        self.worker.submit("post", lambda: self.backend.post(number, low), self._posted,
                           self.ctx.error("Документ не проведён"))  # fmt: skip

    def _posted(self, result: tuple[str, int]) -> None:
        number, rows = result
        self.post_var.set(f"Документ «Показания новые» № {number} проведён: показаний {rows}. "
                          "Они войдут в следующий реестр «Счётчики».")  # fmt: skip
        self.ctx.refresh()


SHOWN_BELOW = 15


def table_files(folder: Path) -> list[Path]:
    """The tables of «Загрузить папку…»: .csv and .xlsx, without Excel's lock files
    (``~$Оплаты.xlsx`` while the book is open) and other junk (``is_junk``)."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in (".csv", ".xlsx") and not is_junk(folder, p.name)
                  and p.is_file())  # fmt: skip


def below_text(number: str, low: list[BelowPrevious]) -> str:
    """The question before posting a document with readings below the previous ones."""
    n = len(low)
    lines = [f"В документе «Показания новые» № {number} показаний меньше предыдущих: {n}",
             ""]  # fmt: skip
    for b in low[:SHOWN_BELOW]:
        service = f", {b.service}" if b.service else ""
        lines.append(f"  л/с {b.account}, счётчик {b.meter_id} ({b.serial}{service}): было "
                     f"{reading(b.previous)}, стало {reading(b.value)} "
                     f"({b.taken_at.strftime('%d.%m.%Y %H:%M')})")  # fmt: skip
    if n > SHOWN_BELOW:
        lines.append(f"  … и ещё {n - SHOWN_BELOW}")
    lines += ["", "Так бывает при ошибке ввода или после замены счётчика. Проведённые, они "
              "войдут в реестр «Счётчики». Провести документ?"]  # fmt: skip
    return "\n".join(lines)


def reading(thousandths: int) -> str:
    """A meter value as the accountant reads it: ``1 234,5`` (no trailing zeros)."""
    whole, frac = divmod(thousandths, 1000)
    text = f"{whole:,}".replace(",", "\u00a0")
    tail = f"{frac:03d}".rstrip("0")
    return f"{text},{tail}" if tail else text


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
