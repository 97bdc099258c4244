"""Bringing a backup back (spec/backup.md «Restore»), into the current home or a new one.

In place: the backup is verified, the home locked (refused while a tray icon, a session or an
acceptance of it runs, naming which), another org's backup refused unless the home has none,
a safety copy ``...-before-restore.zip`` made; then every part is extracted beside its place
(``.~restore-<token>-exchange``...), hashes checked again, and swapped in: the exchange
folder and the reports by two renames each, the settings by an atomic write (the locations
of this home kept: ``folder``, ``database``, ``backup_folder``, ``autostart``), the database
by SQLite's online backup into the live file (one transaction: connections other processes
hold stay valid). A journal file (``.~restore.json`` in the data folder) written before the
first change lets ``recover`` put the prior state back after a crash at any step, and an
error midway does the same at once. ``--to-home``: a new home built in a hidden sibling
folder and renamed into place; the current home is only read. No GUI.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import filelock

from trayapp import settings as settings_mod
from trayapp.core import backup as bk
from trayapp.core import events
from trayapp.core.backup_verify import (
    DB_MEMBER,
    SETTINGS_MEMBER,
    DamagedMember,
    Member,
    copy_member,
    members_of,
    verify,
)  # fmt: skip
from trayapp.core.db import Database, open_database
from trayapp.core.db.schema import VERSION
from trayapp.core.lock import acceptance_lock, session_lock_of
from trayapp.core.progress import Progress, no_progress
from trayapp.errors import AppError, BackupError
from trayapp.fsutil import TEMP_PREFIX, fsync_dir, os_error, write_atomic
from trayapp.paths import AppPaths
from trayapp.settings import Settings

log = logging.getLogger(__name__)

MARKER = f"{TEMP_PREFIX}restore.json"
KEPT = ("folder", "database", "backup_folder", "autostart")  # where this home's parts lie
NOT_DONE = "Восстановление не выполнено: "


@dataclass(frozen=True, slots=True)
class RestoreResult:
    file: Path
    home: Path
    before: Path | None

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.file), "home": str(self.home),
                "before": str(self.before) if self.before else None}  # fmt: skip


def _checked(backup: Path, progress: Progress) -> dict[str, Any]:
    v = verify(backup, progress)
    if not v.ok or v.manifest is None:
        raise BackupError(f"{NOT_DONE}копия {backup.name} повреждена: " + "; ".join(v.faults))
    m = v.manifest
    if int(m.get("schema", 0)) > VERSION:
        raise BackupError(f"{NOT_DONE}копия сделана более новой версией программы "
                          f"({m.get('version')}): обновите программу")  # fmt: skip
    return m


def _extract(zf: zipfile.ZipFile, m: Member, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        try:
            bk_info = zf.getinfo(m.path)
            copy_member(zf, bk_info, m, out)
        except (DamagedMember, KeyError) as exc:
            raise BackupError(f"{NOT_DONE}повреждён файл {m.path} ({exc})") from exc
        out.flush()
        os.fsync(out.fileno())
    ts = bk_info.date_time
    with contextlib.suppress(ValueError, OSError, OverflowError):
        t = datetime(*ts).timestamp()
        os.utime(target, (t, t))


def _extract_folder(zf: zipfile.ZipFile, members: list[Member], prefix: str, target: Path) -> None:
    target.mkdir(parents=True)
    for m in members:
        if m.path.startswith(prefix + "/"):
            _extract(zf, m, target.joinpath(*m.path.split("/")[1:]))


def _need_space(manifest: dict[str, Any], where: Path) -> None:
    need = sum(m.size for m in members_of(manifest)) * 2
    with contextlib.suppress(OSError):
        free = shutil.disk_usage(where).free
        if free < need:
            raise BackupError(f"{NOT_DONE}нет места на диске: нужно {need // 1_000_000 + 1} МБ, "
                              f"свободно {free // 1_000_000} МБ ({where})")  # fmt: skip


def _settings_from(zf: zipfile.ZipFile, manifest: dict[str, Any], base: Settings,
                   keep: Settings) -> Settings:  # fmt: skip
    """The backup's settings, checked as if typed, with this home's locations (``KEPT``)."""
    s = base
    with contextlib.suppress(KeyError, ValueError, UnicodeError):
        data = json.loads(zf.read(SETTINGS_MEMBER).decode("utf-8"))
        for key, value in data.items():
            if key in settings_mod.KEYS and key not in KEPT:
                try:
                    s = settings_mod.set_value(
                        s, key, str(int(value)) if isinstance(value, bool) else str(value))
                except AppError:
                    log.warning("restore: the backup's %s refused", key)
    return replace(s, **{k: getattr(keep, k) for k in KEPT})


# ---------------------------------------------------------------------------- a new home


def restore_to_home(backup: Path, home: Path, progress: Progress = no_progress) -> RestoreResult:
    """Make a home at ``home`` (empty or new) from ``backup``; nothing else is touched."""
    manifest = _checked(backup, progress)
    home = home.expanduser().resolve()
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise BackupError(f"{NOT_DONE}каталог {home} не пуст: укажите пустой или новый каталог")
    home.parent.mkdir(parents=True, exist_ok=True)
    _need_space(manifest, home.parent)
    for left in home.parent.glob(f"{TEMP_PREFIX}{home.name}.restore-*"):  # a killed one's
        shutil.rmtree(left, ignore_errors=True)
    build = home.parent / f"{TEMP_PREFIX}{home.name}.restore-{secrets.token_hex(4)}"
    try:
        paths = AppPaths(build, build / "data", build / "logs")
        final = AppPaths(home, home / "data", home / "logs")
        members = members_of(manifest)
        with zipfile.ZipFile(backup) as zf:
            paths.data_dir.mkdir(parents=True)
            _extract_folder(zf, members, "exchange", paths.default_exchange_folder)
            if any(m.path.startswith("reports/") for m in members):
                _extract_folder(zf, members, "reports", paths.reports_dir)
            pg = manifest.get("database") == "postgresql"
            s = _settings_from(zf, manifest, Settings(), Settings())
            old = _backup_settings(zf)
            # A copy to look at old data never exchanges: a session from it would upload
            # old confirmations and take (and delete on the server) registries meant for
            # the current home. No server, no schedule, no autostart.
            s = replace(s, schedule_minutes=0, autostart=False, server_url="",
                        database=str(old.get("database", "")) if pg else "")  # fmt: skip
            settings_mod.save(paths, s)
            if not pg:
                m = next(x for x in members if x.path == DB_MEMBER)
                _extract(zf, m, paths.default_database)
        if home.exists():
            home.rmdir()
        os.replace(build, home)
        fsync_dir(home.parent)
        if not pg:
            Database(final.default_database).close()  # brought to this version's schema
    except OSError as exc:
        raise BackupError(NOT_DONE + os_error(exc, str(home)).message) from exc
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return RestoreResult(backup, home, None)


def _backup_settings(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        data = json.loads(zf.read(SETTINGS_MEMBER).decode("utf-8"))
        return data if isinstance(data, dict) else {}
    except (KeyError, ValueError, UnicodeError):
        return {}


# ---------------------------------------------------------------------------- in place


def _tray_locks(paths: AppPaths) -> list[Path]:
    """The locks a tray serving this home holds: its own, and, for a home in the list of
    associations, the one tray's of the list (associations.md)."""
    out = [paths.lock_file]
    try:
        from trayapp import associations

        listed = associations.list_file().exists()  # else the default home alone
        if listed and associations.of_home(paths, associations._load()) is not None:
            common = associations.default_paths().lock_file
            if common != paths.lock_file:
                out.append(common)
    except (AppError, OSError, ValueError):
        log.warning("the list of associations is unreadable", exc_info=True)
    return out


