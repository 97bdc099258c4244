"""Small pieces the window and the tray share: dialogs, opening files, Russian texts.

``Dialogs`` is the one place that shows a message box or a folder dialog (tests give a
recording one instead, since a modal box would wait for a click); ``open_path`` opens a file
or folder with the OS default program; ``fixed_label`` a result line that keeps its height; ``Scrolled`` a tab that scrolls where
the window is too short for it;
``log_tk_errors`` sends an exception in a Tk callback
to the log (Tk prints it to ``sys.stderr``, which is None in a windowed build); ``status_text`` and ``tooltip_text`` word the last
exchange the way the manual does. Imports tkinter, no core module but ``values``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tkinter as tk
from pathlib import Path
from tkinter import filedialog, messagebox, ttk
from typing import Any

from trayapp.core.values import format_money, format_rubles
from trayapp.errors import AppError
from trayapp.fsutil import os_reason

log = logging.getLogger(__name__)

NO_EXCHANGE = "Не было обмена с «Мои счета»"
APP_TITLE = "Мои счета: обмен реестрами"
KIND_NAMES = {"PAYMENTS": "оплаты", "READINGS": "показания"}
CODING_LABELS = {
    "ACCOUNT": "в целом по л/с",
    "GOROD": "по кодам «Города»",
    "SBER": "по кодам Сбербанка",
    "OWN": "по кодам ЖКУ",
}


class Fonts:
    """Copies of Tk's named fonts (a tuple ``("TkDefaultFont", 12, "bold")`` would be looked
    up as a family name): they follow the platform's font and the scaling."""

    def __init__(self, root: tk.Misc) -> None:
        from tkinter import font as tkfont

        base = tkfont.nametofont("TkDefaultFont", root=root)
        self.title = base.copy()
        self.title.configure(size=round(abs(int(base.cget("size"))) * 1.25) or 12, weight="bold")
        self.small = base.copy()


class Dialogs:
    """Message boxes and the folder dialog, all on the Tk thread."""

    def __init__(self, parent: tk.Misc | None = None) -> None:
        self.parent = parent

    def _options(self) -> dict[str, Any]:
        return {"parent": self.parent} if self.parent is not None else {}

    def error(self, title: str, message: str) -> None:
        messagebox.showerror(title, capitalised(message), **self._options())

    def warning(self, title: str, message: str) -> None:
        messagebox.showwarning(title, capitalised(message), **self._options())

    def info(self, title: str, message: str) -> None:
        messagebox.showinfo(title, message, **self._options())

    def ask_password(self, title: str, prompt: str) -> str | None:
        from trayapp.ui.ask_text import ask_text

        value = ask_text(self.parent, title, prompt, show="•")
        return value if value else None

    def confirm(self, title: str, message: str) -> bool:
        from trayapp.ui import question

        if not question.native(self.parent):  # X11: Tk's box is narrow and in English
            return question.ask(self.parent, title, message, "ОК", "Отмена")
        return bool(messagebox.askokcancel(title, message, **self._options()))

    def ask_yes_no(self, title: str, message: str) -> bool:
        from trayapp.ui import question

        if not question.native(self.parent):
            return question.ask(self.parent, title, message, "Да", "Нет", default_yes=False)
        return bool(messagebox.askyesno(title, message, icon="warning", default="no",
                                        **self._options()))  # fmt: skip

    def choose(self, title: str, message: str, items: list[str], footer: str
               ) -> list[bool] | None:  # fmt: skip
        """A list with a check box per item (ticked): the ticks, or None for «Отмена»."""
        from trayapp.ui import question

        return question.choose(self.parent, title, message, items, footer, "Провести", "Отмена")

    # the file dialogs open where the last one was left (one folder for all, this session)
    last_folder = ""

    def _was_in(self, chosen: str) -> str:
        if chosen:
            Dialogs.last_folder = str(Path(chosen).parent)
        return chosen

    def _start(self) -> dict[str, Any]:
        return {"initialdir": Dialogs.last_folder} if Dialogs.last_folder else {}

    def ask_file(self, title: str, kinds: list[tuple[str, str]]) -> str | None:
        chosen: Any = filedialog.askopenfilename(parent=self.parent, title=title,
                                                 filetypes=kinds, **self._start())  # fmt: skip
        return self._was_in(str(chosen)) if chosen else None

    def ask_files(self, title: str, kinds: list[tuple[str, str]]) -> list[str]:
        chosen: Any = filedialog.askopenfilenames(parent=self.parent, title=title,
                                                  filetypes=kinds, **self._start())  # fmt: skip
        names = [str(c) for c in chosen] if chosen else []
        if names:
            self._was_in(names[0])
        return names

    def ask_dir(self, title: str) -> str | None:
        chosen: Any = filedialog.askdirectory(parent=self.parent, title=title, mustexist=True,
                                              **self._start())  # fmt: skip
        if chosen:  # the folder chosen is where the next dialog starts
            Dialogs.last_folder = str(chosen)
        return str(chosen) if chosen else None

    def ask_save(self, title: str, name: str, folder: str = "") -> str | None:
        chosen: Any = filedialog.asksaveasfilename(parent=self.parent, title=title,
                                                   initialdir=folder or None,
                                                   initialfile=name, defaultextension=".csv",
                                                   filetypes=[("CSV", "*.csv"),
                                                              ("Excel", "*.xlsx")])  # fmt: skip
        return str(chosen) if chosen else None

    def ask_folder(self, initial: str) -> str | None:
        chosen: Any = filedialog.askdirectory(
            parent=self.parent, initialdir=initial or None, mustexist=False,
            title="Каталог обмена с «Мои счета»")  # fmt: skip
        return str(chosen) if chosen else None


