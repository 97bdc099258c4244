"""A background thread for the window's jobs; results come back to the Tk thread.

Tk owns the main thread and only it touches widgets. ``Worker.submit`` queues a job (an
exchange, a generation, an acceptance...) for ONE worker thread, which runs the jobs in turn
so that two never write the database at once; the outcome goes into a queue that the Tk
thread drains every few milliseconds with ``root.after`` and hands to the job's callbacks.
An ``AppError`` reaches ``on_error`` as it is; any other exception is logged with its
traceback and reaches ``on_error`` as an ``AppError`` «Внутренняя ошибка» (never a traceback
to the user). ``progress`` is the running job's ``core.progress.Latest``: the job reports
into it from this thread, the window reads it on its Tk tick. Imports tkinter only for the
type of the root.

The Tk loop must answer within 50 ms while a job runs (issue 7, item 9). Two things of
CPython's held it longer, both measured (``bench/bench_tk_latency.py``): the GIL handed
back to the Tk thread only after a switch interval of 5 ms for each of its Tcl calls (a
tick of a few calls waited 20-70 ms while the job ran Python), and full (generation 2)
garbage collections over the job's own objects (100,000 parsed payments: 25-50 ms each,
with the GIL held). So the interval is 1 ms in a process with a worker, and full
collections wait while a job runs (young ones still run; the thresholds are set back at
its end, when the job's objects are gone).
"""

from __future__ import annotations

import gc
import logging
import queue
import sys
import threading
import time
import tkinter as tk
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from trayapp.core.progress import Latest
from trayapp.errors import AppError

log = logging.getLogger(__name__)

POLL_MS = 40
SWITCH_SECONDS = 0.001  # the GIL handed over within 1 ms (CPython's default: 5 ms)
FULL_GC_WAITS = 1_000_000  # young collections before a full one while a job runs


@dataclass(frozen=True, slots=True)
class _Job:
    name: str
    fn: Callable[[], Any]
    on_done: Callable[[Any], None]
    on_error: Callable[[AppError], None]


class Worker:
    """One daemon thread running jobs in turn; callbacks run on the Tk thread."""

    def __init__(self, root: tk.Misc) -> None:
        self.root = root
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._results: queue.Queue[tuple[_Job, bool, Any]] = queue.Queue()
        self._names: list[str] = []  # queued or running, Tk thread only
        self._closed = False
        self.running: tuple[str, float] | None = None  # (job, monotonic start), worker thread
        self.progress = Latest()  # the running job's last report, read by the Tk thread
        if sys.getswitchinterval() > SWITCH_SECONDS:
            sys.setswitchinterval(SWITCH_SECONDS)
        self._thread = threading.Thread(target=self._loop, name="trayapp-worker", daemon=True)
        self._thread.start()
        self._after = root.after(POLL_MS, self._drain)

    def submit(self, name: str, fn: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[AppError], None]) -> bool:  # fmt: skip
        """Queue ``fn``; False (nothing queued) when a job of that name is already waiting."""
        if self._closed or name in self._names:
            return False
        self._names.append(name)
        self._jobs.put(_Job(name, fn, on_done, on_error))
        return True

    def busy(self, name: str | None = None) -> bool:
        return bool(self._names) if name is None else name in self._names

    def close(self) -> None:
        """Stop taking jobs; the running one finishes in its daemon thread."""
        self._closed = True
        self._jobs.put(None)
        try:
            self.root.after_cancel(self._after)
        except tk.TclError:
            pass

    # ------------------------------------------------------------------ threads

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            self.progress.clear()
            self.running = (job.name, time.monotonic())
            try:
                with _full_gc_waits():
                    value = job.fn()
            except AppError as exc:
                log.warning("%s: %s: %s", job.name, type(exc).__name__, exc.message,
                            exc_info=True)  # fmt: skip
                self._results.put((job, False, exc))
            except Exception as exc:  # the last line of defence: the traceback to the log
                log.exception("%s crashed", job.name)
                self._results.put((job, False, AppError(
                    f"Внутренняя ошибка: {type(exc).__name__}: {exc}\n"
                    "подробности в журнале программы")))  # fmt: skip
            else:
                self._results.put((job, True, value))
            finally:
                self.running = None

    def _drain(self) -> None:
        """On the Tk thread: hand finished jobs to their callbacks, then poll again."""
        while True:
            try:
                job, ok, value = self._results.get_nowait()
            except queue.Empty:
                break
            if job.name in self._names:
                self._names.remove(job.name)
            try:
                if ok:
                    job.on_done(value)
                else:
                    job.on_error(value)
            except Exception:  # a callback bug must not stop the polling
                log.exception("callback of %s failed", job.name)
        if not self._closed:
            self._after = self.root.after(POLL_MS, self._drain)


_gc_lock = threading.Lock()
_gc_jobs = 0
_gc_saved: tuple[int, int, int] | None = None


@contextmanager
def _full_gc_waits() -> Iterator[None]:
    """No full garbage collection while a job runs (in any worker); young ones go on."""
    global _gc_jobs, _gc_saved
    with _gc_lock:
        if not _gc_jobs:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(_gc_saved[0], _gc_saved[1], FULL_GC_WAITS)
        _gc_jobs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_jobs -= 1
            if not _gc_jobs and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)
