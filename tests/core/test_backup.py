"""Backups (spec/backup.md): what a backup holds, a consistent database copy while a writer
runs, the faults of the backup folder, verification of damaged files, restore in place and
into a new home, the refusals, a failure midway, retention and the automatic backups."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import filelock
import pytest

from tests.core.backup_home import (
    copy_home,
    db_of,
    make_home,
    paths_of,
    settings_of,
    snapshot,
    tree_of,
    write_settings,
)  # fmt: skip
from trayapp.core import backup as bk
from trayapp.core import backup_restore as br
from trayapp.core.accept import accept, list_pending
from trayapp.core.backup_auto import auto_backup, first_of_day
from trayapp.core.backup_verify import verify
from trayapp.core.lock import session_lock_of
from trayapp.errors import AcceptError, BackupError


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    return make_home(tmp_path_factory.mktemp("backup-origin"))


@pytest.fixture()
def home(origin: tuple[Path, str], tmp_path: Path) -> Path:
    return copy_home(origin[0], tmp_path / "home")


def backup(home: Path, **kw: Any) -> bk.BackupInfo:
    db = db_of(home)
    try:
        return bk.make_backup(db, paths_of(home), settings_of(home), **kw)
    finally:
        db.close()


def no_temp(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if n.startswith(".~")] if folder.is_dir() else []


def without_restore_events(snap: dict[str, Any]) -> dict[str, Any]:
    rows = dict(snap["rows"])
    rows["events"] = [e for e in rows["events"] if "Резервная копия" not in e
                      and "Восстановлено из" not in e
                      and "Восстановление не выполнено" not in e]  # fmt: skip
    return {**snap, "rows": rows}


# ---------------------------------------------------------------------------- what it holds


def test_a_backup_holds_the_home_with_a_manifest_of_hashes(home: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("TRAYAPP_PASSWORD", "s3cret-Пароль")
    info = backup(home)
    assert info.verified and info.file.parent == home / "data" / "backups"
    assert info.file.name.startswith("trayapp-") and info.file.name.endswith(".zip")
    with zipfile.ZipFile(info.file) as zf:
        names = set(zf.namelist())
        m = json.loads(zf.read("manifest.json"))
        for member in m["members"]:
            data = zf.read(member["path"])
            assert len(data) == member["size"]
            import hashlib

            assert hashlib.sha256(data).hexdigest() == member["sha256"]
        everything = b"".join(zf.read(n) for n in names)
    assert m["format"] == 1 and m["database"] == "sqlite" and m["coding"] == "GOROD"
    assert datetime.strptime(m["created"], "%d.%m.%Y %H:%M:%S")
    assert m["inn"] and m["name"] and m["schema"] >= 1 and m["version"]
    expected = {f"exchange/{p.relative_to(tree_of(home).root).as_posix()}"
                for p in tree_of(home).root.rglob("*") if p.is_file()}  # fmt: skip
    assert expected <= names and {"database.sqlite", "settings.json", "manifest.json"} <= names
    received = [n for n in names if n.startswith("exchange/Входящие/")
                and ("Payments_" in n or "Readings_" in n) and "Ack_" not in n]  # fmt: skip
    assert m["registries"] == len(received) == info.registries >= 2
    assert b"s3cret" not in everything and "Пароль".encode() not in everything
    assert "password" not in json.loads(zf_read(info.file, "settings.json"))
    assert no_temp(info.file.parent) == []


def zf_read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def test_the_database_copy_is_consistent_while_a_writer_runs(home: Path) -> None:
    """SQLite's online backup, not a file copy: another connection inserts all the time;
    the copy is whole and holds a prefix of the writer's rows, never a torn page."""
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        conn = sqlite3.connect(str(home / "data" / "trayapp.db"), timeout=30)
        conn.execute("CREATE TABLE IF NOT EXISTS t_load (n INTEGER, pad TEXT)")
        while not stop.is_set():
            with conn:
                conn.executemany("INSERT INTO t_load VALUES (?, ?)",
                                 [(written[0] + i, "x" * 200) for i in range(200)])  # fmt: skip
            written[0] += 200
        conn.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        while written[0] < 2000:
            pass
        infos = [backup(home) for _ in range(3)]
    finally:
        stop.set()
        t.join()
    for info in infos:
        assert verify(info.file).ok
        copy = home / "copy.sqlite"
        copy.write_bytes(zf_read(info.file, "database.sqlite"))
        conn = sqlite3.connect(str(copy))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n, top = conn.execute("SELECT COUNT(*), MAX(n) FROM t_load").fetchone()
        assert n % 200 == 0 and top == n - 1 and n >= 2000  # whole transactions only
        conn.close()
        copy.unlink()