def capitalised(message: str) -> str:
    """A message box's text begins with a capital (the core's messages are sentence tails:
    «сервер «Мои счета» недоступен…» reads «Сервер «Мои счета» недоступен…» alone)."""
    return message[:1].upper() + message[1:]


def fixed_label(parent: tk.Misc, var: tk.StringVar, lines: int, **options: Any
                ) -> tuple[tk.Widget, ttk.Label]:  # fmt: skip
    """A wrapping label in a frame ``lines`` lines tall whatever its text: a result appearing
    never moves the widgets around it. Returns (the frame, to be packed or gridded; the label
    in it). A text that would need more lines grows the frame once (never cut)."""
    frame, labels = fixed_labels(parent, [(var, options)], lines)
    return frame, labels[0]


def fixed_labels(parent: tk.Misc, texts: list[tuple[tk.StringVar, dict[str, Any]]], lines: int
                 ) -> tuple[tk.Widget, list[ttk.Label]]:  # fmt: skip
    """``fixed_label`` for several labels one under another sharing ``lines`` lines (a
    status line that wraps takes a line the details below leave free)."""
    from tkinter import font as tkfont

    line = int(tkfont.nametofont("TkDefaultFont", root=parent).metrics("linespace"))
    frame = ttk.Frame(parent)
    frame.pack_propagate(False)
    labels: list[ttk.Label] = []
    for var, options in texts:
        label = ttk.Label(frame, textvariable=var, justify="left", anchor="nw", **options)
        label.pack(fill="x", anchor="nw")
        labels.append(label)
    # a label's own border and padding beyond its lines, once per label
    edge = max(0, int(ttk.Label(frame, text="").winfo_reqheight()) - line)
    frame.configure(height=line * lines + edge * len(labels) + 2)

    def wrap(width: int) -> None:
        if width < 40:  # not laid out yet
            return
        for label in labels:
            label.configure(wraplength=width - 4)  # a narrow column too: never wider

    frame.bind("<Configure>", lambda e: wrap(e.width))

    def fit(*_: object) -> None:
        try:
            if not frame.winfo_ismapped():  # its width, hence the wrap, is not known yet
                return
            wrap(frame.winfo_width())
            need = sum(int(label.winfo_reqheight()) for label in labels)
            if need > int(frame.cget("height")):
                frame.configure(height=need)
        except tk.TclError:  # the window is gone
            pass

    for var, _options in texts:
        var.trace_add("write", lambda *_: frame.after_idle(fit))
    return frame, labels


