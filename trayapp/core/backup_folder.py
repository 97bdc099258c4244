"""The backup folder (spec/backup.md): the names of backups, what a folder holds, which were
verified, and which the rule lets go.

A backup is ``trayapp-<ИНН>-<YYYYMMDD-HHMMSS>.zip`` (``-before-restore`` for the copy a
restore makes first). ``list_backups`` reads each one's manifest (not verified here: the
outcome of the last verification is remembered per file, keyed by its size and time);
``to_prune``/``prune`` keep the last N and the newest of each of the last 12 months.
``check_target`` and ``same_disk`` look at a folder before a backup goes there. Split from
``backup`` (the making of a backup), which re-exports these names. No GUI.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trayapp.core.backup_verify import Verification, read_manifest
from trayapp.errors import AppError, BackupError
from trayapp.fsutil import TEMP_PREFIX, os_error
from trayapp.paths import AppPaths

log = logging.getLogger(__name__)

NAME = re.compile(r"trayapp-(\d{10}|\d{12}|noorg)-(\d{8}-\d{6})(-before-restore)?\.zip", re.ASCII)
BEFORE = "-before-restore"
MONTHS_KEPT = 12
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


def size_of(p: Path) -> int:
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
    return BackupInfo(path, size_of(path), len(m.get("members", [])) + 1 if m else 0,
                      int(m.get("registries", 0)), verified, str(m.get("created", "")),
                      str(m.get("inn") or ""), str(m.get("name") or ""))  # fmt: skip


def state_file(paths: AppPaths) -> Path:
    return paths.data_dir / "backups-verified.json"


def _stamp(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def remember(paths: AppPaths, v: Verification) -> None:
    """Note the outcome of a verification, keyed by the file's size and time (a file
    changed since is «not verified» again)."""
    from trayapp.fsutil import write_atomic

    f = state_file(paths)
    try:
        data = json.loads(f.read_text(encoding="utf-8")) if f.exists() else {}
        data = {k: x for k, x in data.items() if Path(k).exists()} if isinstance(data, dict) else {}
        data[str(v.file.resolve())] = {"stamp": _stamp(v.file), "ok": v.ok}
        write_atomic(f, json.dumps(data, ensure_ascii=False).encode())
    except (OSError, ValueError, AppError):
        log.warning("cannot note the verification of %s", v.file, exc_info=True)


def verified_state(paths: AppPaths, path: Path) -> bool | None:
    try:
        data = json.loads(state_file(paths).read_text(encoding="utf-8"))
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
            out.append(BackupInfo(p, size_of(p), 0, 0, False))
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
