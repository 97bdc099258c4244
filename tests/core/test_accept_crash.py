"""Acceptance killed with SIGKILL at several moments: all payments or none, then exactly once.

`trayapp accept` of a 40,000-payment registry runs in a subprocess that is killed -9 at
several moments of its measured run time (each on a fresh copy of the same starting state);
one more run, a script with the test hook, is held right after the commit so that the
window between the documents and the confirmation is hit for sure. After each kill the payments are all there or none, and a final accept makes them
all there exactly once, with the confirmation written and the file moved.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import trayapp
from tests.core import registry_fixture as fx
from tests.core.test_validate import payments_file
from trayapp.core.accept import accept
from trayapp.core.db import Database, journal
from trayapp.core.folders import ExchangeTree
from trayapp.errors import AcceptError

ORG = fx.ORG[0]
NAME = "Payments_20261106_001.txt"
COUNT = 40_000
ACCOUNTS = [("1001", "102"), ("1002", ""), ("1001", "9"), ("1003", "10")]

# the deterministic kill right after the commit needs the test hook, so that run calls
# accept() in a small script; every other run is the real `trayapp accept`
HOLD_SCRIPT = """
import sys, time
from pathlib import Path
from trayapp.core import accept as acc
from trayapp.core.db import Database
from trayapp.core.folders import ExchangeTree
def hold():
    print("committed", flush=True)
    time.sleep(600)
