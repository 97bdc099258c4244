"""Names, numbers, dates and amounts are ASCII digits only (issue 16 item 3).

``\\d`` matches any Unicode digit and ``int()`` reads them: ``Payments_20261206_05١.txt`` (an
Arabic-Indic one) was received beside ``…_051.txt`` and our answer named it ``…_05?.txt``.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

import trayapp
from tests.core.test_exchange import (
    db,
    emu,
    emu_inbox,
    payments,
    session,
    sleeps,
    transport,
    tree,
    tree_files,
)
from tests.core.test_report import accepted
from trayapp.core import formats
from trayapp.core.db import Database
from trayapp.core.folders import ExchangeTree
from trayapp.core.reconcile import references
from trayapp.core.report import write_report
from trayapp.core.transport import HttpTransport
from trayapp.emulator.server import Emulator
from trayapp.errors import AcceptError

__all__ = ["accepted", "db", "emu", "sleeps", "transport", "tree"]  # fixtures, imported

LOOK_ALIKE = "Payments_20261206_05\u0661.txt"  # ١, ARABIC-INDIC DIGIT ONE
GENUINE = "Payments_20261206_051.txt"
ROW = "p-1;06.11.2026 10:00:00;8030001;2;100.00;10.2026"


def test_look_alike_name_offered_by_the_server_is_refused(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    # dropped into the emulator's inbox folder by hand, as a server's operator would
    (emu.data_dir / "inbox" / LOOK_ALIKE).write_bytes(payments(51, ROW))
    (emu.data_dir / "inbox" / GENUINE).write_bytes(payments(51, ROW))
    r = session(transport, db, tree)
    assert r.received == 1
    assert [e for e in r.errors if LOOK_ALIKE in e and "недопустимым именем" in e] == r.errors
    assert len(r.errors) == 1
    assert emu_inbox(emu) == [LOOK_ALIKE]  # refused: left on the server, never deleted
    assert LOOK_ALIKE not in tree_files(tree)
    assert GENUINE in tree_files(tree)


@pytest.mark.parametrize("name", [
    LOOK_ALIKE,
    "Payments_2026\u0661206_051.txt",  # in the date
    "Ack_Debts_20261206_0\u06f51.txt",  # EXTENDED ARABIC-INDIC FIVE
    "Readings_20261206_\uff10\uff15\uff11.txt",  # FULLWIDTH digits
    "Payments_20261206_05\U0001d7cf.txt",  # MATHEMATICAL BOLD DIGIT ONE
])  # fmt: skip
def test_file_names_take_ascii_digits_only(name: str) -> None:
    assert formats.parse_name(name) is None


def test_window_opens_only_ascii_names() -> None:
    window = pytest.importorskip("trayapp.ui.events_pane")
    assert window.FILE_NAME.search(f"файл «{LOOK_ALIKE}»") is None
    assert window.FILE_NAME.search(f"файл «{GENUINE}»") is not None


def test_bank_purpose_naming_a_registry_in_other_digits_binds_nothing() -> None:
    assert references("Перечисление по реестру № 009 от 13.11.2026") == {(date(2026, 11, 13), 9)}
    assert references("Перечисление по реестру № \u0660\u0660\u0669 от 13.11.2026") == set()
    assert references("по реестру № 009 от \u0661\u0663.11.2026") == set()
    assert references("Payments_20261113_00\u0669") == set()


@pytest.mark.parametrize("number", ["\u0661", "\u00b2", "\uff11"])
def test_document_number_in_other_digits_is_no_document(
    accepted: tuple[Database, Path], number: str
) -> None:
    db, reports = accepted
    assert write_report(db, "1", reports).name.startswith("Реестр_000001")
    with pytest.raises(AcceptError, match="нет принятого реестра"):
        write_report(db, number, reports)


def _compiled_patterns(tree: ast.AST) -> list[tuple[int, str, bool]]:
    """(line, pattern, has re.ASCII) of every re.<function>(literal, ...) call."""
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.args and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))
                and not (isinstance(node.args[0], ast.Constant)
                         and isinstance(node.args[0].value, bytes))):  # bytes: ASCII already
            text = ast.unparse(node.args[0])
            flags = ast.unparse(node)
            out.append((node.lineno, text, "ASCII" in flags))
    return out


def test_every_digit_or_word_class_is_ascii() -> None:
    """A pattern using ``\\d`` or ``\\w`` carries re.ASCII (explicit [0-9] needs none)."""
    root = Path(trayapp.__file__).parent
    bad = []
    for path in sorted(root.rglob("*.py")):
        for line, text, ascii_flag in _compiled_patterns(ast.parse(path.read_text("utf-8"))):
            if re.search(r"\\\\[dwb]|\\\\[DWB]", text) and not ascii_flag:
                bad.append(f"{path.relative_to(root)}:{line}")
    assert bad == []
