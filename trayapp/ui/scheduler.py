"""The tray's own exchange schedule: a session every ``schedule_minutes``, paused on request.

``Scheduler`` only decides *when*: the tray's Tk loop calls ``tick(start)`` on every poll and
``start`` runs the session in the window's worker (returning False when one already runs
there, so the turn waits for the next poll). The first turn comes ``FIRST_DELAY`` seconds
after the start (at login: soon, not a whole interval later), then one every interval from
the start of the previous one. «Приостановить»/«Возобновить» toggle it. The interval is
re-read from the settings every ``REREAD`` seconds, so a change in the window or with
``trayapp settings set schedule_minutes N`` takes effect without a restart. Two sessions
never overlap even with the command line or another PC: the exchange lock
(core/lock.py) makes the second wait, then skip with a message. No Tk, no pystray here.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

FIRST_DELAY = 60.0
REREAD = 5.0
PAUSE = "Приостановить обмен по расписанию"
RESUME = "Возобновить обмен по расписанию"


class Scheduler:
    def __init__(self, minutes: Callable[[], int], clock: Callable[[], float] = time.monotonic,
                 first_delay: float = FIRST_DELAY) -> None:  # fmt: skip
        self._minutes_of = minutes
        self.clock = clock
        self.first_delay = first_delay
        self.paused = False
        self._minutes = 0
        self._read_at = -math.inf
        self._next: float | None = None

    @property
    def minutes(self) -> int:
        now = self.clock()
        if now - self._read_at >= REREAD:
            self._read_at = now
            try:
                m = max(0, int(self._minutes_of()))
            except Exception:  # a settings file broken meanwhile: keep the last interval
                log.warning("schedule: cannot read the interval", exc_info=True)
                m = self._minutes
            if m != self._minutes:
                log.info("schedule: every %d min (was %d)", m, self._minutes)
                self._minutes = m
                self._next = None if m == 0 else now + min(self.first_delay, m * 60.0)
        return self._minutes

    @property
    def next_at(self) -> float | None:
        """The clock time of the next turn (None: no schedule)."""
        return None if self.minutes == 0 else self._next

    def due(self) -> bool:
        m = self.minutes
        return not self.paused and m > 0 and self._next is not None and self.clock() >= self._next

    def started(self) -> None:
        """A session started: the next turn one interval later."""
        self._next = self.clock() + self.minutes * 60.0

    def tick(self, start: Callable[[], bool]) -> bool:
        """Start a session when one is due; True when ``start`` said it started."""
        if not self.due():
            return False
        if not start():
            return False
        log.info("schedule: session started (every %d min)", self._minutes)
        self.started()
        return True

    def toggle(self) -> bool:
        """Pause or resume; the new ``paused``."""
        self.paused = not self.paused
        log.info("schedule: %s", "paused" if self.paused else "resumed")
        return self.paused

    def menu_text(self, _item: Any = None) -> str:
        return RESUME if self.paused else PAUSE


def settings_minutes(home: str | None) -> Callable[[], int]:
    """A reader of ``schedule_minutes`` from the settings of ``home``."""

    def read() -> int:
        from trayapp import settings
        from trayapp.paths import AppPaths

        return settings.load(AppPaths.resolve(home)).schedule_minutes

    return read


def window_starter(window: Any) -> Callable[[], bool]:
    """``start`` for ``tick``: an exchange in the window's worker, unless one runs there."""

    def start() -> bool:
        if window.worker.busy("exchange"):
            return False
        window.exchange(from_tray=True)
        return True

    return start
