"""Three associations in one tray (issue 19), the in-process cases: a real Tk window under
Xvfb, real emulators, notifications through dunst on a private D-Bus. Run by
``test_assoc_tray.py`` in a process of their own (several roots with many windows and
notification threads left a Tk state that crashed a later test's ``focus -force``).

In the process: the switcher names the three, a click on one shows its window alone and the
title names it («ТСЖ «…» (ИНН …) — Мои счета»); a round of sessions runs one after another
and a notification about the third (its window never built) is titled with its name; a click
on the notification opens the window on it. In a
child started as the autostart entry starts it (``tray --minimized``, no home): one icon
docked for the three, and the window it opens names the first.
"""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import time
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
    # a click on it (dunst's default action) opens the window on «Клёны»
    subprocess.run(["dunstctl", "action", "0"], check=True, timeout=10)
    pump(root, lambda: desk.tick() or (desk.current == 2 and desk.window is not None
         and desk.window.snapshot is not None and ORGS[2][0] in root.title()), 30)  # fmt: skip
    assert root.title() == f"ТСЖ «Клёны» (ИНН {ORGS[2][0]}) — Мои счета"
    assert desk.state() == "attention" or desk.entries[2].state in ("attention", "error")
    assert desk.tooltip().splitlines()[2].startswith(f"{names[2]}: ")
    assert len(desk.tooltip().splitlines()) == 3
    end = time.monotonic() + 0.5  # the window brought to the front: its timers run out
    while time.monotonic() < end:
        root.update()
    desk.close()
    notifier.close()


def _exchanged(home: Path) -> bool:
    from trayapp.core.exchange import status

    app = App.create(home)
    try:
        return status(app.db, app.tree)["last_exchange"] is not None
    finally:
        app.close()



def test_settings_list_adds_and_removes_an_association(
        root: tk.Tk, three: list[tuple[Path, Emulator]], tmp_path: Path) -> None:  # fmt: skip
    from .conftest import RecordingDialogs

    dialogs = RecordingDialogs()
    desk = assoc_tray.make_desk(root, assoc_tray.associations_of(None), "demo",
                                Tray(queue.Queue()), Notifier(), lambda: None, dialogs)  # fmt: skip
    desk.show(0)
    pump(root, lambda: desk.window.snapshot is not None)
    pane = desk.entries[0].pane
    assert list(pane.names.get(0, "end")) == [n for _, n in ORGS]
    pane.asker = lambda _parent: "ТСЖ «Липы»"
    pane.add_button.invoke()  # «Добавить ТСЖ…»: a new home, then its first-start settings
    pump(root, lambda: desk.window.snapshot is not None)
    assert [e.name for e in desk.entries][-1] == "ТСЖ «Липы»" and desk.current == 3
    assert desk.window.first_start and desk.window.in_settings_mode()
    assert root.title() == "ТСЖ «Липы» — Мои счета"  # no ИНН before its data are loaded
    listed = json.loads((tmp_path / "first" / "associations.json").read_text("utf-8"))
    new_home = Path(listed["associations"][3]["home"])
    assert new_home.parent == tmp_path / "first" / "data" / "ТСЖ" and new_home.is_dir()
    # «Убрать из списка» on «Сосны»: asked first, the list only, its data stay
    desk.show(1)
    pump(root, lambda: ORGS[1][0] in root.title())
    pane = desk.entries[1].pane
    pane.fill()
    dialogs.answers = [True]
    pane.remove_button.invoke()
    assert dialogs.shown[-1][0] == "confirm" and str(three[1][0]) in dialogs.shown[-1][2]
    assert [e.name for e in desk.entries] == [ORGS[0][1], ORGS[2][1], "ТСЖ «Липы»"]
    listed = json.loads((tmp_path / "first" / "associations.json").read_text("utf-8"))
    assert [a["name"] for a in listed["associations"]] == [e.name for e in desk.entries]
    assert (three[1][0] / "settings.json").is_file()  # its data stay where they were
    pump(root, lambda: ORGS[0][0] in root.title())  # the first is shown instead
    desk.close()


def test_the_menu_has_a_submenu_per_association(xdisplay: str) -> None:
    import pystray  # the dummy backend under the test display (conftest)

    commands: queue.Queue[str] = queue.Queue()
    tray = Tray(commands)
    tray.has_menu = True  # as on Windows and gtk (xorg's docked icon has none)
    tray.menu_rows = lambda: [(0, "ТСЖ «Берёзка» — всё в порядке"),
                              (1, "ТСЖ «Сосны» — ждут внимания")]  # fmt: skip
    items = list(tray._menu(pystray).items)
    texts = [str(i.text) for i in items if i is not pystray.Menu.SEPARATOR]
    assert texts == ["ТСЖ «Берёзка» — всё в порядке", "ТСЖ «Сосны» — ждут внимания",
                     "Обмен во всех", "Добавить ТСЖ…", "Выход"]  # fmt: skip
    sub = list(items[1].submenu.items)
    assert [str(i.text) for i in sub] == ["Обмен", "Открыть окно", "Открыть каталог обмена"]
    for i in sub:
        i(None)  # what a click on the entry does
    default = next(i for i in items if i is not pystray.Menu.SEPARATOR and i.default)
    default(None)
    got = [commands.get_nowait() for _ in range(4)]
    assert got == ["exchange:1", "show:1", "folder:1", "exchange"]


def test_schedules_run_one_after_another(root: tk.Tk, three: list[tuple[Path, Emulator]]) -> None:
    from trayapp.ui.scheduler import Scheduler

    desk = assoc_tray.make_desk(root, assoc_tray.associations_of(None), "demo",
                                Tray(queue.Queue()), Notifier(), lambda: None)  # fmt: skip
    desk.show(0)
    pump(root, lambda: desk.window.snapshot is not None)
    now = [0.0]
    for e in desk.entries:  # every 5 minutes each, all due at the same moment
        e.schedule = Scheduler(lambda: 5, clock=lambda: now[0], first_delay=1.0)
        assert e.schedule.minutes == 5
    now[0] = 2.0
    desk.tick()
    assert desk.round_running == 0 and list(desk.round) == [1, 2]  # one at a time
    seen_running: set[int] = set()

    def done() -> bool:
        desk.tick()
        if desk.round_running is not None:
            seen_running.add(desk.round_running)
            assert sum(e.running for e in desk.entries) <= 1
        return not desk.busy() and not desk.round

    pump(root, done, 90)
    assert seen_running == {0, 1, 2}
    assert all(_exchanged(h) for h, _ in three)
    desk.tick()  # not due again before its interval
    assert desk.round_running is None and not desk.round
    desk.close()
