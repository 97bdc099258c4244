"""A modal question with Russian buttons, for X11, where Tk's own message box wraps its text
at three inches (a summary of twenty lines becomes a narrow column) and labels its buttons
«OK»/«Cancel», «Yes»/«No». Windows and macOS keep their native boxes (``common.Dialogs``).
Tk thread only; no core import.
"""

from __future__ import annotations

import logging
import time
import tkinter as tk
from tkinter import ttk

log = logging.getLogger(__name__)


def open_box(parent: tk.Misc | None, title: str) -> tuple[tk.Misc, tk.Toplevel, ttk.Frame]:
    """A new modal box's master, its toplevel and the padded frame to fill."""
    master = parent if parent is not None else tk._get_default_root("ask")  # type: ignore[attr-defined]
    top = tk.Toplevel(master)
    top.title(title)
    if master.winfo_viewable():
        top.transient(master.winfo_toplevel())
    frame = ttk.Frame(top, padding=14)
    frame.pack(fill="both", expand=True)
    return master, top, frame


def run_box(master: tk.Misc, top: tk.Toplevel, focus: tk.Misc) -> None:
    """Show ``top`` over the window, a little in from its corner, with the grab (without it
    where another application holds one), ``focus`` focused; return once it is closed."""
    if master.winfo_viewable():
        top.geometry(f"+{master.winfo_rootx() + 40}+{master.winfo_rooty() + 40}")
    # until it is mapped (a grab needs it), at most a few seconds: ``wait_visibility`` waits
    # for ever where the box was mapped before it is called (a list that measured itself)
    end = time.monotonic() + 5
    while top.winfo_exists() and not top.winfo_viewable() and time.monotonic() < end:
        top.update()
        time.sleep(0.005)
    if not top.winfo_exists():  # answered (closed) already
        return
    top.lift()
    try:
        top.grab_set()
    except tk.TclError:
        log.info("a box without a grab", exc_info=True)
    focus.focus_force()
    master.wait_window(top)


def ask(parent: tk.Misc | None, title: str, message: str, yes: str, no: str,
        default_yes: bool = True) -> bool:  # fmt: skip
    """Show ``message`` with the buttons ``yes`` and ``no``; True for ``yes``. Escape or
    closing the window answer ``no``; Enter presses the focused button (the default one
    first)."""
    master, top, frame = open_box(parent, title)
    width = int(master.winfo_fpixels("6i"))  # follows the scaling (150 %: wider)
    ttk.Label(frame, text=message, wraplength=width, justify="left").pack(anchor="w")
    row = ttk.Frame(frame)
    row.pack(anchor="e", pady=(14, 0))
    answer = [False]

    def done(value: bool) -> None:
        answer[0] = value
        top.grab_release()
        top.destroy()

    yes_button = ttk.Button(row, text=yes, command=lambda: done(True))
    no_button = ttk.Button(row, text=no, command=lambda: done(False))
    yes_button.pack(side="left", padx=(0, 8))
    no_button.pack(side="left")
    top.bind("<Escape>", lambda _e: done(False))
    top.bind("<Return>", lambda _e: top.focus_get().invoke()  # type: ignore[union-attr]
             if isinstance(top.focus_get(), ttk.Button) else None)  # fmt: skip
    top.protocol("WM_DELETE_WINDOW", lambda: done(False))
    run_box(master, top, yes_button if default_yes else no_button)
    return answer[0]


def native(parent: tk.Misc | None) -> bool:
    """Whether Tk's message boxes are the platform's own (Windows, macOS), not Tk's X11 ones."""
    try:
        master = parent if parent is not None else tk._get_default_root("ask")  # type: ignore[attr-defined]
        return str(master.tk.call("tk", "windowingsystem")) != "x11"
    except (RuntimeError, tk.TclError):
        return True


def choose(parent: tk.Misc | None, title: str, message: str, items: list[str], footer: str,
           yes: str, no: str) -> list[bool] | None:  # fmt: skip
    """Show ``message``, then ``items`` each with a check box (ticked), then ``footer``; the
    ticks when ``yes`` is pressed, None for ``no`` (Escape, closing the window). A long list
    scrolls (a scroll bar and the wheel); each line wraps. All platforms (no native box has
    check boxes)."""
    from trayapp.ui.check_list import CheckList

    master, top, frame = open_box(parent, title)
    # 6 inches (wider at 150 %), never wider than the screen; the list at most half its
    # height (the text, the footer and the buttons stay in view), scrolled beyond
    width = min(int(master.winfo_fpixels("6i")), int(top.winfo_screenwidth()) - 80)
    ttk.Label(frame, text=message, wraplength=width, justify="left").pack(anchor="w")
    checks = CheckList(frame, items, width, int(top.winfo_screenheight()) // 2)
    checks.pack(fill="both", expand=True, pady=(8, 8))
    ttk.Label(frame, text=footer, wraplength=width, justify="left").pack(anchor="w")
    row = ttk.Frame(frame)
    row.pack(anchor="e", pady=(14, 0))
    answer: list[list[bool] | None] = [None]

    def done(value: bool) -> None:
        answer[0] = checks.ticks() if value else None
        top.grab_release()
        top.destroy()

    ttk.Button(row, text=yes, command=lambda: done(True)).pack(side="left", padx=(0, 8))
    no_button = ttk.Button(row, text=no, command=lambda: done(False))
    no_button.pack(side="left")
    top.bind("<Escape>", lambda _e: done(False))
    top.protocol("WM_DELETE_WINDOW", lambda: done(False))
    run_box(master, top, no_button)
    return answer[0]
