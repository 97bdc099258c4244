"""A line of text asked in Russian: the password prompt and «Добавить ТСЖ…».

Tk's ``simpledialog.askstring`` is drawn by Tk on every platform (no native box exists) and
labels its buttons «OK»/«Cancel»; at 150 % it also grew wider than a small screen. This box
has «ОК»/«Отмена», an entry that follows the scaling but never the screen's edge, Enter for
«ОК» and Escape or closing for «Отмена». Tk thread only; no core import.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk

from trayapp.ui.question import open_box, run_box


def ask_text(parent: tk.Misc | None, title: str, prompt: str, show: str = "") -> str | None:
    """The text typed, or None when the accountant cancels (an empty text is returned as
    typed: the caller decides what empty means). ``show`` masks the entry (a password)."""
    master, top, frame = open_box(parent, title)
    # 4 inches follow the scaling; a screen narrower than that (150 % on 1024 px) caps it
    width = min(int(master.winfo_fpixels("4i")), int(master.winfo_screenwidth() * 0.8))
    ttk.Label(frame, text=prompt, wraplength=width, justify="left").pack(anchor="w")
    value = tk.StringVar(top)
    entry = ttk.Entry(frame, textvariable=value, show=show)
    entry.pack(fill="x", pady=(8, 0))
    row = ttk.Frame(frame)
    row.pack(anchor="e", pady=(14, 0))
    answer: list[str | None] = [None]

    def done(ok: bool) -> None:
        answer[0] = value.get() if ok else None
        top.grab_release()
        top.destroy()

    ok_button = ttk.Button(row, text="ОК", command=lambda: done(True))
    cancel_button = ttk.Button(row, text="Отмена", command=lambda: done(False))
    ok_button.pack(side="left", padx=(0, 8))
    cancel_button.pack(side="left")
    top.bind("<Return>", lambda _e: done(True))
    top.bind("<Escape>", lambda _e: done(False))
    top.protocol("WM_DELETE_WINDOW", lambda: done(False))
    digit = tkfont.nametofont("TkTextFont").measure("0")  # the entry's width is in these
    entry.configure(width=max(20, width // max(1, digit)))
    run_box(master, top, entry)
    return answer[0]