@contextlib.contextmanager
def home_locks(paths: AppPaths, db: Database, tray_held: bool) -> Iterator[None]:
    """Every lock of the home, or ``BackupError`` naming what runs."""
    with ExitStack() as stack:
        restore = filelock.FileLock(str(paths.data_dir / "trayapp.restore.lock"), timeout=0)
        try:
            restore.acquire()
        except filelock.Timeout as exc:
            raise BackupError(f"{NOT_DONE}восстановление уже идёт") from exc
        stack.callback(restore.release)
        for held in ([] if tray_held else _tray_locks(paths)):
            tray = filelock.FileLock(str(held), timeout=0)
            try:
                tray.acquire()
            except filelock.Timeout as exc:
                raise BackupError(f"{NOT_DONE}работает значок «Мои счета» этой программы: "
                                  "закройте его (меню значка — «Выход») и повторите") from exc  # fmt: skip
            stack.callback(tray.release)
        session = session_lock_of(db)
        if not session.try_exchange_lock():
            holder = session.exchange_holder()
            who = f" (компьютер {holder[0]} с {holder[1]})" if holder else ""
            raise BackupError(f"{NOT_DONE}идёт сеанс обмена{who}: дождитесь его конца")
        stack.callback(session.release_exchange_lock)
        try:
            stack.enter_context(acceptance_lock(db, wait=0))
        except AppError as exc:
            raise BackupError(f"{NOT_DONE}идёт приём реестра: дождитесь его конца") from exc
        stack.enter_context(bk.backup_lock(paths, wait=0))
        yield


