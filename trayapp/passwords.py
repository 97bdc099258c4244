"""The database's password in the OS keyring, and whether a secure keyring exists at all.

A base module: imports nothing of ``core`` (the database's module asks it for the password
when it connects; ``settings`` imported it from ``core.reconcile``'s side, and an import back
closed a circle settings -> core.reconcile -> core.db -> settings). ``password_store`` keeps the
«Мои счета» password and the saving of both.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

DB_KEYRING_SERVICE = "trayapp-postgresql"
NO_DB_KEYRING = (
    "нет защищённого хранилища паролей: задайте пароль базы средствами PostgreSQL "
    "(переменная PGPASSWORD или файл .pgpass / pgpass.conf)"
)


def _keyring_usable() -> bool:
    import keyring
    from keyring.backends import fail

    kr = keyring.get_keyring()
    if isinstance(kr, fail.Keyring):
        return False
    # a chainer that holds nothing but the fail backend is no store either
    backends = getattr(kr, "backends", None)
    return not (backends is not None and not backends)


def keyring_usable() -> bool:
    """Whether a secure password store exists (else a password lives in memory only)."""
    try:
        return _keyring_usable()
    except Exception:  # a broken backend is no store
        return False


def _db_key(url: str) -> str:
    """The keyring entry of a database: its URL without the options."""
    return url.split("?", 1)[0]


def get_db_password(url: str) -> str | None:
    """The database password from the keyring; None to let libpq find it itself
    (``PGPASSWORD``, ``.pgpass``, a service file)."""
    try:
        if _keyring_usable():
            import keyring

            pw = keyring.get_password(DB_KEYRING_SERVICE, _db_key(url))
            if pw is not None:
                return str(pw)
    except Exception as exc:  # keyring backends raise many kinds; none may crash us
        log.warning("keyring unavailable: %s", type(exc).__name__)
    return None
