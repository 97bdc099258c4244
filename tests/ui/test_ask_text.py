"""The text prompt (``ui/ask_text.py``): Russian buttons, the typed text back on «ОК» or
Enter, None on «Отмена» or Escape, never wider than the screen; the real Tk box under Xvfb,
through ``Dialogs.ask_password`` (the password prompt's English «OK»/«Cancel», issue 17)."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from trayapp.ui.ask_text import ask_text
from trayapp.ui.common import Dialogs

Act = Callable[[tk.Toplevel, ttk.Entry, dict[str, ttk.Button]], None]


def answer_with(root: tk.Tk, act: Act, seen: list[tuple[list[str], str, int]]) -> None:
    """When the box is up: note its buttons, the entry's mask and its width, then ``act``."""
    def poll() -> None:
        tops = [w for w in root.winfo_children() if isinstance(w, tk.Toplevel)]
        if not tops or not tops[0].winfo_viewable():
            root.after(20, poll)
            return
        top = tops[0]
        widgets = descendants(top)
        buttons = {str(b.cget("text")): b for b in widgets
                   if isinstance(b, (ttk.Button, tk.Button))}  # fmt: skip
        entries = [w for w in widgets if isinstance(w, (ttk.Entry, tk.Entry))]
        seen.append((list(buttons), str(entries[0].cget("show")) if entries else "?",
                     top.winfo_width()))  # fmt: skip
        if "ОК" not in buttons or not entries:  # not our box: close it, the test then fails
            top.destroy()
            return
        act(top, entries[0], buttons)  # type: ignore[arg-type]

    root.after(20, poll)


def descendants(w: tk.Misc) -> list[tk.Misc]:
    out: list[tk.Misc] = []
    for c in w.winfo_children():
        out += [c, *descendants(c)]
    return out


def typed(text: str, then: str) -> Act:
    def act(top: tk.Toplevel, entry: ttk.Entry, buttons: dict[str, ttk.Button]) -> None:
        entry.insert(0, text)
        if then in buttons:
            buttons[then].invoke()
        else:
            entry.focus_force()
            entry.event_generate(then)
    return act


def test_password_prompt_is_russian_and_masked(root: tk.Tk) -> None:
    dialogs = Dialogs(root)
    seen: list[tuple[list[str], str, int]] = []
    answer_with(root, typed("пароль 1", "ОК"), seen)
    assert dialogs.ask_password("Пароль «Мои счета»", "Пароль:") == "пароль 1"
    answer_with(root, typed("пароль 2", "Отмена"), seen)
    assert dialogs.ask_password("Пароль «Мои счета»", "Пароль:") is None
    assert [s[0] for s in seen] == [["ОК", "Отмена"]] * 2
    assert [s[1] for s in seen] == ["•"] * 2
    assert all(s[2] <= root.winfo_screenwidth() for s in seen)


def test_enter_escape_and_plain_text(root: tk.Tk) -> None:
    seen: list[tuple[list[str], str, int]] = []
    answer_with(root, typed("ТСЖ «Берёзка»", "<Return>"), seen)
    assert ask_text(root, "Добавить ТСЖ", "Название ТСЖ:") == "ТСЖ «Берёзка»"
    answer_with(root, typed("что-то", "<Escape>"), seen)
    assert ask_text(root, "Добавить ТСЖ", "Название ТСЖ:") is None
    assert [s[1] for s in seen] == ["", ""]


def test_never_wider_than_the_screen_at_150(root: tk.Tk) -> None:
    """At 150 % (Tk scaling 2.0 on Xvfb's 1024 px screen) the box stays on the screen."""
    saved = float(root.tk.call("tk", "scaling"))
    root.tk.call("tk", "scaling", 2.0)
    try:
        seen: list[tuple[list[str], str, int]] = []
        answer_with(root, typed("x", "ОК"), seen)
        assert ask_text(root, "Пароль", "Пароль «Мои счета» для входа " * 6) == "x"
        assert seen and seen[0][2] <= root.winfo_screenwidth()
    finally:
        root.tk.call("tk", "scaling", saved)
