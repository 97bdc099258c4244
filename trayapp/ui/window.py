"""The window: the manual's «Формирование и приём реестров» as a compact ttk window.

A header with the logo button (a click runs an exchange session; in settings mode it returns
to work, as the manual says) and the status line («Не было обмена с 'Мои счета'», then the
counts of the last session); a «Реестры» tab (month, «Только квартиры», the buttons
«Услуги», «Задолженность», «Счётчики», and the list of received registries waiting to be
accepted with «Обновить», «Принять», «Открыть отчёт»); a «События» tab (every notice of the
exchange, so nothing depends on a toast being seen); a «Настройки» tab, opened at first
start. Every job runs in the ``Worker``; only this thread touches widgets. ``on_state`` tells
the tray the icon state, badge count, tooltip and new notices. Calls the core only through
``Backend``: no SQL, no HTTP, no file moves.
"""

from __future__ import annotations

import logging
import re
import time
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from tkinter import ttk
from typing import Any, Literal

from PIL import ImageTk

from trayapp.core import values as v
from trayapp.core.accept import AcceptResult, PendingItem
from trayapp.core.progress import Report, describe
from trayapp.core.registries import GenerateResult
from trayapp.core.summary import PendingSummary
from trayapp.core.values import NBSP
from trayapp.errors import AppError, PasswordError, ServerError
from trayapp.settings import Settings
from trayapp.ui import icon
from trayapp.ui.backend import Backend, Event, ExchangeOutcome, Snapshot
from trayapp.ui.backup_pane import BackupPane
from trayapp.ui.bank_panel import COLUMN as BANK_COLUMN
from trayapp.ui.bank_panel import BankPanel
from trayapp.ui.common import (
    APP_TITLE,
    CODING_LABELS,
    KIND_NAMES,
    NO_EXCHANGE,
    Dialogs,
    Fonts,
    Scrolled,
    fixed_label,
    fixed_labels,
    money,
    open_path,
    plural,
    rubles,
    status_text,
    tooltip_text,
)
from trayapp.ui.data_panel import DataPanel
from trayapp.ui.desktop import (
    apply_theme,
    bring_to_front,
    fit_columns,
    fit_screen,
    russian_dialogs,
    scale_factor,
    scale_layout,
)
from trayapp.ui.settings_form import SettingsForm
from trayapp.ui.worker import Worker

log = logging.getLogger(__name__)

GEN_KINDS = (("services", "Услуги", "Реестр услуг: при первом обмене и при новых услугах"),
             ("debts", "Задолженность", "Реестр задолженности за выбранный месяц начислений"),
             ("meters", "Счётчики", "Реестр счётчиков с показаниями на 1-е число "
                                    "следующего месяца"))  # fmt: skip


PASSWORD_IN_MEMORY = ("Надёжного хранилища паролей в системе нет, поэтому пароль хранится только "
                      "в памяти программы, до выхода из неё (в файл он не записывается). "
                      "После перезапуска программа спросит его снова.")  # fmt: skip
ASK_PASSWORD = ("Введите пароль «Мои счета». Надёжного хранилища паролей в системе нет: "
                "пароль будет храниться только в памяти, до выхода из программы.")  # fmt: skip


@dataclass(frozen=True, slots=True)
class UiState:
    """What the tray shows: icon state, the last session's counts (None: no session yet),
    tooltip, and notices to pop up."""

    state: str
    sent: int | None
    received: int | None
    tooltip: str
    notices: list[str] = field(default_factory=list)


def _tooltip(widget: tk.Widget, text: str) -> None:
    try:
        from tktooltip import ToolTip

        ToolTip(widget, msg=text, delay=0.6)
    except Exception:  # a missing or broken tooltip package costs the tooltips only
        log.debug("no tooltips", exc_info=True)


