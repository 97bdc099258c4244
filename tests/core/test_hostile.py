"""Exchange sessions against a hostile server on 127.0.0.1 (tests/hostile.py): each ends by
itself, within its timeouts, writing at most what was announced, deleting nothing it did not
store, and going on with the other files."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.test_exchange import NOW, ORG, payments, seed
from tests.hostile import GB10, File, Hostile
from trayapp.core import exchange
from trayapp.core.db import journal
from trayapp.core.db.connection import Database
from trayapp.core.exchange import SessionResult, run_session
from trayapp.core.folders import ExchangeTree
from trayapp.core.transport import HttpTransport

GOOD = "Payments_20261106_001.txt"
BAD = "Payments_20261106_002.txt"
GOOD_DATA = payments(1, "g-1;05.11.2026 10:00:00;2001;101;100.00;10.2026")
BAD_DATA = payments(2, "b-1;05.11.2026 10:00:00;2001;101;5.00;10.2026")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(tmp_path / "db.sqlite")
    seed(d)
    yield d
    d.close()


@pytest.fixture
def tree(tmp_path: Path) -> ExchangeTree:
    return ExchangeTree(tmp_path / "exchange").ensure()


def tree_bytes(tree: ExchangeTree) -> int:
    return sum(
        os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(tree.root) for f in files
    )


def run(server: Hostile, db: Database, tree: ExchangeTree, **kw: float) -> SessionResult:
    with HttpTransport(server.url, "demo", "secret-pw", sleep=lambda s: None, **kw) as t:
        return run_session(t, db, tree, ORG, "GOROD", clock=lambda: NOW)


def stored(tree: ExchangeTree) -> list[str]:
    return sorted(f for _, _, files in os.walk(tree.root) for f in files)


@pytest.mark.parametrize("how", ["endless", "more", "more_cl", "huge"])
def test_more_than_announced_is_cut_and_refused(
    db: Database, tree: ExchangeTree, how: str
) -> None:
    files = {BAD: File(BAD_DATA, how, extra=8 << 20), GOOD: File(GOOD_DATA)}
    with Hostile(files) as server:
        r = run(server, db, tree)
    assert [e for e in r.errors if BAD in e and "больше, чем объявил" in e], r.errors
    assert server.state.deleted == [GOOD]  # the refused one is kept on the server
    assert stored(tree) == [GOOD]  # nothing of it in the tree, no temporary file left
    assert tree_bytes(tree) == len(GOOD_DATA)
    assert journal.get_file(db, "in", BAD) is None
    assert r.received == 1


def test_a_registry_announced_above_the_ceiling_is_not_fetched(
    db: Database, tree: ExchangeTree
) -> None:
    files = {BAD: File(BAD_DATA, "huge", listed_size=GB10), GOOD: File(GOOD_DATA)}
    with Hostile(files) as server:
        r = run(server, db, tree)
    assert GB10 > getattr(exchange, "MAX_REGISTRY_BYTES", 0)
    assert [e for e in r.errors if BAD in e and "больше предела 200 МБ" in e], r.errors
    assert f"GET /inbox/{BAD}" not in server.state.requests
    assert server.state.deleted == [GOOD] and stored(tree) == [GOOD]


def test_a_trickling_transfer_is_cut_by_the_rate_floor(db: Database, tree: ExchangeTree) -> None:
    files = {BAD: File(BAD_DATA, "trickle", pace=0.2), GOOD: File(GOOD_DATA)}
    began = time.monotonic()
    with Hostile(files) as server:
        r = run(server, db, tree, min_rate=100, rate_grace=1.0)
    took = time.monotonic() - began
    assert [e for e in r.errors if BAD in e and "слишком медленно" in e], r.errors
    assert server.state.sent[BAD] < len(BAD_DATA)  # cut before the end
    assert server.state.deleted == [GOOD] and stored(tree) == [GOOD]
    print(f"trickle cut after {server.state.sent[BAD]} bytes, session {took:.1f} s")
