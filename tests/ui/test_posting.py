"""«Провести» in the real window: the readings below the previous ones are shown first, and
the document is posted only when the accountant answers «Да»."""

from __future__ import annotations

import re
import tkinter as tk
from datetime import datetime
from pathlib import Path
from tkinter import ttk

from trayapp.app import App
from trayapp.core import formats
from trayapp.core.accept import accept
from trayapp.core.demo import DemoInfo
from trayapp.ui.common import Dialogs

from .conftest import pump
from .test_window import configure, make_window

NAME = "Readings_20261120_001.txt"
TAKEN = datetime(2026, 11, 20, 12, 0, 0)


def readings_registry(home: Path, inn: str) -> tuple[bytes, set[tuple[str, str]]]:
    """A readings registry for every meter in service of the demo: each a little above its
    previous reading, two of them (the first two that can go lower) below it. Returns the
    file and the (meter id, account) of the two that go down."""
    app = App.create(home)
    meters = app.db.all(
        "SELECT m.id, m.meter_id, m.serial, a.number, m.initial_reading FROM meters m"
        " JOIN accounts a ON a.id = m.account_id WHERE m.removed IS NULL ORDER BY m.id"
    )
    posted = app.db.all("SELECT meter_ref, taken_at, value FROM readings WHERE posted = 1")
    app.close()
    previous: dict[int, tuple[str, int]] = {}  # the latest posted before TAKEN, by meter
    for ref, at, value in posted:
        if str(at) < TAKEN.isoformat(" ") and (ref not in previous or str(at) > previous[ref][0]):
            previous[ref] = (str(at), int(value))
    rows, down = [], set()
    for n, (ref, meter_id, serial, account, initial) in enumerate(meters):
        prev = previous.get(ref, ("", int(initial)))[1]
        if len(down) < 2 and prev >= 2000:
            value = prev - 1500
            down.add((str(meter_id), str(account)))
        else:
            value = prev + 1250
        rows.append(f"t-{n};{TAKEN:%d.%m.%Y %H:%M:%S};{account};{meter_id};{serial};"
                    f"{value // 1000}.{value % 1000:03d}")  # fmt: skip
    assert len(down) == 2 and len(rows) > 10
    lines = ["#FORMAT MOISCHETA/1", "#TYPE READINGS", f"#ORG {inn}", "#NUMBER 001",
             "#DATE 20.11.2026", f"#ROWS {len(rows)}", *rows]  # fmt: skip
    return formats.encode("\r\n".join(lines) + "\r\n"), down


def test_post_shows_the_readings_below_the_previous_ones(root: tk.Tk, home: Path,
                                                         info: DemoInfo) -> None:  # fmt: skip
    configure(home)
    data, down = readings_registry(home, info.inn)
    app = App.create(home)
    (app.tree.ensure().incoming / NAME).write_bytes(data)
    document = accept(app.db, app.tree, NAME, info.inn, "GOROD", app.paths.reports_dir,
                      report=False).document  # fmt: skip
    app.close()

    def posted() -> int:
        a = App.create(home)
        try:
            return int(a.db.scalar("SELECT COUNT(*) FROM readings WHERE posted = 1"
                                   " AND source = 'moischeta'"))  # fmt: skip
        finally:
            a.close()

    win, dialogs = make_window(root, home)
    panel = win.data_panel
    pump(root, lambda: panel.post_tree.exists(document))
    panel.post_tree.selection_set(document)
    # «Нет»: the two readings that went down are shown, nothing is posted
    dialogs.answer = False
    panel.post_button.invoke()
    pump(root, lambda: dialogs.shown and not win.worker.busy())
    kind, title, text = dialogs.shown[-1]
    assert (kind, title) == ("ask", "Проведение показаний")
    shown = {(m, a) for a, m in re.findall(r"л/с (\S+), счётчик (\S+) \(", text)}
    assert shown == down, text
    assert f"№ {document} показаний меньше предыдущих: 2" in text
    assert "не проведён" in panel.post_var.get()
    assert posted() == 0 and panel.post_tree.exists(document)
    # «Да»: posted
    dialogs.answer = True
    panel.post_button.invoke()
    pump(root, lambda: "проведён:" in panel.post_var.get() and not win.worker.busy())
    assert len(dialogs.shown) == 2 and dialogs.shown[-1][0] == "ask"
    assert posted() == len(data.decode("cp1251").split("\r\n")) - 7
    pump(root, lambda: not panel.post_tree.exists(document))


