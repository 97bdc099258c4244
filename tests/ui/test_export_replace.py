"""Issue 20, hazard 14: export in the window agrees with the save dialog.

The name offered is per month («Оплаты_11.2026.csv»), so the month's second export met the
first one's file: the dialog asked «Заменить?», the accountant agreed, and the export refused
it naming ``--out``. Now the name offered is the first free one of the month's series
(«Оплаты_11.2026_2.csv»: nothing to ask), and a file the accountant picks that exists — the
dialog asked and they agreed — is replaced atomically (docs/decisions.md).

A real Tk window under Xvfb, real registries accepted into a real SQLite database, real files.
"""

from __future__ import annotations

import csv
import tkinter as tk
from pathlib import Path

from trayapp.app import App
from trayapp.core import values as v
from trayapp.core.accept import accept
from trayapp.core.demo import DemoInfo

from .conftest import pump
from .test_window import configure, make_window, tree


def _accept_payments(home: Path, number: int) -> list[str]:
    """A payments registry ``number`` of three payments, accepted; their ids."""
    app = App.create(home)
    try:
        inn = str(app.db.scalar("SELECT inn FROM org"))
        accounts = [r[0] for r in app.db.all("SELECT number FROM accounts ORDER BY number LIMIT 3")]
        ids = [f"e{number}-{n}" for n in range(len(accounts))]
        rows = [f"{i};06.11.2026 10:0{n}:00;{a};;{100 + n}.00;10.2026"
                for n, (i, a) in enumerate(zip(ids, accounts, strict=True))]  # fmt: skip
        total = sum(100 + n for n in range(len(rows)))
        name = f"Payments_20261106_{number:03d}.txt"
        text = ("#FORMAT MOISCHETA/1\r\n#TYPE PAYMENTS\r\n" f"#ORG {inn}\r\n#NUMBER {number:03d}\r\n"
                f"#DATE 06.11.2026\r\n#CODING GOROD\r\n#ROWS {len(rows)}\r\n#FILESUM {total}.00\r\n"
                + "".join(r + "\r\n" for r in rows))  # fmt: skip
        (app.tree.ensure().incoming / name).write_bytes(text.encode("cp1251"))
        accept(app.db, app.tree, name, inn, "GOROD", app.paths.reports_dir, report=False)
        return ids
    finally:
        app.close()


def _ids(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return sorted(r["Номер платежа"] for r in csv.DictReader(f, delimiter=";"))


def test_the_months_second_export_is_offered_a_free_name_and_a_confirmed_one_is_replaced(
        root: tk.Tk, home: Path, info: DemoInfo) -> None:  # fmt: skip
    configure(home)
    folder = tree(home).ensure().root
    first = _accept_payments(home, 1)
    win, dialogs = make_window(root, home)
    panel = win.data_panel
    month = v.format_month(info.billing_period)
    name = f"Оплаты_{month}.csv"

    def export(pick: str) -> None:
        panel.export_var.set("")
        dialogs.save_as = str(folder / pick)  # the accountant presses «Сохранить»
        panel.export_buttons["payments"].invoke()
        pump(root, lambda: panel.export_var.get().startswith("Выгружено") or dialogs.shown)
        pump(root, lambda: not win.worker.busy())

    export(name)
    assert dialogs.saves[-1][1] == name and _ids(folder / name) == sorted(first)
    # the month's second export: offered the series' next name, so the dialog asks nothing
    second = _accept_payments(home, 2)
    export(f"Оплаты_{month}_2.csv")
    assert dialogs.saves[-1][1] == f"Оплаты_{month}_2.csv", dialogs.saves
    assert _ids(folder / f"Оплаты_{month}_2.csv") == sorted(second)
    assert _ids(folder / name) == sorted(first) and dialogs.shown == []
    # the accountant picks the first file anyway: the dialog asked «Заменить?», they agreed
    third = _accept_payments(home, 3)
    export(name)
    assert dialogs.shown == [], dialogs.shown  # no «укажите другое имя (--out)»
    assert _ids(folder / name) == sorted(third)  # replaced with what was new
    assert "заменён" in panel.export_var.get() and f"«{name}»" in panel.export_var.get()
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith((".", "Оплаты"))) == [
        name, f"Оплаты_{month}_2.csv"]  # nothing left behind, nothing extra  # fmt: skip
    # the next export is offered «…_3»
    _accept_payments(home, 4)
    dialogs.save_as = None  # «Отмена»: nothing written
    panel.export_buttons["payments"].invoke()
    assert dialogs.saves[-1][1] == f"Оплаты_{month}_3.csv"
    assert not (folder / f"Оплаты_{month}_3.csv").exists() and not win.worker.busy("export")
    win.close()
