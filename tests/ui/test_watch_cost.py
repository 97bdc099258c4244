"""What the window's watch of outside work costs (``ui/watch.py``, ``Backend.change_mark``):
on PostgreSQL one connection kept between checks instead of a new one every 3 s from each
PC, opened again when the settings change; no check at all while the window is hidden
(withdrawn to the tray all day), and one at once when it is shown again."""

from __future__ import annotations

import time
import tkinter as tk
from pathlib import Path

from trayapp import settings as st
from trayapp.app import App
from trayapp.ui.backend import Backend
from trayapp.ui.watch import ChangeWatch

from .conftest import pump


def _home(tmp_path: Path, target: Path | str) -> Path:
    home = tmp_path / "home"
    app = App.create(home)
    app.save_settings(st.set_value(app.settings, "database", str(target)))
    app.close()
    return home


def test_the_watch_keeps_one_postgresql_connection(tmp_path: Path, db_target: Path | str) -> None:
    home = _home(tmp_path, db_target)
    b = Backend(str(home))
    first = b.change_mark()
    if isinstance(db_target, Path):  # SQLite: nothing held open (a restore replaces the file)
        assert b._watch is None
        assert b.change_mark() == first
        return
    assert b._watch is not None
    kept = b._watch[2]
    pid = kept.db.scalar("SELECT pg_backend_pid()")
    for _ in range(5):
        assert b.change_mark() == first
    assert b._watch is not None and b._watch[2] is kept
    assert kept.db.scalar("SELECT pg_backend_pid()") == pid
    time.sleep(0.01)
    app = App.create(home)  # the settings change: the kept App is stale
    app.save_settings(st.set_value(app.settings, "verbose", "1"))
    app.close()
    b.change_mark()
    assert b._watch is not None and b._watch[2] is not kept
    b.close_watch()
    assert b._watch is None


def test_no_check_while_the_window_is_hidden(root: tk.Tk) -> None:
    calls: list[float] = []

    def mark() -> tuple[int, ...]:
        calls.append(time.monotonic())
        return (1,)

    closed: list[bool] = []
    root.deiconify()
    pump(root, lambda: root.winfo_viewable())
    watch = ChangeWatch(root, mark, lambda: (1,), lambda: None, lambda: True, period=0.2,
                        closer=lambda: closed.append(True))  # fmt: skip
    pump(root, lambda: len(calls) >= 2)
    root.withdraw()
    pump(root, lambda: not root.winfo_viewable())
    end = time.monotonic() + 0.5
    while time.monotonic() < end:  # the thread's check that was under way may still land
        root.update()
        time.sleep(0.01)
    hidden = len(calls)
    end = time.monotonic() + 1.5
    while time.monotonic() < end:
        root.update()
        time.sleep(0.01)
    assert len(calls) == hidden, "checked while hidden"
    root.deiconify()
    pump(root, lambda: len(calls) > hidden, timeout=5)
    watch.stop()
    pump(root, lambda: closed == [True], timeout=5)
