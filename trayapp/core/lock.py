"""The exchange lock: one exchange session at a time, whichever window, schedule or PC starts it.

``exchange_lock(db)`` is a context manager over a small interface, ``SessionLock``
(``try_exchange_lock`` / ``exchange_holder`` / ``release_exchange_lock``). A database that
implements it itself (PostgreSQL: an advisory lock every PC shares) is used as it is; an
SQLite database gets ``FileSessionLock``, an OS file lock beside the database file (it holds
across processes and threads, and dies with a killed process), with its holder (host name,
process, since when) written beside it. A second session polls for up to ``wait`` seconds,
then raises ``BusyError`` naming the holder: the CLI exits 1, the tray's schedule skips that
turn and tries at the next. No SQL, no GUI.

``acceptance_lock(db)`` serialises acceptances the same way (an advisory lock of the
PostgreSQL database, or a file lock beside the SQLite file), waiting up to two minutes.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import filelock

from trayapp.errors import AcceptError, BusyError

log = logging.getLogger(__name__)

WAIT = 5.0  # seconds a second session waits for the first before it gives up
POLL = 0.2
BUSY = "сеанс обмена уже идёт (в другом окне или по расписанию)"


@runtime_checkable
class SessionLock(Protocol):
    """What a lock for exchange sessions offers (a database may implement it itself)."""

    def try_exchange_lock(self) -> bool: ...

    def exchange_holder(self) -> tuple[str, str] | None: ...  # (host name, since when)

    def release_exchange_lock(self) -> None: ...


class FileSessionLock:
    """``SessionLock`` as an OS file lock at ``path``; the holder in ``path`` + ``.who``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.who = self.path.with_name(self.path.name + ".who")
        self._lock = filelock.FileLock(str(self.path), timeout=0)

    def try_exchange_lock(self) -> bool:
        try:
            self._lock.acquire()
        except filelock.Timeout:
            return False
        holder = {"host": socket.gethostname(), "pid": os.getpid(),
                  "since": datetime.now().strftime("%d.%m.%Y %H:%M:%S")}  # fmt: skip
        try:
            self.who.write_text(json.dumps(holder, ensure_ascii=False), encoding="utf-8")
        except OSError:  # the name of the holder is a courtesy, not a condition
            log.debug("cannot write %s", self.who, exc_info=True)
        return True

    def exchange_holder(self) -> tuple[str, str] | None:
        try:
            data: Any = json.loads(self.who.read_text(encoding="utf-8"))
            return f"{data['host']} (процесс {data['pid']})", str(data["since"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def release_exchange_lock(self) -> None:
        with suppress(OSError):
            self.who.unlink()
        self._lock.release()


def session_lock_of(db: Any) -> SessionLock:
    """The database's own lock where it has one, else a file lock beside its file."""
    if isinstance(db, SessionLock):
        return db
    return FileSessionLock(str(db.path) + ".exchange.lock")


@contextmanager
def exchange_lock(db: Any, wait: float | None = None) -> Iterator[None]:
    """Hold the exchange lock of ``db`` for the ``with`` block (see the module docstring)."""
    lock = session_lock_of(db)
    total = WAIT if wait is None else wait
    deadline = time.monotonic() + total
    waited = False
    while not lock.try_exchange_lock():
        if time.monotonic() >= deadline:
            holder = lock.exchange_holder()
            who = f": его ведёт компьютер {holder[0]} с {holder[1]}" if holder else ""
            raise BusyError(f"сеанс обмена уже идёт{who}; попробуйте позже")
        if not waited:
            log.info("another exchange session runs: waiting up to %.1f s", total)
            waited = True
        time.sleep(POLL)
    try:
        yield
    finally:
        lock.release_exchange_lock()


# ---------------------------------------------------------------------------- acceptances

ACCEPT_WAIT = 120.0
ACCEPT_BUSY = "другой пользователь принимает реестр дольше двух минут; повторите позже"
_file_locks: dict[str, filelock.FileLock] = {}


@contextmanager
def acceptance_lock(db: Any, wait: float = ACCEPT_WAIT) -> Iterator[None]:
    """One acceptance (documents, confirmation, move) at a time on this database, so that a
    second accountant accepting the same registry waits for the first to finish and is then
    told it is accepted, instead of taking the first one's confirmation for a crash's. An
    advisory lock on PostgreSQL (``db.try_lock``), a file lock beside an SQLite file.
    Reentrant within one process."""
    from trayapp.core.db.postgres import ACCEPT_KEY, PgDatabase

    if isinstance(db, PgDatabase):
        if db.holds(ACCEPT_KEY):  # nested (accept runs recover)
            yield
            return
        deadline = time.monotonic() + wait
        while not db.try_lock(ACCEPT_KEY):
            if time.monotonic() >= deadline:
                raise AcceptError(ACCEPT_BUSY)
            time.sleep(0.05)
        try:
            yield
        finally:
            db.unlock(ACCEPT_KEY)
        return
    path = str(db.path) + ".accept.lock"
    lock = _file_locks.setdefault(path, filelock.FileLock(path))  # one per file: reentrant
    try:
        lock.acquire(timeout=wait)
    except filelock.Timeout as exc:
        raise AcceptError(ACCEPT_BUSY) from exc
    try:
        yield
    finally:
        lock.release()
