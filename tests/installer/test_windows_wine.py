"""The Windows installer, compiled as the Windows workflow compiles it and run under Wine.

makensis reads the script as Windows' makensis does (a BOM-less script in the ANSI code page,
here CP1252); the payload is a stand-in trayapp.exe / trayapp-cli.exe built with mingw-w64
(standin/standin.c) that records each start, holds its own file while it runs, and answers the
tray's quit event (trayapp/ui/winquit.py). One fresh WINEPREFIX for the module, its Windows
user named «Бухгалтер» (every path written has Cyrillic in it); each test starts from nothing
installed. What Wine cannot show (UAC, SmartScreen, Defender, a person
clicking through the pages): installer/README.md.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.installer.wine import HKCU_CV, USER_NAME, Wine, build_standin, missing_tools

ROOT = Path(__file__).resolve().parents[2]
NSI = ROOT / "installer" / "windows" / "trayapp.nsi"
OLD, NEW = "1.0.0", "1.1.0"
APP_NAME = "Мои счета"
DISPLAY_NAME = "Мои счета: обмен реестрами"
UNINSTALL = HKCU_CV + r"\Uninstall\trayapp"
RUN = HKCU_CV + r"\Run"

pytestmark = pytest.mark.installer


def compile_installer(dist: Path, ver: str, out: Path) -> Path:
    """The workflow's makensis command; the input charset is what Windows' makensis assumes
    for a script without a BOM (the runner's ANSI code page)."""
    r = subprocess.run(["makensis", "-V2", "-WX", "-INPUTCHARSET", "CP1252", f"-DDIST={dist}",
                        f"-DVERSION={ver}", f"-DOUTDIR={out}", str(NSI)],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    return out / f"trayapp-{ver}-setup.exe"


class Setup:
    def __init__(self, wine: Wine, installers: dict[str, Path]) -> None:
        self.wine = wine
        self.installers = installers

    @property
    def instdir(self) -> Path:
        return self.wine.local_appdata / "Programs" / "trayapp"

    @property
    def data_root(self) -> Path:
        return self.wine.local_appdata / "trayapp"

    def install(self, ver: str, *args: str) -> int:
        return self.wine.run(str(self.installers[ver]), "/S", *args).returncode

    def uninstall(self, *args: str) -> int:
        """The silent uninstall, run in place (as the workflow does) so that its exit code is
        the uninstaller's own."""
        exe = self.instdir / "uninstall.exe"
        where = self.wine.windows_path(self.instdir)
        return self.wine.run(str(exe), "/S", *args, f"_?={where}").returncode

    def version_of(self, name: str) -> str:
        r = self.wine.run(str(self.instdir / name), "--version")
        return r.stdout.strip()

    def reset(self) -> None:
        """Nothing installed, no stand-in running, no record."""
        self.wine.stop_standins()
        shutil.rmtree(self.instdir, ignore_errors=True)
        shutil.rmtree(self.data_root, ignore_errors=True)
        shutil.rmtree(self.wine.start_menu / APP_NAME, ignore_errors=True)
        self.wine.reg_delete(UNINSTALL)
        self.wine.reg_delete(RUN, "trayapp")
        self.wine.record.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    missing = missing_tools()
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (Debian: wine wine32:i386 wine64 "
                    "gcc-mingw-w64-x86-64 nsis; .ci/run installs them)")  # fmt: skip
    base = tmp_path_factory.mktemp("wine")
    t0 = time.monotonic()
    installers = {}
    for ver in (OLD, NEW):
        dist = build_standin(base / f"dist-{ver}" / "trayapp", ver)
        installers[ver] = compile_installer(dist, ver, base)
    wine = Wine(base / "prefix", base)
    wine.boot()
    print(f"Wine prefix and installers ready in {time.monotonic() - t0:.0f} s")
    try:
        yield Setup(wine, installers)
    finally:
        wine.shutdown()


@pytest.fixture
def s(setup: Setup) -> Iterator[Setup]:
    setup.reset()
    yield setup
    setup.reset()


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


def lnk_target(lnk: Path) -> str:
    """The target path stored in a shell link (the UTF-16 string that names trayapp.exe)."""
    text = lnk.read_bytes().decode("utf-16-le", "replace") + lnk.read_bytes().decode("latin-1")
    found = re.findall(r"[A-Za-z]:\\[^\x00]*?trayapp(?:-cli)?\.exe|[A-Za-z]:\\[^\x00]*?uninstall\.exe", text)
    assert found, lnk
    return found[0]


# ---------------------------------------------------------------------------- install


def test_install_per_user_in_cyrillic_and_nothing_for_all_users(s: Setup) -> None:
    w = s.wine
    program_files = {p.name: tree(p) for p in w.drive_c.glob("Program Files*")}
    hklm_before = w.settled_export(r"HKLM\Software") or ""
    assert s.install(OLD) == 0
    files = tree(s.instdir)
    assert {"trayapp.exe", "trayapp-cli.exe", "uninstall.exe", "_internal",
            "_internal/python311.dll"} <= files  # fmt: skip
    assert s.version_of("trayapp-cli.exe") == f"trayapp {OLD}"
    # the Start menu: «Мои счета\Мои счета.lnk» (a script read in the wrong code page names it
    # «ÐœÐ¾Ð¸…» or does not compile at all: defect 5)
    folder = w.start_menu / APP_NAME
    assert {p.name for p in folder.iterdir()} == {f"{APP_NAME}.lnk", f"Удалить «{APP_NAME}».lnk"}
    assert lnk_target(folder / f"{APP_NAME}.lnk").endswith(r"Programs\trayapp\trayapp.exe")
    instdir = w.windows_path(s.instdir)
    assert instdir == rf"C:\users\{USER_NAME}\AppData\Local\Programs\trayapp"
    run = w.reg_values(RUN)
    assert run is not None and run["trayapp"] == f'"{instdir}\\trayapp.exe" tray --minimized'
    u = w.reg_values(UNINSTALL)
    assert u is not None
    assert u["DisplayName"] == DISPLAY_NAME
    assert u["DisplayVersion"] == OLD
    assert u["InstallLocation"] == instdir
    assert u["UninstallString"] == f'"{instdir}\\uninstall.exe"'
    assert u["QuietUninstallString"] == f'"{instdir}\\uninstall.exe" /S'
    # nothing for all users: HKLM and Program Files as they were
    hklm_after = w.settled_export(r"HKLM\Software") or ""
    assert "trayapp" not in hklm_after.lower()
    assert hklm_after.count("\n") == hklm_before.count("\n")
    assert {p.name: tree(p) for p in w.drive_c.glob("Program Files*")} == program_files


# ---------------------------------------------------------------------------- upgrade


def test_upgrade_replaces_both_programs_and_keeps_autostart_off(s: Setup) -> None:
    w = s.wine
    assert s.install(OLD) == 0
    w.reg_delete(RUN, "trayapp")  # `trayapp settings set autostart 0`
    assert s.install(NEW) == 0
    assert s.version_of("trayapp.exe") == f"trayapp {NEW}"
    assert s.version_of("trayapp-cli.exe") == f"trayapp {NEW}"
    assert (s.instdir / "_internal" / "python311.dll").read_bytes().endswith(NEW.encode())
    u = w.reg_values(UNINSTALL)
    assert u is not None and u["DisplayVersion"] == NEW
    # the accountant's «off» is kept (defect 2: it was written again)
    assert "trayapp" not in (w.reg_values(RUN) or {})


def test_upgrade_keeps_autostart_on(s: Setup) -> None:
    assert s.install(OLD) == 0
    assert s.install(NEW) == 0
    run = s.wine.reg_values(RUN)
    assert run is not None and run["trayapp"].endswith('trayapp.exe" tray --minimized')


@pytest.mark.parametrize(("exe", "args", "env"), [
    ("trayapp-cli.exe", ["exchange", "hold"], {}),  # a scheduled exchange (defect 1)
    ("trayapp.exe", ["tray", "--minimized"], {"TRAYAPP_STANDIN_DEAF": "1"}),  # a hung tray
])  # fmt: skip
def test_silent_upgrade_fails_while_a_program_file_is_busy(
    s: Setup, exe: str, args: list[str], env: dict[str, str]
) -> None:
    w = s.wine
    assert s.install(OLD) == 0
    w.start(s.instdir / exe, *args, env=env)
    t0 = time.monotonic()
    code = s.install(NEW, "/WAIT=2")
    waited = time.monotonic() - t0
    # a silent run that cannot replace a program says so by its exit code, and changes nothing
    assert code != 0
    assert waited >= 2
    assert s.version_of("trayapp-cli.exe") == f"trayapp {OLD}"
    assert s.version_of("trayapp.exe") == f"trayapp {OLD}"
    u = w.reg_values(UNINSTALL)
    assert u is not None and u["DisplayVersion"] == OLD
    # once the program has finished, the same upgrade goes through
    w.stop_standins()
    assert s.install(NEW, "/WAIT=2") == 0
    assert s.version_of("trayapp-cli.exe") == f"trayapp {NEW}"


def test_silent_upgrade_waits_for_a_scheduled_exchange_to_end(s: Setup) -> None:
    w = s.wine
    assert s.install(OLD) == 0
    w.start(s.instdir / "trayapp-cli.exe", "exchange", "hold")
    installer = subprocess.Popen(["wine", str(s.installers[NEW]), "/S", "/WAIT=60"], env=w.env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    time.sleep(3)
    assert installer.poll() is None  # still waiting for the exchange
    w.stop_standins()  # the exchange ends
    assert installer.wait(timeout=120) == 0
    assert s.version_of("trayapp-cli.exe") == f"trayapp {NEW}"


def test_upgrade_asks_the_tray_to_quit_and_starts_it_again(s: Setup) -> None:
    w = s.wine
    assert s.install(OLD) == 0
    pid = w.start(s.instdir / "trayapp.exe", "tray", "--minimized")
    assert s.install(NEW) == 0
    records = w.records()
    # asked, not killed (defect 4): the tray heard the request and ended by itself
    assert f"trayapp.exe {pid} quit-request" in records
    assert f"trayapp.exe {pid} stopped" in records
    assert s.version_of("trayapp.exe") == f"trayapp {NEW}"
    # and it is back, the new version, as autostart starts it: only the icon
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        again = [r for r in w.records() if r.startswith(f"trayapp.exe {NEW} start")]
        if again:
            break
        time.sleep(0.2)
    assert len(again) == 1 and again[0].endswith('trayapp.exe" tray --minimized'), w.records()


def test_upgrade_starts_nothing_when_the_tray_was_not_running(s: Setup) -> None:
    assert s.install(OLD) == 0
    assert s.install(NEW) == 0
    time.sleep(1)
    assert not [r for r in s.wine.records() if " start " in r]


# ---------------------------------------------------------------------------- uninstall


def test_uninstall_removes_the_program_and_keeps_the_data(s: Setup) -> None:
    w = s.wine
    assert s.install(OLD) == 0
    settings = s.data_root / "trayapp" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"login": "тсж"}', encoding="utf-8")
    assert s.uninstall() == 0
    # run in place (_?=), the uninstaller cannot remove itself; everything else is gone
    assert tree(s.instdir) == {"uninstall.exe"}
    assert not (w.start_menu / APP_NAME).exists()
    assert w.reg_values(UNINSTALL) is None
    assert "trayapp" not in (w.reg_values(RUN) or {})
    assert settings.read_text(encoding="utf-8") == '{"login": "тсж"}'
    assert not [r for r in w.records() if "forget-passwords" in r]


def test_uninstall_with_remove_my_data_forgets_the_passwords(s: Setup) -> None:
    assert s.install(OLD) == 0
    (s.data_root / "trayapp").mkdir(parents=True)
    assert s.uninstall("/PURGE") == 0
    assert not s.data_root.exists()
    # the passwords in Credential Manager are removed by the program itself, before it goes
    assert [r.split(" ", 4)[4] for r in s.wine.records()] == [
        f'"{s.wine.windows_path(s.instdir)}\\trayapp-cli.exe" settings forget-passwords'
    ]


def test_uninstall_asks_the_tray_to_quit(s: Setup) -> None:
    w = s.wine
    assert s.install(OLD) == 0
    pid = w.start(s.instdir / "trayapp.exe", "tray", "--minimized")
    assert s.uninstall() == 0
    assert f"trayapp.exe {pid} quit-request" in w.records()
    assert tree(s.instdir) == {"uninstall.exe"}
    assert w.reg_values(UNINSTALL) is None
    time.sleep(1)
    assert not [r for r in w.records() if r.startswith("trayapp.exe") and " start " in r
                and str(pid) not in r]  # fmt: skip


def test_uninstall_with_a_program_running_keeps_its_entry(s: Setup) -> None:
    w = s.wine
    assert s.install(OLD) == 0
    w.start(s.instdir / "trayapp-cli.exe", "exchange", "hold")
    assert s.uninstall("/WAIT=1") != 0
    # what is left can still be removed from «Приложения» (defect 3: the key went first)
    u = w.reg_values(UNINSTALL)
    assert u is not None and u["DisplayVersion"] == OLD
    assert (s.instdir / "trayapp-cli.exe").exists()
    assert (s.instdir / "uninstall.exe").exists()
    w.stop_standins()
    assert s.uninstall() == 0
    assert w.reg_values(UNINSTALL) is None
    assert tree(s.instdir) == {"uninstall.exe"}
