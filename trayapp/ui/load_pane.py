"""«Загрузка из учётной программы»: the billing program's tables, shown before they load.

Choosing files (or a folder) first shows, per file (``core.import_preview.inspect``, the
first rows only): the kind recognised, the sheet, the header row; under «Столбцы» each column
of the kind with the file's column that feeds it (required ones marked «*»; the accountant
picks another in the drop-down below the list, or another kind), under «Первые строки» the
first 10 rows as they will be read, under «Ошибки» what a dry check of them finds.
«Проверить» reads and checks every file whole and loads nothing; «Загрузить» loads them (in
the order they refer to each other, ``core.import_batch``), and a choice made by hand is
remembered for files of the same header: next month's file shows it and loads at once.
Talks to the window through its ``PaneContext``; the core through ``ctx.backend``.
"""

from __future__ import annotations

import re
import tkinter as tk
from pathlib import Path
from tkinter import ttk

from trayapp.core.folders import is_junk
from trayapp.core.import_batch import Plan
from trayapp.core.import_preview import Preview
from trayapp.ui.backend import LoadedFile
from trayapp.ui.cell_tips import CellTips
from trayapp.ui.common import fixed_label, plural
from trayapp.ui.context import PaneContext
from trayapp.ui.desktop import auto_scrollbar, fit_columns

KIND_TITLES = {
    "org": "данные ТСЖ", "providers": "поставщики", "services": "услуги",
    "accounts": "лицевые счета", "balances": "сальдо", "accruals": "начисления",
    "payments": "оплаты", "meters": "счётчики", "readings": "показания",
}  # fmt: skip
TABLES = [("Таблицы (*.csv *.xlsx)", "*.csv *.xlsx"), ("Все файлы", "*.*")]
NO_COLUMN = "— нет —"
START = "Выберите таблицы: до загрузки будет видно, что в них прочитано."
SAMPLE_WIDTH = 110  # a column of the first rows, at 100 %


