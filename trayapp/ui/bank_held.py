"""The window's list of transfers held from bank statements, beside the registries
(spec/bank.md: «the window shows them beside the registries»): the latest incoming documents
with the day they came, number, sum, payer, purpose and the registry each is bound to, as
``trayapp bank list`` prints them; those of the selected registry are marked. Data come from
the core through ``Backend.snapshot`` (``Snapshot.transfers``); only the Tk thread touches
the widgets. Knows nothing of the window but the parent frame it is given.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

from trayapp.core import values as v
from trayapp.core.bank_list import RECENT, HeldDocument
from trayapp.ui.cell_tips import CellTips
from trayapp.ui.desktop import auto_scrollbar, fit_columns, scale_factor

TITLE = "Поступления по выпискам банка"
MARK = "of_selected"  # the tag of the selected registry's documents
MIN_PURPOSE, MIN_PAYER = 80, 90  # pixels a narrow list still gives these (at 100 %)


class HeldTransfers:
    """A list under the pending registries, titled unless its parent names it (a tab);
    ``show`` fills it, ``select`` marks."""

    def __init__(self, parent: tk.Misc, titled: bool = True) -> None:
        self.box: ttk.Frame | ttk.LabelFrame = (ttk.LabelFrame(parent, text=TITLE, padding=4) if titled
                               else ttk.Frame(parent))  # fmt: skip
        self.box.pack(fill="both", expand=True, pady=(6, 0))
        self.summary_var = tk.StringVar(parent, "Выписка банка не загружена.")
        ttk.Label(self.box, textvariable=self.summary_var).pack(fill="x")
        frame = ttk.Frame(self.box)
        frame.pack(fill="both", expand=True)
        cols = (("date", "Дата", 90), ("number", "№", 50), ("sum", "Сумма", 100),
                ("payer", "Плательщик", 170), ("purpose", "Назначение", 260),
                ("registry", "Реестр", 200))  # fmt: skip
        self.tree = ttk.Treeview(frame, columns=[c[0] for c in cols], show="headings",
                                 height=4, selectmode="none")  # fmt: skip
        for key, title, width in cols:
            self.tree.heading(key, text=title)
            self.tree.column(key, width=width, stretch=False,
                             anchor="e" if key == "sum" else "w")  # fmt: skip
        self.tree.tag_configure(MARK, background="#dbe8fb")
        self.tips = CellTips(self.tree)  # a long purpose whole
        scroll = ttk.Scrollbar(frame, orient="vertical", command=self.tree.yview)
        self.tree.pack(side="left", fill="both", expand=True)
        auto_scrollbar(scroll, self.tree)  # shown only while rows are out of view
        self.tree.bind("<Configure>", lambda e: self.fit(e.width))
        self.documents: list[HeldDocument] = []

    def show(self, documents: list[HeldDocument], statements: int, selected: str | None) -> None:
        """The latest documents held (oldest first, the newest in view at the bottom)."""
        self.documents = documents
        self.tree.delete(*self.tree.get_children())
        for d in documents:
            payer = " ".join(x for x in (d.payer, f"ИНН {d.payer_inn}" if d.payer_inn else "")
                             if x)  # fmt: skip
            self.tree.insert("", "end", iid=str(d.id), values=(
                v.format_date(d.day), d.number, v.format_money(d.amount), payer,
                " ".join(d.purpose.split()), ", ".join(d.registries) or "—"))  # fmt: skip
        if documents:
            self.tree.see(str(documents[-1].id))
            total = sum(d.amount for d in documents)
            latest = "последние " if len(documents) >= RECENT else ""
            self.summary_var.set(f"{latest}{len(documents)} на {v.format_rubles(total)}; "
                                 "все — команда «trayapp bank list»")  # fmt: skip
        elif statements:
            self.summary_var.set("В загруженных выписках нет поступлений на счёт ТСЖ.")
        else:
            self.summary_var.set("Выписка банка не загружена.")
        self.fit(self.tree.winfo_width())
        self.select(selected)

    def fit(self, width: int) -> None:
        """The columns in ``width``: as ``fit_columns`` gives them, then the payer down to
        ``MIN_PAYER`` where the rest would not fit, and the purpose whatever is left (never
        under ``MIN_PURPOSE``: Tk's own squeeze took it to nothing)."""
        if width <= 1:
            return
        fit_columns(self.tree, width)
        w = {c: int(self.tree.column(c, "width")) for c in self.tree.cget("columns")}
        scale = scale_factor(self.tree)
        least, payer_least = round(MIN_PURPOSE * scale), round(MIN_PAYER * scale)
        others = sum(x for c, x in w.items() if c != "purpose")
        short = others + least - (width - 2)
        if short > 0 and w["payer"] > payer_least:
            w["payer"] -= min(short, w["payer"] - payer_least)
            self.tree.column("payer", width=w["payer"])
            others = sum(x for c, x in w.items() if c != "purpose")
        self.tree.column("purpose", width=max(least, width - 2 - others))

    def select(self, registry: str | None) -> None:
        """Mark the documents bound to the registry ``registry`` (None: none marked)."""
        for d in self.documents:
            mark = registry is not None and registry in d.registries
            self.tree.item(str(d.id), tags=(MARK,) if mark else ())
            if mark:
                self.tree.see(str(d.id))

    def rows(self) -> list[tuple[str, ...]]:
        return [tuple(str(x) for x in self.tree.item(i, "values"))
                for i in self.tree.get_children()]  # fmt: skip

    def marked(self) -> list[str]:
        """Numbers of the marked documents."""
        return [str(self.tree.set(i, "number")) for i in self.tree.get_children()
                if MARK in self.tree.item(i, "tags")]  # fmt: skip
