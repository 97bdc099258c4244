"""A registry of another association in Исходящие is never sent (associations.md «Kept apart»).

Against the real emulator on 127.0.0.1: the foreign file never reaches the emulator's outbox,
it lies in Отправлены/Ошибки with an event naming both ИНН, and the session goes on (our own
file in the same Исходящие is sent and answered).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.test_exchange import CODING, NOW, ORG, example, seed
from trayapp.core.db import journal
from trayapp.core.db.connection import Database, open_database
from trayapp.core.exchange import run_session, status
from trayapp.core.folders import ExchangeTree
from trayapp.core.transport import HttpTransport
from trayapp.emulator.server import Emulator

OTHER = "5405001114"


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[Emulator]:
    e = Emulator(tmp_path / "emu", residents=False, seed=7)
    e.start()
    yield e
    e.stop()


@pytest.fixture
def db(db_target: Path | str) -> Iterator[Database]:
    d = open_database(db_target)
    seed(d)
    yield d
    d.close()


def outbox(emu: Emulator) -> list[str]:
    folder = emu.data_dir / "outbox"
    return sorted(os.listdir(folder)) if folder.is_dir() else []


def test_foreign_registry_is_never_uploaded(tmp_path: Path, emu: Emulator, db: Database) -> None:
    tree = ExchangeTree(tmp_path / "exchange").ensure()
    ours = "Debts_20261105_001.txt"
    theirs = "Debts_20261105_002.txt"
    foreign = example(ours).replace(f"#ORG {ORG}".encode(), f"#ORG {OTHER}".encode())
    foreign = foreign.replace(b"#NUMBER 001", b"#NUMBER 002")
    assert foreign != example(ours)
    (tree.outgoing / theirs).write_bytes(foreign)
    (tree.outgoing / ours).write_bytes(example(ours))
    with HttpTransport(emu.url, "demo", "demo") as t:
        r = run_session(t, db, tree, ORG, CODING, clock=lambda: NOW, name="ТСЖ «Пример»")
    assert outbox(emu) == [ours]  # the foreign file's bytes never left
    assert (tree.sent_error / theirs).read_bytes() == foreign
    assert (r.sent, r.answers_ok) == (1, 1)  # the session went on
    assert (tree.sent_ok / ours).is_file()
    expected = f"чужой реестр: ИНН {OTHER}, а у «ТСЖ «Пример»» ИНН {ORG}"
    assert any(expected in n and theirs in n for n in r.notices)
    events = [e[2] for e in journal.unseen_events(db)]
    assert any(expected in e for e in events)
    assert status(db, tree)["waiting"] == 0


def test_name_defaults_to_the_org_of_the_database(
    tmp_path: Path, emu: Emulator, db: Database
) -> None:
    tree = ExchangeTree(tmp_path / "exchange").ensure()
    name = "Services_20261105_001.txt"
    data = example(name).replace(f"#ORG {ORG}".encode(), f"#ORG {OTHER}".encode())
    (tree.outgoing / name).write_bytes(data)
    with HttpTransport(emu.url, "demo", "demo") as t:
        r = run_session(t, db, tree, ORG, CODING, clock=lambda: NOW)
    assert outbox(emu) == [] and r.sent == 0
    assert any(f"а у «ТСЖ «Пример»» ИНН {ORG}" in n for n in r.notices)
    assert (tree.sent_error / name).read_bytes() == data


def test_registry_without_org_is_not_uploaded(
    tmp_path: Path, emu: Emulator, db: Database
) -> None:
    """A registry-named file whose header has no #ORG cannot be shown to be ours: its bytes
    stay on this computer (Отправлены/Ошибки), with an event saying why."""
    tree = ExchangeTree(tmp_path / "exchange").ensure()
    name = "Debts_20261105_003.txt"
    data = example("Debts_20261105_001.txt").replace(f"#ORG {ORG}\r\n".encode(), b"")
    data = data.replace(f"#ORG {ORG}\n".encode(), b"")
    assert b"#ORG" not in data
    (tree.outgoing / name).write_bytes(data)
    with HttpTransport(emu.url, "demo", "demo") as t:
        r = run_session(t, db, tree, ORG, CODING, clock=lambda: NOW, name="ТСЖ «Пример»")
    assert outbox(emu) == [] and r.sent == 0
    assert (tree.sent_error / name).read_bytes() == data
    assert any("нет #ORG" in n and name in n for n in r.notices)
