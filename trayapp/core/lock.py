"""The exchange lock: one exchange session at a time, whichever PC or window starts it.

``exchange_lock(db)`` is a context manager. With PostgreSQL it is an advisory lock in the
database itself (every PC of the company shares it), its holder (host name, since when)
kept beside it, so that a refusal says who runs the session, and a second session waits up
to ``wait`` seconds for it; with SQLite it is a file lock beside the database file, refused
at once. Then it raises
``ExchangeError`` (the CLI exits 1, the tray tries again at its next turn). No SQL here
(``db.postgres``), no GUI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import filelock

from trayapp.core.db import Database
from trayapp.errors import ExchangeError

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
