"""Atomic file writes and their OS-error wording: a base module below settings and the core.

A file is written to a hidden temporary name (``.~``) in its target folder, flushed, fsynced,
then ``os.replace``d, and the folder fsynced; on any error the temporary file is removed and
the target left as it was. ``os_error`` words an ``OSError`` in Russian as a ``FolderError``.
Imports only the standard library and ``trayapp.errors``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from trayapp.errors import FolderError

TEMP_PREFIX = ".~"
CHUNK = 1 << 16


def os_error(exc: OSError, what: str) -> FolderError:
    """Translate an OS error into the user's words."""
    if exc.errno == errno.ENOSPC:
        return FolderError(f"нет места на диске: {what}")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return FolderError(f"нет прав на запись: {what}")
    return FolderError(f"ошибка файловой системы ({exc.strerror or exc}): {what}")


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
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
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
