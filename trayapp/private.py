"""The user's data stays the user's: on POSIX, folders 0700 and files 0600.

The database (names, addresses, debts) and its ``-wal``/``-shm``, the log, the reports and the
exchange tree hold personal data. ``restrict_umask`` (called once at start by ``cli.main``, the entry of every
command, the tray and the window; not by ``App``, a library call) makes
everything the process creates private; ``private_dir`` and ``private_file`` also mend what
an older version created open to others. On Windows the per-user folders (``%LOCALAPPDATA%``)
are already the user's; a folder ``private_dir`` creates outside the profile gets an
owner-only ACL (winacl.py). Imports only the standard library.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

POSIX = os.name == "posix"
DIR_MODE = 0o700
FILE_MODE = 0o600


def restrict_umask() -> None:
    """Files and folders this process creates are readable by the user alone."""
    if POSIX:
        os.umask(0o077)


def private_dir(path: Path, mend: bool = True) -> Path:
    """Create ``path`` (and missing parents) as 0700. An existing ``path`` is made 0700 only
    with ``mend`` (a folder of the program's own, which an older version made open), only when
    the user owns it, and never a shared folder with the sticky bit (``/tmp``): a folder the
    user chose for the database, or its parents, keep the modes they have."""
    missing: list[Path] = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if sys.platform == "win32" and missing:  # outside the profile: an ACL of its own
        from trayapp.winacl import restrict_new_folder

        restrict_new_folder(missing[-1])
    if POSIX:
        for d in missing:
            with contextlib.suppress(OSError):
                os.chmod(d, DIR_MODE)
        if mend and not missing and sys.platform != "win32":  # (mypy: os.getuid is POSIX)
            with contextlib.suppress(OSError):
                st = os.stat(path)
                if st.st_uid == os.getuid() and not st.st_mode & stat.S_ISVTX:
                    os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Make an existing file 0600 (nothing when it is not there)."""
    if POSIX:
        with contextlib.suppress(OSError):
            os.chmod(path, FILE_MODE)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty as 0600 if it does not exist, else make it 0600."""
    if POSIX:
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        private_file(path)
