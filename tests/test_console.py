"""Entry points with no console (a windowed build) and with a pipe in a narrow code page.

Each case runs the real program in a subprocess: with ``sys.stdout``/``sys.stderr`` set to
None (what a PyInstaller ``--windowed`` build or ``pythonw`` has), with the file descriptors
closed (POSIX: Python then starts with them None by itself), and with
``PYTHONIOENCODING=cp1251`` and a pipe (what a Windows pipe in the ANSI code page does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import filelock
import pytest

from trayapp.paths import AppPaths

POSIX = os.name == "posix"


def _env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e.pop("TRAYAPP_HOME", None)
    e.pop("DISPLAY", None)
    e.pop("WAYLAND_DISPLAY", None)
    e.update(extra)
    return e


def run_without_streams(code: str, result: Path, timeout: int = 120) -> int:
    """Run ``code`` (which sets ``rc``) with stdout/stderr None; the rc it wrote, or -1."""
    script = "\n".join(["import sys", "sys.stdout = None", "sys.stderr = None", code,
                        f"open({str(result)!r}, 'w').write(str(rc))"])  # fmt: skip
    proc = subprocess.run([sys.executable, "-c", script], env=_env(), timeout=timeout,
                          capture_output=True)  # fmt: skip
    assert proc.stdout == b"" and proc.stderr == b"", (proc.stdout, proc.stderr)
    if not result.exists():
        return -1  # the code raised: in a windowed build, an unhandled-exception box
    return int(result.read_text())


CLI = ("from trayapp.cli import main\ntry:\n    rc = main({args!r})\n"
       "except SystemExit as exc:\n    rc = exc.code")  # as the console script would exit


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["status"], 0),
        (["--version"], 0),
        (["generate", "debts", "--month", "13.2026"], 2),  # UsageError
        (["no-such-command"], 2),  # the parser's own error
        (["settings", "set", "coding", "BAD"], 1),  # AppError
        (["settings", "password"], 1),  # no stdin either: a message, not a crash
    ],
)
def test_cli_without_streams(tmp_path: Path, args: list[str], expected: int) -> None:
    full = ["--home", str(tmp_path / "home"), *args]
    code = CLI.format(args=full)
    if args == ["settings", "password"]:
        code = "sys.stdin = None\n" + code
    assert run_without_streams(code, tmp_path / "rc") == expected


def test_cli_error_goes_to_the_log_without_streams(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code = CLI.format(args=["--home", str(home), "settings", "set", "coding", "BAD"])
    assert run_without_streams(code, tmp_path / "rc") == 1
    logs = list((home / "logs").glob("*.log"))
    assert logs and "кодирование услуг: BAD" in "".join(p.read_text("utf-8") for p in logs)


def test_tray_second_start_without_streams(tmp_path: Path) -> None:
    home = tmp_path / "home"
    paths = AppPaths.resolve(home)
    paths.data_dir.mkdir(parents=True)
    code = f"from trayapp.ui.tray import run_tray\nrc = run_tray({str(home)!r})"
    with filelock.FileLock(str(paths.lock_file), timeout=0):
        assert run_without_streams(code, tmp_path / "rc") == 0
    assert (paths.data_dir / "trayapp.show").exists()  # the running one was asked to show


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="a screen there needs no "
                    "DISPLAY: the error dialog would wait for a user")  # fmt: skip
def test_tray_data_folder_error_without_streams(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "data").write_text("a file where the data folder should be")
    code = f"from trayapp.ui.tray import run_tray\nrc = run_tray({str(home)!r})"
    assert run_without_streams(code, tmp_path / "rc") == 1


def test_demo_without_streams(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    code = (f"from trayapp.demo_run import run_demo\n"
            f"run_demo({str(home)!r}, 20, False, tray=False)\nrc = 0")  # fmt: skip
    assert run_without_streams(code, tmp_path / "rc") == 0
    assert list((home / "data").glob("**/Обработаны/*.txt"))  # the cycle ran


@pytest.mark.skipif(not POSIX, reason="closing fds 1 and 2 before exec is a POSIX shell's")
@pytest.mark.parametrize(
    ("args", "expected"),
    [(["status"], 0), (["no-such-command"], 2), (["demo", "--accounts", "20"], 0)],
)
def test_closed_descriptors(tmp_path: Path, args: list[str], expected: int) -> None:
    cmd = [sys.executable, "-m", "trayapp", "--home", str(tmp_path / "home"), *args]
    proc = subprocess.run(["sh", "-c", 'exec "$@" >&- 2>&-', "sh", *cmd], env=_env(),
                          timeout=120)  # fmt: skip
    assert proc.returncode == expected


def test_pipe_in_a_narrow_code_page(tmp_path: Path) -> None:
    home = tmp_path / "дом-ø"  # «ø» is not in cp1251
    base = [sys.executable, "-m", "trayapp", "--home", str(home)]
    env = _env(PYTHONIOENCODING="cp1251")
    text = subprocess.run([*base, "settings", "show"], env=env, capture_output=True,
                          timeout=120)  # fmt: skip
    assert text.returncode == 0, text.stderr.decode("cp1251", "replace")
    shown = text.stdout.decode("cp1251")
    assert "дом-?" in shown and "coding: ACCOUNT" in shown
    as_json = subprocess.run([*base, "--json", "settings", "show"], env=env,
                             capture_output=True, timeout=120)  # fmt: skip
    assert as_json.returncode == 0
    data = json.loads(as_json.stdout.decode("utf-8"))  # UTF-8 whatever the code page
    assert data["folder"].startswith(str(home.resolve()))
    err = subprocess.run([*base, "settings", "set", "coding", "ø"], env=env,
                         capture_output=True, timeout=120)  # fmt: skip
    assert err.returncode == 1
    assert err.stderr.decode("cp1251").startswith("кодирование услуг: ?;")
