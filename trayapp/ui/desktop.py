"""What each desktop needs before and around the first Tk window.

- ``prepare_dpi``: on Windows the process declares itself DPI aware *before* the first
  ``tk.Tk()`` (else Windows scales the finished bitmap and everything is blurred at 150 %);
  Tk then reports the real pixels per inch and scales fonts and sizes itself.
- ``apply_theme``: the native ttk theme — ``vista`` on Windows, ``aqua`` on macOS, ``clam``
  elsewhere (the default ``default`` theme looks like 1995).
- ``allow_foreground`` / ``bring_to_front``: a second start asks the running program to show
  its window; on Windows the running one may take the foreground only if the starter (the
  process the user just clicked) allows it with ``AllowSetForegroundWindow``.
Imports tkinter and ctypes only; every OS call is guarded (nothing here may stop a start).
"""

from __future__ import annotations

import logging
import math
import sys
import tkinter as tk
import weakref
from collections.abc import Sequence
from tkinter import ttk

log = logging.getLogger(__name__)

THEMES = {"win32": "vista", "darwin": "aqua"}


def prepare_dpi() -> None:
    if not sys.platform.startswith("win"):
        return
    try:
        import ctypes

        ctypes.OleDLL("shcore").SetProcessDpiAwareness(1)
    except Exception:  # Windows 7/8.0: the older call
        try:
            import ctypes

            getattr(ctypes, "windll").user32.SetProcessDPIAware()  # noqa: B009
        except Exception:
            log.info("cannot declare DPI awareness", exc_info=True)


def apply_theme(root: tk.Misc) -> str:
    """Use the platform's ttk theme (where Tk has it); the theme in use."""
    style = ttk.Style(root)
    wanted = THEMES.get(sys.platform, "clam")
    if wanted in style.theme_names():
        style.theme_use(wanted)
    return str(style.theme_use())


def allow_foreground(pid: int) -> None:
    """Let process ``pid`` (the running instance) bring its window to the front (Windows)."""
    if not sys.platform.startswith("win") or pid <= 0:
        return
    try:
        import ctypes

        getattr(ctypes, "windll").user32.AllowSetForegroundWindow(pid)  # noqa: B009
    except Exception:
        log.info("AllowSetForegroundWindow failed", exc_info=True)


def bring_to_front(root: tk.Tk) -> None:
    """Show the window above the others and give it the focus."""
    root.deiconify()
    root.lift()
    try:
        root.attributes("-topmost", True)  # lift alone does not pass over a focused window
        root.after(300, lambda: root.attributes("-topmost", False))
        root.focus_force()
    except tk.TclError:
        pass


def scale_factor(root: tk.Misc) -> float:
    """Screen pixels per point against 100 % (96 dpi: Tk's ``scaling`` of 4/3)."""
    try:
        return max(1.0, float(root.tk.call("tk", "scaling")) / (96 / 72))
    except (tk.TclError, ValueError):
        return 1.0


def xft_dpi(root: tk.Misc) -> float | None:
    """The ``Xft.dpi`` resource of the X display (how many Linux desktops scale, fonts
    only), read from the root window's ``RESOURCE_MANAGER``; None elsewhere or unset."""
    try:
        if str(root.tk.call("tk", "windowingsystem")) != "x11":
            return None
        from Xlib import Xatom
        from Xlib import display as xdisplay

        d = xdisplay.Display(str(root.winfo_screen()))
        try:
            prop = d.screen().root.get_full_property(d.intern_atom("RESOURCE_MANAGER"),
                                                     Xatom.STRING)  # fmt: skip
        finally:
            d.close()
        if prop is None:
            return None
        raw = prop.value
        text = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Xft.dpi":
                return float(value.strip())
    except Exception:  # no python-xlib, no display: Tk's own measure stands
        log.debug("no Xft.dpi", exc_info=True)
    return None


