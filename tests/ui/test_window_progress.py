"""The window's progress strip during a real job (issue 7, item 9): the step with its count
«N из M» and a determinate bar once the core reports a total, then nothing once it ends.

The job is the real generation from the demo database; to be seen it is held at its last
report (a ``Latest`` that waits there until the test has looked), never by sleeping."""

from __future__ import annotations

import threading
import tkinter as tk
from pathlib import Path

from trayapp.app import App
from trayapp.core import values as v
from trayapp.core.demo import DemoInfo
from trayapp.core.progress import Latest
from trayapp.core.values import NBSP

from .conftest import pump
from .test_window import configure, make_window


class HeldAtTheEnd(Latest):
    """Keeps reports as the window's does; the last report of ``step`` waits for ``go``."""

    def __init__(self, step: str) -> None:
        super().__init__()
        self.step = step
        self.go = threading.Event()
        self.held = threading.Event()

    def __call__(self, step: str, done: int, total: int | None) -> None:
        super().__call__(step, done, total)
        if step == self.step and done == total:
            self.held.set()
            self.go.wait(30)


def accounts_in_month(home: Path, period: int) -> int:
    """Accounts open in the billing month, counted here (not by the generator's query)."""
    app = App.create(home)
    first = v.month_first_day(period).isoformat()
    last = v.month_last_day(period).isoformat()
    n = int(app.db.scalar("SELECT COUNT(*) FROM accounts WHERE (closed IS NULL OR closed >= ?)"
                          " AND (opened IS NULL OR opened <= ?)", (first, last)))  # fmt: skip
    app.close()
    return n


def test_generation_shows_its_count_and_total(root: tk.Tk, home: Path, info: DemoInfo) -> None:
    configure(home)
    win, dialogs = make_window(root, home)
    total = accounts_in_month(home, info.billing_period)
    assert total >= 20 - 2  # the demo: 20 accounts, a closed one or two
    pump(root, lambda: not win.worker.busy())  # the start's own jobs (refresh, backup list)
    pump(root, lambda: win.step_var.get() == "")
    gate = HeldAtTheEnd("debts")
    win.worker.progress = gate
    win.gen_buttons["debts"].invoke()
    seen: list[str] = []

    def counted() -> bool:
        seen.append(win.step_var.get())
        return f" из {total}{NBSP}л/с" in seen[-1]

    pump(root, counted)
    text = win.step_var.get()
    assert gate.held.is_set() and win.last_generated is None  # the job is still running
    assert text.startswith(f"Задолженность: {total} из {total}{NBSP}л/с · ") and text.endswith(
        f"{NBSP}с"
    )
    assert str(win.progress.cget("mode")) == "determinate" and win._progress_on
    assert float(win.progress.cget("maximum")) == total
    assert float(win.progress.cget("value")) == total
    gate.go.set()
    pump(root, lambda: win.last_generated is not None)
    pump(root, lambda: win.step_var.get() == "" and not win._progress_on)
    assert dialogs.shown == []
    # before the count came, the strip named the job (the first tick may come after it)
    assert all(s == "" or s.startswith(("Формирование реестра…", "Задолженность: "))
               for s in seen)  # fmt: skip


def test_a_job_without_a_count_keeps_the_running_bar(root: tk.Tk, home: Path) -> None:
    """A job that reports nothing (the refresh) shows its step and an indeterminate bar."""
    configure(home)
    win, _ = make_window(root, home)
    release = threading.Event()
    win.worker.submit("refresh", lambda: release.wait(20), lambda _r: None, lambda _e: None)
    pump(root, lambda: win.step_var.get().startswith("Обновление…"))
    assert str(win.progress.cget("mode")) == "indeterminate"
    release.set()
    pump(root, lambda: win.step_var.get() == "" and not win._progress_on)
