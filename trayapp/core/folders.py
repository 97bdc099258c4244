"""The exchange folder tree: creation, atomic writes and moves, sha256, file numbering.

Names of the folders are part of the contract (spec/domain.md). A file is written to a
hidden temporary name in its target folder, flushed, fsynced, then ``os.replace``d; a move
between folders of the tree is an ``os.replace``. Temporary names start with ``.~`` and are
never listed. No database, no HTTP here.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import BinaryIO, TypeVar

from trayapp.core.formats import FileName, parse_name
from trayapp.errors import FolderError, GenerationError

log = logging.getLogger(__name__)

OUTGOING = "Исходящие"
SENT = "Отправлены"
PROCESSED = "Обработаны"
ERRORS = "Ошибки"
INCOMING = "Входящие"
TEMP_PREFIX = ".~"
CHUNK = 1 << 16
STALE_TEMP_SECONDS = 3600.0  # a temporary file untouched this long was left by a crash
# while Excel or an antivirus holds a file, Windows refuses to replace or delete it
# (WinError 5 access denied, 32 sharing violation, 33 lock violation): wait this long
BUSY_DELAYS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.5, 0.5)
_WIN_BUSY = (32, 33)
_WIN_DENIED = 5
# names Windows Explorer, Office and the like leave in a folder (never registries)
JUNK_NAMES = frozenset({"desktop.ini", "thumbs.db", "ehthumbs.db", ".ds_store"})
JUNK_PREFIXES = ("~$", TEMP_PREFIX, ".")
_HIDDEN = 0x2  # FILE_ATTRIBUTE_HIDDEN
_SYSTEM = 0x4  # FILE_ATTRIBUTE_SYSTEM
_NORMAL = 0x80  # FILE_ATTRIBUTE_NORMAL

T = TypeVar("T")


def os_error(exc: OSError, what: str) -> FolderError:
    """Translate an OS error into the user's words."""
    winerror = getattr(exc, "winerror", None)
    if exc.errno == errno.ENOSPC:
        return FolderError(f"нет места на диске: {what}")
    if winerror in _WIN_BUSY:
        return FolderError(
            f"файл занят другой программой (Excel, антивирус?): закройте его и повторите: {what}"
        )
    if winerror == _WIN_DENIED or (os.name == "nt" and isinstance(exc, PermissionError)):
        return FolderError(
            "нет доступа: файл открыт в другой программе (Excel, антивирус?) или нет прав "
            f"на запись; закройте его и повторите: {what}"
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return FolderError(f"нет прав на запись: {what}")
    return FolderError(f"ошибка файловой системы ({exc.strerror or exc}): {what}")


def _busy(exc: OSError) -> bool:
    return isinstance(exc, PermissionError) or getattr(exc, "winerror", None) in _WIN_BUSY


def retry_busy(action: Callable[[], T], what: str) -> T:
    """Run ``action``; while the file is held by another program, retry for about 2 s,
    then raise a ``FolderError`` that says so (other OS errors are translated at once)."""
    for delay in (*BUSY_DELAYS, None):
        try:
            return action()
        except OSError as exc:
            if delay is None or not _busy(exc):
                raise os_error(exc, what) from exc
            log.info("%s: busy (%s), retrying in %.2f s", what, exc, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def replace_file(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
    """``os.replace`` that waits out a file held by another program (see ``retry_busy``)."""
    retry_busy(lambda: os.replace(src, dst), str(dst))


def remove_file(path: Path) -> bool:
    """Delete ``path`` (retrying while it is held); False if it was not there.

    Raises ``FolderError`` when it could not be removed: the caller must not go on as if
    it had been."""

    def unlink() -> bool:
        try:
            os.unlink(path)
        except FileNotFoundError:
            return False
        return True

    return retry_busy(unlink, str(path))


def set_hidden(path: str | os.PathLike[str], hidden: bool = True) -> None:
    """Windows: set or clear the hidden attribute (our ``.~`` temp files are hidden there,
    and the file they become must not be). Elsewhere the leading dot hides them already."""
    if sys.platform != "win32":
        return
    import ctypes

    attrs = _HIDDEN if hidden else _NORMAL
    if not ctypes.windll.kernel32.SetFileAttributesW(str(path), attrs):
        log.debug("cannot change the attributes of %s", path)


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
        return bool(attrs & (_HIDDEN | _SYSTEM))
    return False


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX; a no-op where directories can't be opened)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[BinaryIO]:
    """Write ``target`` atomically: yield a temp file beside it, fsync and replace on success.

    On any error the temp file is removed and ``target`` is left as it was.
    """
    folder = target.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX + target.name + ".", dir=folder)
    except OSError as exc:
        raise os_error(exc, str(target)) from exc
    set_hidden(tmp)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        set_hidden(tmp, False)  # a rename keeps the attributes: the target must be visible
        replace_file(tmp, target)
        fsync_dir(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise os_error(exc, str(target)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(target: Path, data: bytes | Iterable[bytes]) -> Path:
    with atomic_file(target) as f:
        if isinstance(data, bytes):
            f.write(data)
        else:
            for chunk in data:
                f.write(chunk)
    return target


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
                folder.mkdir(parents=True, exist_ok=True)
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
        """The next ``NNN`` of ``kind`` on ``day``: highest found anywhere in the tree + 1."""
        top = 0
        for folder in self.folders:
            for n in self.names(folder):
                fn: FileName | None = parse_name(n)
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
