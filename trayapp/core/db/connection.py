"""The connection to the billing database: open, migrate, transactions, error translation.

SQLite by default (a file in the data folder): foreign keys on, WAL (the rollback journal on
a network drive, see ``location``), synchronous FULL so
that a committed transaction survives a crash. Everything SQLite-specific lives here; the
query modules beside it use plain SQL with ``?`` parameters.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from trayapp.core.db import location
from trayapp.core.db.schema import MIGRATIONS, VERSION
from trayapp.errors import DatabaseError
from trayapp.private import create_private_file, private_dir, private_file

log = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]


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


class Database:
    """One open database. Not shared between threads: each thread opens its own."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            private_dir(self.path.parent)
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

    # ------------------------------------------------------------------ schema
    def _migrate(self) -> None:
        cur = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        )
        version = 0
        if cur.fetchone():
            row = self.conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
            version = int(row[0]) if row else 0
        if version > VERSION:
            raise DatabaseError(
                f"база данных {self.path} создана более новой версией программы "
                f"(схема {version}, эта версия знает {VERSION})"
            )
        for i in range(version, VERSION):
            sql = MIGRATIONS[i].replace("/*WITHOUT_ROWID*/", "WITHOUT ROWID")
            log.info("database %s: migrating schema %d -> %d", self.path, i, i + 1)
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(i + 1),),
                )
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ transactions
    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """One write transaction (nested calls join the outer one)."""
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise DatabaseError(f"база данных занята или недоступна: {exc}") from exc
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            self._rollback()
            raise
        self._depth = 0
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

    # ------------------------------------------------------------------ statements
    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise DatabaseError(f"ошибка базы данных: {_russian(exc)}") from exc

    def executemany(self, sql: str, rows: Iterable[Params]) -> sqlite3.Cursor:
        try:
            return self.conn.executemany(sql, rows)
        except sqlite3.IntegrityError:
            raise
        except sqlite3.Error as exc:
            raise DatabaseError(f"ошибка базы данных: {_russian(exc)}") from exc

    def all(self, sql: str, params: Params = ()) -> list[Any]:
        return self.execute(sql, params).fetchall()

    def one(self, sql: str, params: Params = ()) -> Any:
        return self.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]


IntegrityError = sqlite3.IntegrityError


def _statements(sql: str) -> list[str]:
    """Split a migration script on ``;`` at line ends (no ``;`` inside literals there)."""
    out = []
    for part in sql.split(";\n"):
        lines = [ln for ln in part.splitlines() if not ln.strip().startswith("--")]
        text = "\n".join(lines).strip().rstrip(";")
        if text:
            out.append(text)
    return out
