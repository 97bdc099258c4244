"""The window's bottom strip: the running job's bar, step and seconds, and the last message.

Its height is fixed (the lists above never jump as messages come and go) and it is packed
before the tabs, so a short window squeezes the tabs, never the strip. Every ``PROGRESS_MS``
the Tk thread reads the worker's latest progress report (``core.progress.Latest``); a job
started after the message was said clears it (a message belongs to the work it reports).
``close`` stops its timers. Tk thread only.
"""

from __future__ import annotations

import time
import tkinter as tk
from tkinter import ttk
from typing import Literal

from trayapp.core.progress import Report, describe
from trayapp.core.values import NBSP
from trayapp.ui.common import Fonts
from trayapp.ui.texts import JOB_STEPS
from trayapp.ui.worker import Worker

PROGRESS_MS = 200
PROGRESS_STYLE = "Job.Horizontal.TProgressbar"
PROGRESS_COLOUR = "#3d7cc9"  # the logo's blue
FOOTER_LINES = 3  # the bar's row and two lines of message


class Footer(ttk.Frame):
    def __init__(self, master: tk.Misc, fonts: Fonts, worker: Worker) -> None:
        line = int(fonts.small.metrics("linespace"))
        super().__init__(master, height=line * FOOTER_LINES + 14)
        self.worker = worker
        self.pack_propagate(False)
        progress_row = ttk.Frame(self)
        progress_row.pack(fill="x")
        # the themed bar is as grey as its trough under «clam»: a colour that tells them apart
        ttk.Style(self).configure(PROGRESS_STYLE, background=PROGRESS_COLOUR)
        self.progress = ttk.Progressbar(progress_row, mode="indeterminate", length=160,
                                        style=PROGRESS_STYLE)  # fmt: skip
        self.step_var = tk.StringVar(self, "")
        self.step_label = ttk.Label(progress_row, textvariable=self.step_var)
        self.step_label.pack(side="left", padx=8)
        self.message_var = tk.StringVar(self, "")
        self.message_label = ttk.Label(self, textvariable=self.message_var,
                                       foreground="#444444", wraplength=720, justify="left",
                                       anchor="nw")  # fmt: skip
        # the rest of the strip: its size never changes with the text
        self.message_label.pack(fill="both", expand=True, pady=(2, 0))
        self.bind("<Configure>", lambda e: self.message_label.configure(
            wraplength=max(200, e.width - 8)))  # fmt: skip
        self._said_at = 0.0  # monotonic time of the message
        self._progress_on = False
        self._progress_mode = ""  # "determinate" once a count with its total is reported
        self._tick_after = self.after(PROGRESS_MS, self.tick)

    def say(self, text: str) -> None:
        self.message_var.set(text)
        self._said_at = time.monotonic()

    def tick(self) -> None:
        """Every PROGRESS_MS: the progress bar runs while a job does, with its step and, once
        the core reports one, its count (the bar then fills: the total is known)."""
        running = self.worker.running
        try:
            if running is not None:
                name, started = running
                if (name != "refresh" and started > self._said_at + 0.5
                        and self.message_var.get()):  # fmt: skip
                    self.message_var.set("")  # said of earlier work: not of this job
                self._show_progress(name, started, self.worker.progress.get())
            elif self._progress_on:
                self.progress.stop()
                self.progress.pack_forget()  # the footer keeps its height: nothing jumps
                self._progress_on = False
                self._progress_mode = ""
                self.step_var.set("")
            self._tick_after = self.after(PROGRESS_MS, self.tick)
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

    def close(self) -> None:
        try:
            self.after_cancel(self._tick_after)
            self.progress.stop()  # its own timer would fire into a destroyed window
        except tk.TclError:
            pass
