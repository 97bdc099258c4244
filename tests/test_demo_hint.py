"""Issue 17, item 10: the demo's closing hint names the command as it can be typed here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from trayapp.demo_run import command


def test_the_hint_names_this_python_where_trayapp_is_not_on_path(tmp_path: Path) -> None:
    home = tmp_path / "демо с пробелом"
    env = {**os.environ, "PATH": "/usr/bin:/bin"}  # no venv's bin: «trayapp» is not there
    env.pop("DISPLAY", None)
    run = subprocess.run([sys.executable, "-m", "trayapp", "demo", "--home", str(home),
                          "--no-tray"], env=env, capture_output=True, text=True, timeout=240,
                         cwd=Path(__file__).parents[1])  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    hint = next(ln for ln in run.stdout.splitlines() if ln.startswith("Команды для этих данных"))
    typed = hint.split(": ", 1)[1].split(" status")[0]
    assert typed == f'{sys.executable} -m trayapp --home "{home}"'
    # as typed, it runs
    args = [sys.executable, "-m", "trayapp", "--home", str(home), "status"]
    assert subprocess.run(args, env=env, capture_output=True, timeout=120).returncode == 0
    # where «trayapp» is on PATH (an installed program, an activated venv) it is named so
    assert command(home).endswith(f'--home "{home}"')
