"""Windows hazards that can be shown here: what the code sends or writes must not depend on
the ANSI code page a Windows process decodes pipes and files with."""

from __future__ import annotations

import json
import subprocess
import sys

from trayapp.ui.tray_process import TrayProcess

ECHO = "import sys; sys.stdout.buffer.write(sys.stdin.buffer.readline()); sys.stdout.flush()"


def test_tray_process_messages_survive_any_code_page() -> None:
    """The child's stdin decodes in cp1251/cp1252 on Windows: the line must be plain ASCII."""
    tp = TrayProcess(lambda _c: None)
    tp.proc = subprocess.Popen([sys.executable, "-c", ECHO], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True, encoding="utf-8")  # fmt: skip
    try:
        tp.send({"state": "idle", "sent": 1, "received": 2, "tooltip": "Мои счета: обмен",
                 "pause": "Возобновить"})  # fmt: skip
        assert tp.proc.stdout is not None
        line = tp.proc.stdout.readline()
    finally:
        tp.proc.stdin.close()  # type: ignore[union-attr]
        tp.proc.wait(timeout=30)
    assert line.endswith("\n") and line.isascii(), line
    for codepage in ("cp1251", "cp1252", "cp866"):
        msg = json.loads(line.encode("ascii").decode(codepage))
        assert msg["pause"] == "Возобновить" and msg["tooltip"] == "Мои счета: обмен"
