"""Settings: a JSON file in the config folder, and the password in the OS keyring.

Keys are those of spec/cli.md: ``folder``, ``coding``, ``server_url``, ``login``,
``verbose``, ``database``, bank.md's ``bank_agent_inn``, ``bank_fee_percent``,
``bank_days``, and ``autostart`` (read from and written to the OS entry itself,
``autostart.py``; the file's copy is not trusted), ``schedule_minutes`` (0: off), backup.md's
``backup_folder``, ``backup_auto``, ``backup_keep``. A missing
file means the defaults (first start); a broken one is a
``SettingsError`` with a Russian message. The password is never written to a file: it lives
in the OS keyring under the server's address and the login together (``password_key``), or,
where no secure keyring exists, comes from ``TRAYAPP_PASSWORD_<INN>`` or ``TRAYAPP_PASSWORD``.
``database`` is an SQLite file or a PostgreSQL URL without a password; the database's
password is in the keyring too (``set_db_password``), or where libpq looks for it.
Imports no GUI.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from dataclasses import asdict, dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse, urlsplit

from trayapp import plain
from trayapp.core.db.dialect import is_postgres_url
from trayapp.core.formats import CODINGS
from trayapp.core.reconcile import BankTerms
from trayapp.errors import PasswordError, SettingsError
from trayapp.fsutil import write_atomic
from trayapp.passwords import (
    DB_KEYRING_SERVICE,
    NO_DB_KEYRING,
    _db_key,
    _keyring_usable,
    get_db_password,
)
from trayapp.paths import AppPaths
from trayapp.private import private_dir

log = logging.getLogger(__name__)

# the database's password is read in ``passwords`` (a base module the database's own module
# asks; nothing there imports the core back): named here too, as before
__all__ = ["DB_KEYRING_SERVICE", "NO_DB_KEYRING", "get_db_password"]

KEYS = (
    "folder",
    "coding",
    "server_url",
    "login",
    "verbose",
    "database",
    "bank_agent_inn",
    "bank_fee_percent",
    "bank_days",
    "autostart",
    "schedule_minutes",
    "backup_folder",
    "backup_auto",
    "backup_keep",
)
MAX_BACKUP_KEEP = 999  # backups kept besides the monthly ones (backup.md)
MAX_SCHEDULE = 1440  # minutes: once a day at the least
KEYRING_SERVICE = "trayapp-moischeta"
PASSWORD_ENV = "TRAYAPP_PASSWORD"
NO_KEYRING = "нет защищённого хранилища паролей: задайте TRAYAPP_PASSWORD"
# Windows (long paths are off by default): 259 characters a path at most; the deepest name the
# exchange tree holds is a hidden temporary answer two folders down
WIN_MAX_PATH = 259
WIN_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                          *(f"LPT{i}" for i in range(1, 10))})  # fmt: skip
TREE_TAIL = len("\\Отправлены\\Обработаны\\.~Ack_Readings_20261106_001.txt.xxxxxxxx")


@dataclass(frozen=True, slots=True)
class Settings:
    folder: str = ""  # empty: the default exchange folder
    coding: str = "ACCOUNT"
    server_url: str = ""
    login: str = ""
    verbose: bool = False
    database: str = ""  # empty: the default SQLite file
    bank_agent_inn: str = ""  # bank.md: empty, any payer
    bank_fee_percent: str = "0"  # a decimal with '.', from 0 to below 100
    bank_days: int = 5
    autostart: bool = False  # whether the OS starts the tray at login (autostart.py)
    schedule_minutes: int = 0  # the tray's own exchange every N minutes; 0: off
    backup_folder: str = ""  # empty: the ``backups`` folder beside the database (backup.md)
    backup_auto: bool = True
    backup_keep: int = 30

    def bank_terms(self) -> BankTerms:
        return BankTerms(self.bank_agent_inn, Decimal(self.bank_fee_percent), self.bank_days)

    def exchange_folder(self, paths: AppPaths) -> Path:
        return Path(self.folder).expanduser() if self.folder else paths.default_exchange_folder

    def database_path(self, paths: AppPaths) -> Path:
        """The SQLite file (meaningless when ``database`` is a PostgreSQL URL)."""
        return Path(self.database).expanduser() if self.database else paths.default_database

    def database_target(self, paths: AppPaths) -> str | Path:
        """What ``db.open_database`` takes: the PostgreSQL URL, or the SQLite file."""
        return self.database if is_postgres_url(self.database) else self.database_path(paths)

    def backup_dir(self, paths: AppPaths) -> Path:
        """Where backups go: ``backup_folder``, else ``backups`` beside the database."""
        if self.backup_folder:
            return Path(self.backup_folder).expanduser()
        if is_postgres_url(self.database):
            return paths.data_dir / "backups"
        return self.database_path(paths).parent / "backups"

    def public(self, paths: AppPaths) -> dict[str, Any]:
        """The settings in effect, defaults resolved, as ``settings show --json`` prints."""
        d = asdict(self)
        d["folder"] = str(self.exchange_folder(paths).resolve())
        target = self.database_target(paths)
        d["database"] = target if isinstance(target, str) else str(target.resolve())
        d["backup_folder"] = str(self.backup_dir(paths).resolve())
        return d


def check_folder(folder: Path) -> None:
    """Refuse an exchange folder that cannot be created or written, in Russian (else every
    command would fail later with the OS's English message). Creates it when it can."""
    if sys.platform == "win32":
        _check_windows_name(folder)
    if sys.platform == "win32" and len(str(folder)) + TREE_TAIL > WIN_MAX_PATH:
        raise SettingsError(
            f"путь к каталогу обмена слишком длинный для Windows ({len(str(folder))} символов, "
            f"допустимо до {WIN_MAX_PATH - TREE_TAIL}): выберите каталог ближе к корню диска"
        )
    for step in (folder, *folder.parents):
        if step.exists():
            if not step.is_dir():
                raise SettingsError(f"каталог обмена {folder} создать нельзя: {step} — это файл, "
                                    "а не каталог")  # fmt: skip
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"каталог обмена {folder} создать нельзя: "
                            f"{exc.strerror or exc}") from exc  # fmt: skip
    # written for real (a file made and removed): os.access says yes to any folder on
    # Windows, and to a read-only share or an ACL that forbids it
    import tempfile

    try:
        fd, probe = tempfile.mkstemp(prefix=".~probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise SettingsError(f"нет прав на запись в каталог обмена {folder}: "
                            f"{exc.strerror or exc}") from exc  # fmt: skip


