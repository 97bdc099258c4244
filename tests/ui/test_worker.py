"""The window's worker: full collections held back only while a job runs, whatever the job
does, and the thresholds back after it (ui/worker.py; issue 7, item 9)."""

from __future__ import annotations

import gc
import tkinter as tk
from collections.abc import Iterator

import pytest

from tests.ui.conftest import pump
from trayapp.errors import AppError
from trayapp.ui import worker as w


@pytest.fixture()
def thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*saved)


def test_held_back_while_jobs_overlap_and_back_after(thresholds: tuple[int, int, int]) -> None:
    first, second = w._full_gc_waits(), w._full_gc_waits()
    first.__enter__()
    assert gc.get_threshold() == (700, 10, w.FULL_GC_WAITS)
    second.__enter__()  # a second worker's job (a second window of the same process)
    first.__exit__(None, None, None)
    assert gc.get_threshold() == (700, 10, w.FULL_GC_WAITS)  # the other still runs
    second.__exit__(None, None, None)
    assert gc.get_threshold() == thresholds


def test_back_after_a_job_that_fails(root: tk.Tk, thresholds: tuple[int, int, int]) -> None:
    worker = w.Worker(root)
    seen: dict[str, object] = {}

    def job(fail: type[Exception]) -> None:
        seen["during"] = gc.get_threshold()
        raise fail("нет")

    try:
        for fail in (AppError, ValueError):  # a refusal, and a bug («Внутренняя ошибка»)
            seen.clear()
            worker.submit("job", lambda f=fail: job(f), lambda _v: None,  # type: ignore[misc]
                          lambda exc: seen.update(error=exc.message))  # fmt: skip
            pump(root, lambda: "error" in seen)
            assert seen["during"] == (700, 10, w.FULL_GC_WAITS)
            assert gc.get_threshold() == thresholds
    finally:
        worker.close()
