"""Passwords of several associations (associations.md «Kept apart», issue 19 defect 4).

Real processes, a real file-based keyring backend (``tests/file_keyring.py``) and two real
emulators: two associations with one login on two servers keep two passwords; a password
stored under the login alone (before) is moved under the server and the login once; where no
keyring exists, ``TRAYAPP_PASSWORD_<INN>`` comes before ``TRAYAPP_PASSWORD``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from trayapp.emulator.server import Emulator

from .test_assoc_apart import FIRST, SECOND, load_org, write_list

ROOT = Path(__file__).resolve().parents[1]
LOGIN = "buh@mail.ru"  # one accountant's e-mail, the login of both
SERVICE = "trayapp-moischeta"


def trayapp(tmp: Path, *args: str, stdin: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    e = dict(os.environ, TRAYAPP_HOME=str(tmp / "first"), XDG_CONFIG_HOME=str(tmp / "xdg"),
             PYTHON_KEYRING_BACKEND="tests.file_keyring.FileKeyring",
             TRAYAPP_TEST_KEYRING=str(tmp / "keyring.json"), PYTHONPATH=str(ROOT))  # fmt: skip
    e.pop("TRAYAPP_PASSWORD", None)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "trayapp", *args], capture_output=True,
                          text=True, input=stdin, env=e, cwd=ROOT, timeout=120)  # fmt: skip


def ok(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture()
def servers(tmp_path: Path) -> Iterator[tuple[Emulator, Emulator]]:
    a = Emulator(tmp_path / "emu_a", login=LOGIN, password="пароль-Берёзки", org=FIRST[0],
                 residents=False)  # fmt: skip
    b = Emulator(tmp_path / "emu_b", login=LOGIN, password="пароль-Сосен", org=SECOND[0],
                 residents=False)  # fmt: skip
    a.start()
    b.start()
    yield a, b
    a.stop()
    b.stop()


def setup_two(tmp: Path, a: Emulator, b: Emulator) -> list[list[str]]:
    second = write_list(tmp)
    homes = [[], ["--home", str(second)]]
    for home, (inn, name), emu in zip(homes, (FIRST, SECOND), (a, b), strict=True):
        load_org(tmp, home, inn, name)
        ok(trayapp(tmp, *home, "settings", "set", "server_url", emu.url))
        ok(trayapp(tmp, *home, "settings", "set", "login", LOGIN))
    return homes


def keyring_file(tmp: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads((tmp / "keyring.json").read_text("utf-8"))
    return data


def test_one_login_on_two_servers_keeps_two_passwords(
    tmp_path: Path, servers: tuple[Emulator, Emulator]
) -> None:
    a, b = servers
    first, second = setup_two(tmp_path, a, b)
    ok(trayapp(tmp_path, *first, "settings", "password", stdin="пароль-Берёзки\n"))
    ok(trayapp(tmp_path, *second, "settings", "password", stdin="пароль-Сосен\n"))
    assert sorted(keyring_file(tmp_path).values()) == ["пароль-Берёзки", "пароль-Сосен"]
    for home in (first, second):  # each logs in with its own password
        out = json.loads(ok(trayapp(tmp_path, *home, "--json", "exchange")))
        assert out["errors"] == []


def test_a_password_stored_under_the_login_alone_is_moved_once(
    tmp_path: Path, servers: tuple[Emulator, Emulator]
) -> None:
    a, b = servers
    first, _ = setup_two(tmp_path, a, b)
    (tmp_path / "keyring.json").write_text(
        json.dumps({f"{SERVICE}\t{LOGIN}": "пароль-Берёзки"}), "utf-8")  # fmt: skip
    ok(trayapp(tmp_path, *first, "exchange"))
    assert keyring_file(tmp_path) == {f"{SERVICE}\t{a.url} {LOGIN}": "пароль-Берёзки"}
    ok(trayapp(tmp_path, *first, "exchange"))  # and from the new entry the next time


def test_password_of_the_inn_comes_before_the_common_one(
    tmp_path: Path, servers: tuple[Emulator, Emulator]
) -> None:
    a, b = servers
    first, second = setup_two(tmp_path, a, b)
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "TRAYAPP_PASSWORD": "пароль-Сосен",
           f"TRAYAPP_PASSWORD_{FIRST[0]}": "пароль-Берёзки"}  # fmt: skip
    ok(trayapp(tmp_path, *first, "exchange", env=env))
    ok(trayapp(tmp_path, *second, "exchange", env=env))  # no TRAYAPP_PASSWORD_<its INN>
    r = trayapp(tmp_path, *first, "exchange", env={**env, f"TRAYAPP_PASSWORD_{FIRST[0]}": ""})
    assert r.returncode == 1 and "неверный логин или пароль" in r.stderr