def restore_in_place(backup: Path, paths: AppPaths, settings: Settings,
                     clock: Callable[[], datetime] = datetime.now,
                     progress: Progress = no_progress, tray_held: bool = False
                     ) -> RestoreResult:  # fmt: skip
    """Restore ``backup`` into the home of ``paths`` (see the module docstring); a refusal
    or a failure is an event in «События» too."""
    try:
        return _restore_in_place(backup, paths, settings, clock, progress, tray_held)
    except AppError as exc:
        try:
            db = open_database(settings.database_target(paths))
            try:
                with db.transaction():
                    events.record(db, exc.message, "error", seen=True)
            finally:
                db.close()
        except AppError:
            log.warning("cannot record the failed restore", exc_info=True)
        raise


def _restore_in_place(backup: Path, paths: AppPaths, settings: Settings,
                      clock: Callable[[], datetime], progress: Progress, tray_held: bool
                      ) -> RestoreResult:  # fmt: skip
    manifest = _checked(backup, progress)
    pg_backup = manifest.get("database") == "postgresql"
    db = open_database(settings.database_target(paths))
    try:
        if (db.dialect == "postgresql") != pg_backup:
            where = "PostgreSQL" if pg_backup else "SQLite"
            raise BackupError(f"{NOT_DONE}копия сделана с базой {where}, а программа работает "
                              f"с базой {db.label}")  # fmt: skip
        with home_locks(paths, db, tray_held):
            inn = bk._org(db)[0]
            theirs = manifest.get("inn")
            if inn and theirs != inn:
                raise BackupError(f"{NOT_DONE}копия другого ТСЖ (ИНН {theirs or 'не загружен'}), "
                                  f"а в программе ТСЖ с ИНН {inn}")  # fmt: skip
            _need_space(manifest, paths.data_dir)
            before = bk.make_backup(db, paths, settings, clock=clock, suffix=bk.BEFORE,
                                    locked=True, record=False)  # fmt: skip
            _swap(backup, manifest, paths, settings, db, before.file)
        with contextlib.suppress(AppError), db.transaction():
            events.record(db, f"Восстановлено из резервной копии {backup.name}; прежнее "
                              f"состояние сохранено в {before.file}")  # fmt: skip
    finally:
        db.close()
    if not pg_backup:
        Database(settings.database_path(paths)).close()  # an older copy's schema brought up
    return RestoreResult(backup, paths.config_dir, before.file)


def _parts(paths: AppPaths, settings: Settings, token: str) -> list[dict[str, Any]]:
    out = []
    for prefix, place in (("exchange", settings.exchange_folder(paths).resolve()),
                          ("reports", paths.reports_dir.resolve())):  # fmt: skip
        out.append({"prefix": prefix, "current": str(place), "existed": place.exists(),
                    "staged": str(place.parent / f"{TEMP_PREFIX}restore-{token}-{prefix}"),
                    "old": str(place.parent / f"{TEMP_PREFIX}restore-{token}-{prefix}-old")})
    return out


def _swap(backup: Path, manifest: dict[str, Any], paths: AppPaths, settings: Settings,
          db: Database, before: Path) -> None:  # fmt: skip
    token = secrets.token_hex(4)
    sfile = paths.settings_file
    journal: dict[str, Any] = {"state": "staging", "before": str(before), "parts": _parts(paths, settings, token),
               "settings": str(sfile),
               "settings_old": sfile.read_text(encoding="utf-8") if sfile.exists() else None,
               "db": str(db.path) if db.dialect == "sqlite" else None,
               "db_staged": str(paths.data_dir / f"{TEMP_PREFIX}restore-{token}.sqlite")}  # fmt: skip
    marker = paths.data_dir / MARKER
    write_atomic(marker, json.dumps(journal, ensure_ascii=False).encode())
    loaded = False
    try:
        members = members_of(manifest)
        with zipfile.ZipFile(backup) as zf:
            for part in journal["parts"]:
                _extract_folder(zf, members, part["prefix"], Path(part["staged"]))
            if journal["db"]:
                m = next(x for x in members if x.path == DB_MEMBER)
                _extract(zf, m, Path(journal["db_staged"]))
            new_settings = _settings_from(zf, manifest, settings, settings)
        journal["state"] = "swapping"
        write_atomic(marker, json.dumps(journal, ensure_ascii=False).encode())
        for part in journal["parts"]:
            cur = Path(part["current"])
            if part["existed"]:
                os.replace(cur, part["old"])
            os.replace(part["staged"], cur)
            fsync_dir(cur.parent)
        settings_mod.save(paths, new_settings)
        if journal["db"]:
            _load_database(Path(journal["db_staged"]), Path(journal["db"]))
            loaded = True
        journal["state"] = "done"
        write_atomic(marker, json.dumps(journal, ensure_ascii=False).encode())
    except BaseException as exc:
        log.error("restore failed midway: putting the prior state back", exc_info=True)
        _roll_back(journal, database=loaded)  # a load that failed changed nothing
        _finish(marker, journal)
        if isinstance(exc, OSError):
            raise BackupError(NOT_DONE + os_error(exc, str(paths.data_dir)).message) from exc
        if isinstance(exc, sqlite3.Error):
            raise BackupError(f"{NOT_DONE}ошибка базы данных ({exc})") from exc
        raise
    _finish(marker, journal)


