"""The whole text of a list cell that its column cuts, in a small tip under the pointer
(«загружено строк 3 (новых 3, измен…», a long file name, a payment's purpose). Only where
the text is wider than its column; it goes when the pointer leaves the cell. Tk thread only;
no core import.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk
from typing import Any

DELAY_MS = 400


class CellTips:
    """Tips for the cells of ``tree`` (attach once; ``text_at`` is what a tip would say)."""

    def __init__(self, tree: ttk.Treeview) -> None:
        self.tree = tree
        self.tip: tk.Toplevel | None = None
        self._cell: tuple[str, str] | None = None
        self._after: str | None = None
        tree.bind("<Motion>", self._moved, add="+")
        tree.bind("<Leave>", lambda _e: self.hide(), add="+")
        tree.bind("<ButtonPress>", lambda _e: self.hide(), add="+")

    def text_at(self, x: int, y: int) -> str | None:
        """The text of the cell at (``x``, ``y``) when its column cuts it, else None."""
        tree = self.tree
        row, column = tree.identify_row(y), tree.identify_column(x)
        if not row or not column.startswith("#") or column == "#0":
            return None
        shown = list(tree.cget("displaycolumns"))
        names = list(tree.cget("columns")) if shown in (["#all"], []) else shown
        index = int(column[1:]) - 1
        if not 0 <= index < len(names):
            return None
        name = str(names[index])
        text = str(tree.set(row, name))
        font = tkfont.nametofont(str(ttk.Style(tree).lookup("Treeview", "font")
                                     or "TkDefaultFont"), root=tree)  # fmt: skip
        if not text or font.measure(text) + 10 <= int(tree.column(name, "width")):
            return None
        return text

    def _moved(self, event: Any) -> None:
        cell = (self.tree.identify_row(event.y), self.tree.identify_column(event.x))
        if cell == self._cell:
            return
        self.hide()
        self._cell = cell
        text = self.text_at(event.x, event.y)
        if text:
            x, y = event.x_root, event.y_root
            self._after = self.tree.after(DELAY_MS, lambda: self.show(text, x, y))

    def show(self, text: str, x: int, y: int) -> None:
        self.hide(keep_cell=True)
        tip = tk.Toplevel(self.tree)
        tip.wm_overrideredirect(True)
        width = max(200, int(self.tree.winfo_screenwidth()) // 2)
        tk.Label(tip, text=text, justify="left", wraplength=width, background="#ffffe0",
                 relief="solid", borderwidth=1, padx=4, pady=2).pack()  # fmt: skip
        tip.update_idletasks()
        # below the pointer, inside the screen
        x = min(x + 12, int(self.tree.winfo_screenwidth()) - int(tip.winfo_reqwidth()) - 4)
        tip.geometry(f"+{max(0, x)}+{y + 18}")
        self.tip = tip

    def hide(self, keep_cell: bool = False) -> None:
        if self._after is not None:
            self.tree.after_cancel(self._after)
            self._after = None
        if self.tip is not None:
            self.tip.destroy()
            self.tip = None
        if not keep_cell:
            self._cell = None
