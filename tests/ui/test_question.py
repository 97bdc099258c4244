"""The X11 question box (``ui/question.py``): the whole text unwrapped at 3 inches, Russian
buttons, «Нет» by default for a yes/no, Escape answers no; the real Tk dialog under Xvfb."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from trayapp.ui.common import Dialogs

LONG = "  МУП «Горводоканал», ИНН 5401000003: 2 платежа, 343,34\u00a0₽" * 2


WIDE: list[bool] = []  # each dialog's text one wide line (checked after it is answered)


def answer_with(root: tk.Tk, act: Callable[[tk.Toplevel, dict[str, ttk.Button]], None],
                seen: list[tuple[str, list[str], str]]) -> None:  # fmt: skip
    """When the dialog is up: note its text, buttons and focus, then ``act`` on it."""
    def poll() -> None:
        tops = [w for w in root.winfo_children() if isinstance(w, tk.Toplevel)]
        if not tops or not tops[0].winfo_viewable():
            root.after(20, poll)
            return
        top = tops[0]
        frame = top.winfo_children()[0]
        label, row = frame.winfo_children()[:2]
        buttons = {str(b.cget("text")): b for b in row.winfo_children()}  # type: ignore[misc]
        focus = top.focus_get()
        seen.append((str(label.cget("text")), list(buttons), str(focus.cget("text")) if focus else ""))
        WIDE.append(label.winfo_width() > root.winfo_fpixels("4i"))  # one line, not a column
        act(top, buttons)  # answered first: a failed check must fail the test, not hang it

    root.after(20, poll)


def test_confirm_and_yes_no_on_x11(root: tk.Tk) -> None:
    WIDE.clear()
    dialogs = Dialogs(root)
    seen: list[tuple[str, list[str], str]] = []
    answer_with(root, lambda _t, b: b["ОК"].invoke(), seen)
    assert dialogs.confirm("Приём реестра", LONG) is True
    answer_with(root, lambda _t, b: b["Отмена"].invoke(), seen)
    assert dialogs.confirm("Приём реестра", LONG) is False
    answer_with(root, lambda _t, b: b["Да"].invoke(), seen)
    assert dialogs.ask_yes_no("Проведение показаний", LONG) is True
    answer_with(root, lambda t, _b: t.event_generate("<Escape>"), seen)
    assert dialogs.ask_yes_no("Проведение показаний", LONG) is False
    answer_with(root, lambda t, _b: t.event_generate("<Return>"), seen)  # the default: «Нет»
    assert dialogs.ask_yes_no("Проведение показаний", LONG) is False
    assert WIDE == [True] * 5
    assert [s[0] for s in seen] == [LONG] * 5
    assert [s[1] for s in seen] == [["ОК", "Отмена"]] * 2 + [["Да", "Нет"]] * 3
    assert [s[2] for s in seen] == ["ОК", "ОК", "Нет", "Нет", "Нет"]
