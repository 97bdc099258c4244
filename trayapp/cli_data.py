"""The commands that set the program up and move tables in and out (spec/cli.md):
``settings``, ``import``, ``generate`` and ``export``.

Each takes the parsed arguments, builds the ``App`` and calls the same core functions as the
window. Split from ``cli`` (the parser and the dispatch). Imports the core lazily so that
``--help`` stays fast; imports no GUI, and of the command line only ``cli_common``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from trayapp.cli_common import UsageError, emit, make_app, plural, sum_text, today_of
from trayapp.errors import AppError


def cmd_settings(args: argparse.Namespace) -> None:
    from trayapp import autostart
    from trayapp import settings as st

    app = make_app(args)
    if args.settings_command == "show":
        data = app.settings.public(app.paths)
        inn = None
        try:
            inn = app.org_inn()
        except AppError:
            pass
        # as ``settings set`` takes them: 0/1, not Python's False/True
        lines = [f"{k}: {int(data[k]) if isinstance(data[k], bool) else data[k]}"
                 for k in st.KEYS]  # fmt: skip
        lines.append(f"ИНН ТСЖ (из базы): {inn or 'не загружен'}")
        lines.append(f"файл настроек: {app.paths.settings_file}")
        lines.append(f"запись автозапуска: {autostart.entry_location()}")
        lines.append(f"журналы: {app.paths.log_file} (команды), "
                     f"{app.paths.log_file_of('tray').name} (значок и окно, запущенные "
                     "ярлыком или командой trayapp; «trayapp demo» пишет в журнал команд)")  # fmt: skip
        emit(args, data, "\n".join(lines))
    elif args.settings_command == "forget-passwords":  # the uninstaller's «мои данные»
        from trayapp.forget import forget_passwords

        n = forget_passwords()
        emit(args, {"removed": n}, f"удалено сохранённых паролей: {n}")
    elif args.settings_command == "set":
        new = st.set_value(app.settings, args.key, args.value)
        app.save_settings(new)
        emit(args, new.public(app.paths), f"{args.key} = {new.public(app.paths)[args.key]}")
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
        emit(args, {"saved": True}, "пароль сохранён в хранилище паролей системы")


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
    app = make_app(args)
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
    emit(args, r.to_json(), text)


def cmd_generate(args: argparse.Namespace) -> None:
    from trayapp.core import values as v
    from trayapp.core.registries import generate

    month = None
    if args.month:
        month = v.parse_month(args.month)
        if month is None:
            raise UsageError(f"--month {args.month}: ожидается ММ.ГГГГ")
    app = make_app(args)
    today = today_of(args)
    r = generate(app.db, app.tree, args.kind, app.settings.coding, today, month,
                 args.apartments_only)  # fmt: skip
    lines = [f"сформирован {r.file}", f"строк: {r.rows}"]
    if r.total is not None:
        lines.append(f"сумма: {sum_text(r.total)}")
    if r.period is not None and r.as_of is not None:
        lines.append(f"период: {v.format_month(r.period)}, на дату {v.format_date(r.as_of)}")
    if r.skipped_services:
        lines.append("услуги без кода в кодировании " + app.settings.coding
                     + " не попали в файл: " + "; ".join(r.skipped_services))  # fmt: skip
    if r.accounts_without_services:
        lines.append("лицевые счета только с оплатами без услуг (нет строк): "
                     + ", ".join(r.accounts_without_services))  # fmt: skip
    emit(args, r.to_json(), "\n".join(lines))


def cmd_export(args: argparse.Namespace) -> None:
    from trayapp.core.exporter import export

    app = make_app(args)
    r = export(app.db, args.kind, args.out, args.all, app.clock(), Path.cwd(), args.header)
    if r.file is None:  # nothing new: no file, and not a failure (exit 0)
        what = "платежи" if r.kind == "payments" else "показания"
        text = (f"нечего выгружать: все принятые {what} уже выгружены, файл не создан "
                "(--all — выгрузить всё заново)")  # fmt: skip
        if args.all or not _any_accepted(app, r.kind):  # none ever: not «already exported»
            text = f"нечего выгружать: принятых реестров ({what}) нет, файл не создан"
        emit(args, {"kind": r.kind, "file": None, "rows": 0}, text)
        return
    emit(args, {"kind": r.kind, "file": str(r.file), "rows": r.rows},
          f"выгружено {r.rows} строк в {r.file}")  # fmt: skip


def _any_accepted(app: Any, kind: str) -> bool:
    from trayapp.core.db import billing

    rows = billing.accepted_payments(app.db, True) if kind == "payments" else \
        billing.accepted_readings(app.db, True)
    found = next(rows, None) is not None
    getattr(rows, "close", lambda: None)()  # a generator: its cursor closed now
    return found
