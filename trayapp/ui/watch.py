"""Notice work done outside the window (``trayapp accept``/``post`` from a console, a
scheduled exchange, a second window) and refresh the lists.

A thread of its own reads ``Backend.change_mark`` (the modification times of Входящие and
Исходящие and the journal's newest event: two ``stat`` calls and one query) every
``period`` seconds and at once when the window gains the focus; the Tk thread compares the
mark with the one the shown snapshot was taken with and, where they differ and the window's
worker is idle, refreshes everything. Not through the worker: a check every few seconds
must not run the footer's progress bar. Tk thread only for widgets; no core import.
"""

from __future__ import annotations

import logging
import threading
import time
import tkinter as tk
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

PERIOD_S = 3.0
POLL_MS = 250


class ChangeWatch:
    """``mark()`` runs in the watch's thread; ``current()`` (the shown snapshot's mark, or
    None before the first) and ``refresh()`` on the Tk thread; ``idle()`` says whether the
    window's own jobs are done (their end refreshes anyway)."""

    def __init__(self, root: tk.Misc, mark: Callable[[], tuple[int, ...]],
                 current: Callable[[], tuple[int, ...] | None], refresh: Callable[[], None],
                 idle: Callable[[], bool], period: float = PERIOD_S,
                 closer: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.root = root
        self._mark = mark
        self._current = current
        self._refresh = refresh
        self._idle = idle
        self.period = period
        self._closer = closer  # what mark() keeps open, closed when the thread ends
        self._viewable = True  # read on the Tk thread at each poll; no check while hidden
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._seen: tuple[float, tuple[int, ...]] | None = None  # (monotonic, mark)
        self._shown_at = 0.0  # when the mark shown was last taken (monotonic, Tk thread)
        self._last_shown: tuple[int, ...] | None = None
        self._stopped = False
        self._polled = time.monotonic()  # the Tk side's last poll (read by the thread)
        self.refreshes = 0  # refreshes it asked for (tests, the log)
        self._thread = threading.Thread(target=self._loop, name="trayapp-watch", daemon=True)
        self._thread.start()
        self._after = root.after(POLL_MS, self._poll)
        self._top = root.winfo_toplevel()
        self._top.bind("<FocusIn>", self._focused, add="+")
        self._top.bind("<Destroy>", self._destroyed, add="+")

    def check_now(self) -> None:
        """Read the mark at once (the window gained the focus, or was shown)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
        try:
            self.root.after_cancel(self._after)
        except tk.TclError:
            pass

    # ------------------------------------------------------------------ the thread

    def _loop(self) -> None:
        try:
            self._checks()
        finally:
            if self._closer is not None:
                try:
                    self._closer()
                except Exception:
                    log.debug("watch closer failed", exc_info=True)

    def _checks(self) -> None:
        while not self._stopped:
            self._wake.wait(self.period)
            woken = self._wake.is_set()
            self._wake.clear()
            if self._stopped:
                return
            started = time.monotonic()
            if started - self._polled > 2 * self.period:  # the window's loop is not running
                continue
            if not self._viewable and not woken:  # hidden: shown again, it checks at once
                continue
            try:
                mark = self._mark()
            except Exception:  # a folder on a lost drive, a busy database: next time
                log.debug("change mark not read", exc_info=True)
                continue
            with self._lock:
                self._seen = (started, mark)

    # ------------------------------------------------------------------ the Tk thread

    def _focused(self, event: Any) -> None:
        if getattr(event, "widget", None) is self._top:
            self.check_now()

    def _destroyed(self, event: Any) -> None:
        if getattr(event, "widget", None) is self._top:
            self.stop()

    def _poll(self) -> None:
        if self._stopped:
            return
        self._polled = time.monotonic()
        try:
            viewable = bool(self._top.winfo_viewable())
            if viewable and not self._viewable:
                self.check_now()  # shown again: what changed meanwhile, at once
            self._viewable = viewable
            self._compare()
        except Exception:  # never let the check stop its own timer
            log.exception("change check failed")
        try:
            self._after = self.root.after(POLL_MS, self._poll)
        except tk.TclError:  # the window is gone
            pass

    def _compare(self) -> None:
        shown = self._current()
        if shown != self._last_shown:  # a new snapshot: marks read before it are stale
            self._last_shown = shown
            self._shown_at = time.monotonic()
        with self._lock:
            seen = self._seen
        if shown is None or seen is None or seen[0] < self._shown_at:
            return
        if seen[1] != shown and self._idle():
            log.info("changed outside the window: refreshing")
            self.refreshes += 1
            with self._lock:
                self._seen = None  # one refresh per change seen
            self._refresh()
