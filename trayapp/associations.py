"""The per-user list of associations (spec/associations.md): ``associations.json``.

Each association is a name (unique) and a home (``--home``'s folder; None for the default
home: the platform folders, or ``TRAYAPP_HOME``). The list lives in the default home's config
folder. Without the file the list is the default home alone, named by the ``org`` of its
database: an existing installation is the first association with nothing to do; the file is
written only when the list is changed (``assoc add``, ``rename``, ``remove``).

``check_apart`` keeps them apart: an exchange folder or an SQLite file another association
uses is refused, naming it. Imports no GUI; the database only to read an association's name.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from trayapp import settings as settings_mod
from trayapp.errors import AppError, SettingsError
from trayapp.fsutil import write_atomic
from trayapp.paths import AppPaths
from trayapp.private import private_dir

log = logging.getLogger(__name__)

LIST_FILE = "associations.json"
UNNAMED = "ТСЖ"  # the default home's name while its database holds no org
NEW_HOMES = "ТСЖ"  # the folder under the data folder that holds the homes `assoc add` makes
_BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f«»]')


@dataclass(frozen=True, slots=True)
class Association:
    name: str
    home: Path | None  # None: the default home

    @property
    def paths(self) -> AppPaths:
        return AppPaths.resolve(self.home)

    @property
    def home_arg(self) -> str | None:
        """What ``App.create`` / ``--home`` takes."""
        return str(self.home) if self.home is not None else None


_FORMS = ("ТСЖ", "ТСН", "ЖСК", "ЖК", "УК", "ООО", "АО", "ПАО", "МУП", "ГУП", "ИП")


def titled(name: str) -> str:
    """How a message names an association: ``ТСЖ «Берёзка»`` for «Берёзка», and a name that
    already says what it is (``ТСЖ «Берёзка»``, ``УК Центр``, «Заря») as it is, never
    ``ТСЖ «ТСЖ «Берёзка»»``."""
    first = name.split(maxsplit=1)[0].upper() if name.split() else ""
    if "«" in name or '"' in name or first in _FORMS:
        return name
    return f"ТСЖ «{name}»"


def default_paths() -> AppPaths:
    return AppPaths.resolve(None)


def list_file() -> Path:
    return default_paths().config_dir / LIST_FILE


def _key(path: Path) -> str:
    """A folder as compared: absolute, resolved, in the OS's case."""
    return os.path.normcase(str(path.expanduser().resolve()))


def same_home(a: AppPaths, b: AppPaths) -> bool:
    return _key(a.config_dir) == _key(b.config_dir)


def org_name(paths: AppPaths) -> str:
    """The ``org`` name of a home's database, '' where there is none (never creates one)."""
    from trayapp.core.db import open_database
    from trayapp.core.db.dialect import is_postgres_url
    from trayapp.core.db.documents import org

    try:
        s = settings_mod.load(paths)
        target = s.database_target(paths)
        if not is_postgres_url(str(target)) and not Path(target).is_file():
            return ""
        db = open_database(target)
        try:
            return org(db)[1]
        finally:
            db.close()
    except (AppError, OSError):
        log.warning("the name of the association at %s could not be read", paths.config_dir,
                    exc_info=True)  # fmt: skip
        return ""


def load() -> list[Association]:
    """The associations, the first one being where commands go without ``--assoc``."""
    return [_named(a) for a in _load()]


def _named(a: Association) -> Association:
    """The implied default association gets its name from its database (read only now:
    that opens the database)."""
    return a if a.name else Association(org_name(a.paths) or UNNAMED, a.home)


