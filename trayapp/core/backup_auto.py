"""Automatic backups (spec/backup.md «When»): after a session that received a file, after an
acceptance or a posting, at the first start of a day, while ``backup_auto`` is on.

Never two at once: a second waits for the first, then is skipped when a backup a minute old
exists. A failure never fails the work that asked for the backup: it is an error event in
«События» (the tray shows unseen errors as a notification) and the text returned. No GUI.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from trayapp.core import backup as bk
from trayapp.core.db import Database
from trayapp.core.progress import Progress, no_progress
from trayapp.errors import AppError
from trayapp.paths import AppPaths
from trayapp.settings import Settings

log = logging.getLogger(__name__)

FRESH = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class AutoResult:
    info: bk.BackupInfo | None  # None: not made (off, or a fresh one exists)
    error: str | None = None


def _newest(paths: AppPaths, settings: Settings, db: Database) -> datetime | None:
    found = bk.backups_in(settings.backup_dir(paths), bk._org(db)[0])
    return bk.created_of(found[0].name) if found else None


def auto_backup(db: Database, paths: AppPaths, settings: Settings, reason: str,
                clock: Callable[[], datetime] = datetime.now,
                progress: Progress = no_progress) -> AutoResult:  # fmt: skip
    """A backup for ``reason`` (for the log) when the settings ask for one (see above)."""
    if not settings.backup_auto:
        return AutoResult(None)
    try:
        with bk.backup_lock(paths):
            newest = _newest(paths, settings, db)
            if newest is not None and abs(clock() - newest) < FRESH:
                log.info("auto backup (%s) skipped: one a minute old exists", reason)
                return AutoResult(None)
            log.info("auto backup: %s", reason)
            return AutoResult(bk.make_backup(db, paths, settings, clock=clock, progress=progress,
                                             locked=True, notify=True))  # fmt: skip
    except AppError as exc:
        log.warning("auto backup (%s) failed: %s", reason, exc.message)
        return AutoResult(None, exc.message)


def first_of_day(db: Database, paths: AppPaths, settings: Settings,
                 clock: Callable[[], datetime] = datetime.now,
                 progress: Progress = no_progress) -> AutoResult:  # fmt: skip
    """The first start of a day: a backup unless one was made today already."""
    if not settings.backup_auto:
        return AutoResult(None)
    newest = _newest(paths, settings, db)
    if newest is not None and newest.date() == clock().date():
        return AutoResult(None)
    return auto_backup(db, paths, settings, "first start of the day", clock, progress)
