"""The window fits the screens accountants have: 1280×800 at 100 %, 1920×1080 at 150 %,
and the fixture's 1024×768; the bottom strip (progress, step, message) is on the screen.

Each size is a real Xvfb of its own (the session's display is 1024×768).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tkinter as tk
from pathlib import Path
from tkinter import font as tkfont
from tkinter import ttk

import pytest

from trayapp.app import App
from trayapp.errors import AppError
from trayapp.ui.common import NO_EXCHANGE
from trayapp.ui.desktop import apply_theme

from .conftest import pump
from .test_window import configure, make_window, tree


def _xvfb(size: str) -> tuple[subprocess.Popen[bytes], str]:
    if shutil.which("Xvfb") is None:
        pytest.skip("no Xvfb (apt-get install xvfb)")
    for _ in range(5):
        r, w = os.pipe()
        proc = subprocess.Popen(
            ["Xvfb", f":{random.randint(200, 899)}", "-displayfd", str(w), "-screen", "0",
             f"{size}x24", "-nolisten", "tcp"],
            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(w)
        with os.fdopen(r) as f:
            number = f.readline().strip()
        if number:
            return proc, f":{number}"
        proc.kill()
        proc.wait()
    pytest.skip("Xvfb did not start")


# a child process's start: the demo window at the Tk scaling of argv[2] (home: argv[1])
WINDOW_AT_SCALING = """
import json, sys, tkinter as tk
from pathlib import Path
from tests.ui.test_window import configure, make_window
root = tk.Tk()
root.tk.call("tk", "scaling", float(sys.argv[2]))
root.geometry("+0+0")
home = Path(sys.argv[1])
configure(home)
win, _ = make_window(root, home)
"""

PROBE = WINDOW_AT_SCALING + """
out = []
for tab in win.notebook.tabs():  # the tallest tab must fit too
    win.notebook.select(tab)
    for _ in range(20):
        root.update()
    strip = win.message_label.master
    out.append({"root": [root.winfo_rootx(), root.winfo_rooty(), root.winfo_width(),
                         root.winfo_height()],
                "strip": [strip.winfo_ismapped(), strip.winfo_rooty(), strip.winfo_height()],
                "screen": [root.winfo_screenwidth(), root.winfo_screenheight()]})
win.close()
print(json.dumps(out))
"""


@pytest.mark.parametrize(("size", "scaling"), [("1280x800", 4 / 3), ("1920x1080", 2.0),
                                               ("1024x768", 4 / 3)])  # fmt: skip
def test_the_window_and_its_bottom_strip_are_on_the_screen(size: str, scaling: float,
                                                           home: Path, xdisplay: str
                                                           ) -> None:  # fmt: skip
    """A process of its own per screen: Tk keeps a display open after ``destroy`` and exits
    when that X server ends."""
    proc, display = _xvfb(size)
    try:
        env = {**os.environ, "DISPLAY": display}
        run = subprocess.run([sys.executable, "-c", PROBE, str(home), str(scaling)], env=env,
                             capture_output=True, text=True, timeout=120,
                             cwd=Path(__file__).parents[2])  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert run.returncode == 0, run.stderr[-2000:]
    for tab in json.loads(run.stdout.strip().splitlines()[-1]):
        x, y, w, h = tab["root"]
        sw, sh = tab["screen"]
        assert f"{sw}x{sh}" == size
        assert y + h <= sh and x + w <= sw, tab
        mapped, sy, sheight = tab["strip"]
        assert mapped and sheight > 20, tab
        assert sy + sheight <= y + h <= sh, tab


def test_the_window_keeps_its_width_as_files_wait(root: tk.Tk, home: Path) -> None:
    """Three registries in Исходящие: the header's lines wrap, the window does not widen."""
    configure(home)
    win, _ = make_window(root, home)
    for _ in range(10):
        root.update()
    width = root.winfo_width()
    for kind in ("services", "debts", "meters"):
        win.last_generated = None
        win.gen_buttons[kind].invoke()
        pump(root, lambda: win.last_generated is not None)
        pump(root, lambda: not win.worker.busy("refresh"))
    pump(root, lambda: "Meters_" in win.details_var.get() or "ещё" in win.details_var.get())
    for _ in range(10):
        root.update()
    assert root.winfo_width() == width <= root.winfo_screenwidth(), win.details_var.get()
    win.close()


def test_tk_dialogs_speak_russian(root: tk.Tk, home: Path) -> None:
    """The message box's and file dialogs' buttons come from Tk's catalogue, in Russian."""
    configure(home)
    win, _ = make_window(root, home)

    def mc(text: str) -> str:
        return str(root.tk.eval(f"namespace eval ::tk {{::msgcat::mc {{{text}}}}}"))

    assert mc("&Yes") == "&Да"
    assert mc("&No") == "&Нет"
    assert mc("OK") == "ОК"
    assert mc("Cancel") == "Отмена"
    assert mc("&Save") == "&Сохранить"
    assert mc("&Directory:") == "&Каталог:"
    win.close()


