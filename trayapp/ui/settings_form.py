"""The settings tab of the window: coding, exchange folder, server, login, password, database,
bank, autostart at login and the exchange schedule (minutes, 0 = off).

The form reads a ``Settings`` record and, on «Сохранить», hands the values to its ``on_save``
callback (the window runs the save in the worker: ``settings.set_value`` checks every value,
the file is written atomically, the password goes to the OS keyring, never to a file).
Imports tkinter and ttk only, no core module.
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from trayapp.settings import MAX_SCHEDULE, Settings
from trayapp.ui.bank_settings import BankSettings
from trayapp.ui.common import CODING_LABELS, Dialogs, Scrolled

log = logging.getLogger(__name__)


class SettingsForm(ttk.Frame):
    """«Настройки»: the manual's settings mode as a tab."""

    def __init__(self, master: tk.Misc, dialogs: Dialogs,
                 on_save: Callable[[dict[str, str], str], None]) -> None:  # fmt: skip
        super().__init__(master)
        # the content scrolls where the window is too short for it (nothing is cut)
        self.scroller = Scrolled(self, padding=10)
        self.scroller.pack(fill="both", expand=True)
        self.body = self.scroller.body
        self.dialogs = dialogs
        self.on_save = on_save
        self.coding_var = tk.StringVar(self, "ACCOUNT")
        self.folder_var = tk.StringVar(self, "")
        self.url_var = tk.StringVar(self, "")
        self.login_var = tk.StringVar(self, "")
        self.password_var = tk.StringVar(self, "")
        self.verbose_var = tk.BooleanVar(self, False)
        self.autostart_var = tk.BooleanVar(self, False)
        self.schedule_var = tk.StringVar(self, "0")
        self.default_folder = ""

        row = 0
        coding = ttk.LabelFrame(self.body, text="Кодирование услуг", padding=(8, 4))
        coding.grid(row=row, column=0, columnspan=3, sticky="ew", pady=(0, 8))
        self.coding_buttons: dict[str, ttk.Radiobutton] = {}
        for i, (code, label) in enumerate(CODING_LABELS.items()):
            rb = ttk.Radiobutton(coding, text=label, value=code, variable=self.coding_var)
            rb.grid(row=i // 2, column=i % 2, sticky="w", padx=(0, 24), pady=1)
            self.coding_buttons[code] = rb
        row += 1

        ttk.Label(self.body, text="Каталог обмена:").grid(row=row, column=0, sticky="w")
        self.folder_entry = ttk.Entry(self.body, textvariable=self.folder_var, width=48)
        self.folder_entry.grid(row=row, column=1, sticky="ew", padx=4, pady=2)
        self.choose_button = ttk.Button(self.body, text="Выбрать…", command=self.choose_folder)
        self.choose_button.grid(row=row, column=2, sticky="w")
        row += 1
        hint = ttk.Label(self.body, text="Внутри будут созданы каталоги Исходящие, Отправлены, "
                                    "Входящие (с Обработаны и Ошибки).",
                         foreground="#555555", wraplength=560)  # fmt: skip
        hint.grid(row=row, column=1, columnspan=2, sticky="w", padx=4)
        row += 1

        fields = (("Адрес сервера:", self.url_var, ""), ("Логин:", self.login_var, ""),
                  ("Пароль:", self.password_var, "•"))  # fmt: skip
        self.entries: dict[str, ttk.Entry] = {}
        row = self._entry_rows(fields, row)
        self.url_entry = self.entries["Адрес сервера:"]
        self.password_entry = self.entries["Пароль:"]
        ttk.Label(self.body, text="Пароль хранится в хранилище паролей системы; "
                             "пустое поле оставляет прежний.",
                  foreground="#555555", wraplength=560).grid(row=row, column=1, columnspan=2, sticky="w",
                                             padx=4)  # fmt: skip
        row += 1

        # the database: empty for the SQLite file of this PC, or the company's PostgreSQL
        self.database_var = tk.StringVar(self, "")
        self.db_password_var = tk.StringVar(self, "")
        row = self._entry_rows((("База данных:", self.database_var, ""),
                                ("Пароль базы:", self.db_password_var, "•")), row)  # fmt: skip
        self.database_entry = self.entries["База данных:"]
        self.db_password_entry = self.entries["Пароль базы:"]
        ttk.Label(self.body, text="Пусто — своя база на этом компьютере; общая база УК: "
                             "postgresql://ПОЛЬЗОВАТЕЛЬ@СЕРВЕР:5432/БАЗА (пароль — в поле ниже).",
                  foreground="#555555", wraplength=560).grid(row=row, column=1, columnspan=2,
                                                             sticky="w", padx=4)  # fmt: skip
        row += 1

        self.bank = BankSettings(self.body)
        self.bank.grid(row=row, column=0, columnspan=3, sticky="ew", pady=(8, 0))
        row += 1
        self.verbose_check = ttk.Checkbutton(self.body, text="Сообщать подробности",
                                             variable=self.verbose_var)  # fmt: skip
        self.verbose_check.grid(row=row, column=1, sticky="w", padx=4, pady=(6, 2))
        row += 1
        self.autostart_check = ttk.Checkbutton(self.body, text="Запускать при входе в систему "
                                               "(значок в области уведомлений)",
                                               variable=self.autostart_var)  # fmt: skip
        self.autostart_check.grid(row=row, column=1, columnspan=2, sticky="w", padx=4, pady=2)
        row += 1
        ttk.Label(self.body, text="Обмен каждые (мин):").grid(row=row, column=0, sticky="w")
        self.schedule_spin = ttk.Spinbox(self.body, from_=0, to=MAX_SCHEDULE, increment=5, width=6,
                                         textvariable=self.schedule_var)  # fmt: skip
        self.schedule_spin.grid(row=row, column=1, sticky="w", padx=4, pady=2)
        row += 1
        ttk.Label(self.body, text="0 — только вручную («Обмен» в окне, щелчок по значку или "
                                  "«Обмен сейчас» в его меню).",
                  foreground="#555555", wraplength=560).grid(row=row, column=1, columnspan=2,
                                                             sticky="w", padx=4)  # fmt: skip
        row += 1
        # «Сохранить» below the scrolled part: always in view, however short the window
        self.save_button = ttk.Button(self, text="Сохранить", command=self.save)
        self.save_button.pack(side="bottom", anchor="w", padx=14, pady=(4, 8),
                              before=self.scroller)  # fmt: skip
        self.body.columnconfigure(1, weight=1)

    def _entry_rows(self, fields: tuple[tuple[str, tk.StringVar, str], ...], row: int) -> int:
        """A labelled entry per field from ``row`` on (kept in ``entries`` by its label);
        returns the next free row."""
        for label, var, show in fields:
            ttk.Label(self.body, text=label).grid(row=row, column=0, sticky="w")
            e = ttk.Entry(self.body, textvariable=var, width=48, show=show)
            e.grid(row=row, column=1, sticky="ew", padx=4, pady=2)
            self.entries[label] = e
            row += 1
        return row

    def load(self, s: Settings, default_folder: str) -> None:
        self.default_folder = default_folder
        self.coding_var.set(s.coding)
        self.folder_var.set(s.folder or default_folder)
        self.url_var.set(s.server_url)
        self.login_var.set(s.login)
        self.password_var.set("")
        self.database_var.set(s.database)
        self.db_password_var.set("")
        self.verbose_var.set(s.verbose)
        self.autostart_var.set(s.autostart)
        self.schedule_var.set(str(s.schedule_minutes))
        self.bank.load(s)

    def values(self) -> dict[str, str]:
        folder = self.folder_var.get().strip()
        if folder == self.default_folder:
            folder = ""  # the default stays a default (it follows --home)
        return {
            "coding": self.coding_var.get(),
            "folder": folder,
            "server_url": self.url_var.get().strip(),
            "login": self.login_var.get().strip(),
            "verbose": "1" if self.verbose_var.get() else "0",
            "database": self.database_var.get().strip(),
            # not a setting: the backend puts it into the keyring (settings.set_db_password)
            "db_password": self.db_password_var.get(),
            "autostart": "1" if self.autostart_var.get() else "0",
            "schedule_minutes": self.schedule_var.get().strip(),
            **self.bank.values(),
        }

    def choose_folder(self) -> None:
        chosen = self.dialogs.ask_folder(self.folder_var.get())
        if chosen:
            self.folder_var.set(chosen)

    def save(self) -> None:
        self.on_save(self.values(), self.password_var.get())
