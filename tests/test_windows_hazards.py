"""Windows hazards that can be shown here: what the code sends or writes must not depend on
the ANSI code page a Windows process decodes pipes and files with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.test_busy_files import hold
from trayapp.errors import FolderError
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


def test_recreating_the_demo_home_waits_out_a_held_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trayapp import demo_run, fsutil

    root = tmp_path / "demo"
    demo_run._prepare(root)
    (root / "reports").mkdir()
    (root / "reports" / "Реестр_000001.html").write_bytes(b"x")  # open in a browser or Excel
    waited: list[float] = []
    monkeypatch.setattr(fsutil.time, "sleep", waited.append)
    h = hold(monkeypatch, "unlink", ".html", 2)
    demo_run._prepare(root)
    assert h.failed == 2 and len(waited) == 2
    assert sorted(p.name for p in root.iterdir()) == [demo_run.MARKER]
    hold(monkeypatch, "unlink", demo_run.MARKER, None)  # never let go: a message, no traceback
    with pytest.raises(FolderError) as info:
        demo_run._prepare(root)
    assert str(root) in info.value.message


def test_emulator_run_into_a_narrow_code_page_pipe(tmp_path: Path) -> None:
    """``python -m trayapp.emulator`` into a pipe on Windows writes in the ANSI code page,
    strictly: its Russian lines must come out with ``?``, not end it with a traceback."""
    data = tmp_path / "данные эмулятора"
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    env.pop("PYTHONUTF8", None)
    proc = subprocess.Popen([sys.executable, "-m", "trayapp.emulator", "--port", "0", "--data",
                             str(data), "--no-residents"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode("ascii").strip()
        second = proc.stdout.readline().decode("ascii")
        assert url.startswith("http://127.0.0.1:"), url
        assert second.startswith("?") and "Ctrl+C" in second, second  # the line, replaced
        assert proc.poll() is None  # still serving
    finally:
        proc.kill()
        _, err = proc.communicate(timeout=30)
    assert b"Traceback" not in err and b"Logging error" not in err, err
