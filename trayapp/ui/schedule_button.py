"""«Приостановить»/«Возобновить» in the window's header: the tray's schedule, paused by hand.

A ttk button beside «Выход» that toggles the ``Scheduler`` (the same one the tray menu
toggles) and shows what a click will do; disabled while no schedule is set
(``schedule_minutes`` 0). ``refresh`` runs on every poll of the tray's Tk loop. Tk only;
the schedule itself is scheduler.py's.
"""

from __future__ import annotations

from tkinter import ttk
from typing import Any

from trayapp.ui.scheduler import Scheduler

PAUSE = "Приостановить"
RESUME = "Возобновить"
OFF = "Без расписания"


class ScheduleButton:
    def __init__(self, window: Any, schedule: Scheduler) -> None:
        self.schedule = schedule
        head = window.quit_button.master
        self.button = ttk.Button(head, text=PAUSE, command=self.toggle)
        # left of «Выход», with a gap: a click meant for one never lands on the other
        self.button.pack(side="right", anchor="n", padx=(0, 12), after=window.quit_button)
        self._shown: tuple[str, bool] | None = None
        self._changed = False
        self.refresh()

    def toggle(self) -> None:
        self.schedule.toggle()
        self.refresh()

    def refresh(self) -> None:
        on = self.schedule.minutes > 0
        text = (RESUME if self.schedule.paused else PAUSE) if on else OFF
        if self._shown != (text, on):
            self._shown = (text, on)
            self._changed = True
            self.button.configure(text=text, state="normal" if on else "disabled")

    def changed(self) -> bool:
        """Whether the state changed since the last call (the tray then updates its menu)."""
        changed, self._changed = self._changed, False
        return changed
