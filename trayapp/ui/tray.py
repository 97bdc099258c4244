"""``trayapp`` / ``trayapp tray``: the tray icon and the window, one instance per user.

``run_tray`` takes an OS file lock (a second start asks the running one to show its window,
says so and exits 0), builds the Tk window on the main thread and, unless
``TRAYAPP_NO_TRAY=1`` or no tray host exists, a pystray icon whose loop runs in a daemon
thread (never ``run_detached``: it hangs on xorg). On xorg the icon is ``DockedIcon``
(xorg_icon.py: docks once and keeps its size); an icon not docked ``DOCK_WAIT_S`` after start
opens the window, so the screen is never left empty. The icon's callbacks only put a command on
a queue that the Tk thread drains with ``root.after``. Left click (the default action) runs
an exchange; the menu has «Обмен сейчас», «Открыть окно», «Открыть каталог обмена»,
«Выход». The icon shows the state (idle, exchanging, attention, error, offline) and the last
session's counts «↑N ↓M»; its tooltip the last exchange; every notice of the window (a rejected registry, a broken one, registries waiting,
a session that could not finish) is one desktop notification (notify.py; pystray's own as a
fallback) and is always in the window's «События» too. Without a tray the window is an ordinary one: closing it
quits. pystray is imported here only, lazily (it fails at import time without a display).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import queue
import threading
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path
from typing import Any

import filelock

from trayapp import console
from trayapp.errors import AppError
from trayapp.paths import AppPaths
from trayapp.ui import assoc_tray, tray_process
from trayapp.ui import icon as icons
from trayapp.ui.desktop import allow_foreground, prepare_dpi
from trayapp.ui.notify import APP_NAME, Notifier
from trayapp.ui.scheduler import Scheduler
from trayapp.ui.tclpath import ascii_library_paths
from trayapp.ui.ui_state import UiState
from trayapp.ui.winquit import QuitListener
from trayapp.ui.winsys import small_icon_px

log = logging.getLogger(__name__)

NO_TRAY_ENV = "TRAYAPP_NO_TRAY"
ASCII_NAME = "trayapp"
ASCII_TITLE = "Moi scheta - trayapp"
POLL_MS = 100
DOCK_WAIT_S = 5.0  # an icon not docked by then: the window opens (the icon keeps trying)
MIN_ICON_PX = 16
STOP_WAIT_S = 3.0  # «Выход»: how long the icon's loop may take to remove the icon
ALREADY_RUNNING = "«Мои счета» уже запущены: окно работающей программы выведено на передний план."


class Tray:
    """The pystray icon; every method but the callbacks runs on the Tk thread."""

    def __init__(self, commands: queue.Queue[str]) -> None:
        self.commands = commands
        self.icon: Any = None
        self.backend = ""
        self.has_menu = False
        self.has_notify = False
        self._thread: threading.Thread | None = None
        self.started_at = 0.0
        self.schedule: Scheduler | None = None  # «Приостановить»/«Возобновить» (scheduler.py)
        self.menu_rows: Callable[[], list[tuple[int, str]]] | None = None  # the associations
        self.icon_px: Callable[[], int] = small_icon_px  # the size the tray shows (winsys.py)

    def start(self) -> bool:
        """Show the icon; False (and nothing shown) where there is no tray to dock in."""
        if os.environ.get(NO_TRAY_ENV) == "1":
            log.info("tray disabled by %s", NO_TRAY_ENV)
            return False
        if tray_process.wanted():  # macOS: pystray needs the main thread, Tk has it
            proc = tray_process.TrayProcess(self.commands.put, self._pause_text)
            if not proc.start():
                return False
            self.icon, self.backend, self.has_menu = proc, "process", True
            self.started_at = time.monotonic()
            return True
        try:
            import pystray
        except Exception as exc:  # Xlib raises DisplayNameError, not ImportError
            log.warning("no tray: pystray unavailable (%s: %s)", type(exc).__name__, exc)
            return False
        self.backend = pystray.Icon.__module__.rsplit(".", 1)[-1].lstrip("_")
        if self.backend == "dummy":
            return False
        if self.backend == "xorg" and not _xorg_tray_host():
            log.warning("no tray: no system tray host on this X display")
            return False
        menu = self._menu(pystray)
        xorg = self.backend == "xorg"
        if xorg:  # docks once, hears clicks, never blocks the Tk thread (xorg_icon.py)
            from trayapp.ui.xorg_icon import DockedIcon

            self.icon = DockedIcon(ASCII_NAME, icons.tray_image(icons.IDLE), ASCII_TITLE, menu)
        else:
            self.icon = pystray.Icon(ASCII_NAME, icons.tray_image(icons.IDLE), "Мои счета", menu)
        self.has_menu = bool(getattr(self.icon, "HAS_MENU", False))
        self.has_notify = bool(getattr(self.icon, "HAS_NOTIFICATION", False))
        self.started_at = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="trayapp-tray", daemon=True)
        self._thread.start()
        return True

    def _menu(self, pystray: Any) -> Any:
        """One submenu per association («Обмен», «Открыть окно», «Открыть каталог обмена»),
        then «Обмен во всех» (the click), «Добавить ТСЖ…», the schedule's pause, «Выход»;
        rebuilt from ``menu_rows`` each time it opens (states and the list change)."""
        item, menu = pystray.MenuItem, pystray.Menu
        rows = self.menu_rows or (lambda: [])

        def items() -> Any:
            for i, text in rows():
                yield item(text, menu(item("Обмен", self._on(f"exchange:{i}")),
                                      item("Открыть окно", self._on(f"show:{i}")),
                                      item("Открыть каталог обмена", self._on(f"folder:{i}"))))  # fmt: skip
            yield menu.SEPARATOR
            yield item("Обмен во всех", self._on("exchange"), default=True)
            yield item("Добавить ТСЖ…", self._on("add"))
            if self.schedule is not None:
                yield item(self.schedule.menu_text, self._on("pause"))
            yield menu.SEPARATOR
            yield item("Выход", self._on("quit"))

        return menu(items)

    def _on(self, command: str) -> Any:
        def callback(_icon: Any = None, _item: Any = None) -> None:
            if command == "exchange" and not self.has_menu:
                self.commands.put("show")  # no menu (xorg): a click also opens the window
            self.commands.put(command)

        return callback

    def _run(self) -> None:
        def setup(icon: Any) -> None:
            if hasattr(icon, "dock_state"):
                return  # DockedIcon shows itself from its own loop's thread
            try:
                icon.visible = True
            except Exception:  # in pystray's setup thread: nobody else would see it
                log.exception("the tray icon could not be shown")
                self.commands.put("no-tray")

        try:
            self.icon.run(setup=setup)
        except Exception:  # gtk raises when the notification service is broken
            log.exception("the tray icon stopped")
            self.commands.put("no-tray")

    def _pause_text(self) -> str:
        return self.schedule.menu_text() if self.schedule is not None else ""

    def update(self, state: UiState) -> None:
        if self.icon is None:
            return
        if isinstance(self.icon, tray_process.TrayProcess):
            self.icon.send({"state": state.state, "sent": state.sent, "received": state.received,
                            "tooltip": state.tooltip, "pause": self._pause_text()})  # fmt: skip
            return
        try:
            if hasattr(self.icon, "set_image"):  # xorg: drawn at the docked size, crisp
                self.icon.set_image(lambda px: icons.tray_image(state.state, state.sent,
                                                                state.received, px))  # fmt: skip
            else:  # Windows: drawn at the small icon's size, so the badge is not shrunk
                self.icon.icon = icons.tray_image(state.state, state.sent, state.received,
                                                  self.icon_px())  # fmt: skip
            if self.backend != "xorg":  # python-xlib writes WM_NAME as Latin-1
                self.icon.title = state.tooltip[:127]
        except Exception:
            log.exception("tray update failed")

    def notify_fallback(self, title: str, message: str) -> None:
        """pystray's own notification (Windows balloon, gtk), where desktop-notifier fails."""
        if self.icon is None or not self.has_notify:
            raise RuntimeError("the tray icon cannot show notifications")
        self.icon.notify(message[:250], title)

    def docked(self) -> bool | None:
        """Whether the icon sits in the tray at a usable size; None where nobody can tell."""
        if self.icon is None:
            return False
        if not hasattr(self.icon, "dock_state"):
            return None
        ok, width, height = self.icon.dock_state()
        return bool(ok and min(width, height) >= MIN_ICON_PX)

    def stop(self) -> None:
        """Remove the icon and wait for its loop to end: a process that exits first leaves a
        dead icon in the Windows tray until the mouse passes over it."""
        if self.icon is not None:
            try:
                self.icon.stop()
            except Exception:
                log.exception("tray stop failed")
            self.icon = None
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=STOP_WAIT_S)
            if thread.is_alive():
                log.warning("tray: the icon's loop did not end in %.0f s", STOP_WAIT_S)


