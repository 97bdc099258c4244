"""Errors of a window that is not on the screen (issue 20, hazard 15): a mixin of
``window.MainWindow``.

An error box opened while only the tray icon shows (a refresh failing after a scheduled
session, a ``--minimized`` start before a network drive is up) came up behind other windows
with no taskbar button. ``alert`` shows the box where the window is in view; where it is
not, a desktop notification goes out instead (through the window's ``on_state``: the tray's
notifier, with our logo, titled with the association's name), and the box comes up when the
window is next opened (its ``<Map>``, or the desk showing this association again).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trayapp.ui.header import HeaderBar
    from trayapp.ui.ui_state import UiState


MAP_WAIT_MS = 50


class HeldErrors:
    root: tk.Tk
    dialogs: Any
    header: HeaderBar
    on_state: Callable[[UiState], None] | None
    _held: list[tuple[str, str]]

    def _push_state(self, notices: list[str]) -> None:
        raise NotImplementedError

    def alert(self, title: str, message: str) -> None:
        """An error box where the window is shown. Where it is not (the icon alone: after a
        scheduled session, at a ``--minimized`` start) a box would open behind other windows
        with no taskbar button: a desktop notification instead (the tray's notifier, our
        logo), and the box when the window is next opened (issue 20, hazard 15)."""
        if self._visible() or self.on_state is None:
            self.dialogs.error(title, message)
            return
        if (title, message) not in self._held:
            self._held.append((title, message))
        self._push_state([f"{title}: {message}"])

    def _mapped(self, event: tk.Event[Any]) -> None:
        if event.widget is self.root and self._held:
            self.root.after(MAP_WAIT_MS, self._show_held, 10)

    def _show_held(self, tries: int = 0) -> None:
        """The errors met while hidden, in one box, once the window is in view (its frames
        are mapped a moment after the root: ``tries`` more looks)."""
        if not self._held:
            return
        if not self._visible():
            if tries > 0:
                self.root.after(MAP_WAIT_MS, self._show_held, tries - 1)
            return
        held, self._held = self._held, []
        texts = list(dict.fromkeys(message for _title, message in held))
        intro = "Пока окно было скрыто:\n\n" if len(texts) > 1 else ""
        self.dialogs.error(held[-1][0], intro + "\n\n".join(texts))

    def _visible(self) -> bool:
        """The window on the screen, and this association's frames in it (the desk hides
        the others' with ``pack_forget``)."""
        try:
            return bool(self.root.winfo_viewable()) and bool(self.header.winfo_ismapped())
        except tk.TclError:
            return False