def half_written(target, data):  # the Ack_ cut half way through its temporary file
    from trayapp.core.folders import atomic_file
    with atomic_file(target) as f:
        f.write(data[: len(data) // 2])
        f.flush()
        print("writing", flush=True)
        time.sleep(600)
if sys.argv[4] == "commit":
    acc._after_commit = hold
else:
    acc.write_atomic = half_written
home = Path(sys.argv[1])
acc.accept(Database(home / "data" / "trayapp.db"), ExchangeTree(home / "data" / "Мои счета"),
           sys.argv[2], sys.argv[3], "GOROD", home / "reports", report=False)
"""


def _rows() -> list[str]:
    return [
        f"p-{i:06d};05.11.2026 10:{i % 60:02d}:00;{ACCOUNTS[i % 4][0]};{ACCOUNTS[i % 4][1]};"
        f"{1 + i % 500}.{i % 100:02d};10.2026"
        for i in range(COUNT)
    ]


def _db(home: Path) -> Database:
    return Database(home / "data" / "trayapp.db")  # the --home layout (paths.py)


def _tree(home: Path) -> ExchangeTree:
    return ExchangeTree(home / "data" / "Мои счета")


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The starting state under a --home: settings (coding GOROD), the association, and
    the registry pending in Входящие."""
    home = tmp_path_factory.mktemp("origin") / "home"
    (home / "data").mkdir(parents=True)
    (home / "settings.json").write_text('{"coding": "GOROD"}', encoding="utf-8")
    db = fx.build(home / "data" / "trayapp.db")
    tree = _tree(home).ensure()
    (tree.incoming / NAME).write_bytes(payments_file(_rows()))
    from trayapp.core.accept import list_pending

    assert [p.rows for p in list_pending(db, tree, ORG, "GOROD")] == [COUNT]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return home


@pytest.fixture(scope="module")
def duration(origin: Path, tmp_path_factory: pytest.TempPathFactory) -> float:
    """How long `trayapp accept` runs undisturbed here (from its start to its exit)."""
    home = _copy(origin, tmp_path_factory.mktemp("whole") / "home")
    began = time.monotonic()
    proc = _start(home)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert json.loads(out)["rows"] == COUNT
    assert _state(home) == (COUNT, COUNT, 1, "done")
    return time.monotonic() - began


def _copy(origin: Path, dst: Path) -> Path:
    shutil.copytree(origin, dst)
    return dst


def _start(home: Path, hold: str = "") -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(trayapp.__file__).resolve().parents[1])
    env.pop("TRAYAPP_HOME", None)
    if hold:
        cmd = [sys.executable, "-c", HOLD_SCRIPT, str(home), NAME, ORG, hold]
    else:
        cmd = [sys.executable, "-m", "trayapp", "--home", str(home), "--json", "accept", NAME]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _state(home: Path) -> tuple[int, int, int, str]:
    """(payment documents, payments with an id, their sum's count of docs, journal status)."""
    db = _db(home)
    try:
        docs = int(db.scalar("SELECT COUNT(*) FROM documents WHERE kind = 'payment'"))
        ids = int(
            db.scalar("SELECT COUNT(DISTINCT payment_id) FROM payments WHERE source = 'moischeta'")
        )
        regs = int(db.scalar("SELECT COUNT(*) FROM documents WHERE kind = 'registry'"))
        entry = journal.get_file(db, "in", NAME)
        return docs, ids, regs, entry.status if entry else ""
    finally:
        db.close()


def _final_accept_and_check(home: Path) -> None:
    db = _db(home)
    tree = _tree(home)
    try:
        entry = journal.get_file(db, "in", NAME)
        if entry is not None and entry.status == "done":  # the run finished before the kill
            with pytest.raises(AcceptError, match="уже принят"):
                accept(db, tree, NAME, ORG, "GOROD", home / "reports", report=False)
        else:
            res = accept(db, tree, NAME, ORG, "GOROD", home / "reports", report=False)
            assert res.rows == COUNT
        assert int(db.scalar("SELECT COUNT(*) FROM documents WHERE kind = 'registry'")) == 1
        assert int(db.scalar("SELECT COUNT(*) FROM documents WHERE kind = 'payment'")) == COUNT
        assert int(
            db.scalar("SELECT COUNT(*) FROM payments WHERE source = 'moischeta' AND payment_id IS NOT NULL")
        ) == COUNT  # fmt: skip
        total = int(db.scalar("SELECT SUM(amount) FROM payments WHERE source = 'moischeta'"))
        assert total == sum(1 + i % 500 for i in range(COUNT)) * 100 + sum(
            i % 100 for i in range(COUNT)
        )
        assert journal.get_file(db, "in", NAME).status == "done"  # type: ignore[union-attr]
        assert (tree.outgoing / f"Ack_{NAME}").is_file()
        assert (tree.incoming_done / NAME).is_file() and not (tree.incoming / NAME).exists()
        assert not [n for n in os.listdir(tree.outgoing) if n.startswith(".~")]
    finally:
        db.close()


@pytest.mark.parametrize("share", [0.1, 0.3, 0.45, 0.55, 0.65, 0.8])
def test_kill_at_a_moment(origin: Path, duration: float, tmp_path: Path, share: float) -> None:
    home = _copy(origin, tmp_path / "home")
    proc = _start(home)
    try:
        time.sleep(duration * share)
        proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows
    finally:
        proc.wait(timeout=120)
    docs, ids, regs, status = _state(home)
    print(f"killed at {share:.0%} of {duration:.1f} s: {docs} payment documents, {status}")
    assert (docs, ids, regs) in ((0, 0, 0), (COUNT, COUNT, 1)), (docs, ids, regs, status)
    assert status == "pending" if regs == 0 else status in ("accepted", "done"), (regs, status)
    _final_accept_and_check(home)


def test_kill_between_commit_and_confirmation(origin: Path, tmp_path: Path) -> None:
    home = _copy(origin, tmp_path / "home")
    proc = _start(home, hold="commit")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "committed"
        proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows
    finally:
        proc.wait(timeout=120)
    assert _state(home) == (COUNT, COUNT, 1, "accepted")
    assert not (_tree(home).outgoing / f"Ack_{NAME}").exists()
    _final_accept_and_check(home)


def test_kill_while_the_confirmation_is_written(origin: Path, tmp_path: Path) -> None:
    """A kill half way through the Ack_ leaves its hidden temporary file in Исходящие: the
    next acceptance (or exchange session) removes it and writes the whole confirmation."""
    home = _copy(origin, tmp_path / "home")
    proc = _start(home, hold="ack")
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "writing"
        proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows
    finally:
        proc.wait(timeout=120)
    out = _tree(home).outgoing
    assert [n for n in os.listdir(out) if n.startswith(f".~Ack_{NAME}.")]  # left by the kill
    assert not (out / f"Ack_{NAME}").exists()
    assert _state(home) == (COUNT, COUNT, 1, "accepted")
    _final_accept_and_check(home)  # no temporary file left, the Ack whole
    from trayapp.core import formats

    ack = formats.parse((out / f"Ack_{NAME}").read_bytes())
    assert ack.header.status == "OK" and ack.header.answered_rows == COUNT
