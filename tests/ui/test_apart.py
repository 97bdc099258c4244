"""``ui/apart.py``: a job in a process of its own (the window's acceptance runs there, so
the Tk loop never waits for the job's GIL). Real ``spawn``ed children: the value and the
progress come back, an ``AppError`` keeps its Russian title and message, anything else is
«Внутренняя ошибка», a child that dies says so."""

from __future__ import annotations

import os

import pytest

from trayapp.core.progress import Progress
from trayapp.errors import AppError, DatabaseError
from trayapp.ui.apart import run_apart


def counted(n: int, report: Progress) -> tuple[int, int]:
    for done in range(1, n + 1):
        report("write", done, n)
    return os.getpid(), n


def refused(report: Progress) -> None:
    raise DatabaseError("не удалось открыть базу данных Z:\\база.db")


def broken(report: Progress) -> None:
    raise ValueError("нечто")


def dies(report: Progress) -> None:
    report("write", 1, 2)
    os._exit(3)


def test_value_and_progress_come_back_from_another_process() -> None:
    seen: list[tuple[str, int, int | None]] = []
    pid, n = run_apart(counted, (3,), lambda step, done, total=None: seen.append((step, done, total)))
    assert pid != os.getpid() and n == 3
    assert seen == [("write", 1, 3), ("write", 2, 3), ("write", 3, 3)]


def test_errors_keep_their_russian_title_and_message() -> None:
    with pytest.raises(AppError) as caught:
        run_apart(refused, (), lambda *a: None)
    assert (caught.value.title, caught.value.message) == (
        "База данных", "не удалось открыть базу данных Z:\\база.db")  # fmt: skip
    with pytest.raises(AppError, match="Внутренняя ошибка: ValueError: нечто"):
        run_apart(broken, (), lambda *a: None)
    with pytest.raises(AppError, match="завершился без ответа \\(код 3\\)"):
        run_apart(dies, (), lambda *a: None)
