"""A ``trayapp`` command run with a counter of its file-system and database steps, killed with
SIGKILL at step K (``K`` = 0: never; the count is then written to stderr as ``steps N``).

    python -m tests.crash.child K --home DIR exchange

Steps: every file opened for writing, rename or replace, unlink, directory made, fsync
(the audit hook and a wrapped ``os.fsync``), and every SQL statement the database runs
(``sqlite3``'s trace callback: BEGIN, each INSERT, COMMIT...).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys

KILL_AT = int(sys.argv[1])
_count = 0
_busy = False


def step(what: str) -> None:
    global _count, _busy
    if _busy:
        return
    _count += 1
    if KILL_AT and _count >= KILL_AT:
        _busy = True
        os.kill(os.getpid(), signal.SIGKILL)


def _audit(event: str, args: tuple[object, ...]) -> None:
    if event == "open":
        mode, flags = args[1], args[2]
        if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR)
        ):
            step("open")
    elif event in ("os.rename", "os.remove", "os.mkdir", "os.link", "os.truncate"):
        step(event)


_real_fsync = os.fsync


def _fsync(fd: int) -> None:
    step("fsync")
    _real_fsync(fd)


def main() -> int:
    os.fsync = _fsync
    from trayapp.core.db import connection

    real_init = connection.Database.__init__

    def init(self: connection.Database, *a: object, **kw: object) -> None:
        real_init(self, *a, **kw)  # type: ignore[arg-type]
        self.conn.set_trace_callback(lambda sql: step("sql"))

    connection.Database.__init__ = init  # type: ignore[method-assign]
    sys.addaudithook(_audit)
    from trayapp.cli import main as cli_main

    try:
        return cli_main(sys.argv[2:])
    finally:
        os.write(2, f"\nsteps {_count}\n".encode())


if __name__ == "__main__":
    assert sqlite3  # the trace callback is sqlite3's
    sys.exit(main())
