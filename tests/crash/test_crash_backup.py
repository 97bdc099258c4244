"""The crash points of ``trayapp backup`` and ``trayapp restore`` (the harness of
test_crash_points.py: a subprocess killed with SIGKILL at the K-th file-system or database
step). After each kill, and the next start (which finishes or undoes an interrupted restore):

- the home is as it was: every file of the exchange folder and the reports, the settings and
  every row of the database (a restore: as before it, or, killed after its last change, as
  the backup holds it; never a mix);
- the backups there before are there byte for byte, and every backup in the folder verifies;
- nothing temporary is left once the next backup has run.

CI runs a sample of points; ``TRAYAPP_CRASH_FULL=1`` runs every one and prints the count.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.core.backup_home import copy_home, db_of, make_home, snapshot, tree_of, write_settings
from tests.crash.test_crash_points import child, points
from trayapp.core.accept import accept, list_pending
from trayapp.core.backup_verify import verify

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and the audit of POSIX calls")


def state(home: Path) -> dict[str, Any]:
    """``snapshot`` without the events a backup or a restore adds of itself."""
    snap = snapshot(home)
    rows = dict(snap["rows"])
    rows["events"] = [e for e in rows["events"] if "Резервная копия" not in e
                      and "Восстановлено из" not in e
                      and "Восстановление не выполнено" not in e]  # fmt: skip
    return {**snap, "rows": rows}


def backups(home: Path) -> dict[str, bytes]:
    folder = home / "data" / "backups"
    return {n: (folder / n).read_bytes() for n in os.listdir(folder) if n.endswith(".zip")
            and not n.startswith(".")} if folder.is_dir() else {}  # fmt: skip


def temps(home: Path) -> list[str]:
    out = []
    for d, dirs, names in os.walk(home):
        out += [os.path.join(d, n) for n in names + dirs if n.startswith(".~")]
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """(a home with one backup made, then changed: a registry accepted, a file added, the
    settings changed; its ИНН; the backup's name)."""
    root = tmp_path_factory.mktemp("crash-backup")
    home, inn = make_home(root)
    rc, _ = child(home, 0, "backup")
    assert rc == 0
    (name,) = backups(home)
    db = db_of(home)
    item = next(p for p in list_pending(db, tree_of(home), inn, "GOROD") if p.kind == "PAYMENTS")
    accept(db, tree_of(home), item.file, inn, "GOROD", home / "data" / "Отчёты")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    (tree_of(home).outgoing / "заметка.txt").write_text("после копии", encoding="utf-8")
    write_settings(home, coding="OWN")
    return home, inn, name


def test_backup_killed_at_each_step(base: tuple[Path, str, str], tmp_path: Path) -> None:
    home0, _, _ = base
    rc, total = child(copy_home(home0, tmp_path / "count"), 0, "backup")
    assert rc == 0 and total > 5
    want, had = state(home0), backups(home0)
    tried = 0
    for k in points(total):
        home = copy_home(home0, tmp_path / f"h{k}")
        rc, _ = child(home, k, "backup")
        assert rc in (-9, 0), k
        assert state(home) == want, k
        now = backups(home)
        assert {n: now[n] for n in had} == had, k  # the old ones untouched
        for n in now:
            assert verify(home / "data" / "backups" / n).ok, (k, n)
        rc, _ = child(home, 0, "backup")  # the next one works and sweeps what was left
        assert rc == 0 and temps(home) == [], (k, temps(home))
        tried += 1
    print(f"backup: {tried} crash points of {total} steps")


def test_restore_killed_at_each_step(base: tuple[Path, str, str], tmp_path: Path) -> None:
    home0, _, name = base
    done = copy_home(home0, tmp_path / "count")
    rc, total = child(done, 0, "restore", name)
    assert rc == 0 and total > 20
    prior, restored = state(home0), state(done)
    assert prior != restored
    had = backups(home0)
    tried = {"prior": 0, "restored": 0}
    for k in points(total):
        home = copy_home(home0, tmp_path / f"h{k}")
        rc, _ = child(home, k, "restore", name)
        assert rc in (-9, 0), k
        assert child(home, 0, "status")[0] == 0  # the next start finishes or undoes it
        got = state(home)
        assert got in (prior, restored), k
        if rc == 0:
            assert got == restored, k
        tried["prior" if got == prior else "restored"] += 1
        now = backups(home)
        assert {n: now[n] for n in had} == had, k
        for n in now:
            assert verify(home / "data" / "backups" / n).ok, (k, n)
        assert temps(home) == [] or child(home, 0, "backup")[0] == 0, k
        assert temps(home) == [], (k, temps(home))
    print(f"restore: {sum(tried.values())} crash points of {total} steps: {tried}")
