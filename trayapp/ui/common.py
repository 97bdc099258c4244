"""Small pieces the window and the tray share: dialogs, opening files, Russian texts.

``Dialogs`` is the one place that shows a message box or a folder dialog (tests give a
recording one instead, since a modal box would wait for a click); ``open_path`` opens a file
or folder with the OS default program; ``fixed_label`` a result line that keeps its height;
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
from tkinter import filedialog, messagebox
from typing import Any

from trayapp.core.values import format_money, format_rubles
from trayapp.errors import AppError

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
        messagebox.showerror(title, message, **self._options())

    def warning(self, title: str, message: str) -> None:
        messagebox.showwarning(title, message, **self._options())

    def info(self, title: str, message: str) -> None:
        messagebox.showinfo(title, message, **self._options())

    def ask_password(self, title: str, prompt: str) -> str | None:
        from tkinter import simpledialog

        value = simpledialog.askstring(title, prompt, show="•", parent=self.parent)
        return str(value) if value else None

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

    def ask_file(self, title: str, kinds: list[tuple[str, str]]) -> str | None:
        chosen: Any = filedialog.askopenfilename(parent=self.parent, title=title,
                                                 filetypes=kinds)  # fmt: skip
        return str(chosen) if chosen else None

    def ask_files(self, title: str, kinds: list[tuple[str, str]]) -> list[str]:
        chosen: Any = filedialog.askopenfilenames(parent=self.parent, title=title,
                                                  filetypes=kinds)  # fmt: skip
        return [str(c) for c in chosen] if chosen else []

    def ask_dir(self, title: str) -> str | None:
        chosen: Any = filedialog.askdirectory(parent=self.parent, title=title, mustexist=True)
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


def fixed_label(parent: tk.Misc, var: tk.StringVar, lines: int, **options: Any
                ) -> tuple[tk.Widget, tk.Widget]:  # fmt: skip
    """A wrapping label in a frame ``lines`` lines tall whatever its text: a result appearing
    never moves the widgets around it. Returns (the frame, to be packed or gridded; the label
    in it). A text that would need more lines grows the frame once (never cut)."""
    from tkinter import font as tkfont
    from tkinter import ttk

    line = int(tkfont.nametofont("TkDefaultFont", root=parent).metrics("linespace"))
    frame = ttk.Frame(parent, height=line * lines + 4)
    frame.pack_propagate(False)
    label = ttk.Label(frame, textvariable=var, justify="left", anchor="nw", **options)
    label.pack(fill="both", expand=True)
    frame.bind("<Configure>", lambda e: label.configure(wraplength=max(200, e.width - 4)))

    def fit(*_: object) -> None:
        try:
            if not frame.winfo_ismapped():  # its width, hence the wrap, is not known yet
                return
            label.configure(wraplength=max(200, frame.winfo_width() - 4))
            need = int(label.winfo_reqheight())
            if need > int(frame.cget("height")):
                frame.configure(height=need)
        except tk.TclError:  # the window is gone
            pass

    var.trace_add("write", lambda *_: frame.after_idle(fit))
    return frame, label


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
        raise AppError(f"не удалось открыть {p}: {exc.strerror or exc}") from exc


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
