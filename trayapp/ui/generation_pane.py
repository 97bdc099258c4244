"""«Формирование реестров»: the billing month, «Только квартиры», «Услуги», «Задолженность»,
«Счётчики», «Показать файл», «Открыть каталог обмена» and the last result, in a column.

The month choice offers the months with accruals, the latest first; a load that adds a later
month selects it, and Debts for a month older than the latest asks first (issue 17). A
registry of a kind still waiting in Исходящие is asked about («Да» replaces it). Talks to the
window only through its ``PaneContext``; the core through ``ctx.backend`` in ``ctx.worker``.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from trayapp.core import values as v
from trayapp.core.registries import GenerateResult
from trayapp.errors import AppError
from trayapp.ui.backend import Snapshot
from trayapp.ui.common import fixed_label, money, plural, rubles
from trayapp.ui.context import PaneContext
from trayapp.ui.header import tooltip
from trayapp.ui.texts import NO_ACCRUALS, NOT_MADE, month_title, older_month_text

GEN_KINDS = (("services", "Услуги", "Реестр услуг: при первом обмене и при новых услугах"),
             ("debts", "Задолженность", "Реестр задолженности за выбранный месяц начислений"),
             ("meters", "Счётчики", "Реестр счётчиков с показаниями на 1-е число "
                                    "следующего месяца"))  # fmt: skip
OUTGOING_PREFIX = {"services": "Services_", "debts": "Debts_", "meters": "Meters_"}


class GenerationPane(ttk.LabelFrame):
    def __init__(self, master: tk.Misc, ctx: PaneContext) -> None:
        super().__init__(master, text="Формирование", padding=8)
        self.ctx = ctx
        self.last_generated: GenerateResult | None = None
        self.months: list[str] = []
        self._latest_month: int | None = None  # the latest month with accruals, once shown
        ttk.Label(self, text="Месяц начислений:").grid(row=0, column=0, sticky="w")
        self.month_var = tk.StringVar(self, "")  # MM.YYYY; the button shows it in words
        self.month_button = ttk.Menubutton(self, text="…", width=16)
        self.month_menu = tk.Menu(self.month_button, tearoff=False)
        self.month_button.configure(menu=self.month_menu)
        self.month_button.grid(row=1, column=0, sticky="we", pady=(2, 4))
        self.month_var.trace_add("write", lambda *_: self.month_button.configure(
            text=month_title(self.month_var.get())))  # fmt: skip
        tooltip(self.month_button, "Месяц начислений; по умолчанию последний месяц с "
                                   "начислениями")  # fmt: skip
        self.apartments_var = tk.BooleanVar(self, False)
        self.apartments_check = ttk.Checkbutton(self, text="Только квартиры",
                                                variable=self.apartments_var)  # fmt: skip
        self.apartments_check.grid(row=2, column=0, sticky="w", pady=(0, 6))
        self.gen_buttons: dict[str, ttk.Button] = {}
        row = 3
        for kind, label, tip in GEN_KINDS:
            b = ttk.Button(self, text=label, command=self._generator(kind))
            b.grid(row=row, column=0, sticky="we", pady=1)
            tooltip(b, tip + "; файл ляжет в каталог Исходящие")
            self.gen_buttons[kind] = b
            row += 1
        self.show_file_button = ttk.Button(self, text="Показать файл", state="disabled",
                                           command=self.show_generated)  # fmt: skip
        self.show_file_button.grid(row=row, column=0, sticky="we", pady=(8, 1))
        tooltip(self.show_file_button, "Открыть последний сформированный файл")
        self.folder_button = ttk.Button(self, text="Каталог обмена",
                                        command=self.open_folder)  # fmt: skip
        self.folder_button.grid(row=row + 1, column=0, sticky="we", pady=1)
        tooltip(self.folder_button, "Открыть каталог обмена: Исходящие, Отправлены, Входящие")
        self.gen_result_var = tk.StringVar(self, "")
        # the result wraps in the column's width; the rest of the column is its room
        frame, self.result_label = fixed_label(self, self.gen_result_var, 4)
        frame.grid(row=row + 2, column=0, sticky="nwe", pady=(8, 0))
        self.rowconfigure(row + 2, weight=1)
        self.columnconfigure(0, weight=1)

    # ------------------------------------------------------------------ showing

    def show(self, snap: Snapshot) -> None:
        said = self.gen_result_var.get()  # «уже ждёт X» is stale once a session has sent X
        if said.startswith(NOT_MADE) and not any(n in said for n in snap.outgoing):
            self.gen_result_var.set("")
        self._fill_months(snap.months)

    def _fill_months(self, periods: list[int]) -> None:
        """The month choice offers the months with accruals only, the latest first (without
        any the button says so and waits: nothing can be generated for a month yet)."""
        months = [v.format_month(m) for m in periods]
        self.months = months
        self.month_menu.delete(0, "end")
        for text in months:
            self.month_menu.add_radiobutton(label=month_title(text), value=text,
                                            variable=self.month_var)  # fmt: skip
        if not months:
            self.month_var.set("")
            self.month_button.configure(text=NO_ACCRUALS, state="disabled")
            return
        self.month_button.configure(state="normal")
        newer = self._latest_month is not None and periods[0] > self._latest_month
        self._latest_month = periods[0]
        # the first start, its month gone, or a load added a later month: the latest
        if newer or self.month_var.get() not in months:
            self.month_var.set(months[0])

    def month_text(self) -> str:
        return self.month_var.get()

    # ------------------------------------------------------------------ acting

    def _month(self) -> int | None:
        text = self.month_var.get().strip()
        if not text:
            return None
        month = v.parse_month(text)
        if month is None:
            raise AppError(f"месяц «{text}»: ожидается ММ.ГГГГ, например 03.2017")
        return month

    def _generator(self, kind: str) -> Callable[[], None]:
        return lambda: self.generate(kind)

    def generate(self, kind: str) -> None:
        ctx = self.ctx
        try:
            month = self._month()
        except AppError as exc:
            ctx.dialogs.error("Месяц начислений", exc.message)
            return
        latest = self._latest_month
        if (kind == "debts" and month is not None and latest is not None and month < latest
                and not ctx.dialogs.ask_yes_no("Месяц начислений", older_month_text(
                    month, latest))):  # fmt: skip
            self.gen_result_var.set(f"Не сформирован: выбран {month_title(v.format_month(month))}"
                                    f", а начисления есть и за "
                                    f"{month_title(v.format_month(latest))}")  # fmt: skip
            return
        apartments = self.apartments_var.get()
        today = ctx.today()
        snap = ctx.snapshot
        waiting = [n for n in (snap.outgoing if snap is not None else [])
                   if n.startswith(OUTGOING_PREFIX.get(kind, "?"))]  # fmt: skip
        replace: list[str] = []
        if waiting:
            names = ", ".join(waiting)
            if not ctx.dialogs.ask_yes_no(
                    "Реестр уже ждёт отправки",
                    f"В каталоге Исходящие уже ждёт отправки {names}: «Мои счета» его ещё не "
                    "получили.\n\nЗаменить его новым? («Нет» — ничего не формировать)"):  # fmt: skip
                self.gen_result_var.set(f"{NOT_MADE}{names}.")
                return
            replace = waiting
        self.gen_result_var.set("Формируется…")

        def job() -> GenerateResult:
            for name in replace:  # withdrawn only once the user said so, just before the new
                ctx.backend.withdraw(name)
            return ctx.backend.generate(kind, month, apartments, today, ctx.worker.progress)

        ctx.worker.submit(f"generate:{kind}", job, self._generated,
                          ctx.error("Реестр не сформирован"))  # fmt: skip

    def _generated(self, r: GenerateResult) -> None:
        self.last_generated = r
        lines = [f"Сформирован {r.file.name}: строк {r.rows}"
                 + (f", сумма {money(r.total)}" if r.total is not None else "")]  # fmt: skip
        if r.period is not None and r.as_of is not None:
            lines[0] += f", месяц {v.format_month(r.period)}, на {v.format_date(r.as_of)}"
        if r.skipped_services:
            lines.append("Услуги без кода не попали в файл: " + "; ".join(r.skipped_services))
        closed, owed = r.closed_with_debt
        if closed:
            lines.append(f"Закрытые лицевые счета с долгом в реестр не вошли (так по правилам): "
                         f"{closed} {plural(closed, 'счёт', 'счёта', 'счетов')} на сумму "
                         f"{rubles(owed)}")  # fmt: skip
        if r.accounts_without_services:
            lines.append("Лицевые счета без услуг (нет строк): "
                         + ", ".join(r.accounts_without_services[:20]))  # fmt: skip
        self.gen_result_var.set("\n".join(lines))
        self.ctx.say(f"Файл {r.file.name} в каталоге Исходящие уйдёт при обмене.")
        self.show_file_button.configure(state="normal")
        self.ctx.refresh()

    def show_generated(self) -> None:
        if self.last_generated is not None:
            self.ctx.open(self.last_generated.file)

    def open_folder(self) -> None:
        snap = self.ctx.snapshot
        if snap is not None and snap.exchange_folder is not None:
            self.ctx.open(snap.exchange_folder)
