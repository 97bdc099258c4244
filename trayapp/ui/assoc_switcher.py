"""The switcher at the top of the window: one button per association, each with a dot in its
state's colour (spec/associations.md «One window»). A click calls ``on_switch(index)``; the
chosen one is shown pressed. Tk thread only; no core import.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from trayapp.ui import icon

# the icon's own colours, a dot before each name
COLOURS = {icon.IDLE: "#1f6fd1", icon.EXCHANGING: "#00897b", icon.ATTENTION: "#e69100",
           icon.ERROR: "#c62828", icon.OFFLINE: "#777777"}  # fmt: skip
STATE_WORDS = {icon.IDLE: "всё в порядке", icon.EXCHANGING: "идёт обмен",
               icon.ATTENTION: "ждут внимания", icon.ERROR: "ошибка",
               icon.OFFLINE: "нет связи"}  # fmt: skip
STYLE = "Assoc.Toolbutton"


class Switcher(ttk.Frame):
    """Buttons in a row; ``set(names, states, chosen)`` redraws only what changed."""

    def __init__(self, parent: tk.Misc, on_switch: Callable[[int], None]) -> None:
        super().__init__(parent, padding=(8, 6, 8, 0))
        self.on_switch = on_switch
        self.buttons: list[tk.Radiobutton] = []
        self.chosen = tk.IntVar(self, 0)
        self._shown: list[tuple[str, str]] = []
        ttk.Label(self, text="ТСЖ:").pack(side="left", padx=(0, 6))

    def set(self, names: list[str], states: list[str], chosen: int) -> None:
        wanted = list(zip(names, states, strict=True))
        if wanted != self._shown:
            for b in self.buttons:
                b.destroy()
            self.buttons = []
            for i, (name, state) in enumerate(wanted):
                b = tk.Radiobutton(self, text=f"● {name}", variable=self.chosen, value=i,
                                   indicatoron=False, padx=8, pady=2,
                                   foreground=COLOURS.get(state, "#000000"),
                                   command=self._switch(i))  # fmt: skip
                b.pack(side="left", padx=(0, 4))
                self.buttons.append(b)
            self._shown = wanted
        self.chosen.set(chosen)

    def _switch(self, index: int) -> Callable[[], None]:
        return lambda: self.on_switch(index)

    def names(self) -> list[str]:
        """The names as shown (for tests and the log)."""
        return [str(b.cget("text"))[2:] for b in self.buttons]

    def colour_of(self, index: int) -> str:
        return str(self.buttons[index].cget("foreground"))
