"""The window as the new-user review of 02.12.2026 left it: nothing moves as results appear,
indicators and arrows grow at 150 %, the export dialog's folder and name, the month list,
no-break spaces before «₽».

A real Tk window under Xvfb, a real SQLite demo database and the real emulator over HTTP.
"""

from __future__ import annotations

import csv
import re
import tkinter as tk
from pathlib import Path
from tkinter import ttk

from trayapp.app import App
from trayapp.core import values as v
from trayapp.core.demo import DemoInfo
from trayapp.emulator.server import Emulator
from trayapp.ui.window import MainWindow

from .conftest import pump
from .test_window import accept_pending, configure, emulator, make_window, tree  # noqa: F401 (a fixture)


def _geometry(widgets: list[tk.Misc]) -> list[tuple[str, int, int, int, int]]:
    root = widgets[0].winfo_toplevel()
    for _ in range(5):
        root.update()
    return [(str(w), w.winfo_rootx(), w.winfo_rooty(), w.winfo_width(), w.winfo_height())
            for w in widgets]  # fmt: skip


def _same(
    now: list[tuple[str, int, int, int, int]],
    before: list[tuple[str, int, int, int, int]],
    shown: str,
) -> None:
    moved = [(b, n) for b, n in zip(before, now, strict=True) if b != n]
    assert not moved, f"moved as «{shown}» appeared: {moved}"


def _work_widgets(win: MainWindow) -> list[tk.Misc]:
    return [win.root, win.pending_tree, win.pending_tree.master, win.accept_button,
            win.gen_buttons["debts"], win.month_button, win.message_label, win.notebook,
            win.status_label.master, win.quit_button]  # fmt: skip


def _data_widgets(win: MainWindow) -> list[tk.Misc]:
    d = win.data_panel
    return [win.root, d.files_tree, d.loading.tabs, d.post_tree, d.post_button,
            d.export_buttons["payments"], d.files_button, win.message_label]  # fmt: skip


def _exchange(root: tk.Tk, win: MainWindow) -> None:
    for kind in ("services", "debts", "meters"):
        win.gen_buttons[kind].invoke()
        pump(root, lambda: not win.worker.busy())
    win.exchange_button.invoke()
    pump(root, lambda: win.last_exchange is not None and not win.worker.busy(), 60)




def test_nothing_moves_as_results_appear(root: tk.Tk, home: Path, emulator: Emulator) -> None:  # noqa: F811
    """Generation, exchange and acceptance results on «Реестры», then a load with bad rows,
    an export and a posting on «Данные»: the lists, the buttons and the window keep their
    places and sizes."""
    root.tk.call("tk", "scaling", 4 / 3)  # 100 % (the display keeps an earlier test's)
    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home)
    root.geometry("")  # the window takes the size it asks for, as a user's would
    before = _geometry(_work_widgets(win))
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: win.last_generated is not None and not win.worker.busy())
    assert win.gen_result_var.get().startswith("Сформирован")
    _same(_geometry(_work_widgets(win)), before, win.gen_result_var.get())
    _exchange(root, win)
    win.message_var.set("")
    accept_pending(root, win, "Readings_")  # the longest result text
    assert "«Данные»" in win.accept_result_var.get()
    _same(_geometry(_work_widgets(win)), before, win.accept_result_var.get())
    accept_pending(root, win, "Payments_")
    _same(_geometry(_work_widgets(win)), before, win.accept_result_var.get())

    win.notebook.select(win.data_panel)  # type: ignore[no-untyped-call]
    before = _geometry(_data_widgets(win))
    for w in (win.data_panel.post_button, win.data_panel.export_buttons["readings"]):
        assert w.winfo_height() >= w.winfo_reqheight() > 10, w  # not cut by a short window
    bad = home.parent / "accruals_плохие.csv"
    bad.write_text("account;service;period;amount\n1;2;3;x\n", encoding="utf-8")
    dialogs.files = [str(bad)]
    win.data_panel.files_button.invoke()
    pump(root, lambda: bool(win.data_panel.loading.plans) and not win.worker.busy())
    win.data_panel.loading.load_button.invoke()  # after the preview
    pump(root, lambda: win.data_panel.loaded is not None and not win.worker.busy())
    assert "не загружено: 1" in win.data_panel.load_var.get()
    _same(_geometry(_data_widgets(win)), before, win.data_panel.load_var.get())
    dialogs.save_as = str(tree(home).root / "Оплаты — очень длинное имя файла для 1С, "
                          "выгрузка за ноябрь 2026 года.csv")  # fmt: skip
    win.data_panel.export_buttons["payments"].invoke()
    pump(root, lambda: win.data_panel.export_var.get().startswith("Выгружено"))
    _same(_geometry(_data_widgets(win)), before, win.data_panel.export_var.get())
    document = win.data_panel.post_tree.get_children()[0]
    win.data_panel.post_tree.selection_set(document)
    win.data_panel.post_button.invoke()
    pump(root, lambda: "проведён" in win.data_panel.post_var.get() and not win.worker.busy())
    _same(_geometry(_data_widgets(win)), before, win.data_panel.post_var.get())
    win.close()


