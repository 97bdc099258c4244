"""Windows, frozen build: Tcl/Tk must find ``init.tcl`` under a Cyrillic user name.

The program lives under ``%LOCALAPPDATA%``, so the user's name is in the path PyInstaller's
runtime hook gives ``TCL_LIBRARY`` and ``TK_LIBRARY`` (``_internal\\_tcl_data``); bundled Tcl
has failed to read such paths in other PyInstaller programs. ``ascii_library_paths`` (called
before the first ``tk.Tk()``, after every runtime hook) replaces a non-ASCII one by its 8.3
short form, which is ASCII; where the volume has no short names it stays, with a warning in
the log. No Tk import, nothing of the core.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, MutableMapping

log = logging.getLogger(__name__)

VARIABLES = ("TCL_LIBRARY", "TK_LIBRARY")


def _is_ascii(text: str) -> bool:
    return all(ord(c) < 128 for c in text)


def ascii_library_paths(environ: MutableMapping[str, str] | None = None,
                        short: Callable[[str], str] | None = None) -> list[str]:  # fmt: skip
    """Point TCL_LIBRARY/TK_LIBRARY at ASCII paths where they are not; the variables changed."""
    env = os.environ if environ is None else environ
    if short is None:
        if sys.platform != "win32":
            return []
        short = short_path
    changed = []
    for var in VARIABLES:
        path = env.get(var)
        if not path or _is_ascii(path):
            continue
        alt = short(path)
        if alt and _is_ascii(alt) and alt != path:
            env[var] = alt
            changed.append(var)
            log.info("%s: the short path %s (the long one is not ASCII)", var, alt)
        else:
            log.warning("%s is not ASCII and has no short form: %s", var, path)
    return changed


if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    def short_path(path: str) -> str:
        get = ctypes.WinDLL("kernel32", use_last_error=True).GetShortPathNameW
        get.argtypes = [wintypes.LPCWSTR, wintypes.LPWSTR, wintypes.DWORD]
        get.restype = wintypes.DWORD
        size = get(path, None, 0)
        if size == 0:
            return ""
        buf = ctypes.create_unicode_buffer(size)
        return buf.value if get(path, buf, size) else ""

else:

    def short_path(path: str) -> str:
        return path