class MainWindow:
    """The window in ``root``; ``first_start`` opens it in settings mode."""

    def __init__(self, root: tk.Tk, backend: Backend, dialogs: Dialogs | None = None,
                 on_state: Callable[[UiState], None] | None = None,
                 today: Callable[[], date] = date.today) -> None:  # fmt: skip
        self.root = root
        self.backend = backend
        self.dialogs = dialogs or Dialogs(root)
        self.on_state = on_state
        self.today = today
        self.worker = Worker(root)
        self.snapshot: Snapshot | None = None
        self.state = icon.IDLE
        self.offline = False  # the last session could not reach the server
        self.session_failed = False  # the last session from this window failed otherwise
        self._failure_notified: str | None = None  # a failure is notified once, not each retry
        self.report_path: Path | None = None
        self.last_generated: GenerateResult | None = None
        self.last_accepted: AcceptResult | None = None
        self.last_exchange: ExchangeOutcome | None = None
        self._session_ended = -SESSION_GAP_S  # monotonic end of the last session
        self._latest_month: int | None = None  # the latest month with accruals, once shown
        self.local_events: list[Event] = []
        self._event_text: dict[str, str] = {}  # the events list's row -> the whole text
        self.on_quit: Callable[[], None] | None = None  # the tray's «Выход»
        self._images: list[Any] = []  # PhotoImages must stay referenced

        self.theme = apply_theme(root)
        russian_dialogs(root)
        self.fonts = Fonts(root)
        self.scale = scale_factor(root)
        self.opener: Callable[[Path], None] = open_path  # tests record instead
        root.title(f"{APP_TITLE} (версия {backend.version})")
        root.minsize(640, 480)
        self._set_window_icon()
        outer = ttk.Frame(root, padding=8)
        outer.pack(fill="both", expand=True)
        self._build_header(outer)
        self.notebook = ttk.Notebook(outer)
        self.notebook.pack(fill="both", expand=True, pady=(8, 0))
        self.work_tab = Scrolled(self.notebook)  # scrolls where the window is too short
        self.events_tab = ttk.Frame(self.notebook, padding=8)
        self.data_panel = DataPanel(self.notebook, backend, self.worker, self.dialogs,
                                    self._error, self.refresh, lambda: (
                                        self.snapshot.exchange_folder if self.snapshot
                                        else None, self.month_var.get()))  # fmt: skip
        self.notebook.add(self.work_tab, text="Реестры")
        self.notebook.add(self.data_panel, text="Данные")
        self.notebook.add(self.events_tab, text="События")
        self._build_generation(self.work_tab.body)
        self._build_pending(self.work_tab.body)
        self._build_events(self.events_tab)
        self.settings_form = SettingsForm(self.notebook, self.dialogs, self.save_settings)
        self.notebook.add(self.settings_form, text="Настройки")
        self.backup_pane = BackupPane(self.settings_form.body, backend, self.worker, self.dialogs,
                                      self._error, lambda t: self.message_var.set(t), self.refresh,
                                      lambda: self.settings_form.load(*backend.load_settings()[::2]))  # fmt: skip
        self.backup_pane.grid(row=99, column=0, columnspan=3, sticky="ew", pady=(8, 0))
        self.message_var = tk.StringVar(root, "")
        # the footer keeps its height whatever the message: the layout never jumps
        line = int(self.fonts.small.metrics("linespace"))
        footer = ttk.Frame(outer, height=line * 4 + 12)
        # packed at the bottom before the notebook: the notebook shrinks, never the strip
        footer.pack(side="bottom", fill="x", pady=(6, 0), before=self.notebook)
        footer.pack_propagate(False)
        progress_row = ttk.Frame(footer)
        progress_row.pack(fill="x")
        # the themed bar is as grey as its trough under «clam»: a colour that tells them apart
        ttk.Style(root).configure(PROGRESS_STYLE, background=PROGRESS_COLOUR)
        self.progress = ttk.Progressbar(progress_row, mode="indeterminate", length=160,
                                        style=PROGRESS_STYLE)  # fmt: skip
        self.step_var = tk.StringVar(root, "")
        self.step_label = ttk.Label(progress_row, textvariable=self.step_var)
        self.step_label.pack(side="left", padx=8)
        self.message_label = ttk.Label(footer, textvariable=self.message_var,
                                       foreground="#444444", wraplength=720, justify="left")  # fmt: skip
        self.message_label.pack(fill="x", pady=(2, 0))
        footer.bind("<Configure>", lambda e: self.message_label.configure(
            wraplength=max(200, e.width - 8)))  # fmt: skip
        self._progress_on = False
        self._progress_mode = ""  # "determinate" once a count with its total is reported
        self._tick_after = root.after(PROGRESS_MS, self._tick)

        settings, exists, default_folder = backend.load_settings()
        self.settings_form.load(settings, default_folder)
        self.coding = settings.coding
        self.first_start = not exists
        scale_layout(root, self.scale)
        fit_screen(root)
        if self.first_start:
            self.settings_mode()
            self.message_var.set("Первый запуск: задайте настройки и нажмите «Сохранить».")
        self.refresh()

    # ------------------------------------------------------------------ building

    def _set_window_icon(self) -> None:
        photo: Any = ImageTk.PhotoImage(icon.logo(64), master=self.root)
        self._images.append(photo)
        self.root.iconphoto(True, photo)

    def _build_header(self, parent: ttk.Frame) -> None:
        head = ttk.Frame(parent)
        head.pack(fill="x")
        self.logo_image = self._photo(icon.IDLE, None, None)
        self.logo_button = ttk.Button(head, image=self.logo_image, command=self.logo_clicked)
        self.logo_button.pack(side="left")
        self.exchange_button = ttk.Button(head, text="Обмен", command=self.exchange)
        self.exchange_button.pack(side="left", padx=(6, 0))
        _tooltip(self.exchange_button, "Сеанс обмена с «Мои счета»: отправить Исходящие, "
                                       "принять новые файлы")  # fmt: skip
        _tooltip(self.logo_button, "Обмен с «Мои счета»: отправить Исходящие, принять новые "
                                   "файлы (в режиме настроек: вернуться к работе)")  # fmt: skip
        self.quit_button = ttk.Button(head, text="Выход", command=self.quit)
        self.quit_button.pack(side="right", anchor="n")
        _tooltip(self.quit_button, "Закрыть программу (и значок в области уведомлений)")
        text = ttk.Frame(head)
        text.pack(side="left", fill="x", expand=True, padx=10)
        ttk.Label(text, text="Обмен реестрами с «Мои счета»",
                  font=self.fonts.title).pack(anchor="w")  # fmt: skip
        self.status_var = tk.StringVar(self.root, NO_EXCHANGE)
        # both wrap at the header's width (a long list of waiting files never widens the
        # window past the screen), in a fixed height (the tabs below never jump)
        self.details_var = tk.StringVar(self.root, "")
        frame, (self.status_label, self.details_label) = fixed_labels(
            text, [(self.status_var, {}), (self.details_var, {"foreground": "#555555"})], 4)
        frame.pack(fill="x", pady=(2, 0))

    def _photo(self, state: str, sent: int | None, received: int | None) -> Any:
        size = round(48 * getattr(self, "scale", 1.0) / 24) * 24 or 48  # the badge's font: x24
        photo = ImageTk.PhotoImage(icon.tray_image(state, sent, received, size), master=self.root)
        self._images = self._images[-8:] + [photo]
        return photo

    def _build_generation(self, parent: ttk.Frame) -> None:
        box = ttk.LabelFrame(parent, text="Формирование реестров", padding=8)
        box.pack(fill="x")
        ttk.Label(box, text="Месяц начислений:").grid(row=0, column=0, sticky="w")
        self.month_var = tk.StringVar(self.root, "")  # MM.YYYY; the button shows it in words
        self.month_button = ttk.Menubutton(box, text="…", width=16)
        self.month_menu = tk.Menu(self.month_button, tearoff=False)
        self.month_button.configure(menu=self.month_menu)
        self.month_button.grid(row=0, column=1, sticky="w", padx=(4, 12))
        self.month_var.trace_add("write", lambda *_: self.month_button.configure(
            text=month_title(self.month_var.get())))  # fmt: skip
        _tooltip(self.month_button, "Месяц начислений; по умолчанию последний месяц с "
                                    "начислениями")  # fmt: skip
        self.apartments_var = tk.BooleanVar(self.root, False)
        self.apartments_check = ttk.Checkbutton(box, text="Только квартиры",
                                                variable=self.apartments_var)  # fmt: skip
        self.apartments_check.grid(row=0, column=2, sticky="w")
        buttons = ttk.Frame(box)
        buttons.grid(row=1, column=0, columnspan=4, sticky="w", pady=(8, 0))
        self.gen_buttons: dict[str, ttk.Button] = {}
        for kind, label, tip in GEN_KINDS:
            b = ttk.Button(buttons, text=label, command=self._generator(kind))
            b.pack(side="left", padx=(0, 6))
            _tooltip(b, tip + "; файл ляжет в каталог Исходящие")
            self.gen_buttons[kind] = b
        self.show_file_button = ttk.Button(buttons, text="Показать файл", state="disabled",
                                           command=self.show_generated)  # fmt: skip
        self.show_file_button.pack(side="left", padx=(12, 0))
        _tooltip(self.show_file_button, "Открыть последний сформированный файл")
        self.folder_button = ttk.Button(buttons, text="Открыть каталог обмена",
                                        command=self.open_folder)  # fmt: skip
        self.folder_button.pack(side="left", padx=(6, 0))
        self.gen_result_var = tk.StringVar(self.root, "")
        # results keep a fixed height (as the bottom strip does): the list below never jumps
        fixed_label(box, self.gen_result_var, 4)[0].grid(row=2, column=0, columnspan=4,
                                                      sticky="we", pady=(6, 0))  # fmt: skip
        box.columnconfigure(3, weight=1)

    def _build_pending(self, parent: ttk.Frame) -> None:
        box = ttk.LabelFrame(parent, text="Полученные реестры, ждущие приёма", padding=8)
        box.pack(fill="both", expand=True, pady=(8, 0))
        cols = (("file", "Файл", 220), ("kind", "Вид", 100), ("date", "Дата", 100),
                ("number", "№", 45), ("rows", "Строк", 60), ("sum", "Сумма", 110),
                (BANK_COLUMN, "Сверка с банком", 110))  # fmt: skip
        frame = ttk.Frame(box)
        frame.pack(fill="both", expand=True)
        self.pending_tree = ttk.Treeview(frame, columns=[c[0] for c in cols], show="headings",
                                         height=4, selectmode="browse")  # fmt: skip
        for key, title, width in cols:
            self.pending_tree.heading(key, text=title)
            self.pending_tree.column(key, width=width, stretch=key == "file",
                                     anchor="e" if key in ("rows", "sum") else "w")  # fmt: skip
        scroll = ttk.Scrollbar(frame, orient="vertical", command=self.pending_tree.yview)
        self.pending_tree.configure(yscrollcommand=scroll.set)
        scroll.pack(side="right", fill="y")  # first: a narrow window never cuts it off
        self.pending_tree.pack(side="left", fill="both", expand=True)
        # the columns give way where the window is narrow: «Сверка с банком» stays
        self.pending_tree.bind("<Configure>", lambda e: fit_columns(self.pending_tree, e.width))
        self.pending_tree.bind("<<TreeviewSelect>>", lambda _e: self._selected())
        row = ttk.Frame(box)
        row.pack(fill="x", pady=(6, 0))
        self.refresh_button = ttk.Button(row, text="Обновить", command=self.refresh)
        self.refresh_button.pack(side="left")
        self.view_button = ttk.Button(row, text="Показать", command=self.view_selected)
        self.view_button.pack(side="left", padx=(6, 0))
        self.accept_button = ttk.Button(row, text="Принять", command=self.accept_selected)
        self.accept_button.pack(side="left", padx=6)
        self.report_button = ttk.Button(row, text="Открыть отчёт", command=self.open_report,
                                        state="disabled")  # fmt: skip
        self.report_button.pack(side="left")
        self.xlsx_button = ttk.Button(row, text="Отчёт в Excel", command=self.report_xlsx,
                                      state="disabled")  # fmt: skip
        self.xlsx_button.pack(side="left", padx=(6, 0))
        _tooltip(self.view_button, "Открыть выбранный реестр: строки, итог, суммы по услугам")
        _tooltip(self.xlsx_button, "Отчёт по последнему принятому реестру ещё раз, в Excel")
        _tooltip(self.refresh_button, "Перечитать список реестров, ждущих приёма")
        _tooltip(self.accept_button, "Принять выбранный реестр: документы, отчёт и "
                                     "подтверждение для «Мои счета»")  # fmt: skip
        _tooltip(self.report_button, "Открыть отчёт по последнему принятому реестру")
        self.bank = BankPanel(box, self.pending_tree, row, self.worker, self.backend,
                              self.dialogs, self.refresh, self._error)  # fmt: skip
        _tooltip(self.bank.load_button, "Выписка из банк-клиента (выгрузка в 1С, kl_to_1c.txt): "
                                        "сверить реестры оплат с переводами")  # fmt: skip
        self.accept_result_var = tk.StringVar(self.root, "")
        fixed_label(box, self.accept_result_var, 3)[0].pack(fill="x", pady=(4, 0))

    def _build_events(self, parent: ttk.Frame) -> None:
        # the selected event's whole text, wrapped, below the list (a list row is one line)
        self.event_detail_var = tk.StringVar(self.root, "Выберите событие: здесь его полный "
                                                        "текст.")  # fmt: skip
        self.event_detail = ttk.Label(parent, textvariable=self.event_detail_var,
                                      wraplength=700, justify="left")  # fmt: skip
        self.event_detail.pack(side="bottom", fill="x", pady=(6, 0))
        parent.bind("<Configure>", lambda e: self.event_detail.configure(
            wraplength=max(200, e.width - 16)))  # fmt: skip
        self.events_tree = ttk.Treeview(parent, columns=("at", "text"), show="headings")
        self.events_tree.heading("at", text="Время")
        self.events_tree.heading("text", text="Событие")
        self.events_tree.column("at", width=150, stretch=False)
        self.events_tree.column("text", width=560)
        scroll = ttk.Scrollbar(parent, orient="vertical", command=self.events_tree.yview)
        self.events_tree.configure(yscrollcommand=scroll.set)
        scroll.pack(side="right", fill="y")
        self.events_tree.pack(side="left", fill="both", expand=True)
        self.events_tree.tag_configure("error", foreground="#b00020")
        self.events_tree.bind("<Double-1>", lambda _e: self.open_event_file())
        self.events_tree.bind("<<TreeviewSelect>>", lambda _e: self._event_selected())
        _tooltip(self.events_tree, "Двойной щелчок открывает файл, названный в событии")

    # ------------------------------------------------------------------ modes

    def settings_mode(self) -> None:
        self.notebook.select(self.settings_form)  # type: ignore[no-untyped-call]

    def in_settings_mode(self) -> bool:
        return bool(self.notebook.select() == str(self.settings_form))  # type: ignore[no-untyped-call]

    def work_mode(self) -> None:
        self.notebook.select(self.work_tab)  # type: ignore[no-untyped-call]

    def logo_clicked(self) -> None:
        if self.in_settings_mode():
            self.work_mode()
        else:
            self.exchange()

    def show(self) -> None:
        bring_to_front(self.root)

    # ------------------------------------------------------------------ jobs

    def _error(self, what: str, notify: bool = False) -> Callable[[AppError], None]:
        def on_error(exc: AppError) -> None:
            self.message_var.set(f"{what}: {exc.message}")
            self._add_local_event(f"{what}: {exc.message}")
            if notify and self.on_state is not None and not self._visible():
                self._push_state([f"{exc.title}: {exc.message}"])
            else:
                self.dialogs.error(exc.title, exc.message)
            self._update_buttons()

        return on_error

    def _visible(self) -> bool:
        try:
            return bool(self.root.winfo_viewable())
        except tk.TclError:
            return False

    def refresh(self) -> None:
        self.worker.submit("refresh", self.backend.snapshot, self._show_snapshot,
                           self._error("Обновление"))  # fmt: skip

    def exchange(self, from_tray: bool = False) -> bool:
        """Start an exchange session in the worker; False when one is already under way or
        ended less than ``SESSION_GAP_S`` ago (a double click on the icon is one session)."""
        if time.monotonic() - self._session_ended < SESSION_GAP_S:
            log.info("exchange asked again within %.0f s of the last one: ignored", SESSION_GAP_S)
            return False
        if not self.worker.submit("exchange", lambda: self.backend.exchange(self.worker.progress),
                                  self._exchange_done,
                                  self._exchange_failed(from_tray)):  # fmt: skip
            return False
        self.state = icon.EXCHANGING
        self.message_var.set("Идёт обмен с «Мои счета»…")
        self._update_logo()
        self._push_state([])
        self._update_buttons()
        return True

    def _exchange_done(self, outcome: ExchangeOutcome) -> None:
        self.last_exchange = outcome
        self._session_ended = time.monotonic()
        r = outcome.result
        self.offline = self.session_failed = False
        text = (f"Обмен завершён: отправлено {r.sent}, принято {r.received}, "
                f"ждут приёма {r.pending}")  # fmt: skip
        if r.errors:
            text += "; ошибки: " + "; ".join(r.errors)
        self.message_var.set(text)
        self._failure_notified = None
        extra = []
        waiting = waiting_text(outcome.snapshot.pending)
        if waiting:
            extra.append(waiting)
            self._add_local_event(waiting, "info")
        self._show_snapshot(outcome.snapshot, extra)

    def _exchange_failed(self, from_tray: bool) -> Callable[[AppError], None]:
        def on_error(exc: AppError) -> None:
            if isinstance(exc, PasswordError) and self._ask_password():
                self.exchange(from_tray)  # again, with the password just given
                return
            self.offline = isinstance(exc, ServerError)
            self.session_failed = not self.offline
            self.state = self.worst_state()
            self._update_logo()
            text = f"Обмен не завершён: {exc.message}"
            self.message_var.set(text)
            self._add_local_event(text)
            if from_tray or not self._visible():
                # no box to answer: a click just after this one is the same click
                self._session_ended = time.monotonic()
                if exc.message != self._failure_notified:  # once, not at every retry
                    self._failure_notified = exc.message
                    self._push_state([text])
            else:
                self.dialogs.error(exc.title, exc.message)
            self._update_buttons()
            self.refresh()

        return on_error

    def _ask_password(self) -> bool:
        """No password to be had (no keyring, none saved): ask, keep it in memory."""
        self.show()
        pw = self.dialogs.ask_password("Пароль «Мои счета»", ASK_PASSWORD)
        if not pw:
            return False
        self.backend.remember_password(pw)
        self.message_var.set("Пароль принят и хранится в памяти до выхода из программы.")
        return True

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
        try:
            month = self._month()
        except AppError as exc:
            self.dialogs.error("Месяц начислений", exc.message)
            return
        latest = self._latest_month
        if (kind == "debts" and month is not None and latest is not None and month < latest
                and not self.dialogs.ask_yes_no("Месяц начислений", older_month_text(
                    month, latest))):  # fmt: skip
            self.gen_result_var.set(f"Не сформирован: выбран {month_title(v.format_month(month))}"
                                    f", а начисления есть и за "
                                    f"{month_title(v.format_month(latest))}")  # fmt: skip
            return
        apartments = self.apartments_var.get()
        today = self.today()
        waiting = [n for n in (self.snapshot.outgoing if self.snapshot is not None else [])
                   if n.startswith(OUTGOING_PREFIX.get(kind, "?"))]  # fmt: skip
        replace: list[str] = []
        if waiting:
            names = ", ".join(waiting)
            if not self.dialogs.ask_yes_no(
                    "Реестр уже ждёт отправки",
                    f"В каталоге Исходящие уже ждёт отправки {names}: «Мои счета» его ещё не "
                    "получили.\n\nЗаменить его новым? («Нет» — ничего не формировать)"):  # fmt: skip
                self.gen_result_var.set(f"{NOT_MADE}{names}.")
                return
            replace = waiting
        self.gen_result_var.set("Формируется…")

        def job() -> GenerateResult:
            for name in replace:  # withdrawn only once the user said so, just before the new
                self.backend.withdraw(name)
            return self.backend.generate(kind, month, apartments, today, self.worker.progress)

        self.worker.submit(f"generate:{kind}", job, self._generated,
                           self._error("Реестр не сформирован"))  # fmt: skip

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
        self.message_var.set(f"Файл {r.file.name} в каталоге Исходящие уйдёт при обмене.")
        self.show_file_button.configure(state="normal")
        self.refresh()

    def show_generated(self) -> None:
        if self.last_generated is not None:
            self._open(self.last_generated.file)

    def _selected(self) -> None:
        self.bank.select(self.selected_pending())
        self._update_buttons()

    def selected_pending(self) -> str | None:
        sel = self.pending_tree.selection()
        return str(sel[0]) if sel else None

    def accept_selected(self) -> None:
        name = self.selected_pending()
        if name is None:
            self.dialogs.info("Приём реестра", "Выберите реестр в списке.")
            return
        self.accept_result_var.set(f"Проверяется {name}…")
        self.worker.submit("summary", lambda: self.backend.summary(name),
                           lambda sm: self._confirm_accept(name, sm),
                           self._error("Реестр не принят"))  # fmt: skip

    def _confirm_accept(self, name: str, sm: PendingSummary) -> None:
        """The registry's count and total, sums per service and per provider, and «сверьте с
        банком»."""
        self.accept_result_var.set("")
        if not self.dialogs.confirm("Приём реестра", summary_text(sm)):
            self.accept_result_var.set(f"Реестр {name} не принят: приём отменён.")
            return
        if not self.bank.confirm_accept(name):
            return
        self.accept_result_var.set(f"Принимается {name}…")
        self.worker.submit("accept", lambda: self.backend.accept(name, self.worker.progress,
                                                                 sm.sha256 or None),
                           self._accepted,
                           self._error("Реестр не принят"))  # fmt: skip

    def view_selected(self) -> None:
        name = self.selected_pending()
        if name is not None and self.snapshot is not None and self.snapshot.exchange_folder:
            self._open(self.snapshot.exchange_folder / "Входящие" / name)

    def report_xlsx(self) -> None:
        if self.last_accepted is None:
            return
        name = self.last_accepted.file
        self.worker.submit("report", lambda: self.backend.report_again(name, True), self._open,
                           self._error("Отчёт не сформирован"))  # fmt: skip

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
        self.message_var.set(f"Принят {r.file}, документ № {r.document}")
        self.report_path = r.report
        if r.report is not None:  # the manual: «на экран выводится отчёт»
            self._open(r.report)
        self.refresh()

    def open_report(self) -> None:
        if self.report_path is not None:
            self._open(self.report_path)

    def open_folder(self) -> None:
        if self.snapshot is not None and self.snapshot.exchange_folder is not None:
            self._open(self.snapshot.exchange_folder)

    def _open(self, path: Path) -> None:
        try:
            self.opener(path)
        except AppError as exc:
            self.dialogs.error(exc.title, exc.message)

    def save_settings(self, values: dict[str, str], password: str) -> None:
        new = values.get("coding", self.coding)
        if new != self.coding and not self.first_start:
            waiting = self.snapshot.outgoing if self.snapshot is not None else []
            text = (f"Кодирование услуг меняется: {CODING_LABELS.get(self.coding, self.coding)} "
                    f"→ {CODING_LABELS.get(new, new)}.\n\nПосле смены сформируйте и отправьте "
                    "реестр «Услуги» заново: без него «Мои счета» не поймут новые коды.")  # fmt: skip
            if waiting:
                text += ("\n\nВ Исходящих ждут отправки реестры старого кодирования: "
                         f"{', '.join(waiting)}. Их лучше сформировать заново.")  # fmt: skip
            if not self.dialogs.ask_yes_no("Смена кодирования", text + "\n\nСменить?"):
                self.message_var.set("Настройки не сохранены: кодирование оставлено прежним.")
                return
        self.worker.submit("settings", lambda: self.backend.save_settings(values, password),
                           self._settings_saved, self._error("Настройки не сохранены"))  # fmt: skip

    def _settings_saved(self, result: tuple[Settings, AppError | None]) -> None:
        s, pw_error = result
        self.coding = s.coding
        self.first_start = False
        self.settings_form.password_var.set("")
        self.settings_form.db_password_var.set("")
        self.message_var.set("Настройки сохранены. Нажмите на логотип, чтобы вернуться к работе.")
        if isinstance(pw_error, PasswordError):  # no keyring: kept in memory for this run
            self.message_var.set("Настройки сохранены. " + PASSWORD_IN_MEMORY)
            self.dialogs.info("Пароль «Мои счета»", PASSWORD_IN_MEMORY)
        elif pw_error is not None:
            self.message_var.set("Настройки сохранены, пароль — нет: " + pw_error.message)
            self.dialogs.error(pw_error.title, pw_error.message)
        log.info("settings saved (coding %s)", s.coding)
        self.refresh()

    # ------------------------------------------------------------------ showing

    def _show_snapshot(self, snap: Snapshot, extra_notices: list[str] | None = None) -> None:
        self.snapshot = snap
        if not self.worker.busy("exchange"):  # the state follows the last session
            self.state = self.worst_state()
        self.status_var.set(status_text(snap.status))
        self.details_var.set(details_text(snap))
        said = self.gen_result_var.get()  # «уже ждёт X» is stale once a session has sent X
        if said.startswith(NOT_MADE) and not any(n in said for n in snap.outgoing):
            self.gen_result_var.set("")
        self.data_panel.show(snap.unposted)
        self._fill_months(snap.months)
        selected = self.selected_pending()
        self.pending_tree.delete(*self.pending_tree.get_children())
        for item in snap.pending:
            self.pending_tree.insert("", "end", iid=item.file, values=_pending_row(item))
        fit_columns(self.pending_tree, self.pending_tree.winfo_width())  # for the new rows
        if selected and self.pending_tree.exists(selected):
            self.pending_tree.selection_set(selected)
        elif snap.pending:
            self.pending_tree.selection_set(snap.pending[0].file)
        self.bank.show(snap.bank, snap.statements, self.selected_pending(), snap.transfers)
        self._fill_events()
        self._update_logo()
        self._update_buttons()
        notices = [text for _at, level, text in snap.unseen if level == "error"]
        self._push_state(notices + (extra_notices or []))

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

    def _add_local_event(self, text: str, level: str = "error") -> None:
        at = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        self.local_events.insert(0, (at, level, text))
        self._fill_events()

    def _fill_events(self) -> None:
        journaled = self.snapshot.recent if self.snapshot is not None else []
        said = {text for _at, _level, text in journaled}  # a failed session: in both
        events = [e for e in self.local_events if e[2] not in said] + journaled
        events.sort(key=lambda e: e[0], reverse=True)
        self.events_tree.delete(*self.events_tree.get_children())
        self._event_text = {}
        for at, level, text in events[:100]:
            iid = self.events_tree.insert("", "end", values=(_moment(at), text.replace("\n", " ")),
                                          tags=("error",) if level == "error" else ())  # fmt: skip
            self._event_text[str(iid)] = text

    def _event_selected(self) -> None:
        sel = self.events_tree.selection()
        if sel:
            values = self.events_tree.item(sel[0], "values")
            text = self._event_text.get(str(sel[0]), str(values[1]))
            self.event_detail_var.set(f"{values[0]}: {text}")

    def open_event_file(self) -> None:
        """Open the file the selected event names: a table loaded or exported (its full
        path in «»), or a registry, wherever in the tree it lies."""
        sel = self.events_tree.selection()
        folder = self.snapshot.exchange_folder if self.snapshot is not None else None
        if not sel or folder is None:
            return
        text = self._event_text.get(str(sel[0]), str(self.events_tree.item(sel[0], "values")[1]))
        for quoted in QUOTED.findall(text):
            # only a document the program reads or writes: an event may quote the server's
            # words, and on Windows opening a path named there could start a program
            if (Path(quoted).suffix.lower() in OPENABLE and Path(quoted).is_absolute()
                    and Path(quoted).is_file()):  # fmt: skip
                self._open(Path(quoted))
                return
        for name in FILE_NAME.findall(text):
            found = sorted(folder.rglob(name))
            if found:
                self._open(found[0])
                return

    def event_texts(self) -> list[str]:
        return [str(self.events_tree.item(i, "values")[1])
                for i in self.events_tree.get_children()]  # fmt: skip

    def _tick(self) -> None:
        """Every PROGRESS_MS: the progress bar runs while a job does, with its step and, once
        the core reports one, its count (the bar then fills: the total is known)."""
        running = self.worker.running
        try:
            if running is not None:
                name, started = running
                self._show_progress(name, started, self.worker.progress.get())
            elif self._progress_on:
                self.progress.stop()
                self.progress.pack_forget()  # the footer keeps its height: nothing jumps
                self._progress_on = False
                self._progress_mode = ""
                self.step_var.set("")
            self._tick_after = self.root.after(PROGRESS_MS, self._tick)
        except tk.TclError:  # the window is gone
            pass

    def _show_progress(self, name: str, started: float, report: Report | None) -> None:
        elapsed = f"{time.monotonic() - started:.0f}{NBSP}с"
        if report is None:
            step = JOB_STEPS.get(name.split(":")[0], "Выполняется")
            self.step_var.set(f"{step}… {elapsed}")
        else:
            self.step_var.set(f"{describe(report)} · {elapsed}")
        known = report is not None and bool(report.total)
        mode: Literal["determinate", "indeterminate"] = "determinate" if known else "indeterminate"
        if not self._progress_on:
            self.progress.pack(side="left", before=self.step_label)
            self._progress_on = True
        if mode != self._progress_mode:
            self.progress.stop()
            self.progress.configure(mode=mode, value=0)
            if mode == "indeterminate":
                self.progress.start(40)
            self._progress_mode = mode
        if mode == "determinate" and report is not None and report.total:
            self.progress.configure(maximum=report.total, value=min(report.done, report.total))

    def worst_state(self) -> str:
        """The icon's state when no session runs: error, offline, attention or idle."""
        status = self.snapshot.status if self.snapshot is not None else {}
        if self.offline:
            return icon.OFFLINE
        if self.session_failed or status.get("ok") is False:
            return icon.ERROR
        rejected = int(status.get("answers_error") or 0) + int(status.get("broken") or 0)
        waiting = len(self.snapshot.pending) if self.snapshot is not None else 0
        return icon.ATTENTION if rejected or waiting else icon.IDLE

    def counts(self) -> tuple[int | None, int | None]:
        """Files sent and received by the last session; (None, None) before the first."""
        status = self.snapshot.status if self.snapshot is not None else {}
        if not status.get("last_exchange"):
            return None, None
        return int(status.get("sent") or 0), int(status.get("received") or 0)

    def _update_logo(self) -> None:
        self.logo_image = self._photo(self.state, *self.counts())
        self.logo_button.configure(image=self.logo_image)

    def _update_buttons(self) -> None:
        running = self.worker.busy("exchange")
        self.accept_button.configure(
            state="normal" if self.selected_pending() and not self.worker.busy("accept")
            else "disabled")  # fmt: skip
        self.report_button.configure(state="normal" if self.report_path else "disabled")
        self.xlsx_button.configure(state="normal" if self.last_accepted else "disabled")
        self.view_button.configure(state="normal" if self.selected_pending() else "disabled")
        self.exchange_button.configure(state="disabled" if running else "normal")
        self.logo_button.configure(state="disabled" if running else "normal")

    def _push_state(self, notices: list[str]) -> None:
        if self.on_state is None:
            return
        status = self.snapshot.status if self.snapshot is not None else {}
        running = self.state == icon.EXCHANGING
        try:
            self.on_state(UiState(self.state, *self.counts(), tooltip_text(status, running),
                                  notices))  # fmt: skip
        except Exception:  # the tray is an extra: its failures never reach the window
            log.exception("tray update failed")

    def quit(self) -> None:
        if self.on_quit is not None:
            self.on_quit()
        else:
            self.close()
            self.root.destroy()

    def close(self) -> None:
        self.worker.close()
        try:
            self.root.after_cancel(self._tick_after)
            self.progress.stop()  # its own timer would fire into a destroyed window
        except tk.TclError:
            pass


