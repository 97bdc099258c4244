"""What the command groups of the command line share: the ``App`` of a command, the day it
works for, the output (text, or one JSON document with ``--json``), sums and Russian plurals,
and ``UsageError`` (a wrong command line found after parsing: exit 2).

Split from ``cli`` (the parser and the dispatch, which re-exports ``UsageError`` and
``plural``). Imports the core lazily so that ``--help`` stays fast; imports no GUI and no
module of the command line.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from trayapp import cli_assoc, console
from trayapp.russian import plural as plural  # the command groups count with it


class UsageError(Exception):
    """A wrong command line discovered after parsing (exit 2)."""


def make_app(args: argparse.Namespace) -> Any:
    from trayapp.app import App, setup_logging

    app = App.create(cli_assoc.home_of(args))
    setup_logging(app.paths, app.settings.verbose)
    return app


def today_of(args: argparse.Namespace) -> date:
    text = getattr(args, "date", None)
    if not text:
        return date.today()
    from trayapp.core.values import parse_date

    d = parse_date(text)
    if d is None:
        raise UsageError(f"--date {text}: ожидается ДД.ММ.ГГГГ")
    return d


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        console.out_json(data)
    else:
        console.out(text)


def money(kopecks: int | None) -> str:
    """A sum for --json (and files): ``1611541.81``."""
    from trayapp.core.values import format_amount

    return format_amount(kopecks or 0)


def sum_text(kopecks: int | None) -> str:
    """A sum in the text an accountant reads: ``1 611 541,81`` (no «₽»: a Windows console's
    code page may lack it; the no-break space is in cp866 and cp1251)."""
    from trayapp.core.values import format_money

    return format_money(kopecks or 0)