def _xorg_tray_host() -> bool:
    """Whether some window owns the system tray selection of the default screen."""
    try:
        X = importlib.import_module("Xlib.X")  # python-xlib: a pystray dependency on Linux
        d = importlib.import_module("Xlib.display").Display()
        try:
            atom = d.intern_atom(f"_NET_SYSTEM_TRAY_S{d.get_default_screen()}")
            return bool(d.get_selection_owner(atom) != X.NONE)
        finally:
            d.close()
    except Exception:
        log.exception("cannot ask X for a tray host")
        return False


def make_on_state(tray: Tray, notifier: Notifier) -> Callable[[UiState], None]:
    """What the window calls at each change: the icon and tooltip, one notification a notice."""

    def on_state(state: UiState) -> None:
        tray.update(state)
        for text in state.notices:
            notifier.send(APP_NAME, text)

    return on_state


# ---------------------------------------------------------------------------- entry


def run_tray(home: str | None, password: str | None = None, minimized: bool = False,
             show: str | None = None) -> int:
    """Run the tray icon and the window until «Выход» (or the window closes without a tray).

    ``password`` stands for the keyring's (the demo knows the emulator's); ``minimized`` (the
    autostart entry's ``--minimized``) starts with the icon alone, else the window shows as
    it does for a start from the Start menu or a launcher. Returns the exit
    code: 0 done (also when another instance was asked to show itself), 1 when it could
    not start (no display, a broken settings file: a Russian message says why).
    """
    paths = AppPaths.resolve(home)
    try:
        paths.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        console.err(f"Каталог данных {paths.data_dir} недоступен: {exc.strerror}")
        return 1
    lock = filelock.FileLock(str(paths.lock_file), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        _ask_to_show(paths)
        console.err(assoc_tray.already_running(assoc_tray.associations_of(home)))
        return 0
    try:
        return _run(home, paths, password, minimized, show)
    finally:
        lock.release()


def _show_request_file(paths: AppPaths) -> Path:
    return paths.data_dir / "trayapp.show"


def _pid_file(paths: AppPaths) -> Path:
    return paths.data_dir / "trayapp.pid"


def _ask_to_show(paths: AppPaths) -> None:
    try:
        allow_foreground(int(_pid_file(paths).read_text(encoding="ascii").strip() or 0))
    except (OSError, ValueError):
        pass
    try:
        _show_request_file(paths).write_text(repr(time.time()), encoding="ascii")
    except OSError as exc:
        log.warning("cannot ask the running instance to show itself: %s", exc)


def _run(home: str | None, paths: AppPaths, password: str | None, minimized: bool,
         show: str | None = None) -> int:
    from trayapp.app import App, setup_logging, use_system_certificates
    from trayapp.ui.common import Dialogs, log_tk_errors

    prepare_dpi()  # before the first tk.Tk(): sharp at 150 % on Windows
    ascii_library_paths()  # and Tcl's init.tcl found under a Cyrillic user name (tclpath.py)
    try:
        _pid_file(paths).write_text(str(os.getpid()), encoding="ascii")
    except OSError:
        log.warning("cannot write the pid file", exc_info=True)
    try:
        root = tk.Tk(className="trayapp")
    except tk.TclError as exc:
        log.info("no display: %s", exc)
        console.err(
            "Нет графического экрана (окно открыть негде): используйте команды, см. trayapp --help"
        )
        return 1
    log_tk_errors(root)  # a windowed build has no stderr for Tk to print them to
    try:
        app = App.create(home)
        setup_logging(app.paths, app.settings.verbose, kind="tray")
    except AppError as exc:
        root.withdraw()
        Dialogs(root).error(exc.title, exc.message)
        root.destroy()
        console.err(f"{exc.title}: {exc.message}")
        return 1
    items = assoc_tray.associations_of(home)  # no --home: every association of the list
    commands: queue.Queue[str] = queue.Queue()
    tray = Tray(commands)
    pause = tray.schedule = Scheduler(lambda: 0)  # the menu's pause: every association's
    if minimized:
        root.withdraw()  # at login: no window flashing up while it is built
    tray_on = tray.start()  # before the window is built: the icon shows as soon as it can
    system_certs = use_system_certificates()  # after the icon: it imports requests (0.1 s)
    notifier = Notifier(fallback=tray.notify_fallback)
    desk = assoc_tray.make_desk(root, items, password, tray, notifier, lambda: quit_app())
    desk.show(max(0, next((i for i, a in enumerate(items) if a.name == show), 0)))
    window = desk.window  # the first shown; its first start opens it in settings mode
    log.info("started: tray %s (%s), HTTPS checked against %s", "on" if tray_on else "off",
             tray.backend or "none", "the system's certificates" if system_certs else "certifi")
    # the installer asks a running tray to quit (Windows: a named event, winquit.py)
    quit_listener = QuitListener(lambda: commands.put("quit"))
    quit_listener.start()
    show_file = _show_request_file(paths)
    seen = [_mtime(show_file)]

    def quit_app() -> None:
        if desk.busy():
            log.info("quitting while an exchange runs: the next session finishes its job")
        quit_listener.stop()
        tray.stop()
        notifier.close()
        desk.close()
        try:
            root.destroy()
        except tk.TclError:  # already gone
            pass

    def hide_or_quit() -> None:
        if tray.icon is not None:
            root.withdraw()
        else:
            quit_app()

    dock_checked = [not tray_on]

    def check_dock() -> None:
        """Once, DOCK_WAIT_S after start: an icon nobody can see must not hide the window."""
        if dock_checked[0] or time.monotonic() - tray.started_at < DOCK_WAIT_S:
            return
        dock_checked[0] = True
        docked = tray.docked()
        log.info("tray: icon docked after %.0f s: %s", DOCK_WAIT_S, docked)
        if docked is False:
            log.warning("tray: the icon did not dock: the window opens")
            desk.window.show()

    def poll() -> None:
        nonlocal tray_on
        check_dock()
        while True:
            try:
                command = commands.get_nowait()
            except queue.Empty:
                break
            if command == "exchange" and not tray.has_menu and tray.icon is not None:
                desk.exchange_all()  # no menu (xorg): a click exchanges in all, shows the window
            elif assoc_tray.handle(desk, command):
                pass
            elif command == "no-tray":
                tray.icon, tray_on = None, False
                desk.window.show()
            elif command == "pause":
                desk.set_paused(pause.toggle())
                with contextlib.suppress(Exception):
                    tray.icon.update_menu()
            elif command == "quit":
                quit_app()
                return
        desk.tick()  # results, each association's schedule, the next session of a round
        mtime = _mtime(show_file)
        if mtime != seen[0]:
            seen[0] = mtime
            log.info("show requested by a second start")
            desk.window.show()
        root.after(POLL_MS, poll)

    window.on_quit = quit_app
    root.protocol("WM_DELETE_WINDOW", hide_or_quit)
    if tray_on and minimized and not window.first_start:
        root.withdraw()  # at login: only the icon
    elif minimized and not window.first_start:
        root.deiconify()
        root.iconify()  # --minimized (autostart) without a tray: at least out of the way
    else:
        root.deiconify()
    root.after(POLL_MS, poll)
    try:
        root.mainloop()
    except KeyboardInterrupt:
        quit_app()
    return 0


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
