"""Where a database file lies: on this computer's own disk, or on a network drive.

SQLite's WAL mode keeps its index in shared memory, which does not work across computers: a
database in WAL mode on a network share (``\\\\server\\share``, a mapped drive letter, an NFS
or SMB mount) is corrupted as soon as two PCs use it. ``journal_mode`` gives ``DELETE``
there (the rollback journal works with the file locks the share has) and ``WAL`` elsewhere;
for several accountants the answer is PostgreSQL (docs: database.md). Pure functions over a
path string, with the OS lookups (``GetDriveTypeW``, ``/proc/self/mounts``) injectable for
tests. Imports only the standard library.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path, PureWindowsPath

log = logging.getLogger(__name__)

DRIVE_REMOTE = 4  # GetDriveTypeW
NETWORK_FS = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb3", "smbfs", "fuse.sshfs", "sshfs", "afs", "ceph",
    "glusterfs", "fuse.glusterfs", "9p", "davfs", "fuse.davfs2", "ncpfs", "fuse.rclone",
})  # fmt: skip
NETWORK_ADVICE = (
    "база данных лежит на сетевом диске: SQLite работает там без WAL (медленнее); "
    "для нескольких бухгалтеров используйте PostgreSQL (trayapp settings set database "
    "postgresql://...)"
)


def _windows_drive_type(root: str) -> int:
    if sys.platform != "win32":
        raise OSError("GetDriveTypeW is Windows'")
    import ctypes

    return int(ctypes.windll.kernel32.GetDriveTypeW(root))


def is_unc(path: str) -> bool:
    """``\\\\server\\share\\...``, ``//server/share``, ``\\\\?\\UNC\\server\\share``."""
    p = path.replace("/", "\\")
    if p.upper().startswith("\\\\?\\UNC\\"):
        return True
    if p.startswith(("\\\\?\\", "\\\\.\\")):  # a local device path (\\?\C:\...)
        return False
    return p.startswith("\\\\") and len(p) > 2 and p[2] != "\\"


def windows_is_network(path: str, drive_type: Callable[[str], int] = _windows_drive_type
                       ) -> bool:  # fmt: skip
    """Windows: a UNC path, or a drive letter that ``GetDriveTypeW`` calls remote."""
    if is_unc(path):
        return True
    drive = PureWindowsPath(path.replace("\\\\?\\", "")).drive
    if len(drive) == 2 and drive[1] == ":":
        try:
            return drive_type(drive + "\\") == DRIVE_REMOTE
        except Exception:  # no ctypes, an odd drive: take it for local
            log.debug("GetDriveTypeW failed for %s", drive, exc_info=True)
    return False


def mount_fstype(path: str, mounts: str) -> str | None:
    """The file system type of the mount holding ``path`` (``/proc/self/mounts`` text)."""
    best, fstype = "", None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, fstype = point, parts[2]
    return fstype


def _read_mounts() -> str:
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def is_network_path(
    path: str | os.PathLike[str],
    platform: str | None = None,
    drive_type: Callable[[str], int] | None = None,
    mounts: Callable[[], str] | None = None,
) -> bool:
    """Whether ``path`` lies on a network drive (see the module docstring); the platform
    and the OS lookups default to this computer's."""
    text = os.fspath(path)
    platform = platform or sys.platform
    if platform == "win32":
        return windows_is_network(text, drive_type or _windows_drive_type)
    if platform.startswith("linux"):
        try:
            text = str(Path(text).resolve())
        except OSError:
            pass
        return mount_fstype(text, (mounts or _read_mounts)()) in NETWORK_FS
    return False  # macOS and others: no cheap test; WAL as before


def journal_mode(path: str | os.PathLike[str]) -> str:
    """``DELETE`` for a database on a network drive, ``WAL`` elsewhere."""
    if is_network_path(path):
        log.warning("%s: %s", path, NETWORK_ADVICE)
        return "DELETE"
    return "WAL"
