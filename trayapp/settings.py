"""Settings: a JSON file in the config folder, and the values it may hold, checked.

Keys are those of spec/cli.md: ``folder``, ``coding``, ``server_url``, ``login``,
``verbose``, ``database``, bank.md's ``bank_agent_inn``, ``bank_fee_percent``,
``bank_days``, and ``autostart`` (read from and written to the OS entry itself,
``autostart.py``; the file's copy is not trusted), ``schedule_minutes`` (0: off), backup.md's
``backup_folder``, ``backup_auto``, ``backup_keep``. A missing
file means the defaults (first start); a broken one is a
``SettingsError`` with a Russian message. The checks of folders and URLs are in
``settings_check``; the passwords (never written to a file: the OS keyring, or
``TRAYAPP_PASSWORD_<INN>`` / ``TRAYAPP_PASSWORD``) in ``password_store`` and ``passwords``:
all re-exported here.
``database`` is an SQLite file or a PostgreSQL URL without a password.
A base module below ``core``: imports nothing of ``core`` (``setting_types`` holds what both
need), no GUI.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from trayapp import plain
from trayapp.errors import SettingsError
from trayapp.fsutil import write_atomic
from trayapp.password_store import (
    KEYRING_SERVICE,
    NO_KEYRING,
    PASSWORD_ENV,
    get_password,
    password_key,
    require_postgres_url,
    set_db_password,
    set_password,
)
from trayapp.passwords import DB_KEYRING_SERVICE, NO_DB_KEYRING, get_db_password
from trayapp.paths import AppPaths
from trayapp.private import private_dir
from trayapp.setting_types import CODINGS, BankTerms, is_postgres_url
from trayapp.settings_check import (
    LOOPBACK,
    TREE_TAIL,
    WIN_MAX_PATH,
    WIN_RESERVED,
    check_backup_folder,
    check_database_url,
    check_folder,
    check_server_url,
)

log = logging.getLogger(__name__)

# the names that lived here before the checks and the passwords moved out, still served
__all__ = [
    "DB_KEYRING_SERVICE", "KEYRING_SERVICE", "KEYS", "LOOPBACK", "MAX_BACKUP_KEEP",
    "MAX_SCHEDULE", "NO_DB_KEYRING", "NO_KEYRING", "PASSWORD_ENV", "TREE_TAIL", "WIN_MAX_PATH",
    "WIN_RESERVED", "Settings", "check_backup_folder", "check_database_url", "check_folder",
    "check_server_url", "exists", "get_db_password", "get_password", "load", "password_key",
    "require_postgres_url", "save", "set_db_password", "set_password", "set_value",
    "with_os_autostart",
]  # fmt: skip

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
