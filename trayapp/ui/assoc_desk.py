"""One tray, one window, several associations (spec/associations.md «Shown by name»).

``Desk`` holds an ``Entry`` per association of the list: its ``Backend``, its schedule and,
once it was shown, its ``MainWindow`` (built on first show, then hidden and shown again by
the switcher at the top: what is on screen is always one association's alone). A round of
sessions (a click on the icon, «Обмен во всех», each association's schedule) runs them one
after another, never two at once: through the association's window where it has one, else
in a thread of its own. The icon gets the worst state of them, the badge the files sent and
received by each one's last session together, the tooltip one line per association; every
notification begins with the association's name. Tk thread only, except ``_headless``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import tkinter as tk
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trayapp.associations import Association
from trayapp.core.events import NOTIFIED
from trayapp.errors import AppError, PasswordError, ServerError
from trayapp.ui import icon
from trayapp.ui.assoc_switcher import STATE_WORDS, Switcher
from trayapp.ui.common import status_text
from trayapp.ui.scheduler import Scheduler, settings_minutes

log = logging.getLogger(__name__)

APP_TITLE = "Мои счета"
RANK = {icon.IDLE: 0, icon.ATTENTION: 1, icon.OFFLINE: 2, icon.ERROR: 3, icon.EXCHANGING: 4}


@dataclass
class Entry:
    assoc: Association
    backend: Any
    schedule: Scheduler
    window: Any = None
    slaves: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)
    schedule_button: Any = None
    pane: Any = None  # its window's list of associations in «Настройки»
    state: str = icon.IDLE
    sent: int | None = None
    received: int | None = None
    status: dict[str, Any] = field(default_factory=dict)
    inn: str = ""
    running: bool = False  # a session of this association runs now (window or thread)
    failure: str | None = None  # the last failure notified (once, not at every retry)

    @property
    def name(self) -> str:
        return self.assoc.name


def title_of(name: str, inn: str) -> str:
    """«ТСЖ «Берёзка» (ИНН 5405001114) — Мои счета»."""
    return f"{name} (ИНН {inn}) — {APP_TITLE}" if inn else f"{name} — {APP_TITLE}"


def state_of(status: dict[str, Any], offline: bool = False, failed: bool = False) -> str:
    """An association's icon state from its status (as the window's ``worst_state``)."""
    if offline:
        return icon.OFFLINE
    if failed or status.get("ok") is False:
        return icon.ERROR
    rejected = int(status.get("answers_error") or 0) + int(status.get("broken") or 0)
    return icon.ATTENTION if rejected or int(status.get("pending") or 0) else icon.IDLE


def _light_status(home: str | None) -> tuple[dict[str, Any], str]:
    """The status and ИНН of an association whose window was not built (a thread)."""
    from trayapp.app import App
    from trayapp.core import exchange

    app = App.create(home)
    try:
        return dict(exchange.status(app.db, app.tree)), app.org_inn() or ""
    finally:
        app.close()


@dataclass(frozen=True, slots=True)
class _Status:
    """A start-up status, passed through ``results`` like a session's outcome."""

    status: dict[str, Any]
    inn: str


