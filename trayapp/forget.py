"""Forget the saved passwords: what the Windows uninstaller's «Удалить также мои данные» runs
(`trayapp-cli.exe settings forget-passwords`), like the Linux `uninstall.sh --purge`.

For every association of this user (associations.json, else the default home): the «Мои
счета» password under the server and the login, the one under the login alone (before 0.2),
and the PostgreSQL database's. An entry that is not there, or a keyring that refuses, is
passed over: removing the data must not stop at a password. Imports no GUI, nothing of core.
"""

from __future__ import annotations

import logging

from trayapp import settings as settings_mod
from trayapp.paths import AppPaths
from trayapp.settings import DB_KEYRING_SERVICE, KEYRING_SERVICE, Settings, password_key

log = logging.getLogger(__name__)


def entries(s: Settings) -> list[tuple[str, str]]:
    """The keyring entries (service, name) that may hold a password of these settings."""
    found: list[tuple[str, str]] = []
    if s.login:
        found.append((KEYRING_SERVICE, password_key(s.server_url, s.login)))
        found.append((KEYRING_SERVICE, s.login))
    if "://" in s.database:
        found.append((DB_KEYRING_SERVICE, s.database.split("?", 1)[0]))
    return found


def homes() -> list[AppPaths]:
    """The paths of every association of this user (the default home when there is no list)."""
    from trayapp import associations

    try:
        return [AppPaths.resolve(a.home) for a in associations.load()]
    except Exception:  # a broken list: the default home at least
        log.warning("associations unreadable: only the default home's passwords", exc_info=True)
        return [AppPaths.resolve(None)]


def forget_passwords(paths: list[AppPaths] | None = None) -> int:
    """Remove the passwords of every association; the number of entries removed."""
    import keyring

    removed = 0
    seen: set[tuple[str, str]] = set()
    for p in paths if paths is not None else homes():
        try:
            s = settings_mod.load(p)
        except Exception:
            log.warning("settings unreadable in %s: their passwords stay", p.config_dir)
            continue
        for service, name in entries(s):
            if (service, name) in seen:
                continue
            seen.add((service, name))
            try:
                if keyring.get_password(service, name) is None:
                    continue
                keyring.delete_password(service, name)
                removed += 1
            except Exception as exc:  # no keyring, or it refused: the rest still go
                log.warning("keyring entry %s not removed: %s", service, type(exc).__name__)
    log.info("passwords forgotten: %d", removed)
    return removed
