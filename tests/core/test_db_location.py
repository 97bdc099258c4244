"""Which database paths are on a network drive, and that SQLite drops WAL there."""

from __future__ import annotations

from pathlib import Path

import pytest

from trayapp.core.db import location
from trayapp.core.db.connection import Database

REMOTE = {"Z:\\": location.DRIVE_REMOTE, "C:\\": 3, "D:\\": 3}


def drive_type(root: str) -> int:
    return REMOTE.get(root.upper(), 1)


@pytest.mark.parametrize(
    ("path", "network"),
    [
        (r"\\server\share\trayapp\trayapp.db", True),
        ("//server/share/trayapp.db", True),
        (r"\\?\UNC\server\share\trayapp.db", True),
        (r"\\?\C:\Users\Бухгалтер\trayapp.db", False),
        (r"\\.\pipe\x", False),
        (r"Z:\Бухгалтерия\trayapp.db", True),  # a mapped drive
        (r"z:\trayapp.db", True),
        (r"C:\Users\Бухгалтер\AppData\Local\trayapp\trayapp.db", False),
        (r"D:\Обмен\trayapp.db", False),
        ("trayapp.db", False),
    ],
)
def test_windows_paths(path: str, network: bool) -> None:
    assert location.is_network_path(path, platform="win32", drive_type=drive_type) is network


MOUNTS = """\
/dev/sda1 / ext4 rw 0 0
server:/export /mnt/nfs nfs4 rw 0 0
//server/share /mnt/smb\\040share cifs rw 0 0
tmpfs /mnt/nfs/local tmpfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "network"),
    [
        ("/home/u/.local/share/trayapp/trayapp.db", False),
        ("/mnt/nfs/trayapp.db", True),
        ("/mnt/nfs/local/trayapp.db", False),  # the deeper mount wins
        ("/mnt/smb share/a/trayapp.db", True),
        ("/mnt/nfsx/trayapp.db", False),  # a prefix of the name is not the mount
    ],
)
def test_linux_mounts(path: str, network: bool) -> None:
    got = location.is_network_path(path, platform="linux", mounts=lambda: MOUNTS)
    assert got is network


def test_database_on_a_network_drive_uses_the_rollback_journal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = Database(tmp_path / "local.db")
    assert local.journal_mode == "WAL"
    assert local.scalar("PRAGMA journal_mode") == "wal"
    local.close()
    # the classification (tested above) says network: this machine has no share to test on
    monkeypatch.setattr(location, "is_network_path", lambda path: True)
    shared = Database(tmp_path / "local.db")  # an existing WAL database is converted
    assert shared.journal_mode == "DELETE"
    assert shared.scalar("PRAGMA journal_mode") == "delete"
    shared.close()
    assert not (tmp_path / "local.db-wal").exists()
