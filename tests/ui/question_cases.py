"""The X11 question box (``ui/question.py``): the whole text unwrapped at 3 inches, Russian
buttons, «Нет» by default for a yes/no, Escape answers no; the real Tk dialog under Xvfb."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

import pytest

from trayapp.ui.common import Dialogs

LONG = "  МУП «Горводоканал», ИНН 5401000003: 2 платежа, 343,34\u00a0₽" * 2


WIDE: list[bool] = []  # each dialog's text one wide line (checked after it is answered)


def answer_with(root: tk.Tk, act: Callable[[tk.Toplevel, dict[str, ttk.Button]], None],
                seen: list[tuple[str, list[str], str]]) -> None:  # fmt: skip
    """When the dialog is up: note its text, buttons and focus, then ``act`` on it."""
    def poll() -> None:
        tops = [w for w in root.winfo_children() if isinstance(w, tk.Toplevel)]
        focus = tops[0].focus_get() if tops and tops[0].winfo_viewable() else None
        if focus is None or focus.winfo_toplevel() is not tops[0]:  # not settled yet
            root.after(20, poll)
            return
        top = tops[0]
        top.update_idletasks()  # laid out: its label's width is known
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


def _below(n: int) -> list[str]:
    """Lines like the ones before «Провести», long enough to need more than 6 inches."""
    return [f"л/с 80300{i:02d}, счётчик 1001{i:02d} (ГВ-600866{i:02d}, Горячая вода): было "
            f"47,568, стало 45,768 (07.12.2026 10:{i % 60:02d}) — номер {i + 1}"
            for i in range(n)]  # fmt: skip


def _viewport(w: tk.Misc) -> tk.Misc:
    """The widget that clips ``w``: the nearest canvas or text it scrolls in."""
    v = w.master
    while v is not None and v.winfo_class() not in ("Canvas", "Text"):
        v = v.master
    assert v is not None
    return v


def _inside(w: tk.Misc, v: tk.Misc) -> bool:
    """``w`` shown whole (its text unwrapped to the right, its height) within ``v``."""
    return bool(w.winfo_ismapped()) and (
        v.winfo_rooty() <= w.winfo_rooty()
        and w.winfo_rooty() + w.winfo_height() <= v.winfo_rooty() + v.winfo_height()
        and v.winfo_rootx() <= w.winfo_rootx()
        and w.winfo_rootx() + w.winfo_reqwidth() <= v.winfo_rootx() + v.winfo_width())


@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("count", [7, 12, 13, 40])
def test_every_reading_to_choose_is_seen_whole(root: tk.Tk, count: int, scale: float) -> None:
    """The list before «Провести» (seven readings showed six, each cut at the right, the
    wheel did nothing): the last box is in view, or a scroll bar is shown and the wheel over
    the boxes brings it into view; no line is cut; the buttons are on the screen; the last
    box unticked comes back unticked."""
    from trayapp.ui.desktop import apply_theme, scale_indicators

    root.tk.call("tk", "scaling", 4 / 3 * scale)
    apply_theme(root)
    scale_indicators(root, scale)
    items = _below(count)
    report: dict[str, object] = {}

    def act() -> None:
        tops = [w for w in root.winfo_children() if isinstance(w, tk.Toplevel)]
        if not tops or not tops[0].winfo_viewable():
            root.after(20, act)
            return
        top = tops[0]
        root.update()
        widgets = _descendants(top)
        checks = [w for w in widgets if isinstance(w, ttk.Checkbutton)]
        ok = next(w for w in widgets if isinstance(w, ttk.Button) and w.cget("text") == "Провести")
        try:
            view = _viewport(checks[-1])
            report["count"] = len(checks)
            report["cut"] = [str(c.cget("text"))[:20] for c in checks
                             if c.winfo_ismapped() and not _inside(c, view)
                             and c.winfo_rooty() >= view.winfo_rooty()
                             and c.winfo_rooty() + c.winfo_height()
                             <= view.winfo_rooty() + view.winfo_height()]  # fmt: skip
            report["on_screen"] = ok.winfo_rooty() + ok.winfo_height() <= top.winfo_screenheight()
            report["seen_at_once"] = _inside(checks[-1], view)
            bars = [w for w in widgets if isinstance(w, ttk.Scrollbar) and w.winfo_ismapped()]
            report["bar"] = bool(bars)
            wheels = 0
            while not _inside(checks[-1], view) and wheels < 4 * count:
                # the wheel where the pointer is: over the box in the middle of the list
                under = top.winfo_containing(view.winfo_rootx() + 30,
                                             view.winfo_rooty() + view.winfo_height() // 2)  # fmt: skip
                (under or view).event_generate("<Button-5>", x=5, y=5)
                root.update()
                wheels += 1
            report["reached"] = _inside(checks[-1], view)
            if report["reached"]:
                checks[-1].invoke()
        finally:
            ok.invoke()

    root.after(20, act)
    ticks = Dialogs(root).choose("Проведение показаний", "Показаний меньше предыдущих: "
                                 f"{count}.", items, "Провести документ?")  # fmt: skip
    assert report["count"] == count
    assert report["cut"] == [], report
    assert report["on_screen"], report
    assert report["seen_at_once"] or report["bar"], report
    assert report["reached"], report
    assert ticks == [True] * (count - 1) + [False]


def _descendants(w: tk.Misc) -> list[tk.Misc]:
    out: list[tk.Misc] = []
    for c in w.winfo_children():
        out += [c, *_descendants(c)]
    return out
