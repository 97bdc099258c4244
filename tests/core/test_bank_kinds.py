"""One document, however its kind is spelt, and a section a file repeats, counted once.

Real bank clients write one kind differently («Платежное поручение», «Платёжное поручение»,
upper case, a no-break space): the same order in the statements of two programs is one
document, held and counted once (schema 7's ``kind_key``), its kind shown as first written.
A database of schema 6 that holds it twice is merged by the migration, its kept matches
corrected, and the accountant told. A section a file repeats word for word is held once and
counted once in ``incoming`` and ``incoming_sum``, with a warning naming its line. Both
backends, real statement files, the import the CLI and the window use."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.core import registry_fixture as fx
from tests.core.test_reconcile import AGENT, ORG_INN, OWN, Env, brief, doc
from trayapp.core import events
from trayapp.core.bank import import_statement
from trayapp.core.bank_identity import kind_key
from trayapp.core.bank_list import held_documents
from trayapp.core.db import dialect, open_database
from trayapp.core.db.schema import MIGRATIONS, VERSION
from trayapp.core.folders import ExchangeTree
from trayapp.core.formats.clientbank import BankDocument
from trayapp.core.reconcile import BankTerms

D = date(2026, 11, 13)
DATA = Path(__file__).parent.parent / "data" / "bank"
PURPOSE = "Перечисление по реестру 009 от 13.11.2026"
# as three programs write the kind of a payment order
PLAIN, YO, SHOUTED = "Платежное поручение", "Платёжное поручение", "ПЛАТЕЖНОЕ\u00a0 ПОРУЧЕНИЕ"


@pytest.fixture()
def env(tmp_path: Path, db_target: Path | str) -> Iterator[Env]:
    e = Env(fx.build(db_target), ExchangeTree(tmp_path / "x").ensure(), tmp_path)
    yield e
    e.db.close()


def order(kind: str, number: str = "41", amount: str = "10.10", **kw: Any) -> BankDocument:
    return replace(doc(number, amount, PURPOSE, day=D, **kw), kind=kind,
                   payer_account="40702810900000000777")  # fmt: skip


def test_kind_key_folds_what_programs_write_differently() -> None:
    spelt = [PLAIN, YO, SHOUTED, " платёжное\tпоручение ", "Плате\u0308жное поручение"]
    assert {kind_key(k) for k in spelt} == {"платежное поручение"}
    assert kind_key("Платежное требование") != kind_key(PLAIN)


def test_two_spellings_of_one_kind_in_two_statements_are_one_document(env: Env) -> None:
    """The same order in the statements of two programs counted twice in the incoming sum,
    and the registry it pays showed «расхождение» of its whole sum."""
    r = env.registry(D, 9, "10.10")
    first = import_statement(env.db, env.statement(order(PLAIN), name="bank1.txt"))
    assert (first.incoming, first.inserted, first.incoming_sum) == (1, 1, 1010)
    for kind in (YO, SHOUTED):
        again = import_statement(env.db, env.statement(order(kind), name="bank2.txt"))
        assert (again.incoming, again.inserted, again.incoming_sum) == (1, 0, 1010)
    assert env.db.all("SELECT kind, amount FROM bank_documents") == [(PLAIN, 1010)]
    assert brief(env.match()[r]) == ("matched", "0.00", ["41"])
    # the kind is shown as the bank first wrote it
    assert [d.kind for d in held_documents(env.db, BankTerms())] == [PLAIN]


def test_two_spellings_within_one_file_count_once(env: Env) -> None:
    path = env.statement(order(PLAIN), order(YO))
    got = import_statement(env.db, path)
    assert (got.incoming, got.inserted, got.incoming_sum) == (1, 1, 1010)
    assert len(got.warnings) == 1 and "повторяет документ строки" in got.warnings[0]


def section_lines(path: Path) -> list[int]:
    text = path.read_bytes().decode("cp1251")
    return [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("СекцияДокумент=")]


def test_a_section_repeated_word_for_word_is_counted_once(env: Env) -> None:
    """Held once, it was counted twice in ``incoming`` and ``incoming_sum`` (the JSON of
    ``bank import`` and the window's figures): 2 and 30.30 for one order of 10.10 and one of
    20.20 written as three sections."""
    a, b = order(PLAIN, "41", "10.10"), order(PLAIN, "42", "20.20")
    path = env.statement(a, b, a)
    lines = section_lines(path)
    got = import_statement(env.db, path)
    j = got.to_json()
    assert (j["documents"], j["incoming"], j["inserted"], j["incoming_sum"]) == (3, 2, 2, "30.30")
    assert j["warnings"] == [
        f"строка: {lines[2]}, документ № 41 от 13.11.2026 на 10.10 повторяет документ строки "
        f"{lines[0]} — пропущен, учтён один раз"]  # fmt: skip
    assert env.db.scalar("SELECT SUM(amount) FROM bank_documents") == 3030
    # the statement as kept, and its event, say the same
    assert env.db.scalar("SELECT incoming FROM bank_statements") == 2
    assert "поступлений 2, новых 2" in events.recent(env.db)[0][2]
    # held now: the same file again counts what it holds
    again = import_statement(env.db, path)
    assert (again.incoming, again.inserted, again.incoming_sum) == (2, 0, 3030)


def test_a_repeat_that_gives_the_arrival_date_still_gives_it(env: Env) -> None:
    """A repeated section is still read: one that carries ``ДатаПоступило`` fills it in."""
    path = env.statement(order(PLAIN), order(PLAIN, received=date(2026, 11, 16)))
    got = import_statement(env.db, path)
    assert (got.incoming, got.inserted, got.incoming_sum) == (1, 1, 1010)
    assert env.db.scalar("SELECT entry_date FROM bank_documents") == "2026-11-16"


# ---------------------------------------------------------------------------- migration


def schema_6(target: Path | str) -> Any:
    """An empty database of schema 6, made by the migrations of that time; a function that
    runs SQL on it (``?`` parameters)."""
    if isinstance(target, Path):
        target.unlink(missing_ok=True)
        conn: Any = sqlite3.connect(target, isolation_level=None)
        for sql in MIGRATIONS[:6]:
            for statement in dialect.statements(dialect.ddl(sql, "sqlite")):  # type: ignore[arg-type]
                conn.execute(statement)
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '6')")
        return conn, conn.execute
    import psycopg

    pg: Any = psycopg.connect(target, autocommit=True)
    pg.execute("DROP SCHEMA public CASCADE")
    pg.execute("CREATE SCHEMA public")
    for sql in MIGRATIONS[:6]:
        for statement in dialect.statements(dialect.ddl(sql, "postgresql")):  # type: ignore[arg-type]
            pg.execute(statement)
    pg.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '6')")

    def run(sql: str, params: tuple[Any, ...] = ()) -> Any:
        return pg.execute(sql.replace("?", "%s"), params)

    return pg, run


STAMP = "2026-11-14 10:00:00"


def test_schema_6_documents_of_two_spellings_are_merged(
    tmp_path: Path, db_target: Path | str
) -> None:
    """Schema 6 held the order twice (its two spellings): a registry accepted against both
    kept «расхождение» of 10.10, the held sum was 20.20. After the migration: one document
    (the first, its kind as written, the arrival date the second gave), the kept match
    «сверено», the other spelling of a different number untouched, two documents of
    different purposes merged with the second purpose named, and an event that says so."""
    conn, run = schema_6(db_target)
    run("INSERT INTO org (id, inn, name, bank_account) VALUES (1, ?, 'ТСЖ', ?)", (ORG_INN, OWN))
    for fid, name in ((1, "Payments_20261113_009.txt"), (2, "Payments_20261113_010.txt")):
        run("INSERT INTO files (id, name, direction, sha256, kind, status, rows_count, total,"
            " created_at, updated_at) VALUES (?, ?, 'in', 'x', 'PAYMENTS', 'accepted', 1, 1010,"
            " ?, ?)", (fid, name, STAMP, STAMP))  # fmt: skip
    for sid in (1, 2):
        run("INSERT INTO bank_statements (id, file, sha256, accounts, date_from, date_to,"
            " documents, incoming, inserted, imported_at) VALUES (?, ?, 'y', ?, '2026-11-13',"
            " '2026-11-13', 2, 2, 2, ?)", (sid, f"bank{sid}.txt", OWN, STAMP))  # fmt: skip
    # id, statement, number, amount, entry_date, kind, purpose
    docs = [
        (7, 1, "41", 1010, "2026-11-13", PLAIN, PURPOSE),
        (8, 2, "41", 1010, "2026-11-16", YO, PURPOSE),
        (9, 2, "42", 1010, "2026-11-13", SHOUTED, "Оплата ЖКУ"),
        (10, 1, "43", 500, "2026-11-13", PLAIN, "Оплата за ноябрь"),
        (11, 2, "43", 500, "2026-11-13", YO, "Оплата за октябрь"),
    ]
    for did, sid, number, amount, entry, kind, purpose in docs:
        run("INSERT INTO bank_documents (id, statement_id, payee_account, number, doc_date,"
            " amount, payer_inn, entry_date, kind, payer, payer_account, purpose) VALUES"
            " (?, ?, ?, ?, '2026-11-13', ?, ?, ?, ?, 'Агент', '40702810900000000777', ?)",
            (did, sid, OWN, number, amount, AGENT, entry, kind, purpose))  # fmt: skip
    run("INSERT INTO bank_references VALUES (7, '2026-11-13', 9)")
    run("INSERT INTO bank_references VALUES (8, '2026-11-13', 9)")
    run("INSERT INTO meta (key, value) VALUES ('bank_references', '1')")
    # registry 009 accepted against both copies: 20.20 came for 10.10 expected
    run("INSERT INTO bank_matches VALUES (1, 'mismatch', 0, 1010, 1010, ?)", (STAMP,))
    run("INSERT INTO bank_match_documents VALUES (1, 7, 1)")
    run("INSERT INTO bank_match_documents VALUES (1, 8, 1)")
    # registry 010 accepted against the second copy of 43 (listed, not bound: ambiguous)
    run("INSERT INTO bank_matches VALUES (2, 'ambiguous', 0, 500, NULL, ?)", (STAMP,))
    run("INSERT INTO bank_match_documents VALUES (2, 11, 0)")
    if not isinstance(db_target, Path):
        for table in ("bank_statements", "bank_documents", "files"):
            run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 20)")
    conn.close()

    db = open_database(db_target)
    try:
        assert db.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(VERSION)
        assert [tuple(r) for r in db.all(
            "SELECT id, number, kind, kind_key, entry_date, purpose FROM bank_documents"
            " ORDER BY id")] == [
            (7, "41", PLAIN, "платежное поручение", "2026-11-16", PURPOSE),
            (9, "42", SHOUTED, "платежное поручение", "2026-11-13", "Оплата ЖКУ"),
            (10, "43", PLAIN, "платежное поручение", "2026-11-13", "Оплата за ноябрь"),
        ]  # fmt: skip
        assert db.scalar("SELECT SUM(amount) FROM bank_documents") == 2520
        assert sorted(tuple(r) for r in db.all("SELECT * FROM bank_match_documents")) == [
            (1, 7, 1), (2, 10, 0)]  # fmt: skip
        assert [tuple(r) for r in db.all(
            "SELECT file_id, status, difference FROM bank_matches ORDER BY file_id")] == [
            (1, "matched", 0), (2, "ambiguous", None)]  # fmt: skip
        assert [tuple(r) for r in db.all("SELECT * FROM bank_references")] == [
            (7, "2026-11-13", 9)]  # fmt: skip
        # every purpose is read again at the next reconcile
        assert db.scalar("SELECT value FROM meta WHERE key = 'bank_references'") == ""
        # the accountant is told, not yet shown
        text = events.unseen(db)[-1][2]
        assert "2 док. объединено" in text
        assert f"№ 41 от 13.11.2026 на 10.10 («{PLAIN}», «{YO}»)" in text
        assert "Payments_20261113_009.txt учитывала его дважды: разница 10.10 → 0.00" in text
        assert "назначение второго «Оплата за октябрь» не совпало с «Оплата за ноябрь»" in text
        # the statements of either spelling add nothing again
        e = Env(db, ExchangeTree(tmp_path / "x").ensure(), tmp_path)
        assert e.load(order(YO), order(SHOUTED, "42"), order(PLAIN, "42")) == 0
        assert e.load(order("Платежное требование")) == 1
        # the database's own key holds: a second copy under another spelling is refused
        with pytest.raises(Exception):  # noqa: B017 - either backend's IntegrityError
            with db.transaction():
                db.execute("INSERT INTO bank_documents (statement_id, payee_account, number,"
                           " doc_date, amount, payer_inn, entry_date, kind, payer,"
                           " payer_account, purpose, kind_key) SELECT statement_id,"
                           " payee_account, number, doc_date, amount, payer_inn, entry_date,"
                           " 'x', payer, payer_account, purpose, kind_key FROM bank_documents"
                           " WHERE id = 7")  # fmt: skip
    finally:
        db.close()


def test_a_database_written_by_the_schema_6_program(tmp_path: Path) -> None:
    """``tests/data/bank/schema6_two_spellings.sql``: the dump of an SQLite database that the
    program of schema 6 (commit c0eae52) wrote importing two statements of the same two
    documents, one from a program writing «Платежное поручение» and one writing «Платёжное
    поручение» with the arrival date: four documents held, 60.20 for 30.10."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "schema6_two_spellings.sql").read_text(encoding="utf-8"))
    conn.close()
    db = open_database(path)
    try:
        assert [tuple(r) for r in db.all(
            "SELECT id, number, kind, entry_date, amount FROM bank_documents ORDER BY id")] == [
            (1, "41", PLAIN, "2026-11-16", 1010), (2, "42", PLAIN, "2026-11-13", 2000)]  # fmt: skip
        _at, level, text = events.unseen(db)[-1]
        assert text.startswith("Выписки банка: 2 док. объединено") and f"«{YO}»" in text
        # told as a notification by the tray, not an unprompted line in «События»
        assert level in events.NOTIFIED
        assert "назначение" not in text  # the same purposes: nothing to name
        assert db.scalar("SELECT SUM(amount) FROM bank_documents") == 3010
        assert [d.kind for d in held_documents(db, BankTerms())] == [PLAIN, PLAIN]
        # the second program's statement again adds nothing
        e = Env(db, ExchangeTree(tmp_path / "x").ensure(), tmp_path)
        again = e.load(order(YO, received=date(2026, 11, 16)))
        assert again == 0 and db.scalar("SELECT COUNT(*) FROM bank_documents") == 2
    finally:
        db.close()


@pytest.mark.parametrize("old", ["schema6", "new"])
def test_two_programs_opening_an_old_database_at_once_both_open(tmp_path: Path, old: str) -> None:
    """The tray opens every association's database for its desk while the window's first
    refresh opens the current one: both read schema 6, both waited for the write lock, and
    the second ran the migration again («duplicate column name: kind_key»)."""
    import threading
    import time

    path = tmp_path / "old.db"
    hold = sqlite3.connect(path, isolation_level=None)
    if old == "schema6":
        hold.executescript((DATA / "schema6_two_spellings.sql").read_text(encoding="utf-8"))
    hold.execute("PRAGMA journal_mode = WAL")  # as the program leaves it
    hold.execute("BEGIN IMMEDIATE")  # both openers read the version, then wait for the lock
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            open_database(path).close()
        except BaseException as exc:  # noqa: BLE001 - what the test looks for
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    hold.execute("ROLLBACK")
    hold.close()
    for t in threads:
        t.join(60)
    assert not errors, errors
    db = open_database(path)
    try:
        assert db.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(VERSION)
    finally:
        db.close()
