"""The window: the manual's «Формирование и приём реестров» as a frame that holds panes.

A header (``header.HeaderBar``: the logo button — a click runs an exchange session, in
settings mode back to work — «Обмен», «Выход», the status and what waits), the tabs
«Реестры» (``generation_pane`` beside ``pending_pane``, a sash between), «Данные»
(``data_panel``), «События» (``events_pane``), «Настройки» (``settings_form``, its sections
in tabs of their own), and the bottom strip (``footer``). No tab scrolls: lists take the free
space and grow with the window, buttons stay beside their list.

This module is the frame and the panes' ``PaneContext``: it holds the last ``Snapshot`` and
shows it to every pane in a fixed order, runs exchange sessions (one per click: a click while
one runs or within ``SESSION_GAP_S`` of its end starts none), saves the settings, and tells
the tray the icon state, badge, tooltip and notices (``UiState``). Every job runs in the
``Worker``; only this thread touches widgets. Calls the core only through ``Backend``.
"""

from __future__ import annotations

import logging
import time
import tkinter as tk
from collections.abc import Callable
from datetime import date
from pathlib import Path
from tkinter import ttk
from typing import Any

from PIL import ImageTk

from trayapp.core.events import NOTIFIED
from trayapp.errors import AppError, PasswordError, ServerError
from trayapp.settings import Settings
from trayapp.ui import icon
from trayapp.ui.backend import Backend, ExchangeOutcome, Snapshot
from trayapp.ui.backup_pane import BackupPane
from trayapp.ui.common import (
    APP_TITLE,
    CODING_LABELS,
    Dialogs,
    Fonts,
    open_path,
    status_text,
    tooltip_text,
)
from trayapp.ui.data_panel import DataPanel
from trayapp.ui.desktop import (
    apply_theme,
    bring_to_front,
    calibrate_scaling,
    fit_screen,
    russian_dialogs,
    scale_factor,
    scale_layout,
)
from trayapp.ui.events_pane import EventsPane
from trayapp.ui.footer import Footer
from trayapp.ui.generation_pane import GenerationPane
from trayapp.ui.header import HeaderBar
from trayapp.ui.held_errors import HeldErrors
from trayapp.ui.pending_pane import PendingPane
from trayapp.ui.restored import forget_results
from trayapp.ui.settings_form import SettingsForm
from trayapp.ui.texts import (
    ASK_PASSWORD,
    PASSWORD_IN_MEMORY,
    details_text,
    month_title,
    summary_text,
    waiting_text,
)
from trayapp.ui.ui_state import UiState
from trayapp.ui.watch import ChangeWatch
from trayapp.ui.window_names import OldNames
from trayapp.ui.worker import Worker

__all__ = ["MainWindow", "UiState", "month_title", "summary_text", "waiting_text"]

log = logging.getLogger(__name__)

SESSION_GAP_S = 1.0  # a click within this of the last session's end starts none
# the smallest window at 100 % (grown with the scaling, never past the screen) in which every
# button is in view whole (at 640x480 «Провести» was not shown at all: issue 17, item 2) and
# the generation's result wraps whole in its column (the natural height is measured before
# it wraps: 653 px left it 7 px short once the export buttons shared a row)
MIN_SIZE = (900, 660)