def _check_windows_name(folder: Path) -> None:
    """Windows drops a trailing dot or space of a folder's name (the folder made is not the
    one named) and reserves device names (``CON``, ``NUL``...): refuse them in Russian."""
    for part in folder.parts[1:]:
        if part.endswith((".", " ")):
            raise SettingsError(f"каталог обмена {folder}: имя папки «{part}» не может "
                                "кончаться точкой или пробелом в Windows")  # fmt: skip
        if part.split(".")[0].strip().upper() in WIN_RESERVED:
            raise SettingsError(f"каталог обмена {folder}: «{part}» — имя устройства в "
                                "Windows, выберите другое имя папки")  # fmt: skip


def with_os_autostart(s: Settings) -> Settings:
    """``s`` with ``autostart`` as the OS entry says (the installers write it too)."""
    from trayapp import autostart

    try:
        return replace(s, autostart=autostart.is_enabled())
    except Exception:  # an unreadable registry or folder: shown as off
        log.warning("cannot read the autostart entry", exc_info=True)
        return replace(s, autostart=False)


def load(paths: AppPaths) -> Settings:
    f = paths.settings_file
    if not f.exists():
        return with_os_autostart(Settings())
    advice = "исправьте его или удалите, чтобы начать с настроек по умолчанию"
    try:
        data = json.loads(f.read_text(encoding="utf-8-sig"))  # Notepad may add a BOM
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"файл настроек {f} повреждён (строка {exc.lineno}, позиция {exc.colno}); {advice}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"файл настроек {f} не в кодировке UTF-8; {advice}") from exc
    except OSError as exc:
        raise SettingsError(f"файл настроек {f} не читается ({exc.strerror}); {advice}") from exc
    if not isinstance(data, dict):
        raise SettingsError(f"файл настроек {f} повреждён: ожидался объект JSON")
    s = with_os_autostart(Settings())
    for key, value in data.items():
        if key == "backup_folder" and isinstance(value, str):  # a USB stick may be out now:
            s = replace(s, backup_folder=value)  # checked when set and at each backup
            continue
        if key in KEYS and key != "autostart":
            try:
                s = set_value(
                    s, key, str(value) if not isinstance(value, bool) else str(int(value))
                )
            except SettingsError as exc:
                raise SettingsError(f"файл настроек {f}: {exc.message}") from exc
    return s


def exists(paths: AppPaths) -> bool:
    return paths.settings_file.exists()