class Scrolled(ttk.Frame):
    """A tab whose content (built in ``body``) scrolls up and down where the window is too
    short for it (a small screen, 150 %): nothing is cut or squeezed to nothing. Where it
    fits, the body fills the tab and the scroll bar is hidden; the wheel scrolls it (not over
    a list, which scrolls itself)."""

    def __init__(self, master: tk.Misc, padding: int = 8) -> None:
        super().__init__(master)
        style = ttk.Style(self)
        self.canvas = tk.Canvas(self, highlightthickness=0, borderwidth=0,
                                background=str(style.lookup("TFrame", "background")))  # fmt: skip
        self.bar = ttk.Scrollbar(self, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=self.bar.set)
        self.canvas.pack(side="left", fill="both", expand=True)
        self.body = ttk.Frame(self.canvas, padding=padding)
        self._item = self.canvas.create_window(0, 0, window=self.body, anchor="nw")
        self.body.bind("<Configure>", lambda _e: self._fit(ask=True))
        self.canvas.bind("<Configure>", lambda _e: self._fit())
        if self.tk.eval("info exists ::trayapp_wheel") != "1":  # once for all of them
            self.tk.eval("set ::trayapp_wheel 1")
            for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
                self.bind_all(sequence, _wheel, add="+")
            # a field reached with Tab scrolls into view
            self.bind_class(FOCUS_TAG, "<FocusIn>", _focused, add="+")

    def _fit(self, ask: bool = False) -> None:
        need_w, need_h = self.body.winfo_reqwidth(), self.body.winfo_reqheight()
        if ask:
            todo: list[tk.Misc] = list(self.body.winfo_children())
            while todo:
                w = todo.pop()
                todo.extend(w.winfo_children())
                tags = w.bindtags()
                if FOCUS_TAG not in tags:
                    w.bindtags((*tags, FOCUS_TAG))
        if ask:  # the tab asks for its whole content: where the screen allows, no scrolling;
            # its width holds the scroll bar's room whether it shows or not (nothing jumps)
            bar = 0 if self.bar.winfo_ismapped() else int(self.bar.winfo_reqwidth())
            self.canvas.configure(width=need_w + bar, height=need_h)
        width, height = self.canvas.winfo_width(), self.canvas.winfo_height()
        self.canvas.itemconfigure(self._item, width=max(width, 1), height=max(height, need_h))
        self.canvas.configure(scrollregion=(0, 0, width, max(height, need_h)))
        bar = int(self.bar.winfo_reqwidth())
        if need_h > height > 1:
            if not self.bar.winfo_ismapped():  # the canvas gives the bar its room
                self.canvas.configure(width=int(self.canvas.cget("width")) - bar)
                self.bar.pack(side="right", fill="y", before=self.canvas)
        elif self.bar.winfo_ismapped():
            self.bar.pack_forget()
            self.canvas.configure(width=int(self.canvas.cget("width")) + bar)
            self.canvas.yview_moveto(0)

    def scroll(self, up: bool) -> None:
        if self.body.winfo_reqheight() > self.canvas.winfo_height():
            self.canvas.yview_scroll(-1 if up else 1, "units")

    def see(self, widget: tk.Misc) -> None:
        """Scroll so that ``widget`` (in the body) is in view."""
        self.update_idletasks()
        top = widget.winfo_rooty() - self.body.winfo_rooty()
        bottom = top + widget.winfo_height()
        total = max(1, self.body.winfo_height())
        first, last = (float(f) * total for f in self.canvas.yview())
        if top < first:
            self.canvas.yview_moveto(top / total)
        elif bottom > last:
            self.canvas.yview_moveto((bottom - (last - first)) / total)


