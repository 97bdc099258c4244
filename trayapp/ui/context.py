"""What a pane of the window may ask of the window (the frame): the one way up.

A pane is built with a ``PaneContext`` and never holds its siblings or the frame itself; the
frame (``window.MainWindow``) is the real context, tests may give a small one. No Tk widget
is created here; no core import beyond the records the methods pass.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from trayapp.errors import AppError
from trayapp.ui.backend import Backend, Snapshot
from trayapp.ui.worker import Worker


class PaneContext(Protocol):
    root: tk.Tk
    backend: Backend
    worker: Worker
    dialogs: Any
    today: Callable[[], date]

    @property
    def snapshot(self) -> Snapshot | None: ...

    def refresh(self) -> None:
        """Read the state again (in the worker); every pane is shown it."""

    def error(self, what: str, notify: bool = False) -> Callable[[AppError], None]:
        """An ``on_error`` for a job: «what: message» in the footer, the events, a box."""

    def say(self, text: str) -> None:
        """A line in the footer."""

    def add_event(self, text: str, level: str = "error") -> None:
        """An event of the window's own in «События»."""

    def open(self, path: Path) -> None:
        """Open a file or folder with its program (errors shown)."""

    def update_buttons(self) -> None:
        """Buttons that depend on several panes' state are set again."""
