"""Which bank documents are one and the same (spec/bank.md): the kind (``СекцияДокумент=``),
the payee's account, the number, date and sum, the payer's account and ИНН — never the
arrival date. On both backends, through the import the CLI and the window use, and across
the migration of a database that held documents under the old key (schema 5)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.core import registry_fixture as fx
from tests.core.test_reconcile import AGENT, NOW, ORG_INN, OWN, Env, brief, doc
from trayapp.core.accept import accept
from trayapp.core.bank import import_statement
from trayapp.core.db import dialect, open_database
from trayapp.core.db.schema import MIGRATIONS, VERSION
from trayapp.core.folders import ExchangeTree
from trayapp.core.formats.clientbank import BankDocument
from trayapp.core.reconcile import BankTerms

ORDER, REQUEST = "Платежное поручение", "Платежное требование"
D = date(2026, 11, 13)


@pytest.fixture()
def env(tmp_path: Path, db_target: Path | str) -> Iterator[Env]:
    e = Env(fx.build(db_target), ExchangeTree(tmp_path / "x").ensure(), tmp_path)
    yield e
    e.db.close()


def of_kind(kind: str, number: str, amount: str,
            payer_account: str = "40702810900000000777", **kw: Any) -> BankDocument:  # fmt: skip
    d = doc(number, amount, day=D, **kw)
    return replace(d, kind=kind, payer_account=payer_account)


def held(env: Env) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in env.db.all(
        "SELECT kind, number, doc_date, amount, payer_account, entry_date FROM bank_documents"
        " ORDER BY id")]  # fmt: skip


def test_order_and_request_of_one_number_are_two_documents(env: Env) -> None:
    """Issue 16 item 6: the request was dropped as a repeat of the order (10.10 short)."""
    r = env.registry(D, 9, "20.20")
    purpose = "Перечисление по реестру 009 от 13.11.2026"
    path = env.statement(of_kind(ORDER, "41", "10.10", purpose=purpose),
                         of_kind(REQUEST, "41", "10.10", purpose=purpose))  # fmt: skip
    got = import_statement(env.db, path)
    assert (got.incoming, got.inserted, got.incoming_sum) == (2, 2, 2020)
    assert [k for k, *_ in held(env)] == [ORDER, REQUEST]
    assert env.db.scalar("SELECT SUM(amount) FROM bank_documents") == 2020
    assert brief(env.match()[r]) == ("matched", "0.00", ["41", "41"])
    # held now: the same file again adds nothing
    assert import_statement(env.db, path).inserted == 0
    assert env.db.scalar("SELECT SUM(amount) FROM bank_documents") == 2020


def test_payer_account_is_part_of_the_identity(env: Env) -> None:
    """One payer (one ИНН) paying from two of its accounts: two documents."""
    a = of_kind(ORDER, "41", "10.10", payer_account="40702810900000000777")
    b = of_kind(ORDER, "41", "10.10", payer_account="40702810900000000888")
    assert env.load(a, b) == 2
    assert env.load(b) == 0


def test_arrival_date_is_not_part_of_the_identity(env: Env) -> None:
    """Issue 21 item 2: the same order without ``ДатаПоступило``, then (a later statement of
    an overlapping period) with it, is one document; the arrival date is filled in."""
    r = env.registry(D, 9, "10.10")
    assert env.load(of_kind(ORDER, "41", "10.10")) == 1
    later = of_kind(ORDER, "41", "10.10", received=date(2026, 11, 16))
    assert env.load(later) == 0
    assert held(env) == [(ORDER, "41", "2026-11-13", 1010, "40702810900000000777",
                          "2026-11-16")]  # fmt: skip
    assert env.db.scalar("SELECT SUM(amount) FROM bank_documents") == 1010
    assert brief(env.match()[r]) == ("matched", "0.00", ["41"])
    # an arrival date known already is not changed by a statement that lacks it
    assert env.load(of_kind(ORDER, "41", "10.10")) == 0
    assert held(env)[0][5] == "2026-11-16"


def test_arrival_date_filled_in_later_brings_a_transfer_into_the_window(env: Env) -> None:
    """Dated a day before the registry, it came three days after: known only from the later
    statement, it is then the registry's transfer (not a second one)."""
    r = env.registry(D, 9, "10.10")
    early = BankDocument(0, ORDER, "41", date(2026, 11, 12), 1010, payer_inn=AGENT,
                         payee_account=OWN)  # fmt: skip
    assert env.load(early) == 1
    assert brief(env.match()[r]) == ("missing", None, [])
    assert env.load(BankDocument(0, ORDER, "41", date(2026, 11, 12), 1010, payer_inn=AGENT,
                                 payee_account=OWN, received=date(2026, 11, 15))) == 0  # fmt: skip
    assert brief(env.match()[r]) == ("matched", "0.00", ["41"])


# ---------------------------------------------------------------------------- migration