def calibrate_scaling(root: tk.Misc) -> None:
    """One measure of the display for everything: where ``Xft.dpi`` says more than the X
    server's size does (fonts grow, nothing else would), Tk's scaling follows it, so sizes
    in points, the logo, columns and indicators grow with the fonts (issue 17, item 6)."""
    dpi = xft_dpi(root)
    try:
        tk_dpi = float(root.tk.call("tk", "scaling")) * 72
        if dpi is not None and dpi > 0 and abs(dpi - tk_dpi) / tk_dpi > 0.05:
            log.info("scaling from Xft.dpi %.0f (the X server says %.0f)", dpi, tk_dpi)
            root.tk.call("tk", "scaling", dpi / 72)
    except (tk.TclError, ValueError):
        log.info("cannot calibrate the scaling", exc_info=True)


def russian_dialogs(root: tk.Misc) -> None:
    """Tk's own dialogs in Russian: message boxes' «Да»/«Нет», «ОК»/«Отмена», the file
    dialogs' «Каталог:», «Сохранить» (Linux; Windows and macOS show native dialogs in the
    OS's language). Tk read its catalogue for the process's locale at start: set ``ru`` and
    read Tk's messages again."""
    try:
        root.tk.eval("package require msgcat; ::msgcat::mclocale ru; "
                     "namespace eval ::tk {::msgcat::mcload [file join $::tk_library msgs]}")  # fmt: skip
        # what Tk's Russian catalogue leaves in English (the folder chooser's «Selection:»)
        for english, russian in MISSING_RUSSIAN:
            root.tk.call("namespace", "eval", "::tk", ["::msgcat::mcset", "ru", english, russian])
    except tk.TclError:
        log.info("no Russian catalogue for Tk's dialogs", exc_info=True)


MISSING_RUSSIAN = (("&Selection:", "&Выбрано:"), ("Selection:", "Выбрано:"))
SCREEN_MARGIN = 80  # pixels left for the task bar, a panel and the title bar


def fit_screen(root: tk.Tk) -> None:
    """The window as large as it asks, but never larger than the screen minus
    ``SCREEN_MARGIN`` (the notebook gives way, the bottom strip stays on the screen);
    maximising it is left free (the lists then take the room)."""
    try:
        root.update_idletasks()
        width = int(root.winfo_screenwidth()) - SCREEN_MARGIN // 2
        height = int(root.winfo_screenheight()) - SCREEN_MARGIN
        want_w, want_h = int(root.winfo_reqwidth()), int(root.winfo_reqheight())
        if want_w > width or want_h > height:
            root.geometry(f"{min(want_w, width)}x{min(want_h, height)}")
        lo_w, lo_h = (int(x) for x in root.minsize())
        root.minsize(min(lo_w, width), min(lo_h, height))
    except (tk.TclError, ValueError):
        log.info("cannot fit the window to the screen", exc_info=True)


def auto_scrollbar(bar: ttk.Scrollbar, before: tk.Misc) -> None:
    """``bar`` (packed at the right of ``before``'s side) shows only while its list has
    more rows than room: an empty or short list shows no scroll bar."""

    def set_view(first: str, last: str) -> None:
        bar.set(first, last)
        needed = float(first) > 0.0 or float(last) < 1.0
        if needed and not bar.winfo_ismapped():
            bar.pack(side="right", fill="y", before=before)
        elif not needed and bar.winfo_ismapped():
            bar.pack_forget()

    before.configure(yscrollcommand=set_view)  # type: ignore[call-arg]
    bar.pack_forget()


HEADING_PAD = 20  # the heading's padding and a separator's room


def fit_headings(tree: ttk.Treeview) -> None:
    """Every column at least as wide as its heading in the heading's font: «Сверка с банком»
    is never cut to «Сверка с бан…» (the widths given are for a typical font at 100 %)."""
    from tkinter import font as tkfont

    name = str(ttk.Style(tree).lookup("Treeview.Heading", "font") or "TkHeadingFont")
    try:
        font = tkfont.nametofont(name, root=tree)
    except tk.TclError:
        font = tkfont.Font(root=tree, font=name)
    for col in tree.cget("columns"):
        title = str(tree.heading(col, "text"))
        need = int(font.measure(title)) + HEADING_PAD
        if int(tree.column(col, "width")) < need:
            tree.column(col, width=need)


