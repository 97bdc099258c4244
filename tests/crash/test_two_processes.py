"""Two processes at once on one home: two exchange sessions (the tray's click and a scheduled
``trayapp exchange`` run the same ``App.exchange``), two acceptances of one registry, and an
acceptance beside a session. Whatever the interleaving, no file is handled twice, no payment
is written twice, and the database stays whole."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import trayapp
from tests.crash.test_crash_points import (
    Server,
    db_of,
    files_in,
    integrity,
    origin,  # noqa: F401 - the module fixture
    received,  # noqa: F401 - the module fixture
    settings,
    tree_of,
)
from trayapp.core.accept import list_pending

pytestmark = pytest.mark.skipif(os.name != "posix", reason="run with the crash harness (POSIX)")


def start(home: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, TRAYAPP_PASSWORD="demo",
               PYTHONPATH=str(Path(trayapp.__file__).resolve().parents[1]))  # fmt: skip
    env.pop("TRAYAPP_HOME", None)
    return subprocess.Popen([sys.executable, "-m", "trayapp", "--home", str(home), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.parametrize("delay", [0.0, 0.3, 0.8])
def test_two_exchange_sessions_at_once(
    origin: tuple[Path, str, Path], tmp_path: Path, delay: float  # noqa: F811
) -> None:
    home0, inn, _ = origin
    home = Path(shutil.copytree(home0, tmp_path / "home"))
    server = Server(tmp_path / "emu", inn)
    try:
        settings(home, server.emu.url)
        a = start(home, "exchange")
        time.sleep(delay)
        b = start(home, "exchange")
        results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in (a, b)]
        assert any(rc == 0 for rc, _ in results), results
        for rc, err in results:  # the other one ran after, or said a session was running
            assert rc == 0 or "сеанс обмена уже идёт" in err, err
        for _ in range(2):
            server.session(home, inn)
        got = files_in(tree_of(home))
        assert server.inbox() == []
        for name in server.offered:
            assert len(got.get(name, [])) == 1, (name, got.get(name))
        assert integrity(home) == "ok"
    finally:
        server.emu.stop()


def _pending_payments(home: Path, inn: str) -> tuple[str, int]:
    db = db_of(home)
    try:
        item = next(p for p in list_pending(db, tree_of(home), inn, "GOROD")
                    if p.kind == "PAYMENTS")  # fmt: skip
        return item.file, item.rows
    finally:
        db.close()


def _written(home: Path) -> tuple[int, int, int]:
    db = db_of(home)
    try:
        return (int(db.scalar("SELECT COUNT(*) FROM payments WHERE source = 'moischeta'"
                              " AND payment_id IS NOT NULL")),
                int(db.scalar("SELECT COUNT(DISTINCT payment_id) FROM payments"
                              " WHERE source = 'moischeta'")),
                int(db.scalar("SELECT COUNT(*) FROM documents WHERE kind = 'registry'")))
    finally:
        db.close()


@pytest.mark.parametrize("delay", [0.0, 0.2, 0.5])
def test_one_registry_accepted_by_two_processes_at_once(
    origin: tuple[Path, str, Path], received: Path, tmp_path: Path, delay: float  # noqa: F811
) -> None:
    _, inn, _ = origin
    home = Path(shutil.copytree(received, tmp_path / "home"))
    name, rows = _pending_payments(home, inn)
    a = start(home, "accept", name)
    time.sleep(delay)
    b = start(home, "accept", name)
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in (a, b)]
    assert sorted(rc for rc, _ in results) == [0, 1], results
    assert any("уже принят" in err for _, err in results), results
    assert _written(home) == (rows, rows, 1)
    got = files_in(tree_of(home))
    assert len(got[f"Ack_{name}"]) == 1 and len(got[name]) == 1
    assert not [n for n in got if n.startswith(".~")]
    assert integrity(home) == "ok"


@pytest.mark.parametrize("delay", [0.0, 0.4])
def test_an_acceptance_beside_an_exchange_session(
    origin: tuple[Path, str, Path], received: Path, tmp_path: Path, delay: float  # noqa: F811
) -> None:
    _, inn, _ = origin
    home = Path(shutil.copytree(received, tmp_path / "home"))
    name, rows = _pending_payments(home, inn)
    server = Server(tmp_path / "emu", inn)
    try:
        settings(home, server.emu.url)
        a = start(home, "accept", name)
        time.sleep(delay)
        b = start(home, "exchange")
        results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in (a, b)]
        assert [rc for rc, _ in results] == [0, 0], results
        server.session(home, inn)  # the confirmation goes out, if it was not yet
        assert _written(home) == (rows, rows, 1)
        assert (server.emu.data_dir / "outbox" / f"Ack_{name}").is_file()
        got = files_in(tree_of(home))
        assert len(got[f"Ack_{name}"]) == 1 and len(got[name]) == 1
        assert integrity(home) == "ok"
    finally:
        server.emu.stop()