MONTHS = ("Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь",
          "Октябрь", "Ноябрь", "Декабрь")  # fmt: skip


def month_title(text: str) -> str:
    """``11.2026`` as the manual's button shows it: «Ноябрь 2026 г.»."""
    month = v.parse_month(text) if text else None
    if month is None:
        return text or "…"
    year, mon = divmod(month, 100)
    return f"{MONTHS[mon - 1]} {year} г."


def older_month_text(month: int, latest: int) -> str:
    """The question before a Debts registry for a month older than the latest accruals."""
    return (f"Выбран месяц {month_title(v.format_month(month))}, а начисления загружены и за "
            f"более поздний — {month_title(v.format_month(latest))}\n\nСформировать реестр "
            f"задолженности за {month_title(v.format_month(month))}? («Нет» — ничего не "
            "формировать)")  # fmt: skip


SESSION_GAP_S = 1.0  # a click within this of the last session's end starts none
PROGRESS_MS = 200
PROGRESS_STYLE = "Job.Horizontal.TProgressbar"
PROGRESS_COLOUR = "#3d7cc9"  # the logo's blue
JOB_STEPS = {"exchange": "Обмен с «Мои счета»", "generate": "Формирование реестра",
             "accept": "Приём реестра", "summary": "Проверка реестра", "load": "Загрузка данных",
             "export": "Выгрузка", "refresh": "Обновление", "report": "Отчёт",
             "settings": "Сохранение настроек", "bank": "Загрузка выписки", "post": "Проведение"}  # fmt: skip
