"""The exchange lock: one exchange session at a time, whichever PC or window starts it.

``exchange_lock(db)`` is a context manager. With PostgreSQL it is an advisory lock in the
database itself (every PC of the company shares it), its holder (host name, since when)
kept beside it, so that a refusal says who runs the session, and a second session waits up
to ``wait`` seconds for it; with SQLite it is a file lock beside the database file, refused
at once. Then it raises
``ExchangeError`` (the CLI exits 1, the tray tries again at its next turn). No SQL here
(``db.postgres``), no GUI.

``acceptance_lock(db)`` serialises acceptances the same way (an advisory lock, or a file
lock beside the SQLite file), waiting up to two minutes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import filelock

from trayapp.core.db import Database
from trayapp.errors import AcceptError, ExchangeError

if TYPE_CHECKING:
    from trayapp.core.db.postgres import PgDatabase

log = logging.getLogger(__name__)

WAIT = 5.0
BUSY = "сеанс обмена уже идёт (в другом окне или по расписанию)"


@contextmanager
def exchange_lock(db: Database, wait: float = WAIT) -> Iterator[None]:
    from trayapp.core.db.postgres import PgDatabase

    if isinstance(db, PgDatabase):
        with _database_lock(db, wait):
            yield
        return
    lock = filelock.FileLock(str(db.path) + ".exchange.lock", timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise ExchangeError(BUSY) from exc
    try:
        yield
    finally:
        lock.release()


@contextmanager
def _database_lock(db: PgDatabase, wait: float) -> Iterator[None]:
    deadline = time.monotonic() + wait
    while not db.try_exchange_lock():
        if time.monotonic() >= deadline:
            holder = db.exchange_holder()
            who = f": его ведёт компьютер {holder[0]} с {holder[1]}" if holder else ""
            raise ExchangeError(f"сеанс обмена уже идёт{who}; попробуйте позже")
        time.sleep(0.2)
    try:
        yield
    finally:
        db.release_exchange_lock()


ACCEPT_WAIT = 120.0
_file_locks: dict[str, filelock.FileLock] = {}
ACCEPT_BUSY = "другой пользователь принимает реестр дольше двух минут; повторите позже"


@contextmanager
def acceptance_lock(db: Database, wait: float = ACCEPT_WAIT) -> Iterator[None]:
    """One acceptance (documents, confirmation, move) at a time on this database, so that a
    second accountant accepting the same registry waits for the first to finish and is then
    told it is accepted, instead of taking the first one's confirmation for a crash's.
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
