"""Two associations never share an exchange folder or an SQLite file (associations.md).

Real processes: the default home is ``TRAYAPP_HOME`` (so the per-user list of associations,
``associations.json`` in its config folder, is the test's own), a second home is listed
beside it; setting the other's folder or database is refused with exit 1, naming it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ORG = "inn;name;bank_account;bik\n{inn};{name};40703810000000000001;045004774\n"
FIRST = ("5405001114", "ТСЖ «Берёзка»")
SECOND = ("5406002225", "ТСЖ «Сосны»")


def trayapp(tmp: Path, *args: str, stdin: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    e = dict(os.environ, TRAYAPP_HOME=str(tmp / "first"), XDG_CONFIG_HOME=str(tmp / "xdg"))
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "trayapp", *args], capture_output=True,
                          text=True, input=stdin, env=e, timeout=120)  # fmt: skip


def ok(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 0, r.stderr
    return r.stdout


def load_org(tmp: Path, home_args: list[str], inn: str, name: str) -> None:
    f = tmp / f"org_{inn}.csv"
    f.write_text(ORG.format(inn=inn, name=name), encoding="utf-8")
    ok(trayapp(tmp, *home_args, "import", "org", str(f)))


def write_list(tmp: Path) -> Path:
    """The list as `assoc add` leaves it: the default home first, then the second home."""
    second = tmp / "second"
    f = tmp / "first" / "associations.json"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(json.dumps({"associations": [
        {"name": FIRST[1], "home": None}, {"name": SECOND[1], "home": str(second)}]},
        ensure_ascii=False), encoding="utf-8")  # fmt: skip
    return second


@pytest.fixture()
def two(tmp_path: Path) -> Path:
    second = write_list(tmp_path)
    load_org(tmp_path, [], *FIRST)
    load_org(tmp_path, ["--home", str(second)], *SECOND)
    return second


def shown(tmp: Path, *home_args: str) -> dict[str, str]:
    data: dict[str, str] = json.loads(ok(trayapp(tmp, *home_args, "--json", "settings", "show")))
    return data


def test_another_associations_exchange_folder_is_refused(tmp_path: Path, two: Path) -> None:
    theirs = shown(tmp_path)["folder"]
    before = shown(tmp_path, "--home", str(two))["folder"]
    r = trayapp(tmp_path, "--home", str(two), "settings", "set", "folder", theirs)
    assert r.returncode == 1
    assert f"каталог обмена {theirs} уже использует {FIRST[1]}:" in r.stderr
    assert shown(tmp_path, "--home", str(two))["folder"] == before  # nothing saved
    # a folder of one's own is taken; then the first may not take it
    own = str(tmp_path / "Обмен Сосны")
    ok(trayapp(tmp_path, "--home", str(two), "settings", "set", "folder", own))
    r = trayapp(tmp_path, "settings", "set", "folder", own)
    assert r.returncode == 1 and f"уже использует {SECOND[1]}:" in r.stderr
    # the same folder written another way (a trailing separator, a relative path) too
    r = trayapp(tmp_path, "settings", "set", "folder", own + os.sep)
    assert r.returncode == 1 and f"{SECOND[1]}:" in r.stderr


def test_another_associations_database_file_is_refused(tmp_path: Path, two: Path) -> None:
    theirs = shown(tmp_path)["database"]
    r = trayapp(tmp_path, "--home", str(two), "settings", "set", "database", theirs)
    assert r.returncode == 1
    assert f"файл базы данных {theirs} уже использует {FIRST[1]}:" in r.stderr
    assert shown(tmp_path, "--home", str(two))["database"] != theirs


def test_a_folder_shared_before_the_check_stops_the_exchange(tmp_path: Path, two: Path) -> None:
    """Two settings files that name one folder (written before this version): no session,
    the message names the other association; nothing is sent anywhere."""
    theirs = shown(tmp_path)["folder"]
    f = two / "settings.json"
    data = {"folder": theirs, "server_url": "http://127.0.0.1:9", "login": "demo"}
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = trayapp(tmp_path, "--home", str(two), "exchange", env={"TRAYAPP_PASSWORD": "demo"})
    assert r.returncode == 1 and f"уже использует {FIRST[1]}:" in r.stderr
