"""Retention of backups at its edges (backup.md «Kept»): the last ``backup_keep`` stay, and
older than those the newest of each of the last 12 months; pruning, run after a backup was
verified, never deletes one newer than it (another PC with its clock ahead writing to the
same network folder)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from trayapp.core import backup as bk
from trayapp.paths import AppPaths

INN = "5401000001"


def name(when: datetime) -> str:
    return bk.backup_name(INN, when)


def test_the_newest_of_a_month_older_than_the_last_ones_stays() -> None:
    """Four in December, three kept: the fourth is, older than those, the newest of December,
    and stays; a fifth of December goes."""
    dec = [name(datetime(2026, 12, 6, 10) - timedelta(hours=i)) for i in range(5)]
    assert bk.to_prune(dec, 3, date(2026, 12, 6)) == [dec[4]]
    assert bk.to_prune(dec, 1, date(2026, 12, 6)) == dec[2:]
    assert bk.to_prune(dec, 5, date(2026, 12, 6)) == []


def test_pruning_never_deletes_a_backup_newer_than_the_one_verified(tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    newest = datetime(2026, 12, 6, 9, 0)
    ahead = [name(datetime(2027, 3, 1, 9) + timedelta(hours=i)) for i in range(3)]  # another PC
    mine = [name(newest - timedelta(days=40 * i)) for i in range(3)]
    ancient = name(datetime(2025, 6, 1, 9))  # beyond the 12 months: goes
    for n in [*ahead, *mine, ancient]:
        (folder / n).write_bytes(b"zip")
    bk.prune(folder, INN, 1, folder / mine[0], AppPaths.resolve(tmp_path / "home"))
    left = {p.name for p in folder.iterdir()}
    assert set(ahead) <= left  # newer than the verified one: never deleted by it
    assert set(mine) <= left and ancient not in left