FOCUS_TAG = "TrayappScrolled"  # the bind tag of every widget in a Scrolled's body


def _focused(event: Any) -> None:
    w = event.widget
    if not isinstance(w, tk.Misc):
        return
    parent = w.master
    while parent is not None and not isinstance(parent, Scrolled):
        parent = parent.master
    if parent is not None:
        parent.see(w)


def _wheel(event: Any) -> None:
    """The wheel over a ``Scrolled`` tab scrolls it (a list under the pointer scrolls itself)."""
    w = event.widget
    if not isinstance(w, tk.Misc) or str(w.winfo_class()) in ("Treeview", "Text", "Listbox"):
        return
    while w is not None and not isinstance(w, Scrolled):
        w = w.master
    if w is not None:
        w.scroll(getattr(event, "num", 0) == 4 or getattr(event, "delta", 0) > 0)


def log_tk_errors(root: tk.Tk) -> None:
    """An exception in a Tk callback goes to the log file, with its traceback (by default Tk
    prints it to ``sys.stderr``: nowhere in a windowed build, and the bug leaves no trace)."""

    def report(exc: type[BaseException], value: BaseException, tb: Any) -> None:
        log.error("an error in a window callback", exc_info=(exc, value, tb))

    root.report_callback_exception = report


def open_path(path: str | os.PathLike[str]) -> None:
    """Open a file or folder with the OS default program; ``AppError`` when it cannot."""
    p = Path(path)
    if not p.exists():
        raise AppError(f"нет такого файла или каталога: {p}")
    try:
        if sys.platform == "win32":  # a check mypy understands: os.startfile is Windows'
            os.startfile(p)  # noqa: S606
        elif sys.platform == "darwin":
            subprocess.Popen(["open", str(p)])  # noqa: S603,S607
        else:
            subprocess.Popen(["xdg-open", str(p)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)  # fmt: skip
    except OSError as exc:
        log.warning("cannot open %s: %s", p, exc)
        raise AppError(f"не удалось открыть {p}: {os_reason(exc)}") from exc


def money(kopecks: int) -> str:
    """Kopecks as the accountant writes a sum: ``596 799,34`` (thousands by no-break spaces,
    so that a dialog never breaks a line inside the number)."""
    return format_money(kopecks)


def rubles(kopecks: int) -> str:
    """A sum with «₽» after a no-break space: ``596 799,34 ₽`` (never broken inside)."""
    return format_rubles(kopecks)


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for ``n``: 1 реестр, 2 реестра, 5 реестров."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def status_text(status: dict[str, Any]) -> str:
    """«Не было обмена с «Мои счета»» or «Отправлено N, принято M, ждут приёма K (время)»."""
    if not status.get("last_exchange"):
        pending = int(status.get("pending") or 0)
        return NO_EXCHANGE + (f"; ждут приёма {pending}" if pending else "") + _database(status)
    text = (f"Отправлено {status.get('sent', 0)}, принято {status.get('received', 0)}, "
            f"ждут приёма {status.get('pending', 0)}")  # fmt: skip
    when = str(status["last_exchange"])[:16]  # without the seconds
    text += f" (обмен {when}"
    if status.get("ok") is False:
        text += ", не завершён"
    return text + ")" + _database(status)


def _database(status: dict[str, Any]) -> str:
    """«; база: PostgreSQL host:port/db» where the database is a shared one."""
    return f"; база: {status['database']}" if status.get("database") else ""


def tooltip_text(status: dict[str, Any], running: bool = False) -> str:
    """The tray icon's tooltip: the last exchange and its counts."""
    head = "Мои счета: идёт обмен…" if running else "Мои счета"
    return f"{head}\n{status_text(status)}"
