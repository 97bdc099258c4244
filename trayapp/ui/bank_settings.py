"""The bank part of the settings tab (spec/bank.md): the agent's ИНН, its fee, the days.

Three entries in a frame of their own; ``values`` gives them as ``settings set`` takes them
(``settings.set_value`` checks them when the form is saved, and a bad one is refused with its
Russian message: nothing is saved). Imports tkinter and ttk only, no core module.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from trayapp.settings import Settings

FIELDS = (
    ("bank_agent_inn", "ИНН агента:", "пусто — переводы от любого плательщика"),
    ("bank_fee_percent", "Вознаграждение агента, %:", "от суммы реестра, например 1,5"),
    ("bank_days", "Деньги идут, дней:", "после даты реестра, от 0 до 60"),
)


class BankSettings(ttk.LabelFrame):
    """«Сверка с банком» in the settings tab."""

    def __init__(self, master: tk.Misc) -> None:
        super().__init__(master, text="Сверка с банком", padding=(8, 4))
        self.vars: dict[str, tk.StringVar] = {}
        self.entries: dict[str, ttk.Entry] = {}
        for row, (key, label, hint) in enumerate(FIELDS):
            ttk.Label(self, text=label).grid(row=row, column=0, sticky="w")
            var = tk.StringVar(self, "")
            entry = ttk.Entry(self, textvariable=var, width=16)
            entry.grid(row=row, column=1, sticky="w", padx=4, pady=1)
            ttk.Label(self, text=hint, foreground="#555555").grid(row=row, column=2, sticky="w")
            self.vars[key] = var
            self.entries[key] = entry

    def load(self, s: Settings) -> None:
        self.vars["bank_agent_inn"].set(s.bank_agent_inn)
        self.vars["bank_fee_percent"].set(s.bank_fee_percent.replace(".", ","))
        self.vars["bank_days"].set(str(s.bank_days))

    def values(self) -> dict[str, str]:
        return {key: var.get().strip() for key, var in self.vars.items()}
