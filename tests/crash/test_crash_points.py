"""The crash-point harness: ``trayapp exchange``, ``accept``, ``generate`` and ``import`` run in
a subprocess killed with SIGKILL at the K-th file-system or database step (tests/crash/child.py),
for many K; then the work is done again and the invariants checked:

- every file the server handed over is in the tree exactly once, and nothing is left on it;
- every registry we made is in the tree exactly once and whole (it parses, rows as declared);
- no payment twice, none missing from a registry marked accepted; an import all or nothing;
- ``PRAGMA integrity_check`` is ``ok``; no temporary file left in Входящие, and none anywhere
  once the next session finds them stale.

CI runs a sample (about a dozen points per command); ``TRAYAPP_CRASH_FULL=1`` runs every
point and prints the count.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import trayapp
from trayapp.core import exchange, formats, importer
from trayapp.core.accept import accept, list_pending
from trayapp.core.db import Database
from trayapp.core.demo import ORDER, write_tables
from trayapp.core.folders import TEMP_PREFIX, ExchangeTree
from trayapp.core.registries import generate
from trayapp.core.transport import HttpTransport
from trayapp.emulator.server import Emulator
from trayapp.errors import AcceptError

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and the audit of POSIX calls")
FULL = os.environ.get("TRAYAPP_CRASH_FULL") == "1"
SAMPLE = 12  # points per command in CI
TODAY = date.today()
SEED = 5


def db_of(home: Path) -> Database:
    return Database(home / "data" / "trayapp.db")


def tree_of(home: Path) -> ExchangeTree:
    return ExchangeTree(home / "data" / "Мои счета")


def settings(home: Path, url: str = "http://127.0.0.1:9") -> None:
    (home / "settings.json").write_text(
        json.dumps({"coding": "GOROD", "login": "demo", "server_url": url}), encoding="utf-8")


def child(home: Path, k: int, *args: str) -> tuple[int, int]:
    """Run ``trayapp --home home ARGS`` killed at step k (0: never); (return code, steps)."""
    env = dict(os.environ, TRAYAPP_PASSWORD="demo",
               PYTHONPATH=str(Path(trayapp.__file__).resolve().parents[1]))  # fmt: skip
    env.pop("TRAYAPP_HOME", None)
    r = subprocess.run([sys.executable, "-m", "tests.crash.child", str(k), "--home", str(home),
                        *args], capture_output=True, text=True, env=env, timeout=300,
                       cwd=Path(trayapp.__file__).resolve().parents[1])  # fmt: skip
    steps = [int(x.split()[1]) for x in r.stderr.splitlines() if x.startswith("steps ")]
    return r.returncode, steps[-1] if steps else -1


def points(total: int) -> list[int]:
    if FULL:
        return list(range(1, total + 1))
    n = min(SAMPLE, total)
    return sorted({1 + (total - 1) * i // max(n - 1, 1) for i in range(n)})


def files_in(tree: ExchangeTree) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d, _, names in os.walk(tree.root):
        for n in names:
            out.setdefault(n, []).append(d)
    return out


def integrity(home: Path) -> str:
    db = db_of(home)
    try:
        return str(db.scalar("PRAGMA integrity_check"))
    finally:
        db.close()


def whole_registries(tree: ExchangeTree) -> None:
    """Every file under a registry name parses, with the rows its header declares."""
    for name, where in files_in(tree).items():
        if name.startswith(TEMP_PREFIX) or formats.parse_name(name) is None:
            continue
        data = (Path(where[0]) / name).read_bytes()
        try:
            formats.parse(data, name=name)
        except Exception as exc:  # a received broken registry is fine in Входящие/Ошибки
            if not where[0].endswith("Ошибки"):
                raise AssertionError(f"{name} in {where[0]} is not whole: {exc}") from exc


def stale_temps_go(home: Path) -> None:
    """What a killed run left: gone from Входящие; elsewhere gone once stale (an hour)."""
    tree = tree_of(home)
    temps = [Path(d) / n for d, _, ns in os.walk(tree.root) for n in ns
             if n.startswith(TEMP_PREFIX)]  # fmt: skip
    assert not [t for t in temps if t.parent == tree.incoming], temps
    old = time.time() - 7200
    for t in temps:
        os.utime(t, (old, old))
    tree.clean_temp()
    assert not [Path(d) / n for d, _, ns in os.walk(tree.root) for n in ns
                if n.startswith(TEMP_PREFIX)]  # fmt: skip


# ---------------------------------------------------------------------------- the association


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    """(home with the association imported and three registries in Исходящие, its ИНН, the
    tables folder)."""
    base = tmp_path_factory.mktemp("crash")
    tables = write_tables(base / "tables", accounts=20, seed=SEED, today=TODAY)
    home = base / "origin"
    (home / "data").mkdir(parents=True)
    settings(home)
    db = db_of(home)
    for kind in ORDER:
        importer.import_file(db, kind, tables[kind])
    inn = str(db.scalar("SELECT inn FROM org"))
    tree = tree_of(home).ensure()
    for kind in ("services", "debts", "meters"):
        generate(db, tree, kind, "GOROD", TODAY)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    yield home, inn, base / "tables"


class Server:
    """An emulator on a copy of its data, remembering every name it put in its inbox."""

    def __init__(self, data: Path, inn: str) -> None:
        self.emu = Emulator(data, org=inn, seed=SEED)
        self.offered: set[str] = set()
        real = self.emu.store.write_inbox

        def write_inbox(name: str, *a: Any, **kw: Any) -> Any:
            self.offered.add(name)
            return real(name, *a, **kw)

        self.emu.store.write_inbox = write_inbox  # type: ignore[method-assign]
        self.emu.start()

    def inbox(self) -> list[str]:
        d = self.emu.data_dir / "inbox"
        return sorted(p.name for p in d.iterdir() if not p.name.startswith(".")) if d.is_dir() else []

    def session(self, home: Path, inn: str) -> exchange.SessionResult:
        db = db_of(home)
        try:
            with HttpTransport(self.emu.url, "demo", "demo", sleep=lambda s: None) as t:
                return exchange.run_session(t, db, tree_of(home), inn, "GOROD", datetime.now)
        finally:
            db.close()


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


# ---------------------------------------------------------------------------- exchange


def _exchange_points(origin: tuple[Path, str, Path], tmp: Path) -> tuple[int, int]:
    home0, inn, _ = origin
    home = _copy(home0, tmp / "count")
    server = Server(tmp / "count-emu", inn)
    try:
        settings(home, server.emu.url)
        rc, total = child(home, 0, "exchange")
        assert rc == 0 and total > 50
    finally:
        server.emu.stop()
    return total, len(server.offered)


def test_exchange_killed_at_each_step(origin: tuple[Path, str, Path], tmp_path: Path) -> None:
    home0, inn, _ = origin
    total, offered = _exchange_points(origin, tmp_path)
    sent = sorted(n for n in os.listdir(tree_of(home0).outgoing) if formats.parse_name(n))
    tried = 0
    for k in points(total):
        home = _copy(home0, tmp_path / f"h{k}")
        server = Server(tmp_path / f"emu{k}", inn)
        try:
            settings(home, server.emu.url)
            rc, _ = child(home, k, "exchange")
            assert rc in (-9, 0), rc
            for _ in range(4):  # the next sessions finish the job
                server.session(home, inn)
                if not server.inbox() and not os.listdir(tree_of(home).outgoing):
                    break
            got = files_in(tree_of(home))
            assert server.inbox() == [], (k, server.inbox())
            for name in server.offered:  # handed over: in the tree exactly once
                assert len(got.get(name, [])) == 1, (k, name, got.get(name))
            for name in sent:  # ours: sent once, filed once
                assert len(got.get(name, [])) == 1, (k, name, got.get(name))
                assert (server.emu.data_dir / "outbox" / name).is_file()
            whole_registries(tree_of(home))
            assert integrity(home) == "ok"
            stale_temps_go(home)
        finally:
            server.emu.stop()
        tried += 1
    print(f"exchange: {tried} crash points of {total} steps; {offered} files handed over")


# ---------------------------------------------------------------------------- accept


@pytest.fixture(scope="module")
def received(origin: tuple[Path, str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The origin after two sessions: the owners' Payments and Readings pending."""
    home0, inn, _ = origin
    base = tmp_path_factory.mktemp("received")
    home = _copy(home0, base / "home")
    server = Server(base / "emu", inn)
    try:
        server.session(home, inn)
        server.session(home, inn)
    finally:
        server.emu.stop()
    db = db_of(home)
    assert {p.kind for p in list_pending(db, tree_of(home), inn, "GOROD")} == {
        "PAYMENTS", "READINGS"}
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return home