def _trees(w: tk.Misc) -> list[ttk.Treeview]:
    found = [w] if isinstance(w, ttk.Treeview) else []
    for child in w.winfo_children():
        found += _trees(child)
    return found


@pytest.mark.parametrize("scaling", [4 / 3])  # 150 %: test_window_panes, at 1280×800
def test_no_column_heading_is_cut(root: tk.Tk, home: Path, scaling: float) -> None:
    """Each Treeview column (registries, bank, data tabs, events) fits its heading."""
    configure(home)
    root.tk.call("tk", "scaling", scaling)
    bold = tkfont.nametofont("TkHeadingFont", root=root).copy()
    bold.configure(size=abs(int(bold.cget("size"))) + 1, weight="bold")  # a larger heading font
    style = ttk.Style(root)
    style.theme_use(apply_theme(root))  # the window's theme, which it keeps
    style.configure("Treeview.Heading", font=bold)
    win, _ = make_window(root, home)
    trees = _trees(root)
    assert len(trees) >= 6, trees
    for t in trees:
        for col in t.cget("columns"):
            title = str(t.heading(col, "text"))
            assert int(t.column(col, "width")) >= bold.measure(title) + 4, (title, t)
    win.close()


def test_the_window_never_sends_to_the_command_line(root: tk.Tk, tmp_path: Path) -> None:
    """A fresh home (no data, no server): «Обмен» and «Услуги» say what to do in the window's
    words; the same errors on the command line name the command."""
    home = tmp_path / "fresh"
    App.create(home).close()
    configure(home)
    win, dialogs = make_window(root, home)
    win.exchange()
    pump(root, lambda: any(kind == "error" for kind, *_ in dialogs.shown))
    pump(root, lambda: not win.worker.busy())
    win.gen_buttons["services"].invoke()
    pump(root, lambda: sum(kind == "error" for kind, *_ in dialogs.shown) >= 2)
    pump(root, lambda: not win.worker.busy())
    texts = [m for _kind, _title, m in dialogs.shown] + [win.message_var.get()]
    texts += win.event_texts() + [win.gen_result_var.get(), win.details_var.get()]
    assert texts and all("trayapp " not in t for t in texts), texts
    assert any("«Данные»" in t for t in texts), texts  # where to load the association's data
    win.close()
    with pytest.raises(AppError) as caught:
        App.create(home).require_org()
    assert "trayapp import org" in caught.value.cli_message
    assert "trayapp" not in caught.value.message


def test_schedule_button_keeps_a_gap_before_quit(root: tk.Tk, home: Path) -> None:
    from trayapp.ui.schedule_button import ScheduleButton
    from trayapp.ui.scheduler import Scheduler

    configure(home)
    win, _ = make_window(root, home)
    button = ScheduleButton(win, Scheduler(lambda: 15, clock=lambda: 100.0))
    for _ in range(10):
        root.update()
    b, q = button.button, win.quit_button
    assert b.winfo_rootx() + b.winfo_width() + 8 <= q.winfo_rootx()  # «Выход» stays rightmost
    assert NO_EXCHANGE == "Не было обмена с «Мои счета»" and "'" not in NO_EXCHANGE
    win.close()


def test_unposted_readings_dates_are_russian() -> None:
    from trayapp.ui.data_panel import _day

    assert _day("2026-11-06") == "06.11.2026"
    assert _day("") == ""


def test_a_stale_already_waiting_note_goes_once_the_file_is_sent(root: tk.Tk, home: Path
                                                                 ) -> None:  # fmt: skip
    configure(home)
    win, dialogs = make_window(root, home)
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: win.last_generated is not None)
    pump(root, lambda: bool(win.snapshot and win.snapshot.outgoing))
    dialogs.answer = False  # «Нет»: keep the waiting one
    win.gen_buttons["debts"].invoke()
    assert win.gen_result_var.get().startswith("Не сформирован: в Исходящих уже ждёт Debts_")
    win.refresh()  # still waiting: the note stays
    pump(root, lambda: not win.worker.busy("refresh"))
    assert win.gen_result_var.get().startswith("Не сформирован")
    outgoing = tree(home).outgoing
    for f in outgoing.iterdir():  # what a session does with a file it sent
        f.replace(tmp := outgoing.parent / f.name)
        assert tmp.exists()
    win.refresh()
    pump(root, lambda: win.snapshot is not None and not win.snapshot.outgoing)
    pump(root, lambda: win.gen_result_var.get() == "")
    win.close()
