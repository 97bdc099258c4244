"""The command line (spec/cli.md): everything the window does, for scripts and schedulers.

Parses arguments, builds the ``App`` and calls the same core functions as the window. Exit
codes: 0 done, 1 the job could not be done (a Russian message on stderr), 2 a wrong command
line. ``--home`` and ``--json`` may stand before or after the command. Imports the core
lazily so that ``--help`` is fast; imports no GUI unless the tray is started.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from trayapp import cli_assoc, console
from trayapp.errors import AppError
from trayapp.private import restrict_umask
from trayapp.version import version

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], Any]


class UsageError(Exception):
    """A wrong command line discovered after parsing (exit 2)."""


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


# ---------------------------------------------------------------------------- helpers


def _app(args: argparse.Namespace) -> Any:
    from trayapp.app import App, setup_logging

    app = App.create(cli_assoc.home_of(args))
    setup_logging(app.paths, app.settings.verbose)
    return app


def _today(args: argparse.Namespace) -> date:
    text = getattr(args, "date", None)
    if not text:
        return date.today()
    from trayapp.core.values import parse_date

    d = parse_date(text)
    if d is None:
        raise UsageError(f"--date {text}: ожидается ДД.ММ.ГГГГ")
    return d


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        console.out_json(data)
    else:
        console.out(text)


def plural(n: int, one: str, few: str, many: str) -> str:
    """``n`` with the Russian form of the word: 1 строка, 2 строки, 5 строк."""
    if n % 10 == 1 and n % 100 != 11:
        word = one
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        word = few
    else:
        word = many
    return f"{n} {word}"


def _money(kopecks: int | None) -> str:
    """A sum for --json (and files): ``1611541.81``."""
    from trayapp.core.values import format_amount

    return format_amount(kopecks or 0)


def _sum(kopecks: int | None) -> str:
    """A sum in the text an accountant reads: ``1 611 541,81`` (no «₽»: a Windows console's
    code page may lack it; the no-break space is in cp866 and cp1251)."""
    from trayapp.core.values import format_money

    return format_money(kopecks or 0)


# ---------------------------------------------------------------------------- commands


def cmd_settings(args: argparse.Namespace) -> None:
    from trayapp import autostart
    from trayapp import settings as st

    app = _app(args)
    if args.settings_command == "show":
        data = app.settings.public(app.paths)
        inn = None
        try:
            inn = app.org_inn()
        except AppError:
            pass
        lines = [f"{k}: {data[k]}" for k in st.KEYS]
        lines.append(f"ИНН ТСЖ (из базы): {inn or 'не загружен'}")
        lines.append(f"файл настроек: {app.paths.settings_file}")
        lines.append(f"запись автозапуска: {autostart.entry_location()}")
        lines.append(f"журналы: {app.paths.log_file} (команды), "
                     f"{app.paths.log_file_of('tray').name} (значок и окно)")  # fmt: skip
        _emit(args, data, "\n".join(lines))
    elif args.settings_command == "forget-passwords":  # the uninstaller's «мои данные»
        from trayapp.forget import forget_passwords

        n = forget_passwords()
        _emit(args, {"removed": n}, f"удалено сохранённых паролей: {n}")
    elif args.settings_command == "set":
        new = st.set_value(app.settings, args.key, args.value)
        app.save_settings(new)
        _emit(args, new.public(app.paths), f"{args.key} = {new.public(app.paths)[args.key]}")
    else:
        db = args.settings_command == "db-password"
        if db:  # checked before asking, so that nobody types a password for nothing
            st.require_postgres_url(app.settings.database)
        if sys.stdin is None:  # a windowed build: no console to read from
            command = "db-password" if db else "password"
            raise AppError(f"нет консоли для ввода пароля: запустите trayapp-cli settings {command}")
        prompt = "Пароль базы данных PostgreSQL: " if db else "Пароль «Мои счета»: "
        if sys.stdin.isatty():
            password = getpass.getpass(prompt)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise AppError("пустой пароль не сохранён")
        if db:
            st.set_db_password(app.settings.database, password)
        else:
            st.set_password(app.settings.server_url, app.settings.login, password)
        _emit(args, {"saved": True}, "пароль сохранён в хранилище паролей системы")


def _columns(pairs: list[str]) -> dict[str, str]:
    """``--column FIELD=ЗАГОЛОВОК`` options as a dict (a wrong one is a usage error)."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--column {pair}: ожидается СТОЛБЕЦ=ЗАГОЛОВОК")
        out[name.strip()] = header.strip()
    return out


