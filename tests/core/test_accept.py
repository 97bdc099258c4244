"""Acceptance of Payments and Readings registries: documents, confirmation, refusal, posting."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.core import registry_fixture as fx
from tests.core.test_validate import payments_file, readings_file
from trayapp.core import accept as acc
from trayapp.core import formats
from trayapp.core.accept import accept, list_pending, post_document, recover
from trayapp.core.db import Database, IntegrityError, journal
from trayapp.core.folders import ExchangeTree
from trayapp.errors import AcceptError

ORG = fx.ORG[0]
P1 = "Payments_20261106_001.txt"
P2 = "Payments_20261106_002.txt"
R1 = "Readings_20261106_001.txt"
NOW = datetime(2026, 11, 27, 10, 15, 0)
ROWS = [
    "a-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026",
    "a-2;06.11.2026 08:10:59;1002;;55.00;10.2026",
    "a-3;06.11.2026 08:11:00;1001;9;10.01;10.2026",  # shared by own services 3 and 4
]


@dataclass
class Env:
    db: Database
    tree: ExchangeTree
    reports: Path

    def put(self, name: str, data: bytes) -> Path:
        path = self.tree.incoming / name
        path.write_bytes(data)
        return path

    def accept(self, name: str, **kw: object) -> acc.AcceptResult:
        return accept(self.db, self.tree, name, ORG, "GOROD", self.reports, lambda: NOW, **kw)  # type: ignore[arg-type]

    def pending(self) -> list[acc.PendingItem]:
        return list_pending(self.db, self.tree, ORG, "GOROD", lambda: NOW)

    def count(self, sql: str) -> int:
        return int(self.db.scalar(sql))


@pytest.fixture()
def env(tmp_path: Path, db_target: Path | str) -> Iterator[Env]:
    db = fx.build(db_target)
    e = Env(db, ExchangeTree(tmp_path / "x").ensure(), tmp_path / "reports")
    yield e
    db.close()


def test_pending_lists_correct_registries_only(env: Env) -> None:
    env.put(P1, payments_file(ROWS))
    env.put(P2, payments_file(["b-1;05.11.2026 19:44:02;8032067;102;1.00;10.2026"]))
    env.put(R1, readings_file(["r-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221"]))
    items = env.pending()
    assert [(i.file, i.kind, i.day, i.number, i.rows, i.total) for i in items] == [
        (P1, "PAYMENTS", date(2026, 11, 6), "001", 3, 106501),
        (R1, "READINGS", date(2026, 11, 6), "001", 1, 0),
    ]
    assert items[0].to_json() == {
        "file": P1, "kind": "PAYMENTS", "date": "06.11.2026", "number": "001", "rows": 3,
        "sum": "1065.01",
    }  # fmt: skip
    broken = journal.get_file(env.db, "in", P2)
    assert broken is not None and broken.status == "received"  # left to the exchange session


def test_accept_payments_writes_everything(env: Env) -> None:
    env.put(P1, payments_file(ROWS))
    env.pending()
    res = env.accept(P1)
    assert (res.file, res.kind, res.document, res.rows, res.total) == (
        P1,
        "PAYMENTS",
        "000001",
        3,
        106501,
    )

    # documents: the registry one, then one per payment (numbered apart), children of it
    docs = env.db.all(
        "SELECT kind, number, doc_date, comment, parent_id, rows_count, total, posted, file_id"
        " FROM documents WHERE journal = 'receipts' ORDER BY id"
    )
    file_id = journal.get_file(env.db, "in", P1).id  # type: ignore[union-attr]
    reg_id = env.db.scalar("SELECT id FROM documents WHERE kind = 'registry'")
    assert docs == [
        ("registry", "000001", "2026-11-27", P1, None, 3, 106501, 1, file_id),
        ("payment", "000001", "2026-11-05", "a-1", reg_id, 1, 100000, 1, None),
        ("payment", "000002", "2026-11-06", "a-2", reg_id, 1, 5500, 1, None),
        ("payment", "000003", "2026-11-06", "a-3", reg_id, 1, 1001, 1, None),
    ]
    pays = env.db.all(
        "SELECT p.account_id, p.service_code, p.paid_on, p.paid_at, p.amount, p.period,"
        " p.payment_id, p.registry_code, d.number, p.share_of IS NOT NULL FROM payments p"
        " JOIN documents d ON d.id = p.document_id WHERE p.source = 'moischeta' ORDER BY p.id"
    )
    # a-3 spread over services 3 and 4 by debts 300.00 and 200.00: 6.006 -> 6.01, 4.004 -> 4.00
    assert pays == [
        (1, 2, "2026-11-05", "2026-11-05 19:44:02", 100000, 202610, "a-1", "102", "000001", 0),
        (2, None, "2026-11-06", "2026-11-06 08:10:59", 5500, 202610, "a-2", "", "000002", 0),
        (1, 3, "2026-11-06", "2026-11-06 08:11:00", 601, 202610, "a-3", "9", "000003", 0),
        (1, 4, "2026-11-06", "2026-11-06 08:11:00", 400, 202610, None, "9", "000003", 1),
    ]

    # confirmation echoing rows and sum, file moved, journal done, nothing pending
    assert res.confirmation == env.tree.outgoing / f"Ack_{P1}"
    ack = formats.parse(res.confirmation.read_bytes(), name=res.confirmation.name)
    h = ack.header
    assert (h.type, h.file, h.status, h.answered_rows, h.answered_sum, h.rows) == (
        "ACK",
        P1,
        "OK",
        3,
        106501,
        0,
    )
    assert h.day == NOW.date() and h.number == 1 and h.org == ORG
    assert not (env.tree.incoming / P1).exists()
    assert (env.tree.incoming_done / P1).is_file()
    assert journal.get_file(env.db, "in", P1).status == "done"  # type: ignore[union-attr]
    assert journal.get_file(env.db, "out", f"Ack_{P1}").status == "generated"  # type: ignore[union-attr]
    assert env.pending() == []
    assert res.report is not None and res.report.is_file()
    assert res.to_json()["sum"] == "1065.01"


def test_document_numbers_continue_per_journal_and_kind(env: Env) -> None:
    env.put(P1, payments_file(ROWS[:1]))
    env.put(P2, payments_file(["b-1;05.11.2026 19:44:02;1001;102;1.00;10.2026"]))
    env.put(R1, readings_file(["r-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221"]))
    assert env.accept(P1, report=False).document == "000001"  # its payment doc: 000001 too
    assert env.accept(R1, report=False).document == "000001"  # another journal
    assert env.accept(P2, report=False).document == "000002"  # registries: 1, 2, 3...
    assert env.count(
        "SELECT COUNT(*) FROM documents WHERE kind = 'payment' AND number = '000002'"
    ) == 1
    assert env.count("SELECT COUNT(*) FROM documents WHERE number = '000003'") == 0


def test_second_acceptance_is_refused(env: Env) -> None:
    env.put(P1, payments_file(ROWS))
    env.accept(P1)
    with pytest.raises(AcceptError, match="уже принят.*000001"):
        env.accept(P1)
    # the database itself refuses, whatever the code above it does
    file_id = journal.get_file(env.db, "in", P1).id  # type: ignore[union-attr]
    with pytest.raises(IntegrityError):
        env.db.execute(
            "INSERT INTO documents (journal, kind, number, doc_date, file_id, created_at)"
            " VALUES ('receipts', 'registry', '999999', '2026-11-27', ?, '')",
            (file_id,),
        )
    with pytest.raises(IntegrityError):
        env.db.execute(
            "INSERT INTO payments (account_id, paid_on, amount, source, payment_id)"
            " VALUES (1, '2026-11-27', 1, 'moischeta', 'a-1')"
        )
    # the same file again under the journal's back: still refused, nothing doubled
    env.put(P1, (env.tree.incoming_done / P1).read_bytes())
    env.db.execute("UPDATE files SET status = 'pending' WHERE direction = 'in' AND name = ?", (P1,))
    with pytest.raises(AcceptError, match="повтор платежа: a-1"):
        env.accept(P1)
    assert env.count("SELECT COUNT(*) FROM payments WHERE source = 'moischeta'") == 4


def test_payment_accepted_meanwhile_refuses_later_registry(env: Env) -> None:
    env.put(P1, payments_file(ROWS))
    env.put(P2, payments_file(["b-1;05.11.2026 19:44:02;1001;102;1.00;10.2026", ROWS[0]]))
    assert [i.file for i in env.pending()] == [P1, P2]  # both correct before acceptance
    env.accept(P1)
    with pytest.raises(AcceptError, match="строка: 10, повтор платежа: a-1") as exc:
        env.accept(P2)
    assert "остаётся" in exc.value.message
    assert (env.tree.incoming / P2).is_file()
    assert journal.get_file(env.db, "in", P2).status == "pending"  # type: ignore[union-attr]
    assert env.count("SELECT COUNT(*) FROM documents") == 4
    assert not (env.tree.outgoing / f"Ack_{P2}").exists()
    # and the full check now finds it broken
    from trayapp.core.validate import check_incoming

    checked = check_incoming(env.db, P2, (env.tree.incoming / P2).read_bytes(), ORG, "GOROD")
    assert checked.errors == [(10, "повтор платежа: a-1")]


def test_refusals_of_what_cannot_be_accepted(env: Env) -> None:
    with pytest.raises(AcceptError, match="нет в папке"):
        env.accept(P1)
    with pytest.raises(AcceptError, match="не реестр"):
        env.accept("Debts_20261105_001.txt")
    env.put(P2, payments_file(["b-1;05.11.2026 19:44:02;8032067;102;1.00;10.2026"]))
    with pytest.raises(AcceptError, match="строка: 9, неизв.лиц.счёт: 8032067"):
        env.accept(P2)
    assert env.count("SELECT COUNT(*) FROM documents") == 0


def test_readings_marks_and_posting(env: Env) -> None:
    env.put(
        R1,
        readings_file(
            [
                "r-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221",  # below 230 of 02.11
                "r-2;01.11.2026 10:00:00;1001;17;ХВ-1001-1;225",  # above 220 of 01.11 09:00
                "r-3;06.11.2026 09:00:00;1001;19;ГВ-1001-2;0.1",  # below initial 0.2
                "r-4;06.11.2026 09:00:00;1002;20;ХВ-1002-1;5",  # above initial 0
                "r-5;01.11.2026 09:00:01;1001;17;ХВ-1001-1;219.999",  # below 220 of 01.11 09:00
            ]
        ),
    )
    res = env.accept(R1)
    assert (res.kind, res.document, res.rows, res.total) == ("READINGS", "000001", 5, 0)
    doc = env.db.one(
        "SELECT journal, kind, comment, posted, rows_count FROM documents WHERE kind = 'readings'"
    )
    assert tuple(doc) == ("accruals", "readings", "Принято из 'Мои счета'", 0, 5)
    rows = env.db.all(
        "SELECT r.reading_id, m.meter_id, r.taken_at, r.value, r.below_previous, r.posted"
        " FROM readings r JOIN meters m ON m.id = r.meter_ref WHERE r.source = 'moischeta'"
        " ORDER BY r.id"
    )
    assert rows == [
        ("r-1", "17", "2026-11-06 09:00:00", 221000, 1, 0),
        ("r-2", "17", "2026-11-01 10:00:00", 225000, 0, 0),
        ("r-3", "19", "2026-11-06 09:00:00", 100, 1, 0),
        ("r-4", "20", "2026-11-06 09:00:00", 5000, 0, 0),
        ("r-5", "17", "2026-11-01 09:00:01", 219999, 1, 0),
    ]
    ack = formats.parse(res.confirmation.read_bytes(), name=res.confirmation.name)
    assert (ack.header.status, ack.header.answered_rows, ack.header.answered_sum) == ("OK", 5, None)

    # what the window shows before posting: the readings below the previous ones
    low = [(b.meter_id, b.serial, b.account, b.service, b.previous, b.value, b.taken_at)
           for b in acc.below_previous(env.db, "1")]  # fmt: skip
    assert low == [
        ("17", "ХВ-1001-1", "1001", "Холодная вода", 230000, 221000, datetime(2026, 11, 6, 9)),
        ("19", "ГВ-1001-2", "1001", "Горячая вода", 200, 100, datetime(2026, 11, 6, 9)),
        ("17", "ХВ-1001-1", "1001", "Холодная вода", 220000, 219999,
         datetime(2026, 11, 1, 9, 0, 1)),
    ]  # fmt: skip
    assert post_document(env.db, "1") == ("000001", 5)
    assert env.count("SELECT posted FROM documents WHERE kind = 'readings'") == 1
    assert env.count("SELECT COUNT(*) FROM readings WHERE source = 'moischeta' AND posted = 1") == 5
    with pytest.raises(AcceptError, match="уже проведён"):
        post_document(env.db, "000001")
    with pytest.raises(AcceptError, match="нет документа"):
        post_document(env.db, "000002")


def test_posted_readings_become_the_previous_ones(env: Env) -> None:
    env.put(R1, readings_file(["r-1;06.11.2026 09:00:00;1002;20;ХВ-1002-1;50"]))
    env.accept(R1, report=False)
    r2 = "Readings_20261107_001.txt"
    env.put(r2, readings_file(["r-2;07.11.2026 09:00:00;1002;20;ХВ-1002-1;40"]))
    env.accept(r2, report=False)
    assert env.count("SELECT below_previous FROM readings WHERE reading_id = 'r-2'") == 0
    assert acc.below_previous(env.db, "000002") == []
    post_document(env.db, "000001")
    # asked again at posting, the previous one is now the posted 50
    assert [(b.meter_id, b.previous, b.value) for b in acc.below_previous(env.db, "2")] == [
        ("20", 50000, 40000)
    ]
    r3 = "Readings_20261108_001.txt"
    env.put(r3, readings_file(["r-3;08.11.2026 09:00:00;1002;20;ХВ-1002-1;40"]))
    env.accept(r3, report=False)
    assert env.count("SELECT below_previous FROM readings WHERE reading_id = 'r-3'") == 1


def test_a_posting_in_between_asks_again(env: Env) -> None:
    """The window showed document 2 with no reading below the previous one; document 1,
    posted meanwhile (another accountant, the command line), makes one: posting 2 with what
    was shown is refused, then posted once the new list is confirmed."""
    env.put(R1, readings_file(["r-1;06.11.2026 09:00:00;1002;20;ХВ-1002-1;50"]))
    env.accept(R1, report=False)
    r2 = "Readings_20261107_001.txt"
    env.put(r2, readings_file(["r-2;07.11.2026 09:00:00;1002;20;ХВ-1002-1;40"]))
    env.accept(r2, report=False)
    shown = acc.below_previous(env.db, "2")
    assert shown == []
    post_document(env.db, "1")  # in between
    with pytest.raises(AcceptError, match="после проверки появились"):
        post_document(env.db, "2", shown)
    assert env.count("SELECT posted FROM readings WHERE reading_id = 'r-2'") == 0
    again = acc.below_previous(env.db, "2")
    assert [(b.meter_id, b.previous, b.value) for b in again] == [("20", 50000, 40000)]
    assert post_document(env.db, "2", again) == ("000002", 1)


def test_recover_after_a_crash_between_commit_and_confirmation(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.put(P1, payments_file(ROWS))

    def crash() -> None:
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(acc, "_after_commit", crash)
    with pytest.raises(KeyboardInterrupt):
        env.accept(P1)
    monkeypatch.setattr(acc, "_after_commit", None)
    # the documents are there, the confirmation and the move are not
    assert journal.get_file(env.db, "in", P1).status == "accepted"  # type: ignore[union-attr]
    assert env.count("SELECT COUNT(*) FROM documents") == 4
    assert not (env.tree.outgoing / f"Ack_{P1}").exists()
    assert (env.tree.incoming / P1).is_file()
    assert env.pending() == []  # pending runs the recovery first
    assert (env.tree.outgoing / f"Ack_{P1}").is_file()
    assert (env.tree.incoming_done / P1).is_file()
    assert journal.get_file(env.db, "in", P1).status == "done"  # type: ignore[union-attr]
    assert recover(env.db, env.tree, ORG) == 0


def test_accept_finishes_an_interrupted_acceptance(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    env.put(P1, payments_file(ROWS))

    def crash() -> None:
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(acc, "_after_commit", crash)
    with pytest.raises(KeyboardInterrupt):
        env.accept(P1)
    monkeypatch.setattr(acc, "_after_commit", None)
    res = env.accept(P1)  # as `trayapp accept` does after a crash: exit 0
    assert (res.document, res.rows, res.total) == ("000001", 3, 106501)
    assert res.confirmation.is_file()
    assert env.count("SELECT COUNT(*) FROM payments WHERE source = 'moischeta'") == 4


def test_two_payments_to_a_shared_code_are_spread_one_after_the_other(env: Env) -> None:
    # account 1001 owes 300.00 (service 3) and 200.00 (service 4), both «Город» code 9
    env.put(P1, payments_file([
        "s-2;06.11.2026 09:00:00;1001;9;100.00;10.2026",  # made second, written first
        "s-1;06.11.2026 08:00:00;1001;9;500.00;10.2026",  # pays both services in full
    ]))  # fmt: skip
    env.accept(P1, report=False)
    rows = env.db.all(
        "SELECT COALESCE(p.payment_id, m.payment_id), p.service_code, p.amount FROM payments p"
        " LEFT JOIN payments m ON m.id = p.share_of WHERE p.source = 'moischeta'"
        " ORDER BY 1, 2"
    )
    # s-1 takes 300/200; nothing is owed after it, so s-2 goes whole to the lowest code
    assert rows == [("s-1", 3, 30000), ("s-1", 4, 20000), ("s-2", 3, 10000)]
