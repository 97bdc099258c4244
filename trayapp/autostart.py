"""Start at login, for the current user only: the setting ``autostart`` made real.

Windows: a value ``trayapp`` under HKCU ``Software\\Microsoft\\Windows\\CurrentVersion\\Run``;
Linux: ``$XDG_CONFIG_HOME/autostart/trayapp.desktop`` (XDG autostart; ``~/.config`` by
default); macOS: ``~/Library/LaunchAgents/<LABEL>.plist`` with ``RunAtLoad``. Each starts
``trayapp tray --minimized`` (only the icon). The entry itself is the truth: the installers
write the same entry, and ``is_enabled`` reads it back, so the setting shown is what the OS
will do; on Windows that includes Task Manager's «Отключено» (``StartupApproved\\Run``), which
turning autostart on clears. No GUI, nothing of the core; ``winreg`` only on Windows (tests
pass a winreg-shaped fake).
"""

from __future__ import annotations

import os
import plistlib
import subprocess
import sys
from pathlib import Path
from typing import Any

from trayapp.errors import SettingsError
from trayapp.fsutil import os_reason, remove_file, write_atomic

NAME = "trayapp"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
LABEL = "org.trayapp.tray"
ARGS = ["tray", "--minimized"]


def program() -> list[str]:
    """The command that starts this installation of the program (without arguments)."""
    exe = Path(sys.executable)
    if getattr(sys, "frozen", False):  # PyInstaller: the windowed trayapp(.exe) beside us
        windowed = exe.with_name("trayapp.exe" if os.name == "nt" else "trayapp")
        return [str(windowed if windowed.exists() else exe)]
    if os.name == "nt":
        pythonw = exe.with_name("pythonw.exe")  # no console window at login
        return [str(pythonw if pythonw.exists() else exe), "-m", "trayapp"]
    script = exe.with_name("trayapp")  # the console script of this environment
    if script.exists():
        return [str(script)]
    return [str(exe), "-m", "trayapp"]


def command() -> list[str]:
    return [*program(), *ARGS]


# ---------------------------------------------------------------------------- Linux


def xdg_autostart_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / f"{NAME}.desktop"


def desktop_quote(arg: str) -> str:
    """One argument of an ``Exec`` line (Desktop Entry Specification, «Exec key»)."""
    if arg and all(c.isalnum() or c in "/._-+=:," for c in arg):
        return arg
    quoted = arg.replace("\\", "\\\\")
    for c in '"`$':
        quoted = quoted.replace(c, "\\" + c)
    # the value is unescaped as a string first: every backslash doubled once more
    return ('"' + quoted.replace("\\", "\\\\") + '"').replace("%", "%%")


def desktop_entry(cmd: list[str]) -> str:
    exec_line = " ".join(desktop_quote(a) for a in cmd)
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Мои счета\n"
        "Comment=Обмен реестрами ТСЖ с сервисом «Мои счета»\n"
        f"Exec={exec_line}\n"
        f"Icon={NAME}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


# ---------------------------------------------------------------------------- macOS


def launch_agent_file() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LABEL}.plist"


def launch_agent(cmd: list[str]) -> bytes:
    return plistlib.dumps(
        {"Label": LABEL, "ProgramArguments": cmd, "RunAtLoad": True, "ProcessType": "Interactive"}
    )


# ---------------------------------------------------------------------------- Windows


def _run_value(cmd: list[str]) -> str:
    return subprocess.list2cmdline(cmd)


APPROVED_KEY = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"


def _winreg() -> Any:
    if sys.platform != "win32":
        raise OSError("no registry here")
    import winreg

    return winreg


def _winreg_get(reg: Any = None) -> str | None:
    reg = reg or _winreg()
    try:
        with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
            value, _ = reg.QueryValueEx(key, NAME)
            return str(value)
    except OSError:
        return None


def _delete_value(reg: Any, path: str) -> None:
    try:
        with reg.OpenKey(reg.HKEY_CURRENT_USER, path, 0, reg.KEY_SET_VALUE) as key:
            reg.DeleteValue(key, NAME)
    except FileNotFoundError:
        pass


def _winreg_set(value: str | None, reg: Any = None) -> None:
    reg = reg or _winreg()
    if value is None:
        _delete_value(reg, RUN_KEY)
    else:
        with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
            reg.SetValueEx(key, NAME, 0, reg.REG_SZ, value)
    # Task Manager's Startup tab keeps its «disabled» here, beside the Run value: turning
    # autostart on (or off) is the accountant's newer word, so its mark goes
    _delete_value(reg, APPROVED_KEY)


def _disabled_by_windows(reg: Any = None) -> bool:
    """Whether Task Manager (Startup tab) or Settings → Startup turned the entry off: the
    first byte of the StartupApproved value is odd (02/06 on, 03/07 off)."""
    reg = reg or _winreg()
    try:
        with reg.OpenKey(reg.HKEY_CURRENT_USER, APPROVED_KEY) as key:
            data, _ = reg.QueryValueEx(key, NAME)
    except OSError:
        return False
    return isinstance(data, bytes) and len(data) > 0 and bool(data[0] & 1)


def windows_enabled(reg: Any = None) -> bool:
    """The Run value is there and Windows has not turned it off."""
    return _winreg_get(reg) is not None and not _disabled_by_windows(reg)


# ---------------------------------------------------------------------------- the setting


def entry_location() -> str:
    """Where the entry is, in words for ``settings show``."""
    if sys.platform == "win32":
        return f"HKCU\\{RUN_KEY}\\{NAME}"
    if sys.platform == "darwin":
        return str(launch_agent_file())
    return str(xdg_autostart_file())


def is_enabled() -> bool:
    if sys.platform == "win32":
        return windows_enabled()
    if sys.platform == "darwin":
        return launch_agent_file().is_file()
    return xdg_autostart_file().is_file()


def set_enabled(on: bool) -> None:
    """Write or remove this user's entry; ``SettingsError`` (Russian) when that fails."""
    cmd = command()
    try:
        if sys.platform == "win32":
            _winreg_set(_run_value(cmd) if on else None)
        elif sys.platform == "darwin":
            f = launch_agent_file()
            if on:
                f.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(f, launch_agent(cmd))
            else:
                remove_file(f)
        else:
            f = xdg_autostart_file()
            if on:
                f.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(f, desktop_entry(cmd).encode("utf-8"))
            else:
                remove_file(f)
    except OSError as exc:
        raise SettingsError(
            f"автозапуск не {'включён' if on else 'выключен'}: {entry_location()}: "
            f"{os_reason(exc)}"
        ) from exc
    except SettingsError:
        raise
    except Exception as exc:  # FolderError from the file helpers
        raise SettingsError(
            f"автозапуск не {'включён' if on else 'выключен'}: {entry_location()}: {exc}"
        ) from exc
