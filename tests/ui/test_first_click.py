"""Issue 17, item 2: the first click does what it says. «Принять» pressed once with the mouse
accepts the selected registry (it leaves the list, its document exists); «Провести» pressed
once opens the posting step (the question on the readings below the previous ones).

Real clicks: ``xdotool`` moves the pointer to the middle of the part of the real button that
is in view and clicks, on a real Xvfb of 1280×800 at 100 % (96 dpi) and at 150 % (144 dpi),
with the window as it opens and made as small as it may be (its minimum size). Before the
panes layout, the tabs scrolled: the press gave the button the focus, the tab scrolled it
into view under the pointer, the release landed elsewhere and the click did nothing.

Each case is a real Xvfb of its own and the real window in a child process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .test_window_panes import _xvfb

PROBE = """
import json, subprocess, sys, time, tkinter as tk
from pathlib import Path
from trayapp.app import App
from tests.ui.conftest import pump
from tests.ui.test_posting import NAME as READINGS, readings_registry
from tests.ui.test_window import configure, make_window
import trayapp

home, small = Path(sys.argv[1]), sys.argv[2] == "small"
configure(home)
app = App.create(home)
inn = app.db.scalar("SELECT inn FROM org")
accounts = [r[0] for r in app.db.all("SELECT number FROM accounts ORDER BY number LIMIT 3")]
tree = app.tree.ensure()
rows = [f"fc-{n};06.11.2026 10:0{n}:00;{a};;{100 + n}.00;10.2026" for n, a in enumerate(accounts)]
total = sum(100 + n for n in range(len(rows)))
PAYMENTS = "Payments_20261106_001.txt"
text = ("#FORMAT MOISCHETA/1\\r\\n#TYPE PAYMENTS\\r\\n" f"#ORG {inn}\\r\\n#NUMBER 001\\r\\n"
        f"#DATE 06.11.2026\\r\\n#CODING GOROD\\r\\n#ROWS {len(rows)}\\r\\n#FILESUM {total}.00\\r\\n"
        + "".join(r + "\\r\\n" for r in rows))
(tree.incoming / PAYMENTS).write_bytes(text.encode("cp1251"))
data, _down = readings_registry(home, inn)
(tree.incoming / READINGS).write_bytes(data)
from trayapp.core.accept import accept
document = accept(app.db, app.tree, READINGS, inn, "GOROD", app.paths.reports_dir,
                  report=False).document
app.close()

root = tk.Tk()
root.geometry("+0+0")
win, dialogs = make_window(root, home)
if small:  # as small as the window may be made
    w, h = root.minsize()
    root.geometry(f"{w}x{h}+0+0")
for _ in range(40):
    root.update()
    time.sleep(0.01)
out = {"trayapp": trayapp.__file__, "window": [root.winfo_width(), root.winfo_height()],
       "scale": getattr(win, "scale", None)}

def in_view(w):
    # the part of ``w`` inside every one of its ancestors (a scrolled tab's canvas clips)
    x0, y0 = w.winfo_rootx(), w.winfo_rooty()
    x1, y1 = x0 + w.winfo_width(), y0 + w.winfo_height()
    p = w.master
    while p is not None:
        px, py = p.winfo_rootx(), p.winfo_rooty()
        x0, y0 = max(x0, px), max(y0, py)
        x1, y1 = min(x1, px + p.winfo_width()), min(y1, py + p.winfo_height())
        p = p.master
    whole = (x1 - x0, y1 - y0) == (w.winfo_width(), w.winfo_height())
    return (x0, y0, x1, y1), whole

