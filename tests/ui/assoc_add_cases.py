"""«Добавить ТСЖ…» from a window opened on one home (07.12.2026, item 5), in-process Tk
cases run by ``test_assoc_add.py`` in a process of their own (as ``assoc_tray_cases.py``).

The window shows the demo's home (``--home``); the default home was never set up, and
``assoc list`` showed it. Adding «ТСЖ «Сосны»» keeps both in the list, and Сосны's settings
with the demo's exchange folder are refused, naming the demo, as the command line refuses.
"""

from __future__ import annotations

import json
import queue
import shutil
import tkinter as tk
from pathlib import Path

import pytest

from trayapp import associations
from trayapp.app import App
from trayapp.core.demo import DemoInfo
from trayapp.ui import assoc_tray
from trayapp.ui.notify import Notifier
from trayapp.ui.tray import Tray

from .conftest import RecordingDialogs, pump
from .test_window import configure


def test_adding_keeps_the_others_and_refuses_their_folder(
        root: tk.Tk, tmp_path: Path, demo_template: tuple[Path, DemoInfo],
        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("TRAYAPP_HOME", str(tmp_path / "default"))  # never set up
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    demo = tmp_path / "demo"
    shutil.copytree(demo_template[0], demo)
    configure(demo)
    demo_folder = App.create(demo).tree.root
    before = [a.name for a in associations.load()]  # what `assoc list` shows
    assert len(before) == 1

    dialogs = RecordingDialogs()
    desk = assoc_tray.make_desk(root, assoc_tray.associations_of(str(demo)), "demo",
                                Tray(queue.Queue()), Notifier(), lambda: None, dialogs)  # fmt: skip
    desk.show(0)
    pump(root, lambda: desk.window.snapshot is not None)
    shown = desk.entries[0].name
    pane = desk.entries[0].pane
    pane.asker = lambda _parent: "ТСЖ «Сосны»"
    pane.add_button.invoke()
    pump(root, lambda: desk.window.snapshot is not None and desk.current == 1)
    listed = json.loads((tmp_path / "default" / "associations.json").read_text("utf-8"))
    names = [a["name"] for a in listed["associations"]]
    assert names == [*before, shown, "ТСЖ «Сосны»"], names
    assert [a.name for a in associations.load()] == names  # `assoc list` keeps them all

    # Сосны's first-start settings with the demo's exchange folder: refused, naming it
    win = desk.window
    assert win.first_start and win.in_settings_mode()
    form = win.settings_form
    form.folder_var.set(str(demo_folder))  # typed into «Каталог обмена», then «Сохранить»
    form.save_button.invoke()
    pump(root, lambda: any(d[0] == "error" for d in dialogs.shown) and not win.worker.busy())
    kind, title, text = next(d for d in dialogs.shown if d[0] == "error")
    assert "уже использует" in text and shown in text, text
    sosny = next(a for a in associations.load() if a.name == "ТСЖ «Сосны»")
    saved = sosny.paths.config_dir / "settings.json"
    assert not saved.exists() or str(demo_folder) not in saved.read_text("utf-8")
    assert "Настройки сохранены" not in win.footer.message_var.get()
    desk.close()
