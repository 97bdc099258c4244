"""Atomic file writes and their OS-error wording: a base module below settings and the core.

A file is written to a hidden temporary name (``.~``) in its target folder, flushed, fsynced,
then ``os.replace``d, and the folder fsynced; on any error the temporary file is removed and
the target left as it was. ``os_error`` words an ``OSError`` in Russian as a ``FolderError``.
Windows refuses ``os.replace`` and ``unlink`` of a file another program (Excel, an
antivirus) holds: ``replace_file``/``remove_file`` wait that out for about two seconds, then
say so. The temporary files get the hidden attribute on Windows (``set_hidden``), cleared
before the rename (a rename keeps attributes). Imports only the standard library and
``trayapp.errors``.
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
from pathlib import Path
from typing import BinaryIO, TypeVar

from trayapp.errors import FolderError

log = logging.getLogger(__name__)

TEMP_PREFIX = ".~"
CHUNK = 1 << 16
# while Excel or an antivirus holds a file, Windows refuses to replace or delete it
# (WinError 5 access denied, 32 sharing violation, 33 lock violation): wait this long
BUSY_DELAYS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.5, 0.5)
_WIN_BUSY = (32, 33)
_WIN_DENIED = 5
HIDDEN = 0x2  # FILE_ATTRIBUTE_HIDDEN
SYSTEM = 0x4  # FILE_ATTRIBUTE_SYSTEM
_NORMAL = 0x80  # FILE_ATTRIBUTE_NORMAL

T = TypeVar("T")


_REASONS = {
    errno.ENOENT: "нет такого файла или каталога",
    errno.ENOTDIR: "часть пути — файл, а не каталог",
    errno.EISDIR: "это каталог, а не файл",
    errno.EEXIST: "такой файл уже есть",
    errno.EACCES: "нет прав",
    errno.EPERM: "действие запрещено",
    errno.EROFS: "диск только для чтения",
    errno.ENOSPC: "нет места на диске",
    errno.ENAMETOOLONG: "слишком длинное имя",
    errno.EBUSY: "файл или каталог занят",
    errno.EINVAL: "недопустимое имя",
    errno.EIO: "ошибка чтения или записи на диске",
    errno.EXDEV: "другой диск",
    errno.ENOTEMPTY: "каталог не пуст",
    errno.EMFILE: "открыто слишком много файлов",
}


def os_reason(exc: OSError) -> str:
    """The OS's reason in Russian: Python's ``strerror`` is the C library's English (on
    Windows too); a reason not known here stays as the system says it."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return str(exc.strerror or exc)


def os_error(exc: OSError, what: str) -> FolderError:
    """Translate an OS error into the user's words."""
    winerror = getattr(exc, "winerror", None)
    # a full disk, a quota, a file-size limit (RLIMIT_FSIZE): the same to the accountant
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EFBIG):
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
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return FolderError(f"нет прав на запись: {what}")
    if exc.errno == errno.ENOENT:
        return FolderError(f"файл или каталог не найден (его переместили или удалили?): {what}")
    return FolderError(f"ошибка файловой системы ({os_reason(exc)}): {what}")


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

    attrs = HIDDEN if hidden else _NORMAL
    if not ctypes.windll.kernel32.SetFileAttributesW(str(path), attrs):
        log.debug("cannot change the attributes of %s", path)


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
