"""The one version number of the program: the ``version`` of ``pyproject.toml``.

Read from the installed package's metadata (``importlib.metadata``; a PyInstaller build
carries that metadata, see installer/windows/trayapp.spec), so that ``trayapp --version``,
the window and the installers all show the same number. Imports only the standard library,
and ``importlib.metadata`` (with the e-mail parser it reads the metadata with: 30 ms) only
when the number is asked for, never at the tray's start.
"""

from __future__ import annotations

from functools import lru_cache

UNKNOWN = "0+unknown"


@lru_cache(maxsize=1)
def version() -> str:
    """The installed version, or ``0+unknown`` where the package has no metadata."""
    from importlib import metadata

    try:
        return metadata.version("trayapp")
    except metadata.PackageNotFoundError:
        return UNKNOWN
