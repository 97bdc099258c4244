"""The question boxes (``ui/question.py``, ``question_cases.py``) in a process of their own:
run after many windows of other tests in one process (each test's root a new Tk interpreter
on one display), Tk crashed in ``focus -force`` (a segfault, seen 07.12.2026 again after the
tests of that day added in-process windows). The real program has one interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_question_cases_in_a_process_of_their_own(xdisplay: str) -> None:
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "tests/ui/question_cases.py"], cwd=ROOT, capture_output=True,
                       text=True, timeout=900, env=dict(os.environ))  # fmt: skip
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]
    assert r.stdout.split()[0] == "." * 9, r.stdout[-2000:]  # 9 cases, each passed