# Indicator and arrow sizes the themes give in pixels (not scaled by Tk): (style, an element
# of its layout, the option, Tk's default where the theme sets none). clam's elements take
# -indicatorsize (check and radio boxes, default 10) and -arrowsize (spin box 10 in
# clamTheme.tcl, combo box and scroll bars 14, the menu button's arrow 5); vista draws them
# from the system metrics, which follow the DPI by themselves (their elements have no such
# option, so nothing is set there).
INDICATORS = (
    ("TCheckbutton", "Checkbutton.indicator", "indicatorsize", 10),
    ("TRadiobutton", "Radiobutton.indicator", "indicatorsize", 10),
    ("TSpinbox", "Spinbox.uparrow", "arrowsize", 10),
    ("TCombobox", "Combobox.downarrow", "arrowsize", 14),
    ("Vertical.TScrollbar", "Vertical.Scrollbar.uparrow", "arrowsize", 14),
    ("Horizontal.TScrollbar", "Horizontal.Scrollbar.leftarrow", "arrowsize", 14),
    ("TMenubutton", "Menubutton.indicator", "arrowsize", 5),
)


def scale_indicators(root: tk.Misc, factor: float) -> None:
    """Check and radio boxes, spin box, combo box, scroll bar and menu button arrows grown by
    ``factor`` (once per theme: a second call leaves them)."""
    style = ttk.Style(root)
    mark = f"trayapp_indicators_{style.theme_use()}"
    if factor <= 1.0 or root.tk.eval(f"info exists ::{mark}") == "1":
        return
    root.tk.eval(f"set ::{mark} {factor}")
    for name, element, option, default in INDICATORS:
        try:
            options = root.tk.splitlist(root.tk.call("ttk::style", "element", "options", element))
            if f"-{option}" not in options:
                continue
            base = float(str(style.lookup(name, option) or default))
            style.configure(name, **{option: _grown(base, factor)})
            # the room around: the box's margins (clam: 1 1 4 1), the arrow's padding (3)
            room = {"indicatorsize": "indicatormargin", "arrowsize": "arrowpadding"}[option]
            if f"-{room}" in options:
                given = root.tk.splitlist(style.lookup(name, room) or "") or ("3",)
                style.configure(name, **{room: [_grown(float(str(m)), factor)
                                                for m in given]})  # fmt: skip
        except (tk.TclError, ValueError):
            log.info("cannot scale %s of %s", option, name, exc_info=True)


def _grown(pixels: float, factor: float) -> int:
    """``pixels`` grown by ``factor``, rounded up (Tk's scaling of 2.0 reads back as 1.997:
    a 5 px arrow is 8 at 150 %, not 7)."""
    return math.ceil(pixels * factor - 0.05)


def _font(tree: ttk.Treeview, style: str, default: str) -> object:
    from tkinter import font as tkfont

    name = str(ttk.Style(tree).lookup(style, "font") or default)
    try:
        return tkfont.nametofont(name, root=tree)
    except tk.TclError:
        return tkfont.Font(root=tree, font=name)


# a list's columns as built (shown ones) and their widths before any gave way
BASE: weakref.WeakKeyDictionary[ttk.Treeview, list[str]] = weakref.WeakKeyDictionary()
NATURAL: weakref.WeakKeyDictionary[ttk.Treeview, dict[str, int]] = weakref.WeakKeyDictionary()