def _payments_state(home: Path) -> tuple[int, int]:
    db = db_of(home)
    try:
        return (int(db.scalar("SELECT COUNT(*) FROM payments WHERE source = 'moischeta'"
                              " AND payment_id IS NOT NULL")),
                int(db.scalar("SELECT COUNT(*) FROM documents WHERE kind = 'registry'")))
    finally:
        db.close()


def test_accept_killed_at_each_step(
    origin: tuple[Path, str, Path], received: Path, tmp_path: Path
) -> None:
    _, inn, _ = origin
    db = db_of(received)
    item = next(p for p in list_pending(db, tree_of(received), inn, "GOROD")
                if p.kind == "PAYMENTS")  # fmt: skip
    db.close()
    home = _copy(received, tmp_path / "count")
    rc, total = child(home, 0, "accept", item.file)
    assert rc == 0 and _payments_state(home) == (item.rows, 1)
    tried = 0
    for k in points(total):
        home = _copy(received, tmp_path / f"h{k}")
        rc, _ = child(home, k, "accept", item.file)
        assert rc in (-9, 0)
        assert _payments_state(home) in ((0, 0), (item.rows, 1)), k  # all or nothing
        db = db_of(home)
        try:
            try:
                accept(db, tree_of(home), item.file, inn, "GOROD", home / "r", report=False)
            except AcceptError as exc:
                assert "уже принят" in exc.message
        finally:
            db.close()
        assert _payments_state(home) == (item.rows, 1), k  # exactly once
        got = files_in(tree_of(home))
        assert len(got.get(f"Ack_{item.file}", [])) == 1 and len(got[item.file]) == 1, k
        assert got[item.file][0].endswith("Обработаны")
        whole_registries(tree_of(home))
        assert integrity(home) == "ok"
        stale_temps_go(home)
        tried += 1
    print(f"accept: {tried} crash points of {total} steps")


