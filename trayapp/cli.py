"""The command line (spec/cli.md): everything the window does, for scripts and schedulers.

Parses arguments, builds the ``App`` and calls the same core functions as the window. Exit
codes: 0 done, 1 the job could not be done (a Russian message on stderr), 2 a wrong command
line. ``--home`` and ``--json`` may stand before or after the command. This module holds
the parser and the dispatch (and the commands that start a program: ``tray``, ``demo``,
``emulator``); the command groups are ``cli_data``, ``cli_exchange``, ``cli_bank``,
``cli_backup`` and ``cli_assoc``, what they share ``cli_common``. Imports the core lazily so
that ``--help`` is fast; imports no GUI unless the tray is started.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from trayapp import cli_assoc, console
from trayapp.cli_common import UsageError, emit, plural
from trayapp.cli_data import cmd_export, cmd_generate, cmd_import, cmd_settings
from trayapp.cli_exchange import (
    cmd_accept,
    cmd_backup,
    cmd_bank,
    cmd_exchange,
    cmd_pending,
    cmd_post,
    cmd_reconcile,
    cmd_report,
    cmd_restore,
    cmd_status,
)
from trayapp.errors import AppError
from trayapp.private import restrict_umask
from trayapp.version import version

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], Any]
__all__ = ["HANDLERS", "UsageError", "build_parser", "main", "plural"]


# argparse's own words, in Russian (it looks them up through its module-level gettext)
_RU = {
    "usage: ": "вызов: ",
    "positional arguments": "аргументы",
    "options": "параметры",
    "show this help message and exit": "показать эту справку и выйти",
    "the following arguments are required: %s": "не хватает аргументов: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "недопустимое значение %(value)r (допустимо: %(choices)s)",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "непонятные аргументы: %s",
    "expected one argument": "ожидается одно значение",
    "invalid %(type)s value: %(value)r": "неверное значение %(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
}  # fmt: skip
argparse._ = lambda text: _RU.get(text, text)  # type: ignore[attr-defined]
argparse.ngettext = lambda one, many, n: _RU.get(one if n == 1 else many,  # type: ignore[attr-defined]
                                                 one if n == 1 else many)  # fmt: skip


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # exit 2 with a Russian hint
        console.write("stderr", self.format_usage())
        console.err(f"{self.prog}: ошибка: {message}")
        raise SystemExit(2)


def _common(p: argparse.ArgumentParser, top: bool) -> None:
    default: Any = None if top else argparse.SUPPRESS
    p.add_argument("--home", metavar="DIR", default=default,
                   help="хранить настройки, базу, журнал и каталог обмена в DIR")  # fmt: skip
    p.add_argument("--json", action="store_true", default=False if top else argparse.SUPPRESS,
                   help="вывести результат одним документом JSON")  # fmt: skip
    cli_assoc.add_common(p, top)


class _Version(argparse._VersionAction):
    """``--version``: the number read only when asked for (metadata costs the tray's start)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:  # fmt: skip
        self.version = f"trayapp {version()}"
        super().__call__(parser, namespace, values, option_string)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="trayapp", description="Обмен реестрами с сервисом «Мои счета».")
    p.add_argument("--version", action=_Version, version="trayapp",
                   help="показать версию и выйти")  # fmt: skip
    _common(p, True)
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    def cmd(name: str, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        _common(sp, False)
        return sp

    p.add_argument("--minimized", action="store_true", default=False,
                   help="запустить только значок, без окна (так запускает автозагрузка)")  # fmt: skip
    sp = cmd("tray", "значок в области уведомлений и окно (обычный способ запуска)")
    sp.add_argument("--minimized", action="store_true", default=argparse.SUPPRESS,
                    help="только значок, без окна (так запускает автозагрузка)")  # fmt: skip
    sp = cmd("demo", "демонстрация: ТСЖ, эмулятор «Мои счета» и полный цикл обмена")
    sp.add_argument("--accounts", type=int, default=60, metavar="N")
    sp.add_argument("--no-tray", action="store_true", help="не показывать значок после цикла")

    sp = cmd("emulator", "запустить эмулятор сервера «Мои счета»")
    sp.add_argument("--host", default="127.0.0.1")
    sp.add_argument("--port", type=int, default=8765)
    sp.add_argument("--data", metavar="DIR")
    sp.add_argument("--login", default="demo")
    sp.add_argument("--password", default="demo")
    sp.add_argument("--org", metavar="INN")
    sp.add_argument("--no-residents", action="store_true")
    sp.add_argument("--seed", type=int)

    sp = cmd("settings", "настройки")
    ssub = sp.add_subparsers(dest="settings_command", parser_class=_Parser, required=True)
    for name, text in (("show", "показать настройки"), ("password", "задать пароль"),
                       ("db-password", "задать пароль базы данных PostgreSQL"),
                       ("forget-passwords", "удалить сохранённые пароли всех ТСЖ "
                                            "(так делает удаление программы с данными)")):
        _common(ssub.add_parser(name, help=text), False)
    sset = ssub.add_parser("set", help="изменить параметр")
    _common(sset, False)
    sset.add_argument("key", choices=["folder", "coding", "server_url", "login", "verbose",
                                      "database", "bank_agent_inn", "bank_fee_percent",
                                      "bank_days", "autostart", "schedule_minutes",
                                      "backup_folder", "backup_auto", "backup_keep"])  # fmt: skip
    sset.add_argument("value")

    sp = cmd("import", "загрузить таблицу из программы начислений (CSV или .xlsx)")
    sp.add_argument("kind", choices=["org", "providers", "services", "accounts", "balances",
                                     "accruals", "payments", "meters", "readings"])  # fmt: skip
    sp.add_argument("file", type=Path)
    sp.add_argument("--sheet", metavar="NAME", help="лист книги Excel с таблицей")
    sp.add_argument("--header-row", type=int, metavar="N",
                    help="строка заголовка таблицы (номер строки в файле или на листе)")  # fmt: skip
    sp.add_argument("--column", action="append", default=[], metavar="FIELD=ЗАГОЛОВОК",
                    help="какой столбец файла читать как столбец FIELD (можно несколько раз)")  # fmt: skip
    sp.add_argument("--check", action="store_true",
                    help="только проверить: ничего не загружать, показать все ошибки")  # fmt: skip
    sp.add_argument("--replace", action="store_true",
                    help="org: заменить ИНН и название ТСЖ данными другой организации")  # fmt: skip

    sp = cmd("generate", "сформировать реестр в каталог Исходящие")
    sp.add_argument("kind", choices=["services", "debts", "meters"])
    sp.add_argument("--month", metavar="MM.YYYY")
    sp.add_argument("--apartments-only", action="store_true")
    sp.add_argument("--date", metavar="DD.MM.YYYY")

    sp = cmd("exchange", "сеанс обмена с «Мои счета»")
    sp.add_argument("--all", action="store_true", help="по сеансу во всех ТСЖ списка по очереди")
    cmd("pending", "полученные реестры, ждущие приёма")
    sp = cmd("accept", "принять реестр оплат или показаний")
    sp.add_argument("file")
    sp.add_argument("--xlsx", action="store_true", help="отчёт в виде книги Excel, а не HTML")
    sp = cmd("report", "отчёт по принятому реестру (HTML для печати или --xlsx)")
    sp.add_argument("file")
    sp.add_argument("--xlsx", action="store_true")
    sp = cmd("export", "выгрузить принятые оплаты или показания для программы начислений")
    sp.add_argument("kind", choices=["payments", "readings"])
    sp.add_argument("--all", action="store_true")
    sp.add_argument("--out", type=Path)
    sp.add_argument("--header", choices=["ru", "en"], default="ru",
                    help="названия столбцов: ru (по умолчанию) или en (прежние)")  # fmt: skip
    sp = cmd("post", "провести документ «Показания новые»")
    sp.add_argument("document")
    sp.add_argument("--leave", default="", metavar="METER_ID[,METER_ID...]",
                    help="показания этих счётчиков не проводить: они останутся в новом "
                         "документе «Показания новые»")  # fmt: skip
    cmd("status", "последний обмен, ожидающие реестры, ошибки")
    sp = cmd("bank", "выписка банка (формат 1С «Клиент банка»)")
    bsub = sp.add_subparsers(dest="bank_command", parser_class=_Parser, required=True)
    bimp = bsub.add_parser("import", help="загрузить выписку (kl_to_1c.txt)")
    _common(bimp, False)
    bimp.add_argument("file", type=Path)
    from trayapp import cli_bank

    cli_bank.add_list(bsub, _common)
    cmd("reconcile", "сверка реестров оплат с переводами по выписке банка")
    from trayapp import cli_backup

    cli_backup.add_commands(cmd, _common)
    cli_assoc.add_commands(cmd, _common, _Parser)
    return p


def cmd_emulator(args: argparse.Namespace) -> None:
    from trayapp.emulator.server import main as emulator_main
    from trayapp.paths import AppPaths

    data = args.data or str(AppPaths.resolve(cli_assoc.home_of(args)).emulator_data)
    argv = ["--host", args.host, "--port", str(args.port), "--data", data,
            "--login", args.login, "--password", args.password]  # fmt: skip
    if args.org:
        argv += ["--org", args.org]
    if args.no_residents:
        argv.append("--no-residents")
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    code = emulator_main(argv)
    if code:
        raise SystemExit(code)


def cmd_demo(args: argparse.Namespace) -> None:
    from trayapp.demo_run import run_demo

    run_demo(cli_assoc.home_of(args), args.accounts, args.json, tray=not args.no_tray)


def cmd_tray(args: argparse.Namespace) -> None:
    from trayapp.ui.tray import run_tray

    assoc = getattr(args, "assoc", None)
    if assoc and args.home:
        raise UsageError("--assoc и --home вместе нельзя: укажите что-то одно")
    if assoc:  # the tray of the whole list, opened on that association
        from trayapp.associations import find

        assoc = find(assoc).name
    code = run_tray(args.home, minimized=bool(getattr(args, "minimized", False)), show=assoc)
    if code:
        raise SystemExit(code)


HANDLERS: dict[str, Handler] = {
    "settings": cmd_settings,
    "import": cmd_import,
    "generate": cmd_generate,
    "exchange": cmd_exchange,
    "status": cmd_status,
    "bank": cmd_bank,
    "reconcile": cmd_reconcile,
    "pending": cmd_pending,
    "accept": cmd_accept,
    "report": cmd_report,
    "export": cmd_export,
    "post": cmd_post,
    "emulator": cmd_emulator,
    "demo": cmd_demo,
    "tray": cmd_tray,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "assoc": lambda args: cli_assoc.cmd_assoc(args, emit),
}


def main(argv: Sequence[str] | None = None) -> int:
    console.prepare_streams()  # a windowed build has no stdout/stderr; a pipe a code page
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "tray"
    restrict_umask()  # personal data: what the program creates is the user's alone (POSIX)
    if command in ("exchange", "demo"):  # the ones that speak HTTPS (the tray: once its icon shows)
        from trayapp.app import use_system_certificates

        use_system_certificates()
    logging.getLogger().addHandler(logging.NullHandler())  # tracebacks go to the log only
    try:
        HANDLERS[command](args)
    except (UsageError, cli_assoc.AssocUsageError) as exc:
        console.err(f"trayapp: ошибка: {exc}")
        return 2
    except AppError as exc:
        log.error("%s: %s", type(exc).__name__, exc.cli_message, exc_info=True)
        console.err(exc.cli_message)
        return 1
    except KeyboardInterrupt:
        console.err("прервано")
        return 1
    except Exception as exc:  # the last line of defence: a message, the traceback to the log
        log.exception("unexpected error")
        console.err(f"Внутренняя ошибка: {type(exc).__name__}: {exc}\n"
                    "подробности в журнале программы")  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