def click(what, w, page):
    # as the accountant does: a button out of view is first scrolled to with the wheel
    wheel = 0
    for _ in range(10):
        root.update()
    while wheel < 30:
        (x0, y0, x1, y1), whole = in_view(w)
        if w.winfo_ismapped() and x1 - x0 >= 4 and y1 - y0 >= 4:
            break
        px, py = page.winfo_rootx() + page.winfo_width() // 2, page.winfo_rooty() + 20
        subprocess.run(["xdotool", "mousemove", str(px), str(py), "click", "5"], check=True,
                       timeout=30)  # (no --sync: it waits forever where the pointer already is)
        wheel += 1
        for _ in range(5):
            root.update()
            time.sleep(0.01)
    else:
        return {"what": what, "seen": "out of view, the wheel did not bring it",
                "mapped": bool(w.winfo_ismapped())}
    x, y = (x0 + x1) // 2, (y0 + y1) // 2
    before = w.winfo_rooty()
    subprocess.run(["xdotool", "mousemove", str(x), str(y)], check=True, timeout=30)
    for _ in range(5):  # the pointer's arrival (Enter, Motion) seen first
        root.update()
        time.sleep(0.01)
    # a click as a hand makes it: the button held down for about 0.1 s, then let go
    subprocess.run(["xdotool", "mousedown", "1"], check=True, timeout=30)
    for _ in range(10):
        root.update()
        time.sleep(0.01)
    subprocess.run(["xdotool", "mouseup", "1"], check=True, timeout=30)
    for _ in range(5):
        root.update()
        time.sleep(0.01)
    return {"what": what, "box": [x0, y0, x1, y1], "whole": whole, "at": [x, y],
            "wheel": wheel, "moved_by_the_click": w.winfo_rooty() - before}

win.notebook.select(win.work_tab)
pump(root, lambda: win.pending_tree.exists(PAYMENTS))
win.pending_tree.selection_set(PAYMENTS)
win.pending_tree.see(PAYMENTS)
dialogs.answer = True  # every question before accepting: «Да»
r = click("Принять", win.accept_button, win.work_tab)
pump(root, lambda: not win.worker.busy(), 60)
def documents():
    a = App.create(home)
    try:
        return int(a.db.scalar("SELECT COUNT(*) FROM documents d JOIN files f ON f.id = d.file_id"
                                   " WHERE f.name = ? AND d.parent_id IS NULL", (PAYMENTS,)))
    finally:
        a.close()
r["accepted"] = win.last_accepted is not None and win.last_accepted.file == PAYMENTS
r["still_pending"] = win.pending_tree.exists(PAYMENTS)
r["documents"] = documents()
r["asked"] = [d[1] for d in dialogs.shown]
r["shown"] = [[d[0], d[1], d[2][:80]] for d in dialogs.shown]
out["accept"] = r

win.notebook.select(win.data_panel)
pump(root, lambda: win.data_panel.post_tree.exists(document))
win.data_panel.post_tree.selection_set(document)
n = len(dialogs.shown)
dialogs.answer = False  # the question on the readings below the previous ones: «Нет»
r = click("Провести", win.data_panel.post_button, win.data_panel)
pump(root, lambda: not win.worker.busy(), 60)
r["asked"] = [d[1] for d in dialogs.shown[n:]]
out["post"] = r
win.close()
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.mark.parametrize("size", ["as opened", "small"])
@pytest.mark.parametrize("dpi", [96, 144], ids=["100%", "150%"])
def test_the_first_click_does_what_it_says(dpi: int, size: str, home: Path,
                                           xdisplay: str) -> None:  # fmt: skip
    if shutil.which("xdotool") is None:
        pytest.skip("no xdotool (apt-get install xdotool)")
    proc, display = _xvfb(dpi)
    try:
        run = subprocess.run([sys.executable, "-c", PROBE, str(home), size.split()[0]],
                             env={**os.environ, "DISPLAY": display}, capture_output=True,
                             text=True, timeout=240, cwd=Path(__file__).parents[2])  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    print(json.dumps(found, ensure_ascii=False))
    accept, post = found["accept"], found["post"]
    # «Принять»: the summary asked (and answered), the registry accepted at the first click
    assert accept.get("whole") and accept["wheel"] == 0, accept  # in view whole, unscrolled
    assert accept["asked"][:1] == ["Приём реестра"], accept
    assert accept["accepted"] and not accept["still_pending"] and accept["documents"] == 1, accept
    # «Провести»: the posting step opened at the first click
    assert post.get("whole") and post["wheel"] == 0, post
    assert post["asked"] == ["Проведение показаний"], post
