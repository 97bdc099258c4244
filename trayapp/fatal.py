"""A start that fails is never silent, also in the windowed build (no console).

``run(main)`` is what ``python -m trayapp`` and the frozen programs run: it sets up the log
first (the folder of ``--home`` or the default one, the kind of process the command is), runs
the command line, and when a windowed process (no stderr: PyInstaller ``--windowed``,
``pythonw``) ends with a non-zero code, starting the tray or with a bad argument, shows what
it would have printed (the argument, no display, an unusable data folder, an internal error)
in a message box naming the log file (a failed command, such as a scheduled exchange, only
logs it):
``MessageBoxW`` on Windows, the log alone elsewhere. Imports the standard library, console,
paths and app's logging set-up only.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from trayapp import console

log = logging.getLogger(__name__)

TITLE = "Мои счета: программа не запустилась"
Shower = Callable[[str, str], None]


def command_of(argv: Sequence[str]) -> tuple[str | None, str]:
    """(--home, the command) read from ``argv`` without the parser (it may be what fails)."""
    home: str | None = None
    command = ""
    it = iter(argv)
    for arg in it:
        if arg == "--home":
            home = next(it, None)
        elif arg.startswith("--home="):
            home = arg.split("=", 1)[1]
        elif not arg.startswith("-") and not command:
            command = arg
    return home, command or "tray"


def early_log(argv: Sequence[str]) -> Path | None:
    """The log of this process, set up before anything else may fail; its path or None."""
    from trayapp.app import setup_logging
    from trayapp.paths import AppPaths

    home, command = command_of(argv)
    if command == "demo":  # it refuses a home it did not make: the log folder would be one
        return None
    kind = "tray" if command == "tray" else "cli"
    try:
        paths = AppPaths.resolve(home)
        setup_logging(paths, False, kind)
        return paths.log_file_of(kind)
    except Exception:  # a log that cannot be had must not stop the program either
        return None


def message_box(title: str, text: str) -> None:
    if sys.platform != "win32":
        return
    import ctypes

    MB_ICONERROR, MB_SETFOREGROUND = 0x10, 0x10000  # noqa: N806
    ctypes.windll.user32.MessageBoxW(None, text, title, MB_ICONERROR | MB_SETFOREGROUND)


def report(code: int, log_file: Path | None, shower: Shower | None = None) -> bool:
    """Show a windowed process's failure; whether something was shown."""
    lost = console.lost_text("stderr")
    if code == 0 or lost is None:
        return False  # done, or a console saw the message already
    text = lost.strip() or f"Программа завершилась с кодом {code}."
    if log_file is not None:
        text += f"\n\nПодробности в журнале:\n{log_file}"
    log.error("start failed (code %s): %s", code, lost.strip())
    try:
        (shower or message_box)(TITLE, text)
    except Exception:
        log.exception("the failure could not be shown")
        return False
    return True


def run(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None = None,
        shower: Shower | None = None) -> int:  # fmt: skip
    """``main(argv)`` with the log set up first and a failure shown where nothing else would."""
    console.prepare_streams()
    args = list(sys.argv[1:] if argv is None else argv)
    log_file = early_log(args)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: a bad argument (its text went to stderr), --help
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        log.exception("unexpected error at start")
        console.err("Внутренняя ошибка при запуске")
        code = 1
    if code == 2 or command_of(args)[1] == "tray":
        # the tray's own start, or a bad argument anywhere; a command that failed (a scheduled
        # `trayapp.exe exchange`) says why in its log and its exit code, not every 30 minutes
        # in a box nobody asked for
        report(code, log_file, shower)
    return code
