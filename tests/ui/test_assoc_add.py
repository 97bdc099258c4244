"""«Добавить ТСЖ…» in the window keeps the others and refuses their folder: the Tk cases of
``assoc_add_cases.py`` in a process of their own (several roots and desks in one process
once crashed a later test's Tk, see ``test_assoc_tray.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_add_cases_in_a_process_of_their_own(xdisplay: str) -> None:
    r = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
                        "tests/ui/assoc_add_cases.py"], cwd=ROOT, capture_output=True,
                       text=True, timeout=900, env=dict(os.environ))  # fmt: skip
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-3000:]
    assert "1 passed" in r.stdout, r.stdout[-2000:]
