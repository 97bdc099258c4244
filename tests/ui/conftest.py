"""A real X server for the window tests: Xvfb when no DISPLAY is set, else the display given.

The session fixture starts ``Xvfb -displayfd`` (it picks a free display number itself),
sets ``DISPLAY`` and ``PYSTRAY_BACKEND=dummy`` for the session, and skips the module with a
clear reason where neither a display nor Xvfb exists. ``home`` is a real home folder with a
small demo association (real SQLite), ``pump`` runs the Tk loop until a condition holds.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
import tkinter as tk
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from trayapp.app import App
from trayapp.core.demo import DemoInfo, build_demo

TODAY = date(2026, 11, 20)


OWN_DISPLAY: list[str] = []  # the display number when the fixture started Xvfb itself


@pytest.fixture(scope="session")
def xdisplay() -> Iterator[str]:
    saved = {k: os.environ.get(k) for k in ("DISPLAY", "PYSTRAY_BACKEND")}
    os.environ["PYSTRAY_BACKEND"] = "dummy"
    proc: subprocess.Popen[bytes] | None = None
    if sys.platform in ("win32", "darwin"):  # these tests drive X (xdotool, xwininfo, trayer)
        pytest.skip("the window tests need an X server (Xvfb); not on " + sys.platform)
    if not os.environ.get("DISPLAY"):
        if shutil.which("Xvfb") is None:
            pytest.skip("no DISPLAY and no Xvfb (apt-get install xvfb): the window is not tested")
        # a display number of our own choosing, far from :0..:9: several test runs on one
        # machine (-displayfd alone picks the lowest free number) once raced for the same one
        number = ""
        for _ in range(5):
            r, w = os.pipe()
            wanted = random.randint(200, 899)
            proc = subprocess.Popen(
                ["Xvfb", f":{wanted}", "-displayfd", str(w), "-screen", "0", "1024x768x24",
                 "-nolisten", "tcp"],
                pass_fds=(w,),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            os.close(w)
            with os.fdopen(r) as f:
                number = f.readline().strip()
            if number:
                break
            proc.kill()
            proc.wait()
        if not number:
            pytest.skip("Xvfb did not start")
        os.environ["DISPLAY"] = f":{number}"
        OWN_DISPLAY.append(os.environ["DISPLAY"])
    try:
        yield os.environ["DISPLAY"]
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture()
def root(xdisplay: str) -> Iterator[tk.Tk]:
    r = tk.Tk()
    r.geometry("+0+0")
    try:
        yield r
    finally:
        r.destroy()


def pump(root: tk.Misc, cond: Callable[[], object], timeout: float = 20.0) -> None:
    """Run the Tk loop until ``cond()`` is true; fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        root.update()
        if cond():
            return
        time.sleep(0.005)
    raise AssertionError(f"timed out after {timeout} s waiting for {cond}")


@dataclass
class RecordingDialogs:
    """Dialogs that record instead of waiting for a click (a modal box would block)."""

    shown: list[tuple[str, str, str]] = field(default_factory=list)
    folder: str | None = None
    password: str | None = None  # what the accountant types when asked (None: «Отмена»)
    files: list[str] = field(default_factory=list)  # what ask_files answers
    save_as: str | None = None  # what ask_save answers
    saves: list[tuple[str, str, str]] = field(default_factory=list)  # its (title, name, folder)
    answers: list[bool] = field(default_factory=list)  # to confirmations, in turn (else True)
    file: str | None = None  # what ask_file answers
    answer: bool = True  # what ask_yes_no answers

    def error(self, title: str, message: str) -> None:
        self.shown.append(("error", title, message))

    def warning(self, title: str, message: str) -> None:
        self.shown.append(("warning", title, message))

    def info(self, title: str, message: str) -> None:
        self.shown.append(("info", title, message))

    def ask_password(self, title: str, prompt: str) -> str | None:
        self.shown.append(("password", title, prompt))
        return self.password

    def confirm(self, title: str, message: str) -> bool:
        self.shown.append(("confirm", title, message))
        return self.answers.pop(0) if self.answers else True

    def ask_folder(self, initial: str) -> str | None:
        return self.folder

    def ask_files(self, title: str, kinds: list[tuple[str, str]]) -> list[str]:
        return list(self.files)

    def ask_dir(self, title: str) -> str | None:
        return self.folder

    def ask_save(self, title: str, name: str, folder: str = "") -> str | None:
        self.saves.append((title, name, folder))
        return self.save_as

    def ask_yes_no(self, title: str, message: str) -> bool:
        self.shown.append(("ask", title, message))
        return self.answer

    def ask_file(self, title: str, kinds: list[tuple[str, str]]) -> str | None:
        return self.file

    def choose(self, title: str, message: str, items: list[str], footer: str
               ) -> list[bool] | None:  # fmt: skip
        """Recorded as a question: every item ticked for ``answer`` True, None for False."""
        self.shown.append(("ask", title, "\n".join([message, *items, footer])))
        return [True] * len(items) if self.answer else None


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoInfo]:
    home = tmp_path_factory.mktemp("template")
    app = App.create(home)
    info = build_demo(app.db, accounts=20, seed=1, today=TODAY)
    app.close()
    return home, info


@pytest.fixture()
def home(tmp_path: Path, demo_template: tuple[Path, DemoInfo]) -> Path:
    """A home with the demo database and no settings file (a first start)."""
    h = tmp_path / "home"
    shutil.copytree(demo_template[0], h)
    return h


@pytest.fixture()
def info(demo_template: tuple[Path, DemoInfo]) -> DemoInfo:
    return demo_template[1]
