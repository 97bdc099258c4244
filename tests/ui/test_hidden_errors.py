"""Issue 20, hazard 15: an error while the window is not shown is a notification, not a box
behind other windows; the box comes when the window is next opened.

The real window, withdrawn (the icon alone, as after a ``--minimized`` start) on Xvfb; the
database moved to a drive that is not there (a refresh after a scheduled session fails); the
real notifier on a private session bus with dunst, its ``Notify`` calls read back with
``dbus-monitor``.
"""

from __future__ import annotations

import queue
import tkinter as tk
from pathlib import Path

from trayapp.ui.backend import Backend
from trayapp.ui.notify import Notifier
from trayapp.ui.tray import Tray, make_on_state
from trayapp.ui.window import MainWindow

from .conftest import TODAY, RecordingDialogs, pump
from .test_notify import bus, notify_calls, wait_for  # noqa: F401  (a fixture)
from .test_window import configure


def test_a_refresh_failing_while_hidden_is_notified_and_shown_when_opened(
        root: tk.Tk, home: Path, bus: Path) -> None:  # noqa: F811  # fmt: skip
    configure(home)
    notifier = Notifier()
    dialogs = RecordingDialogs()
    win = MainWindow(root, Backend(str(home)), dialogs,  # type: ignore[arg-type]
                     on_state=make_on_state(Tray(queue.Queue()), notifier),
                     today=lambda: TODAY)  # fmt: skip
    pump(root, lambda: win.snapshot is not None and root.winfo_viewable())
    root.withdraw()  # the icon alone
    pump(root, lambda: not root.winfo_viewable())
    # the drive the database is on is not there (not yet mounted, a network share down)
    (home / "Z").write_text("not a folder", encoding="utf-8")
    configure(home, database=str(home / "Z" / "база.db"))
    win.refresh()  # as after a scheduled session
    pump(root, lambda: not win.worker.busy())
    assert "Обновление" in win.message_var.get()  # the footer and «События» have it
    assert dialogs.shown == []  # no box behind other windows, no taskbar button
    wait_for(lambda: any("база.db" in c for c in notify_calls(bus)))
    (call,) = [c for c in notify_calls(bus) if "база.db" in c]
    assert "logo_128.png" in call and "Мои счета" in call  # ours, through the tray's notifier
    # a second failure while hidden: notified again, kept once
    win.refresh()
    pump(root, lambda: not win.worker.busy())
    assert dialogs.shown == []
    # the accountant opens the window: the error is shown there, once
    win.show()
    pump(root, lambda: dialogs.shown)
    for _ in range(20):
        root.update()
    assert len(dialogs.shown) == 1
    kind, _title, message = dialogs.shown[0]
    assert kind == "error" and "база.db" in message
    # shown: the next failure is a box at once, as before
    win.refresh()
    pump(root, lambda: len(dialogs.shown) == 2)
    win.close()
    notifier.close()
