"""Notifications as the accountant gets them: real ``Notify`` calls on a private D-Bus session
bus with a real notification server (dunst), read back with ``dbus-monitor``."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import time
import tkinter as tk
from collections.abc import Iterator
from pathlib import Path

import pytest

from trayapp.emulator.server import Emulator
from trayapp.ui.backend import Backend
from trayapp.ui.notify import Notifier
from trayapp.ui.tray import Tray, make_on_state
from trayapp.ui.window import SESSION_GAP_S, MainWindow

from .conftest import TODAY, RecordingDialogs, pump
from .test_window import configure, emulator, tree  # noqa: F401  (a fixture)


@pytest.fixture()
def bus(xdisplay: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private session bus, dunst on it, and the monitor's output file."""
    if not all(shutil.which(t) for t in ("dbus-daemon", "dbus-monitor", "dunst")):
        pytest.skip("needs dbus-daemon, dbus-monitor and dunst (apt-get install dbus dunst)")
    out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1",
                          "--print-pid=1"], capture_output=True, text=True, timeout=20,
                         check=True).stdout.split()  # fmt: skip
    address, pid = out[0], int(out[1])
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address)
    dunst = subprocess.Popen(["dunst"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)  # fmt: skip
    seen = tmp_path / "monitor.txt"
    with open(seen, "wb") as f:
        monitor = subprocess.Popen(["dbus-monitor", "--session",
                                    "interface='org.freedesktop.Notifications',member='Notify'"],
                                   env=env, stdout=f, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "NameAcquired" not in seen.read_text("utf-8"):
            time.sleep(0.05)
        yield seen
    finally:
        for p in (monitor, dunst):
            p.terminate()
            p.wait(timeout=10)
        os.kill(pid, 15)


def notify_calls(seen: Path) -> list[str]:
    """The body of each Notify call the monitor printed (summary and body strings)."""
    text = seen.read_text("utf-8", errors="replace")
    return [c for c in text.split("method call")[1:] if "member=Notify" in c]


def wait_for(cond: object, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {cond}")


def window(root: tk.Tk, home: Path, password: str) -> tuple[MainWindow, Notifier]:
    notifier = Notifier()
    win = MainWindow(root, Backend(str(home), password), RecordingDialogs(),  # type: ignore[arg-type]
                     on_state=make_on_state(Tray(queue.Queue()), notifier),
                     today=lambda: TODAY)  # fmt: skip
    pump(root, lambda: win.snapshot is not None)
    return win, notifier


def test_a_rejected_registry_is_one_notification_with_file_and_reason(
        root: tk.Tk, home: Path, emulator: Emulator, bus: Path) -> None:  # noqa: F811  # fmt: skip
    configure(home, server_url=emulator.url, login="demo")
    win, notifier = window(root, home, "demo")
    win.generate("services")
    pump(root, lambda: win.last_generated is not None)
    win.generate("debts")
    pump(root, lambda: win.last_generated is not None and "Debts" in win.last_generated.file.name)
    made = win.last_generated.file  # type: ignore[union-attr]
    text = made.read_bytes()
    start = text.index(b"#FILESUM ")
    end = text.index(b"\r\n", start)
    made.write_bytes(text[:start] + b"#FILESUM 1.00" + text[end:])  # the server will refuse it
    assert win.exchange(from_tray=True)
    pump(root, lambda: win.last_exchange is not None, 60)
    r = win.last_exchange.result  # type: ignore[union-attr]
    assert r.answers_error == 1 and r.answers_ok == 1
    rejection = next(t for t in win.event_texts() if made.name in t and "отклонён" in t)
    reason = rejection.split("отклонён сервисом «Мои счета»: ", 1)[1]
    assert reason
    wait_for(lambda: any(made.name in c for c in notify_calls(bus)))
    mine = [c for c in notify_calls(bus) if made.name in c]
    assert len(mine) == 1  # one notification for the event
    assert reason.startswith("«") and "'" not in rejection  # «…» throughout (issue 17, 5)
    assert reason[1:41] in mine[0]  # with the reason
    assert "logo_128.png" in mine[0] and "python.png" not in mine[0]  # our logo (item 5)
    assert "отклонён" in mine[0]
    # a correct Debts registry: the owners' payments arrive and wait to be accepted
    win.last_exchange = None
    win.generate("debts")
    pump(root, lambda: not win.worker.busy())
    after_gap(root)
    assert win.exchange(from_tray=True)
    pump(root, lambda: win.last_exchange is not None, 60)
    assert win.last_exchange.result.pending >= 1  # type: ignore[union-attr]
    wait_for(lambda: any("Ждут приёма" in c for c in notify_calls(bus)))
    calls = notify_calls(bus)
    waiting = [c for c in calls if "Ждут приёма" in c]
    assert len(waiting) == 1 and "на сумму" in waiting[0]
    assert any("Ждут приёма" in t for t in win.event_texts())  # kept in «События» too
    wait_for(lambda: notifier.shown == len(calls))


def after_gap(root: tk.Tk) -> None:
    """The Tk loop runs past the window's gap after a session (a click within it is the same
    click and starts nothing): the next call is a new request."""
    end = time.monotonic() + SESSION_GAP_S
    while time.monotonic() < end:
        root.update()
        time.sleep(0.01)


def test_a_session_that_cannot_finish_is_notified_once(
        root: tk.Tk, home: Path, emulator: Emulator, bus: Path) -> None:  # noqa: F811  # fmt: skip
    configure(home, server_url=emulator.url, login="demo")
    win, notifier = window(root, home, "wrong")
    for _ in range(3):  # as a schedule would retry
        done = len([t for t in win.event_texts() if "Обмен не завершён" in t])
        after_gap(root)  # a schedule's retry, not the same click again
        assert win.exchange(from_tray=True)
        pump(root, lambda done=done: len([t for t in win.event_texts()  # type: ignore[misc]
                                          if "Обмен не завершён" in t]) > done, 60)  # fmt: skip
    wait_for(lambda: notifier.shown >= 1)
    pump(root, lambda: not win.worker.busy())
    time.sleep(1)  # let a second notification, were there one, reach the bus
    failed = [c for c in notify_calls(bus) if "Обмен не завершён" in c]
    assert len(failed) == 1
    assert len([t for t in win.event_texts() if "Обмен не завершён" in t]) == 3
