"""Windows: a folder the program creates outside the user's profile is the user's alone.

``chmod`` does nothing there; a folder made on ``D:\\`` (the README's ``D:\\Обмен``, a chosen
database folder) inherits the drive's permissions, where «Authenticated Users» may modify.
``restrict_new_folder`` gives such a folder an ACL of its own, as the profile's folders have:
inheritance cut, full control for the user, SYSTEM and Administrators (backups, the
antivirus), nobody else; its subfolders and files inherit it. Done with ``icacls`` (part of
Windows), without a window. A folder inside ``%USERPROFILE%`` is left as it is (already
private), and so is one that existed before (the user's own choice of sharing). Standard
library only; the runner is injected in tests.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable, Mapping
from pathlib import PureWindowsPath
from typing import Any

log = logging.getLogger(__name__)

SYSTEM = "*S-1-5-18"
ADMINISTRATORS = "*S-1-5-32-544"
CREATE_NO_WINDOW = 0x08000000

Runner = Callable[..., Any]


def inside_profile(folder: str, environ: Mapping[str, str]) -> bool:
    profile = environ.get("USERPROFILE")
    if not profile:
        return False
    f, p = PureWindowsPath(folder), PureWindowsPath(profile)
    return str(f).lower() == str(p).lower() or str(p).lower() in (
        str(q).lower() for q in f.parents
    )


def owner_only_command(folder: str, environ: Mapping[str, str]) -> list[str] | None:
    """The icacls command line, or None where the user is not known."""
    user = environ.get("USERNAME")
    if not user:
        return None
    domain = environ.get("USERDOMAIN")
    who = f"{domain}\\{user}" if domain else user
    grant = "(OI)(CI)F"  # full control, inherited by subfolders and files
    return ["icacls", folder, "/inheritance:r", "/grant:r", f"{who}:{grant}",
            f"{SYSTEM}:{grant}", f"{ADMINISTRATORS}:{grant}", "/Q"]  # fmt: skip


def restrict_new_folder(folder: str | os.PathLike[str], run: Runner = subprocess.run,
                        environ: Mapping[str, str] | None = None) -> bool:  # fmt: skip
    """Make a folder just created outside the profile owner-only; whether it was done."""
    env = os.environ if environ is None else environ
    path = os.fspath(folder)
    if inside_profile(path, env):
        return False
    cmd = owner_only_command(path, env)
    if cmd is None:
        log.warning("no USERNAME: %s keeps the permissions of its drive", path)
        return False
    try:
        r = run(cmd, capture_output=True, timeout=30, creationflags=CREATE_NO_WINDOW)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("%s keeps the permissions of its drive: %s", path, exc)
        return False
    if r.returncode != 0:
        log.warning("%s keeps the permissions of its drive: icacls %s", path, r.returncode)
        return False
    log.info("%s: only this user (and SYSTEM, Administrators) may open it", path)
    return True
