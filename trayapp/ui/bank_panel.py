"""The window's check of payments registries against the bank statement (spec/bank.md).

Beside the pending list: the status of each payments registry in its «Сверка с банком»
column (``сверено``, ``расхождение``, ``неоднозначно``, ``не найдено``), the «Загрузить
выписку» button (a 1CClientBankExchange file, read by the core in the worker), the matched
transfers of the selected registry, and a second question before accepting one that is not
``matched``. Knows the window only through the widgets and callables it is given; calls the
core only through ``Backend``. Only the Tk thread touches its widgets.
"""

from __future__ import annotations

import logging
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from tkinter import ttk
from typing import Any, Protocol

from trayapp.core import values as v
from trayapp.core.bank import StatementImport
from trayapp.core.bank_list import HeldDocument
from trayapp.core.reconcile import MATCHED, Match, summary
from trayapp.errors import AppError
from trayapp.ui.backend import Backend
from trayapp.ui.bank_held import HeldTransfers
from trayapp.ui.cell_tips import CellTips
from trayapp.ui.desktop import fit_columns
from trayapp.ui.worker import Worker

log = logging.getLogger(__name__)

COLUMN = "bank"
TITLE = "Сверка с банком"
NOT_CHECKED = "не сверялось"  # no statement loaded yet (issue 17, item 7)


class BankDialogs(Protocol):
    def info(self, title: str, message: str) -> None: ...
    def ask_yes_no(self, title: str, message: str) -> bool: ...
    def ask_file(self, title: str, kinds: list[tuple[str, str]]) -> str | None: ...