def test_a_second_backup_in_the_same_second_gets_its_own_name(home: Path) -> None:
    at = datetime(2026, 11, 6, 10, 0, 0)
    a = backup(home, clock=lambda: at)
    b = backup(home, clock=lambda: at)
    assert a.file != b.file and a.file.exists() and b.file.exists()


# ---------------------------------------------------------------------------- faults


def _unchanged(home: Path, before: dict[str, Any]) -> None:
    assert without_restore_events(snapshot(home)) == without_restore_events(before)


def test_a_missing_backup_folder_is_refused(home: Path, tmp_path: Path) -> None:
    write_settings(home, backup_folder=str(tmp_path / "stick" / "Копии"))
    before = snapshot(home)
    with pytest.raises(BackupError) as e:
        backup(home)
    assert "не найден" in e.value.message and "флешка" in e.value.message
    assert not (tmp_path / "stick").exists()
    _unchanged(home, before)


def test_a_file_in_the_way_is_refused(home: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(BackupError) as e:
        backup(home, folder=tmp_path / "file" / "Копии")
    assert "это файл, а не каталог" in e.value.message


def _immutable(folder: Path, on: bool) -> None:
    if os.geteuid() != 0:
        os.chmod(folder, 0o500 if on else 0o700)
        return
    r = subprocess.run(["chattr", "+i" if on else "-i", str(folder)], capture_output=True)
    if r.returncode and on:
        pytest.skip(f"chattr: {r.stderr.decode().strip()}")


def test_a_folder_without_rights_is_refused(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    before = snapshot(home)
    _immutable(folder, True)
    try:
        with pytest.raises(BackupError) as e:
            backup(home, folder=folder)
        assert "нет прав на запись" in e.value.message, e.value.message
        assert os.listdir(folder) == []
    finally:
        _immutable(folder, False)
    _unchanged(home, before)


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "small"
    d.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(d)],
                       capture_output=True)  # fmt: skip
    if r.returncode:
        pytest.skip(f"no tmpfs: {r.stderr.decode().strip()}")
    try:
        yield d
    finally:
        subprocess.run(["umount", str(d)], check=False)


def test_a_full_disk_leaves_nothing_half_written(home: Path, small_disk: Path) -> None:
    (small_disk / "old.zip").write_bytes(b"y" * 1000)  # something of the user's stays
    (tree_of(home).root / "scan.pdf").write_bytes(os.urandom(400_000))  # does not compress
    before = snapshot(home)
    with pytest.raises(BackupError) as e:
        backup(home, folder=small_disk)
    assert "нет места на диске" in e.value.message, e.value.message
    assert sorted(os.listdir(small_disk)) == ["old.zip"]
    _unchanged(home, before)
    db = db_of(home)
    try:
        texts = [t for _, _, t in db.all("SELECT at, level, text FROM events WHERE level = 'error'")]
    finally:
        db.close()
    assert any(t.startswith("Резервная копия не сделана: нет места на диске") for t in texts)


# ---------------------------------------------------------------------------- verify


