"""«Полученные реестры, ждущие приёма»: the list, its buttons beside it (always in view),
the acceptance's result, and the bank check of the selected registry below (``BankPanel``,
in a pane the accountant can resize).

«Принять» first shows the registry's summary (``texts.summary_text``), then the bank's
question where a statement was loaded, then accepts in the worker and opens the report.
Talks to the window only through its ``PaneContext``.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import ttk

from trayapp.core.accept import AcceptResult
from trayapp.core.reconcile import Match
from trayapp.core.summary import PendingSummary
from trayapp.errors import AppError
from trayapp.ui.backend import Snapshot
from trayapp.ui.bank_panel import COLUMN as BANK_COLUMN
from trayapp.ui.bank_panel import BankPanel
from trayapp.ui.cell_tips import CellTips
from trayapp.ui.common import fixed_label, money
from trayapp.ui.context import PaneContext
from trayapp.ui.desktop import auto_scrollbar, fit_columns
from trayapp.ui.header import tooltip
from trayapp.ui.texts import pending_row, summary_text

COLUMNS = (("file", "Файл", 220), ("kind", "Вид", 90), ("date", "Дата", 90), ("number", "№", 40),
           ("rows", "Строк", 60), ("sum", "Сумма", 110),
           (BANK_COLUMN, "Сверка с банком", 120))  # fmt: skip
# hidden first where the list is too narrow for the file's name: the rows (in the summary),
# the date and the kind (in the name), the bank's word (below, for the registry selected)
OPTIONAL = ("rows", "date", "kind", BANK_COLUMN)


class PendingPane(ttk.LabelFrame):
    def __init__(self, master: tk.Misc, ctx: PaneContext) -> None:
        super().__init__(master, text="Полученные реестры, ждущие приёма", padding=8)
        self.ctx = ctx
        self.report_path: Path | None = None
        self.last_accepted: AcceptResult | None = None
        # the buttons in a column at the right, always in view; beside them the list above
        # and the bank's check of the selected registry below, a sash between
        self.buttons = ttk.Frame(self)
        self.buttons.pack(side="right", fill="y", padx=(8, 0))  # first: never cut off
        self.split = tk.PanedWindow(self, orient="vertical", sashwidth=6, borderwidth=0,
                                    background=str(ttk.Style(self).lookup("TFrame",
                                                                          "background")))  # fmt: skip
        self.split.pack(side="left", fill="both", expand=True)
        top = ttk.Frame(self.split)
        # below: the selected registry's transfers, and every transfer the bank holds
        bottom = ttk.Notebook(self.split)
        matched, held = ttk.Frame(bottom, padding=4), ttk.Frame(bottom, padding=4)
        bottom.add(matched, text="Сверка выбранного реестра")
        bottom.add(held, text="Поступления по выписке")
        self.accept_result_var = tk.StringVar(self, "")
        fixed_label(top, self.accept_result_var, 3)[0].pack(side="bottom", fill="x",
                                                            pady=(4, 0))  # fmt: skip
        frame = ttk.Frame(top)
        frame.pack(side="left", fill="both", expand=True)
        self.tree = ttk.Treeview(frame, columns=[c[0] for c in COLUMNS], show="headings",
                                 height=3, selectmode="browse")  # fmt: skip
        for key, title, width in COLUMNS:
            self.tree.heading(key, text=title)
            self.tree.column(key, width=width, stretch=key == "file",
                             anchor="e" if key in ("rows", "sum") else "w")  # fmt: skip
        # the registry's number is in its name (…_001.txt): not a column of its own
        self.tree.configure(displaycolumns=[c[0] for c in COLUMNS if c[0] != "number"])
        scroll = ttk.Scrollbar(frame, orient="vertical", command=self.tree.yview)
        self.tree.pack(side="left", fill="both", expand=True)
        auto_scrollbar(scroll, self.tree)  # shown only while rows are out of view
        # the columns give way where the window is narrow: «Сверка с банком» stays; where
        # even that does not leave the file name whole (1024x768 at 150 %), the columns the
        # name or the bank's check below repeat are hidden
        self.tree.bind("<Configure>", lambda e: fit_columns(self.tree, e.width, OPTIONAL))
        self.tree.bind("<<TreeviewSelect>>", lambda _e: self._selected())
        self.tips = CellTips(self.tree)  # a cut file name or status whole

        def button(text: str, command: object, tip: str, **options: object) -> ttk.Button:
            b = ttk.Button(self.buttons, text=text, command=command, **options)  # type: ignore[arg-type]
            b.pack(side="top", fill="x", pady=(0, 3))
            tooltip(b, tip)
            return b

        self.accept_button = button("Принять", self.accept_selected,
                                    "Принять выбранный реестр: документы, отчёт и "
                                    "подтверждение для «Мои счета»")  # fmt: skip
        self.view_button = button("Показать", self.view_selected,
                                  "Открыть выбранный реестр: строки, итог, суммы по услугам")
        self.refresh_button = button("Обновить", ctx.refresh,
                                     "Перечитать список реестров, ждущих приёма")
        self.report_button = button("Открыть отчёт", self.open_report,
                                    "Открыть отчёт по последнему принятому реестру",
                                    state="disabled")  # fmt: skip
        self.xlsx_button = button("Отчёт в Excel", self.report_xlsx,
                                  "Отчёт по последнему принятому реестру ещё раз, в Excel",
                                  state="disabled")  # fmt: skip
        self.bank = BankPanel(matched, self.tree, self.buttons, ctx.worker, ctx.backend,
                              ctx.dialogs, ctx.refresh, ctx.error, held)  # fmt: skip
        # in the column of buttons, apart from the list's own; its check fills the pane
        self.bank.load_button.pack_configure(side="top", fill="x", padx=0, pady=(12, 3))
        self.bank.transfers.master.pack_configure(fill="both", expand=True)  # type: ignore[attr-defined]
        self.bank.transfers.pack_configure(fill="both", expand=True)
        tooltip(self.bank.load_button, "Выписка из банк-клиента (выгрузка в 1С, kl_to_1c.txt): "
                                       "сверить реестры оплат с переводами")  # fmt: skip
        line = int(ttk.Style(self).lookup("Treeview", "rowheight") or 20)
        self.split.add(top, minsize=line * 6, stretch="always")
        self.split.add(bottom, minsize=line * 4, stretch="always")
        self.bottom = bottom  # the bank's part: a tab per list

    # ------------------------------------------------------------------ showing

    def show(self, snap: Snapshot) -> None:
        selected = self.selected()
        self.tree.delete(*self.tree.get_children())
        for item in snap.pending:
            self.tree.insert("", "end", iid=item.file, values=pending_row(item))
        fit_columns(self.tree, self.tree.winfo_width(), OPTIONAL)  # for the new rows
        if selected and self.tree.exists(selected):
            self.tree.selection_set(selected)
        elif snap.pending:
            self.tree.selection_set(snap.pending[0].file)
        self.bank.show(snap.bank, snap.statements, self.selected(), snap.transfers)

    def update_buttons(self) -> None:
        chosen = self.selected() is not None
        accepting = self.ctx.worker.busy("accept")
        self.accept_button.configure(state="normal" if chosen and not accepting else "disabled")
        self.report_button.configure(state="normal" if self.report_path else "disabled")
        self.xlsx_button.configure(state="normal" if self.last_accepted else "disabled")
        self.view_button.configure(state="normal" if chosen else "disabled")

    def _selected(self) -> None:
        self.bank.select(self.selected())
        self.ctx.update_buttons()

    def selected(self) -> str | None:
        sel = self.tree.selection()
        return str(sel[0]) if sel else None

    # ------------------------------------------------------------------ acting

    def accept_selected(self) -> None:
        name = self.selected()
        if name is None:
            self.ctx.dialogs.info("Приём реестра", "Выберите реестр в списке.")
            return
        self.accept_result_var.set(f"Проверяется {name}…")
        backend = self.ctx.backend
        self.ctx.worker.submit("summary", lambda: (backend.summary(name), backend.bank_match(name)),
                               lambda r: self._confirm_accept(name, *r),
                               self._not_accepted(name))  # fmt: skip

    def _confirm_accept(self, name: str, sm: PendingSummary,
                        found: tuple[Match | None, int] | None = None) -> None:  # fmt: skip
        """The registry's count and total, sums per service and per provider, and «сверьте с
        банком»."""
        ctx = self.ctx
        self.accept_result_var.set("")
        if not ctx.dialogs.confirm("Приём реестра",
                                   summary_text(sm, self.bank.accept_text(name, found))):
            self.accept_result_var.set(f"Реестр {name} не принят: приём отменён.")
            return
        if not self.bank.confirm_accept(name):
            return
        self.accept_result_var.set(f"Принимается {name}…")
        # in a process of its own: the Tk loop never waits for the job's GIL (ui/apart.py)
        ctx.worker.submit("accept", lambda: ctx.backend.accept_apart(name, ctx.worker.progress,
                                                                     sm.sha256 or None),
                          self._accepted, self._not_accepted(name))  # fmt: skip

    def _not_accepted(self, name: str) -> Callable[[AppError], None]:
        """The error shown, the result line says so (not «Проверяется …» for ever), and the
        list read again: the registry may have been accepted from elsewhere meanwhile."""
        shown = self.ctx.error("Реестр не принят")

        def on_error(exc: AppError) -> None:
            self.accept_result_var.set(f"Реестр {name} не принят: {exc.message}")
            shown(exc)
            self.ctx.refresh()

        return on_error

    def _accepted(self, r: AcceptResult) -> None:
        self.last_accepted = r
        what = "оплат" if r.kind == "PAYMENTS" else "показаний"
        text = f"Принят {r.file}: документ № {r.document}, {what} {r.rows}"
        if r.kind == "PAYMENTS":
            text += f", сумма {money(r.total)}"
        text += ". Подтверждение уйдёт при следующем обмене."
        if r.kind == "READINGS":
            text += (" Документ «Показания новые» просмотрите (отчёт) и проведите на вкладке "
                     "«Данные»: до этого реестр «Счётчики» его показаний не учтёт.")  # fmt: skip
        self.accept_result_var.set(text)
        self.ctx.say(f"Принят {r.file}, документ № {r.document}")
        self.report_path = r.report
        if r.report is not None:  # the manual: «на экран выводится отчёт»
            self.ctx.open(r.report)
        self.ctx.refresh()

    def view_selected(self) -> None:
        name = self.selected()
        snap = self.ctx.snapshot
        if name is not None and snap is not None and snap.exchange_folder:
            self.ctx.open(snap.exchange_folder / "Входящие" / name)

    def report_xlsx(self) -> None:
        if self.last_accepted is None:
            return
        name = self.last_accepted.file
        self.ctx.worker.submit("report", lambda: self.ctx.backend.report_again(name, True),
                               self.ctx.open, self.ctx.error("Отчёт не сформирован"))  # fmt: skip

    def open_report(self) -> None:
        if self.report_path is not None:
            self.ctx.open(self.report_path)