class BankPanel:
    """The bank part of the pending box; ``tree`` is the pending list (iid = file name)."""

    def __init__(self, parent: tk.Misc, tree: ttk.Treeview, buttons: tk.Misc, worker: Worker,
                 backend: Backend, dialogs: BankDialogs, on_loaded: Callable[[], None],
                 on_error: Callable[[str], Callable[[AppError], None]],
                 held_parent: tk.Misc | None = None) -> None:  # fmt: skip
        self.tree = tree
        self.worker = worker
        self.backend = backend
        self.dialogs = dialogs
        self.on_loaded = on_loaded
        self.on_error = on_error
        self.matches: dict[str, Match] = {}
        self.statements = 0
        self.last_import: StatementImport | None = None
        self.load_button = ttk.Button(buttons, text="Загрузить выписку", command=self.load)
        self.load_button.pack(side="left", padx=(12, 0))
        box = ttk.Frame(parent)
        box.pack(fill="x", pady=(6, 0))
        self.status_var = tk.StringVar(parent, "")
        status = ttk.Label(box, textvariable=self.status_var, wraplength=700, justify="left")
        status.pack(fill="x")
        # wrapped at the width it is given: at 150 % a fixed 700 px ran past the pane's edge
        status.bind("<Configure>", lambda e: status.configure(wraplength=max(80, e.width - 4))
                    if abs(int(str(status.cget("wraplength")) or 0) - (e.width - 4)) > 2
                    else None)  # fmt: skip
        cols = (("number", "№", 50), ("date", "Дата", 90), ("sum", "Сумма", 100),
                ("payer", "ИНН", 110), ("purpose", "Назначение платежа", 300))  # fmt: skip
        self.transfers = ttk.Treeview(box, columns=[c[0] for c in cols], show="headings",
                                      height=3, selectmode="none")  # fmt: skip
        for key, title, width in cols:
            self.transfers.heading(key, text=title)
            self.transfers.column(key, width=width, stretch=key == "purpose",
                                  anchor="e" if key == "sum" else "w")  # fmt: skip
        self.transfers.pack(fill="x", pady=(2, 0))
        # narrow (150 %): the columns give way, the last one is not cut off
        self.transfers.bind("<Configure>", lambda e: fit_columns(self.transfers, e.width))
        self.tips = CellTips(self.transfers)  # a long purpose whole
        # every transfer held, beside the registries (the window may give it a place of its own)
        self.held = (HeldTransfers(parent) if held_parent is None
                     else HeldTransfers(held_parent, titled=False))  # the tab names it  # fmt: skip

    # ------------------------------------------------------------------ showing

    def show(self, matches: dict[str, Match], statements: int, selected: str | None,
             held: list[HeldDocument] | None = None) -> None:  # fmt: skip
        """New matches (after a refresh): the status column, the selected registry, and the
        transfers held (``Snapshot.transfers``)."""
        self.matches = matches
        self.statements = statements
        for iid in self.tree.get_children():
            m = matches.get(str(iid))
            # before any statement is loaded nothing was checked: not «не найдено»
            text = (m.status_text if statements else NOT_CHECKED) if m is not None else ""
            self.tree.set(iid, COLUMN, text)
        if held is not None:
            self.held.show(held, statements, None)
        self.select(selected)

    def select(self, name: str | None) -> None:
        """Show the match of the registry ``name`` (None: nothing selected)."""
        self.transfers.delete(*self.transfers.get_children())
        self.held.select(name)
        m = self.matches.get(name) if name else None
        if m is None:
            self.status_var.set("")
            return
        if not self.statements:
            self.status_var.set(f"{TITLE}: {NOT_CHECKED} — выписка банка ещё не загружена "
                                "(«Загрузить выписку»)")  # fmt: skip
            return
        self.status_var.set(f"{TITLE}: {summary(m)}")
        for d in m.documents:
            self.transfers.insert("", "end", values=(d.number, v.format_date(d.day),
                                  v.format_money(d.amount), d.payer_inn,
                                  d.purpose.replace("\n", " ")))  # fmt: skip

    def transfer_rows(self) -> list[tuple[str, ...]]:
        return [tuple(str(x) for x in self.transfers.item(i, "values"))
                for i in self.transfers.get_children()]  # fmt: skip

    # ------------------------------------------------------------------ acting

    def confirm_accept(self, name: str) -> bool:
        """True when ``name`` may be accepted: it is matched, is no payments registry, or
        the accountant said yes once more."""
        m = self.matches.get(name)
        if m is None or m.status == MATCHED or not self.statements:  # nothing to check against
            return True
        why = summary(m)
        return bool(self.dialogs.ask_yes_no(
            "Приём реестра",
            f"Реестр {name} не сверен с банком — {why}.\n\nВсё равно принять его?"))  # fmt: skip

    def accept_text(self, name: str, found: tuple[Match | None, int] | None) -> str:
        """The bank paragraph of the question before accepting ``name`` (``found``: its
        match and the statements held, read just now; None: the last shown)."""
        m, statements = found if found is not None else (self.matches.get(name), self.statements)
        return accept_bank_text(m, statements)

    def load(self) -> None:
        path = self.dialogs.ask_file(
            "Выписка банка (выгрузка в 1С)",
            [("Выписка 1С", "*.txt"), ("Все файлы", "*")],  # Tk adds «(*.txt)» itself
        )
        if not path:
            return
        self.status_var.set(f"Загружается выписка {Path(path).name}…")

        def job() -> StatementImport:
            return self.backend.import_statement(Path(path))

        self.worker.submit("bank", job, self._loaded, self.on_error("Выписка не загружена"))

    def _loaded(self, r: StatementImport) -> None:
        self.last_import = r
        data: dict[str, Any] = r.to_json()
        period = " — ".join(x for x in (data["from"], data["to"]) if x)
        self.dialogs.info(
            "Выписка банка",
            f"Выписка {r.file.name} ({period or 'без периода'}): документов {r.documents}, "
            f"поступлений на счёт ТСЖ {r.incoming} на {v.format_rubles(r.incoming_sum)}, "
            f"новых {r.inserted}."
            + "".join(f"\n\nНе учтено: {w}" for w in r.warnings[:5]),
        )
        self.on_loaded()


def accept_bank_text(m: Match | None, statements: int) -> str:
    """What to check in the statement before accepting: the transfer expected there (the
    registry's sum less the agent's fee, as the check computes it: spec/bank.md), or, once a
    statement is loaded, the check itself («сверено: п/п № 845 от … на 378 201,63 ₽ …»).
    '' for no payments registry (the caller says the registry's sum)."""
    if m is None:
        return ""
    if not statements:
        fee = (f" (сумма реестра {v.format_rubles(m.total)} − комиссия агента "
               f"{v.format_rubles(m.fee)})" if m.fee else "")  # fmt: skip
        return (f"Сверьте с банком: поступление {v.format_rubles(m.expected)}{fee} по этому "
                "реестру должно быть в выписке.")  # fmt: skip
    return f"{TITLE}: {summary(m)}."
