"""Every folder and file location of the application.

Locations come from platformdirs (per user: %LOCALAPPDATA% on Windows, XDG folders on
Linux, ~/Library on macOS), or, with ``--home DIR`` / ``TRAYAPP_HOME``, all from under DIR.
Imports nothing of the app but the standard library and platformdirs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "trayapp"
APP_AUTHOR = "trayapp"
EXCHANGE_DIR_NAME = "Мои счета"


@dataclass(frozen=True, slots=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> AppPaths:
        """Paths under ``home``, else under ``TRAYAPP_HOME``, else the platform folders."""
        if home is None:
            home = os.environ.get("TRAYAPP_HOME") or None
        if home is not None:
            root = Path(home).expanduser().resolve()
            return cls(root, root / "data", root / "logs")
        dirs = platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR, roaming=False)
        return cls(
            Path(dirs.user_config_dir), Path(dirs.user_data_dir), Path(dirs.user_log_dir)
        )

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def default_database(self) -> Path:
        return self.data_dir / "trayapp.db"

    @property
    def default_exchange_folder(self) -> Path:
        return self.data_dir / EXCHANGE_DIR_NAME

    @property
    def emulator_data(self) -> Path:
        return self.data_dir / "emulator"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "Отчёты"

    @property
    def import_choices_file(self) -> Path:
        """Columns chosen by hand for table files, by header (core/import_choices.py)."""
        return self.data_dir / "import_choices.json"

    def log_file_of(self, kind: str) -> Path:
        """The log of one kind of process (``tray``, ``cli``): each has its own file, so
        that a rollover never renames a file the other process holds open (Windows)."""
        return self.log_dir / f"trayapp-{kind}.log"

    @property
    def log_file(self) -> Path:
        """The command line's log (the tray writes ``log_file_of("tray")``)."""
        return self.log_file_of("cli")

    @property
    def lock_file(self) -> Path:
        return self.data_dir / "trayapp.lock"
