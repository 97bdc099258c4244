"""``trayapp bank list [--from DD.MM.YYYY] [--to DD.MM.YYYY]`` (spec/cli.md, spec/bank.md): the
incoming documents held from bank statements, each with the registry it is bound to, as text
or ``--json``. Imports the core lazily, as ``cli.py`` does.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import Any

Emit = Callable[[argparse.Namespace, Any, str], None]
PURPOSE_WIDTH = 60  # characters of the purpose in the text table (JSON has it whole)


def add_list(bsub: Any, common: Callable[[argparse.ArgumentParser, bool], None]) -> None:
    sp = bsub.add_parser("list", help="поступления из загруженных выписок и их реестры")
    common(sp, False)
    sp.add_argument("--from", dest="date_from", metavar="DD.MM.YYYY", help="с этого дня")
    sp.add_argument("--to", dest="date_to", metavar="DD.MM.YYYY", help="по этот день")


def _day(option: str, text: str | None, usage: type[Exception]) -> date | None:
    from trayapp.core.values import parse_date

    if text is None:
        return None
    d = parse_date(text.strip())
    if d is None:
        raise usage(f"{option} {text}: ожидается ДД.ММ.ГГГГ")
    return d


def cmd_list(args: argparse.Namespace, app: Any, emit: Emit, money: Callable[[int], str],
             usage: type[Exception]) -> None:  # fmt: skip
    from trayapp.core.accept import list_pending
    from trayapp.core.bank_list import held_documents

    first = _day("--from", args.date_from, usage)
    last = _day("--to", args.date_to, usage)
    if first and last and first > last:
        raise usage(f"--from {args.date_from} позже --to {args.date_to}")
    org = app.org_inn()
    if org:  # registries put in Входящие by hand count, as `reconcile` does
        list_pending(app.db, app.tree, org, app.settings.coding, app.clock)
    docs = held_documents(app.db, app.settings.bank_terms(), first, last)
    head = ("дата", "№", "сумма", "плательщик", "назначение платежа", "реестр")
    rows = [head] + [
        (f"{d.day:%d.%m.%Y}", d.number, money(d.amount),
         " ".join(x for x in (d.payer, f"ИНН {d.payer_inn}" if d.payer_inn else "") if x),
         _short(d.purpose), ", ".join(d.registries) or "—")
        for d in docs
    ]  # fmt: skip
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    text = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)  # fmt: skip
    if docs:
        total = sum(d.amount for d in docs)
        text += f"\nпоступлений {len(docs)} на {money(total)}"
    else:
        text = "нет поступлений из выписок банка" + (" за этот период" if first or last else "")
    emit(args, [d.to_json() for d in docs], text)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PURPOSE_WIDTH else text[: PURPOSE_WIDTH - 1] + "…"
