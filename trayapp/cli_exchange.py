"""The commands of the exchange and the received registries (spec/cli.md): ``exchange``,
``status``, ``pending``, ``bank``, ``reconcile``, ``accept``, ``report``, ``post``, and
``backup``/``restore`` with the automatic backup after a change.

Each takes the parsed arguments, builds the ``App`` and calls the same core functions as the
window. Split from ``cli`` (the parser and the dispatch). Imports the core lazily so that
``--help`` stays fast; imports no GUI, and of the command line only ``cli_common``,
``cli_assoc``, ``cli_bank`` and ``cli_backup``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trayapp import cli_assoc
from trayapp.cli_common import UsageError, emit, make_app, money, sum_text


def cmd_exchange(args: argparse.Namespace) -> None:
    if args.all:
        code = cli_assoc.exchange_all(args, exchange_one)
        if code:
            raise SystemExit(code)
        return
    data, text = exchange_one(make_app(args))
    emit(args, data, text)


def exchange_one(app: Any) -> tuple[dict[str, Any], str]:
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
        auto_backup(app, "a session received files")
    return r.to_json(), text


def cmd_status(args: argparse.Namespace) -> None:
    from trayapp.associations import name_of
    from trayapp.core import exchange

    app = make_app(args)
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
    emit(args, data, "\n".join(text))


def cmd_pending(args: argparse.Namespace) -> None:
    from trayapp.core.accept import list_pending
    from trayapp.core.reconcile import matches_by_file
    from trayapp.core.values import format_date

    app = make_app(args)
    items = list_pending(app.db, app.tree, app.require_org(), app.settings.coding, app.clock)
    matches = matches_by_file(app.db, app.settings.bank_terms()) if items else {}
    data: list[dict[str, Any]] = []
    lines = []
    for i in items:
        d: dict[str, Any] = {"file": i.file, "kind": i.kind, "date": format_date(i.day),
                             "number": i.number, "rows": i.rows,
                             "sum": money(i.total) if i.kind == "PAYMENTS" else None}  # fmt: skip
        line = f"{i.file}  {d['date']}  №{i.number}  строк: {i.rows}"
        if i.kind == "PAYMENTS":
            line += f"  сумма: {sum_text(i.total)}"
            m = matches.get(i.file)
            if m is not None:
                d["bank"] = m.bank_json()
                line += f"  банк: {_bank_text(m)}"
        data.append(d)
        lines.append(line)
    emit(args, data, "\n".join(lines) if lines else "нет реестров, ждущих приёма")


def _bank_text(m: Any) -> str:
    """A match in the accountant's words: «сверено», «расхождение -15,00», …"""
    text = str(m.status_text)
    if m.status == "mismatch" and m.difference is not None:
        text += f" {sum_text(m.difference)}"
    if m.documents:
        text += " (п/п " + ", ".join(f"№{d.number} от {d.day:%d.%m.%Y} на {sum_text(d.amount)}"
                                    for d in m.documents) + ")"  # fmt: skip
    return text


def cmd_bank(args: argparse.Namespace) -> None:
    from trayapp.core.bank import import_statement

    app = make_app(args)
    if args.bank_command == "list":
        from trayapp import cli_bank

        return cli_bank.cmd_list(args, app, emit, sum_text, UsageError)
    r = import_statement(app.db, args.file)
    period = " — ".join(x for x in (r.to_json()["from"], r.to_json()["to"]) if x)
    emit(args, r.to_json(),
          f"выписка {r.file} ({period or 'без периода'}, счета: {', '.join(r.accounts) or '—'}): "
          f"документов {r.documents}, поступлений {r.incoming} на {sum_text(r.incoming_sum)}, "
          f"новых {r.inserted}" + "".join(f"\nпредупреждение: {w}" for w in r.warnings))  # fmt: skip


