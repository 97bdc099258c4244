"""One log file per kind of process, a rollover that copes, and the OS certificate store."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from trayapp.app import _PrivateLog
from trayapp.paths import AppPaths


def _env() -> dict[str, str]:
    e = dict(os.environ)
    e.pop("TRAYAPP_HOME", None)
    return e


def test_tray_and_command_line_write_separate_logs(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code = ("import logging, sys\nfrom trayapp.app import setup_logging\n"
            "from trayapp.paths import AppPaths\n"
            "setup_logging(AppPaths.resolve(sys.argv[1]), False, kind=sys.argv[2])\n"
            "logging.getLogger('x').info('hello from %s', sys.argv[2])\n")  # fmt: skip
    for kind in ("tray", "cli"):
        subprocess.run([sys.executable, "-c", code, str(home), kind], check=True, env=_env(),
                       timeout=60)  # fmt: skip
    paths = AppPaths.resolve(home)
    tray, cli = paths.log_file_of("tray"), paths.log_file_of("cli")
    assert tray != cli and paths.log_file == cli
    assert "hello from tray" in tray.read_text("utf-8")
    assert "hello from cli" in cli.read_text("utf-8") and "tray" not in cli.read_text("utf-8")


def test_rollover_that_cannot_rename_keeps_logging(tmp_path: Path) -> None:
    f = tmp_path / "trayapp-cli.log"
    h = _PrivateLog(f, maxBytes=200, backupCount=2, encoding="utf-8")
    refused: list[str] = []

    def held(source: str, dest: str) -> None:  # Windows: another process holds the file
        refused.append(source)
        raise PermissionError(13, "The process cannot access the file", source)

    h.rotator = held
    logger = logging.getLogger("rollover-test")
    logger.propagate = False
    logger.addHandler(h)
    try:
        for i in range(30):
            logger.warning("line %d %s", i, "x" * 20)
    finally:
        logger.removeHandler(h)
        h.close()
    assert refused  # the rollover was tried and refused
    text = f.read_text("utf-8")
    assert "line 0 " in text and "line 29 " in text  # nothing lost, no error raised


def test_https_uses_the_system_store() -> None:
    pytest.importorskip("truststore")
    code = ("import ssl, truststore\nfrom trayapp.app import use_system_certificates\n"
            "assert use_system_certificates()\nassert ssl.SSLContext is truststore.SSLContext\n"
            "import requests\ns = requests.Session()\nprint('ok')\n")  # fmt: skip
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=_env(), timeout=60)  # fmt: skip
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_without_truststore_it_falls_back_quietly(tmp_path: Path) -> None:
    code = ("import sys, ssl\nsys.modules['truststore'] = None  # not installed\n"
            "real = ssl.SSLContext\nfrom trayapp.cli import main\n"
            "rc = main(['--home', sys.argv[1], 'exchange'])\n"
            "assert ssl.SSLContext is real\nprint(rc)\n")  # fmt: skip
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "h")], capture_output=True,
                       text=True, env=_env(), timeout=60)  # fmt: skip
    assert r.returncode == 0 and r.stdout.strip() == "1"  # exit 1: no org loaded, no crash
    assert "не загружены данные ТСЖ" in r.stderr and "Traceback" not in r.stderr