def fit_columns(tree: ttk.Treeview, width: int, optional: Sequence[str] = ()) -> None:
    """Where the list is narrower than its columns, they give way, each in proportion to its
    room beyond what its heading and its widest cell need: the last columns stay in view,
    and a file name is cut only when nothing else can give. Where even those needs do not
    fit, the ``optional`` columns are hidden, in that order, until they do (a narrow window
    at 150 %: the file name whole rather than every column cut); they come back with room."""
    try:
        if tree not in BASE:  # the widths as built and scaled: never wider than those
            shown = [str(c) for c in tree.cget("displaycolumns")]
            BASE[tree] = ([str(c) for c in tree.cget("columns")] if shown in ([], ["#all"])
                          else shown)  # fmt: skip
            NATURAL[tree] = {c: int(tree.column(c, "width")) for c in BASE[tree]}
        if width <= 1:
            return
        cols, natural = list(BASE[tree]), NATURAL[tree]
        need: dict[str, int] = {}
        if sum(natural[c] for c in cols) > width - 2:
            need = _needs(tree, cols)
            for c in optional:  # hidden, least wanted first, while even the needs do not fit
                if sum(need[x] for x in cols) <= width - 2:
                    break
                if c in cols and len(cols) > 1:
                    cols.remove(c)
        if optional and [str(c) for c in tree.cget("displaycolumns")] != cols:
            tree.configure(displaycolumns=cols)
        widths = [natural[c] for c in cols]
        excess = sum(widths) - (width - 2)
        if excess <= 0:
            for c, w in zip(cols, widths, strict=True):
                tree.column(c, width=w)
            return
        room = [max(0, w - need[c]) for c, w in zip(cols, widths, strict=True)]
        total = sum(room)
        if total <= 0:
            return
        for c, w, r in zip(cols, widths, room, strict=True):
            tree.column(c, width=w - min(r, -(-excess * r // total)))
    except (tk.TclError, ValueError):
        pass


def _needs(tree: ttk.Treeview, cols: list[str]) -> dict[str, int]:
    """What each column needs: its heading, or its widest cell (of the first 200 rows)."""
    head, cell = _font(tree, "Treeview.Heading", "TkHeadingFont"), _font(tree, "Treeview",
                                                                           "TkDefaultFont")  # fmt: skip
    rows = [tree.item(i, "values") for i in tree.get_children()[:200]]
    index = {str(c): n for n, c in enumerate(tree.cget("columns"))}
    need = {}
    for c in cols:
        n = index[c]
        texts = [str(r[n]) for r in rows if n < len(r)]
        widest = max([int(cell.measure(t)) for t in texts] or [0])  # type: ignore[attr-defined]
        need[c] = max(int(head.measure(str(tree.heading(c, "text")))) + HEADING_PAD,  # type: ignore[attr-defined]
                      widest + 12)  # fmt: skip
    return need


def scale_layout(root: tk.Misc, factor: float, row_font: object = "TkDefaultFont") -> None:
    """Sizes given in pixels, made for 100 %, grown by ``factor``: every Treeview's column
    widths, every label's wrap length, the indicators and arrows; the Treeview row height
    from its font, so that rows are not cut at 150 %."""
    from tkinter import font as tkfont

    scale_indicators(root, factor)

    try:
        line = tkfont.nametofont(str(row_font), root=root).metrics("linespace")
        ttk.Style(root).configure("Treeview", rowheight=int(line * 1.35) + 2)
    except tk.TclError:
        pass
    todo: list[tk.Misc] = [root]
    while todo:
        w = todo.pop()
        todo.extend(w.winfo_children())
        try:
            if isinstance(w, ttk.Treeview):
                if factor > 1.0:
                    for col in w.cget("columns"):
                        w.column(col, width=int(int(w.column(col, "width")) * factor))
                fit_headings(w)
            elif factor > 1.0 and isinstance(w, ttk.Label | tk.Label):
                wrap = int(str(w.cget("wraplength")) or 0)
                if wrap > 0:
                    w.configure(wraplength=int(wrap * factor))
        except (tk.TclError, ValueError):
            continue