def test_export_starts_in_the_exchange_folder_with_a_russian_name(root: tk.Tk, home: Path,
                                                                   info: DemoInfo,
                                                                   emulator: Emulator  # noqa: F811
                                                                   ) -> None:  # fmt: skip
    """«Выгрузить оплаты…» opens the save dialog in the exchange folder (the settings'
    «Каталог обмена») with «Оплаты_MM.YYYY.csv» for the window's month; the file written
    holds every payment of the accepted registry."""
    from trayapp.core import formats

    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home)
    _exchange(root, win)
    accept_pending(root, win, "Payments_")
    accepted = win.last_accepted
    assert accepted is not None
    folder = tree(home).root
    month = v.format_month(info.billing_period)
    assert win.month_var.get() == month
    name = f"Оплаты_{month}.csv"
    dialogs.save_as = str(folder / name)  # the accountant presses «Сохранить»
    win.data_panel.export_buttons["payments"].invoke()
    pump(root, lambda: win.data_panel.export_var.get().startswith("Выгружено"))
    assert dialogs.saves == [("Выгрузить оплаты", name, str(folder))]
    assert Path(dialogs.saves[0][2]) == App.create(home).settings.exchange_folder(
        App.create(home).paths)  # fmt: skip
    with (folder / name).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    done = tree(home).incoming_done / accepted.file
    registry = formats.parse(done.read_bytes(), name=done.name, org=info.inn, coding="GOROD")
    want = sorted((r.payment_id, r.account, f"{r.amount // 100},{r.amount % 100:02d}")  # type: ignore[union-attr]
                  for r in registry.rows)  # fmt: skip
    # the Russian header the billing program reads (spec/import.md, the export)
    got = sorted((r["Номер платежа"], r["Лицевой счёт"], r["Сумма"]) for r in rows)
    assert got == want and len(got) == accepted.rows > 0
    assert {r["Файл реестра"] for r in rows} == {accepted.file}
    # readings: the same folder, «Показания_MM.YYYY.csv»; a month chosen is the name's
    win.month_var.set("09.2026")
    dialogs.save_as = None  # «Отмена»: nothing written
    win.data_panel.export_buttons["readings"].invoke()
    assert dialogs.saves[-1] == ("Выгрузить показания", "Показания_09.2026.csv", str(folder))
    assert not (folder / "Показания_09.2026.csv").exists()
    win.close()


def _texts(w: tk.Misc) -> list[str]:
    """Every text a widget under ``w`` shows: labels (their variables), buttons, list cells."""
    out: list[str] = []
    for child in w.winfo_children():
        try:
            var = str(child.cget("textvariable"))  # type: ignore[attr-defined]
            out.append(str(child.getvar(var)) if var else str(child.cget("text")))  # type: ignore[attr-defined]
        except tk.TclError:
            pass
        if isinstance(child, ttk.Treeview):
            out += [" ".join(map(str, child.item(i, "values"))) for i in child.get_children()]
        out += _texts(child)
    return out


