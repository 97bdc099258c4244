"""A bug in a window callback must leave a trace: in a windowed build ``sys.stderr`` is None,
where Tk would print it; ``log_tk_errors`` sends it to the log (real Tk under Xvfb)."""

from __future__ import annotations

import logging
import sys
import tkinter as tk

import pytest

from trayapp.ui.common import log_tk_errors

from .conftest import pump


def test_a_callback_error_goes_to_the_log_without_stderr(
    root: tk.Tk, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys, "stderr", None)  # pythonw, PyInstaller --windowed
    log_tk_errors(root)
    done: list[bool] = []

    def broken() -> None:
        done.append(True)
        raise ZeroDivisionError("деление на ноль в окне")

    with caplog.at_level(logging.ERROR, logger="trayapp.ui.common"):
        root.after(0, broken)
        pump(root, lambda: done and caplog.records)
    (record,) = caplog.records
    assert record.exc_info is not None and record.exc_info[0] is ZeroDivisionError
    assert "деление на ноль в окне" in caplog.text and "broken" in caplog.text  # the traceback