class Desk:
    """The associations of the tray, on the Tk thread."""

    def __init__(self, root: tk.Tk, items: list[Association], make_backend: Callable[[str | None], Any],
                 make_window: Callable[[Any, Callable[[Any], None]], Any],
                 notify: Callable[[str, str, Callable[[], None] | None], None],
                 on_change: Callable[[], None]) -> None:  # fmt: skip
        self.root = root
        self.make_backend = make_backend
        self.make_window = make_window
        self.notify = notify
        self.on_change = on_change
        self.entries = [self._entry(a) for a in items]
        self.current = -1
        self.round: deque[int] = deque()
        self.round_running: int | None = None
        self.results: queue.Queue[tuple[Entry, Any, AppError | None]] = queue.Queue()
        self.clicks: queue.Queue[int] = queue.Queue()  # notifications clicked (any thread)
        self.paused = False
        self.switcher = Switcher(root, self.show)
        self.switcher.pack(side="top", fill="x")
        self._closing = False
        threading.Thread(target=self._statuses, args=(list(self.entries),),
                         name="trayapp-assoc-status", daemon=True).start()  # fmt: skip

    def _entry(self, a: Association) -> Entry:
        home = a.home_arg
        return Entry(a, self.make_backend(home), Scheduler(settings_minutes(home)))

    # ------------------------------------------------------------------ showing

    @property
    def window(self) -> Any:
        return self.entries[self.current].window if self.current >= 0 else None

    def show(self, index: int) -> None:
        """Show association ``index`` in the window (built on its first show)."""
        index = max(0, min(index, len(self.entries) - 1))
        if index != self.current and self.current >= 0:
            for w, _info in self.entries[self.current].slaves:
                w.pack_forget()
        e = self.entries[index]
        self.current = index
        if e.window is None:
            before = set(self.root.pack_slaves())
            e.window = self.make_window(e, self._state_hook(e))
            e.slaves = [(w, dict(w.pack_info())) for w in self.root.pack_slaves()
                        if w not in before]  # fmt: skip
        else:
            for w, info in e.slaves:
                info = {k: v for k, v in info.items() if k != "in"}
                w.pack(**info)
            e.window.refresh()
        log.info("association shown: %s", e.name)
        self._changed()

    def _state_hook(self, e: Entry) -> Callable[[Any], None]:
        def hook(s: Any) -> None:
            self._window_state(e, s)

        return hook

    def index_of(self, name: str) -> int:
        return next(i for i, e in enumerate(self.entries) if e.name == name)

    def _window_state(self, e: Entry, s: Any) -> None:
        """A window's state (its ``on_state``): the entry's, the icon's, the notices."""
        e.state, e.sent, e.received = s.state, s.sent, s.received
        e.running = s.state == icon.EXCHANGING
        snap = e.window.snapshot if e.window is not None else None
        if snap is not None:
            e.status = dict(snap.status)
        try:
            e.inn = e.backend.org_inn() or ""
        except Exception:
            log.debug("no ИНН for the title", exc_info=True)
        for text in s.notices:
            self._notify(e, text)
        self._changed()

    def _notify(self, e: Entry, text: str) -> None:
        index = self.entries.index(e)

        def clicked() -> None:  # in the notifier's thread: the Tk thread's tick opens it
            self.clicks.put(index)

        self.notify(e.name, text, clicked)

    def _open(self, index: int) -> None:
        self.show(index)
        if self.window is not None:
            self.window.show()

    def _changed(self) -> None:
        if self._closing:
            return
        names = [e.name for e in self.entries]
        self.switcher.set(names, [e.state for e in self.entries], max(self.current, 0))
        if self.current >= 0:
            e = self.entries[self.current]
            self.root.title(title_of(e.name, e.inn))
        self.on_change()

    # ------------------------------------------------------------------ what the tray shows

    def state(self) -> str:
        if any(e.running for e in self.entries):
            return icon.EXCHANGING
        return max((e.state for e in self.entries), key=lambda s: RANK.get(s, 0),
                   default=icon.IDLE)  # fmt: skip

    def counts(self) -> tuple[int | None, int | None]:
        """The files sent and received by the last session of each, together."""
        done = [e for e in self.entries if e.sent is not None]
        if not done:
            return None, None
        return sum(e.sent or 0 for e in done), sum(e.received or 0 for e in done)

    def tooltip(self) -> str:
        lines = []
        for e in self.entries:
            head = "идёт обмен" if e.running else status_text(e.status)
            lines.append(f"{e.name}: {head}")
        return "\n".join(lines)

    def menu_rows(self) -> list[tuple[int, str]]:
        """(index, «name — state») for the tray's menu."""
        return [(i, f"{e.name} — {STATE_WORDS.get(e.state, e.state)}")
                for i, e in enumerate(self.entries)]  # fmt: skip

    # ------------------------------------------------------------------ sessions

    def exchange_all(self) -> bool:
        """A round: a session for each association in turn; False when one runs already."""
        self._settle()
        if self.round or self.round_running is not None:
            log.info("a round of sessions runs already: the click is ignored")
            return False
        self.round.extend(range(len(self.entries)))
        self.tick()
        return True

    def exchange_one(self, index: int) -> None:
        if index not in self.round and self.round_running != index:
            self.round.append(index)
        self.tick()

    def tick(self) -> None:
        """Called on every poll of the Tk loop: results, schedules, the next of the round."""
        while True:
            try:
                e, outcome, error = self.results.get_nowait()
            except queue.Empty:
                break
            self._headless_done(e, outcome, error)
        while not self.clicks.empty():
            index = self.clicks.get_nowait()
            if index < len(self.entries):
                self._open(index)
        for i, e in enumerate(self.entries):
            if not self.paused and e.schedule.due():
                e.schedule.started()
                self.exchange_one(i)
            if e.schedule_button is not None:
                e.schedule_button.refresh()
        if self._settle() and self.round:
            self._start(self.round.popleft())

    def _settle(self) -> bool:
        """Whether no session of a round runs now (the one that ran has ended)."""
        running = self.round_running
        if running is not None:
            e = self.entries[running]
            if e.window.worker.busy("exchange") if e.window is not None else e.running:
                return False
            self.round_running = None
        return True

    def _start(self, index: int) -> None:
        e = self.entries[index]
        self.round_running = index
        if e.window is not None:
            if not e.window.exchange(from_tray=True):
                self.round_running = None  # a click just after the last session: the same one
            return
        e.running = True
        self._changed()
        threading.Thread(target=self._headless, args=(e,), name="trayapp-assoc-session",
                         daemon=True).start()  # fmt: skip

    def _headless(self, e: Entry) -> None:
        try:
            self.results.put((e, e.backend.exchange(), None))
        except AppError as exc:
            self.results.put((e, None, exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the round
            log.exception("session of %s crashed", e.name)
            self.results.put((e, None, AppError(f"внутренняя ошибка: {type(exc).__name__}")))

    def _headless_done(self, e: Entry, outcome: Any, error: AppError | None) -> None:
        if isinstance(outcome, _Status):  # a start-up status
            if e.window is None:  # a window shows its own
                e.status, e.inn = outcome.status, outcome.inn
                e.state = state_of(e.status)
                self._changed()
            return
        e.running = False
        if error is None:
            r, snap = outcome.result, outcome.snapshot
            e.status = dict(snap.status)
            e.sent, e.received = r.sent, r.received
            e.state = state_of(e.status)
            e.failure = None
            for _at, level, text in snap.unseen:
                if level in NOTIFIED:
                    self._notify(e, text)
        elif isinstance(error, PasswordError):  # the window asks for it
            self.round_running = self.entries.index(e)
            self._open(self.round_running)
            if self.window is not None and not self.window.exchange(from_tray=True):
                self.round_running = None
        else:
            e.state = state_of(e.status, offline=isinstance(error, ServerError), failed=True)
            text = f"Обмен не завершён: {error.message}"
            if text != e.failure:
                e.failure = text
                self._notify(e, text)
        self._changed()

    def _statuses(self, entries: list[Entry]) -> None:
        """At start: the status of each association (a thread; the tooltip and the switcher's
        colours show them as they come)."""
        for e in entries:
            if self._closing:
                return
            try:
                status, inn = _light_status(e.assoc.home_arg)
            except Exception:
                log.warning("status of %s unavailable", e.name, exc_info=True)
                continue
            self.results.put((e, _Status(status, inn), None))

    # ------------------------------------------------------------------ the list

    def add(self, a: Association) -> int:
        self.entries.append(self._entry(a))
        self._changed()
        return len(self.entries) - 1

    def remove(self, index: int) -> None:
        e = self.entries[index]
        if e.window is not None:
            e.window.close()
            for w, _ in e.slaves:
                w.destroy()
        del self.entries[index]
        self.round.clear()
        self.current = -1
        self.show(0)

    def set_paused(self, paused: bool) -> None:
        """The tray's «Приостановить»/«Возобновить»: every association's schedule."""
        self.paused = paused
        for e in self.entries:
            e.schedule.paused = paused

    def busy(self) -> bool:
        return any(e.running for e in self.entries) or self.round_running is not None

    def close(self) -> None:
        """Stop every window's worker and timers and take their frames down (a hidden window's
        timers would otherwise go on firing into the root)."""
        self._closing = True
        for e in self.entries:
            if e.window is not None:
                e.window.close()
                for w, _info in e.slaves:
                    with contextlib.suppress(tk.TclError):
                        w.destroy()
                e.window = None
        with contextlib.suppress(tk.TclError):
            self.switcher.destroy()
