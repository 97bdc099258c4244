"""Safe text output to stdout and stderr, for a console, a pipe or no console at all.

A windowed build (PyInstaller ``--windowed``, ``pythonw``) has ``sys.stdout`` and
``sys.stderr`` set to None; a pipe on Windows encodes in the ANSI code page, strictly, so one
character outside it ends a finished job with ``UnicodeEncodeError``. ``prepare_streams``
(called first by every entry point) puts a null writer where a stream is None and makes the
real ones replace what they cannot encode; ``out``/``err`` write a line and never raise;
``out_json`` writes a JSON document as UTF-8 bytes whatever the console's encoding.
Imports only the standard library and ``plain``.
"""

from __future__ import annotations

import io
import json
import os
import sys
from typing import Any, TextIO

from trayapp import plain


class _Null(io.TextIOBase):
    """Where text goes when there is no console: nowhere, without an error; the last few
    thousand characters are kept, for a windowed program to show when it fails (fatal.py)."""

    KEEP = 4000

    def __init__(self) -> None:
        super().__init__()
        self.kept = ""

    def write(self, text: str) -> int:
        self.kept = (self.kept + text)[-self.KEEP :]
        return len(text)

    def isatty(self) -> bool:
        return False


def prepare_streams() -> None:
    """Make ``print`` and ``sys.stderr.write`` safe for the rest of the process."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        if stream is None:
            setattr(sys, name, _Null())
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError, TypeError):  # closed, or not a text wrapper
                pass


def _stream(name: str) -> TextIO | None:
    s = getattr(sys, name, None)
    return None if s is None or isinstance(s, _Null) else s


def isatty(name: str = "stdout") -> bool:
    """Whether ``sys.<name>`` is a terminal (False where there is no stream at all)."""
    s = _stream(name)
    try:
        return bool(s is not None and s.isatty())
    except (ValueError, OSError):
        return False


def lost_text(name: str = "stderr") -> str | None:
    """What was written to ``sys.<name>`` where there is no console; None where there is one."""
    s = getattr(sys, name, None)
    return s.kept if isinstance(s, _Null) else None


def write(name: str, text: str) -> None:
    """Write ``text`` to ``sys.<name>``; characters it cannot encode become ``?``, and so do
    control characters (a server's ESC sequences would drive the terminal: ``plain``)."""
    s = _stream(name)
    if s is None:
        null = getattr(sys, name, None)
        if isinstance(null, _Null):
            null.write(plain.text(text))
        return
    text = plain.text(text)
    try:
        try:
            s.write(text)
        except UnicodeEncodeError:
            enc = getattr(s, "encoding", None) or "ascii"
            s.write(text.encode(enc, "replace").decode(enc, "replace"))
        s.flush()
    except (OSError, ValueError):  # a closed pipe or stream: nobody reads it any more
        pass


def out(text: str) -> None:
    write("stdout", text + "\n")


def err(text: str) -> None:
    write("stderr", text + "\n")


def out_json(data: Any) -> None:
    """One JSON document on stdout, always UTF-8 (a pipe's code page does not matter)."""
    s = _stream("stdout")
    if s is None:
        return
    raw = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    buffer = getattr(s, "buffer", None)
    try:
        if buffer is None:  # a StringIO (tests) or some wrapper: text is all it takes
            s.write(raw.decode("utf-8"))
            s.flush()
            return
        s.flush()
        if os.name == "nt" and isatty("stdout"):  # the Windows console takes text, not bytes
            s.write(raw.decode("utf-8"))
            s.flush()
            return
        buffer.write(raw)
        buffer.flush()
    except (OSError, ValueError):
        pass


def typed_command(home: str | None = None, assoc: str | None = None) -> str:
    """The program's command as it can be typed here, with the ``--home``/``--assoc`` the
    user gave: ``trayapp`` where it is on PATH, else this Python with ``-m trayapp`` (a venv
    not activated); values with spaces quoted."""
    import shutil

    def quoted(text: str) -> str:
        return f'"{text}"' if " " in text else text

    if getattr(sys, "frozen", False):  # the installed build: its console program, no -m
        from pathlib import Path

        exe = Path(sys.executable)
        cli = exe.with_name("trayapp-cli.exe" if exe.suffix.lower() == ".exe" else "trayapp-cli")
        program = quoted(str(cli if cli.exists() else exe))
    elif shutil.which("trayapp"):
        program = "trayapp"
    else:
        program = f"{quoted(sys.executable)} -m trayapp"
    if home:
        program += f" --home {quoted(str(home))}"
    if assoc:
        program += f" --assoc {quoted(assoc)}"
    return program