def _descendants(w: tk.Misc) -> list[tk.Misc]:
    out = []
    for c in w.winfo_children():
        out += [c, *_descendants(c)]
    return out


def test_an_unticked_reading_stays_unposted_in_a_new_document(root: tk.Tk, home: Path,
                                                              info: DemoInfo) -> None:  # fmt: skip
    """Issue 17, 8: the question lists the readings below the previous ones with a check box
    each (ticked); the one unticked through the real widgets goes, unposted, to a new
    document named in the result, the rest are posted."""
    configure(home)
    data, down = readings_registry(home, info.inn)
    app = App.create(home)
    (app.tree.ensure().incoming / NAME).write_bytes(data)
    document = accept(app.db, app.tree, NAME, info.inn, "GOROD", app.paths.reports_dir,
                      report=False).document  # fmt: skip
    app.close()
    win, dialogs = make_window(root, home)
    dialogs.choose = Dialogs(root).choose  # type: ignore[method-assign]  # the real list
    panel = win.data_panel
    pump(root, lambda: panel.post_tree.exists(document))
    panel.post_tree.selection_set(document)
    seen: list[tuple[str, bool]] = []

    def untick_first() -> None:
        tops = [w for w in root.winfo_children() if isinstance(w, tk.Toplevel)
                and w.title() == "Проведение показаний" and w.winfo_viewable()]  # fmt: skip
        if not tops:
            root.after(20, untick_first)
            return
        widgets = _descendants(tops[0])
        checks = [w for w in widgets if isinstance(w, ttk.Checkbutton)]
        seen.extend((str(c.cget("text")), c.instate(["selected"])) for c in checks)
        checks[0].invoke()
        next(w for w in widgets if isinstance(w, ttk.Button)
             and w.cget("text") == "Провести").invoke()  # fmt: skip

    root.after(20, untick_first)
    panel.post_button.invoke()
    pump(root, lambda: "проведён:" in panel.post_var.get() and not win.worker.busy())
    assert len(seen) == 2 and all(ticked for _t, ticked in seen), seen
    account, meter = re.findall(r"л/с (\S+), счётчик (\S+) \(", seen[0][0])[0]
    assert (meter, account) in down
    found = re.search(r"№ (\d+) проведён: показаний (\d+); 1 показание оставлено "
                      r"непроведённым в документе № (\d+)", panel.post_var.get())  # fmt: skip
    assert found and found[1] == document, panel.post_var.get()
    a = App.create(home)
    try:
        rows = a.db.all(
            "SELECT d.number, r.posted, m.meter_id, ac.number FROM readings r"
            " JOIN documents d ON d.id = r.document_id JOIN meters m ON m.id = r.meter_ref"
            " JOIN accounts ac ON ac.id = m.account_id WHERE r.source = 'moischeta'")  # fmt: skip
    finally:
        a.close()
    left = [(str(m), str(ac)) for n, p, m, ac in rows if n == found[3]]
    assert left == [(meter, account)] and all(p == 0 for n, p, _m, _a in rows if n == found[3])
    assert all(p == 1 for n, p, _m, _a in rows if n == document)
    assert len(rows) - 1 == int(found[2])
    pump(root, lambda: panel.post_tree.exists(found[3]) and not panel.post_tree.exists(document))
