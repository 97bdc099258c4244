"""Refusals of the command line said in Russian and nothing else (issue 16 item 5): a failed
.xlsx export, a server URL that does not parse, a folder with control characters."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_cli import run


def _lock(folder: Path, locked: bool) -> None:
    """A folder nobody can write into (root writes through a mode: ``chattr +i`` then)."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o500 if locked else 0o700)
        return
    r = subprocess.run(["chattr", "+i" if locked else "-i", str(folder)], capture_output=True)
    if r.returncode != 0 and locked:
        pytest.skip(f"chattr: {r.stderr.decode().strip()}")


@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    r = run(home, "demo", "--accounts", "20", "--no-tray",
            env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert r.returncode == 0, r.stderr
    return home


@pytest.fixture()
def locked(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "только чтение"
    folder.mkdir()
    _lock(folder, True)
    try:
        yield folder
    finally:
        _lock(folder, False)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_to_a_folder_that_cannot_be_written(
    demo: Path, locked: Path, tmp_path: Path, suffix: str
) -> None:
    out = locked / f"оплаты{suffix}"
    r = run(demo, "export", "payments", "--out", str(out))
    assert r.returncode == 1
    assert r.stdout == ""
    assert r.stderr == f"Не удалось записать файл {out}: нет прав на запись: {locked}\n"
    assert list(locked.iterdir()) == []
    # nothing was marked exported: the rows are all there the next time
    good = tmp_path / f"p{suffix}"
    r = run(demo, "--json", "export", "payments", "--out", str(good))
    assert r.returncode == 0 and json.loads(r.stdout)["rows"] > 0, r.stderr


def test_server_url_that_does_not_parse_names_the_reason(tmp_path: Path) -> None:
    r = run(tmp_path / "h", "settings", "set", "server_url", "http://[::1")
    assert r.returncode == 1
    assert r.stderr == ("адрес сервера http://[::1 не разбирается: не закрыта "
                        "квадратная скобка адреса IPv6 (пример: https://[2001:db8::1]/api/v1)\n")
    r = run(tmp_path / "h", "settings", "set", "server_url", "https://сервер:99999/api/v1")
    assert r.returncode == 1
    assert r.stderr == ("адрес сервера https://сервер:99999/api/v1 не "
                        "разбирается: порт — целое число от 1 до 65535\n")


@pytest.mark.parametrize("name", ["обмен\x1b[31m", "обмен\x07", "обмен\x00", "об\u202eмен",
                                  "обмен\nвторая"])
def test_folder_with_control_characters_is_refused(tmp_path: Path, name: str) -> None:
    home = tmp_path / "h"
    folder = tmp_path / name
    r = subprocess.run([sys.executable, "-m", "trayapp", "--home", str(home), "settings", "set",
                        "folder", str(folder)], capture_output=True, env=_env(),
                       timeout=120) if "\x00" not in name else None  # fmt: skip
    if r is None:  # a NUL cannot be passed in argv: through the function the CLI calls
        from trayapp.errors import SettingsError
        from trayapp.settings import Settings, set_value

        with pytest.raises(SettingsError, match="управляющ"):
            set_value(Settings(), "folder", str(folder))
        return
    err = r.stderr.decode("utf-8")
    assert r.returncode == 1, err
    assert "управляющие символы" in err and "\x1b" not in err and "\x07" not in err
    assert not folder.exists()
    shown = run(home, "settings", "show", "--json")
    assert json.loads(shown.stdout)["folder"] != str(folder)


def _env() -> dict[str, str]:
    e = dict(os.environ)
    e.pop("TRAYAPP_HOME", None)
    return e


def test_report_into_a_folder_that_cannot_be_written(demo: Path) -> None:
    reports = demo / "data" / "Отчёты"
    done = demo / "data" / "Мои счета" / "Входящие" / "Обработаны"
    name = next(p.name for p in done.iterdir() if p.name.startswith("Payments_"))
    _lock(reports, True)
    try:
        r = run(demo, "report", name, "--xlsx")
    finally:
        _lock(reports, False)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("нет прав на запись: ") and r.stderr.count("\n") == 1, r.stderr


@pytest.mark.parametrize("url", ["http://demo:demo@127.0.0.1:35793/api/v1",
                                 "https://user:secret@moischeta.example.ru/api/v1",
                                 "https://user@moischeta.example.ru/api/v1",
                                 "https://:secret@moischeta.example.ru/api/v1"])
def test_server_url_with_a_password_is_refused_and_never_echoed(tmp_path: Path, url: str) -> None:
    """cli.md: «a URL with a password is refused with exit 1». Before, it was stored in
    settings.json in plain text (and went into every backup) and printed by settings show."""
    home = tmp_path / "h"
    r = run(home, "settings", "set", "server_url", url)
    assert r.returncode == 1, r.stdout
    assert "логин и пароль в адресе не указываются" in r.stderr
    host = url.rpartition("@")[2]
    assert f"…@{host}" in r.stderr
    for secret in ("demo:demo", "secret", "user@"):
        assert secret not in r.stderr and secret not in r.stdout
    shown = run(home, "settings", "show")
    assert "@" not in shown.stdout
    for f in home.rglob("*.json"):
        assert "@" + host not in f.read_text(encoding="utf-8")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_folder_that_cannot_be_made_is_refused_in_russian(tmp_path: Path) -> None:
    """Before: «каталог обмена /proc/Обмен создать нельзя: No such file or directory»."""
    r = run(tmp_path / "h", "settings", "set", "folder", "/proc/Обмен")
    assert r.returncode == 1
    assert r.stderr.startswith("каталог обмена /proc/Обмен создать нельзя: ")
    assert not re.search(r"[A-Za-z]{3,}", r.stderr.replace("/proc/Обмен", "")), r.stderr


def test_os_reasons_are_russian() -> None:
    import errno

    from trayapp.fsutil import os_error, os_reason

    for code in (errno.ENOENT, errno.EACCES, errno.ENOTDIR, errno.EROFS, errno.EINVAL):
        exc = OSError(code, os.strerror(code))
        assert not re.search(r"[A-Za-z]{3,}", os_reason(exc)), os_reason(exc)
        assert not re.search(r"[A-Za-z]{3,}", os_error(exc, "Входящие").message)


def test_export_with_nothing_ever_accepted_does_not_say_already_exported(tmp_path: Path) -> None:
    """Before: «все принятые платежи уже выгружены» in a home where nothing was accepted."""
    home = tmp_path / "h"
    r = run(home, "export", "payments")
    assert r.returncode == 0, r.stderr
    assert "принятых реестров (платежи) нет" in r.stdout and "уже выгружены" not in r.stdout
    r = run(home, "export", "readings", "--all")
    assert r.returncode == 0 and "принятых реестров (показания) нет" in r.stdout


def test_settings_show_says_flags_as_settings_set_takes_them(tmp_path: Path) -> None:
    """Before: «verbose: False», «autostart: False» — Python's English."""
    home = tmp_path / "h"
    assert run(home, "settings", "set", "verbose", "1").returncode == 0
    out = run(home, "settings", "show").stdout
    assert "verbose: 1\n" in out and "autostart: 0\n" in out and "backup_auto: 1\n" in out
    assert "True" not in out and "False" not in out
