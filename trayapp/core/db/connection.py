"""The connection to the billing database: open, migrate, transactions, error translation.

SQLite by default (a file in the data folder): foreign keys on, WAL (the rollback journal on
a network drive, see ``location``), synchronous FULL so that a committed transaction
survives a crash. ``open_database`` takes a file path or a
PostgreSQL URL and returns a ``Database`` (this module's SQLite one, or ``postgres.PgDatabase``
with the same methods). The query modules beside it write one SQL text for both, with ``?``
and ``:name`` parameters; what differs between the two (placeholders, DDL types, ids of
inserted rows, bulk loading, locks) is behind the methods here and in ``dialect.py``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

from trayapp.core.db import dialect, location
from trayapp.core.db.schema import MIGRATIONS, VERSION, steps
from trayapp.errors import DatabaseError, IntegrityError
from trayapp.private import create_private_file, private_dir, private_file

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]

__all__ = ["Cursor", "Database", "IntegrityError", "now_text", "open_database"]


class Cursor(Protocol):
    """What callers use of a cursor of either backend."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def fetchmany(self, size: int = ...) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


_SQLITE_TEXTS = {
    "disk I/O error": "ошибка записи на диск (нет места или диск неисправен)",
    "database or disk is full": "нет места на диске",
    "database is locked": "база данных занята другой программой",
    "attempt to write a readonly database": "нет прав на запись в файл базы данных",
    "unable to open database file": "файл базы данных не открывается",
    "database disk image is malformed": "файл базы данных повреждён",
}


def _russian(exc: sqlite3.Error) -> str:
    """SQLite's English message in the user's words (the original kept in brackets)."""
    text = str(exc)
    for key, russian in _SQLITE_TEXTS.items():
        if key in text:
            return f"{russian} ({text})"
    return text


def now_text() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def open_database(target: str | Path) -> Database:
    """The database at ``target``: a PostgreSQL URL, or else an SQLite file path."""
    if isinstance(target, str) and dialect.is_postgres_url(target):
        from trayapp.core.db.postgres import PgDatabase

        return PgDatabase(target)
    return Database(target)