def cmd_import(args: argparse.Namespace) -> None:
    from trayapp.core.import_choices import ChoiceStore
    from trayapp.core.importer import import_file

    columns = _columns(args.column)
    if args.header_row is not None and args.header_row < 1:
        raise UsageError(f"--header-row {args.header_row}: ожидается номер строки, от 1")
    app = _app(args)
    choices: dict[str, Any] = {"sheet": args.sheet, "header_row": args.header_row,
                               "columns": columns,
                               "store": ChoiceStore(app.paths.import_choices_file)}  # fmt: skip
    if args.kind == "org" and not args.check:
        from trayapp.core.importer import failed_event
        from trayapp.core.org_change import import_org

        try:  # the load and its look at the ИНН share a transaction: a refusal is told after
            r = import_org(app.db, args.file, args.replace, failure_event=False, **choices)
        except AppError as exc:
            failed_event(app.db, "org", args.file, exc)
            raise
    else:
        r = import_file(app.db, args.kind, args.file, check=args.check, **choices)
    where = (f", лист «{r.sheet}»" if r.sheet else "") + f", заголовок в строке {r.header_row}"
    if r.checked:
        text = (f"проверено {plural(r.rows, 'строка', 'строки', 'строк')} из {r.file}{where}: "
                f"ошибок нет; загрузка добавит {r.inserted}, изменит {r.updated}; "
                "ничего не загружено")  # fmt: skip
    else:
        text = (f"загружено {plural(r.rows, 'строка', 'строки', 'строк')} из {r.file}{where}: "
                f"новых {r.inserted}, обновлено {r.updated}, без изменений {r.unchanged}")  # fmt: skip
    text += "".join(f"\n{n}" for n in r.notes)
    _emit(args, r.to_json(), text)


def cmd_generate(args: argparse.Namespace) -> None:
    from trayapp.core import values as v
    from trayapp.core.registries import generate

    month = None
    if args.month:
        month = v.parse_month(args.month)
        if month is None:
            raise UsageError(f"--month {args.month}: ожидается ММ.ГГГГ")
    app = _app(args)
    today = _today(args)
    r = generate(app.db, app.tree, args.kind, app.settings.coding, today, month,
                 args.apartments_only)  # fmt: skip
    lines = [f"сформирован {r.file}", f"строк: {r.rows}"]
    if r.total is not None:
        lines.append(f"сумма: {_sum(r.total)}")
    if r.period is not None and r.as_of is not None:
        lines.append(f"период: {v.format_month(r.period)}, на дату {v.format_date(r.as_of)}")
    if r.skipped_services:
        lines.append("услуги без кода в кодировании " + app.settings.coding
                     + " не попали в файл: " + "; ".join(r.skipped_services))  # fmt: skip
    if r.accounts_without_services:
        lines.append("лицевые счета только с оплатами без услуг (нет строк): "
                     + ", ".join(r.accounts_without_services))  # fmt: skip
    _emit(args, r.to_json(), "\n".join(lines))


def cmd_exchange(args: argparse.Namespace) -> None:
    if args.all:
        code = cli_assoc.exchange_all(args, _exchange_one)
        if code:
            raise SystemExit(code)
        return
    data, text = _exchange_one(_app(args))
    _emit(args, data, text)


def _exchange_one(app: Any) -> tuple[dict[str, Any], str]:
    """One session of ``app``'s association: its JSON and text (and the automatic backup)."""
    r = app.exchange()
    text = (f"отправлено файлов: {r.sent}, принято: {r.received}; ответов OK: {r.answers_ok}, "
            f"с ошибками: {r.answers_error}; реестров с ошибками: {r.broken}; "
            f"ждут приёма: {r.pending}")  # fmt: skip
    if r.errors:
        text += "\n" + "\n".join(f"! {e}" for e in r.errors)
    if r.notices:
        text += "\n" + "\n".join(r.notices)
    if r.received:
        _auto_backup(app, "a session received files")
    return r.to_json(), text


def cmd_status(args: argparse.Namespace) -> None:
    from trayapp.associations import name_of
    from trayapp.core import exchange

    app = _app(args)
    data = exchange.status(app.db, app.tree)
    data["assoc"] = name_of(app.paths)
    inn = app.org_inn()
    text = [f"ТСЖ: {data['assoc'] or 'без названия'} (ИНН {inn or 'не загружен'})"]
    text.append(f"последний обмен: {data.get('last_exchange') or 'не было обмена с «Мои счета»'}")
    text.append(f"отправлено: {data.get('sent', 0)}, принято: {data.get('received', 0)}")
    text.append(f"ждут приёма: {data.get('pending', 0)}, ждут отправки: {data.get('waiting', 0)}")
    text.append(f"база данных: {app.db.label}")
    for e in data.get("errors", []):
        text.append(f"! {e}")
    _emit(args, data, "\n".join(text))


def cmd_pending(args: argparse.Namespace) -> None:
    from trayapp.core.accept import list_pending
    from trayapp.core.reconcile import matches_by_file
    from trayapp.core.values import format_date

    app = _app(args)
    items = list_pending(app.db, app.tree, app.require_org(), app.settings.coding, app.clock)
    matches = matches_by_file(app.db, app.settings.bank_terms()) if items else {}
    data: list[dict[str, Any]] = []
    lines = []
    for i in items:
        d: dict[str, Any] = {"file": i.file, "kind": i.kind, "date": format_date(i.day),
                             "number": i.number, "rows": i.rows,
                             "sum": _money(i.total) if i.kind == "PAYMENTS" else None}  # fmt: skip
        line = f"{i.file}  {d['date']}  №{i.number}  строк: {i.rows}"
        if i.kind == "PAYMENTS":
            line += f"  сумма: {_sum(i.total)}"
            m = matches.get(i.file)
            if m is not None:
                d["bank"] = m.bank_json()
                line += f"  банк: {_bank_text(m)}"
        data.append(d)
        lines.append(line)
    _emit(args, data, "\n".join(lines) if lines else "нет реестров, ждущих приёма")


def _bank_text(m: Any) -> str:
    """A match in the accountant's words: «сверено», «расхождение -15,00», …"""
    text = str(m.status_text)
    if m.status == "mismatch" and m.difference is not None:
        text += f" {_sum(m.difference)}"
    if m.documents:
        text += " (п/п " + ", ".join(f"№{d.number} от {d.day:%d.%m.%Y} на {_sum(d.amount)}"
                                    for d in m.documents) + ")"  # fmt: skip
    return text


def cmd_bank(args: argparse.Namespace) -> None:
    from trayapp.core.bank import import_statement

    app = _app(args)
    if args.bank_command == "list":
        from trayapp import cli_bank

        return cli_bank.cmd_list(args, app, _emit, _sum, UsageError)
    r = import_statement(app.db, args.file)
    period = " — ".join(x for x in (r.to_json()["from"], r.to_json()["to"]) if x)
    _emit(args, r.to_json(),
          f"выписка {r.file} ({period or 'без периода'}, счета: {', '.join(r.accounts) or '—'}): "
          f"документов {r.documents}, поступлений {r.incoming} на {_sum(r.incoming_sum)}, "
          f"новых {r.inserted}" + "".join(f"\nпредупреждение: {w}" for w in r.warnings))  # fmt: skip


def cmd_reconcile(args: argparse.Namespace) -> None:
    from trayapp.core.accept import list_pending
    from trayapp.core.reconcile import reconcile

    app = _app(args)
    org = app.org_inn()
    if org:  # registries put in Входящие by hand are checked first, as `pending` does
        list_pending(app.db, app.tree, org, app.settings.coding, app.clock)
    matches = reconcile(app.db, app.settings.bank_terms())
    head = ("файл", "дата", "№", "строк", "сумма", "комиссия", "к перечислению", "сверка",
            "разница", "платёжные поручения")  # fmt: skip
    rows = [head] + [
        (m.file, f"{m.day:%d.%m.%Y}", f"{m.number:03d}", str(m.rows), _sum(m.total),
         _sum(m.fee), _sum(m.expected), m.status_text + (" (при приёме)" if m.kept else ""),
         "" if m.difference is None else _sum(m.difference),
         ", ".join(f"№{d.number} от {d.day:%d.%m.%Y} на {_sum(d.amount)}" for d in m.documents))
        for m in matches
    ]  # fmt: skip
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    text = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)  # fmt: skip
    _emit(args, [m.to_json() for m in matches], text if matches else "нет реестров оплат")


