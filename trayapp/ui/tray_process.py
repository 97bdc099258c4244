"""The tray icon in a process of its own: macOS, where pystray must own the main thread.

On macOS pystray's darwin backend runs AppKit's loop and must be on the main thread, which
Tk already owns in the window's process; and a click there has no default action. So the
window's process starts ``python -m trayapp.ui.tray_process`` and talks to it over pipes,
one JSON object a line, in ASCII (``\\u`` escapes: the child's stdin decodes a pipe in the
ANSI code page on Windows, so Cyrillic sent as UTF-8 would arrive garbled):

- to the child: ``{"state": ..., "sent": N, "received": M, "tooltip": "...", "pause":
  "Приостановить"}`` (a new image, tooltip, and the pause item's text); ``{"quit": true}``
  ends it;
- from the child: ``{"command": "exchange" | "show" | "folder" | "pause" | "quit"}``.

The child's menu has «Обмен» first (the darwin backend has no default action on click).
``TRAYAPP_TRAY_PROCESS=1`` uses this path on other systems too (so it can be tested under
Xvfb with the xorg backend). Imports pystray only in the child.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import IO, Any

log = logging.getLogger(__name__)

ENV = "TRAYAPP_TRAY_PROCESS"


def wanted() -> bool:
    return sys.platform == "darwin" or os.environ.get(ENV) == "1"


class TrayProcess:
    """The window's side: starts the child, forwards states, hands its commands on."""

    def __init__(self, on_command: Callable[[str], None],
                 pause_text: Callable[[], str] = str) -> None:  # fmt: skip
        self.on_command = on_command
        self.pause_text = pause_text
        self.proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._last: dict[str, Any] = {"state": "idle", "sent": None, "received": None,
                                      "tooltip": "Мои счета"}  # fmt: skip

    def start(self) -> bool:
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "trayapp.ui.tray_process"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True, encoding="utf-8", bufsize=1)  # fmt: skip
        except OSError:
            log.exception("cannot start the tray process")
            return False
        threading.Thread(target=self._read, name="trayapp-tray-pipe", daemon=True).start()
        return True

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                command = str(json.loads(line)["command"])
            except (ValueError, KeyError, TypeError):
                continue
            self.on_command(command)
        self.on_command("no-tray")  # the child ended: the window must not be lost

    def update_menu(self) -> None:
        """The pause item's text changed: send the last state again with it."""
        self.send({**self._last, "pause": self.pause_text()})

    def send(self, message: dict[str, Any]) -> None:
        if "state" in message:
            self._last = message
        with self._lock:
            if self.proc is None or self.proc.stdin is None or self.proc.poll() is not None:
                return
            try:
                self.proc.stdin.write(json.dumps(message) + "\n")  # ASCII: any code page reads it
                self.proc.stdin.flush()
            except OSError:
                log.warning("the tray process does not listen", exc_info=True)

    def stop(self) -> None:
        self.send({"quit": True})
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# ---------------------------------------------------------------------------- the child


def _emit(out: IO[str], command: str) -> None:
    out.write(json.dumps({"command": command}) + "\n")
    out.flush()


def child_main() -> int:
    import pystray

    from trayapp.ui import icon as icons

    out = sys.stdout
    state: dict[str, Any] = {"pause": ""}

    def on(command: str) -> Callable[..., None]:
        return lambda *_a: _emit(out, command)

    def pause_text(_item: Any) -> str:
        return str(state["pause"] or "Приостановить")

    menu = pystray.Menu(
        pystray.MenuItem("Обмен", on("exchange"), default=True),
        pystray.MenuItem("Открыть окно", on("show")),
        pystray.MenuItem("Открыть каталог обмена", on("folder")),
        pystray.MenuItem(pause_text, on("pause")),
        pystray.Menu.SEPARATOR,
        pystray.MenuItem("Выход", on("quit")),
    )
    image = icons.tray_image(icons.IDLE, size=32)
    xorg = pystray.Icon.__module__.endswith("_xorg")
    if xorg:  # Linux without gtk (the tests): the icon that docks once (xorg_icon.py)
        from trayapp.ui.xorg_icon import DockedIcon

        tray_icon: Any = DockedIcon("trayapp", image, "Moi scheta - trayapp", menu)
    else:
        tray_icon = pystray.Icon("trayapp", image, "Мои счета", menu)

    def read() -> None:
        for line in sys.stdin:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("quit"):
                break
            if "state" in msg:
                state["pause"] = msg.get("pause", "")
                st, sent, received = msg["state"], msg.get("sent"), msg.get("received")
                if xorg:
                    tray_icon.set_image(lambda px, a=st, b=sent, c=received:
                                        icons.tray_image(a, b, c, px))  # fmt: skip
                else:
                    tray_icon.icon = icons.tray_image(st, sent, received, 32)
                if sys.platform == "darwin":  # the xorg backend writes titles as Latin-1
                    tray_icon.title = str(msg.get("tooltip", ""))[:127]
                tray_icon.update_menu()
        tray_icon.stop()

    def setup(i: Any) -> None:
        if not xorg:  # DockedIcon shows itself from its own loop's thread
            i.visible = True
        threading.Thread(target=read, name="trayapp-tray-stdin", daemon=True).start()

    tray_icon.run(setup=setup)  # the main thread: AppKit's loop on macOS
    return 0


if __name__ == "__main__":
    from trayapp.private import restrict_umask

    restrict_umask()  # what this process writes (its log) is the user's alone
    raise SystemExit(child_main())
