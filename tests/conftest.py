"""Fixtures shared by every test: the database backends.

``db_target`` is parametrized: each test that takes it runs once on a fresh SQLite file and
once on a fresh PostgreSQL database (``CREATE DATABASE ... TEMPLATE`` of one migrated at the
start). The server is ``TRAYAPP_TEST_PG`` (a URL of a maintenance database, the password
in ``TRAYAPP_TEST_PG_PASSWORD`` or ``PGPASSWORD``), as ``.ci/run`` exports it; else a
throwaway cluster started here (``tests/pg_cluster.py``) where the server binaries exist;
else the PostgreSQL half is skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests import pg_cluster

TEMPLATE = "trayapp_test_template"


@dataclass
class PgServer:
    url: str  # of the maintenance database
    password: str

    def url_of(self, dbname: str) -> str:
        u = urlsplit(self.url)
        return urlunsplit((u.scheme, u.netloc, "/" + dbname, u.query, ""))

    def admin(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, password=self.password, autocommit=True)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed (pip install -e '.[dev]')")
    url = os.environ.get("TRAYAPP_TEST_PG")
    cluster = None
    if url:
        password = os.environ.get("TRAYAPP_TEST_PG_PASSWORD") or os.environ.get("PGPASSWORD", "")
        server = PgServer(url, password)
    elif pg_cluster.binaries() is None:
        pytest.skip("no PostgreSQL: TRAYAPP_TEST_PG is not set and the server binaries "
                    "(Debian package postgresql) are not installed")
    else:
        # not under pytest's folder: the server's user must reach it (as root it is another)
        folder = Path(tempfile.mkdtemp(prefix="trayapp-pg-"))
        cluster = pg_cluster.create(folder)
        server = PgServer(cluster.url, cluster.password)
    from trayapp.core.db.postgres import PgDatabase

    with server.admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{TEMPLATE}" TEMPLATE template0 ENCODING \'UTF8\'')
    PgDatabase(server.url_of(TEMPLATE), password=server.password).close()
    try:
        yield server
    finally:
        with server.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture()
def fresh_pg(pg_server: PgServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The URL of a new, migrated, empty database; its password in ``PGPASSWORD`` (so that
    the app, and the processes a test starts, find it where libpq looks)."""
    name = "t_" + uuid.uuid4().hex[:16]
    with pg_server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    try:
        yield pg_server.url_of(name)
    finally:
        with pg_server.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """A fresh database of each backend: an SQLite file path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "b.db"
    url: str = request.getfixturevalue("fresh_pg")
    return url