class Database:
    """One open database. Not shared between threads: each thread opens its own."""

    dialect = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.target = str(self.path)
        try:
            private_dir(self.path.parent, mend=False)  # maybe the user's own folder
            create_private_file(self.path)  # -wal and -shm take the database file's mode
            self.conn = sqlite3.connect(
                str(self.path), isolation_level=None, timeout=30, check_same_thread=False
            )
            self.conn.execute("PRAGMA foreign_keys = ON")
            # WAL corrupts a database on a network drive used by two PCs (location.py)
            self.journal_mode = location.journal_mode(self.path)
            self.conn.execute(f"PRAGMA journal_mode = {self.journal_mode}")
            for suffix in ("-wal", "-shm"):  # left open to others by an older version
                private_file(Path(str(self.path) + suffix))
            self.conn.execute("PRAGMA synchronous = FULL")
            # a bounded page cache; temporary b-trees (large sorts) spill to disk
            self.conn.execute("PRAGMA cache_size = -32768")
            self._migrate()
        except sqlite3.Error as exc:
            raise DatabaseError(f"не удалось открыть базу данных {self.path}: {_russian(exc)}") from exc
        except OSError as exc:
            raise DatabaseError(f"не удалось создать базу данных {self.path}: {exc}") from exc
        self._depth = 0

    @property
    def label(self) -> str:
        """Which database this is, for the user (no password in it, ever)."""
        return str(self.path)

    # ------------------------------------------------------------------ schema
    def _migrate(self) -> None:
        version = self._version()  # 0 for a new database (no meta table)
        check_version(version, self.label)
        for i in range(version, VERSION):
            self.conn.execute("BEGIN IMMEDIATE")
            # read again under the write lock: another program (the tray's window and its
            # desk of associations, a console command) may have migrated meanwhile, and a
            # step run twice fails («duplicate column name»)
            if self._version() > i:
                self.conn.execute("COMMIT")
                continue
            log.info("database %s: migrating schema %d -> %d", self.path, i, i + 1)
            try:
                for part in steps(MIGRATIONS[i]):
                    if callable(part):  # a Python step (schema.Step)
                        part(self._run_in_migration, self.dialect)
                        continue
                    for statement in dialect.statements(dialect.ddl(part, self.dialect)):
                        self.conn.execute(statement)
                self.conn.execute(SET_VERSION, (str(i + 1),))
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def _version(self) -> int:
        try:
            row = self.conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):  # no meta table yet: a new database
                return 0
            raise  # a busy or broken file is not a new database
        return int(row[0]) if row else 0

    def _run_in_migration(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.conn.execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction (nested calls join the outer one). One writer at a time:
        a second waits for the first to finish (BEGIN IMMEDIATE here, a transaction-level
        advisory lock on PostgreSQL)."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            self._rollback()
            raise
        self._depth = 0
        self._commit()

    def _begin(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise DatabaseError(f"база данных занята или недоступна: {exc}") from exc

    def _commit(self) -> None:
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise DatabaseError(f"не удалось записать в базу данных: {_russian(exc)}") from exc

    def _rollback(self) -> None:
        """Undo the open transaction; SQLite may have undone it already (a full disk, an I/O
        error): then there is nothing to do, and the error that caused it is what matters."""
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.warning("rollback failed", exc_info=True)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def references_checked(self) -> Iterator[None]:
        """Around a transaction whose every reference the caller checks itself, against
        keys read inside that transaction (the table import): SQLite skips its own lookups
        of the parent rows (two b-tree searches a row, 40 % of the insert's time). Inside a
        transaction already, or on PostgreSQL, nothing changes (SQLite ignores the pragma
        there). Foreign keys are on again afterwards, whatever happened."""
        if self.dialect != "sqlite" or self.conn.in_transaction:
            yield
            return
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            yield
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    # ------------------------------------------------------------------ statements
    def execute(self, sql: str, params: Params = ()) -> Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(f"база данных отказала: {exc}") from exc
        except sqlite3.Error as exc:
            raise DatabaseError(f"ошибка базы данных: {_russian(exc)}") from exc

    def executemany(self, sql: str, rows: Iterable[Params]) -> Cursor:
        try:
            return self.conn.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(f"база данных отказала: {exc}") from exc
        except sqlite3.Error as exc:
            raise DatabaseError(f"ошибка базы данных: {_russian(exc)}") from exc

    def all(self, sql: str, params: Params = ()) -> list[Any]:
        return self.execute(sql, params).fetchall()

    def one(self, sql: str, params: Params = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def insert(self, sql: str, params: Params = ()) -> int:
        """Run one INSERT of a table with an ``id`` column; the id of the row written
        (0 when the statement wrote none)."""
        return int(self.execute(sql, params).lastrowid or 0)  # type: ignore[attr-defined]

    def batches(self, sql: str, params: Params = (), size: int = 5000) -> Iterator[list[Any]]:
        """The rows of a query in lists of up to ``size``, streamed (never all in memory)."""
        cur = self.execute(sql, params)
        try:
            while batch := cur.fetchmany(size):
                yield batch
        except sqlite3.Error as exc:
            raise DatabaseError(f"ошибка базы данных: {exc}") from exc

    def load_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Append rows to a (temporary) table as fast as the backend can: executemany
        here, COPY on PostgreSQL."""
        marks = ", ".join("?" * len(columns))
        self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def sync_ids(self, table: str) -> None:
        """After rows with explicit ids: the next generated id follows the highest one
        (SQLite does that itself; PostgreSQL's identity sequence is set)."""

    def upsert_distinct(
        self, table: str, columns: Sequence[str], key: Sequence[str], conflict: str,
        rows: Sequence[Sequence[Any]],
    ) -> int | None:
        """A bulk upsert where one key may come twice (the last row wins), returning the
        rows inserted or changed known so far; ``None`` where the backend has no bulk path
        (SQLite: the caller's multi-row statements already let the last row win)."""
        return None

    def take_changed(self) -> int:
        """Rows inserted or changed by bulk upserts not counted yet (after waiting for them)."""
        return 0


SET_VERSION = (
    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


def check_version(version: int, label: str) -> None:
    if version > VERSION:
        raise DatabaseError(
            f"база данных {label} создана более новой версией программы "
            f"(схема {version}, эта версия знает {VERSION})"
        )


def chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch
