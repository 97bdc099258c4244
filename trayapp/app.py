"""The composition root: the one place that builds concrete objects and wires them.

``App`` holds the paths, the settings, the open database and the exchange tree, and sets up
logging (a rotating file in the log folder; never a password or token). The CLI and the
window both get their objects from here.
"""

from __future__ import annotations

import logging
import logging.handlers
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from trayapp import plain
from trayapp import settings as settings_mod
from trayapp.core.db import Database, open_database
from trayapp.core.folders import ExchangeTree
from trayapp.core.progress import Progress, no_progress
from trayapp.errors import AppError
from trayapp.paths import AppPaths
from trayapp.private import private_dir, private_file
from trayapp.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class App:
    paths: AppPaths
    settings: Settings
    clock: Callable[[], datetime] = datetime.now
    _db: Database | None = field(default=None, repr=False)

    @classmethod
    def create(cls, home: str | Path | None = None, load_settings: bool = True) -> App:
        paths = AppPaths.resolve(home)
        from trayapp.core.backup_restore import recover

        recover(paths)  # a restore a crash interrupted: the prior state back first
        s = settings_mod.load(paths) if load_settings else Settings()
        return cls(paths, s)

    @property
    def db(self) -> Database:
        if self._db is None:
            self._db = open_database(self.settings.database_target(self.paths))
        return self._db

    @property
    def tree(self) -> ExchangeTree:
        return ExchangeTree(self.settings.exchange_folder(self.paths)).ensure()

    def org_inn(self) -> str | None:
        value = self.db.scalar("SELECT inn FROM org WHERE id = 1")
        return str(value) if value is not None else None

    def require_org(self) -> str:
        """The association's ИНН, or the error that says how to load it."""
        inn = self.org_inn()
        if inn is None:
            raise AppError("не загружены данные ТСЖ (ИНН)", "trayapp import org ФАЙЛ",
                           "загрузите таблицу реквизитов ТСЖ на вкладке «Данные»")  # fmt: skip
        return inn

    def save_settings(self, s: Settings) -> None:
        """Save ``s``; an ``autostart`` that differs from the OS entry writes or removes it."""
        from trayapp import associations, autostart

        associations.check_apart(self.paths, s, self.settings)
        if s.autostart and not self.settings.autostart:  # the one entry starts the list's tray
            associations.ensure_listed(self.paths)
        if s.autostart != settings_mod.with_os_autostart(s).autostart:
            autostart.set_enabled(s.autostart)
        settings_mod.save(self.paths, s)
        self.settings = s

    def password(self) -> str:
        inn = None
        try:
            inn = self.org_inn()
        except AppError:
            log.warning("the org's ИНН could not be read for the password", exc_info=True)
        return settings_mod.get_password(self.settings.server_url, self.settings.login, inn)

    def exchange(self, progress: Progress = no_progress) -> Any:
        """One exchange session with the configured server (the CLI and the tray run this);
        ``progress`` hears the files and bytes sent and received."""
        from trayapp import associations
        from trayapp.core import exchange
        from trayapp.core.transport import HttpTransport

        inn = self.require_org()
        s = self.settings
        # a folder or database shared with another association (set before this check
        # existed): no session until each has its own
        associations.check_apart(self.paths, s)
        if not s.server_url:
            raise AppError("не задан адрес сервера", "trayapp settings set server_url URL",
                           "укажите его на вкладке «Настройки»")  # fmt: skip
        if not s.login:
            raise AppError("не задан логин", "trayapp settings set login ЛОГИН",
                           "укажите его на вкладке «Настройки»")  # fmt: skip
        with HttpTransport(s.server_url, s.login, self.password(), progress=progress) as transport:
            return exchange.run_session(transport, self.db, self.tree, inn, s.coding, self.clock,
                                        progress, associations.listed_name(self.paths))  # fmt: skip

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class _PrivateLog(logging.handlers.RotatingFileHandler):
    """The rotating log, each file of it 0600 (it may hold names with ``verbose``); a
    rollover that cannot rename the file (another process holds it open on Windows) keeps
    writing to it and tries again at a later record."""

    def _open(self) -> Any:
        stream = super()._open()
        private_file(Path(self.baseFilename))
        return stream

    def handleError(self, record: logging.LogRecord) -> None:
        """A record that cannot be written (a full disk) is dropped quietly: logging's own
        report would put a traceback on stderr, the user's screen (or None when windowed)."""

    def doRollover(self) -> None:
        try:
            super().doRollover()
        except OSError:
            if self.stream is None:
                self.stream = self._open()


class _PlainFormatter(logging.Formatter):
    """A server's words in the log lose their control characters (``tail -f`` obeys ESC)."""

    def format(self, record: logging.LogRecord) -> str:
        return plain.text(super().format(record))


def setup_logging(paths: AppPaths, verbose: bool, kind: str = "cli") -> None:
    """A rotating log file of this kind of process (``cli``, ``tray``) in the log folder;
    stderr gets nothing (the CLI prints itself)."""
    root = logging.getLogger()
    if any(getattr(h, "_trayapp", False) for h in root.handlers):
        # set up first thing by fatal.run (a failed start is logged); the setting's level now
        root.setLevel(logging.DEBUG if verbose else logging.INFO)
        return
    try:
        private_dir(paths.log_dir)
        handler: logging.Handler = _PrivateLog(
            paths.log_file_of(kind), maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(
        _PlainFormatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    handler._trayapp = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("urllib3").setLevel(logging.WARNING)
    threading.excepthook = _log_thread_death


def _log_thread_death(args: threading.ExceptHookArgs) -> None:
    """A thread that dies of an exception says so in the log (a windowed build has no stderr)."""
    name = args.thread.name if args.thread is not None else "?"
    log.error("thread %s died", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback))  # type: ignore[arg-type]


def use_system_certificates() -> bool:
    """Verify HTTPS against the OS certificate store (truststore), not certifi's list alone:
    antivirus HTTPS scanning and company proxies put their own root into the Windows store.
    False (and certifi, quietly) where truststore is not installed or cannot work."""
    try:
        import truststore
    except ImportError:
        return False
    try:
        truststore.inject_into_ssl()
    except Exception:  # an old OpenSSL, an odd platform: requests' own certifi then
        log.warning("truststore unavailable; using the certificates of certifi", exc_info=True)
        return False
    return True
