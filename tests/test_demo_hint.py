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


def test_the_demo_without_a_display_says_so_and_leaves_a_backup(tmp_path: Path) -> None:
    """Without a display the demo ended without a word about the window it did not show, and
    made no backup though its sessions received files and it accepted them (backup.md)."""
    import json

    home = tmp_path / "демо"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = subprocess.run([sys.executable, "-m", "trayapp", "demo", "--home", str(home)], env=env,
                       capture_output=True, text=True, timeout=240,
                       cwd=Path(__file__).parents[1])  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Окно и значок не показаны: нет графического экрана" in r.stdout
    listed = subprocess.run([sys.executable, "-m", "trayapp", "--home", str(home), "backup",
                             "list", "--json"], env=env, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    copies = json.loads(listed.stdout)
    assert len(copies) == 1 and copies[0]["registries"] >= 2
    assert f"Резервная копия: {copies[0]['file']}" in r.stdout
