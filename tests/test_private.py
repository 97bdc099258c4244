"""Personal data is the user's alone (POSIX): the database with its -wal/-shm, the log, the
reports, the settings and the exchange tree are created 0600 (files) and 0700 (folders),
whatever the umask the program was started with; older files open to others are mended."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from trayapp.core.db import Database
from trayapp.core.folders import ExchangeTree

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def open_to_others(root: Path) -> list[str]:
    """Every file or folder under ``root`` (itself included) with a group or other bit."""
    found = [] if mode(root) & 0o077 == 0 else [f"{oct(mode(root))} {root}"]
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = Path(d) / n
            if not p.is_symlink() and mode(p) & 0o077:
                found.append(f"{oct(mode(p))} {p}")
    return found


@pytest.fixture
def open_umask() -> object:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_database_and_its_wal_and_shm_are_private(tmp_path: Path, open_umask: object) -> None:
    db = Database(tmp_path / "data" / "trayapp.db")
    db.execute("INSERT INTO events (at, level, text) VALUES ('2026-11-06 10:00:00', 'info', 'x')")
    files = [tmp_path / "data" / n for n in ("trayapp.db", "trayapp.db-wal", "trayapp.db-shm")]
    assert all(f.is_file() for f in files)
    assert [mode(f) for f in files] == [0o600] * 3
    assert mode(tmp_path / "data") == 0o700
    db.close()


def test_an_old_database_open_to_others_is_mended(tmp_path: Path, open_umask: object) -> None:
    Database(tmp_path / "trayapp.db").close()
    os.chmod(tmp_path / "trayapp.db", 0o644)
    db = Database(tmp_path / "trayapp.db")
    assert mode(tmp_path / "trayapp.db") == 0o600
    db.close()


def test_exchange_tree_folders_are_private(tmp_path: Path, open_umask: object) -> None:
    tree = ExchangeTree(tmp_path / "a" / "Мои счета").ensure()
    assert {mode(f) for f in tree.folders} == {0o700}
    assert mode(tree.root) == 0o700 and mode(tmp_path / "a") == 0o700


def test_a_whole_demo_cycle_leaves_nothing_open_to_others(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.pop("TRAYAPP_HOME", None)
    r = subprocess.run(
        [sys.executable, "-m", "trayapp", "--home", str(home), "demo", "--accounts", "20",
         "--json", "--no-tray"],
        capture_output=True, text=True, env=env, timeout=300,
        preexec_fn=lambda: os.umask(0o022),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert any(a.get("report") for a in out["accepted"])
    names = {p.name for p in home.rglob("*")}
    assert {"trayapp.db", "Отчёты", "Исходящие"} <= names, names
    assert [n for n in names if n.endswith(".log")], names  # the log was written
    assert open_to_others(home) == []


def test_a_database_in_a_shared_folder_leaves_the_folder_as_it_was(
    tmp_path: Path, open_umask: object
) -> None:
    """A database file put in an existing folder (the user's own, or /tmp) makes the file
    private, never the folder: chmod 0700 of /tmp once broke every other program's use of it."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    own = tmp_path / "Документы"
    own.mkdir()
    os.chmod(own, 0o755)
    for folder in (shared, own):
        Database(folder / "trayapp.db").close()
        assert mode(folder / "trayapp.db") == 0o600
    assert mode(shared) == 0o1777 and mode(own) == 0o755


def test_an_old_open_folder_of_the_program_is_mended_but_not_a_sticky_one(
    tmp_path: Path, open_umask: object
) -> None:
    from trayapp.private import private_dir

    old = tmp_path / "logs"
    old.mkdir()
    os.chmod(old, 0o755)
    sticky = tmp_path / "tmp"
    sticky.mkdir()
    os.chmod(sticky, 0o1777)
    private_dir(old)
    private_dir(sticky)
    assert mode(old) == 0o700 and mode(sticky) == 0o1777
