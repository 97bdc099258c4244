"""Server and file text shown or written without its control characters (issue 16 item 4).

An ``ERROR`` answer whose text holds markup, a link and ESC sequences reached the console,
«События» and the notification body as it was; ESC/BEL/NUL of a registry's field went into our
own rejection ``Ack_``. Each boundary is checked on what it really puts out.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_exchange import (
    NOW,
    ORG,
    db,
    emu,
    example,
    payments,
    session,
    sleeps,
    transport,
    tree,
)
from tests.hostile import File, Hostile
from trayapp import console, plain
from trayapp.core import events, formats
from trayapp.core.db import Database, journal
from trayapp.core.exchange import run_session
from trayapp.core.folders import ExchangeTree
from trayapp.core.transport import HttpTransport
from trayapp.emulator.server import Emulator

__all__ = ["db", "emu", "sleeps", "transport", "tree"]  # fixtures, imported

# a link by OSC 8, a cleared screen, a bell, a NUL, a carriage return over the line, a C1 CSI,
# a right-to-left override; and markup with a link
NASTY = ("\x1b]8;;http://evil.example/\x1b\\нажмите\x1b]8;;\x1b\\ \x1b[2J\x07\x00\rOK"
         "\x9b31m \u202egnp.exe")
MARKUP = '<a href="http://evil.example/">Подробнее</a> &amp; <b>срочно</b>'
CONTROLS = [chr(c) for c in range(32) if chr(c) not in "\t\n"] + [chr(c) for c in range(127, 160)]


def has_controls(s: str) -> list[str]:
    return [c for c in s if c in CONTROLS or c == "\u202e"]


def hostile_ack(name: str, message: str) -> bytes:
    return formats.encode("\r\n".join([
        "#FORMAT MOISCHETA/1", "#TYPE ACK", f"#ORG {ORG}", "#NUMBER 001", "#DATE 05.11.2026",
        f"#FILE {name}", "#STATUS ERROR", "#ROWS 1", "0;" + message.replace(";", ","),
    ]) + "\r\n")  # fmt: skip


def test_server_error_answer_reaches_events_without_controls(
    db: Database, tree: ExchangeTree
) -> None:
    name = "Debts_20261105_001.txt"
    (tree.outgoing / name).write_bytes(example(name))
    ack = hostile_ack(name, NASTY + " " + MARKUP)
    with Hostile({"Ack_" + name: File(ack)}) as server, HttpTransport(
        server.url, "demo", "pw", sleep=lambda s: None
    ) as t:
        r = run_session(t, db, tree, ORG, "GOROD", clock=lambda: NOW)
    assert r.answers_error == 1 and len(r.notices) == 1
    shown = journal.unseen_events(db)[0][2]
    assert "нажмите" in shown and "gnp.exe" in shown  # the text is there...
    assert has_controls(shown) == []  # ...without a control character
    assert has_controls(events.recent(db)[0][2]) == []


def test_console_replaces_controls(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    console.out("Реестр отклонён: " + NASTY + "\tстрока 2\nстрока 3")
    text = out.getvalue()
    assert has_controls(text) == []
    assert text.endswith("\tстрока 2\nстрока 3\n")  # tab and line feed where they belong
    assert "?]8;;http://evil.example/?\\нажмите" in text


def test_our_rejection_ack_carries_no_controls(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    bad = payments(1, "p-1;0\x1b[2J5.11.2026 10:00:00;2001;101;5.00;10.2026",
                   "p-2;05.11.2026 10:00:00;2001;1\x07\x00\x9b1;5.00;10.2026")
    (emu.data_dir / "inbox" / "Payments_20261106_001.txt").write_bytes(bad)
    session(transport, db, tree)  # received, found broken: the rejection is written...
    written = (tree.outgoing / "Ack_Payments_20261106_001.txt").read_bytes()
    session(transport, db, tree)  # ...and sent the next time
    sent = (emu.data_dir / "outbox" / "Ack_Payments_20261106_001.txt").read_bytes()
    assert sent == written
    assert b"#STATUS ERROR" in sent and "неверная дата: 0?[2J5.11.2026".encode("cp1251") in sent
    assert [b for b in sent if b < 32 and b not in (10, 13)] == []
    assert b"\x98" not in sent and b"\x9b" not in sent  # C1 (cp1251 maps 0x9b to ›: none)
    shown = [e[2] for e in journal.recent_events(db)]
    assert shown and all(has_controls(t) == [] for t in shown)


class FakeNotifier:
    sent: list[tuple[str, str]] = []

    def has_authorisation(self) -> bool:
        return True

    def send(self, title: str, message: str, **kw: Any) -> None:
        FakeNotifier.sent.append((title, message))


def notified(monkeypatch: pytest.MonkeyPatch, title: str, message: str) -> tuple[str, str]:
    """What the notifier hands desktop-notifier (a fake recording the call)."""
    from trayapp.ui.notify import Notifier

    FakeNotifier.sent = []
    n = Notifier(factory=FakeNotifier)
    n.send(title, message)
    deadline = time.monotonic() + 10
    while not FakeNotifier.sent and time.monotonic() < deadline:
        time.sleep(0.01)
    n.close()
    return FakeNotifier.sent[0]


def test_notification_body_is_escaped_and_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    title, body = notified(monkeypatch, "Мои счета\x1b[2J", MARKUP + " " + NASTY)
    assert title == "Мои счета?[2J"
    assert "<" not in body and ">" not in body and "&amp;amp;" in body
    assert body.startswith("&lt;a href=\"http://evil.example/\"&gt;Подробнее&lt;/a&gt;")
    assert has_controls(body) == []


def test_notification_on_windows_is_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # a WinRT toast is XML built by the library (escaped there): no markup of ours on top
    monkeypatch.setattr(sys, "platform", "win32")
    _, body = notified(monkeypatch, "Мои счета", MARKUP + NASTY)
    assert body.startswith(MARKUP) and has_controls(body) == []


def test_the_helper() -> None:
    assert plain.text("a\tb\nc") == "a\tb\nc"
    assert plain.line("a\tb\nc\x1b") == "a b c?"
    assert plain.text("Иванов И. И.") == "Иванов И. И."
    assert plain.text("\u00a0x") == "\u00a0x"  # a no-break space is no control
    assert plain.markup("<&>") == "&lt;&amp;&gt;"
    assert all(plain.text(c) == "?" for c in CONTROLS)


def test_path_is_not_touched(tmp_path: Path) -> None:
    assert plain.text(str(tmp_path)) == str(tmp_path)


def test_the_log_file_gets_no_controls(tmp_path: Path) -> None:
    """`tail -f` of the log on a terminal would obey a server's ESC sequences."""
    import subprocess

    from trayapp.paths import AppPaths

    code = ("import logging, sys\nfrom trayapp.app import setup_logging\n"
            "from trayapp.paths import AppPaths\n"
            "setup_logging(AppPaths.resolve(sys.argv[1]), False)\n"
            "logging.getLogger('x').warning('server said %s', sys.argv[2])\n")  # fmt: skip
    home = tmp_path / "home"
    subprocess.run([sys.executable, "-c", code, str(home), NASTY.replace("\x00", "")],
                   check=True, timeout=60)  # fmt: skip
    text = AppPaths.resolve(home).log_file.read_text("utf-8")
    assert "server said ?]8;;http://evil.example/" in text and has_controls(text) == []
