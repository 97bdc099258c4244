"""A failed start of the windowed program is logged and shown (issue 20, item 7): fatal.run
with no stdout/stderr, as PyInstaller's --windowed and pythonw give, and a message box
stand-in. MessageBoxW itself is called only on Windows."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from trayapp.cli import main
from trayapp.fatal import TITLE, command_of, run


@pytest.fixture()
def windowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """A process of its own as far as logging goes: the log of each test's home."""
    monkeypatch.delenv("TRAYAPP_HOME", raising=False)
    root = logging.getLogger()
    before = list(root.handlers)
    for h in before:
        if getattr(h, "_trayapp", False):
            root.removeHandler(h)
    yield monkeypatch
    for h in list(root.handlers):
        if h not in before:
            root.removeHandler(h)
            h.close()
    for h in before:
        if h not in root.handlers:
            root.addHandler(h)


def shown_for(argv: list[str], mp: pytest.MonkeyPatch | None = None
              ) -> tuple[int, list[tuple[str, str]]]:  # fmt: skip
    """Run as the windowed program: no stdout, no stderr (set here, in the test's own phase:
    pytest puts its capture back between a fixture and the test)."""
    if mp is not None:
        mp.setattr(sys, "stdout", None)
        mp.setattr(sys, "stderr", None)
    boxes: list[tuple[str, str]] = []
    code = run(main, argv, shower=lambda title, text: boxes.append((title, text)))
    return code, boxes


def test_a_bad_argument_is_shown_with_the_log(windowed: pytest.MonkeyPatch, tmp_path: Path
                                               ) -> None:  # fmt: skip
    home = tmp_path / "Бухгалтер"
    code, boxes = shown_for(["--home", str(home), "обмен"], windowed)
    assert code == 2
    [(title, text)] = boxes
    assert title == TITLE
    assert "ошибка" in text and "обмен" in text  # argparse's Russian message, not lost
    log = home / "logs" / "trayapp-cli.log"
    assert f"Подробности в журнале:\n{log}" in text
    assert "start failed (code 2)" in log.read_text(encoding="utf-8")


def test_an_unusable_data_folder_is_shown(windowed: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "файл"
    blocker.write_text("not a folder", encoding="utf-8")
    code, boxes = shown_for(["--home", str(blocker / "home"), "tray"], windowed)
    assert code == 1
    [(_, text)] = boxes
    assert "Каталог данных" in text and "недоступен" in text


def test_success_and_a_console_show_nothing(windowed: pytest.MonkeyPatch, tmp_path: Path
                                            ) -> None:  # fmt: skip
    code, boxes = shown_for(["--home", str(tmp_path / "h"), "settings", "show"], windowed)
    assert code == 0 and boxes == []
    windowed.undo()  # a console: the message was seen there
    code, boxes = shown_for(["--home", str(tmp_path / "h"), "обмен"])
    assert code == 2 and boxes == []


def test_the_command_is_read_without_the_parser() -> None:
    assert command_of([]) == (None, "tray")
    assert command_of(["--home", "D:\\ТСЖ", "exchange"]) == ("D:\\ТСЖ", "exchange")
    assert command_of(["--home=x", "--json", "settings", "show"]) == ("x", "settings")
    assert command_of(["--minimized"]) == (None, "tray")


def test_a_failed_command_of_the_scheduler_only_logs(windowed: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:  # fmt: skip
    """`trayapp.exe exchange` every 30 minutes (README, Task Scheduler): no box each time."""
    home = tmp_path / "h"
    code, boxes = shown_for(["--home", str(home), "exchange"], windowed)
    assert code == 1 and boxes == []
    assert "не загружены данные ТСЖ" in (home / "logs" / "trayapp-cli.log").read_text("utf-8")