def _load_database(src: Path, live: Path) -> None:
    """The content of ``src`` into the live database file, in one transaction of its own."""
    s = sqlite3.connect(str(src))
    try:
        d = sqlite3.connect(str(live), timeout=60)
        try:
            s.backup(d)
        finally:
            d.close()
    finally:
        s.close()


def _roll_back(journal: dict[str, Any], database: bool = True) -> None:
    """Put back what a restore changed (any state, any number of times); ``database``: the
    database too (after a crash nobody knows whether its load committed)."""
    swapping = journal["state"] == "swapping"
    for part in reversed(journal["parts"]):
        cur, old = Path(part["current"]), Path(part["old"])
        if old.exists():
            if cur.exists():
                os.replace(cur, part["staged"] + "-new")
            os.replace(old, cur)
        elif swapping and not part["existed"] and cur.exists() and not Path(part["staged"]).exists():
            os.replace(cur, part["staged"] + "-new")
    if swapping:
        text = journal["settings_old"]
        if text is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(journal["settings"])
        else:
            write_atomic(Path(journal["settings"]), text.encode("utf-8"))
        if journal["db"] and database:  # maybe replaced already: the safety copy's database goes back
            with zipfile.ZipFile(journal["before"]) as zf:
                manifest = json.loads(zf.read("manifest.json").decode("utf-8"))
                m = next(x for x in members_of(manifest) if x.path == DB_MEMBER)
                staged = Path(journal["db_staged"] + "-before")
                _extract(zf, m, staged)
            _load_database(staged, Path(journal["db"]))


def _finish(marker: Path, journal: dict[str, Any]) -> None:
    """Remove what the restore left beside the home, then the journal."""
    for part in journal["parts"]:
        for p in (part["staged"], part["staged"] + "-new", part["old"]):
            shutil.rmtree(p, ignore_errors=True)
    for suffix in ("", "-before", "-journal"):
        with contextlib.suppress(OSError):
            os.unlink(journal["db_staged"] + suffix)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(marker)
    with contextlib.suppress(OSError):
        fsync_dir(marker.parent)


def recover(paths: AppPaths) -> bool:
    """After a crash during a restore: the prior state back (or, when the restore was done,
    its leftovers removed). True when there was something to do. Called at every start."""
    marker = paths.data_dir / MARKER
    if not marker.exists() and not _sweep(paths.data_dir, f"{TEMP_PREFIX}{MARKER}.", dry=True):
        return False
    lock = filelock.FileLock(str(paths.data_dir / "trayapp.restore.lock"), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:  # a restore runs now: it is not a crash's
        return False
    try:
        _sweep(paths.data_dir, f"{TEMP_PREFIX}{MARKER}.")  # a journal a kill left half-written
        if not marker.exists():  # taken by the restore that held the lock: it finished
            return False
        try:
            journal = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("unreadable restore journal %s: removed", marker)
            marker.unlink()
            return True
        if journal.get("state") != "done":
            log.warning("a restore was interrupted: putting the prior state back")
            _roll_back(journal)
        _finish(marker, journal)
        _sweep(paths.config_dir, f"{TEMP_PREFIX}{paths.settings_file.name}.")
        return True
    finally:
        lock.release()


def _sweep(folder: Path, prefix: str, dry: bool = False) -> bool:
    """Remove the temporary files of ``prefix`` in ``folder`` (``dry``: only say if any)."""
    try:
        found = [n for n in os.listdir(folder) if n.startswith(prefix)]
    except OSError:
        return False
    if not dry:
        for n in found:
            with contextlib.suppress(OSError):
                os.unlink(folder / n)
    return bool(found)
