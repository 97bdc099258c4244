"""Checks of the settings' paths and addresses: the exchange and backup folders, the server's
and the database's URLs, each refused with a Russian message.

A folder is created and written to for real (a file made and removed: ``os.access`` says yes
to a read-only share or to a folder an ACL forbids on Windows); on Windows a name the system
would change (a trailing dot or space), a device name and a path too long for the exchange
tree are refused. ``check_server_url`` lets plain http go only to this computer
(``LOOPBACK``); ``check_database_url`` refuses a password inside the URL. Split from
``settings`` (which re-exports these names); a base module: imports nothing of ``core``, no GUI.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse, urlsplit

from trayapp.errors import SettingsError
from trayapp.fsutil import os_reason

# Windows (long paths are off by default): 259 characters a path at most; the deepest name the
# exchange tree holds is a hidden temporary answer two folders down
WIN_MAX_PATH = 259
WIN_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                          *(f"LPT{i}" for i in range(1, 10))})  # fmt: skip
TREE_TAIL = len("\\Отправлены\\Обработаны\\.~Ack_Readings_20261106_001.txt.xxxxxxxx")


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
    _no_file_on_the_way(folder, "каталог обмена")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(f"каталог обмена {folder} создать нельзя: "
                            f"{os_reason(exc)}") from exc  # fmt: skip
    # written for real (a file made and removed): os.access says yes to any folder on
    # Windows, and to a read-only share or an ACL that forbids it
    try:
        _write_probe(folder)
    except OSError as exc:
        raise SettingsError(f"нет прав на запись в каталог обмена {folder}: "
                            f"{os_reason(exc)}") from exc  # fmt: skip


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


def _no_file_on_the_way(folder: Path, what: str) -> None:
    """Refuse ``folder`` when it, or the nearest of its parents that exists, is a file."""
    for step in (folder, *folder.parents):
        if step.exists():
            if not step.is_dir():
                raise SettingsError(f"{what} {folder} создать нельзя: {step} — это файл, "
                                    "а не каталог")  # fmt: skip
            break


def _write_probe(folder: Path) -> None:
    """Make a file in ``folder`` and remove it (``OSError`` where that cannot be done)."""
    import tempfile

    fd, probe = tempfile.mkstemp(prefix=".~probe.", dir=folder)
    os.close(fd)
    os.unlink(probe)


def check_backup_folder(folder: Path) -> None:
    """Refuse a backup folder that cannot be created or written, in Russian. Writing is
    tried for real (a file made and removed): ``os.access`` says yes to a read-only share or
    a folder an ACL forbids on Windows."""
    _no_file_on_the_way(folder, "каталог резервных копий")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_probe(folder)
    except OSError as exc:
        raise SettingsError(f"в каталог резервных копий {folder} нельзя записать: "
                            f"{os_reason(exc)}") from exc  # fmt: skip


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_server_url(url: str) -> None:
    try:
        u = urlparse(url)
        u.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise SettingsError(f"адрес сервера {url} не разбирается: {_url_reason(exc)}") from exc
    if u.port == 0:
        raise SettingsError(f"адрес сервера {url} не разбирается: {_url_reason(None)}")
    if "@" in u.netloc:
        # cli.md: a URL with a password is refused. Whatever stands before "@" is neither
        # stored nor echoed (it may be the password); the login has a setting of its own.
        shown = u._replace(netloc="…@" + u.netloc.rpartition("@")[2]).geturl()
        raise SettingsError(
            f"адрес сервера {shown}: логин и пароль в адресе не указываются — логин задаётся "
            "отдельно («Логин», settings set login), пароль хранится в системном хранилище "
            "паролей (settings password)"
        )
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