def save(paths: AppPaths, settings: Settings) -> None:
    private_dir(paths.config_dir)
    text = json.dumps(asdict(settings), ensure_ascii=False, indent=2) + "\n"
    write_atomic(paths.settings_file, text.encode("utf-8"))


def set_value(settings: Settings, key: str, value: str) -> Settings:
    """A copy of ``settings`` with one key changed, the value checked.

    A value the checks below cannot even look at (a NUL or a lone surrogate in a path, a URL
    that does not parse, a path too long for the system: found by fuzzing the settings file)
    is refused as any other bad value.
    """
    if key in _NO_CONTROLS and plain.has_controls(value.strip()):
        raise SettingsError(
            f"{key}: в значении есть управляющие символы (перевод строки, табуляция, ESC, "
            "NUL...): укажите его без них"
        )
    try:
        return _set_value(settings, key, value)
    except (ValueError, UnicodeError, OSError) as exc:
        raise SettingsError(f"недопустимое значение {key}: {type(exc).__name__}") from exc


# paths and addresses: a control character in one is a paste gone wrong (or worse)
_NO_CONTROLS = ("folder", "database", "backup_folder", "server_url", "login")


def _set_value(settings: Settings, key: str, value: str) -> Settings:
    value = value.strip()
    if key == "coding":
        v = value.upper()
        if v not in CODINGS:
            raise SettingsError(f"кодирование услуг: {value}; допустимо: ACCOUNT, GOROD, SBER, OWN")
        return replace(settings, coding=v)
    if key == "verbose":
        if value not in ("0", "1"):
            raise SettingsError(f"verbose: {value}; допустимо 0 или 1")
        return replace(settings, verbose=value == "1")
    if key == "server_url":
        if value:
            check_server_url(value)
        return replace(settings, server_url=value.rstrip("/"))
    if key == "folder":
        if not value:
            return replace(settings, folder="")
        folder = Path(value).expanduser().resolve()
        check_folder(folder)
        return replace(settings, folder=str(folder))
    if key == "database":
        if is_postgres_url(value):
            return replace(settings, database=check_database_url(value))
        return replace(settings, database=str(Path(value).expanduser().resolve()) if value else "")
    if key == "login":
        return replace(settings, login=value)
    if key == "autostart":
        if value not in ("0", "1"):
            raise SettingsError(f"autostart: {value}; допустимо 1 (включить) или 0 (выключить)")
        return replace(settings, autostart=value == "1")
    if key == "schedule_minutes":
        if not value.isascii() or not value.isdigit() or int(value) > MAX_SCHEDULE:
            raise SettingsError(
                f"schedule_minutes: {value}; ожидается целое число минут от 1 до "
                f"{MAX_SCHEDULE} между сеансами обмена, или 0 — без расписания"
            )
        return replace(settings, schedule_minutes=int(value))
    if key.startswith("bank_"):
        return _bank_value(settings, key, value)
    if key.startswith("backup_"):
        return _backup_value(settings, key, value)
    raise SettingsError(f"неизвестный параметр: {key}; допустимо: {', '.join(KEYS)}")


_FEE = re.compile(r"\d{1,2}(?:[.,]\d{1,10})?", re.ASCII)
_DAYS = re.compile(r"\d{1,2}", re.ASCII)
_INN = re.compile(r"\d{10}|\d{12}", re.ASCII)


def _bank_value(settings: Settings, key: str, value: str) -> Settings:
    """The settings of bank.md, checked: the agent's ИНН, the fee, the days."""
    if key == "bank_agent_inn":
        if value and not _INN.fullmatch(value):
            raise SettingsError(
                f"ИНН агента (bank_agent_inn): {value}; ожидается 10 или 12 цифр, "
                "или пусто — переводы от любого плательщика"
            )
        return replace(settings, bank_agent_inn=value)
    if key == "bank_fee_percent":
        text = value.replace(",", ".")
        try:
            fee = Decimal(text) if _FEE.fullmatch(value) else None
        except InvalidOperation:
            fee = None
        if fee is None or not 0 <= fee < 100:
            raise SettingsError(
                f"комиссия агента (bank_fee_percent): {value}; ожидается число процентов "
                "от 0 до 100 (не включая 100), например 1.5 или 1,5"
            )
        return replace(settings, bank_fee_percent=format(fee.normalize(), "f"))
    if key == "bank_days":
        if not _DAYS.fullmatch(value) or int(value) > 60:
            raise SettingsError(
                f"срок поступления денег (bank_days): {value}; ожидается целое число дней "
                "от 0 до 60"
            )
        return replace(settings, bank_days=int(value))
    raise SettingsError(f"неизвестный параметр: {key}; допустимо: {', '.join(KEYS)}")