class MainWindow(OldNames, HeldErrors):
    """The window in ``root``; ``first_start`` opens it in settings mode."""

    def __init__(self, root: tk.Tk, backend: Backend, dialogs: Dialogs | None = None,
                 on_state: Callable[[UiState], None] | None = None,
                 today: Callable[[], date] = date.today) -> None:  # fmt: skip
        self.root = root
        self.backend = backend
        self.dialogs: Any = dialogs or Dialogs(root)
        self.on_state = on_state
        self.today = today
        self.worker = Worker(root)
        self._snapshot: Snapshot | None = None
        self.state = icon.IDLE
        self.offline = False  # the last session could not reach the server
        self.session_failed = False  # the last session from this window failed otherwise
        self._failure_notified: str | None = None  # a failure is notified once, not each retry
        self.last_exchange: ExchangeOutcome | None = None
        self._session_ended = -SESSION_GAP_S  # monotonic end of the last session
        self.on_quit: Callable[[], None] | None = None  # the tray's «Выход»
        self._held = []  # errors met while hidden: shown when the window is next opened
        self._images: list[Any] = []  # PhotoImages must stay referenced

        calibrate_scaling(root)  # one measure of the display, whatever set it
        self.theme = apply_theme(root)
        russian_dialogs(root)
        self.fonts = Fonts(root)
        self.scale = scale_factor(root)
        self.opener: Callable[[Path], None] = open_path  # tests record instead
        root.title(f"{APP_TITLE} (версия {backend.version})")
        root.minsize(*(round(x * self.scale) for x in MIN_SIZE))  # fit_screen: within the screen
        self._set_window_icon()
        root.bind("<Map>", self._mapped, add="+")  # opened again: what happened while hidden
        outer = ttk.Frame(root, padding=8)
        outer.pack(fill="both", expand=True)
        self.header = HeaderBar(outer, self.fonts, self.scale, self.logo_clicked, self._click,
                                self.quit)  # fmt: skip
        self.header.pack(fill="x")
        self.footer = Footer(outer, self.fonts, self.worker)
        # packed before the notebook: the notebook shrinks, never the strip
        self.footer.pack(side="bottom", fill="x", pady=(6, 0))
        self.notebook = ttk.Notebook(outer)
        self.notebook.pack(fill="both", expand=True, pady=(6, 0))
        # «Реестры»: generation in a column, the pending list beside it; a sash between
        self.work_tab = ttk.Frame(self.notebook, padding=6)
        self.work_split = tk.PanedWindow(self.work_tab, orient="horizontal", sashwidth=6,
                                         borderwidth=0, background=str(ttk.Style(root).lookup(
                                             "TFrame", "background")))  # fmt: skip
        self.work_split.pack(fill="both", expand=True)
        self.generation = GenerationPane(self.work_split, self)
        self.pending = PendingPane(self.work_split, self)
        self.work_split.add(self.generation, minsize=120, stretch="never")
        self.work_split.add(self.pending, minsize=300, stretch="always")
        self.data_panel = DataPanel(self.notebook, self, self.generation.month_text)
        self.events = EventsPane(self.notebook, self)
        self.settings_form = SettingsForm(self.notebook, self.dialogs, self.save_settings)
        self.notebook.add(self.work_tab, text="Реестры")
        self.notebook.add(self.data_panel, text="Данные")
        self.notebook.add(self.events, text="События")
        self.notebook.add(self.settings_form, text="Настройки")
        self.backup_pane = BackupPane(self.settings_form.add_section("Резервные копии"), backend,
                                      self.worker, self.dialogs, self.error, self.say,
                                      self.refresh, lambda: self.settings_form.load(
                                          *backend.load_settings()[::2]),
                                      lambda: forget_results(self))  # fmt: skip
        self.backup_pane.grid(row=0, column=0, columnspan=3, sticky="nsew")
        self.backup_pane.master.rowconfigure(0, weight=1)  # its list grows with the window
        self._aliases()

        settings, exists, default_folder = backend.load_settings()
        self.settings_form.load(settings, default_folder)
        self.settings_form.show_keyring(backend.keyring_available())
        self.coding = settings.coding
        self.first_start = not exists
        scale_layout(root, self.scale)
        fit_screen(root)
        # work done from a console or a schedule shows without «Обновить»
        self.watch = ChangeWatch(root, lambda: self.backend.change_mark(),
                                 lambda: self._snapshot.mark if self._snapshot else None,
                                 self.refresh, lambda: not self.worker.busy(),
                                 closer=self.backend.close_watch)  # fmt: skip
        if self.first_start:
            self.settings_mode()
            self.say("Первый запуск: задайте настройки и нажмите «Сохранить».")
        self.refresh()

    # ------------------------------------------------------------------ the panes' context

    def say(self, text: str) -> None:
        self.footer.say(text)

    def add_event(self, text: str, level: str = "error") -> None:
        self.events.add(text, level)

    def open(self, path: Path) -> None:
        try:
            self.opener(path)
        except AppError as exc:
            self.alert(exc.title, exc.message)

    def error(self, what: str, notify: bool = False) -> Callable[[AppError], None]:
        """«what: message» in the footer and the events, and ``alert``: a box where the
        window is shown, a notification where it is not (``notify`` is kept for callers:
        every error of a hidden window is notified now)."""

        def on_error(exc: AppError) -> None:
            self.say(f"{what}: {exc.message}")
            self.add_event(f"{what}: {exc.message}")
            self.alert(exc.title, exc.message)
            self.update_buttons()

        return on_error

    _error = error

    def refresh(self) -> None:
        self.worker.submit("refresh", self.backend.snapshot, self._show_snapshot,
                           self.error("Обновление"))  # fmt: skip

    def update_buttons(self) -> None:
        self.pending.update_buttons()
        self.header.set_running(self.worker.busy("exchange"))

    _update_buttons = update_buttons

    # ------------------------------------------------------------------ building

    def _set_window_icon(self) -> None:
        photo: Any = ImageTk.PhotoImage(icon.logo(64), master=self.root)
        self._images.append(photo)
        self.root.iconphoto(True, photo)

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

    # ------------------------------------------------------------------ exchange

    def _click(self) -> None:
        self.exchange()

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
        self.say("Идёт обмен с «Мои счета»…")
        self._update_logo()
        self._push_state([])
        self.update_buttons()
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
        self.say(text)
        self._failure_notified = None
        extra = []
        waiting = waiting_text(outcome.snapshot.pending)
        if waiting:
            extra.append(waiting)
            self.add_event(waiting, "info")
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
            self.say(text)
            self.add_event(text)
            if from_tray or not self._visible():
                # no box to answer: a click just after this one is the same click
                self._session_ended = time.monotonic()
                if exc.message != self._failure_notified:  # once, not at every retry
                    self._failure_notified = exc.message
                    self._push_state([text])
            else:
                self.dialogs.error(exc.title, exc.message)
            self.update_buttons()
            self.refresh()

        return on_error

    def _ask_password(self) -> bool:
        """No password to be had (no keyring, none saved): ask, keep it in memory."""
        self.show()
        pw = self.dialogs.ask_password("Пароль «Мои счета»", ASK_PASSWORD)
        if not pw:
            return False
        self.backend.remember_password(pw)
        self.say("Пароль принят и хранится в памяти до выхода из программы.")
        return True

    # ------------------------------------------------------------------ settings

    def save_settings(self, values: dict[str, str], password: str) -> None:
        new = values.get("coding", self.coding)
        if new != self.coding and not self.first_start:
            snap = self._snapshot
            waiting = snap.outgoing if snap is not None else []
            text = (f"Кодирование услуг меняется: {CODING_LABELS.get(self.coding, self.coding)} "
                    f"→ {CODING_LABELS.get(new, new)}.\n\nПосле смены сформируйте и отправьте "
                    "реестр «Услуги» заново: без него «Мои счета» не поймут новые коды.")  # fmt: skip
            if waiting:
                text += ("\n\nВ Исходящих ждут отправки реестры старого кодирования: "
                         f"{', '.join(waiting)}. Их лучше сформировать заново.")  # fmt: skip
            if not self.dialogs.ask_yes_no("Смена кодирования", text + "\n\nСменить?"):
                self.say("Настройки не сохранены: кодирование оставлено прежним.")
                return
        self.worker.submit("settings", lambda: self.backend.save_settings(values, password),
                           self._settings_saved, self.error("Настройки не сохранены"))  # fmt: skip

    def _settings_saved(self, result: tuple[Settings, AppError | None]) -> None:
        s, pw_error = result
        self.coding = s.coding
        self.first_start = False
        self.settings_form.password_var.set("")
        self.settings_form.db_password_var.set("")
        self.say("Настройки сохранены. Нажмите на логотип, чтобы вернуться к работе.")
        if isinstance(pw_error, PasswordError):  # no keyring: kept in memory for this run
            self.say("Настройки сохранены. " + PASSWORD_IN_MEMORY)
            self.settings_form.show_keyring(False)
        elif pw_error is not None:
            self.say("Настройки сохранены, пароль — нет: " + pw_error.message)
            self.alert(pw_error.title, pw_error.message)
        log.info("settings saved (coding %s)", s.coding)
        self.refresh()

    # ------------------------------------------------------------------ showing

    def _show_snapshot(self, snap: Snapshot, extra_notices: list[str] | None = None) -> None:
        """Every pane is shown the new state, in this order: the header, the months, the
        pending list and its bank check, the data tab, the events; then the buttons."""
        self._snapshot = snap
        if not self.worker.busy("exchange"):  # the state follows the last session
            self.state = self.worst_state()
        self.status_var.set(status_text(snap.status))
        self.details_var.set(details_text(snap))
        self.generation.show(snap)
        self.pending.show(snap)
        self.data_panel.show(snap.unposted)
        self.events.show(snap)
        self.backup_pane.follow()
        self._update_logo()
        self.update_buttons()
        notices = [text for _at, level, text in snap.unseen if level in NOTIFIED]
        self._push_state(notices + (extra_notices or []))
        self._show_held()  # an association shown again in the desk (no <Map> of the root)

    def worst_state(self) -> str:
        """The icon's state when no session runs: error, offline, attention or idle."""
        snap = self._snapshot
        status = snap.status if snap is not None else {}
        if self.offline:
            return icon.OFFLINE
        if self.session_failed or status.get("ok") is False:
            return icon.ERROR
        rejected = int(status.get("answers_error") or 0) + int(status.get("broken") or 0)
        waiting = len(snap.pending) if snap is not None else 0
        return icon.ATTENTION if rejected or waiting else icon.IDLE

    def counts(self) -> tuple[int | None, int | None]:
        """Files sent and received by the last session; (None, None) before the first."""
        status = self._snapshot.status if self._snapshot is not None else {}
        if not status.get("last_exchange"):
            return None, None
        return int(status.get("sent") or 0), int(status.get("received") or 0)

    def _update_logo(self) -> None:
        self.header.show_logo(self.state, *self.counts())

    def _push_state(self, notices: list[str]) -> None:
        if self.on_state is None:
            return
        status = self._snapshot.status if self._snapshot is not None else {}
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
        self.watch.stop()
        self.worker.close()
        self.footer.close()
