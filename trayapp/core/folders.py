"""The exchange folder tree: creation, atomic writes and moves, sha256, file numbering.

Names of the folders are part of the contract (spec/domain.md). A file is written to a
hidden temporary name in its target folder, flushed, fsynced, then ``os.replace``d; a move
between folders of the tree is an ``os.replace``. Temporary names start with ``.~`` and are
never listed. No database, no HTTP here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from trayapp.core.formats import FileName, parse_name
from trayapp.errors import GenerationError
from trayapp.fsutil import (  # the atomic-write helpers live below settings and core
    BUSY_DELAYS,
    CHUNK,
    HIDDEN,
    SYSTEM,
    TEMP_PREFIX,
    atomic_file,
    fsync_dir,
    os_error,
    remove_file,
    replace_file,
    retry_busy,
    set_hidden,
    sha256_file,
    write_atomic,
)
from trayapp.private import private_dir

__all__ = ["BUSY_DELAYS", "CHUNK", "TEMP_PREFIX", "atomic_file", "fsync_dir", "os_error",
           "remove_file", "replace_file", "retry_busy", "set_hidden", "sha256_file",
           "write_atomic", "ExchangeTree", "is_junk"]  # fmt: skip

log = logging.getLogger(__name__)

OUTGOING = "Исходящие"
SENT = "Отправлены"
PROCESSED = "Обработаны"
ERRORS = "Ошибки"
INCOMING = "Входящие"
STALE_TEMP_SECONDS = 3600.0  # a temporary file untouched this long was left by a crash
# names Windows Explorer, Office and the like leave in a folder (never registries)
JUNK_NAMES = frozenset({"desktop.ini", "thumbs.db", "ehthumbs.db", ".ds_store"})
JUNK_PREFIXES = ("~$", TEMP_PREFIX, ".")


def is_junk(folder: Path, name: str) -> bool:
    """A file nobody put there to be sent: desktop.ini, Thumbs.db, Office's ``~$`` lock
    files, our temp files, hidden or system files (Windows attributes, or a leading dot)."""
    if name.lower() in JUNK_NAMES or name.startswith(JUNK_PREFIXES):
        return True
    if sys.platform == "win32":
        try:
            attrs = os.stat(folder / name).st_file_attributes
        except OSError:
            return False
        return bool(attrs & (HIDDEN | SYSTEM))
    return False


def _any_case(name: str) -> FileName | None:
    """The registry name ``name`` is in any case (``DEBTS_20261106_001.TXT``), or None."""
    return parse_name("_".join(part.capitalize() for part in name.split("_")))


class ExchangeTree:
    """The folder tree under the accountant's exchange folder."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.outgoing = self.root / OUTGOING
        self.sent = self.root / SENT
        self.sent_ok = self.sent / PROCESSED
        self.sent_error = self.sent / ERRORS
        self.incoming = self.root / INCOMING
        self.incoming_done = self.incoming / PROCESSED
        self.incoming_error = self.incoming / ERRORS

    @property
    def folders(self) -> tuple[Path, ...]:
        return (
            self.outgoing,
            self.sent,
            self.sent_ok,
            self.sent_error,
            self.incoming,
            self.incoming_done,
            self.incoming_error,
        )

    def ensure(self) -> ExchangeTree:
        """Create the tree where it is missing (first use)."""
        for folder in self.folders:
            try:
                private_dir(folder)  # personal data: the user's alone (POSIX)
            except OSError as exc:
                raise os_error(exc, str(folder)) from exc
        return self

    def names(self, folder: Path) -> list[str]:
        """Registry and answer files of ``folder`` (valid names only), sorted by name."""
        try:
            entries = os.listdir(folder)
        except FileNotFoundError:
            return []
        return sorted(n for n in entries if parse_name(n) and (folder / n).is_file())

    def others(self, folder: Path) -> list[str]:
        """Files of ``folder`` that are not registries or answers, nor junk (``is_junk``)."""
        try:
            entries = os.listdir(folder)
        except FileNotFoundError:
            return []
        return sorted(
            n
            for n in entries
            if not parse_name(n) and not is_junk(folder, n) and (folder / n).is_file()
        )

    def find(self, name: str) -> Path | None:
        """Where a file of that name lies in the tree, if anywhere."""
        for folder in self.folders:
            p = folder / name
            if p.is_file():
                return p
        return None

    def move(self, src: Path, folder: Path) -> Path:
        """Move a file into another folder of the tree (same volume: ``os.replace``)."""
        dst = folder / src.name
        replace_file(src, dst)
        try:
            fsync_dir(folder)
        except OSError as exc:
            raise os_error(exc, f"{src} -> {folder}") from exc
        return dst

    def next_number(self, kind: str, day: date) -> int:
        """The next ``NNN`` of ``kind`` on ``day``: highest found anywhere in the tree + 1.

        Names are compared in any case: on Windows ``debts_20261106_001.txt`` (a copy the
        accountant left, not a registry) is the file ``Debts_20261106_001.txt`` would replace.
        """
        top = 0
        for folder in self.folders:
            try:
                entries = os.listdir(folder)
            except FileNotFoundError:
                continue
            for n in entries:
                fn: FileName | None = _any_case(n)
                if fn and not fn.is_ack and fn.kind == kind and fn.day == day:
                    top = max(top, fn.number)
        if top >= 999:
            raise GenerationError(
                f"за {day:%d.%m.%Y} уже сформировано 999 файлов этого вида: номера кончились"
            )
        return top + 1

    def clean_temp(self, older_than: float = STALE_TEMP_SECONDS) -> int:
        """Remove temporary files left by an interrupted write; returns how many.

        In ``Входящие`` (only the exchange session, which holds its lock, writes there) all
        of them; elsewhere only those untouched for ``older_than`` seconds: a generation or
        an acceptance running beside the session writes its own there, and they must survive.
        """
        removed = 0
        limit = time.time() - older_than
        mine = (self.incoming, self.incoming_done, self.incoming_error)
        for folder in self.folders:
            try:
                entries = os.listdir(folder)
            except FileNotFoundError:
                continue
            for n in entries:
                if n.startswith(TEMP_PREFIX):
                    with contextlib.suppress(OSError):
                        if folder in mine or os.stat(folder / n).st_mtime < limit:
                            os.unlink(folder / n)
                            removed += 1
        if removed:
            log.info("removed %d temporary files left by an interrupted run", removed)
        return removed
