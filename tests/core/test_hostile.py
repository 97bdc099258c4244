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
from tests.hostile import GB10, File, Hostile, sha
from trayapp.core import exchange
from trayapp.core.db import journal
from trayapp.core.db.connection import Database
from trayapp.core.exchange import SessionResult, run_session
from trayapp.core.folders import ExchangeTree
from trayapp.core.transport import HttpTransport
from trayapp.errors import ServerError

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
    # the body is short: a mutant that fetches it anyway fails the test, not the disk
    files = {BAD: File(BAD_DATA, "good", listed_size=GB10), GOOD: File(GOOD_DATA)}
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


def test_always_a_wrong_checksum(db: Database, tree: ExchangeTree) -> None:
    files = {BAD: File(BAD_DATA, "bad_sha"), GOOD: File(GOOD_DATA)}
    with Hostile(files) as server:
        r = run(server, db, tree)
    assert [e for e in r.errors if BAD in e and "контрольн" in e], r.errors
    assert server.state.requests.count(f"GET /inbox/{BAD}") == 5  # the tries, then given up
    assert server.state.deleted == [GOOD] and stored(tree) == [GOOD]


def test_thousands_of_names(db: Database, tree: ExchangeTree) -> None:
    import json
    from datetime import date, timedelta

    names = [f"Payments_{date(2026, 1, 1) + timedelta(days=i // 999):%Y%m%d}_{i % 999 + 1:03d}.txt"
             for i in range(3000)]
    listing = json.dumps([{"name": n, "size": 10, "sha256": "0" * 64} for n in names]).encode()
    with Hostile({}, listing=listing) as server:  # every one of them 404 when asked for
        r = run(server, db, tree)
    assert r.received == 0 and server.state.deleted == []
    assert sum(1 for x in server.state.requests if x.startswith("GET /inbox/")) == 3000
    assert stored(tree) == []


@pytest.mark.parametrize("name", [
    "../Payments_20261106_001.txt", "..\\Payments_20261106_001.txt",
    "C:\\Windows\\Payments_20261106_001.txt", "/etc/Payments_20261106_001.txt",
    "Payments_20261106_001.txt\x00.exe", "Payments_20261106_001.txt\n", "\x1b[31mPayments",
    "Payments_20261106_" + "1" * 5000 + ".txt", "", ".", "..", "Входящие/../../x",
])
def test_names_that_are_paths_are_refused(
    db: Database, tree: ExchangeTree, tmp_path: Path, name: str
) -> None:
    import json

    listing = json.dumps([{"name": name, "size": len(GOOD_DATA), "sha256": sha(GOOD_DATA)},
                          {"name": GOOD, "size": len(GOOD_DATA), "sha256": sha(GOOD_DATA)}])
    with Hostile({GOOD: File(GOOD_DATA), name: File(GOOD_DATA)}, listing=listing.encode()) as s:
        before = sorted(p.name for p in tmp_path.iterdir())
        r = run(s, db, tree)
    assert any("недопустимым именем" in e for e in r.errors), r.errors
    assert all(len(e) < 400 for e in r.errors)  # a 5000-character name is not echoed whole
    assert s.state.deleted == [GOOD] and stored(tree) == [GOOD]
    assert not [x for x in s.state.requests if x.startswith("GET /inbox/") and GOOD not in x]
    new = {p.name for p in tmp_path.iterdir()} - set(before)
    assert new <= {"db.sqlite.exchange.lock", "db.sqlite.finish.lock"}  # nothing else outside


@pytest.mark.parametrize("listing", [b"<html>502 Bad Gateway</html>", b'{"files": []}', b"[1, 2",
                                     b"\xff\xfe", b"null"])
def test_a_listing_that_is_not_a_json_list(db: Database, tree: ExchangeTree, listing: bytes) -> None:
    with Hostile({}, listing=listing) as server:
        with pytest.raises(ServerError) as info:
            run(server, db, tree)
    assert "неверный список файлов" in info.value.message
    last = journal.last_session(db)
    assert last is not None and last["ok"] is False  # recorded, with the message


def test_junk_entries_of_a_listing_are_skipped(db: Database, tree: ExchangeTree) -> None:
    import json

    listing = json.dumps([1, None, {"name": 5}, {"size": 1}, {"name": BAD, "size": "x"},
                          {"name": GOOD, "size": len(GOOD_DATA), "sha256": sha(GOOD_DATA)}])
    with Hostile({GOOD: File(GOOD_DATA)}, listing=listing.encode()) as server:
        r = run(server, db, tree)
    assert any(BAD in e and "размер" in e for e in r.errors)
    assert server.state.deleted == [GOOD]


def test_a_redirect_on_login_does_not_carry_the_password(db: Database, tree: ExchangeTree) -> None:
    with Hostile({GOOD: File(GOOD_DATA)}) as elsewhere:
        with Hostile({}, login_redirect=elsewhere.url + "/login") as server:
            with pytest.raises(ServerError) as info:
                run(server, db, tree)
        assert elsewhere.state.logins == [] and elsewhere.state.requests == []
    assert "307" in info.value.message and "secret-pw" not in info.value.message
    assert server.state.logins and b"secret-pw" in server.state.logins[0]  # sent only there
