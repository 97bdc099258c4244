"""Three associations in one tray (issue 19): a real Tk window under Xvfb, real emulators,
notifications through dunst on a private D-Bus, the icon docked in trayer.

In the process: the switcher names the three, a click on one shows its window alone and the
title names it («ТСЖ «…» (ИНН …) — Мои счета»); a round of sessions runs one after another
and a notification about the third (its window never built) is titled with its name. In a
child started as the autostart entry starts it (``tray --minimized``, no home): one icon
docked for the three, and the window it opens names the first.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tkinter as tk
from collections.abc import Iterator
from pathlib import Path

import pytest

from trayapp.app import App
from trayapp.core.demo import DemoInfo
from trayapp.core.org_change import import_org
from trayapp.emulator.server import Emulator
from trayapp.ui import assoc_tray
from trayapp.ui.notify import Notifier
from trayapp.ui.tray import Tray

from .conftest import pump
from .test_notify import bus, notify_calls, wait_for  # noqa: F401  (a fixture)
from .test_tray import icon_dock, tray_host, wait, wait_docked, xdotool  # noqa: F401
from .test_window import configure

ORGS = [("5405001114", "ТСЖ «Берёзка»"), ("5406002225", "ТСЖ «Сосны»"),
        ("5407003336", "ТСЖ «Клёны»")]  # fmt: skip


@pytest.fixture()
def three(tmp_path: Path, demo_template: tuple[Path, DemoInfo],
          monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Path, Emulator]]]:  # fmt: skip
    """Three homes of the demo data, each its own org and emulator, listed (the first is the
    default home, ``TRAYAPP_HOME``)."""
    monkeypatch.setenv("TRAYAPP_HOME", str(tmp_path / "first"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    out = []
    for i, (inn, name) in enumerate(ORGS):
        home = tmp_path / ("first", "second", "third")[i]
        shutil.copytree(demo_template[0], home)
        f = tmp_path / f"org{i}.csv"
        f.write_text(f"inn;name;bank_account;bik\n{inn};{name};40703810000000000001;045004774\n",
                     encoding="utf-8")  # fmt: skip
        app = App.create(home)
        import_org(app.db, f, replace=True)
        app.close()
        emu = Emulator(tmp_path / f"emu{i}", org=inn, residents=False)
        emu.start()
        configure(home, server_url=emu.url, login="demo")
        out.append((home, emu))
    (tmp_path / "first" / "associations.json").write_text(json.dumps({"associations": [
        {"name": name, "home": None if i == 0 else str(out[i][0])}
        for i, (_, name) in enumerate(ORGS)]}, ensure_ascii=False), "utf-8")  # fmt: skip
    yield out
    for _, emu in out:
        emu.stop()


def broken_payments(inn: str) -> bytes:
    text = ("#FORMAT MOISCHETA/1\r\n#TYPE PAYMENTS\r\n"
            f"#ORG {inn}\r\n#NUMBER 001\r\n#DATE 06.11.2026\r\n#CODING GOROD\r\n#ROWS 1\r\n"
            "#FILESUM 999.00\r\nP1;06.11.2026 10:00:00;НЕТ-ТАКОГО;101;10.00;10.2026\r\n")  # fmt: skip
    return text.encode("cp1251")


def test_switcher_title_and_a_notification_naming_the_association(
        root: tk.Tk, three: list[tuple[Path, Emulator]], bus: Path) -> None:  # noqa: F811  # fmt: skip
    names = [n for _, n in ORGS]
    notifier = Notifier()
    desk = assoc_tray.make_desk(root, assoc_tray.associations_of(None), "demo",
                                Tray(queue.Queue()), notifier, lambda: None)  # fmt: skip
    desk.show(0)
    pump(root, lambda: desk.window.snapshot is not None and "ИНН" in root.title())
    assert desk.switcher.names() == names
    assert root.title() == f"ТСЖ «Берёзка» (ИНН {ORGS[0][0]}) — Мои счета"
    first = desk.window
    desk.switcher.buttons[1].invoke()  # the accountant picks «Сосны»
    pump(root, lambda: desk.window is not first and desk.window.snapshot is not None
         and ORGS[1][0] in root.title())  # fmt: skip
    assert root.title() == f"ТСЖ «Сосны» (ИНН {ORGS[1][0]}) — Мои счета"
    assert desk.window.backend.home == str(three[1][0])
    root.update()
    assert not any(w.winfo_ismapped() for w, _ in desk.entries[0].slaves)  # nothing of «Берёзка»
    assert all(w.winfo_ismapped() for w, _ in desk.entries[1].slaves)
    desk.switcher.buttons[0].invoke()  # and back: its window kept, shown again
    pump(root, lambda: ORGS[0][0] in root.title())
    assert desk.window is first and desk.entries[2].window is None
    # the third's server offers a broken registry; a round runs the three one after another
    (three[2][1].data_dir / "inbox").mkdir(parents=True, exist_ok=True)
    (three[2][1].data_dir / "inbox" / "Payments_20261106_001.txt").write_bytes(
        broken_payments(ORGS[2][0]))  # fmt: skip
    assert desk.exchange_all()
    assert not desk.exchange_all()  # a second click while the round runs: the same round

    def round_done() -> bool:
        desk.tick()
        return not desk.busy() and not desk.round

    pump(root, round_done, 90)
    for home, _ in three:
        app = App.create(home)
        try:
            from trayapp.core.exchange import status

            assert status(app.db, app.tree)["last_exchange"] is not None
        finally:
            app.close()
    assert desk.entries[2].window is None  # its session ran without building its window
    wait_for(lambda: any("Payments_20261106_001.txt" in c for c in notify_calls(bus)))
    mine = [c for c in notify_calls(bus) if "Payments_20261106_001.txt" in c]
    assert len(mine) == 1 and f'string "{names[2]}"' in mine[0]  # titled with its name
    assert desk.state() == "attention" or desk.entries[2].state in ("attention", "error")
    assert desk.tooltip().splitlines()[2].startswith(f"{names[2]}: ")
    assert len(desk.tooltip().splitlines()) == 3
    desk.close()
    notifier.close()


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


def _exchanged(home: Path) -> bool:
    from trayapp.core.exchange import status

    app = App.create(home)
    try:
        return status(app.db, app.tree)["last_exchange"] is not None
    finally:
        app.close()

