"""Making backups of a home (spec/backup.md): one ZIP an accountant can open in Explorer.

``make_backup`` writes ``trayapp-<ИНН>-<YYYYMMDD-HHMMSS>.zip`` into the backup folder: the
exchange folder and the reports (walked first), ``settings.json`` (no password ever lives
there), ``database.sqlite`` taken with SQLite's online backup (a consistent copy while the
tray and a session write; never a copy of the file), and ``manifest.json`` last. Members are
streamed (never the ZIP in memory) into a hidden temporary file, fsynced, renamed, then read
back and verified (``backup_verify``) before it counts; only then are old ones pruned by the
spec's rule (``to_prune``). Any failure removes what was written and raises ``BackupError``
in Russian; the home is only read. One backup at a time per home (a file lock beside the
database's data). ``list_backups`` reads the folder. No GUI.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import filelock

from trayapp.core import events
from trayapp.core.backup_verify import (
    DB_MEMBER,
    FORMAT,
    MANIFEST,
    SETTINGS_MEMBER,
    Verification,
    integrity,
    read_manifest,
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

NAME = re.compile(r"trayapp-(\d{10}|\d{12}|noorg)-(\d{8}-\d{6})(-before-restore)?\.zip", re.ASCII)
BEFORE = "-before-restore"
LOCK_WAIT = 600.0  # a second backup waits for the first (a large home: a minute or two)
MONTHS_KEPT = 12
LEVEL = 1  # deflate: 5 times faster than the default 6, the ZIP 10-20 % larger
_LEVEL_ATTR = "compress_level" if hasattr(zipfile.ZipInfo("x"), "compress_level") else \
    "_compresslevel"  # Python 3.13 renamed it  # fmt: skip
FAILED = "Резервная копия не сделана: "


@dataclass(frozen=True, slots=True)
class BackupInfo:
    file: Path
    size: int
    members: int
    registries: int
    verified: bool | None  # None: not verified since it was made or changed
    created: str = ""
    inn: str = ""
    name: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "size": self.size, "members": self.members,
                "registries": self.registries, "verified": self.verified,
                "created": self.created, "inn": self.inn, "name": self.name}  # fmt: skip


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


def check_target(folder: Path, create: bool) -> None:
    """The backup folder exists and is a folder (``create``: made when missing)."""
    for step in (folder, *folder.parents):
        if step.exists():
            if not step.is_dir():
                raise BackupError(f"{FAILED}{step} — это файл, а не каталог")
            break
    if not folder.is_dir():
        if not create:
            raise BackupError(f"{FAILED}каталог {folder} не найден (не вставлена флешка, "
                              "нет сетевого диска?)")  # fmt: skip
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupError(FAILED + os_error(exc, str(folder)).message) from exc


def same_disk(a: Path, b: Path) -> bool:
    """Whether two folders (or their nearest existing parents) lie on one disk: a backup
    there does not survive the disk (``st_dev``: the volume's serial number on Windows)."""

    def dev(p: Path) -> int | None:
        for step in (p, *p.parents):
            try:
                return os.stat(step).st_dev
            except OSError:
                continue
        return None

    da, db = dev(a), dev(b)
    return da is not None and da == db


def backup_name(inn: str | None, when: datetime, suffix: str = "") -> str:
    return f"trayapp-{inn or 'noorg'}-{when:%Y%m%d-%H%M%S}{suffix}.zip"


def created_of(name: str) -> datetime | None:
    m = NAME.fullmatch(name)
    return datetime.strptime(m.group(2), "%Y%m%d-%H%M%S") if m else None


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
            if n.startswith(f"{TEMP_PREFIX}{_state_file(paths).name}."):
                os.unlink(paths.data_dir / n)
    inn, org_name = _org(db)
    now = clock().replace(microsecond=0)
    when = now
    while (target / backup_name(inn, when, suffix)).exists():
        when += timedelta(seconds=1)
    final = target / backup_name(inn, when, suffix)
    files = _walk(settings.exchange_folder(paths), "exchange") + _walk(paths.reports_dir, "reports")
    sqlite = db is not None and db.dialect == "sqlite"
    total = sum(_size(p) for p, _ in files) + (_size(db.path) if sqlite and db else 0)
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


def _size(p: Path) -> int:
    try:
        return p.stat().st_size
    except OSError:
        return 0


def clean_temp(folder: Path) -> None:
    """Remove what an interrupted backup left in ``folder`` (the caller holds the lock)."""
    with contextlib.suppress(OSError):
        for n in os.listdir(folder):
            if n.startswith((f"{TEMP_PREFIX}trayapp-", f"{TEMP_PREFIX}probe.")):
                with contextlib.suppress(OSError):
                    os.unlink(folder / n)


def info_of(path: Path, v: Verification | None, verified: bool | None) -> BackupInfo:
    m = v.manifest if v is not None and v.manifest else {}
    return BackupInfo(path, _size(path), len(m.get("members", [])) + 1 if m else 0,
                      int(m.get("registries", 0)), verified, str(m.get("created", "")),
                      str(m.get("inn") or ""), str(m.get("name") or ""))  # fmt: skip


# ---------------------------------------------------------------------------- the folder


def _state_file(paths: AppPaths) -> Path:
    return paths.data_dir / "backups-verified.json"


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def remember(paths: AppPaths, v: Verification) -> None:
    """Note the outcome of a verification, keyed by the file's size and time (a file
    changed since is «not verified» again)."""
    from trayapp.fsutil import write_atomic

    f = _state_file(paths)
    try:
        data = json.loads(f.read_text(encoding="utf-8")) if f.exists() else {}
        data = {k: x for k, x in data.items() if Path(k).exists()} if isinstance(data, dict) else {}
        data[str(v.file.resolve())] = {"stamp": _stamp(v.file), "ok": v.ok}
        write_atomic(f, json.dumps(data, ensure_ascii=False).encode())
    except (OSError, ValueError, AppError):
        log.warning("cannot note the verification of %s", v.file, exc_info=True)


def verified_state(paths: AppPaths, path: Path) -> bool | None:
    try:
        data = json.loads(_state_file(paths).read_text(encoding="utf-8"))
        entry = data[str(path.resolve())]
        return bool(entry["ok"]) if entry["stamp"] == _stamp(path) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def backups_in(folder: Path, inn: str | None = None) -> list[Path]:
    """Backups in ``folder`` (of one org when ``inn`` is given), newest first."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    out = [folder / n for n in names
           if NAME.fullmatch(n) and (inn is None or n.split("-")[1] == (inn or "noorg"))]  # fmt: skip
    return sorted(out, key=lambda p: (created_of(p.name) or datetime.min, p.name), reverse=True)


def list_backups(paths: AppPaths, folder: Path) -> list[BackupInfo]:
    """Each backup of ``folder``, newest first, with what its manifest says (not verified
    here: ``verified`` is what the last verification found, None when not since made)."""
    out = []
    for p in backups_in(folder):
        try:
            with zipfile.ZipFile(p) as zf:
                v = Verification(p, [], read_manifest(zf))
            out.append(info_of(p, v, verified_state(paths, p)))
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError):
            out.append(BackupInfo(p, _size(p), 0, 0, False))
    return out


def to_prune(names: list[str], keep: int, today: date) -> list[str]:
    """Which backups go (backup.md): the last ``keep`` stay, and of the older ones the newest
    of each of the last 12 months; the rest go."""
    dated = sorted(((created_of(n) or datetime.min, n) for n in names), reverse=True)
    months = {((today.year * 12 + today.month - 1 - i) // 12,
               (today.year * 12 + today.month - 1 - i) % 12 + 1) for i in range(MONTHS_KEPT)}  # fmt: skip
    seen: set[tuple[int, int]] = set()
    out = []
    for when, n in dated[keep:]:
        month = (when.year, when.month)
        if month in months and month not in seen:
            seen.add(month)
        else:
            out.append(n)
    return out


def prune(folder: Path, inn: str | None, keep: int, newest: Path, paths: AppPaths) -> None:
    """Delete the backups the rule lets go, only those older than ``newest`` (just verified)."""
    mine = backups_in(folder, inn)
    limit = created_of(newest.name) or datetime.max
    for n in to_prune([p.name for p in mine], keep, (created_of(newest.name) or limit).date()):
        if (created_of(n) or limit) < limit:
            log.info("pruning the old backup %s", n)
            with contextlib.suppress(OSError):
                os.unlink(folder / n)
