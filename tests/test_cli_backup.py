"""The backup commands as a user runs them (spec/cli.md, spec/backup.md): real processes,
exit codes, the JSON shapes, the backup settings with their bounds, and the automatic backup
after a session that received files from the real emulator."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from tests.core.backup_home import copy_home, make_home
from tests.test_cli import run
from trayapp.emulator.server import Emulator
from trayapp.settings import MAX_BACKUP_KEEP


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return make_home(tmp_path_factory.mktemp("cli-backup"))


@pytest.fixture()
def home(origin: tuple[Path, str], tmp_path: Path) -> Path:
    return copy_home(origin[0], tmp_path / "home")


def test_backup_list_verify_restore_json(home: Path, tmp_path: Path) -> None:
    r = run(home, "backup", "--json")
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)
    assert set(b) == {"file", "size", "members", "registries", "verified"}
    assert b["verified"] is True and b["registries"] >= 2 and b["size"] == Path(b["file"]).stat().st_size
    with zipfile.ZipFile(b["file"]) as zf:
        assert b["members"] == len(zf.namelist())
    r = run(home, "backup", "list", "--json")
    items = json.loads(r.stdout)
    assert [i["file"] for i in items] == [b["file"]] and items[0]["created"] and items[0]["verified"]
    r = run(home, "backup", "verify")
    assert r.returncode == 0 and r.stdout.strip().endswith("копия в порядке")
    assert json.loads(run(home, "backup", "verify", "--json").stdout) == {
        "file": b["file"], "ok": True, "faults": []}
    r = run(home, "--json", "restore", Path(b["file"]).name)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["file"] == b["file"] and Path(data["before"]).name.endswith("-before-restore.zip")
    assert Path(data["home"]) == home.resolve()
    r = run(home, "restore", b["file"], "--to-home", str(tmp_path / "другой"), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["home"] == str((tmp_path / "другой").resolve())


def test_verify_of_a_damaged_backup_exits_1_naming_the_fault(home: Path) -> None:
    b = json.loads(run(home, "backup", "--json").stdout)
    path = Path(b["file"])
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if "Payments_" in n)
        info = zf.getinfo(name)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x55
    path.write_bytes(bytes(data))
    r = run(home, "backup", "verify", path.name)
    assert r.returncode == 1 and f"повреждён файл {name}" in r.stdout, r.stdout
    r = run(home, "backup", "list")
    assert "не проверялась" in r.stdout or "ПОВРЕЖДЕНА" in r.stdout
    r = run(home, "restore", path.name)
    assert r.returncode == 1 and "Восстановление не выполнено" in r.stderr and name in r.stderr
    r = run(home, "backup", "verify", "--all", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)[0]["ok"] is False


def test_backup_folder_faults_exit_1_in_russian(home: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    r = run(home, "backup", "--to", str(tmp_path / "file"))
    assert r.returncode == 1 and "это файл, а не каталог" in r.stderr
    r = run(home, "backup", "--to", str(tmp_path / "нет"))
    assert r.returncode == 1 and "не найден" in r.stderr
    assert run(home, "restore", "trayapp-1-nothing.zip").returncode == 1


def test_backup_settings_and_their_bounds(home: Path, tmp_path: Path) -> None:
    assert run(home, "settings", "set", "backup_keep", str(MAX_BACKUP_KEEP)).returncode == 0
    r = run(home, "settings", "set", "backup_keep", str(MAX_BACKUP_KEEP + 1))
    assert r.returncode == 1 and "backup_keep" in r.stderr and "от 1 до" in r.stderr
    assert run(home, "settings", "set", "backup_keep", "1").returncode == 0
    assert run(home, "settings", "set", "backup_keep", "0").returncode == 1
    assert run(home, "settings", "set", "backup_keep", "-1").returncode == 1
    assert run(home, "settings", "set", "backup_auto", "0").returncode == 0
    assert run(home, "settings", "set", "backup_auto", "2").returncode == 1
    r = run(home, "settings", "set", "backup_folder", str(tmp_path / "Копии"), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["backup_folder"] == str(tmp_path / "Копии")
    (tmp_path / "f").write_text("x")
    r = run(home, "settings", "set", "backup_folder", str(tmp_path / "f" / "x"))
    assert r.returncode == 1 and "это файл" in r.stderr
    ro = tmp_path / "ro"
    ro.mkdir()
    from tests.core.test_backup import _immutable

    _immutable(ro, True)
    try:
        r = run(home, "settings", "set", "backup_folder", str(ro))
        assert r.returncode == 1 and "нельзя записать" in r.stderr, r.stderr
    finally:
        _immutable(ro, False)
    assert os.listdir(ro) == []
    shown = json.loads(run(home, "settings", "show", "--json").stdout)
    assert shown["backup_keep"] == 1 and shown["backup_auto"] is False


def test_a_session_that_received_files_and_an_acceptance_make_a_backup(
    origin: tuple[Path, str], tmp_path: Path
) -> None:
    home = copy_home(origin[0], tmp_path / "home")
    folder = home / "data" / "backups"
    emu = Emulator(tmp_path / "emu", org=origin[1], seed=7)
    emu.start()
    try:
        run(home, "settings", "set", "server_url", emu.url)
        assert run(home, "generate", "debts").returncode == 0
        env = {"TRAYAPP_PASSWORD": "demo"}
        for _ in range(3):  # the owners answer the Debts sent: a later session receives
            r = run(home, "exchange", "--json", env=env)
            assert r.returncode == 0, r.stderr
            made = list(folder.glob("*.zip")) if folder.exists() else []
            assert len(made) == (1 if json.loads(r.stdout)["received"] else 0), r.stdout
            if made:
                break
        assert len(made) == 1
        with zipfile.ZipFile(made[0]) as zf:
            assert json.loads(zf.read("manifest.json"))["registries"] >= 2
        made[0].unlink()  # else the next is skipped: one a minute old exists
        pay = next(p for p in json.loads(run(home, "pending", "--json").stdout)
                   if p["kind"] == "PAYMENTS")  # fmt: skip
        assert run(home, "accept", pay["file"]).returncode == 0
        assert len(list(folder.glob("*.zip"))) == 1
        assert run(home, "settings", "set", "backup_auto", "0").returncode == 0
        for p in folder.glob("*.zip"):
            p.unlink()
        assert run(home, "exchange", env=env).returncode == 0
        assert not list(folder.glob("*.zip"))
    finally:
        emu.stop()


def test_a_home_made_by_restore_to_home_never_exchanges(
    origin: tuple[Path, str], tmp_path: Path
) -> None:
    """A copy opened to look at old data must not talk to the server: before, an exchange from
    it uploaded old confirmations and would have taken (and deleted on the server) registries
    meant for the current home."""
    home = copy_home(origin[0], tmp_path / "home")
    emu = Emulator(tmp_path / "emu", org=origin[1], seed=7)
    emu.start()
    try:
        assert run(home, "settings", "set", "server_url", emu.url).returncode == 0
        b = json.loads(run(home, "backup", "--json").stdout)
        old = tmp_path / "Старые данные"
        r = run(home, "restore", b["file"], "--to-home", str(old))
        assert r.returncode == 0, r.stderr
        assert "обмена с «Мои счета» из неё нет" in r.stdout
        shown = json.loads(run(old, "settings", "show", "--json").stdout)
        assert shown["server_url"] == "" and shown["schedule_minutes"] == 0
        before = sorted(p.relative_to(emu.data_dir) for p in emu.data_dir.rglob("*"))
        r = run(old, "exchange", "--json", env={"TRAYAPP_PASSWORD": "demo"})
        assert r.returncode != 0
        assert sorted(p.relative_to(emu.data_dir) for p in emu.data_dir.rglob("*")) == before
        r = run(home, "exchange", "--json", env={"TRAYAPP_PASSWORD": "demo"})
        assert r.returncode == 0, r.stderr  # the current home still exchanges
    finally:
        emu.stop()


def test_a_copy_made_elsewhere_is_explained_by_list(home: Path, tmp_path: Path) -> None:
    """`backup --to DIR` then `backup list` said «резервных копий нет», as if none was made."""
    stick = tmp_path / "Флешка Е"
    stick.mkdir()
    r = run(home, "backup", "--to", str(stick))
    assert r.returncode == 0, r.stderr
    made = next(stick.glob("*.zip"))
    assert "в «backup list» её нет" in r.stdout and str(made) in r.stdout
    r = run(home, "backup", "list")
    assert r.returncode == 0 and "в каталоге копий " in r.stdout and "резервных копий нет" in r.stdout
    r = run(home, "backup")
    assert r.returncode == 0 and "в «backup list» её нет" not in r.stdout
    r = run(home, "backup", "list")
    assert r.stdout.startswith("каталог копий ") and Path(json.loads(
        run(home, "backup", "list", "--json").stdout)[0]["file"]).name in r.stdout