SUM_AND_SIGN = re.compile(r"\d{1,3}(?:\u00a0\d{3})*,\d\d\u00a0₽")


def test_every_sum_keeps_its_sign_of_the_rouble(root: tk.Tk, home: Path,
                                                 emulator: Emulator  # noqa: F811
                                                 ) -> None:  # fmt: skip
    """«₽» follows its sum after a no-break space in every text of a real run (the window's
    labels and lists, the confirmation, the tray's notices, «События»), and the one
    formatter writes it so."""
    from trayapp.core.values import format_rubles
    from trayapp.ui.window import summary_text, waiting_text

    assert format_rubles(59679934) == "596\u00a0799,34\u00a0₽"
    assert format_rubles(-5) == "-0,05\u00a0₽"
    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home)
    notices: list[str] = []
    win.on_state = lambda s: notices.extend(s.notices)  # type: ignore[assignment]
    _exchange(root, win)
    texts = list(notices) + win.event_texts() + _texts(root)
    pending = win.snapshot.pending if win.snapshot else []
    texts.append(waiting_text(pending))
    texts.append(summary_text(win.backend.summary(
        next(p.file for p in pending if p.kind == "PAYMENTS"))))  # fmt: skip
    accept_pending(root, win, "Payments_")
    texts += [m for _kind, _title, m in dialogs.shown] + _texts(root) + win.event_texts()
    signs = [t for t in texts if "₽" in t]
    assert len(signs) >= 4, texts  # the waiting notice, the confirmation, the bank's match
    for t in signs:
        assert t.count("₽") == len(SUM_AND_SIGN.findall(t)), t
    win.close()


def _keep_accruals(home: Path, months: list[int]) -> None:
    from trayapp.core.db import billing

    app = App.create(home)
    with app.db.transaction():
        marks = ", ".join("?" * len(months))
        app.db.execute(f"DELETE FROM accruals WHERE period NOT IN ({marks})" if months
                       else "DELETE FROM accruals", tuple(months))  # fmt: skip
        billing.refresh_periods(app.db)
    app.close()


def _menu_labels(win: MainWindow) -> list[str]:
    end = win.month_menu.index("end")
    return [] if end is None else [str(win.month_menu.entrycget(i, "label"))
                                   for i in range(int(end) + 1)]  # fmt: skip


def test_the_month_list_offers_the_months_with_accruals(root: tk.Tk, home: Path,
                                                         info: DemoInfo) -> None:  # fmt: skip
    """Accruals of three months (with a gap): the button shows the latest, the list those
    three, latest first, nothing after it nor before the first; a Debts registry is made for
    a month chosen from it. Without accruals the button says so and is disabled."""
    year, month = divmod(info.billing_period, 100)
    assert month >= 5 and info.first_period <= info.billing_period - 4
    kept = [info.billing_period, info.billing_period - 2, info.billing_period - 4]
    _keep_accruals(home, kept)
    configure(home)
    win, dialogs = make_window(root, home)
    want = [f"{MONTHS_RU[m % 100 - 1]} {m // 100} г." for m in kept]
    assert _menu_labels(win) == want
    assert str(win.month_button.cget("text")) == want[0]
    assert win.month_var.get() == v.format_month(kept[0])
    win.month_menu.invoke(1)  # the accountant picks the second month
    assert win.month_var.get() == v.format_month(kept[1])
    assert str(win.month_button.cget("text")) == want[1]
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: win.last_generated is not None and not win.worker.busy())
    assert win.last_generated is not None and win.last_generated.period == kept[1]
    assert win.month_var.get() == v.format_month(kept[1])  # a refresh keeps the choice
    win.close()

    _keep_accruals(home, [])
    for child in root.winfo_children():
        child.destroy()
    win, dialogs = make_window(root, home)
    assert _menu_labels(win) == [] and win.month_var.get() == ""
    assert str(win.month_button.cget("text")) == "Нет начислений"
    assert str(win.month_button.cget("state")) == "disabled"
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: any(kind == "error" for kind, *_ in dialogs.shown))
    assert any("«Данные»" in m for kind, _t, m in dialogs.shown if kind == "error")
    win.close()


