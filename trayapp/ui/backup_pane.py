"""«Резервные копии» in the settings tab (spec/backup.md): the backup folder with a chooser and
the warning when it lies on the database's disk, «Делать копии сами», «Сделать копию сейчас»,
the list of backups (date, size, registries held, state), «Проверить» and «Восстановить…»
with a question naming what will be replaced. Every core call runs in the window's worker
(with its progress bar); results come back on the Tk thread. The core records the events in
«События» (a failed automatic backup stays unseen: the window shows it as a notification).
Imports tkinter, ttk and the core's backup modules; no SQL, no files of its own.
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from tkinter import ttk
from typing import Any

from trayapp.errors import AppError
from trayapp.ui.common import fixed_label

log = logging.getLogger(__name__)

SAME_DISK = ("Копии лежат на том же диске, что и база данных: поломку диска они не переживут. "
             "Выберите флешку или сетевую папку.")  # fmt: skip
STATES = {True: "в порядке", False: "повреждена", None: "не проверялась"}
COLUMNS = (("date", "Дата", 150), ("size", "Размер", 80), ("registries", "Реестров", 80),
           ("state", "Состояние", 110))  # fmt: skip


@dataclass(frozen=True, slots=True)
class PaneState:
    folder: Path
    same_disk: bool
    auto: bool
    items: list[Any]  # backup.BackupInfo, newest first
    exchange_folder: Path


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}".replace(".", ",") + " МБ"


class BackupPane(ttk.LabelFrame):
    """The pane; ``backend`` gives ``app()``, ``worker`` runs jobs, ``on_error(what)`` makes
    an error handler, ``say`` writes the window's message line, ``changed`` refreshes the rest
    of the window, ``settings_changed`` the settings form (after a restore)."""

    def __init__(self, master: tk.Misc, backend: Any, worker: Any, dialogs: Any,
                 on_error: Callable[[str], Callable[[AppError], None]],
                 say: Callable[[str], None], changed: Callable[[], None],
                 settings_changed: Callable[[], None] = lambda: None,
                 restored: Callable[[], None] = lambda: None) -> None:  # fmt: skip
        super().__init__(master, text="Резервные копии", padding=(8, 4))
        self.backend, self.worker, self.dialogs = backend, worker, dialogs
        self.on_error, self.say, self.changed = on_error, say, changed
        self.settings_changed = settings_changed
        self.restored = restored  # the other panes forget their results
        self.current: PaneState | None = None
        self.folder_var = tk.StringVar(self, "")
        self.auto_var = tk.BooleanVar(self, True)
        self.columnconfigure(1, weight=1)
        ttk.Label(self, text="Каталог копий:").grid(row=0, column=0, sticky="w")
        self.folder_entry = ttk.Entry(self, textvariable=self.folder_var, state="readonly")
        self.folder_entry.grid(row=0, column=1, sticky="ew", padx=4, pady=2)
        self.choose_button = ttk.Button(self, text="Выбрать…", command=self.choose)
        self.choose_button.grid(row=0, column=2, sticky="w")
        self.warning = ttk.Label(self, text="", foreground="#a05000", wraplength=560)
        self.warning.grid(row=1, column=0, columnspan=3, sticky="w")
        self.auto_check = ttk.Checkbutton(
            self, text="Делать копии сами (после получения реестров, приёма, проведения и раз "
                       "в день)", variable=self.auto_var, command=self.toggle_auto)  # fmt: skip
        self.auto_check.grid(row=2, column=0, columnspan=3, sticky="w", pady=2)
        buttons = ttk.Frame(self)
        buttons.grid(row=3, column=0, columnspan=3, sticky="w", pady=(4, 2))
        self.backup_button = ttk.Button(buttons, text="Сделать копию сейчас", command=self.backup)
        self.verify_button = ttk.Button(buttons, text="Проверить", command=self.verify)
        self.restore_button = ttk.Button(buttons, text="Восстановить…", command=self.restore)
        for b in (self.backup_button, self.verify_button, self.restore_button):
            b.pack(side="left", padx=(0, 6))
        self.tree = ttk.Treeview(self, columns=[c[0] for c in COLUMNS], show="headings",
                                 height=5, selectmode="browse")  # fmt: skip
        for key, title, width in COLUMNS:
            self.tree.heading(key, text=title)
            self.tree.column(key, width=width, stretch=key == "date")
        self.tree.grid(row=4, column=0, columnspan=3, sticky="nsew")
        self.rowconfigure(4, weight=1)  # short of room the list gives way, never the result
        # the last job's result, whole: a line until a result needs more (the list gives way)
        self.result_var = tk.StringVar(self, "")
        frame, self.result_label = fixed_label(self, self.result_var, 1)
        frame.grid(row=5, column=0, columnspan=3, sticky="ew", pady=(4, 0))
        # copies made meanwhile (automatic ones, the command line's) listed when it is shown
        self.bind("<Map>", lambda _e: self._shown())
        self.reload()

    def _shown(self) -> None:
        self.reload()
        # a result set while hidden was wrapped at no width: fitted again now it has one
        self.result_var.set(self.result_var.get())

    def follow(self) -> None:
        """The window read its state afresh (a job ended, a change from elsewhere): the list
        too, while it is in view (an automatic copy may have been made)."""
        if self.winfo_viewable():
            self.reload()

    # ------------------------------------------------------------------ reading

    def _read(self) -> PaneState:
        from trayapp.core import backup as bk

        with self.backend.app() as a:
            folder = a.settings.backup_dir(a.paths)
            target = a.settings.database_target(a.paths)  # a URL: the server's database
            db_dir = target.parent if isinstance(target, Path) else None
            same = db_dir is not None and bk.same_disk(folder, db_dir)
            return PaneState(folder, same, a.settings.backup_auto,
                             bk.list_backups(a.paths, folder), a.settings.exchange_folder(a.paths))  # fmt: skip

    def reload(self) -> None:
        self.worker.submit("backup-list", self._read, self.show, self.on_error("Список копий"))

    def show(self, state: PaneState) -> None:
        self.current = state
        self.folder_var.set(str(state.folder))
        self.warning.configure(text=SAME_DISK if state.same_disk else "")
        self.auto_var.set(state.auto)
        chosen = self.tree.selection()
        self.tree.delete(*self.tree.get_children())
        for i in state.items:
            self.tree.insert("", "end", iid=str(i.file), values=(
                i.created or i.file.name, _mb(i.size), i.registries, STATES[i.verified]))  # fmt: skip
        if chosen and self.tree.exists(chosen[0]):
            self.tree.selection_set(chosen[0])

    def selected(self) -> Any:
        """The backup chosen in the list, else the newest; None when there is none."""
        if self.current is None or not self.current.items:
            return None
        chosen = self.tree.selection()
        for i in self.current.items:
            if chosen and str(i.file) == chosen[0]:
                return i
        return self.current.items[0]

    # ------------------------------------------------------------------ settings

    def choose(self) -> None:
        folder = self.dialogs.ask_dir("Каталог резервных копий (флешка или сетевая папка)")
        if folder:
            self._save({"backup_folder": folder}, f"Копии будут сохраняться в {folder}.")

    def toggle_auto(self) -> None:
        on = bool(self.auto_var.get())
        self._save({"backup_auto": "1" if on else "0"},
                   "Копии делаются сами." if on else "Копии делаются только по кнопке.")  # fmt: skip

    def _save(self, values: dict[str, str], text: str) -> None:
        def done(result: Any) -> None:
            self.say(text)
            self.reload()

        self.worker.submit("backup-settings", lambda: self.backend.save_settings(values), done,
                           self._failed("Настройки копий не сохранены"))  # fmt: skip

    def _failed(self, what: str) -> Callable[[AppError], None]:
        handler = self.on_error(what)

        def on_error(exc: AppError) -> None:
            handler(exc)
            self.reload()

        return on_error

    # ------------------------------------------------------------------ jobs

    def backup(self) -> None:
        from trayapp.core import backup as bk

        def job() -> Any:
            with self.backend.app() as a:
                return bk.make_backup(a.db, a.paths, a.settings, clock=a.clock,
                                      progress=self.worker.progress)  # fmt: skip

        def done(info: Any) -> None:
            self.say(f"Резервная копия сделана и проверена: {info.file} ({_mb(info.size)}).")
            self.reload()
            self.changed()

        self.worker.submit("backup", job, done, self._failed("Резервная копия не сделана"))

    def start_of_day(self) -> None:
        """The first start of a day: a backup unless one was made today (``backup_auto``)."""
        from trayapp.core.backup_auto import first_of_day

        def job() -> Any:
            with self.backend.app() as a:
                return first_of_day(a.db, a.paths, a.settings, a.clock, self.worker.progress)

        def done(result: Any) -> None:
            self.reload()
            self.changed()  # a failure is an unseen event: the window notifies it

        self.worker.submit("backup-day", job, done, lambda exc: log.warning("%s", exc))

    def verify(self) -> None:
        from trayapp.core import backup as bk
        from trayapp.core import backup_verify as bv
        from trayapp.core import events

        item = self.selected()
        if item is None:
            self.say("Резервных копий ещё нет: нажмите «Сделать копию сейчас».")
            return

        def job() -> Any:
            v = bv.verify(item.file, self.worker.progress)
            with self.backend.app() as a:
                bk.remember(a.paths, v)
                if not v.ok:
                    with a.db.transaction():
                        events.record(a.db, f"Резервная копия {item.file.name} повреждена: "
                                            + "; ".join(v.faults), "error", seen=True)  # fmt: skip
            return v

        def done(v: Any) -> None:
            if v.ok:
                self.say(f"Копия {item.file.name}: копия в порядке.")
            else:
                self.dialogs.warning("Резервная копия повреждена",
                                     f"{item.file.name}:\n" + "\n".join(v.faults[:20]))  # fmt: skip
                self.say(f"Копия {item.file.name} повреждена.")
            self.reload()
            self.changed()

        self.worker.submit("backup-verify", job, done, self._failed("Копия не проверена"))

    def question(self, item: Any) -> str:
        """What «Восстановить…» asks, naming what will be replaced."""
        exchange = self.current.exchange_folder if self.current else "каталог обмена"
        return (f"Восстановить данные из копии от {item.created or item.file.name}?\n\n"
                "Будут заменены: база данных (документы, журнал, полученные и принятые "
                f"реестры), настройки (пароль останется прежним), каталог обмена {exchange} "
                "и отчёты — всё станет таким, каким было в момент копии.\n\n"
                "Сначала текущее состояние будет сохранено в отдельную копию "
                "(…-before-restore.zip). Реестры, полученные после этой копии, снова придут "
                "из «Мои счета», только если сервер их ещё хранит.")  # fmt: skip

    def restore(self) -> None:
        from trayapp.core import backup_restore as br

        item = self.selected()
        if item is None:
            self.say("Резервных копий ещё нет: восстанавливать не из чего.")
            return
        if not self.dialogs.ask_yes_no("Восстановление из резервной копии", self.question(item)):
            return

        def job() -> Any:
            with self.backend.app() as a:
                paths, settings, clock = a.paths, a.settings, a.clock
            # this window's own tray holds the tray lock: the restore is ours, not refused
            return br.restore_in_place(item.file, paths, settings, clock,
                                       self.worker.progress, tray_held=True)  # fmt: skip

        def done(r: Any) -> None:
            self.restored()  # before the message: it is the one result left
            self.result_var.set(f"Восстановлено из {item.file.name}; прежнее состояние "
                                f"сохранено в {r.before}. Реестры, полученные после этой "
                                "копии, снова придут из «Мои счета», только если сервер их "
                                "ещё хранит.")  # fmt: skip
            self.say(f"Восстановлено из копии от {item.created or item.file.name} "
                     "(подробности — в «Настройки» → «Резервные копии»).")  # fmt: skip
            self.settings_changed()
            self.reload()
            self.changed()

        self.worker.submit("restore", job, done, self._failed("Восстановление не выполнено"))
