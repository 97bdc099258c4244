"""The backup commands of the command line (spec/cli.md, spec/backup.md): ``backup [--to DIR]``,
``backup list``, ``backup verify [NAME] [--all]``, ``restore NAME [--to-home DIR]``, and the
automatic backup after the commands that call for one (``auto``). Imports the core lazily.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trayapp import console
from trayapp.errors import AppError, BackupError

Emit = Callable[[argparse.Namespace, Any, str], None]


def add_commands(cmd: Callable[[str, str], argparse.ArgumentParser],
                 common: Callable[[argparse.ArgumentParser, bool], None]) -> None:  # fmt: skip
    sp = cmd("backup", "резервная копия: сделать, показать (list), проверить (verify)")
    sp.add_argument("--to", metavar="DIR", type=Path, help="сделать копию в каталог DIR")
    bsub = sp.add_subparsers(dest="backup_command")
    common(bsub.add_parser("list", help="резервные копии в каталоге копий"), False)
    ver = bsub.add_parser("verify", help="проверить копию (по умолчанию — последнюю)")
    common(ver, False)
    ver.add_argument("name", nargs="?")
    ver.add_argument("--all", action="store_true", help="проверить все копии")
    sp = cmd("restore", "восстановить из резервной копии")
    sp.add_argument("name")
    sp.add_argument("--to-home", metavar="DIR", type=Path,
                    help="в новый пустой каталог, не трогая текущие данные")  # fmt: skip


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}".replace(".", ",") + " МБ"


def find(app: Any, name: str | None) -> Path:
    """A backup named on the command line: a path, or a name in the backup folder (the newest
    of this org, or of any, when no name)."""
    from trayapp.core import backup as bk

    folder = app.settings.backup_dir(app.paths)
    if name is None:
        found = bk.backups_in(folder)
        if not found:
            raise BackupError(f"в каталоге {folder} нет резервных копий")
        return found[0]
    p = Path(name).expanduser()
    if p.is_file():
        return p.resolve()
    if (folder / name).is_file():
        return Path(folder / name)
    raise BackupError(f"нет резервной копии {name} (каталог копий {folder})")


def cmd_backup(args: argparse.Namespace, app: Any, emit: Emit) -> int:
    from trayapp.core import backup as bk
    from trayapp.core import backup_verify as bv

    if args.backup_command == "list":
        folder = app.settings.backup_dir(app.paths)
        items = bk.list_backups(app.paths, folder)
        state = {True: "проверена", False: "ПОВРЕЖДЕНА", None: "не проверялась"}
        lines = [f"{i.file.name}  {i.created or '?'}  {_mb(i.size)}  ИНН {i.inn or '—'}  "
                 f"реестров: {i.registries}  {state[i.verified]}" for i in items]  # fmt: skip
        # the folder named: a copy made with --to elsewhere is not in it, and «нет копий»
        # alone read as «no copy was ever made»
        emit(args, [i.to_json() for i in items],
             f"каталог копий {folder}:\n" + "\n".join(lines) if lines
             else f"в каталоге копий {folder} резервных копий нет")  # fmt: skip
        return 0
    if args.backup_command == "verify":
        targets = (bk.backups_in(app.settings.backup_dir(app.paths)) if args.all
                   else [find(app, args.name)])  # fmt: skip
        results = []
        for t in targets:
            v = bv.verify(t)
            bk.remember(app.paths, v)
            if not v.ok:
                _event(app, f"Резервная копия {t.name} повреждена: " + "; ".join(v.faults))
            results.append(v)
        text = "\n".join(f"{v.file.name}: копия в порядке" if v.ok else
                         f"{v.file.name}:\n" + "\n".join(f"  {f}" for f in v.faults)
                         for v in results)  # fmt: skip
        data: Any = [v.to_json() for v in results] if args.all else results[0].to_json()
        emit(args, data, text or "резервных копий нет")
        return 0 if all(v.ok for v in results) else 1
    db = app.db
    info = bk.make_backup(db, app.paths, app.settings, folder=args.to, clock=app.clock)
    data = info.to_json()
    del data["created"], data["inn"], data["name"]
    emit(args, data, f"резервная копия: {info.file} ({_mb(info.size)}, файлов {info.members}, "
                     f"реестров получено: {info.registries}); проверена"
                     + _elsewhere(args, app, info.file))  # fmt: skip
    return 0


def _elsewhere(args: argparse.Namespace, app: Any, file: Path) -> str:
    """A copy written outside the backup folder (``--to``) is not in ``backup list``: say so."""
    folder = app.settings.backup_dir(app.paths)
    if file.parent.resolve() == Path(folder).resolve():
        return ""
    typed = console.typed_command(getattr(args, "home", None), getattr(args, "assoc", None))
    return (f"\nкопия вне каталога копий {folder}, в «backup list» её нет; "
            f"восстановить: {typed} restore \"{file}\"")


def _event(app: Any, text: str) -> None:
    from trayapp.core import events

    try:
        with app.db.transaction():
            events.record(app.db, text, "error", seen=True)
    except AppError:
        pass


def cmd_restore(args: argparse.Namespace, app: Any, emit: Emit) -> int:
    from trayapp.core import backup_restore as br

    backup = find(app, args.name)
    if args.to_home is not None:
        r = br.restore_to_home(backup, args.to_home)
        emit(args, r.to_json(), f"данные из копии {backup.name} развёрнуты в {r.home}: "
                                f"{console.typed_command(str(r.home))} tray\n"
                                "это копия для просмотра: адрес сервера в ней не задан, "
                                "обмена с «Мои счета» из неё нет")  # fmt: skip
        return 0
    app.close()
    r = br.restore_in_place(backup, app.paths, app.settings, app.clock)
    emit(args, r.to_json(), f"восстановлено из {backup.name}; прежнее состояние сохранено в "
                            f"{r.before}\nреестры, полученные после этой копии, снова придут "
                            "из «Мои счета», только если сервер их ещё хранит")  # fmt: skip
    return 0


def auto(app: Any, reason: str) -> None:
    """The automatic backup after a command (``backup_auto``); a failure is said on stderr
    and kept as an event, the command's own outcome stands."""
    from trayapp.core.backup_auto import auto_backup

    try:
        r = auto_backup(app.db, app.paths, app.settings, reason, app.clock)
    except AppError as exc:  # the database would not even open
        console.err(f"резервная копия не сделана: {exc.cli_message}")
        return
    if r.error:
        console.err(r.error)
