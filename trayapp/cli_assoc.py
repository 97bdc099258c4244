"""The associations on the command line (spec/associations.md, spec/cli.md): ``assoc list``,
``assoc add NAME [--home DIR]``, ``assoc rename OLD NEW``, ``assoc remove NAME``, the global
``--assoc NAME`` (``home_of``) and ``exchange --all`` (a session for each in turn, each line
beginning with the name, the exit code the worst). Imports the core lazily; no GUI.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Any

from trayapp import console
from trayapp.errors import AppError

log = logging.getLogger(__name__)

Emit = Callable[[argparse.Namespace, Any, str], None]


class AssocUsageError(Exception):
    """``--assoc`` with ``--home``, or ``--all`` with either (exit 2)."""


def add_common(p: argparse.ArgumentParser, top: bool) -> None:
    p.add_argument("--assoc", metavar="NAME", default=None if top else argparse.SUPPRESS,
                   help="ТСЖ из списка (trayapp assoc list) вместо --home")  # fmt: skip


def add_commands(cmd: Callable[[str, str], argparse.ArgumentParser],
                 common: Callable[[argparse.ArgumentParser, bool], None],
                 parser_class: type[argparse.ArgumentParser]) -> None:  # fmt: skip
    sp = cmd("assoc", "список ТСЖ: показать, добавить, переименовать, убрать")
    sub = sp.add_subparsers(dest="assoc_command", parser_class=parser_class, required=True)
    common(sub.add_parser("list", help="ТСЖ в списке: название, ИНН, каталог, последний обмен"),
           False)  # fmt: skip
    add = sub.add_parser("add", help="добавить ТСЖ (новый каталог или существующий --home)")
    common(add, False)
    add.add_argument("name")
    ren = sub.add_parser("rename", help="переименовать ТСЖ в списке")
    common(ren, False)
    ren.add_argument("old")
    ren.add_argument("new")
    rem = sub.add_parser("remove", help="убрать ТСЖ из списка (его данные остаются)")
    common(rem, False)
    rem.add_argument("name")


def home_of(args: argparse.Namespace) -> str | None:
    """The home a command works in: ``--home``, the association ``--assoc`` names, else the
    first association of the list (the default home while there is no list)."""
    from trayapp import associations

    name = getattr(args, "assoc", None)
    home = getattr(args, "home", None)
    if name and home:
        raise AssocUsageError("--assoc и --home вместе нельзя: укажите что-то одно")
    if home:
        return str(home)
    if name:
        return associations.find(name).home_arg
    return associations.first_home()


# ---------------------------------------------------------------------------- assoc


def _facts(a: Any) -> dict[str, Any]:
    """name, INN, home, last exchange, pending count of one association; opens no database
    that does not exist yet (a new home before its first start)."""
    from trayapp.app import App
    from trayapp.core import exchange
    from trayapp.core.db.dialect import is_postgres_url

    out: dict[str, Any] = {"name": a.name, "inn": None, "home": str(a.paths.config_dir),
                           "last_exchange": None, "pending": 0, "error": None}  # fmt: skip
    try:
        app = App.create(a.home_arg)
        try:
            s = app.settings
            if is_postgres_url(s.database) or s.database_path(app.paths).is_file():
                out["inn"] = app.org_inn()
                st = exchange.status(app.db, app.tree)
                out["last_exchange"] = st["last_exchange"]
                out["pending"] = st["pending"]
        finally:
            app.close()
    except AppError as exc:
        out["error"] = exc.message
    return out


def cmd_assoc(args: argparse.Namespace, emit: Emit) -> None:
    from trayapp import associations

    if getattr(args, "assoc", None):
        raise AssocUsageError("команды assoc работают со списком: --assoc здесь не нужен")
    c = args.assoc_command
    if c == "list":
        facts = [_facts(a) for a in associations.load()]
        lines = []
        for i, f in enumerate(facts):
            line = (f"{f['name']}  ИНН {f['inn'] or 'не загружен'}  {f['home']}  "
                    f"последний обмен: {f['last_exchange'] or 'не было'}  "
                    f"ждут приёма: {f['pending']}")  # fmt: skip
            if i == 0:
                line += "  (по умолчанию)"
            if f["error"]:
                line += f"  ! {f['error']}"
            lines.append(line)
        emit(args, facts, "\n".join(lines))
    elif c == "add":
        a = associations.add(args.name, getattr(args, "home", None))
        emit(args, {"name": a.name, "home": str(a.paths.config_dir)},
             f"{associations.titled(a.name)} добавлено в список, "
             f"его каталог: {a.paths.config_dir}\n"
             f"настройте его: trayapp --assoc \"{a.name}\" settings set server_url АДРЕС "
             "(и login, folder...), затем trayapp --assoc ... import org ФАЙЛ")  # fmt: skip
    elif c == "rename":
        a = associations.rename(args.old, args.new)
        emit(args, {"name": a.name, "home": str(a.paths.config_dir)},
             f"{associations.titled(args.old)} теперь называется: {a.name}")  # fmt: skip
    else:
        a = associations.remove(args.name)
        emit(args, {"name": a.name, "home": str(a.paths.config_dir)},
             f"{associations.titled(a.name)} убрано из списка; "
             "его данные (настройки, база, каталог обмена) "
             f"остались в {a.paths.config_dir}: вернуть — trayapp assoc add \"{a.name}\" "
             f"--home \"{a.paths.config_dir}\"")  # fmt: skip


# ---------------------------------------------------------------------------- exchange --all


def exchange_all(args: argparse.Namespace, one: Callable[[Any], tuple[dict[str, Any], str]]
                 ) -> int:  # fmt: skip
    """A session for each association in turn; ``one(app)`` runs one and returns its JSON and
    text. Each line of the text begins with the name; returns the worst exit code."""
    from trayapp import associations
    from trayapp.app import App, setup_logging

    if getattr(args, "home", None) or getattr(args, "assoc", None):
        raise AssocUsageError("--all — обмен во всех ТСЖ списка: без --home и --assoc")
    items = associations.load()
    results: list[dict[str, Any]] = []
    worst = 0
    for a in items:
        try:
            app = App.create(a.home_arg)
            setup_logging(app.paths, app.settings.verbose)  # the first one's log holds all
            log.info("exchange --all: %s", a.name)
            try:
                data, text = one(app)
            finally:
                app.close()
        except AppError as exc:
            log.error("exchange --all: %s: %s", a.name, exc.cli_message, exc_info=True)
            worst = max(worst, 1)
            data = {"sent": 0, "received": 0, "answers_ok": 0, "answers_error": 0, "broken": 0,
                    "pending": 0, "errors": [exc.cli_message], "failed": True}  # fmt: skip
            text = f"ошибка: {exc.cli_message}"
        results.append({"assoc": a.name, **data})
        if not args.json:
            console.out("\n".join(f"{a.name}: {line}" for line in text.splitlines()))
    if args.json:
        console.out_json(results)
    return worst

