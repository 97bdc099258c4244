"""Work done from a console while the window is open (issue of 07.12.2026, item 3): the
window notices it without «Обновить» (``ui/watch.py``), and «Принять» on a registry
accepted meanwhile says so in Russian instead of a file system error."""

from __future__ import annotations

import subprocess
import sys
import tkinter as tk
from pathlib import Path

from trayapp.app import App
from trayapp.core.demo import DemoInfo

from .conftest import pump
from .test_posting import NAME, readings_registry
from .test_window import configure, make_window


def cli(home: Path, *args: str) -> str:
    """``trayapp --home HOME ARGS`` in a process of its own, as from a console."""
    done = subprocess.run([sys.executable, "-m", "trayapp", "--home", str(home), *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def incoming(home: Path, inn: str) -> None:
    data, _down = readings_registry(home, inn)
    app = App.create(home)
    (app.tree.ensure().incoming / NAME).write_bytes(data)
    app.close()


def test_accept_and_post_from_a_console_show_in_the_window(root: tk.Tk, home: Path,
                                                           info: DemoInfo) -> None:  # fmt: skip
    configure(home)
    incoming(home, info.inn)
    win, dialogs = make_window(root, home)
    pump(root, lambda: win.pending_tree.exists(NAME))
    before = set(win.data_panel.post_tree.get_children())
    cli(home, "accept", NAME)
    # no click: the window sees the registry gone and the new document to post
    pump(root, lambda: not win.pending_tree.exists(NAME), timeout=30)
    pump(root, lambda: set(win.data_panel.post_tree.get_children()) - before, timeout=30)
    (number,) = set(win.data_panel.post_tree.get_children()) - before
    cli(home, "post", str(number))
    pump(root, lambda: not win.data_panel.post_tree.exists(number), timeout=30)
    assert not [d for d in dialogs.shown if d[0] == "error"]
    win.close()


def test_accepting_a_registry_accepted_meanwhile_says_so(root: tk.Tk, home: Path,
                                                        info: DemoInfo) -> None:  # fmt: skip
    configure(home)
    incoming(home, info.inn)
    win, dialogs = make_window(root, home)
    pump(root, lambda: win.pending_tree.exists(NAME))
    if hasattr(win, "watch"):
        win.watch.stop()  # the list stays as it was: the accountant clicks before it changes
    out = cli(home, "accept", NAME)
    win.pending_tree.selection_set(NAME)
    root.update()
    win.accept_button.invoke()
    pump(root, lambda: any(d[0] == "error" for d in dialogs.shown) and not win.worker.busy())
    kind, title, text = next(d for d in dialogs.shown if d[0] == "error")
    assert title == "Приём реестра", (title, text)
    assert f"реестр {NAME} уже принят (документ № " in text, text
    assert "No such file" not in text and "ошибка файловой системы" not in text
    assert win.pending.accept_result_var.get().startswith(f"Реестр {NAME} не принят: реестр "), (
        win.pending.accept_result_var.get())
    assert "Проверяется" not in win.pending.accept_result_var.get()
    pump(root, lambda: not win.pending_tree.exists(NAME))  # and the list is read again
    assert out
    win.close()