def cmd_accept(args: argparse.Namespace) -> None:
    from trayapp.core.accept import accept

    app = _app(args)
    name = Path(args.file).name
    r = accept(app.db, app.tree, name, app.require_org(), app.settings.coding, app.paths.reports_dir,
               app.clock, xlsx=args.xlsx, bank=app.settings.bank_terms())  # fmt: skip
    payments = r.kind == "PAYMENTS"
    data = {"file": r.file, "kind": r.kind, "document": r.document, "rows": r.rows,
            "sum": _money(r.total) if payments else None, "confirmation": str(r.confirmation),
            "report": str(r.report) if r.report else None}  # fmt: skip
    what = (f"платежей {r.rows}, сумма {_sum(r.total)}" if payments
            else f"показаний {r.rows}; документ «Показания новые» не проведён: "
                 f"проверьте и выполните «trayapp post {r.document}»")  # fmt: skip
    text = f"принят {r.file}: документ № {r.document}, {what}\nподтверждение: {r.confirmation}"
    if r.report:
        text += f"\nотчёт: {r.report}"
    _emit(args, data, text)
    _auto_backup(app, "an acceptance")


def cmd_report(args: argparse.Namespace) -> None:
    from trayapp.core.accept import report_of_file

    app = _app(args)
    path = report_of_file(app.db, Path(args.file).name, app.paths.reports_dir, args.xlsx)
    _emit(args, {"file": Path(args.file).name, "report": str(path)}, f"отчёт: {path}")


def cmd_export(args: argparse.Namespace) -> None:
    from trayapp.core.exporter import export

    app = _app(args)
    r = export(app.db, args.kind, args.out, args.all, app.clock(), Path.cwd(), args.header)
    if r.file is None:  # nothing new: no file, and not a failure (exit 0)
        what = "платежи" if r.kind == "payments" else "показания"
        _emit(args, {"kind": r.kind, "file": None, "rows": 0},
              f"нечего выгружать: все принятые {what} уже выгружены, файл не создан "
              "(--all — выгрузить всё заново)")  # fmt: skip
        return
    _emit(args, {"kind": r.kind, "file": str(r.file), "rows": r.rows},
          f"выгружено {r.rows} строк в {r.file}")  # fmt: skip


def cmd_post(args: argparse.Namespace) -> None:
    from trayapp.core.accept import post_document

    app = _app(args)
    if args.leave.strip():  # issue 17, 8: some readings left unposted in a new document
        from trayapp.core.posting import post_leaving, posted_text, readings_of_meters

        leave = readings_of_meters(app.db, args.document, args.leave.split(","))
        p = post_leaving(app.db, args.document, leave)
        _emit(args, {"document": p.number, "rows": p.rows, "left_document": p.left_number,
                     "left_rows": p.left_rows}, posted_text(p))  # fmt: skip
        _auto_backup(app, "a posting")
        return
    number, rows = post_document(app.db, args.document)
    _emit(args, {"document": number, "rows": rows},
          f"документ №{number} проведён, показаний: {rows}")  # fmt: skip
    _auto_backup(app, "a posting")


def _auto_backup(app: Any, reason: str) -> None:
    from trayapp import cli_backup

    cli_backup.auto(app, reason)


def cmd_backup(args: argparse.Namespace) -> None:
    from trayapp import cli_backup

    if cli_backup.cmd_backup(args, _app(args), _emit):
        raise SystemExit(1)


def cmd_restore(args: argparse.Namespace) -> None:
    from trayapp import cli_backup

    cli_backup.cmd_restore(args, _app(args), _emit)


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
    "assoc": lambda args: cli_assoc.cmd_assoc(args, _emit),
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
