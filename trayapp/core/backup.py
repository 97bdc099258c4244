"""Making backups of a home (spec/backup.md): one ZIP an accountant can open in Explorer.

``make_backup`` writes ``trayapp-<ИНН>-<YYYYMMDD-HHMMSS>.zip`` into the backup folder: the
exchange folder and the reports (walked first), ``settings.json`` (no password ever lives
there), ``database.sqlite`` taken with SQLite's online backup (a consistent copy while the
tray and a session write; never a copy of the file), and ``manifest.json`` last. Members are
streamed (never the ZIP in memory) into a hidden temporary file, fsynced, renamed, then read
back and verified (``backup_verify``) before it counts; only then are old ones pruned by the
spec's rule (``to_prune``). Any failure removes what was written and raises ``BackupError``
in Russian; the home is only read. One backup at a time per home (a file lock beside the
database's data). The folder (names, ``list_backups``, the verified state, pruning) is
``backup_folder``'s, re-exported here. No GUI.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import filelock

from trayapp.core import events
from trayapp.core.backup_folder import (
    BEFORE,
    FAILED,
    MONTHS_KEPT,
    NAME,
    BackupInfo,
    backup_name,
    backups_in,
    check_target,
    clean_temp,
    created_of,
    info_of,
    list_backups,
    prune,
    remember,
    same_disk,
    size_of,
    state_file,
    to_prune,
    verified_state,
)
from trayapp.core.backup_verify import (
    DB_MEMBER,
    FORMAT,
    MANIFEST,
    SETTINGS_MEMBER,
    integrity,
    verify,
)  # fmt: skip
from trayapp.core.db import Database
from trayapp.core.db.schema import VERSION
from trayapp.core.folders import INCOMING
from trayapp.core.formats import parse_name
from trayapp.core.progress import Progress, no_progress
from trayapp.errors import AppError, BackupError
from trayapp.fsutil import CHUNK, TEMP_PREFIX, fsync_dir, os_error, replace_file, set_hidden
from trayapp.paths import AppPaths
from trayapp.settings import Settings
from trayapp.version import version

log = logging.getLogger(__name__)

# the backup folder's names, listing and pruning live in backup_folder: served here as before
__all__ = [
    "BEFORE", "FAILED", "LEVEL", "LOCK_WAIT", "MONTHS_KEPT", "NAME", "BackupInfo",
    "backup_lock", "backup_name", "backups_in", "check_target", "clean_temp", "created_of",
    "info_of", "list_backups", "lock_of", "make_backup", "prune", "remember", "same_disk",
    "to_prune", "verified_state",
]  # fmt: skip

LOCK_WAIT = 600.0  # a second backup waits for the first (a large home: a minute or two)
LEVEL = 1  # deflate: 5 times faster than the default 6, the ZIP 10-20 % larger
_LEVEL_ATTR = "compress_level" if hasattr(zipfile.ZipInfo("x"), "compress_level") else \
    "_compresslevel"  # Python 3.13 renamed it  # fmt: skip


def lock_of(paths: AppPaths) -> filelock.FileLock:
    return filelock.FileLock(str(paths.data_dir / "trayapp.backup.lock"))


@contextlib.contextmanager
def backup_lock(paths: AppPaths, wait: float = LOCK_WAIT) -> Iterator[None]:
    """One backup (or restore) of this home at a time; ``BackupError`` after ``wait`` s."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    lock = lock_of(paths)
    try:
        lock.acquire(timeout=wait)
    except filelock.Timeout as exc:
        raise BackupError("резервная копия уже делается; повторите позже") from exc
    try:
        yield
    finally:
        lock.release()


def _org(db: Database | None) -> tuple[str | None, str]:
    if db is None:
        return None, ""
    with contextlib.suppress(AppError):
        row = db.one("SELECT inn, name FROM org WHERE id = 1")
        if row is not None:
            return str(row[0]), str(row[1])
    return None, ""


