"""The installer's quit request (winquit.py) and the tray's stop: the logic with an event of
threading standing in for the Windows named event; the ctypes calls themselves run only on
Windows (the installer's side is tested under Wine: tests/installer/test_windows_wine.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from trayapp.ui import winquit
from trayapp.ui.tray import Tray
from trayapp.ui.winquit import QUIT_EVENT, QuitListener

from .test_tray import log_text


class FakeEvents:
    def __init__(self, fail: bool = False) -> None:
        self.event = threading.Event()
        self.names: list[str] = []
        self.fail = fail

    def create(self, name: str) -> int | None:
        self.names.append(name)
        return None if self.fail else 7

    def wait(self, handle: int, ms: int) -> bool:
        assert handle == 7
        return self.event.wait(ms / 1000)


def test_the_named_event_set_by_the_installer_asks_once() -> None:
    api = FakeEvents()
    asked: list[float] = []
    listener = QuitListener(lambda: asked.append(time.monotonic()), api)
    assert listener.start()
    assert api.names == [QUIT_EVENT] == ["trayapp-quit"]  # the name trayapp.nsi sets
    time.sleep(0.2)
    assert asked == []
    api.event.set()
    deadline = time.monotonic() + 5
    while not asked and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(winquit.POLL_MS / 1000 * 2)
    assert len(asked) == 1
    listener.stop()


def test_stop_ends_the_listening_thread() -> None:
    listener = QuitListener(lambda: None, FakeEvents())
    assert listener.start()
    listener.stop()
    assert listener._thread is not None and not listener._thread.is_alive()


def test_no_event_no_listening() -> None:
    assert not QuitListener(lambda: None, FakeEvents(fail=True)).start()
    if sys.platform != "win32":
        assert not QuitListener(lambda: None).start()  # nothing to listen to here


class SlowIcon:
    """An icon whose loop ends a moment after ``stop`` (as pystray's win32 loop does once it
    has removed the icon)."""

    def __init__(self) -> None:
        self.stopped = threading.Event()

    def run(self, setup: Any = None) -> None:
        self.stopped.wait(10)
        time.sleep(0.5)

    def stop(self) -> None:
        self.stopped.set()


def test_tray_stop_waits_for_the_icon_loop() -> None:
    import queue

    tray = Tray(queue.Queue())
    tray.icon = SlowIcon()
    tray._thread = threading.Thread(target=tray._run, daemon=True)
    tray._thread.start()
    thread = tray._thread
    tray.stop()
    assert not thread.is_alive()  # the icon is gone before the process may end


QUIT_BY_EVENT = """
import sys, threading
from trayapp.ui import winquit
event = threading.Event()
class Api:
    def create(self, name): return 7 if name == winquit.QUIT_EVENT else None
    def wait(self, handle, ms): return event.wait(ms / 1000)
winquit.windows_api = lambda: Api()
threading.Timer(4, event.set).start()
from trayapp.ui.tray import run_tray
sys.exit(run_tray(sys.argv[1], "demo", minimized=True))
"""


def test_the_tray_quits_when_the_installer_asks(xdisplay: str, home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TRAYAPP_HOME"}
    env["TRAYAPP_NO_TRAY"] = "1"
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", QUIT_BY_EVENT, str(home)], env=env,
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert 4 <= time.monotonic() - t0 < 60
    assert "asked to quit (the installer)" in log_text(home)


class ImageIcon:
    def __init__(self) -> None:
        self.icon: Any = None
        self.title = ""


def test_the_badge_is_drawn_at_the_small_icon_size() -> None:
    """Windows shows the tray icon at SM_CXSMICON (16 px at 100 %): drawn at 32 and shrunk,
    «↑3 ↓12» is a smear (issue 20, item 17)."""
    import queue

    from trayapp.ui.window import UiState

    tray = Tray(queue.Queue())
    tray.icon, tray.backend = ImageIcon(), "win32"
    for px in (16, 24, 32):
        tray.icon_px = lambda px=px: px  # type: ignore[misc]
        tray.update(UiState("idle", 3, 12, "Мои счета"))
        assert tray.icon.icon.size == (px, px)
