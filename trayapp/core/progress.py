"""Progress of long core work (generation, an exchange session, an acceptance, an import).

A ``Progress`` is a callable ``(step, done, total)``: ``step`` one of ``STEPS``' keys,
``done`` how many of ``total`` so far (``total`` None: not known, an import's rows). The
core calls it from whatever thread runs the work, through a ``Throttle`` (at most one report
every ``REPORT_SECONDS``, the last of a step always passed on), so that reporting costs
nothing measurable; the default ``no_progress`` does nothing. ``Latest`` keeps the last
report for another thread to read (the window reads it on its Tk tick: the worker thread
never touches a widget). ``describe`` says a report in Russian. No GUI, no I/O here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from trayapp.core.values import NBSP

REPORT_SECONDS = 0.05


class Progress(Protocol):
    def __call__(self, step: str, done: int, total: int | None) -> None: ...


def no_progress(step: str, done: int, total: int | None) -> None:
    """The default: nobody is watching."""


@dataclass(frozen=True, slots=True)
class Report:
    step: str
    done: int
    total: int | None


# step -> (what is done, unit after «из N» for one, for many); "bytes" shown in МБ
STEPS: dict[str, tuple[str, str, str]] = {
    "services": ("Услуги", "услуги", "услуг"),
    "debts": ("Задолженность", "л/с", "л/с"),
    "meters": ("Счётчики", "счётчика", "счётчиков"),
    "connect": ("Вход на сервер «Мои счета»", "", ""),  # no count: «Вход на сервер…»
    "send": ("Отправка", "файла", "файлов"),
    "upload": ("Отправка файла", "bytes", "bytes"),
    "receive": ("Получение", "файла", "файлов"),
    "download": ("Получение файла", "bytes", "bytes"),
    "check": ("Проверка реестра", "строки", "строк"),
    "write": ("Запись в базу", "строки", "строк"),
    "load": ("Загрузка данных", "строки", "строк"),
    "backup": ("Резервная копия", "bytes", "bytes"),
    "verify": ("Проверка копии", "bytes", "bytes"),
    "restore": ("Восстановление из копии", "bytes", "bytes"),
}


class Throttle:
    """A ``Progress`` passing reports on to ``progress`` at most every ``seconds``; a
    step's first report, a report with ``done == total`` and ``final()`` always pass."""

    def __init__(
        self,
        progress: Progress,
        seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.progress = progress
        self.seconds = REPORT_SECONDS if seconds is None else seconds
        self._clock = clock
        self._next = 0.0
        self._step = ""
        self._held: Report | None = None

    def __call__(self, step: str, done: int, total: int | None) -> None:
        now = self._clock()
        if done == total or step != self._step or now >= self._next:
            self._step, self._next, self._held = step, now + self.seconds, None
            self.progress(step, done, total)
        else:
            self._held = Report(step, done, total)

    def final(self) -> None:
        """Pass on the last report held back, if any (the end of a step of unknown total)."""
        held, self._held = self._held, None
        if held is not None:
            self.progress(held.step, held.done, held.total)


class Latest:
    """A ``Progress`` keeping only the last report; any thread may call or read it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._report: Report | None = None

    def __call__(self, step: str, done: int, total: int | None) -> None:
        with self._lock:
            self._report = Report(step, done, total)

    def get(self) -> Report | None:
        with self._lock:
            return self._report

    def clear(self) -> None:
        with self._lock:
            self._report = None


def number(n: int) -> str:
    """``100000`` as «100 000» (no-break spaces, as sums are written)."""
    return f"{n:,}".replace(",", NBSP)


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f}".replace(".", ",")


def describe(report: Report) -> str:
    """«Задолженность: 45 000 из 100 000 л/с», «Отправка файла: 12,5 из 50,0 МБ»,
    «Загрузка данных: 20 000 строк» (no total)."""
    what, one, many = STEPS.get(report.step, (report.step, "", ""))
    done, total = report.done, report.total
    if not one:  # a step without a count
        return f"{what}…"
    if one == "bytes":
        if total is None:
            return f"{what}: {_megabytes(done)}{NBSP}МБ"
        return f"{what}: {_megabytes(done)} из {_megabytes(total)}{NBSP}МБ"
    if total is None:
        return f"{what}: {number(done)}{NBSP}{_plural(done, one, many, nominative=True)}"
    return f"{what}: {number(done)} из {number(total)}{NBSP}{_plural(total, one, many)}"


def _plural(n: int, one: str, many: str, nominative: bool = False) -> str:
    """The unit after «из N» (genitive: «из 21 файла», «из 5 файлов»), or after a count
    alone (``nominative``: «1 строка», «3 строки», «20 000 строк»)."""
    tens, units = n % 100, n % 10
    if nominative:
        forms = _NOMINATIVE.get(many, (many, many, many))
        if units == 1 and tens != 11:
            return forms[0]
        return forms[1] if 2 <= units <= 4 and not 12 <= tens <= 14 else forms[2]
    return one if units == 1 and tens != 11 else many


_NOMINATIVE = {"строк": ("строка", "строки", "строк"), "файлов": ("файл", "файла", "файлов")}
