"""Issue 17: a click does what the accountant meant — the month after a load, one session per
double click.

A real Tk window under Xvfb, a real SQLite demo database, the real emulator over HTTP.
"""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

from trayapp.app import App
from trayapp.core import values as v
from trayapp.core.db import billing
from trayapp.core.demo import DemoInfo
from trayapp.emulator.server import Emulator
from trayapp.ui.window import month_title  # noqa

from .conftest import pump
from .test_window import configure, emulator, make_window, tree  # noqa: F401 (a fixture)


def _cut_latest_month(home: Path, latest: int, csv: Path) -> None:
    """The latest month's accruals into ``csv`` (the billing program's file), then out of
    the database: the window starts with the month before."""
    app = App.create(home)
    rows = app.db.all("SELECT a.number, c.service_code, c.amount FROM accruals c "
                        "JOIN accounts a ON a.id = c.account_id WHERE c.period = ?", (latest,))  # fmt: skip
    lines = ["Лицевой счёт;Код услуги;Период;Сумма"]
    lines += [f"{n};{code};{v.format_month(latest)};{v.format_amount(amount)}"
              for n, code, amount in rows]  # fmt: skip
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with app.db.transaction():
        app.db.execute("DELETE FROM accruals WHERE period = ?", (latest,))
        billing.refresh_periods(app.db)
    app.close()
    assert len(lines) > 10


def test_a_load_that_adds_a_later_month_selects_it(root: tk.Tk, home: Path, info: DemoInfo,
                                                   tmp_path: Path) -> None:  # fmt: skip
    """Defect 1: November's accruals loaded while October is shown: November is selected;
    Debts for October then asks first («Нет» writes nothing)."""
    latest, before = info.billing_period, info.billing_period - 1
    csv = tmp_path / "начисления.csv"
    _cut_latest_month(home, latest, csv)
    configure(home)
    win, dialogs = make_window(root, home)
    assert win.month_var.get() == v.format_month(before)
    win.data_panel.load([csv])
    pump(root, lambda: win.data_panel.loaded is not None and not win.worker.busy())
    assert not win.data_panel.loaded[0].errors  # type: ignore[index]
    pump(root, lambda: win.month_var.get() == v.format_month(latest), timeout=5)
    # the accountant goes back to October on purpose: asked, «Нет» writes nothing
    win.month_menu.invoke(1)
    assert win.month_var.get() == v.format_month(before)
    dialogs.answer = False
    win.gen_buttons["debts"].invoke()
    asked = [d for d in dialogs.shown if d[0] == "ask"]
    assert asked and asked[-1][1] == "Месяц начислений" and month_title(v.format_month(latest)) in asked[-1][2]
    root.update()
    assert not win.worker.busy() and not list(tree(home).outgoing.iterdir())
    # «Да»: made for October
    dialogs.answer = True
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: win.last_generated is not None and not win.worker.busy())
    assert win.last_generated is not None and win.last_generated.period == before
    # the latest month asks nothing
    n = len(dialogs.shown)
    win.month_menu.invoke(0)
    win.last_generated = None
    dialogs.answer = True
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: win.last_generated is not None and not win.worker.busy())
    assert [d for d in dialogs.shown[n:] if d[1] == "Месяц начислений"] == []
    win.close()


def _sessions(home: Path) -> int:
    app = App.create(home)
    try:
        return int(app.db.scalar("SELECT count(*) FROM sessions"))
    finally:
        app.close()


def test_a_second_click_just_after_a_session_starts_none(root: tk.Tk, home: Path,
                                                         emulator: Emulator) -> None:  # noqa: F811
    """Defect 3: the session's second click lands after the first session ended (a fast
    one): no second session, the badge keeps the first session's counts."""
    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home)
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: not win.worker.busy())
    badges: list[tuple[int | None, int | None]] = []
    win.on_state = lambda s: badges.append((s.sent, s.received))
    win.logo_button.invoke()
    win.logo_button.invoke()  # the second click while it runs
    pump(root, lambda: win.last_exchange is not None and not win.worker.busy())
    first = win.last_exchange
    assert first is not None and first.result.sent == 1
    assert _sessions(home) == 1
    win.logo_button.invoke()  # the double click's second half, after the session's end
    assert win.exchange(from_tray=True) is False  # the tray's click, the same
    for _ in range(40):
        root.update()
        root.after(10)
    assert not win.worker.busy("exchange") and win.last_exchange is first
    assert _sessions(home) == 1
    assert badges[-1] == (1, first.result.received)
    win.close()
