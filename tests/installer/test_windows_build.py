"""installer/windows: the NSIS script compiles with Debian's makensis, and the PyInstaller
spec builds a bundle that starts and prints the one version (here for Linux; the Windows
workflow builds the real .exe files and the installer with the same two files).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trayapp.version import version

ROOT = Path(__file__).resolve().parents[2]
NSI = ROOT / "installer" / "windows" / "trayapp.nsi"
SPEC = ROOT / "installer" / "windows" / "trayapp.spec"

pytestmark = pytest.mark.installer


def makensis(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("makensis")
    if exe is None:
        pytest.skip("makensis not installed (Debian: nsis)")
    return subprocess.run([exe, "-V2", "-WX", *args, str(NSI)], capture_output=True, text=True,
                          timeout=300)  # fmt: skip


def stand_in_dist(folder: Path) -> Path:
    """What PyInstaller's onedir folder holds, with placeholder contents."""
    (folder / "_internal").mkdir(parents=True)
    for name in ("trayapp.exe", "trayapp-cli.exe", "_internal/python311.dll",
                 "_internal/base_library.zip"):  # fmt: skip
        (folder / name).write_bytes(b"MZ stand-in")
    return folder


def test_nsis_script_compiles(tmp_path: Path) -> None:
    dist = stand_in_dist(tmp_path / "dist" / "trayapp")
    out = tmp_path / "out"
    out.mkdir()
    r = makensis(f"-DDIST={dist}", f"-DVERSION={version()}", f"-DOUTDIR={out}")
    assert r.returncode == 0, r.stdout + r.stderr
    setup = out / f"trayapp-{version()}-setup.exe"
    assert setup.is_file() and setup.read_bytes()[:2] == b"MZ"
    # the installer carries the version resource of the one version
    assert version().encode("utf-16-le") in setup.read_bytes()


def test_nsis_script_refuses_without_dist(tmp_path: Path) -> None:
    r = makensis(f"-DVERSION={version()}", f"-DOUTDIR={tmp_path}")
    assert r.returncode != 0 and "DIST is not set" in r.stdout + r.stderr


def test_pyinstaller_bundle_starts_and_prints_its_version(tmp_path: Path) -> None:
    pytest.importorskip("PyInstaller", reason="PyInstaller not installed (pip install '.[build]')")
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                        "--distpath", str(tmp_path / "dist"), "--workpath", str(tmp_path / "build"),
                        str(SPEC)], capture_output=True, text=True, timeout=900, cwd=ROOT)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    print(f"PyInstaller build: {time.monotonic() - t0:.0f} s")
    folder = tmp_path / "dist" / "trayapp"
    suffix = ".exe" if os.name == "nt" else ""
    cli, windowed = folder / f"trayapp-cli{suffix}", folder / f"trayapp{suffix}"
    assert cli.is_file() and windowed.is_file()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "TRAYAPP_HOME")}
    v = subprocess.run([str(cli), "--version"], capture_output=True, text=True, env=env,
                       timeout=120)  # fmt: skip
    assert v.returncode == 0 and v.stdout.strip() == f"trayapp {version()}", v.stderr
    demo = subprocess.run([str(cli), "--home", str(tmp_path / "demo"), "demo", "--accounts",
                           "20", "--no-tray"], capture_output=True, text=True, env=env,
                          timeout=300)  # fmt: skip
    assert demo.returncode == 0 and "Готово" in demo.stdout, demo.stdout + demo.stderr


def _lang_strings(text: str) -> dict[str, dict[str, str]]:
    """LangString NAME ${LANG_X} "text" (with \\-continued lines) of the script."""
    joined = re.sub(r"\\\n\s*", "", text)
    found: dict[str, dict[str, str]] = {}
    for name, lang, value in re.findall(r'^LangString (\w+) \$\{LANG_(\w+)\} "(.*)"$', joined,
                                        re.MULTILINE):  # fmt: skip
        found.setdefault(name, {})[lang] = value
    return found


def test_nsis_script_has_a_bom() -> None:
    # makensis on Windows reads a script without one in the ANSI code page (defect 5)
    assert NSI.read_bytes()[:3] == b"\xef\xbb\xbf"


def test_component_names_in_both_languages_and_short_enough() -> None:
    """Every component (the installer's and the uninstaller's) is named by a LangString given
    in Russian and English; a name fits the components list, which showed about 48 characters
    of «Удалить также настройки, базу данных и каталог об…» (defect 6): at most 40."""
    text = NSI.read_bytes().decode("utf-8-sig")
    strings = _lang_strings(text)
    sections = re.findall(r'^Section (?:/o )?"(?!-)(?:un\.)?([^"]*)"', text, re.MULTILINE)
    assert len(sections) >= 4
    for title in sections:
        m = re.fullmatch(r"\$\((\w+)\)", title)
        assert m, f"component {title!r} is not a LangString"
        langs = strings[m.group(1)]
        assert set(langs) == {"RUSSIAN", "ENGLISH"}, (title, langs)
        assert re.search("[а-яё]", langs["RUSSIAN"], re.IGNORECASE), langs
        assert not re.search("[а-яё]", langs["ENGLISH"].replace("${APP_NAME}", ""), re.I), langs
        for value in langs.values():
            assert len(value.replace("${APP_NAME}", "Мои счета")) <= 40, value
    # every LangString the pages use has both languages
    for name, langs in strings.items():
        assert set(langs) == {"RUSSIAN", "ENGLISH"}, name


def test_a_busy_file_asks_retry_in_russian_when_interactive() -> None:
    """The interactive installer keeps its «Повтор»/«Отмена» box for a busy program file (the
    silent one exits 2: tests/installer/test_windows_wine.py); a person sees it only on
    Windows, so here the script is read: the box, its default for /S, and its Russian text."""
    text = NSI.read_bytes().decode("utf-8-sig")
    assert re.search(r'MessageBox MB_RETRYCANCEL\|MB_ICONEXCLAMATION "\$\(BusyText\)" '
                     r"/SD IDCANCEL IDRETRY \w+", text)  # fmt: skip
    busy = _lang_strings(text)["BusyText"]
    assert "«Повтор»" in busy["RUSSIAN"] and "«Отмена»" in busy["RUSSIAN"]
    assert "Retry" in busy["ENGLISH"]
    assert re.search(r"^AllowSkipFiles off", text, re.MULTILINE)  # never skipped silently