QUOTED = re.compile(r"«([^«»]+)»")
OPENABLE = {".csv", ".xlsx", ".txt", ".html", ".htm"}  # tables, registries, statements, reports
FILE_NAME = re.compile(r"(?:Ack_)?(?:Services|Debts|Meters|Payments|Readings)_\d{8}_\d{3}\.txt",
                       re.ASCII)
NOT_MADE = "Не сформирован: в Исходящих уже ждёт "
NO_ACCRUALS = "Нет начислений"
OUTGOING_PREFIX = {"services": "Services_", "debts": "Debts_", "meters": "Meters_"}


def summary_text(sm: PendingSummary) -> str:
    """The confirmation before accepting: rows, total, per service and per provider, and
    what to check («сверьте с банком»)."""
    if sm.kind == "READINGS":
        return (f"Реестр показаний {sm.file}: показаний {sm.rows}.\n\nПринять его? Будет создан "
                "документ «Показания новые» (его нужно будет провести).")  # fmt: skip
    lines = [f"Реестр оплат {sm.file}", f"Платежей: {sm.rows}, на сумму {rubles(sm.total)}", "",
             f"По услугам ({CODING_LABELS.get(sm.coding, sm.coding)}):"]  # fmt: skip
    lines += _summary_lines(sm.by_service, "услуг")
    lines += ["", "По поставщикам:"]
    lines += _summary_lines(sm.by_provider, "поставщиков")
    lines += ["", f"Сверьте с банком: поступление {rubles(sm.total)} по этому реестру должно "
              "быть в выписке. Принять реестр?"]  # fmt: skip
    return "\n".join(lines)


