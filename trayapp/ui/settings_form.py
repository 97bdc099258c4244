"""The settings tab of the window: its sections each in a tab of their own (nothing scrolls),
«Сохранить» below them, always in view.

Sections: «Обмен» (coding, exchange folder, server, login, password), «База данных»,
«Сверка с банком» (``bank_settings``), «Запуск» (messages, autostart at login, the exchange
schedule in minutes, 0 = off). Another part of the program adds a section of its own with
``add_section(title)`` (a frame to build in). The form reads a ``Settings`` record and, on
«Сохранить», hands the values to its ``on_save`` callback (the window runs the save in the
worker: ``settings.set_value`` checks every value, the file is written atomically, the
password goes to the OS keyring, never to a file). Imports tkinter and ttk only, no core module.
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from trayapp.settings import MAX_SCHEDULE, Settings
from trayapp.ui.bank_settings import BankSettings
from trayapp.ui.common import CODING_LABELS, Dialogs

log = logging.getLogger(__name__)

HINT = "#555555"
IN_KEYRING = "Пароль хранится в хранилище паролей системы; пустое поле оставляет прежний."
IN_MEMORY = ("Надёжного хранилища паролей в системе нет: пароль хранится только в памяти "
             "программы, до выхода из неё (в файл не записывается).")  # fmt: skip


class SettingsForm(ttk.Frame):
    """«Настройки»: the manual's settings mode as a tab of sections."""

    def __init__(self, master: tk.Misc, dialogs: Dialogs,
                 on_save: Callable[[dict[str, str], str], None]) -> None:  # fmt: skip
        super().__init__(master, padding=8)
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
        self.database_var = tk.StringVar(self, "")
        self.db_password_var = tk.StringVar(self, "")
        self.default_folder = ""
        self.entries: dict[str, ttk.Entry] = {}
        self.hints: list[ttk.Label] = []

        # «Сохранить» packed first, at the bottom: always in view, however short the window
        self.save_button = ttk.Button(self, text="Сохранить", command=self.save)
        self.save_button.pack(side="bottom", anchor="w", pady=(8, 0))
        self.sections = ttk.Notebook(self)
        self.sections.pack(fill="both", expand=True)
        self._exchange(self.add_section("Обмен с «Мои счета»"))
        db = self.add_section("База данных")
        row = self._entry_rows(db, (("База данных:", self.database_var, ""),
                                    ("Пароль базы:", self.db_password_var, "•")), 0)  # fmt: skip
        self.database_entry = self.entries["База данных:"]
        self.db_password_entry = self.entries["Пароль базы:"]
        self._hint(db, "Пусто — своя база на этом компьютере; общая база УК: "
                       "postgresql://ПОЛЬЗОВАТЕЛЬ@СЕРВЕР:5432/БАЗА (пароль — в поле выше).", row)
        bank = self.add_section("Сверка с банком")
        self.bank = BankSettings(bank)
        self.bank.grid(row=0, column=0, columnspan=3, sticky="new")
        self._start(self.add_section("Запуск и расписание"))

    def add_section(self, title: str) -> ttk.Frame:
        """A new section (a tab of the settings) to build in; grid column 1 stretches."""
        frame = ttk.Frame(self.sections, padding=10)
        frame.columnconfigure(1, weight=1)
        self.sections.add(frame, text=title)
        return frame

    def _exchange(self, box: ttk.Frame) -> None:
        coding = ttk.LabelFrame(box, text="Кодирование услуг", padding=(8, 4))
        coding.grid(row=0, column=0, columnspan=3, sticky="ew", pady=(0, 8))
        self.coding_buttons: dict[str, ttk.Radiobutton] = {}
        for i, (code, label) in enumerate(CODING_LABELS.items()):
            rb = ttk.Radiobutton(coding, text=label, value=code, variable=self.coding_var)
            rb.grid(row=i // 2, column=i % 2, sticky="w", padx=(0, 24), pady=1)
            self.coding_buttons[code] = rb
        ttk.Label(box, text="Каталог обмена:").grid(row=1, column=0, sticky="w")
        self.folder_entry = ttk.Entry(box, textvariable=self.folder_var, width=48)
        self.folder_entry.grid(row=1, column=1, sticky="ew", padx=4, pady=2)
        self.choose_button = ttk.Button(box, text="Выбрать…", command=self.choose_folder)
        self.choose_button.grid(row=1, column=2, sticky="w")
        self._hint(box, "Внутри будут созданы каталоги Исходящие, Отправлены, Входящие (с "
                        "Обработаны и Ошибки).", 2)  # fmt: skip
        row = self._entry_rows(box, (("Адрес сервера:", self.url_var, ""),
                                     ("Логин:", self.login_var, ""),
                                     ("Пароль:", self.password_var, "•")), 3)  # fmt: skip
        self.url_entry = self.entries["Адрес сервера:"]
        self.password_entry = self.entries["Пароль:"]
        self.password_hint = self._hint(box, IN_KEYRING, row)

    def _start(self, box: ttk.Frame) -> None:
        self.verbose_check = ttk.Checkbutton(box, text="Сообщать подробности",
                                             variable=self.verbose_var)  # fmt: skip
        self.verbose_check.grid(row=0, column=0, columnspan=3, sticky="w", pady=(0, 2))
        self.autostart_check = ttk.Checkbutton(box, text="Запускать при входе в систему "
                                               "(значок в области уведомлений)",
                                               variable=self.autostart_var)  # fmt: skip
        self.autostart_check.grid(row=1, column=0, columnspan=3, sticky="w", pady=2)
        ttk.Label(box, text="Обмен каждые (мин):").grid(row=2, column=0, sticky="w")
        self.schedule_spin = ttk.Spinbox(box, from_=0, to=MAX_SCHEDULE, increment=5, width=6,
                                         textvariable=self.schedule_var)  # fmt: skip
        self.schedule_spin.grid(row=2, column=1, sticky="w", padx=4, pady=2)
        self._hint(box, "0 — только вручную («Обмен» в окне, щелчок по значку или «Обмен "
                        "сейчас» в его меню).", 3)  # fmt: skip

    def _hint(self, box: tk.Misc, text: str, row: int) -> ttk.Label:
        label = ttk.Label(box, text=text, foreground=HINT, wraplength=560, justify="left")
        label.grid(row=row, column=1, columnspan=2, sticky="we", padx=4, pady=(0, 4))
        label.bind("<Configure>", lambda e: label.configure(wraplength=max(200, e.width - 4)))
        self.hints.append(label)
        return label

    def _entry_rows(self, box: tk.Misc, fields: tuple[tuple[str, tk.StringVar, str], ...],
                    row: int) -> int:  # fmt: skip
        """A labelled entry per field from ``row`` on (kept in ``entries`` by its label);
        returns the next free row."""
        for label, var, show in fields:
            ttk.Label(box, text=label).grid(row=row, column=0, sticky="w")
            e = ttk.Entry(box, textvariable=var, width=48, show=show)
            e.grid(row=row, column=1, sticky="ew", padx=4, pady=2)
            self.entries[label] = e
            row += 1
        return row

    def show_keyring(self, available: bool) -> None:
        """Where the password is kept, said as it is (issue 17, item 4)."""
        self.password_hint.configure(text=IN_KEYRING if available else IN_MEMORY)

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