class LoadPane(ttk.LabelFrame):
    def __init__(self, master: tk.Misc, ctx: PaneContext) -> None:
        super().__init__(master, text="Загрузка из учётной программы", padding=8)
        self.ctx = ctx
        self.loaded: list[LoadedFile] | None = None
        self.plans: dict[Path, Plan] = {}  # the files chosen, with the choices made by hand
        self.previews: dict[Path, Preview | None] = {}
        self.problems: dict[Path, str] = {}  # a file that cannot be read at all
        self.results = False  # the lists show a check's or a load's outcome, not a preview
        row = ttk.Frame(self)
        row.pack(fill="x")
        self.files_button = ttk.Button(row, text="Загрузить файлы…", command=self.load_files)
        self.files_button.pack(side="left")
        self.folder_button = ttk.Button(row, text="Загрузить папку…", command=self.load_folder)
        self.folder_button.pack(side="left", padx=6)
        self.load_button = ttk.Button(row, text="Загрузить", command=self.load_chosen,
                                      state="disabled")  # fmt: skip
        self.load_button.pack(side="right")
        self.check_button = ttk.Button(row, text="Проверить", command=self.check_chosen,
                                       state="disabled")  # fmt: skip
        self.check_button.pack(side="right", padx=6)
        self.load_var = tk.StringVar(self, START)
        fixed_label(self, self.load_var, 2)[0].pack(fill="x", pady=(4, 0))
        background = str(ttk.Style(self).lookup("TFrame", "background"))
        lists = tk.PanedWindow(self, orient="vertical", sashwidth=6, borderwidth=0,
                               background=background)  # fmt: skip
        lists.pack(fill="both", expand=True)
        self.files_tree = _tree(lists, (("file", "Файл", 200), ("kind", "Вид", 100),
                                        ("sheet", "Лист", 80), ("header", "Заголовок", 80),
                                        ("result", "Итог", 220)))  # fmt: skip
        self.files_tree.bind("<<TreeviewSelect>>", lambda _e: self._show_selected())
        self.tabs = ttk.Notebook(lists)
        columns = ttk.Frame(self.tabs, padding=(4, 2))
        self.fields_tree = _tree(columns, (("field", "Столбец", 150), ("header", "Из столбца "
                                           "файла", 200), ("how", "Как найден", 120)), top=0)  # fmt: skip
        self.fields_tree.bind("<<TreeviewSelect>>", lambda _e: self._field_selected())
        # beside the list, packed before it (never cut off), the drop-downs in a column: the
        # list keeps the tab's height (at 150 % a row below it left the list two rows)
        choose = ttk.Frame(columns)
        choose.pack(side="right", fill="y", padx=(8, 0), before=self.fields_tree.master)
        ttk.Label(choose, text="Вид данных:").pack(side="top", anchor="w", pady=(6, 0))
        self.kind_box = ttk.Combobox(choose, state="readonly", width=14,
                                     values=list(KIND_TITLES.values()))  # fmt: skip
        self.kind_box.pack(side="top", fill="x", pady=(2, 8))
        self.kind_box.bind("<<ComboboxSelected>>", lambda _e: self._kind_chosen())
        self.column_label = ttk.Label(choose, text="Столбец файла:")
        self.column_label.pack(side="top", anchor="w")
        self.column_box = ttk.Combobox(choose, state="readonly", width=14)
        self.column_box.pack(side="top", fill="x", pady=(2, 0))
        self.column_box.bind("<<ComboboxSelected>>", lambda _e: self._column_chosen())
        rows = ttk.Frame(self.tabs, padding=4)
        self.rows_tree = _tree(rows, (("line", "Стр.", 50),))
        self.rows_tree.unbind("<Configure>")  # its columns follow the kind: wide, it scrolls
        xbar = ttk.Scrollbar(rows, orient="horizontal", command=self.rows_tree.xview)

        def set_x(first: float, last: float) -> None:
            xbar.set(first, last)
            needed = float(first) > 0.0 or float(last) < 1.0
            if needed and not xbar.winfo_ismapped():
                xbar.pack(side="bottom", fill="x", before=self.rows_tree.master)
            elif not needed and xbar.winfo_ismapped():
                xbar.pack_forget()

        self.rows_tree.configure(xscrollcommand=set_x)
        errors = ttk.Frame(self.tabs, padding=4)
        self.errors_tree = _tree(errors, (("file", "Файл", 170), ("line", "Строка", 60),
                                          ("error", "Ошибка", 360)))  # fmt: skip
        self.errors_tree.tag_configure("error", foreground="#b00020")
        self.tips = [CellTips(t) for t in (self.files_tree, self.fields_tree, self.rows_tree,
                                           self.errors_tree)]  # the whole text of a cut cell
        self.tabs.add(columns, text="Столбцы")
        self.tabs.add(rows, text="Первые строки")
        self.tabs.add(errors, text="Ошибки")
        line = int(ttk.Style(self).lookup("Treeview", "rowheight") or 20)
        # the files (a few) above at their own height; the room goes to the tabs below
        self.files_tree.configure(height=1)
        lists.add(self.files_tree.master, minsize=line * 2, stretch="never")  # type: ignore[arg-type]
        lists.add(self.tabs, minsize=line * 6, stretch="always")

    # ------------------------------------------------------------------ choosing

    def clear(self) -> None:
        """Nothing chosen, nothing shown (after a restore the lists told of another state)."""
        self.plans, self.previews, self.problems = {}, {}, {}
        self.loaded, self.results = None, False
        for tree in (self.files_tree, self.fields_tree, self.rows_tree, self.errors_tree):
            tree.delete(*tree.get_children())
        self.load_var.set(START)
        self.load_button.configure(state="disabled")
        self.check_button.configure(state="disabled")

    def load_files(self) -> None:
        chosen = self.ctx.dialogs.ask_files("Таблицы учётной программы", TABLES)
        if chosen:
            self.preview([Path(p) for p in chosen])

    def load_folder(self) -> None:
        folder = self.ctx.dialogs.ask_dir("Папка с таблицами учётной программы")
        if not folder:
            return
        files = table_files(Path(folder))
        if not files:
            self.ctx.dialogs.info("Загрузка", f"В папке {folder} нет таблиц .csv или .xlsx.")
            return
        self.preview(files)

    def preview(self, paths: list[Path]) -> None:
        """Show what ``paths`` hold, nothing loaded yet."""
        self.plans = {p: Plan(p) for p in paths}
        self.previews, self.problems = {}, {}
        self.load_var.set(f"Читаются {len(paths)} "
                          f"{plural(len(paths), 'файл', 'файла', 'файлов')}…")  # fmt: skip
        self._inspect(list(self.plans.values()))

    def _inspect(self, plans: list[Plan]) -> None:
        self.ctx.worker.submit("preview", lambda: self.ctx.backend.preview(plans),
                               self._previewed, self.ctx.error("Таблицы не прочитаны"))  # fmt: skip

    def _previewed(self, found: list[tuple[Path, Preview | None, str]]) -> None:
        self.results = False
        for path, p, why in found:
            self.previews[path] = p
            if p is None:
                self.problems[path] = why
            else:
                self.problems.pop(path, None)
        selected = self._selected_path()
        self.files_tree.delete(*self.files_tree.get_children())
        for path in self.plans:
            self.files_tree.insert("", "end", iid=str(path), values=self._file_row(path))
        fit_columns(self.files_tree, self.files_tree.winfo_width())
        ready = [p for p in self.previews.values() if p is not None and p.ok]
        n = len(self.plans)
        self.load_var.set(f"Прочитано файлов: {n}, готовы к загрузке: {len(ready)}. Проверьте "
                          "столбцы и нажмите «Загрузить» (или «Проверить»: ничего не "
                          "загружается).")  # fmt: skip
        first = str(selected or next(iter(self.plans)))
        if self.files_tree.exists(first):
            self.files_tree.selection_set(first)
        self._show_selected()
        state = "normal" if self.plans else "disabled"
        self.load_button.configure(state=state)
        self.check_button.configure(state=state)

    def _file_row(self, path: Path) -> tuple[str, ...]:
        p = self.previews.get(path)
        if p is None:
            return (path.name, "не прочитан", "", "", self.problems.get(path, ""))
        state = ("готов" if p.ok else f"ошибок: {len(p.errors)}") + (
            ", столбцы как в прошлый раз" if p.remembered else "")  # fmt: skip
        return (path.name, p.kind_title or "не распознан", p.sheet or "",
                str(p.header_row or ""), state)  # fmt: skip

    def _selected_path(self) -> Path | None:
        sel = self.files_tree.selection()
        return Path(str(sel[0])) if sel and Path(str(sel[0])) in self.plans else None

    # ------------------------------------------------------------------ showing one file

    def _show_selected(self) -> None:
        if self.results:  # the outcome stays until files are chosen again
            return
        path = self._selected_path()
        p = self.previews.get(path) if path is not None else None
        self.fields_tree.delete(*self.fields_tree.get_children())
        self.errors_tree.delete(*self.errors_tree.get_children())
        fields = p.fields if p is not None else ()
        for f in fields:
            how = ("запомнен" if p is not None and p.remembered and f.chosen else "вручную"
                   if f.chosen else "по названию" if f.column >= 0 else "")  # fmt: skip
            self.fields_tree.insert("", "end", iid=f.name, values=(
                f.title + (" *" if f.required else ""), f.header or NO_COLUMN, how))  # fmt: skip
        self.kind_box.set(p.kind_title if p is not None and p.kind else "")
        self.column_box.configure(values=[NO_COLUMN, *(p.headers if p is not None else ())])
        self.column_box.set("")
        self._show_rows(p)
        if path is not None and p is None:
            self.errors_tree.insert("", "end", values=(path.name, "", self.problems[path]),
                                    tags=("error",))  # fmt: skip
        if p is not None:
            for e in p.errors:
                self.errors_tree.insert("", "end", values=(p.path.name, *split_line(e)),
                                        tags=("error",))  # fmt: skip
            for n in p.notes:
                self.errors_tree.insert("", "end", values=(p.path.name, *split_line(n)))
        for tree in (self.fields_tree, self.errors_tree):
            fit_columns(tree, tree.winfo_width())

    def _show_rows(self, p: Preview | None) -> None:
        tree = self.rows_tree
        names = ["line", *(f.name for f in (p.fields if p is not None else ()))]
        tree.delete(*tree.get_children())
        tree.configure(columns=names, displaycolumns=names)
        scale = max(1.0, float(tree.tk.call("tk", "scaling")) / (96 / 72))
        tree.heading("line", text="Стр.")
        tree.column("line", width=int(50 * scale), stretch=False)
        for f in p.fields if p is not None else ():
            tree.heading(f.name, text=f.title)
            tree.column(f.name, width=int(SAMPLE_WIDTH * scale), stretch=True)
        for r in p.rows if p is not None else ():
            tree.insert("", "end", values=(r.line, *r.values),
                        tags=("error",) if r.errors else ())  # fmt: skip
        tree.tag_configure("error", foreground="#b00020")

    # ------------------------------------------------------------------ choices by hand

    def _field_selected(self) -> None:
        sel = self.fields_tree.selection()
        if sel:
            header = str(self.fields_tree.item(sel[0], "values")[1])
            self.column_box.set(header)

    def _column_chosen(self) -> None:
        """The selected column of the kind is fed by the file's column chosen."""
        path, sel = self._selected_path(), self.fields_tree.selection()
        p = self.previews.get(path) if path is not None else None
        if path is None or p is None or not sel:
            return
        header = self.column_box.get()
        self.choose_column(str(sel[0]), "" if header == NO_COLUMN else header)

    def choose_column(self, field: str, header: str) -> None:
        """For the selected file, ``field`` is read from its column ``header`` ("" none)."""
        path = self._selected_path()
        p = self.previews.get(path) if path is not None else None
        if path is None or p is None:
            return
        plan = self.plans[path]
        columns = {**(plan.columns or {}), field: header}  # only what the accountant chose
        self.plans[path] = Plan(path, plan.kind, plan.sheet, plan.header_row, columns)
        self._inspect(list(self.plans.values()))  # the files after it may refer to it

    def _kind_chosen(self) -> None:
        path = self._selected_path()
        kind = next((k for k, t in KIND_TITLES.items() if t == self.kind_box.get()), None)
        if path is None or kind is None:
            return
        self.plans[path] = Plan(path, kind)
        self._inspect(list(self.plans.values()))

    # ------------------------------------------------------------------ checking, loading

    def check_chosen(self) -> None:
        plans = list(self.plans.values())
        self.load_var.set("Проверяется… (ничего не загружается)")
        self.ctx.worker.submit("check", lambda: self.ctx.backend.load_files(
            plans, self.ctx.worker.progress, check=True), lambda r: self._loaded(r, True),
            self.ctx.error("Таблицы не проверены"))  # fmt: skip

    def load_chosen(self) -> None:
        self.load(list(self.plans.values()))

    def load(self, paths: list[Path] | list[Plan], replace_org: bool = False) -> None:
        """Load ``paths`` (plain paths: as found; plans: with the preview's choices)."""
        self.load_var.set(
            f"Загружается {len(paths)} {plural(len(paths), 'файл', 'файла', 'файлов')}…"
        )
        self.ctx.worker.submit("load", lambda: self.ctx.backend.load_files(
            paths, self.ctx.worker.progress, replace_org), self._loaded,
            self.ctx.error("Данные не загружены"))  # fmt: skip

    def _loaded(self, results: list[LoadedFile], checked: bool = False) -> None:
        self.loaded = None if checked else results
        self.results = True
        self.files_tree.delete(*self.files_tree.get_children())
        self.errors_tree.delete(*self.errors_tree.get_children())
        bad = 0
        for r in results:
            kind = KIND_TITLES.get(r.kind, "не распознан")
            if r.errors:
                bad += 1
                result = f"не {'прошёл проверку' if checked else 'загружен'}: " + (
                    r.errors[0][1] if len(r.errors) == 1 else f"ошибок {len(r.errors)}")
                for line, message in r.errors:
                    self.errors_tree.insert("", "end", values=(r.path.name, *split_line(
                        message, line)), tags=("error",))  # fmt: skip
            elif checked:
                result = f"проверен: строк {r.rows}, ошибок нет"
            else:
                result = f"загружено строк {r.rows} (новых {r.inserted}, изменено {r.updated})"
            if not r.errors and r.notes:  # read other than as written: said beside and below
                result += "; " + "; ".join(r.notes)
                for n in r.notes:
                    self.errors_tree.insert("", "end", values=(r.path.name, *split_line(n)))
            p = self.previews.get(r.path)
            self.files_tree.insert("", "end", iid=str(r.path), values=(
                r.path.name, kind, (p.sheet or "") if p else "",
                str(p.header_row or "") if p else "", result))  # fmt: skip
        for tree in (self.files_tree, self.errors_tree):
            fit_columns(tree, tree.winfo_width())
        good = len(results) - bad
        if bad or any(r.notes for r in results):  # the causes, or what was read otherwise
            self.tabs.select(2)  # type: ignore[no-untyped-call]  # «Ошибки»
        if checked:
            self.load_var.set(f"Проверено файлов: {len(results)}, без ошибок: {good}. Ничего не "
                              "загружено.")  # fmt: skip
            return
        self.plans, self.previews = {}, {}
        self.load_button.configure(state="disabled")
        self.check_button.configure(state="disabled")
        notes = "".join(f"; «{r.path.name}»: {n}" for r in results if not r.errors
                        for n in r.notes if "ведущих нулей" in n)  # said in the CLI too  # fmt: skip
        self.load_var.set(f"Загружено файлов: {good}" + (f", не загружено: {bad} (ошибки ниже)"
                                                         if bad else "") + notes)  # fmt: skip
        self.ctx.refresh()
        self._ask_org_change(results)

    def _ask_org_change(self, results: list[LoadedFile]) -> None:
        """An org file of another ИНН was not loaded: ask whether to replace (associations.md)."""
        other = next((r for r in results if r.org_change), None)
        if other is not None and self.ctx.dialogs.ask_yes_no(
            "Другая организация",
            f"{other.errors[0][1]}.\n\nЗаменить ИНН и название этого ТСЖ данными из файла "
            f"{other.path.name}?",
        ):
            self.load([other.path], replace_org=True)


