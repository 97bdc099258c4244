"""Desktop notifications: one per event, never replacing one another, never blocking Tk.

``Notifier.send`` queues a notification for one daemon thread, which shows it with
desktop-notifier (D-Bus ``org.freedesktop.Notifications`` on Linux, WinRT toasts on Windows
10/11; macOS only from a signed bundle). Where that library is missing or fails, the
``fallback`` (pystray's ``icon.notify``: the Windows balloon, gtk) gets it instead; where
neither works the text is still in the window's «События» (the caller puts it there), so
nothing depends on a toast being seen. A body loses its control characters and, where the
desktop renders markup, has ``&``, ``<``, ``>`` escaped (``plain``). A notifier that says it
may not show anything (Windows: notifications turned off for the app) is a failure too: the
balloon gets it. On Windows the toasts' app ID is ``APP_ID`` (an AppUserModelID has no
spaces; desktop-notifier registers it, we name it «Мои счета», the uninstaller removes the
key). Imports no Tk and nothing of the core.
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trayapp import plain

log = logging.getLogger(__name__)

APP_NAME = "Мои счета"
CLICK_POLL_S = 0.25  # how often the idle thread lets desktop-notifier hear a click
APP_ID = "trayapp.MoiScheta"  # trayapp.nsi's AUMID: the uninstaller removes its key
AUMID_KEY = "Software\\Classes\\AppUserModelId\\" + APP_ID
LOGO = Path(__file__).resolve().parents[1] / "assets" / "logo_128.png"  # the window's logo


def desktop_notifier() -> Any:
    """desktop-notifier's notifier for this platform (raises where it cannot be had)."""
    from desktop_notifier import DesktopNotifierSync, Icon

    logo = Icon(path=LOGO)  # ours, not desktop-notifier's Python logo (issue 17, item 5)
    if sys.platform != "win32":
        return DesktopNotifierSync(app_name=APP_NAME, app_icon=logo)
    notifier = DesktopNotifierSync(app_name=APP_ID, app_icon=logo)  # registers AUMID_KEY
    try:
        import winreg

        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, AUMID_KEY) as key:
            winreg.SetValueEx(key, "DisplayName", 0, winreg.REG_SZ, APP_NAME)
    except (ImportError, OSError):  # ImportError: sys.platform faked by a test
        log.warning("the notifications' display name stays %s", APP_ID)
    return notifier


class Notifier:
    """Shows ``(title, message)`` pairs one after another in a thread of its own."""

    def __init__(self, fallback: Callable[[str, str], None] | None = None,
                 factory: Callable[[], Any] = desktop_notifier) -> None:  # fmt: skip
        self.fallback = fallback
        self.factory = factory
        self.shown = 0  # notifications handed to the OS (for the log and tests)
        self._queue: queue.Queue[tuple[str, str, Callable[[], None] | None] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="trayapp-notify", daemon=True)
        self._thread.start()

    def send(self, title: str, message: str, on_click: Callable[[], None] | None = None) -> None:
        """Queue one notification; ``on_click`` (any thread) where the desktop reports a click."""
        self._queue.put((title, message, on_click))

    def close(self) -> None:
        self._queue.put(None)

    def _loop(self) -> None:
        notifier: Any = None
        broken = False
        clickable = False  # a notification with ``on_click`` was shown: listen for clicks
        while True:
            try:
                item = self._queue.get(timeout=CLICK_POLL_S if clickable else None)
            except queue.Empty:
                _hear_clicks(notifier)
                continue
            if item is None:
                return
            title, message, on_click = item
            title = plain.line(title)
            # GNOME and KDE render a body's markup, links included; a WinRT toast and macOS
            # take plain text (the library builds the toast's XML itself)
            message = (plain.text(message) if sys.platform in ("win32", "darwin")
                       else plain.markup(message))  # fmt: skip
            if notifier is None and not broken:
                try:
                    notifier = self.factory()
                except Exception:  # not installed, or no backend on this platform
                    log.warning("no desktop notifications: desktop-notifier unavailable",
                                exc_info=True)  # fmt: skip
                    broken = True
            try:
                if notifier is None:
                    raise RuntimeError("desktop-notifier unavailable")
                if not notifier.has_authorisation():  # it would drop it without a word
                    raise RuntimeError("notifications are turned off for the app")
                if on_click is not None:
                    notifier.send(title=title, message=message, on_clicked=on_click)
                    clickable = True
                else:
                    notifier.send(title=title, message=message)
                self.shown += 1
                log.info("notification shown: %s", title)
            except Exception:
                log.warning("notification not shown by desktop-notifier", exc_info=True)
                if self.fallback is not None:
                    try:
                        self.fallback(title, message)
                        self.shown += 1
                    except Exception:
                        log.warning("notification not shown by the fallback", exc_info=True)


def _hear_clicks(notifier: Any) -> None:
    """Run desktop-notifier's own event loop a moment: its synchronous wrapper runs it only
    inside its calls, so a click on a notification (a D-Bus signal) would never be heard."""
    loop = getattr(notifier, "_loop", None)
    if loop is None or loop.is_running():
        return
    import asyncio  # here: 40 ms the tray's start need not wait for

    try:
        loop.run_until_complete(asyncio.sleep(0.02))
    except Exception:
        log.debug("notification clicks unavailable", exc_info=True)