def check_backup_folder(folder: Path) -> None:
    """Refuse a backup folder that cannot be created or written, in Russian. Writing is
    tried for real (a file made and removed): ``os.access`` says yes to a read-only share or
    a folder an ACL forbids on Windows."""
    import tempfile

    for step in (folder, *folder.parents):
        if step.exists():
            if not step.is_dir():
                raise SettingsError(f"каталог резервных копий {folder} создать нельзя: {step} — "
                                    "это файл, а не каталог")  # fmt: skip
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".~probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise SettingsError(f"в каталог резервных копий {folder} нельзя записать: "
                            f"{exc.strerror or exc}") from exc  # fmt: skip


def _backup_value(settings: Settings, key: str, value: str) -> Settings:
    """The settings of backup.md, checked: the folder (written to for real), auto, keep."""
    if key == "backup_folder":
        if not value:
            return replace(settings, backup_folder="")
        folder = Path(value).expanduser().resolve()
        check_backup_folder(folder)
        return replace(settings, backup_folder=str(folder))
    if key == "backup_auto":
        if value not in ("0", "1"):
            raise SettingsError(f"backup_auto: {value}; допустимо 1 (копии сами) или 0 (только "
                                "по команде)")  # fmt: skip
        return replace(settings, backup_auto=value == "1")
    if key == "backup_keep":
        if (not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_BACKUP_KEEP):
            raise SettingsError(f"backup_keep: {value}; ожидается целое число последних копий "
                                f"от 1 до {MAX_BACKUP_KEEP}")  # fmt: skip
        return replace(settings, backup_keep=int(value))
    raise SettingsError(f"неизвестный параметр: {key}; допустимо: {', '.join(KEYS)}")


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_server_url(url: str) -> None:
    try:
        u = urlparse(url)
        u.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise SettingsError(f"адрес сервера {url} не разбирается: {_url_reason(exc)}") from exc
    if u.port == 0:
        raise SettingsError(f"адрес сервера {url} не разбирается: {_url_reason(None)}")
    if u.scheme == "https" and u.hostname:
        return
    if u.scheme == "http" and u.hostname in LOOPBACK:
        return
    if u.scheme == "http":
        raise SettingsError(
            f"адрес сервера {url}: без шифрования (http://) можно только к этому компьютеру "
            "(127.0.0.1); используйте https://"
        )
    raise SettingsError(f"адрес сервера {url}: ожидается https://сервер/api/v1")


def _url_reason(exc: ValueError | None) -> str:
    """urllib's English reason, said in Russian."""
    text = "" if exc is None else str(exc)
    if "IPv6" in text:
        return ("не закрыта квадратная скобка адреса IPv6 (пример: "
                "https://[2001:db8::1]/api/v1)")  # fmt: skip
    if "NFKC" in text:
        return "в имени сервера есть знаки, которые Unicode превращает в «/», «?», «#», «@» или «:»"
    if exc is None or "ort" in text:
        return "порт — целое число от 1 до 65535"
    return "ожидается https://сервер/api/v1"


def check_database_url(url: str) -> str:
    """A PostgreSQL URL as libpq takes it, refused when it carries a password."""
    try:
        u = urlsplit(url)
        u.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise SettingsError(
            f"адрес базы данных {url}: ожидается postgresql://ПОЛЬЗОВАТЕЛЬ@СЕРВЕР:ПОРТ/БАЗА"
        ) from exc
    query = parse_qs(u.query)
    if u.password is not None or "password" in query:
        also = ("; можно и средствами PostgreSQL: переменная PGPASSWORD, файл .pgpass "
                "(в Windows %APPDATA%\\postgresql\\pgpass.conf) или файл служб")  # fmt: skip
        raise SettingsError(
            "пароль базы данных не пишется в адресе и в файле настроек: уберите его из адреса "
            "(postgresql://ПОЛЬЗОВАТЕЛЬ@СЕРВЕР:ПОРТ/БАЗА)",
            "сохраните пароль командой «trayapp settings db-password»" + also,
            "сохраните пароль в поле «Пароль базы» на вкладке «Настройки»" + also,
        )
    if not u.path.strip("/") and "dbname" not in query and "service" not in query:
        raise SettingsError(
            f"адрес базы данных {url}: не указано имя базы "
            "(postgresql://ПОЛЬЗОВАТЕЛЬ@СЕРВЕР:ПОРТ/БАЗА)"
        )
    return url


# ---------------------------------------------------------------------------- password


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