def _summary_lines(parts: list[tuple[str, int, int]], what: str) -> list[str]:
    """«  102 Отопление: 3 платежа, 1 000,00 ₽», at most 12 lines and how many more."""
    out = [f"  {label}: {n} {plural(n, 'платёж', 'платежа', 'платежей')}, {rubles(total)}"
           for label, n, total in parts[:12]]  # fmt: skip
    if len(parts) > 12:
        rest = parts[12:]
        out.append(f"  … и ещё {what}: {len(rest)} на {rubles(sum(t for _, _, t in rest))}")
    return out


def waiting_text(pending: list[PendingItem]) -> str:
    """«Ждут приёма 2 реестра: оплаты 1 на сумму 1 234,56 ₽, показания 1» ('' for none)."""
    if not pending:
        return ""
    payments = [p for p in pending if p.kind == "PAYMENTS"]
    readings = len(pending) - len(payments)
    parts = []
    if payments:
        total = sum(p.total for p in payments)
        parts.append(f"оплаты {len(payments)} на сумму {rubles(total)}")
    if readings:
        parts.append(f"показания {readings}")
    n = len(pending)
    return f"Ждут приёма {n} {plural(n, 'реестр', 'реестра', 'реестров')}: " + ", ".join(parts)


def details_text(snap: Snapshot) -> str:
    """What waits: in Исходящие, to be accepted, readings documents to post."""
    parts = []
    if snap.outgoing:
        parts.append(f"в Исходящих ждут отправки: {', '.join(snap.outgoing[:3])}"
                     + (f" и ещё {len(snap.outgoing) - 3}" if len(snap.outgoing) > 3 else ""))  # fmt: skip
    if snap.pending:
        parts.append(f"ждут приёма: {len(snap.pending)}")
    if snap.unposted:
        numbers = ", ".join(f"№ {n}" for n, _, _ in snap.unposted[:3])
        parts.append(f"не проведены документы показаний {numbers} (реестр «Счётчики» их не "
                     "учтёт)")  # fmt: skip
    if not parts:
        return "Ничего не ждёт отправки и приёма."
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def _pending_row(item: PendingItem) -> tuple[str, ...]:
    total = money(item.total) if item.kind == "PAYMENTS" else ""
    return (item.file, KIND_NAMES.get(item.kind, item.kind), v.format_date(item.day),
            item.number, str(item.rows), total, "")  # fmt: skip


def _moment(at: str) -> str:
    """The journal's ``YYYY-MM-DD HH:MM:SS`` as ``DD.MM.YYYY HH:MM``."""
    try:
        return datetime.strptime(at[:19], "%Y-%m-%d %H:%M:%S").strftime("%d.%m.%Y %H:%M")
    except ValueError:
        return at