def _rewrite(src: Path, dst: Path, change: Any) -> Path:
    """A copy of the backup with its members passed through ``change(name, data)`` (None:
    left out), the manifest kept as it was."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


@pytest.fixture(scope="module")
def made(origin: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = copy_home(origin[0], tmp_path_factory.mktemp("made") / "home")
    return backup(home).file


def _registry_member(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return next(n for n in zf.namelist() if "/Входящие/" in n and "Payments_" in n)


def test_verify_names_a_changed_byte(made: Path, tmp_path: Path) -> None:
    name = _registry_member(made)
    bad = _rewrite(made, tmp_path / "bad.zip",
                   lambda n, d: d[:40] + bytes([d[40] ^ 1]) + d[41:] if n == name else d)  # fmt: skip
    v = verify(bad)
    assert v.faults == [f"повреждён файл {name} (контрольная сумма не совпадает)"]


def test_verify_finds_a_byte_changed_in_the_zip_itself(made: Path, tmp_path: Path) -> None:
    data = bytearray(made.read_bytes())
    with zipfile.ZipFile(made) as zf:
        info = zf.getinfo("database.sqlite")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF  # amid the compressed database (a byte of
    # a dynamic block's code table may change nothing inflated: not that one)
    bad = tmp_path / "flip.zip"
    bad.write_bytes(bytes(data))
    v = verify(bad)
    assert not v.ok and any("database.sqlite" in f for f in v.faults), v.faults


def test_verify_names_a_missing_member(made: Path, tmp_path: Path) -> None:
    name = _registry_member(made)
    v = verify(_rewrite(made, tmp_path / "bad.zip", lambda n, d: None if n == name else d))
    assert v.faults == [f"нет файла {name}"]


def test_verify_refuses_a_truncated_file(made: Path, tmp_path: Path) -> None:
    bad = tmp_path / "cut.zip"
    bad.write_bytes(made.read_bytes()[: made.stat().st_size // 2])
    v = verify(bad)
    assert len(v.faults) == 1 and "обрезана или повреждена" in v.faults[0]


def test_verify_refuses_a_zip_bomb_unread(made: Path, tmp_path: Path) -> None:
    """A member of 200 MB of zeros (a few hundred KB compressed), its manifest entry right:
    refused by its ratio without being inflated."""
    import hashlib

    size = 200 << 20
    h = hashlib.sha256()
    zero = bytes(1 << 20)
    for _ in range(size >> 20):
        h.update(zero)
    bad = tmp_path / "bomb.zip"
    with zipfile.ZipFile(made) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        m = json.loads(zin.read("manifest.json"))
        m["members"].append({"path": "reports/bomb.txt", "size": size, "sha256": h.hexdigest()})
        for info in zin.infolist():
            if info.filename != "manifest.json":
                zout.writestr(info.filename, zin.read(info))
        with zout.open("reports/bomb.txt", "w", force_zip64=True) as f:
            for _ in range(size >> 20):
                f.write(zero)
        zout.writestr("manifest.json", json.dumps(m))
    v = verify(bad)
    assert len(v.faults) == 1 and "reports/bomb.txt" in v.faults[0] and "ZIP-бомбу" in v.faults[0]


def test_verify_refuses_names_outside_the_home_and_members_not_listed(made: Path,
                                                                       tmp_path: Path) -> None:  # fmt: skip
    bad = tmp_path / "evil.zip"
    shutil.copy(made, bad)
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr("../../evil.txt", b"x")
        zf.writestr("exchange/extra.txt", b"x")
    faults = verify(bad).faults
    assert "недопустимое имя файла в копии: ../../evil.txt" in faults
    assert "лишний файл exchange/extra.txt (его нет в описи)" in faults


def test_verify_checks_the_database_itself(made: Path, tmp_path: Path) -> None:
    """A database copy whose hash is right but whose pages are not (written so): integrity."""
    import hashlib

    with zipfile.ZipFile(made) as zf:
        m = json.loads(zf.read("manifest.json"))
        db = bytearray(zf.read("database.sqlite"))
    probe = tmp_path / "probe.sqlite"
    probe.write_bytes(bytes(db))
    conn = sqlite3.connect(str(probe))
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'accounts'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    at = (root - 1) * size
    db[at + 8: at + 200] = b"\xff" * 192  # the accounts' b-tree page scribbled over
    for member in m["members"]:
        if member["path"] == "database.sqlite":
            member["sha256"] = hashlib.sha256(db).hexdigest()
    bad = _rewrite(made, tmp_path / "db.zip", lambda n, d: bytes(db) if n == "database.sqlite"
                   else json.dumps(m).encode() if n == "manifest.json" else d)  # fmt: skip
    v = verify(bad)
    assert len(v.faults) == 1 and v.faults[0].startswith("повреждена база данных"), v.faults


# ---------------------------------------------------------------------------- restore


def test_restore_in_place_brings_the_home_back_as_it_was(home: Path, origin: tuple[Path, str]) -> None:
    """Through the real emulator: a Payments registry accepted before the backup cannot be
    accepted twice after it; the one pending at the backup is pending again."""
    inn = origin[1]
    db = db_of(home)
    items = {p.kind: p for p in list_pending(db, tree_of(home), inn, "GOROD")}
    accept(db, tree_of(home), items["PAYMENTS"].file, inn, "GOROD", home / "data" / "Отчёты")
    db.close()
    at_backup = snapshot(home)
    info = backup(home)
    db = db_of(home)
    accept(db, tree_of(home), items["READINGS"].file, inn, "GOROD", home / "data" / "Отчёты")
    db.close()
    (tree_of(home).outgoing / "note.txt").write_text("later")
    write_settings(home, coding="OWN")
    r = br.restore_in_place(info.file, paths_of(home), settings_of(home))
    assert r.before is not None and r.before.name.endswith("-before-restore.zip")
    assert verify(r.before).ok
    got = without_restore_events(snapshot(home))
    want = without_restore_events(at_backup)
    assert got["files"] == want["files"] and got["rows"] == want["rows"]
    assert json.loads(got["settings"])["coding"] == "GOROD"
    db = db_of(home)
    try:
        pending = [p.file for p in list_pending(db, tree_of(home), inn, "GOROD")]
        assert pending == [items["READINGS"].file]
        with pytest.raises(AcceptError) as e:
            accept(db, tree_of(home), items["PAYMENTS"].file, inn, "GOROD", home / "r")
        assert "уже принят" in e.value.message or "не найден" in e.value.message
        assert any("Восстановлено из резервной копии" in t for _, _, t in
                   db.all("SELECT at, level, text FROM events"))  # fmt: skip
    finally:
        db.close()
    assert not [n for n in os.listdir(home / "data") if n.startswith(".~")]


def test_restore_to_a_new_home_leaves_the_current_one(home: Path, tmp_path: Path) -> None:
    info = backup(home)
    (tree_of(home).outgoing / "after.txt").write_text("x")
    before = snapshot(home)
    killed = tmp_path / ".~old data.restore-0badf00d"  # what a killed run left
    (killed / "data").mkdir(parents=True)
    r = br.restore_to_home(info.file, tmp_path / "old data")
    assert not killed.exists()
    assert r.home == (tmp_path / "old data").resolve()
    new = snapshot(r.home)
    assert {k.replace("Отчёты", "") for k in new["files"]} | {"data/Мои счета/Исходящие/after.txt"} \
        >= {k.replace("Отчёты", "") for k in before["files"]}  # fmt: skip
    s = json.loads((r.home / "settings.json").read_text(encoding="utf-8"))
    assert s["folder"] == "" and s["database"] == "" and s["schedule_minutes"] == 0
    _unchanged(home, before)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(BackupError) as e:
        br.restore_to_home(info.file, tmp_path / "full")
    assert "не пуст" in e.value.message


def _refused(home: Path, info: bk.BackupInfo, what: str) -> None:
    before = snapshot(home)
    n = len(os.listdir(info.file.parent))
    with pytest.raises(BackupError) as e:
        br.restore_in_place(info.file, paths_of(home), settings_of(home))
    assert what in e.value.message, e.value.message
    assert e.value.message.startswith("Восстановление не выполнено")
    _unchanged(home, before)
    db = db_of(home)
    try:  # the refusal is an event in «События»
        assert db.scalar("SELECT text FROM events ORDER BY id DESC LIMIT 1") == e.value.message
    finally:
        db.close()
    assert len(os.listdir(info.file.parent)) == n  # no safety copy either


def test_restore_is_refused_while_the_tray_runs(home: Path) -> None:
    info = backup(home)
    lock = filelock.FileLock(str(paths_of(home).lock_file))
    with lock:
        _refused(home, info, "работает значок")


def test_restore_is_refused_during_a_session_and_an_acceptance(home: Path) -> None:
    info = backup(home)
    db = db_of(home)
    try:
        s = session_lock_of(db)
        assert s.try_exchange_lock()
        try:
            _refused(home, info, "идёт сеанс обмена")
        finally:
            s.release_exchange_lock()
        done = threading.Event()
        go = threading.Event()

        def hold() -> None:  # another acceptance: a lock of its own on the same file
            with filelock.FileLock(str(db.path) + ".accept.lock", thread_local=False):
                go.set()
                done.wait(30)

        t = threading.Thread(target=hold)
        t.start()
        assert go.wait(10)
        try:
            _refused(home, info, "идёт приём реестра")
        finally:
            done.set()
            t.join()
    finally:
        db.close()


def test_restore_refuses_another_orgs_backup_and_a_damaged_one(home: Path, tmp_path: Path) -> None:
    info = backup(home)
    db = db_of(home)
    db.execute("UPDATE org SET inn = '7700000001'")
    db.close()
    _refused(home, info, "копия другого ТСЖ")
    bad = tmp_path / info.file.name
    bad.write_bytes(info.file.read_bytes()[:-100])
    with pytest.raises(BackupError) as e:
        br.restore_in_place(bad, paths_of(home), settings_of(home))
    assert "повреждена" in e.value.message


def test_another_orgs_backup_goes_into_a_home_without_org(home: Path, tmp_path: Path) -> None:
    info = backup(home)
    empty = tmp_path / "empty"
    write_settings(empty)
    db_of(empty).close()
    r = br.restore_in_place(info.file, paths_of(empty), settings_of(empty))
    assert r.before is not None and "noorg" in r.before.name
    db = db_of(empty)
    try:
        assert db.scalar("SELECT inn FROM org") == json.loads(zf_read(info.file, "manifest.json"))["inn"]
    finally:
        db.close()


def test_a_failure_midway_puts_the_current_state_back(home: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    info = backup(home)
    (tree_of(home).outgoing / "later.txt").write_text("later")
    write_settings(home, coding="OWN")
    before = snapshot(home)

    def broken(src: Path, live: Path) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(br, "_load_database", broken)
    with pytest.raises(BackupError) as e:
        br.restore_in_place(info.file, paths_of(home), settings_of(home))
    assert "ошибка базы данных" in e.value.message
    _unchanged(home, before)
    assert not [n for n in os.listdir(home / "data") if n.startswith(".~")]


# ---------------------------------------------------------------------------- retention, auto


def test_the_retention_rule() -> None:
    today = date(2026, 12, 6)

    def name(d: datetime) -> str:
        return bk.backup_name("5401000001", d)

    last = [name(datetime(2026, 12, 6, 10) - timedelta(hours=i)) for i in range(3)]
    monthly = [name(datetime(2026, 11 - i, 28, 9)) for i in range(5)]  # newest of each month
    older_in_month = [name(datetime(2026, 11 - i, 2, 9)) for i in range(5)]
    ancient = [name(datetime(2025, 11, 30, 9)), name(datetime(2024, 5, 1, 9))]
    gone = bk.to_prune(last + monthly + older_in_month + ancient, 3, today)
    assert sorted(gone) == sorted(older_in_month + ancient)
    assert bk.to_prune(last, 3, today) == []
    # twelve months: 01.2026 is the twelfth back from 12.2026, 12.2025 the thirteenth
    assert bk.to_prune([name(datetime(2026, 1, 5)), name(datetime(2025, 12, 31))], 0, today) \
        == [name(datetime(2025, 12, 31))]  # fmt: skip


def test_pruning_after_a_verified_backup_only(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    write_settings(home, backup_folder=str(folder), backup_keep=2)
    folder.mkdir()
    t0 = datetime(2026, 12, 6, 9, 0)
    made = [backup(home, clock=lambda i=i: t0 + timedelta(minutes=i)).file for i in range(4)]
    left = sorted(p.name for p in folder.glob("*.zip"))
    # the last two, and older than those the newest of the month (09:01); 09:00 goes
    assert left == sorted(p.name for p in made[1:])
    foreign = folder / bk.backup_name("7700000001", t0 - timedelta(days=400))
    shutil.copy(made[-1], foreign)  # another association's copy in the same folder: left alone
    backup(home, clock=lambda: t0 + timedelta(minutes=10))
    assert foreign.exists()


def test_automatic_backups_never_two_within_a_minute(home: Path) -> None:
    db = db_of(home)
    try:
        t = datetime(2026, 12, 6, 9, 0, 0)
        s = settings_of(home)
        r1 = auto_backup(db, paths_of(home), s, "test", clock=lambda: t)
        r2 = auto_backup(db, paths_of(home), s, "test", clock=lambda: t + timedelta(seconds=30))
        r3 = auto_backup(db, paths_of(home), s, "test", clock=lambda: t + timedelta(seconds=61))
        assert r1.info and r2.info is None and r3.info and r3.info.file != r1.info.file
        assert first_of_day(db, paths_of(home), s, clock=lambda: t + timedelta(hours=5)).info is None
        assert first_of_day(db, paths_of(home), s, clock=lambda: t + timedelta(days=1)).info
        from dataclasses import replace

        off = replace(s, backup_auto=False)
        assert auto_backup(db, paths_of(home), off, "test", clock=lambda: t + timedelta(days=2)).info is None
    finally:
        db.close()


def test_a_failed_automatic_backup_is_a_notification(home: Path, tmp_path: Path) -> None:
    write_settings(home, backup_folder=str(tmp_path / "gone"))
    db = db_of(home)
    try:
        r = auto_backup(db, paths_of(home), settings_of(home), "test")
        assert r.info is None and r.error and "не найден" in r.error
        unseen = db.all("SELECT text FROM events WHERE seen = 0 AND level = 'error'")
        assert any(str(t[0]).startswith("Резервная копия не сделана") for t in unseen)
    finally:
        db.close()


def test_the_backups_folder_is_beside_the_database(tmp_path: Path) -> None:
    from trayapp.settings import Settings

    p = paths_of(tmp_path / "h")
    assert Settings().backup_dir(p) == p.data_dir / "backups"
    assert Settings(database=str(tmp_path / "db" / "x.db")).backup_dir(p) == tmp_path / "db" / "backups"


def test_a_manifest_that_does_not_read(made: Path, tmp_path: Path) -> None:
    bad = _rewrite(made, tmp_path / "m.zip", lambda n, d: b"{not json" if n == "manifest.json" else d)
    faults = verify(bad).faults
    assert len(faults) == 1 and faults[0].startswith("опись manifest.json не читается")
    none = _rewrite(made, tmp_path / "n.zip", lambda n, d: None if n == "manifest.json" else d)
    assert verify(none).faults == ["нет описи manifest.json"]


def test_postgresql_backup_holds_everything_but_the_database(home: Path, fresh_pg: str,
                                                             tmp_path: Path) -> None:  # fmt: skip
    from trayapp.core import importer
    from trayapp.core.db import open_database

    pg_home = tmp_path / "pg"
    write_settings(pg_home, database=fresh_pg)
    shutil.copytree(tree_of(home).root, tree_of(pg_home).root)
    db = open_database(fresh_pg)
    try:
        importer.import_file(db, "org", _org_file(tmp_path))
        info = bk.make_backup(db, paths_of(pg_home), settings_of(pg_home))
    finally:
        db.close()
    with zipfile.ZipFile(info.file) as zf:
        m = json.loads(zf.read("manifest.json"))
        assert "database.sqlite" not in zf.namelist()
    assert m["database"] == "postgresql" and m["inn"] and info.verified
    assert "password" not in json.loads(zf_read(info.file, "settings.json"))
    (tree_of(pg_home).outgoing / "later.txt").write_text("x")
    r = br.restore_in_place(info.file, paths_of(pg_home), settings_of(pg_home))
    assert r.before is not None and not (tree_of(pg_home).outgoing / "later.txt").exists()
    sqlite_backup = backup(home)
    with pytest.raises(BackupError) as e:
        br.restore_in_place(sqlite_backup.file, paths_of(pg_home), settings_of(pg_home))
    assert "копия сделана с базой SQLite" in e.value.message


def _org_file(tmp_path: Path) -> Path:
    f = tmp_path / "org.csv"
    f.write_text("inn;name;bank_account;bik\n5401000001;ТСЖ «Берёзка»;40703810000000000001;"
                 "045004774\n", encoding="utf-8")  # fmt: skip
    return f


def test_restore_is_refused_while_the_one_tray_of_the_list_runs(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """associations.md: one tray serves every listed home, holding the default home's lock."""
    from trayapp import associations

    monkeypatch.setenv("TRAYAPP_HOME", str(tmp_path / "default"))
    associations.add("Второй", str(home))
    info = backup(home)
    with filelock.FileLock(str(associations.default_paths().lock_file)):
        _refused(home, info, "работает значок")
