"""The «Мои счета» password in the OS keyring, and the saving of the database's.

The «Мои счета» password lives under the server's address and the login together
(``password_key``), or, where no secure keyring exists, comes from ``TRAYAPP_PASSWORD_<INN>``
or ``TRAYAPP_PASSWORD``; the database's is stored under its URL without the options
(``passwords`` reads it back for the database's module). Split from ``settings``, which
re-exports these names. A base module: imports nothing of ``core``, no GUI.
"""

from __future__ import annotations

import logging
import os

from trayapp.errors import PasswordError, SettingsError
from trayapp.passwords import DB_KEYRING_SERVICE, NO_DB_KEYRING, _db_key, _keyring_usable
from trayapp.setting_types import is_postgres_url

log = logging.getLogger(__name__)

KEYRING_SERVICE = "trayapp-moischeta"
PASSWORD_ENV = "TRAYAPP_PASSWORD"
NO_KEYRING = "нет защищённого хранилища паролей: задайте TRAYAPP_PASSWORD"


def password_key(server_url: str, login: str) -> str:
    """The keyring entry of a password: the server's address and the login together, so
    that one login on two servers (or two logins on one) keeps two passwords."""
    return f"{server_url.rstrip('/')} {login}"


def _from_keyring(server_url: str, login: str) -> str | None:
    """The stored password; one stored under the login alone (before 0.2) is moved under
    ``password_key`` once: read, written under the new key, the old entry removed."""
    import keyring

    key = password_key(server_url, login)
    pw = keyring.get_password(KEYRING_SERVICE, key)
    if pw is not None or not login:
        return pw
    pw = keyring.get_password(KEYRING_SERVICE, login)
    if pw is None:
        return None
    keyring.set_password(KEYRING_SERVICE, key, pw)
    try:
        keyring.delete_password(KEYRING_SERVICE, login)
    except Exception as exc:  # the new entry holds it: an old one left is harmless
        log.warning("the old keyring entry stays: %s", type(exc).__name__)
    log.info("the password moved to the keyring entry of the server and the login")
    return str(pw)


def get_password(server_url: str, login: str, inn: str | None = None) -> str:
    """The password for ``login`` on ``server_url``: the keyring, else
    ``TRAYAPP_PASSWORD_<INN>`` (the association's ИНН), else ``TRAYAPP_PASSWORD``."""
    try:
        if _keyring_usable():
            pw = _from_keyring(server_url, login)
            if pw is not None:
                return pw
    except Exception as exc:  # keyring backends raise many kinds; none may crash us
        log.warning("keyring unavailable: %s", type(exc).__name__)
    env = (os.environ.get(f"{PASSWORD_ENV}_{inn}") if inn else None) or os.environ.get(PASSWORD_ENV)
    if env:
        return env
    raise PasswordError("пароль «Мои счета» не задан",
                        "введите его командой «trayapp settings password» "
                        f"или задайте {PASSWORD_ENV}_{inn or 'ИНН'} или {PASSWORD_ENV}",
                        "введите его на вкладке «Настройки»")  # fmt: skip


def set_password(server_url: str, login: str, password: str) -> None:
    """Store the password in the OS keyring under the server and the login together;
    ``PasswordError`` where there is no keyring."""
    if not login:
        raise SettingsError("сначала задайте логин", "trayapp settings set login ЛОГИН",
                            "поле «Логин» на вкладке «Настройки»")  # fmt: skip
    try:
        if not _keyring_usable():
            raise PasswordError(NO_KEYRING)
        import keyring

        keyring.set_password(KEYRING_SERVICE, password_key(server_url, login), password)
    except PasswordError:
        raise
    except Exception as exc:
        log.warning("keyring refused the password: %s", type(exc).__name__)
        raise PasswordError(NO_KEYRING) from exc


# ---------------------------------------------------------------------------- database password
def require_postgres_url(url: str) -> None:
    if not is_postgres_url(url):
        raise SettingsError("пароль нужен только базе PostgreSQL",
                            "сначала задайте её адрес (trayapp settings set database "
                            "postgresql://ПОЛЬЗОВАТЕЛЬ@СЕРВЕР:ПОРТ/БАЗА)",
                            "сначала задайте её адрес на вкладке «Настройки»")  # fmt: skip


def set_db_password(url: str, password: str) -> None:
    """Store the database password in the OS keyring; ``PasswordError`` where there is none."""
    require_postgres_url(url)
    try:
        if not _keyring_usable():
            raise PasswordError(NO_DB_KEYRING)
        import keyring

        keyring.set_password(DB_KEYRING_SERVICE, _db_key(url), password)
    except PasswordError:
        raise
    except Exception as exc:
        log.warning("keyring refused the database password: %s", type(exc).__name__)
        raise PasswordError(NO_DB_KEYRING) from exc