# ---------------------------------------------------------------------------- generate, import


def test_generate_killed_at_each_step(origin: tuple[Path, str, Path], tmp_path: Path) -> None:
    home0, _, _ = origin
    home = _copy(home0, tmp_path / "count")
    rc, total = child(home, 0, "generate", "debts")
    assert rc == 0
    tried = 0
    for k in points(total):
        home = _copy(home0, tmp_path / f"h{k}")
        rc, _ = child(home, k, "generate", "debts")
        assert rc in (-9, 0)
        db = db_of(home)
        try:
            generate(db, tree_of(home), "debts", "GOROD", TODAY)
        finally:
            db.close()
        whole_registries(tree_of(home))
        debts = [n for n in os.listdir(tree_of(home).outgoing) if n.startswith("Debts_")]
        assert 2 <= len(debts) <= 3, (k, debts)  # the origin's, the rerun's, maybe the killed one's
        assert integrity(home) == "ok"
        stale_temps_go(home)
        tried += 1
    print(f"generate: {tried} crash points of {total} steps")


def test_import_killed_at_each_step(origin: tuple[Path, str, Path], tmp_path: Path) -> None:
    home0, _, tables = origin
    text = (tables / "accruals.csv").read_bytes().decode("cp1251")
    lines = text.splitlines()
    changed = "\r\n".join(lines[:1] + [";".join(ln.split(";")[:3] + ["1,23"]) for ln in lines[1:]])
    src = tmp_path / "accruals.csv"
    src.write_bytes((changed + "\r\n").encode("cp1251"))

    def accrued(home: Path) -> int:
        db = db_of(home)
        try:
            return int(db.scalar("SELECT COUNT(*) FROM accruals WHERE amount = 123"))
        finally:
            db.close()

    home = _copy(home0, tmp_path / "count")
    rc, total = child(home, 0, "import", "accruals", str(src))
    after = accrued(home)
    assert rc == 0 and after == len(lines) - 1 and accrued(home0) < after
    tried = 0
    for k in points(total):
        home = _copy(home0, tmp_path / f"h{k}")
        rc, _ = child(home, k, "import", "accruals", str(src))
        assert rc in (-9, 0)
        assert accrued(home) in (accrued(home0), after), k  # all or nothing
        assert integrity(home) == "ok"
        db = db_of(home)
        try:
            importer.import_file(db, "accruals", src)
        finally:
            db.close()
        assert accrued(home) == after
        tried += 1
    print(f"import: {tried} crash points of {total} steps")
