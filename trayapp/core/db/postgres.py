"""The PostgreSQL backend (psycopg 3): the same methods as the SQLite ``Database``.

The URL is libpq's (``postgresql://USER@HOST:PORT/DBNAME?sslmode=...``), never with a
password: that comes from the keyring (``settings.get_db_password``), else from libpq's own
places (``PGPASSWORD``, ``.pgpass``, a service file). The connection is in autocommit;
``transaction()`` is ``BEGIN`` plus a transaction-level advisory lock, so that writers go
one at a time as with SQLite's ``BEGIN IMMEDIATE`` (document numbers and ids taken as the
highest plus one stay unique and gapless, a second acceptance sees the first). The first
connection migrates the schema in one transaction under another advisory lock (a second PC
waits). The exchange lock is a session-level advisory lock, its holder (host, since when)
in ``meta``. Every failure is a ``DatabaseError`` with a Russian message naming the server
and what to check. Needs ``pip install 'trayapp[postgres]'``.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from trayapp.core.db import dialect
from trayapp.core.db.connection import (
    SET_VERSION,
    Cursor,
    Database,
    Params,
    check_version,
    chunks,
    now_text,
)
from trayapp.core.db.schema import MIGRATIONS, VERSION, steps
from trayapp.errors import DatabaseError, IntegrityError

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

# advisory lock keys (per database): migrations, writers, the exchange session, acceptances
MIGRATE_KEY = 7_316_001
WRITER_KEY = 7_316_002
EXCHANGE_KEY = 7_316_003
ACCEPT_KEY = 7_316_004

CHECK = (
    "проверьте адрес и порт сервера, что сервер PostgreSQL запущен и принимает подключения "
    "с этого компьютера, имя пользователя и пароль"
)
# where the password is given: the command line names its command, the window its field
CHECK_CLI = "пароль базы задаётся командой «trayapp settings db-password»"
CHECK_WINDOW = "пароль базы задаётся в поле «Пароль базы» на вкладке «Настройки»"


def server_label(url: str) -> str:
    """``HOST:PORT/DBNAME`` of a URL, for messages."""
    u = urlsplit(url)
    host = u.hostname or "localhost"
    return f"{host}:{u.port or 5432}{u.path or '/'}"


def _reason(exc: Exception) -> str:
    """What libpq said, in Russian where the cause is a usual one."""
    text = str(exc)
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        return "неверное имя пользователя или пароль"
    if "does not exist" in low and "database" in low:
        return "такой базы данных на сервере нет"
    if "role" in low and "does not exist" in low:
        return "такого пользователя на сервере нет"
    if any(k in low for k in ("terminating connection", "server closed the connection",
                              "connection is lost", "consuming input failed",
                              "connection is closed", "the connection is bad")):  # fmt: skip
        return "сервер прервал соединение (остановлен или перезапущен)"
    if "connection refused" in low:
        return "сервер не принимает подключения (не запущен или другой порт)"
    if "timeout" in low or "timed out" in low:
        return "сервер не ответил вовремя"
    if "could not translate host name" in low or "name or service not known" in low:
        return "неизвестное имя сервера"
    if "no pg_hba.conf entry" in low:
        return "сервер не разрешает подключение с этого компьютера (pg_hba.conf)"
    if "ssl" in low:
        return "не удалось установить защищённое соединение (sslmode)"
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


class PgDatabase(Database):
    """One connection to a PostgreSQL database. Not shared between threads."""

    dialect = "postgresql"

    def __init__(self, url: str, password: str | None = None) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise DatabaseError(
                "для работы с PostgreSQL установите модуль psycopg: "
                "pip install 'trayapp[postgres]'"
            ) from exc

        self._psycopg = psycopg
        self.url = url
        self.target = url
        self.path = None  # type: ignore[assignment]
        self._password = password
        self._depth = 0
        self._held: set[int] = set()
        self._temps: set[str] = set()
        self._pool: ThreadPoolExecutor | None = None
        self._pending: Future[int] | None = None
        self._changed = 0  # rows the finished background upserts inserted or changed
        self._connect()

    @property
    def label(self) -> str:
        return "PostgreSQL " + server_label(self.url)

    # ------------------------------------------------------------------ connecting
    def _connect(self) -> None:
        pg = self._psycopg
        kwargs: dict[str, Any] = {"autocommit": True, "application_name": "trayapp"}
        if "connect_timeout" not in self.url:
            kwargs["connect_timeout"] = 10
        password = self._password
        if password is None:
            from trayapp.passwords import get_db_password

            password = get_db_password(self.url)
        if password is not None:
            kwargs["password"] = password
        try:
            self.pg: psycopg.Connection[Any] = pg.connect(self.url, **kwargs)
        except pg.Error as exc:
            log.warning("postgresql %s: %s", server_label(self.url), exc)
            raise DatabaseError(
                f"не удалось подключиться к базе данных {self.label}: {_reason(exc)}; {CHECK}",
                CHECK_CLI,
                CHECK_WINDOW,
            ) from exc
        try:
            self.pg.execute("SET lock_timeout = '30s'")
            # No JIT: the Debts query's plan is costed high enough to be compiled, which took
            # 1.7 s of a 10 s generation of 100,000 accounts and saved nothing. The server's
            # work_mem is kept: 64 MB (or more) turned the Debts grouping into one hash over
            # every accrual, slower than the parallel grouping along the accruals' key
            # (docs/benchmarks.md, issue 7: 11.2-11.5 s against 7.4-9.0 s).
            self.pg.execute("SET jit = off")
            self._migrate()
        except pg.Error as exc:
            self.pg.close()
            raise self._error(exc) from exc

    def _migrate(self) -> None:
        with self.pg.transaction():
            self.pg.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_KEY,))
            exists = self.pg.execute(
                "SELECT 1 FROM information_schema.tables"
                " WHERE table_schema = current_schema() AND table_name = 'meta'"
            ).fetchone()
            version = 0
            if exists:
                row = self.pg.execute(
                    "SELECT value FROM meta WHERE key = 'schema_version'"
                ).fetchone()
                version = int(row[0]) if row else 0
            check_version(version, self.label)
            for i in range(version, VERSION):
                log.info("database %s: migrating schema %d -> %d", self.label, i, i + 1)
                for part in steps(MIGRATIONS[i]):
                    if callable(part):  # a Python step (schema.Step)
                        part(self._run_in_migration, self.dialect)
                        continue
                    for statement in dialect.statements(dialect.ddl(part, self.dialect)):
                        self.pg.execute(statement)
                self.pg.execute(dialect.to_pyformat(SET_VERSION), (str(i + 1),))

    def _run_in_migration(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cur = self.pg.execute(dialect.to_pyformat(sql), tuple(params))
        return cur.fetchall() if cur.description is not None else []

    def _drain(self) -> None:
        """Wait for the bulk upsert running in the background; its error is raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self._changed += pending.result()

    def _alive(self) -> None:
        """Outside a transaction, a connection the server dropped is opened again (the tray
        lives longer than a server restart). First of all, the background upsert is waited
        for: every statement comes after it."""
        self._drain()
        if self._depth == 0 and (self.pg.closed or self.pg.broken):
            log.info("postgresql %s: reconnecting", self.label)
            self._held.clear()
            self._temps.clear()
            self._connect()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._drain()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        self.pg.close()

    def _error(self, exc: Exception) -> DatabaseError:
        psycopg = self._psycopg
        if isinstance(exc, psycopg.errors.IntegrityError):
            diag = exc.diag
            parts = [diag.message_primary or str(exc)]
            if diag.constraint_name:
                parts.append(f"ограничение {diag.constraint_name}")
            if diag.message_detail:
                parts.append(diag.message_detail)
            return IntegrityError("база данных отказала: " + "; ".join(parts))
        if isinstance(exc, psycopg.errors.LockNotAvailable):
            return DatabaseError(
                f"база данных {self.label} занята другим пользователем дольше 30 секунд; "
                "повторите позже"
            )
        if isinstance(exc, psycopg.OperationalError) or self.pg.broken:
            return DatabaseError(
                f"связь с базой данных {self.label} потеряна: {_reason(exc)}; ничего из "
                f"незавершённого не записано, повторите действие; {CHECK}",
                CHECK_CLI,
                CHECK_WINDOW,
            )
        return DatabaseError(f"ошибка базы данных {self.label}: {_reason(exc)}")

    # ------------------------------------------------------------------ transactions
    def _begin(self) -> None:
        self._alive()
        try:
            self.pg.execute("BEGIN")
            self.pg.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_KEY,))
        except self._psycopg.Error as exc:
            self._rollback()
            raise self._error(exc) from exc

    def _rollback(self) -> None:
        self._temps.clear()  # those made in the transaction are gone with it
        with contextlib.suppress(Exception):  # its error is the one being raised already
            self._drain()
        self._changed = 0
        try:
            self.pg.execute("ROLLBACK")
        except self._psycopg.Error:
            log.warning("postgresql %s: rollback failed (connection lost)", self.label)

    def _commit(self) -> None:
        try:
            self._drain()
        except BaseException:
            self._rollback()
            raise
        try:
            self.pg.execute("COMMIT")
        except self._psycopg.Error as exc:
            self._rollback()
            raise self._error(exc) from exc

    # ------------------------------------------------------------------ statements
    def execute(self, sql: str, params: Params = ()) -> Cursor:
        self._alive()
        try:
            cur: Cursor = self.pg.execute(dialect.to_pyformat(sql), params)
            return cur
        except self._psycopg.Error as exc:
            raise self._error(exc) from exc

    def executemany(self, sql: str, rows: Iterable[Params]) -> Cursor:
        self._alive()
        try:
            cur = self.pg.cursor()
            cur.executemany(dialect.to_pyformat(sql), rows)
            return cur
        except self._psycopg.Error as exc:
            raise self._error(exc) from exc

    def insert(self, sql: str, params: Params = ()) -> int:
        row = self.execute(sql + " RETURNING id", params).fetchone()
        return int(row[0]) if row else 0

    def batches(self, sql: str, params: Params = (), size: int = 5000) -> Iterator[list[Any]]:
        self._alive()
        try:
            with self.pg.cursor() as cur:
                stream = cur.stream(dialect.to_pyformat(sql), params, size=size)
                yield from chunks(stream, size)
        except self._psycopg.Error as exc:
            raise self._error(exc) from exc

    def load_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        self._alive()
        try:
            with self.pg.cursor() as cur:
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        except self._psycopg.Error as exc:
            raise self._error(exc) from exc

    def sync_ids(self, table: str) -> None:
        self.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        )

    def upsert_distinct(
        self, table: str, columns: Sequence[str], key: Sequence[str], conflict: str,
        rows: Sequence[Sequence[Any]],
    ) -> int:
        """Rows made unique by key (the last one winning, as SQLite's row-by-row upsert
        does), COPYed into a temporary twin of the table, then one INSERT ... SELECT in the
        order of the file (new rows' ids as SQLite gives them). Inside a transaction it runs in a thread
        of its own while the caller reads and checks the next batch (the server's work and
        ours overlap); the next statement waits for it, and its error is raised there."""
        self._alive()
        # one row per key, the last one, at the place of the first (where SQLite, applying
        # the rows one by one, inserts it); a later row that differs from the one before it
        # counts as a change, as it does there
        of_key = itemgetter(*(columns.index(k) for k in key))
        last: dict[Any, Sequence[Any]] = dict(zip(map(of_key, rows), rows, strict=True))
        repeats = 0
        unique: Sequence[Sequence[Any]] = list(rows)  # the caller reuses its list
        if len(last) < len(rows):  # a key twice: the rare case, counted row by row
            seen: dict[Any, Sequence[Any]] = {}
            for row in rows:
                before = seen.get(k := of_key(row))
                if before is not None and before != row:
                    repeats += 1
                seen[k] = row
            unique = list(last.values())
        if self._depth == 0:
            return self._upsert_now(table, columns, conflict, unique) + repeats
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="trayapp-pg-upsert")
        self._pending = self._pool.submit(self._upsert_now, table, columns, conflict, unique)
        return repeats + self.take_changed(wait=False)  # and the batches finished before

    def take_changed(self, wait: bool = True) -> int:
        if wait:
            self._drain()
        n, self._changed = self._changed, 0
        return n

    def _upsert_now(
        self, table: str, columns: Sequence[str], conflict: str, rows: Sequence[Sequence[Any]]
    ) -> int:
        temp = f"t_up_{table}"
        cols = ", ".join(columns)
        try:
            if temp not in self._temps:
                self.pg.execute(f"DROP TABLE IF EXISTS {temp}")
                self.pg.execute(
                    f"CREATE TEMP TABLE {temp} AS SELECT {cols} FROM {table} WITH NO DATA"
                )
                self.pg.execute(
                    f"ALTER TABLE {temp} ADD t_seq BIGINT GENERATED ALWAYS AS IDENTITY"
                )
                self._temps.add(temp)
            else:
                self.pg.execute(f"TRUNCATE {temp} RESTART IDENTITY")
            with self.pg.cursor() as cur:
                with cur.copy(f"COPY {temp} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            cur = self.pg.execute(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {temp} ORDER BY t_seq {conflict}"
            )
            return int(cur.rowcount)
        except self._psycopg.Error as exc:
            raise self._error(exc) from exc

    # ------------------------------------------------------------------ session locks
    def try_lock(self, key: int) -> bool:
        """Take a session-level advisory lock (held until ``unlock`` or the connection's
        end, so a killed holder frees it); ``False`` while another session holds it."""
        got = bool(self.scalar("SELECT pg_try_advisory_lock(?)", (key,)))
        if got:
            self._held.add(key)
        return got

    def holds(self, key: int) -> bool:
        return key in self._held

    def unlock(self, key: int) -> None:
        if key not in self._held:
            return
        self._held.discard(key)
        try:
            if not (self.pg.closed or self.pg.broken):
                self.pg.execute("SELECT pg_advisory_unlock(%s)", (key,))
        except self._psycopg.Error as exc:  # the lock went with the connection
            log.warning("postgresql %s: unlock: %s", self.label, exc)

    def try_exchange_lock(self) -> bool:
        """The exchange lock of this database, its holder recorded in ``meta``."""
        got = self.try_lock(EXCHANGE_KEY)
        if got:
            holder = f"{socket.gethostname()}\t{now_text()}"
            self.execute(
                "INSERT INTO meta (key, value) VALUES ('exchange_holder', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (holder,),
            )
        return got

    def exchange_holder(self) -> tuple[str, str] | None:
        """(host name, since when) of the session that holds the exchange lock."""
        value = self.scalar("SELECT value FROM meta WHERE key = 'exchange_holder'")
        if not value or "\t" not in str(value):
            return None
        host, since = str(value).split("\t", 1)
        return host, since

    def release_exchange_lock(self) -> None:
        self.unlock(EXCHANGE_KEY)
