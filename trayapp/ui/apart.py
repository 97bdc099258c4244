"""A long job in a process of its own, so the window's Tk loop never waits for the GIL.

Measured (``bench/bench_tk_latency.py``, issue 17's review): the acceptance of 100,000
payments held the Tk loop 55-74 ms in its worker thread, twice per run, though no Python
ran long: writing its report the job releases and takes the GIL back at every database row
(SQLite steps without it), so the waiting Tk thread, woken each time, lost the race again
(40 wake-ups in one 55 ms gap, read from its context switches); zipping its backup the job
was preempted by other programs while it held the GIL (the Tk thread slept through). No
switch interval helps either: CPython asks a holder to let go only after a whole interval
with no switch at all. In a child process the job has a GIL of its own.

``run_apart(target, args, progress)`` runs ``target(*args, report)`` in a ``spawn``ed child
(the same on Windows, where the frozen program passes the child's start to
``multiprocessing.freeze_support``); ``report(step, done, total)`` is relayed into
``progress`` as the child calls it; the value comes back pickled, an ``AppError`` as one
with its Russian title and message, anything else as «Внутренняя ошибка» with its traceback
in the log. Called from the window's worker thread, which waits on the pipe without the GIL.
The child runs below the window's priority (on a busy machine the window gets the core).
Imports no Tk.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from trayapp.core.progress import Progress
from trayapp.errors import AppError

log = logging.getLogger(__name__)

JOIN_S = 30.0
NICER = 5  # POSIX: the job's niceness above the window's
BELOW_NORMAL_PRIORITY_CLASS = 0x4000  # Windows


def run_apart(target: Callable[..., Any], args: tuple[Any, ...], progress: Progress) -> Any:
    """``target(*args, report)`` in a child process; its value, or its error raised here."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, target, args), name="trayapp-job",
                        daemon=True)  # fmt: skip
    child.start()
    send.close()  # the child's end: EOF here once the child is gone
    try:
        while True:
            try:
                message = receive.recv()  # waits without the GIL
            except EOFError:
                child.join(JOIN_S)
                raise AppError("Внутренняя ошибка: процесс задания завершился без ответа "
                               f"(код {child.exitcode}); подробности в журнале программы"
                               ) from None  # fmt: skip
            if message[0] == "progress":
                progress(*message[1:])
            elif message[0] == "done":
                return message[1]
            else:
                _kind, title, text, trace = message
                if trace:
                    log.error("the job's process failed:\n%s", trace)
                exc = AppError(text)
                exc.title = title
                raise exc
    finally:
        receive.close()
        child.join(JOIN_S)
        if child.is_alive():
            log.warning("the job's process did not end: killed")
            child.kill()


def _child(send: Connection, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    _below_the_window()

    def report(step: str, done: int, total: int | None = None) -> None:
        send.send(("progress", step, done, total))

    try:
        value = target(*args, report)
    except AppError as exc:
        send.send(("error", exc.title, exc.message, ""))
    except BaseException as exc:  # noqa: BLE001 - told to the window, traceback to its log
        send.send(("error", AppError.title, f"Внутренняя ошибка: {type(exc).__name__}: {exc}"
                   "\nподробности в журнале программы", traceback.format_exc()))  # fmt: skip
    else:
        send.send(("done", value))
    finally:
        send.close()


def _below_the_window() -> None:
    """The job yields the processor to the window: on a busy machine the Tk loop, not the
    job, gets the core first (the job takes a little longer there)."""
    try:
        if sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.WinDLL("kernel32")
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), BELOW_NORMAL_PRIORITY_CLASS)
        else:
            os.nice(NICER)
    except (OSError, AttributeError):
        log.debug("the job's priority stays", exc_info=True)


def accept(home: str | None, password: str | None, name: str, sha256: str | None,
           report: Progress) -> Any:  # fmt: skip
    """The window's acceptance (``Backend.accept``: documents, report, confirmation, the
    automatic backup), in the child."""
    from trayapp.app import App, setup_logging
    from trayapp.ui.backend import Backend

    try:  # the child's own log file beside the tray's (one writer per file)
        app = App.create(home)
        setup_logging(app.paths, app.settings.verbose, kind="job")
        app.close()
    except Exception:  # the job still runs; its errors still reach the window
        pass
    return Backend(home, password).accept(name, report, sha256)
