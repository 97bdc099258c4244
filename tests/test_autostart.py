"""Autostart and the schedule as settings: the real command line, the real OS entry.

On Linux the entry is ``$XDG_CONFIG_HOME/autostart/trayapp.desktop`` (the test points
XDG_CONFIG_HOME at a temporary folder); on Windows the HKCU Run value (the Windows workflow
runs this test there); macOS writes a LaunchAgent under HOME.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trayapp import autostart


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("TRAYAPP_HOME", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    if sys.platform == "darwin":
        env["HOME"] = str(tmp_path / "home")
    return subprocess.run([sys.executable, "-m", "trayapp", "--home", str(tmp_path / "app"),
                           *args], capture_output=True, text=True, env=env, timeout=120)  # fmt: skip


def shown(tmp_path: Path) -> dict[str, object]:
    r = run(tmp_path, "--json", "settings", "show")
    assert r.returncode == 0, r.stderr
    data: dict[str, object] = json.loads(r.stdout)
    return data


def windows_value() -> str | None:
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, autostart.RUN_KEY) as key:
            return str(winreg.QueryValueEx(key, autostart.NAME)[0])
    except OSError:
        return None


def entry(tmp_path: Path) -> str | None:
    """The entry as the OS holds it, or None."""
    if sys.platform == "win32":
        return windows_value()
    if sys.platform == "darwin":
        f = tmp_path / "home" / "Library" / "LaunchAgents" / f"{autostart.LABEL}.plist"
    else:
        f = tmp_path / "config" / "autostart" / "trayapp.desktop"
    return f.read_text("utf-8") if f.is_file() else None


def test_autostart_on_and_off(tmp_path: Path) -> None:
    assert shown(tmp_path)["autostart"] is False and entry(tmp_path) is None
    r = run(tmp_path, "settings", "set", "autostart", "1")
    assert r.returncode == 0, r.stderr
    text = entry(tmp_path)
    assert text is not None and "--minimized" in text and "tray" in text
    assert shown(tmp_path)["autostart"] is True
    if sys.platform.startswith("linux"):
        exec_line = next(ln for ln in text.splitlines() if ln.startswith("Exec="))
        assert exec_line.endswith(" tray --minimized")
        if shutil.which("desktop-file-validate"):
            f = tmp_path / "config" / "autostart" / "trayapp.desktop"
            v = subprocess.run(["desktop-file-validate", str(f)], capture_output=True, text=True)
            assert v.returncode == 0 and not v.stdout.strip(), v.stdout
    r = run(tmp_path, "settings", "set", "autostart", "0")
    assert r.returncode == 0, r.stderr
    assert entry(tmp_path) is None and shown(tmp_path)["autostart"] is False


def test_entry_written_by_an_installer_is_what_settings_show(tmp_path: Path) -> None:
    if sys.platform != "linux":
        pytest.skip("the installer's entry is a file on Linux")
    f = tmp_path / "config" / "autostart" / "trayapp.desktop"
    f.parent.mkdir(parents=True)
    f.write_text(autostart.desktop_entry(["/opt/x/trayapp", "tray", "--minimized"]), "utf-8")
    assert shown(tmp_path)["autostart"] is True
    assert run(tmp_path, "settings", "set", "autostart", "0").returncode == 0
    assert not f.exists()


@pytest.mark.parametrize("value", ["2", "да", ""])
def test_bad_autostart_value_is_refused(tmp_path: Path, value: str) -> None:
    r = run(tmp_path, "settings", "set", "autostart", value)
    assert r.returncode == 1 and "autostart" in r.stderr and "допустимо 1" in r.stderr
    assert entry(tmp_path) is None


def test_schedule_minutes(tmp_path: Path) -> None:
    assert shown(tmp_path)["schedule_minutes"] == 0  # off by default
    assert run(tmp_path, "settings", "set", "schedule_minutes", "30").returncode == 0
    assert shown(tmp_path)["schedule_minutes"] == 30
    for bad in ("-5", "abc", "1.5", "100000", "١٥"):
        r = run(tmp_path, "settings", "set", "schedule_minutes", bad)
        assert r.returncode == 1, (bad, r.stderr)
        assert "ожидается целое число минут" in r.stderr
    assert shown(tmp_path)["schedule_minutes"] == 30  # unchanged by the refusals
    assert run(tmp_path, "settings", "set", "schedule_minutes", "0").returncode == 0
    assert shown(tmp_path)["schedule_minutes"] == 0


def test_exec_quoting() -> None:
    text = autostart.desktop_entry(["/home/Бухгалтер/my apps/trayapp", "tray", "--minimized"])
    assert 'Exec="/home/Бухгалтер/my apps/trayapp" tray --minimized' in text


def test_launch_agent_matches_the_template() -> None:
    import plistlib

    root = Path(__file__).resolve().parents[1]
    template = plistlib.loads((root / "installer/macos/org.trayapp.tray.plist").read_bytes())
    made = plistlib.loads(autostart.launch_agent(["/x/trayapp", *autostart.ARGS]))
    assert set(made) == set(template) and made["Label"] == template["Label"] == autostart.LABEL
    assert made["ProgramArguments"][1:] == template["ProgramArguments"][1:]