def _load() -> list[Association]:
    """The list as stored; without the file the default home, its name left empty."""
    f = list_file()
    if not f.exists():
        return [Association("", None)]
    try:
        data = json.loads(f.read_text(encoding="utf-8-sig"))
        items = data["associations"]
        out = [Association(str(i["name"]), Path(i["home"]) if i.get("home") else None)
               for i in items]  # fmt: skip
    except (ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise SettingsError(f"список ТСЖ {f} повреждён ({type(exc).__name__}): исправьте "
                            "его или удалите, чтобы остался один ТСЖ по умолчанию") from exc  # fmt: skip
    if not out:
        raise SettingsError(f"список ТСЖ {f} пуст: удалите его, чтобы остался один ТСЖ "
                            "по умолчанию")  # fmt: skip
    return out


def save(items: list[Association]) -> None:
    f = list_file()
    private_dir(f.parent)
    data = {"associations": [{"name": a.name, "home": a.home_arg} for a in items]}
    write_atomic(f, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def find(name: str, items: list[Association] | None = None) -> Association:
    items = load() if items is None else items
    for a in items:
        if a.name == name:
            return a
    for a in items:  # «берёзка» for «Берёзка»: a name typed in another case
        if a.name.casefold() == name.casefold():
            return a
    names = ", ".join(f"«{a.name}»" for a in items)
    raise AppError(f"нет {titled(name)} в списке (есть: {names})", "trayapp assoc list",
                   "выберите ТСЖ из списка вверху окна")  # fmt: skip


def first() -> Association:
    return load()[0]


def first_home() -> str | None:
    """The first association's home (``--home``'s form), without opening any database."""
    return _load()[0].home_arg


def of_home(paths: AppPaths, items: list[Association] | None = None) -> Association | None:
    """The association whose home ``paths`` is, None for a home not in the list."""
    for a in load() if items is None else items:
        if same_home(a.paths, paths):
            return a
    return None


def listed_name(paths: AppPaths) -> str:
    """The name a home has in the list, '' where it is not listed or named by its org (cheap:
    opens no database)."""
    try:
        items = _load()
    except AppError:
        return ""
    for a in items:
        if same_home(a.paths, paths):
            return a.name
    return ""


def name_of(paths: AppPaths) -> str:
    """How to name a home to the accountant: its name in the list, else its org's name."""
    try:  # the stored list: another home's database is never opened for its name
        a = of_home(paths, _load())
    except AppError:
        a = None
    return _named(a).name if a is not None else org_name(paths)


# ---------------------------------------------------------------------------- kept apart


def check_apart(paths: AppPaths, s: settings_mod.Settings,
                old: settings_mod.Settings | None = None) -> None:  # fmt: skip
    """Refuse settings of the home ``paths`` whose exchange folder or SQLite file another
    association of the list uses, naming it (only what changed, when ``old`` is given)."""
    from trayapp.core.db.dialect import is_postgres_url

    folder = _key(s.exchange_folder(paths))
    check_folder = old is None or _key(old.exchange_folder(paths)) != folder
    sqlite = not is_postgres_url(s.database)
    database = _key(s.database_path(paths)) if sqlite else ""
    check_db = sqlite and (old is None or old.database != s.database)
    if not (check_folder or check_db):
        return
    try:
        items = _load()
    except AppError:
        log.warning("the list of associations is unreadable: nothing checked", exc_info=True)
        return
    for a in items:
        other = a.paths
        if same_home(other, paths):
            continue
        try:
            theirs = settings_mod.load(other)
        except AppError:
            continue  # a broken settings file there: its own problem, said where it is used
        if check_folder and _key(theirs.exchange_folder(other)) == folder:
            raise SettingsError(
                f"каталог обмена {s.exchange_folder(paths)} уже использует "
                f"{titled(_named(a).name)}: "
                "у каждого ТСЖ свой каталог обмена, иначе реестры одного уйдут на сервер "
                "другого; выберите другой каталог"
            )
        if check_db and not is_postgres_url(theirs.database) and (
            _key(theirs.database_path(other)) == database
        ):
            raise SettingsError(
                f"файл базы данных {s.database_path(paths)} уже использует "
                f"{titled(_named(a).name)}: "
                "у каждого ТСЖ своя база данных; выберите другой файл"
            )


# ---------------------------------------------------------------------------- changes


def _check_name(name: str, items: list[Association], but: Association | None = None) -> str:
    name = name.strip()
    if not name:
        raise SettingsError("название ТСЖ не может быть пустым")
    if any(c in name for c in "\r\n\t\x00"):
        raise SettingsError("название ТСЖ: одна строка без управляющих символов")
    for a in items:
        if a is not but and a.name.casefold() == name.casefold():
            raise SettingsError(f"{titled(a.name)} уже есть в списке: выберите другое название")
    return name


def new_home(name: str) -> Path:
    """A new home under the data folder, named after the association."""
    base = default_paths().data_dir / NEW_HOMES
    stem = _BAD_CHARS.sub("", name).strip(" .") or "ТСЖ"
    stem = stem[:60].strip(" .")
    home = base / stem
    n = 2
    while home.exists():
        home = base / f"{stem} {n}"
        n += 1
    return home


def add(name: str, home: str | None = None) -> Association:
    """Add an association: an existing home as it is, or a new one under the data folder."""
    items = load()
    if not list_file().exists() and _unused(items[0]):
        items = []  # a default home never set up is no association (decisions.md)
    name = _check_name(name, items)
    path = Path(home).expanduser().resolve() if home else new_home(name)
    paths = AppPaths.resolve(path)
    taken = of_home(paths, items)
    if taken is not None:
        raise SettingsError(f"каталог {path} — уже {titled(taken.name)} в списке")
    if home and settings_mod.exists(paths):
        check_apart(paths, settings_mod.load(paths))
    private_dir(path)
    a = Association(name, path)
    save([*items, a])
    log.info("association added: %s", path)
    return a


def keep_shown(shown: list[Association]) -> None:
    """Before «Добавить ТСЖ…» in the window: the list keeps what ``assoc list`` showed (the
    default association too, even one never set up) and every home the window shows (a
    ``--home`` one not listed), so that adding one never drops another, and ``check_apart``
    knows each of them (their exchange folders, their databases)."""
    items = load()
    changed = not list_file().exists()
    for a in shown:
        if of_home(a.paths, items) is not None:
            continue
        name, n = a.name or org_name(a.paths) or UNNAMED, 2
        base = name
        while any(x.name.casefold() == name.casefold() for x in items):
            name, n = f"{base} ({n})", n + 1
        items.append(Association(name, Path(a.home).expanduser().resolve() if a.home else None))
        changed = True
    if changed:
        save(items)


def _unused(a: Association) -> bool:
    """A home nobody ever set up (no settings file, no database file)."""
    p = a.paths
    return not settings_mod.exists(p) and not p.default_database.exists()


def ensure_listed(paths: AppPaths) -> Association | None:
    """Put a home turned on for autostart into the list (the one autostart entry starts the
    tray of the list): named by its org, else by its folder. None when listed already. The
    implied default home is left out of a list it never was used in (at login it would
    open an empty association on «Первый запуск»)."""
    items = _load()
    if of_home(paths, [_named(a) for a in items]) is not None:
        return None
    if not list_file().exists() and _unused(items[0]):
        items = []
    named = [_named(a) for a in items]
    base = org_name(paths) or paths.config_dir.name or UNNAMED
    name, n = base, 2
    while any(a.name.casefold() == name.casefold() for a in named):
        name, n = f"{base} ({n})", n + 1
    a = Association(name, paths.config_dir)
    save([*named, a])
    log.info("autostart: home %s added to the list of associations", paths.config_dir)
    return a


def rename(old: str, new: str) -> Association:
    items = load()
    a = find(old, items)
    new = _check_name(new, items, but=a)
    b = Association(new, a.home)
    save([b if x is a else x for x in items])
    return b


def remove(name: str) -> Association:
    """Take an association off the list; its home and data stay where they are."""
    items = load()
    a = find(name, items)
    if len(items) == 1:
        raise SettingsError(f"{titled(a.name)} — единственное в списке: его нельзя убрать")
    save([x for x in items if x is not a])
    return a
