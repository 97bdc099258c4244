"""Faults of the machine rather than the peer: a full disk (RLIMIT_FSIZE at several sizes, so
that the download, the database or the acceptance hits it) and an exchange folder that cannot
be written. Each ends with exit 1 and a Russian message, no traceback; done again on a healthy
machine, nothing is lost or doubled (the invariants of test_crash_points)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import trayapp
from tests.crash.test_crash_points import (
    Server,
    files_in,
    integrity,
    origin,  # noqa: F401 - the module fixture
    received,  # noqa: F401 - the module fixture
    settings,
    stale_temps_go,
    tree_of,
    whole_registries,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX limits and attributes")
CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")


def run(home: Path, *args: str, fsize: int = 0) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TRAYAPP_PASSWORD="demo",
               PYTHONPATH=str(Path(trayapp.__file__).resolve().parents[1]))  # fmt: skip
    env.pop("TRAYAPP_HOME", None)

    def limits() -> None:
        if fsize:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run([sys.executable, "-m", "trayapp", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=300,
                          preexec_fn=limits, cwd="/")  # fmt: skip


def russian_refusal(r: subprocess.CompletedProcess[str]) -> None:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "Внутренняя ошибка" not in r.stderr, r.stderr
    assert CYRILLIC & set(r.stderr.lower()), r.stderr


@pytest.mark.parametrize("fsize", [2_000, 10_000, 40_000])
def test_a_full_disk_during_the_exchange(
    origin: tuple[Path, str, Path], tmp_path: Path, fsize: int  # noqa: F811
) -> None:
    home0, inn, _ = origin
    home = Path(shutil.copytree(home0, tmp_path / "home"))
    server = Server(tmp_path / "emu", inn)
    try:
        settings(home, server.emu.url)
        r = run(home, "exchange", fsize=fsize)
        if r.returncode == 0:  # the limit was not reached by this session: nothing to test
            pytest.skip(f"no write above {fsize} bytes")
        russian_refusal(r)
        assert "нет места на диске" in r.stderr or "ошибка записи на диск" in r.stderr, r.stderr
        for _ in range(3):
            server.session(home, inn)
        got = files_in(tree_of(home))
        assert server.inbox() == []
        for name in server.offered:
            assert len(got.get(name, [])) == 1, (name, got.get(name))
        whole_registries(tree_of(home))
        assert integrity(home) == "ok"
        stale_temps_go(home)
    finally:
        server.emu.stop()


@pytest.mark.parametrize("fsize", [3_000, 60_000])
def test_a_full_disk_during_the_acceptance(
    origin: tuple[Path, str, Path], received: Path, tmp_path: Path, fsize: int  # noqa: F811
) -> None:
    from trayapp.core.accept import accept, list_pending
    from trayapp.core.db import Database

    _, inn, _ = origin
    home = Path(shutil.copytree(received, tmp_path / "home"))
    db = Database(home / "data" / "trayapp.db")
    item = next(p for p in list_pending(db, tree_of(home), inn, "GOROD") if p.kind == "PAYMENTS")
    db.close()
    r = run(home, "accept", item.file, fsize=fsize)
    if r.returncode == 0:
        pytest.skip(f"no write above {fsize} bytes")
    russian_refusal(r)
    db = Database(home / "data" / "trayapp.db")
    try:
        res = accept(db, tree_of(home), item.file, inn, "GOROD", home / "r", report=False)
        assert res.rows == item.rows
        assert db.scalar("SELECT COUNT(*) FROM payments WHERE source = 'moischeta'"
                         " AND payment_id IS NOT NULL") == item.rows  # fmt: skip
    finally:
        db.close()
    assert len(files_in(tree_of(home)).get(f"Ack_{item.file}", [])) == 1
    assert integrity(home) == "ok"


def _lock_folder(folder: Path, locked: bool) -> None:
    """Make ``folder`` unwritable (root writes anywhere: the immutable attribute then)."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o500 if locked else 0o700)
        return
    r = subprocess.run(["chattr", "+i" if locked else "-i", str(folder)], capture_output=True)
    if r.returncode != 0 and locked:
        pytest.skip(f"chattr: {r.stderr.decode().strip()}")


def test_an_exchange_folder_that_cannot_be_written(
    origin: tuple[Path, str, Path], tmp_path: Path  # noqa: F811
) -> None:
    home0, inn, _ = origin
    home = Path(shutil.copytree(home0, tmp_path / "home"))
    server = Server(tmp_path / "emu", inn)
    incoming = tree_of(home).incoming
    try:
        settings(home, server.emu.url)
        _lock_folder(incoming, True)
        r = run(home, "exchange")
        russian_refusal(r)
        assert "нет прав на запись" in r.stderr, r.stderr
        assert server.inbox() and set(server.inbox()) == server.offered  # nothing deleted
        _lock_folder(incoming, False)
        for _ in range(2):
            server.session(home, inn)
        got = files_in(tree_of(home))
        assert server.inbox() == []
        for name in server.offered:
            assert len(got.get(name, [])) == 1, name
        assert integrity(home) == "ok"
    finally:
        _lock_folder(incoming, False)
        server.emu.stop()
