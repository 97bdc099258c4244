"""installer/linux: install and uninstall for one user into a temporary HOME, for real.

The scripts create a virtual environment and pip-install this checkout into it (PyPI is
reached for the dependencies, as on a user's machine). Afterwards the launcher must run the
demo, the .desktop files must pass ``desktop-file-validate``, and ``--purge`` must leave the
HOME as it was before the install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "installer" / "linux" / "install.sh"
UNINSTALL = ROOT / "installer" / "linux" / "uninstall.sh"
SIZES = (16, 32, 48, 64, 128, 256)

pytestmark = [
    pytest.mark.installer,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux installer"),
]


def env_for(home: Path, tmp: Path, **xdg: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "TRAYAPP_", "VIRTUAL_ENV", "PYTHON"))}  # fmt: skip
    env.update(HOME=str(home), PIP_CACHE_DIR=str(tmp / "pip-cache"), PIP_NO_INPUT="1",
               RUSTUP_HOME=str(tmp / "rustup"), CARGO_HOME=str(tmp / "cargo"))  # fmt: skip
    env.update(xdg)
    return env


def sh(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(["sh", str(script), *args], capture_output=True, text=True, env=env,
                       timeout=600)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def tree(home: Path) -> set[str]:
    return {str(p.relative_to(home)) for p in home.rglob("*")}


def validate(path: Path) -> None:
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate not installed (Debian: desktop-file-utils)")
    r = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert r.returncode == 0 and not r.stdout.strip(), r.stdout + r.stderr


def test_install_run_uninstall_purge(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("the user's own file")
    before = tree(home)
    env = env_for(home, tmp_path)
    sh(INSTALL, env=env)
    launcher = home / ".local" / "bin" / "trayapp"
    desktop = home / ".local" / "share" / "applications" / "trayapp.desktop"
    autostart = home / ".config" / "autostart" / "trayapp.desktop"
    assert (home / ".local" / "share" / "trayapp" / "venv" / "bin" / "trayapp").is_file()
    assert os.access(launcher, os.X_OK) and desktop.is_file() and autostart.is_file()
    for size in SIZES:
        icon = home / f".local/share/icons/hicolor/{size}x{size}/apps/trayapp.png"
        assert icon.read_bytes() == (ROOT / "assets" / f"logo_{size}.png").read_bytes()
    validate(desktop)
    validate(autostart)
    assert f"Exec={launcher} tray" in desktop.read_text("utf-8")
    assert "tray --minimized" in autostart.read_text("utf-8")

    # the launcher works: the version, the settings, the whole demo cycle
    r = subprocess.run([str(launcher), "--version"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and r.stdout.startswith("trayapp ")
    r = subprocess.run([str(launcher), "settings", "show", "--json"], capture_output=True,
                       text=True, env=env)  # fmt: skip
    assert r.returncode == 0 and '"autostart": true' in r.stdout
    r = subprocess.run([str(launcher), "settings", "set", "coding", "GOROD"],
                       capture_output=True, text=True, env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(launcher), "demo", "--accounts", "20", "--no-tray"],
                       capture_output=True, text=True, env=env, timeout=300)  # fmt: skip
    assert r.returncode == 0 and "Готово" in r.stdout, r.stdout + r.stderr
    settings_file = home / ".config" / "trayapp" / "settings.json"
    assert settings_file.is_file()

    # purge: nothing of ours behind, the user's own file untouched
    sh(UNINSTALL, "--purge", env=env)
    assert tree(home) == before, sorted(tree(home) - before)


def test_xdg_folders_and_uninstall_keeping_the_data(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    xdg = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "conf"),
           "XDG_BIN_HOME": str(tmp_path / "bin"), "XDG_STATE_HOME": str(tmp_path / "state")}  # fmt: skip
    env = env_for(home, tmp_path, **xdg)
    sh(INSTALL, "--no-autostart", env=env)
    launcher = tmp_path / "bin/trayapp"
    desktop = tmp_path / "data/applications/trayapp.desktop"
    assert (tmp_path / "data/trayapp/venv/bin/trayapp").is_file() and launcher.is_file()
    assert desktop.is_file() and (tmp_path / "data/icons/hicolor/48x48/apps/trayapp.png").is_file()
    assert not (tmp_path / "conf/autostart/trayapp.desktop").exists()  # --no-autostart
    r = subprocess.run([str(launcher), "settings", "set", "coding", "GOROD"],
                       capture_output=True, text=True, env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(launcher), "status"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    settings_file = tmp_path / "conf/trayapp/settings.json"
    database = tmp_path / "data/trayapp/trayapp.db"
    assert settings_file.is_file() and database.is_file()
    assert tree(home) == set()  # nothing in the plain HOME folders

    # uninstall: the program goes, the settings and the data stay
    sh(UNINSTALL, env=env)
    assert not launcher.exists() and not desktop.exists()
    assert not (tmp_path / "data/trayapp/venv").exists()
    assert not list(tmp_path.rglob("trayapp.png"))
    assert settings_file.is_file() and database.is_file()
    assert (tmp_path / "data/trayapp/Мои счета/Исходящие").is_dir()  # the exchange folder

    sh(UNINSTALL, "--purge", env=env)  # without the program: still removes the data
    assert not any(tmp_path.glob("*/trayapp")) and not settings_file.exists()