def schema_5(target: Path | str) -> None:
    """An empty database of schema 5, made by the migrations of that time."""
    if isinstance(target, Path):
        conn = sqlite3.connect(target, isolation_level=None)
        for sql in MIGRATIONS[:5]:
            for statement in dialect.statements(dialect.ddl(sql, "sqlite")):
                conn.execute(statement)
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '5')")
        conn.close()
        return
    import psycopg

    with psycopg.connect(target, autocommit=True) as pg:
        pg.execute("DROP SCHEMA public CASCADE")
        pg.execute("CREATE SCHEMA public")
        for sql in MIGRATIONS[:5]:
            for statement in dialect.statements(dialect.ddl(sql, "postgresql")):
                pg.execute(statement)
        pg.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '5')")


def test_documents_held_under_schema_5_keep_their_identity(
    tmp_path: Path, db_target: Path | str
) -> None:
    """A database of schema 5 holds the order of a number (its request was dropped by the old
    key), a reference and a kept match on it. After the migration: the same ids, kinds,
    references and kept match; the order's file again adds only the request."""
    if isinstance(db_target, Path):
        db_target.unlink(missing_ok=True)
    schema_5(db_target)
    assert VERSION > 5
    # the old program's rows, as its import wrote them
    if isinstance(db_target, Path):
        conn: Any = sqlite3.connect(db_target, isolation_level=None)
        run = conn.execute
    else:
        import psycopg

        conn = psycopg.connect(db_target, autocommit=True)

        def run(sql: str, params: tuple[Any, ...] = ()) -> Any:
            return conn.execute(sql.replace("?", "%s"), params)

    run("INSERT INTO org (id, inn, name, bank_account) VALUES (1, ?, 'ТСЖ', ?)", (ORG_INN, OWN))
    run("INSERT INTO files (id, name, direction, sha256, kind, status, rows_count, total,"
        " created_at, updated_at) VALUES (1, 'Payments_20261113_009.txt', 'in', 'x',"
        " 'PAYMENTS', 'accepted', 1, 1010, '2026-11-14 10:00:00', '2026-11-14 10:00:00')")
    run("INSERT INTO bank_statements (id, file, sha256, accounts, date_from, date_to,"
        " documents, incoming, inserted, imported_at) VALUES (1, 'kl_to_1c.txt', 'y', ?,"
        " '2026-11-13', '2026-11-13', 2, 2, 1, '2026-11-14 09:00:00')", (OWN,))
    run("INSERT INTO bank_documents (id, statement_id, payee_account, number, doc_date,"
        " amount, payer_inn, entry_date, kind, payer, payer_account, purpose) VALUES"
        " (7, 1, ?, '41', '2026-11-13', 1010, ?, '2026-11-13', ?, 'Агент',"
        " '40702810900000000777', 'по реестру 009 от 13.11.2026')", (OWN, AGENT, ORDER))
    run("INSERT INTO bank_references VALUES (7, '2026-11-13', 9)")
    run("INSERT INTO bank_matches VALUES (1, 'matched', 0, 1010, 0, '2026-11-14 10:00:00')")
    run("INSERT INTO bank_match_documents VALUES (1, 7, 1)")
    if not isinstance(db_target, Path):
        for table in ("bank_statements", "bank_documents", "files"):
            run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 7)")
    conn.close()

    db = open_database(db_target)
    try:
        assert db.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(VERSION)
        assert [tuple(r) for r in db.all(
            "SELECT id, kind, number, payer_account, purpose FROM bank_documents")] == [
            (7, ORDER, "41", "40702810900000000777", "по реестру 009 от 13.11.2026")]  # fmt: skip
        assert [tuple(r) for r in db.all("SELECT * FROM bank_references")] == [
            (7, "2026-11-13", 9)]  # fmt: skip
        assert [tuple(r) for r in db.all("SELECT * FROM bank_match_documents")] == [(1, 7, 1)]
        e = Env(db, ExchangeTree(tmp_path / "x").ensure(), tmp_path)
        purpose = "по реестру 009 от 13.11.2026"
        assert e.load(of_kind(ORDER, "41", "10.10", purpose=purpose, payer=AGENT),
                      of_kind(REQUEST, "41", "10.10", purpose=purpose, payer=AGENT)) == 1
        rows = db.all("SELECT id, kind FROM bank_documents ORDER BY id")
        assert [tuple(r) for r in rows][0] == (7, ORDER) and rows[1][0] > 7
        assert [r[1] for r in rows] == [ORDER, REQUEST]
        # the database's own checks still hold: a reference to no document is refused
        with pytest.raises(Exception):  # noqa: B017 - either backend's IntegrityError
            with db.transaction():
                db.execute("INSERT INTO bank_references VALUES (999, '2026-11-13', 9)")
    finally:
        db.close()


def test_accepting_with_both_kinds_keeps_their_sum(env: Env) -> None:
    """The registry accepted against the order and the request keeps both in its match."""
    r = env.registry(D, 9, "20.20")
    purpose = "по реестру № 009 от 13.11.2026"
    env.load(of_kind(ORDER, "41", "10.10", purpose=purpose),
             of_kind(REQUEST, "41", "10.10", purpose=purpose))  # fmt: skip
    accept(env.db, env.tree, r, ORG_INN, "GOROD", env.root / "reports", lambda: NOW,
           bank=BankTerms())  # fmt: skip
    m = env.match()[r]
    assert m.kept and brief(m) == ("matched", "0.00", ["41", "41"])
