"""Posting with readings left out (issue 17, item 8): the unticked readings go, unposted, to
a new «Показания новые» document of their own; the rest are posted, in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.core import registry_fixture as fx
from tests.core.test_export import read_csv
from tests.core.test_validate import readings_file
from trayapp.core import accept as acc
from trayapp.core.db import Database
from trayapp.core.db.registries import meter_rows
from trayapp.core.exporter import export
from trayapp.core.folders import ExchangeTree
from trayapp.core.posting import post_leaving, posted_text, readings_of_meters
from trayapp.errors import AcceptError

ORG = fx.ORG[0]
R1 = "Readings_20261106_001.txt"
NOW = datetime(2026, 11, 27, 10, 15, 0)
ROWS = [
    "r-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221",  # below 230 of 02.11
    "r-2;01.11.2026 10:00:00;1001;17;ХВ-1001-1;225",
    "r-3;06.11.2026 09:00:00;1001;19;ГВ-1001-2;0.1",  # below initial 0.2
    "r-4;06.11.2026 09:00:00;1002;20;ХВ-1002-1;5",
]


@pytest.fixture()
def db(tmp_path: Path, db_target: Path | str) -> Iterator[Database]:
    d = fx.build(db_target)
    tree = ExchangeTree(tmp_path / "x").ensure()
    (tree.incoming / R1).write_bytes(readings_file(ROWS))
    acc.accept(d, tree, R1, ORG, "GOROD", tmp_path / "reports", lambda: NOW, report=False)
    yield d
    d.close()


def where(db: Database) -> dict[str, tuple[str, int]]:
    """reading id → (document number, posted)."""
    return {str(r[0]): (str(r[1]), int(r[2])) for r in db.all(
        "SELECT r.reading_id, d.number, r.posted FROM readings r"
        " JOIN documents d ON d.id = r.document_id WHERE r.source = 'moischeta'")}  # fmt: skip


def test_unticked_readings_stay_unposted_in_a_document_of_their_own(db: Database,
                                                                   tmp_path: Path) -> None:  # fmt: skip
    shown = acc.below_previous(db, "1")
    assert [b.meter_id for b in shown] == ["17", "19"]
    left = [b for b in shown if b.meter_id == "19"]  # r-3 unticked, r-1 agreed to
    p = post_leaving(db, "1", [b.reading for b in left], shown, NOW)
    assert (p.number, p.rows, p.left_number, p.left_rows) == ("000001", 3, "000002", 1)
    assert posted_text(p) == ("Документ «Показания новые» № 000001 проведён: показаний 3; "
                              "1 показание оставлено непроведённым в документе № 000002")  # fmt: skip
    assert where(db) == {"r-1": ("000001", 1), "r-2": ("000001", 1), "r-3": ("000002", 0),
                         "r-4": ("000001", 1)}  # fmt: skip
    docs = db.all("SELECT number, doc_date, comment, posted, rows_count, file_id FROM documents"
                  " WHERE kind = 'readings' ORDER BY number")  # fmt: skip
    assert [tuple(d[:5]) for d in docs] == [
        ("000001", "2026-11-27", "Принято из 'Мои счета'", 1, 3),
        ("000002", "2026-11-27", "Принято из 'Мои счета'", 0, 1),
    ]
    assert docs[1][5] is None  # the file stays the posted document's
    assert acc.unposted_readings(db) == [("000002", "2026-11-27", 1)]
    # the export names each reading's document and whether it is posted
    rows = read_csv(export(db, "readings", Path("r.csv"), True, NOW, tmp_path).file)  # type: ignore[arg-type]
    assert sorted((r[0], r[2], r[7]) for r in rows[1:]) == [
        ("000001", "17", "1"), ("000001", "17", "1"), ("000001", "20", "1"),
        ("000002", "19", "0")]  # fmt: skip
    # the Meters registry: meter 19 keeps its initial reading, 17 and 20 their posted ones
    last = {str(r[1]): r[7] for r in meter_rows(db, date(2026, 11, 30), date(2026, 11, 1),
                                                 date(2026, 11, 30), False)}  # fmt: skip
    assert (last["17"], last["19"], last["20"]) == (221000, None, 5000)
    # the one left out is posted later from its own document
    assert [b.meter_id for b in acc.below_previous(db, "2")] == ["19"]
    assert acc.post_document(db, "2") == ("000002", 1)


def test_a_document_posted_meanwhile_is_refused_and_nothing_moves(db: Database) -> None:
    shown = acc.below_previous(db, "1")
    acc.post_document(db, "1")  # someone else, in between
    with pytest.raises(AcceptError, match="уже проведён"):
        post_leaving(db, "1", [shown[0].reading], shown)
    assert db.scalar("SELECT COUNT(*) FROM documents WHERE kind = 'readings'") == 1
    assert set(where(db).values()) == {("000001", 1)}


def test_refusals_leave_the_document_as_it_was(db: Database) -> None:
    ids = [int(r[0]) for r in db.all("SELECT id FROM readings WHERE source = 'moischeta'")]
    with pytest.raises(AcceptError, match="все его показания"):
        post_leaving(db, "1", ids)
    with pytest.raises(AcceptError, match="не из него"):
        post_leaving(db, "1", [ids[0], max(ids) + 100])
    with pytest.raises(AcceptError, match="нет документа"):
        post_leaving(db, "7", [ids[0]])
    assert db.scalar("SELECT COUNT(*) FROM documents WHERE kind = 'readings'") == 1
    assert set(where(db).values()) == {("000001", 0)}
    assert db.scalar("SELECT rows_count FROM documents WHERE kind = 'readings'") == 4


def test_meters_named_on_the_command_line(db: Database) -> None:
    leave = readings_of_meters(db, "000001", ["17"])
    assert len(leave) == 2
    with pytest.raises(AcceptError, match="нет показаний счётчиков: 99"):
        readings_of_meters(db, "1", ["17", "99"])
    p = post_leaving(db, "1", leave)
    assert posted_text(p).endswith("2 показания оставлены непроведёнными в документе № 000002")
    assert where(db) == {"r-1": ("000002", 0), "r-2": ("000002", 0), "r-3": ("000001", 1),
                         "r-4": ("000001", 1)}  # fmt: skip
