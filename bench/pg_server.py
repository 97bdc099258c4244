"""The PostgreSQL server of the benchmarks: ``TRAYAPP_BENCH_PG`` (a URL of a maintenance
database, the password in ``PGPASSWORD``), else a throwaway cluster started here as the tests
do (``tests/pg_cluster.py``), but durable (fsync on, as SQLite's synchronous=FULL).
``None`` where neither psycopg nor the server binaries are there: the benches then run on
SQLite alone and say so.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class Server:
    def __init__(self, url: str) -> None:
        self.url = url

    def url_of(self, dbname: str) -> str:
        u = urlsplit(self.url)
        return urlunsplit((u.scheme, u.netloc, "/" + dbname, u.query, ""))

    def fresh(self, dbname: str) -> str:
        """A new empty database (dropped first if there); its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{dbname}" TEMPLATE template0 ENCODING \'UTF8\'')
        return self.url_of(dbname)


@contextmanager
def server() -> Iterator[Server | None]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        print("PostgreSQL: psycopg is not installed (pip install -e '.[postgres]'): SQLite only")
        yield None
        return
    url = os.environ.get("TRAYAPP_BENCH_PG")
    if url:
        yield Server(url)
        return
    from tests import pg_cluster

    if pg_cluster.binaries() is None:
        print("PostgreSQL: no server binaries and no TRAYAPP_BENCH_PG: SQLite only")
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="trayapp-bench-pg-"))
    c = pg_cluster.create(folder, durable=True)
    os.environ["PGPASSWORD"] = c.password
    print(f"PostgreSQL: a throwaway durable cluster on 127.0.0.1:{c.port}")
    try:
        yield Server(c.url)
    finally:
        c.stop()
        shutil.rmtree(folder, ignore_errors=True)