def cmd_reconcile(args: argparse.Namespace) -> None:
    from trayapp.core.accept import list_pending
    from trayapp.core.reconcile import reconcile

    app = make_app(args)
    org = app.org_inn()
    if org:  # registries put in Входящие by hand are checked first, as `pending` does
        list_pending(app.db, app.tree, org, app.settings.coding, app.clock)
    matches = reconcile(app.db, app.settings.bank_terms())
    head = ("файл", "дата", "№", "строк", "сумма", "комиссия", "к перечислению", "сверка",
            "разница", "платёжные поручения")  # fmt: skip
    rows = [head] + [
        (m.file, f"{m.day:%d.%m.%Y}", f"{m.number:03d}", str(m.rows), sum_text(m.total),
         sum_text(m.fee), sum_text(m.expected), m.status_text + (" (при приёме)" if m.kept else ""),
         "" if m.difference is None else sum_text(m.difference),
         ", ".join(f"№{d.number} от {d.day:%d.%m.%Y} на {sum_text(d.amount)}" for d in m.documents))
        for m in matches
    ]  # fmt: skip
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    text = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)  # fmt: skip
    emit(args, [m.to_json() for m in matches], text if matches else "нет реестров оплат")


def cmd_accept(args: argparse.Namespace) -> None:
    from trayapp.core.accept import accept

    app = make_app(args)
    name = Path(args.file).name
    r = accept(app.db, app.tree, name, app.require_org(), app.settings.coding, app.paths.reports_dir,
               app.clock, xlsx=args.xlsx, bank=app.settings.bank_terms())  # fmt: skip
    payments = r.kind == "PAYMENTS"
    data = {"file": r.file, "kind": r.kind, "document": r.document, "rows": r.rows,
            "sum": money(r.total) if payments else None, "confirmation": str(r.confirmation),
            "report": str(r.report) if r.report else None}  # fmt: skip
    what = (f"платежей {r.rows}, сумма {sum_text(r.total)}" if payments
            else f"показаний {r.rows}; документ «Показания новые» не проведён: "
                 f"проверьте и выполните «{_typed(args)} post {r.document}»")  # fmt: skip
    text = f"принят {r.file}: документ № {r.document}, {what}\nподтверждение: {r.confirmation}"
    if r.report:
        text += f"\nотчёт: {r.report}"
    emit(args, data, text)
    auto_backup(app, "an acceptance")


def cmd_report(args: argparse.Namespace) -> None:
    from trayapp.core.accept import report_of_file

    app = make_app(args)
    path = report_of_file(app.db, Path(args.file).name, app.paths.reports_dir, args.xlsx)
    emit(args, {"file": Path(args.file).name, "report": str(path)}, f"отчёт: {path}")


def cmd_post(args: argparse.Namespace) -> None:
    from trayapp.core.accept import post_document

    app = make_app(args)
    if args.leave.strip():  # issue 17, 8: some readings left unposted in a new document
        from trayapp.core.posting import post_leaving, posted_text, readings_of_meters

        leave = readings_of_meters(app.db, args.document, args.leave.split(","))
        p = post_leaving(app.db, args.document, leave)
        emit(args, {"document": p.number, "rows": p.rows, "left_document": p.left_number,
                     "left_rows": p.left_rows}, posted_text(p))  # fmt: skip
        auto_backup(app, "a posting")
        return
    from trayapp.core.accept import below_previous
    from trayapp.core.values import reading_text

    below = below_previous(app.db, args.document)
    # posted with what was shown: one more found in between is refused, never posted unseen
    number, rows = post_document(app.db, args.document, confirmed=below)
    text = f"документ № {number} проведён, показаний: {rows}"
    if below:
        text += f"\nиз них меньше предыдущих: {len(below)}" + "".join(
            f"\n  л/с {b.account}, счётчик {b.serial or b.meter_id}: {reading_text(b.value)} "
            f"(было {reading_text(b.previous)})" for b in below[:20])
        if len(below) > 20:
            text += f"\n  и ещё {len(below) - 20}"
    emit(args, {"document": number, "rows": rows}, text)
    auto_backup(app, "a posting")


def auto_backup(app: Any, reason: str) -> None:
    from trayapp import cli_backup

    cli_backup.auto(app, reason)


def cmd_backup(args: argparse.Namespace) -> None:
    from trayapp import cli_backup

    if cli_backup.cmd_backup(args, make_app(args), emit):
        raise SystemExit(1)


def cmd_restore(args: argparse.Namespace) -> None:
    from trayapp import cli_backup

    cli_backup.cmd_restore(args, make_app(args), emit)


def _typed(args: argparse.Namespace) -> str:
    from trayapp.console import typed_command

    return typed_command(getattr(args, "home", None), getattr(args, "assoc", None))

