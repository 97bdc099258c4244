"""A fresh Wine prefix for the Windows installer's tests: run programs in it, read its
registry back through `reg export` (UTF-16 files, so Cyrillic compares exactly), and the
stand-in payload (standin/standin.c) built with mingw-w64.

Nothing here is a test; test_windows_wine.py uses it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path, PureWindowsPath

STANDIN = Path(__file__).with_name("standin") / "standin.c"
MINGW = "x86_64-w64-mingw32-gcc"
HKCU_CV = r"HKCU\Software\Microsoft\Windows\CurrentVersion"
USER_NAME = "Бухгалтер"


def missing_tools() -> list[str]:
    """What is not installed of wine (with its 32-bit half: the NSIS installer is a 32-bit
    program), wineserver, mingw-w64 and makensis."""
    missing = [t for t in ("wine", "wineserver", MINGW, "makensis") if shutil.which(t) is None]
    if shutil.which("dpkg-query") is not None:  # Debian: wine32 comes from the i386 architecture
        r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "wine32:i386"],
                           capture_output=True, text=True)  # fmt: skip
        if "ok installed" not in r.stdout:
            missing.append("wine32:i386")
    return missing


def build_standin(out: Path, version: str) -> Path:
    """A DIST folder like PyInstaller's onedir: trayapp.exe (windowed), trayapp-cli.exe
    (console), _internal/, each program of the given version."""
    (out / "_internal").mkdir(parents=True, exist_ok=True)
    for name, flags in (("trayapp.exe", ["-mwindows"]), ("trayapp-cli.exe", [])):
        subprocess.run([MINGW, "-O1", *flags, f'-DVERSION="{version}"', "-o", str(out / name),
                        str(STANDIN)], check=True, capture_output=True, timeout=120)  # fmt: skip
    (out / "_internal" / "python311.dll").write_bytes(b"MZ stand-in " + version.encode())
    return out


def unix_to_windows(path: Path) -> str:
    """A Unix path as Wine's Z: drive sees it."""
    return "Z:" + str(path).replace("/", "\\")