MONTHS_RU = ("Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август",
             "Сентябрь", "Октябрь", "Ноябрь", "Декабрь")  # fmt: skip


def _extent(w: tk.Misc, element: str, vertical: bool = False) -> int:
    """How many pixels of ``w`` Tk's layout gives ``element`` across its middle (or, for
    ``vertical``, down its right edge)."""
    if vertical:
        x = w.winfo_width() - 4
        return sum(element in str(w.identify(x, y)) for y in range(w.winfo_height()))  # type: ignore[attr-defined]
    y = w.winfo_height() // 2
    return sum(element in str(w.identify(x, y)) for x in range(w.winfo_width()))  # type: ignore[attr-defined]


def _painted(w: tk.Misc, element: str) -> int:
    """The width of what is drawn of ``element`` on the screen (a screenshot's pixels that
    differ from the widget's background along its middle row)."""
    import os

    from PIL import ImageGrab

    x0, y0 = w.winfo_rootx(), w.winfo_rooty()
    img = ImageGrab.grab(bbox=(x0, y0, x0 + w.winfo_width(), y0 + w.winfo_height()),
                         xdisplay=os.environ["DISPLAY"])  # fmt: skip
    y = w.winfo_height() // 2
    xs = [x for x in range(w.winfo_width()) if element in str(w.identify(x, y))]  # type: ignore[attr-defined]
    drawn = [x for x in xs if img.getpixel((x, y)) != img.getpixel((0, 0))]
    return max(drawn) - min(drawn) + 1 if drawn else 0


def _sizes(home: Path, scaling: float) -> dict[str, float]:
    r = tk.Tk()
    try:
        r.tk.call("tk", "scaling", scaling)
        r.geometry("+0+0")
        win, _ = make_window(r, home)
        box = tk.Toplevel(r)
        box.geometry("+0+690")  # below the window: nothing covers the check box
        spin = ttk.Spinbox(box, from_=0, to=10)
        spin.pack()
        radio = ttk.Radiobutton(box, text="по кодам «Города»", value="1")
        radio.pack()
        win.apartments_var.set(True)
        for _ in range(30):
            r.update()
        style = ttk.Style(r)
        out = {
            "check (style)": float(style.lookup("TCheckbutton", "indicatorsize") or 10),
            "radio (style)": float(style.lookup("TRadiobutton", "indicatorsize") or 10),
            "spin arrows (style)": float(style.lookup("TSpinbox", "arrowsize") or 10),
            "scroll bar (style)": float(style.lookup("Vertical.TScrollbar", "arrowsize") or 14),
            "check box": _extent(win.apartments_check, "indicator"),
            "check box painted": _painted(win.apartments_check, "indicator"),
            "radio box": _extent(radio, "indicator"),
            "spin arrows": _extent(spin, "arrow", vertical=True),
            "month arrow": _extent(win.month_button, "indicator"),
            "scroll bar": float(win.pending_tree.master.winfo_children()[1].winfo_reqwidth()),
        }
        win.close()
        return out
    finally:
        r.destroy()


def test_indicators_and_arrows_grow_at_150_percent(xdisplay: str, home: Path) -> None:
    """At 150 % (Tk's scaling 2.0 against 4/3) check and radio boxes, the spin box's and the
    month button's arrows and the scroll bars are ≥ 1.4 times their size at 100 %: in the
    style and in the pixels Tk lays out and paints."""
    configure(home)
    small, big = _sizes(home, 4 / 3), _sizes(home, 2.0)
    print("100 %:", small, "\n150 %:", big)
    for key, size in small.items():
        assert size > 0 and big[key] >= 1.4 * size, (key, size, big[key])