class _Writer:
    """Members streamed into an open ZIP, each hashed as it goes."""

    def __init__(self, zf: zipfile.ZipFile, progress: Progress, total: int) -> None:
        self.zf, self.progress, self.total, self.done = zf, progress, total, 0
        self.members: list[dict[str, Any]] = []

    def add_file(self, src: Path, arcname: str) -> None:
        try:
            info = zipfile.ZipInfo.from_file(src, arcname, strict_timestamps=False)
            f = open(src, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:  # moved by a session running beside us: it is elsewhere
            log.info("%s vanished during the backup", src)
            return
        info.compress_type = zipfile.ZIP_DEFLATED
        setattr(info, _LEVEL_ATTR, LEVEL)  # a ZipInfo given to open() keeps its own level
        h, size = hashlib.sha256(), 0
        with f, self.zf.open(info, "w", force_zip64=info.file_size > (1 << 30)) as out:
            while chunk := f.read(CHUNK):
                h.update(chunk)
                out.write(chunk)
                size += len(chunk)
                self.done += len(chunk)
                self.progress("backup", self.done, self.total)
        self.members.append({"path": arcname, "size": size, "sha256": h.hexdigest()})

    def add_bytes(self, data: bytes, arcname: str, when: datetime) -> None:
        info = zipfile.ZipInfo(arcname, when.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zf.writestr(info, data)
        if arcname != MANIFEST:
            self.members.append({"path": arcname, "size": len(data),
                                 "sha256": hashlib.sha256(data).hexdigest()})  # fmt: skip


def _walk(root: Path, prefix: str) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    if not root.is_dir():
        return out
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith(TEMP_PREFIX))
        for n in sorted(names):
            if not n.startswith(TEMP_PREFIX):
                p = Path(d) / n
                out.append((p, f"{prefix}/{p.relative_to(root).as_posix()}"))
    return out


def _registries(members: list[dict[str, Any]]) -> int:
    """Received registries among the members (Payments, Readings under Входящие)."""
    n = 0
    for m in members:
        parts = str(m["path"]).split("/")
        fn = parse_name(parts[-1])
        if len(parts) >= 3 and parts[0] == "exchange" and parts[1] == INCOMING and fn \
                and not fn.is_ack:  # fmt: skip
            n += 1
    return n


def _copy_database(db: Database, target: Path) -> int:
    """SQLite's online backup of ``db`` into ``target`` (one step: a consistent snapshot that
    writers of WAL do not restart); the copy's schema version."""
    src = sqlite3.connect(str(db.path), timeout=30)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
            row = dst.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            dst.execute("PRAGMA journal_mode = DELETE")  # the copy is one file, no -wal
        finally:
            dst.close()
    finally:
        src.close()
    return int(row[0]) if row else 0


def make_backup(db: Database | None, paths: AppPaths, settings: Settings,
                folder: Path | None = None, clock: Callable[[], datetime] = datetime.now,
                progress: Progress = no_progress, suffix: str = "", locked: bool = False,
                record: bool = True, notify: bool = False) -> BackupInfo:  # fmt: skip
    """Write, verify and prune (see the module docstring); ``locked``: the caller holds
    ``backup_lock`` already (a restore's safety copy); ``record``: an event in «События»;
    ``notify``: a failure shown as a notification too (nobody asked for this backup)."""
    try:
        if locked:
            info = _make(db, paths, settings, folder, clock, progress, suffix)
        else:
            with backup_lock(paths):
                info = _make(db, paths, settings, folder, clock, progress, suffix)
    except AppError as exc:
        if record and db is not None:
            _event(db, exc.message if exc.message.startswith(FAILED) else FAILED + exc.message,
                   "error", seen=not notify)  # fmt: skip
        raise
    if record and db is not None:
        mb = f"{info.size / 1_000_000:.1f}".replace(".", ",")
        _event(db, f"Резервная копия сделана: {info.file} ({mb} МБ, реестров получено: "
                   f"{info.registries})", "info", True)  # fmt: skip
    return info


def _event(db: Database, text: str, level: str, seen: bool) -> None:
    try:
        with db.transaction():
            events.record(db, text, level, seen)
    except AppError:  # the database itself may be what failed
        log.warning("cannot record the event %r", text, exc_info=True)


def _make(db: Database | None, paths: AppPaths, settings: Settings, folder: Path | None,
          clock: Callable[[], datetime], progress: Progress, suffix: str) -> BackupInfo:  # fmt: skip
    target = folder or settings.backup_dir(paths)
    check_target(target, create=folder is None and not settings.backup_folder)
    clean_temp(target)
    with contextlib.suppress(OSError):  # a note of a verification a kill cut short
        for n in os.listdir(paths.data_dir):
            if n.startswith(f"{TEMP_PREFIX}{state_file(paths).name}."):
                os.unlink(paths.data_dir / n)
    inn, org_name = _org(db)
    now = clock().replace(microsecond=0)
    when = now
    while (target / backup_name(inn, when, suffix)).exists():
        when += timedelta(seconds=1)
    final = target / backup_name(inn, when, suffix)
    files = _walk(settings.exchange_folder(paths), "exchange") + _walk(paths.reports_dir, "reports")
    sqlite = db is not None and db.dialect == "sqlite"
    total = sum(size_of(p) for p, _ in files) + (size_of(db.path) if sqlite and db else 0)
    tmp = dbcopy = None
    checked = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{final.name}.", dir=target)
        set_hidden(tmp)
        schema = VERSION
        with os.fdopen(fd, "w+b") as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED, allowZip64=True,
                                 compresslevel=LEVEL) as zf:  # fmt: skip
                w = _Writer(zf, progress, total)
                for p, arc in files:
                    w.add_file(p, arc)
                public = {k: v for k, v in asdict(settings).items() if "password" not in k}
                w.add_bytes(json.dumps(public, ensure_ascii=False, indent=2).encode(),
                            SETTINGS_MEMBER, now)  # fmt: skip
                if sqlite and db is not None:
                    dfd, dbcopy = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}trayapp-db.", dir=target)
                    os.close(dfd)
                    schema = _copy_database(db, Path(dbcopy))
                    with ThreadPoolExecutor(1) as pool:  # SQLite checks while zlib packs
                        result = pool.submit(integrity, Path(dbcopy))
                        w.add_file(Path(dbcopy), DB_MEMBER)
                    if result.result() != "ok":
                        raise BackupError(f"{FAILED}база данных повреждена ({result.result()}): "
                                          "обратитесь к администратору")  # fmt: skip
                    checked = w.members[-1]["sha256"]
                elif db is not None:
                    schema = int(db.scalar("SELECT value FROM meta WHERE key = 'schema_version'"))
                manifest = {"format": FORMAT, "created": now.strftime("%d.%m.%Y %H:%M:%S"),
                            "version": version(), "schema": schema, "inn": inn,
                            "name": org_name, "coding": settings.coding,
                            "database": "sqlite" if sqlite else "postgresql",
                            "registries": _registries(w.members),
                            "members": w.members}  # fmt: skip
                w.add_bytes(json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
                            MANIFEST, now)  # fmt: skip
            f.flush()
            os.fsync(f.fileno())
        set_hidden(tmp, False)
        replace_file(tmp, final)
        tmp = None
        fsync_dir(target)
    except OSError as exc:
        raise BackupError(FAILED + os_error(exc, str(target)).message) from exc
    except sqlite3.Error as exc:
        text = "нет места на диске" if "full" in str(exc) else f"ошибка базы данных ({exc})"
        raise BackupError(f"{FAILED}{text}: {target}") from exc
    finally:
        for leftover in (tmp, dbcopy):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    os.unlink(leftover)
    v = verify(final, progress, checked)
    remember(paths, v)
    if not v.ok:
        with contextlib.suppress(OSError):
            os.unlink(final)
        raise BackupError(f"{FAILED}записанная копия не прошла проверку: " + "; ".join(v.faults))
    prune(target, inn, settings.backup_keep, final, paths)
    return info_of(final, v, True)