class Wine:
    """One prefix; every call waits for the program unless ``start`` is used."""

    def __init__(self, prefix: Path, work: Path) -> None:
        self.prefix = prefix
        self.work = work  # the stand-ins' record and stop files
        self.record = work / "standin.log"
        self.stop_file = work / "standin.stop"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WINE")},
            "WINEPREFIX": str(prefix),
            "WINEDEBUG": "-all",
            # no Mono or Gecko prompt, no menu entries of the host desktop
            "WINEDLLOVERRIDES": "mscoree,mshtml,winemenubuilder.exe=",
            "DISPLAY": "",
            # the Windows user's name (Wine takes it from USER): Cyrillic, as an accountant's
            # often is, so every path the installer writes has Cyrillic in it
            "USER": USER_NAME,
            "LOGNAME": USER_NAME,
            "TRAYAPP_STANDIN_LOG": unix_to_windows(self.record),
            "TRAYAPP_STANDIN_STOP": unix_to_windows(self.stop_file),
        }
        self._started: list[subprocess.Popen[bytes]] = []

    # ------------------------------------------------------------------ the prefix

    def boot(self) -> None:
        self.prefix.mkdir(parents=True, exist_ok=True)
        # the server first, persistent and with no pipe of ours: a server started by a
        # captured `wine` call would hold that pipe open (and the caller waiting) until it ends
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["wineserver", "-p"], env=self.env, check=True, timeout=60, **quiet)
        subprocess.run(["wineboot", "-i"], env=self.env, check=True, timeout=300, **quiet)
        # wineboot returns while parts of the prefix are still being written (the 32-bit
        # half's wine.inf, run by rundll32 in the background): on a loaded machine that went
        # on into the first test, which saw 16 lines more in HKLM that were Wine's, not ours
        self.settled_export(r"HKLM\Software")

    def settled_export(self, key: str, timeout: float = 180) -> str | None:
        """``reg_export`` once two exports in a row, two seconds apart, are the same."""
        deadline = time.monotonic() + timeout
        last = self.reg_export(key)
        while time.monotonic() < deadline:
            time.sleep(2)
            now = self.reg_export(key)
            if now == last:
                return now
            last = now
        return last

    def shutdown(self) -> None:
        self.stop_standins()
        subprocess.run(["wineserver", "-k"], env=self.env, capture_output=True, timeout=60)

    @property
    def drive_c(self) -> Path:
        return self.prefix / "drive_c"

    @property
    def user_dir(self) -> Path:
        users = [p for p in (self.drive_c / "users").iterdir() if p.name != "Public"]
        assert len(users) == 1, users
        return users[0]

    @property
    def local_appdata(self) -> Path:
        return self.user_dir / "AppData" / "Local"

    @property
    def start_menu(self) -> Path:
        return self.user_dir / "AppData/Roaming/Microsoft/Windows/Start Menu/Programs"

    def windows_path(self, path: Path) -> str:
        return "C:\\" + str(PureWindowsPath(path.relative_to(self.drive_c)))

    # ------------------------------------------------------------------ programs

    def run(self, *args: str, timeout: float = 180, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:  # fmt: skip
        # output through files, not pipes: a program it starts (the installer restarting the
        # tray) inherits them, and a pipe would keep the caller waiting until that one ends
        out, err = self.work / "run.out", self.work / "run.err"
        with out.open("wb") as o, err.open("wb") as e:
            r = subprocess.run(["wine", *args], env={**self.env, **(env or {})}, stdout=o,
                               stderr=e, stdin=subprocess.DEVNULL, timeout=timeout)  # fmt: skip
        return subprocess.CompletedProcess(
            r.args, r.returncode, out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace")
        )

    def start(self, exe: Path, *args: str, env: dict[str, str] | None = None) -> int:
        """Start a stand-in that stays running; its Windows pid once it holds its files."""
        before = len(self.records())
        proc = subprocess.Popen(["wine", str(exe), *args], env={**self.env, **(env or {})},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        self._started.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for line in self.records()[before:]:
                words = line.split()
                if words[0] == exe.name and words[2] == "ready":
                    return int(words[1])
            time.sleep(0.1)
        raise AssertionError(f"{exe.name} did not start: {self.records()}")

    def records(self) -> list[str]:
        try:
            return self.record.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []

    def stop_standins(self) -> None:
        """Tell every stand-in still running to stop, and wait for them."""
        self.stop_file.touch()
        for proc in self._started:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        self._started.clear()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.running():
            time.sleep(0.2)
        self.stop_file.unlink()

    def running(self) -> list[str]:
        """The stand-ins started and not yet stopped, as "<exe> <pid>"."""
        alive: dict[str, bool] = {}
        for line in self.records():
            words = line.split()
            if words[2] == "ready":
                alive[f"{words[0]} {words[1]}"] = True
            elif words[2] == "stopped":
                alive.pop(f"{words[0]} {words[1]}", None)
        return list(alive)

    # ------------------------------------------------------------------ registry

    def reg_export(self, key: str) -> str | None:
        """The key and its subkeys as `reg export` writes them (UTF-16), None if absent."""
        out = self.work / "export.reg"
        out.unlink(missing_ok=True)
        r = self.run("reg", "export", key, unix_to_windows(out), "/y")
        if r.returncode != 0 or not out.exists():
            return None
        return out.read_bytes().decode("utf-16")

    def reg_values(self, key: str) -> dict[str, str] | None:
        """The values of one key (not its subkeys): strings unquoted, dwords as dword:…"""
        text = self.reg_export(key)
        if text is None:
            return None
        values: dict[str, str] = {}
        header = "[" + key.replace("HKCU", "HKEY_CURRENT_USER").replace(
            "HKLM", "HKEY_LOCAL_MACHINE") + "]"  # fmt: skip
        inside = False
        for line in text.splitlines():
            if line.startswith("["):
                inside = line.lower() == header.lower()
                continue
            if inside and line.startswith('"') and "=" in line:
                name, _, raw = line.partition('"=')
                name = name[1:]
                if raw.startswith('"'):
                    raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
                values[name] = raw
        return values

    def reg_delete(self, key: str, value: str | None = None) -> None:
        args = ["reg", "delete", key, *(["/v", value] if value else []), "/f"]
        self.run(*args)

    def reg_set(self, key: str, value: str, data: str, kind: str = "REG_SZ") -> None:
        r = self.run("reg", "add", key, "/v", value, "/t", kind, "/d", data, "/f")
        assert r.returncode == 0, r.stdout + r.stderr
