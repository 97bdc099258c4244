"""A list of check boxes (all ticked) that shows every item whole: each line wraps at the
list's width, the list is as tall as its items up to a part of the screen, and beyond that a
scroll bar appears and the wheel scrolls it (over any of its boxes). Used by the question
before «Провести» (``question.choose``): a reading the accountant cannot see must not be
posted unseen. Tk thread only; no core import.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import Any

STYLE = "TrayappChoice.TCheckbutton"


class CheckList(ttk.Frame):
    """``items`` with a ticked check box each; ``ticks()`` the answers in order."""

    def __init__(self, master: tk.Misc, items: list[str], width: int, max_height: int) -> None:
        super().__init__(master)
        style = ttk.Style(self)
        self.canvas = tk.Canvas(self, highlightthickness=0, borderwidth=0, width=width,
                                background=str(style.lookup("TFrame", "background")))  # fmt: skip
        self.bar = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self.bar.set)
        self.body = ttk.Frame(self.canvas)
        self._item = self.canvas.create_window(0, 0, window=self.body, anchor="nw", width=width)
        self._width = width
        self.vars = [tk.BooleanVar(self, value=True) for _ in items]
        self.boxes = [ttk.Checkbutton(self.body, text=item, variable=var, style=STYLE)
                      for item, var in zip(items, self.vars, strict=True)]  # fmt: skip
        for box in self.boxes:
            box.pack(anchor="w", fill="x", pady=1)
        style.configure(STYLE, wraplength=0)  # one line: the room beside the text measured
        probe = ttk.Checkbutton(self.body, text="x", style=STYLE)
        self._room = int(probe.winfo_reqwidth()) - _text_width(probe) + 4
        probe.destroy()
        self._wrap(width)
        need = int(self.body.winfo_reqheight())
        self.canvas.configure(height=max(1, min(need, max_height)))
        self.canvas.pack(side="left", fill="both", expand=True)
        if need > max_height:  # known now: the box opens with its bar, not a jump later
            self.bar.pack(side="right", fill="y", before=self.canvas)
        self.canvas.bind("<Configure>", lambda e: self._fit(int(e.width)))
        self.body.bind("<Configure>", lambda _e: self._fit(int(self.canvas.winfo_width())))
        top = self.winfo_toplevel()
        for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
            top.bind(sequence, self._wheel, add="+")

    def ticks(self) -> list[bool]:
        return [bool(v.get()) for v in self.vars]

    def _wrap(self, width: int) -> None:
        """Each box's text wraps inside ``width`` (its indicator and margins taken off)."""
        ttk.Style(self).configure(STYLE, wraplength=max(80, width - self._room))
        self.update_idletasks()

    def _fit(self, width: int) -> None:
        if width <= 1:
            return
        if self._width != width:
            self._width = width
            self.canvas.itemconfigure(self._item, width=width)
            self._wrap(width)
        need = int(self.body.winfo_reqheight())
        height = int(self.canvas.winfo_height())
        self.canvas.configure(scrollregion=(0, 0, width, need))
        if need > height > 1:
            if not self.bar.winfo_ismapped():
                self.bar.pack(side="right", fill="y", before=self.canvas)
        elif self.bar.winfo_ismapped():
            self.bar.pack_forget()
            self.canvas.yview_moveto(0)

    def _wheel(self, event: Any) -> str | None:
        """The wheel anywhere over the box scrolls the list; never the window behind."""
        if self.body.winfo_reqheight() > self.canvas.winfo_height():
            up = getattr(event, "num", 0) == 4 or getattr(event, "delta", 0) > 0
            self.canvas.yview_scroll(-1 if up else 1, "units")
        return "break"


def _text_width(box: ttk.Checkbutton) -> int:
    """The width of the box's text on one line."""
    from tkinter import font as tkfont

    font = tkfont.nametofont(str(ttk.Style(box).lookup(STYLE, "font") or "TkDefaultFont"),
                             root=box)  # fmt: skip
    return int(font.measure(str(box.cget("text"))))
