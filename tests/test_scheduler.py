"""The tray's schedule, and two sessions started at once: the schedule and the command line.

The schedule runs on a test clock. The concurrency tests are real: the emulator over HTTP
(slowed, so that a session lasts seconds), a real SQLite file, the real ``trayapp exchange``
in a subprocess beside a scheduled session in this process; the exchange lock
(core/lock.py) must make one wait or skip, and no file may be handled twice.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from trayapp import settings as st
from trayapp.app import App
from trayapp.core import lock
from trayapp.core.db import journal
from trayapp.core.demo import build_demo
from trayapp.core.exchange import SessionResult
from trayapp.core.registries import generate
from trayapp.emulator.server import Emulator
from trayapp.errors import AppError, BusyError
from trayapp.ui.backend import Backend
from trayapp.ui.scheduler import PAUSE, RESUME, Scheduler

TODAY = date(2026, 11, 20)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_schedule_turns_pause_and_interval_change() -> None:
    clock, minutes, started = Clock(), [0], []
    s = Scheduler(lambda: minutes[0], clock=clock, first_delay=60)

    def start() -> bool:
        started.append(clock.now)
        return True

    assert not s.tick(start)  # 0: off
    minutes[0] = 15
    clock.now += 10  # the interval is re-read every few seconds
    assert not s.tick(start)
    clock.now += 59
    assert not s.tick(start)
    clock.now += 2  # first turn: a minute after the schedule was seen
    assert s.tick(start) and len(started) == 1
    clock.now += 14 * 60
    assert not s.tick(start)
    clock.now += 61
    assert s.tick(start) and len(started) == 2
    assert s.menu_text() == PAUSE and s.toggle() and s.menu_text() == RESUME
    clock.now += 3600
    assert not s.tick(start)  # paused
    s.toggle()
    assert s.tick(start) and len(started) == 3  # overdue: at once on resume
    assert not s.tick(lambda: False)  # a session already running in the window: wait


def test_a_turn_that_cannot_start_is_retried_at_the_next_poll() -> None:
    clock = Clock()
    s = Scheduler(lambda: 1, clock=clock, first_delay=0)
    busy = [True]
    assert not s.tick(lambda: not busy[0])
    busy[0] = False
    assert s.tick(lambda: not busy[0])


# ---------------------------------------------------------------------------- concurrency


@dataclass
class Setup:
    home: Path
    emulator: Emulator
    outgoing: list[str] = field(default_factory=list)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    home = tmp_path / "home"
    app = App.create(home)
    info = build_demo(app.db, accounts=20, seed=1, today=TODAY)
    emulator = Emulator(tmp_path / "emu", port=0, login="demo", password="demo", org=info.inn,
                        residents=False, seed=1)  # fmt: skip
    emulator.start()
    s = app.settings
    for key, value in (("coding", "GOROD"), ("server_url", emulator.url), ("login", "demo")):
        s = st.set_value(s, key, value)
    app.save_settings(s)
    names = [generate(app.db, app.tree, kind, "GOROD", TODAY).file.name
             for kind in ("services", "debts", "meters")]  # fmt: skip
    app.close()
    emulator.service.faults.slow(0.4)  # every answer late: a session lasts seconds
    try:
        yield Setup(home, emulator, names)
    finally:
        emulator.stop()


def cli_exchange(home: Path) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("TRAYAPP_HOME", None)
    env["TRAYAPP_PASSWORD"] = "demo"
    return subprocess.Popen([sys.executable, "-m", "trayapp", "--home", str(home), "--json",
                             "exchange"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)  # fmt: skip


def lock_held(home: Path) -> Path:
    """The holder file the exchange lock writes beside the database while it is held."""
    app = App.create(home)
    db = app.settings.database_path(app.paths)
    return db.with_name(db.name + ".exchange.lock.who")


def wait_for(cond: object, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


class ScheduledRun:
    """The tray's turn: ``Scheduler.tick`` starting ``Backend.exchange`` in a worker thread."""

    def __init__(self, home: Path) -> None:
        self.backend = Backend(str(home), password="demo")
        self.result: SessionResult | None = None
        self.error: AppError | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> bool:
        def work() -> None:
            try:
                self.result = self.backend.exchange().result
            except AppError as exc:
                self.error = exc

        self.thread = threading.Thread(target=work, name="scheduled")
        self.thread.start()
        return True


def handled_once(s: Setup) -> None:
    """Every generated file uploaded exactly once and filed exactly once."""
    outbox = sorted(p.name for p in (s.emulator.data_dir / "outbox").iterdir()
                    if not p.name.startswith("."))  # fmt: skip
    assert outbox == sorted(s.outgoing)
    app = App.create(s.home)
    try:
        tree = app.tree
        assert tree.names(tree.outgoing) == []
        filed = [n for f in tree.folders for n in tree.names(f) if n in s.outgoing]
        assert sorted(filed) == sorted(s.outgoing)  # each in one folder only
        for name in s.outgoing:
            entry = journal.get_file(app.db, "out", name)
            assert entry is not None and entry.status in ("sent", "ok")
    finally:
        app.close()


def test_command_line_waits_for_the_scheduled_session(setup: Setup) -> None:
    clock = Clock()
    turn = ScheduledRun(setup.home)
    schedule = Scheduler(lambda: 5, clock=clock, first_delay=0)
    assert schedule.tick(turn.start)  # due at once (first_delay 0)
    wait_for(lock_held(setup.home).exists)  # the scheduled session holds the lock
    cli = cli_exchange(setup.home)
    out, err = cli.communicate(timeout=120)
    assert turn.thread is not None
    turn.thread.join(timeout=120)
    assert turn.error is None, turn.error
    log = (setup.home / "logs" / "trayapp-cli.log").read_text("utf-8")
    assert "another exchange session runs: waiting" in log  # it did wait
    assert turn.result is not None
    sent_by_schedule = turn.result.sent
    if cli.returncode == 0:  # it waited long enough, then found nothing left to send
        sent_by_cli = json.loads(out)["sent"]
    else:  # it gave up waiting: skipped, with who holds the lock
        assert "сеанс обмена уже идёт: его ведёт компьютер" in err, err
        sent_by_cli = 0
    assert sent_by_schedule + sent_by_cli == len(setup.outgoing) and sent_by_cli == 0
    handled_once(setup)


def test_scheduled_turn_skips_while_the_command_line_runs(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lock, "WAIT", 0.5)  # the tray's patience, shortened for the test
    cli = cli_exchange(setup.home)
    wait_for(lock_held(setup.home).exists)  # the command line holds the lock
    clock = Clock()
    turn = ScheduledRun(setup.home)
    schedule = Scheduler(lambda: 5, clock=clock, first_delay=0)
    assert schedule.tick(turn.start)
    assert turn.thread is not None
    turn.thread.join(timeout=60)
    assert isinstance(turn.error, BusyError), turn.error
    assert socket.gethostname() in turn.error.message  # says who holds it
    out, err = cli.communicate(timeout=120)
    assert cli.returncode == 0, err
    assert json.loads(out)["sent"] == len(setup.outgoing)
    clock.now += 5 * 60  # the next turn runs, and finds nothing left to send
    assert schedule.tick(turn.start)
    assert turn.thread is not None
    turn.thread.join(timeout=120)
    assert turn.result is not None and turn.result.sent == 0
    handled_once(setup)
