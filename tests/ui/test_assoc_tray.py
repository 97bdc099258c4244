"""Three associations in one tray (issue 19): the in-process cases (``assoc_tray_cases.py``:
switcher, title, a round of sessions, a notification naming the association and its click,
«Настройки»'s list, the menu, schedules) in a process of their own; and, in a child started as
the autostart entry starts it (``tray --minimized``, no home), one icon docked in trayer for
the three, the window it opens naming the first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from trayapp.emulator.server import Emulator

from .assoc_tray_cases import ORGS, _exchanged, three  # noqa: F401  (a fixture)
from .test_tray import icon_dock, tray_host, wait, wait_docked, xdotool  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def test_the_window_cases_in_a_process_of_their_own(xdisplay: str) -> None:
    r = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
                        "tests/ui/assoc_tray_cases.py"], cwd=ROOT, capture_output=True,
                       text=True, timeout=900, env=dict(os.environ))  # fmt: skip
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("tests/ui/assoc_tray_cases"))
    assert "collected 4 items" in r.stdout and line.split()[1] == "....", r.stdout[-2000:]


def test_one_icon_docked_for_three(tray_host: None, three: list[tuple[Path, Emulator]],  # noqa: F811
                                   tmp_path: Path) -> None:  # fmt: skip
    env = dict(os.environ, PYSTRAY_BACKEND="xorg", TRAYAPP_PASSWORD="demo",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")  # fmt: skip
    log = three[0][0] / "logs" / "trayapp-tray.log"
    app = subprocess.Popen([sys.executable, "-m", "trayapp", "tray", "--minimized"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        wait(lambda: log.exists() and "started: tray" in log.read_text("utf-8"), 60, "the tray")
        icon_window = wait_docked("one icon docked")
        tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True,
                              timeout=10).stdout  # fmt: skip
        assert tree.count("trayappSystemTrayIcon") == 1  # one icon for the three
        xdotool("mousemove", "--window", icon_window, "4", "4", "click", "1")
        wait(lambda: xdotool("search", "--onlyvisible", "--classname", "^trayapp$"), 20,
             "the window")  # fmt: skip
        title = xdotool("getwindowname", xdotool("search", "--onlyvisible", "--classname",
                                                  "^trayapp$").split()[0])  # fmt: skip
        assert title == f"ТСЖ «Берёзка» (ИНН {ORGS[0][0]}) — Мои счета"
        # the click ran a session in each of the three, one after another
        wait(lambda: log.read_text("utf-8").count("exchange session 1 done") >= 1, 60, "sessions")
        wait(lambda: all(_exchanged(h) for h, _ in three), 60, "a session in each")
    finally:
        if app.poll() is None:
            app.terminate()
        app.communicate(timeout=20)
