"""Windows: the tray quits when the installer asks it to, through a named event.

The installer (installer/windows/trayapp.nsi) opens the event ``QUIT_EVENT`` of the user's
session, sets it, and waits until the event no longer exists: it exists as long as one process
holds it, so "gone" means every tray has ended. ``QuitListener.start`` creates the event (or
opens the one another tray of the session made), and a daemon thread waits for it and calls
``on_quit`` once; the tray passes a function that puts «Выход» on its command queue, so the
quit is the menu's own (the worker's session is abandoned as the core allows). The handle is
kept until the process ends. Elsewhere there is nothing to listen to. The kernel calls are an
injected ``EventApi`` (ctypes on Windows), so the logic is tested anywhere. No Tk, no core.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)

QUIT_EVENT = "trayapp-quit"
POLL_MS = 500


class EventApi(Protocol):
    def create(self, name: str) -> int | None:
        """A handle of the named manual-reset event (made or opened), None on failure."""

    def wait(self, handle: int, ms: int) -> bool:
        """Whether the event is set, waiting at most ``ms``."""


class QuitListener:
    def __init__(self, on_quit: Callable[[], None], api: EventApi | None = None) -> None:
        self.on_quit = on_quit
        self.api = api if api is not None else windows_api()
        self.handle: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Listen; False where there is no event to listen to (not Windows, or it failed)."""
        if self.api is None:
            return False
        self.handle = self.api.create(QUIT_EVENT)
        if self.handle is None:
            log.warning("the installer cannot ask this tray to quit: no event %s", QUIT_EVENT)
            return False
        self._thread = threading.Thread(target=self._loop, name="trayapp-quit", daemon=True)
        self._thread.start()
        return True

    def _loop(self) -> None:
        assert self.api is not None and self.handle is not None
        while not self._stop.is_set():
            if self.api.wait(self.handle, POLL_MS):
                log.info("asked to quit (the installer)")
                self.on_quit()
                return

    def stop(self) -> None:
        """Stop listening (the handle stays: the installer waits for the process to end)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2 * POLL_MS / 1000)


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    class _Kernel32:
        def __init__(self) -> None:
            k = ctypes.WinDLL("kernel32", use_last_error=True)
            self._create = k.CreateEventW
            self._create.restype = wintypes.HANDLE
            self._create.argtypes = [ctypes.c_void_p, wintypes.BOOL, wintypes.BOOL,
                                     wintypes.LPCWSTR]  # fmt: skip
            self._wait = k.WaitForSingleObject
            self._wait.restype = wintypes.DWORD
            self._wait.argtypes = [wintypes.HANDLE, wintypes.DWORD]

        def create(self, name: str) -> int | None:
            handle = self._create(None, True, False, name)  # manual reset: every tray hears
            return int(handle) if handle else None

        def wait(self, handle: int, ms: int) -> bool:
            return int(self._wait(handle, ms)) == 0  # WAIT_OBJECT_0

    def windows_api() -> EventApi | None:
        return _Kernel32()

else:

    def windows_api() -> EventApi | None:
        return None