def split_line(message: str, line: int = 0) -> tuple[str, str]:
    """(the «Строка» column, the text): «строка: 9, неизв.лиц.счёт: 7003» is ("9", the
    rest), «… — строки 5–6» is ("5–6", the rest), «строка 12 «Итого» — …» is ("12", as
    written); ``line`` where the caller knows it."""
    m = _ONE.match(message)
    if m:
        return m[1], m[2]
    m = _MANY.search(message)
    if m:
        return m[1], message[: m.start()]
    m = _FOOT.match(message)
    if m:
        return m[1], message
    return (str(line) if line else ""), message


_ONE = re.compile(r"строка: (\d+), (.*)$", re.ASCII | re.DOTALL)
_MANY = re.compile(r" — строк[аи] ([\d–, ]+(?: и ещё \d+)?)$", re.ASCII)
_FOOT = re.compile(r"строка (\d+) «", re.ASCII)


def table_files(folder: Path) -> list[Path]:
    """The tables of «Загрузить папку…»: .csv and .xlsx, without Excel's lock files
    (``~$Оплаты.xlsx`` while the book is open) and other junk (``is_junk``)."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in (".csv", ".xlsx") and not is_junk(folder, p.name)
                  and p.is_file())  # fmt: skip


def _tree(parent: tk.Misc, cols: tuple[tuple[str, str, int], ...], top: int = 6) -> ttk.Treeview:
    frame = ttk.Frame(parent, padding=(0, top, 0, 0))
    if not isinstance(parent, tk.PanedWindow):  # a pane's parent places it itself
        frame.pack(fill="both", expand=True)
    tree = ttk.Treeview(frame, columns=[c[0] for c in cols], show="headings", height=3,
                        selectmode="browse")  # fmt: skip
    for key, title, width in cols:
        tree.heading(key, text=title)
        tree.column(key, width=width, stretch=key in ("file", "result", "error", "header"))
    scroll = ttk.Scrollbar(frame, orient="vertical", command=tree.yview)
    tree.pack(side="left", fill="both", expand=True)
    auto_scrollbar(scroll, tree)  # shown only while rows are out of view
    tree.bind("<Configure>", lambda e: fit_columns(tree, e.width))  # narrow: columns give way
    return tree
