"""The acceptance lock: while another process accepts on the same database (SQLite: a file
lock beside the file; PostgreSQL: an advisory lock every PC shares), an acceptance waits,
then refuses in Russian; once the holder is gone (killed, too) it goes ahead. A real second
process holds the lock, so the test does not depend on two acceptances racing by chance."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from trayapp.core.db import open_database
from trayapp.core.lock import ACCEPT_BUSY, acceptance_lock
from trayapp.errors import AcceptError

HOLDER = ("import sys, time; from trayapp.core.db import open_database;"
          "from trayapp.core.lock import acceptance_lock\n"
          "with acceptance_lock(open_database(sys.argv[1])):\n print('held', flush=True);"
          " time.sleep(60)")  # fmt: skip


def test_an_acceptance_waits_for_another_then_refuses(db_target: Path | str) -> None:
    open_database(db_target).close()  # created and migrated before the holder opens it
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_target)],
                         stdout=subprocess.PIPE, text=True)  # fmt: skip
    db = open_database(db_target)
    try:
        assert p.stdout is not None and p.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        with pytest.raises(AcceptError) as info:
            with acceptance_lock(db, wait=0.5):
                pytest.fail("two acceptances at once")
        assert time.monotonic() - t0 >= 0.5  # it waited before refusing
        assert info.value.message == ACCEPT_BUSY
    finally:
        p.kill()
        p.wait()
    entered = False
    with acceptance_lock(db, wait=10):  # the holder was killed: its lock went with it
        entered = True
    assert entered
    db.close()
