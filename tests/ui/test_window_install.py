"""The window's part of the install issue: the version in the title, autostart and schedule.

A real Tk window under Xvfb; ``XDG_CONFIG_HOME`` points at a temporary folder, so the
autostart entry the checkbox writes is a real file there.
"""

from __future__ import annotations

import json
import tkinter as tk
from pathlib import Path

import pytest

from trayapp.version import version

from .conftest import pump
from .test_window import make_window


def test_version_autostart_and_schedule(root: tk.Tk, home: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    entry = tmp_path / "config" / "autostart" / "trayapp.desktop"
    win, dialogs = make_window(root, home, password=None)
    assert version() in root.title() and version() != "0+unknown"
    form = win.settings_form
    assert form.autostart_var.get() is False and form.schedule_var.get() == "0"
    form.schedule_var.set("-3")  # refused in Russian, nothing saved
    form.save_button.invoke()
    pump(root, lambda: dialogs.shown)
    assert "ожидается целое число минут" in dialogs.shown[0][2]
    assert not (home / "settings.json").exists() and not entry.exists()
    dialogs.shown.clear()
    form.schedule_var.set("30")
    form.autostart_check.invoke()
    form.save_button.invoke()
    pump(root, lambda: (home / "settings.json").exists() and not win.worker.busy())
    assert dialogs.shown == []
    assert json.loads((home / "settings.json").read_text("utf-8"))["schedule_minutes"] == 30
    assert entry.is_file() and "tray --minimized" in entry.read_text("utf-8")
    form.autostart_check.invoke()  # off again: the entry goes
    form.save_button.invoke()
    pump(root, lambda: not entry.exists() and not win.worker.busy())


def test_pause_and_resume_in_the_window(root: tk.Tk, home: Path) -> None:
    from trayapp.ui.schedule_button import OFF, PAUSE, RESUME, ScheduleButton
    from trayapp.ui.scheduler import REREAD, Scheduler

    win, _ = make_window(root, home, password=None)
    now, minutes = [100.0], [0]
    schedule = Scheduler(lambda: minutes[0], clock=lambda: now[0])
    button = ScheduleButton(win, schedule)
    assert button.button.cget("text") == OFF and button.button.instate(["disabled"])
    minutes[0] = 15
    now[0] += REREAD
    button.refresh()
    assert button.button.cget("text") == PAUSE and not button.button.instate(["disabled"])
    button.button.invoke()
    assert schedule.paused and button.button.cget("text") == RESUME and button.changed()
    now[0] += 3600
    assert not schedule.tick(lambda: True)  # paused: no turn
    button.button.invoke()
    assert not schedule.paused and schedule.tick(lambda: True)
