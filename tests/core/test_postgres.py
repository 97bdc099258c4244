"""Several accountants on one database (spec/database.md): the same registries from both
backends, concurrent acceptances, imports and postings from separate processes, the
exchange lock held in the database, a server stopped mid-session, the settings' URL and
the Russian messages of a failed connection."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests import pg_cluster
from tests.conftest import PgServer
from tests.core import registry_fixture as fx
from tests.core.test_validate import payments_file, readings_file
from trayapp.core.accept import accept
from trayapp.core.db import Database, open_database
from trayapp.core.db.schema import VERSION
from trayapp.core.demo import build_demo
from trayapp.core.folders import ExchangeTree
from trayapp.core.importer import import_file
from trayapp.core.lock import exchange_lock
from trayapp.core.registries import generate
from trayapp.errors import DatabaseError, ExchangeError, SettingsError
from trayapp.settings import Settings, set_value

ORG = fx.ORG[0]
TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 27, 10, 15, 0)
ROWS = [
    "a-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026",
    "a-2;06.11.2026 08:10:59;1002;;55.00;10.2026",
    "a-3;06.11.2026 08:11:00;1001;9;10.01;10.2026",
]


def run_cli(home: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    e = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", **(env or {}))
    return subprocess.run([sys.executable, "-m", "trayapp", "--home", str(home), *args],
                          input=stdin, capture_output=True, text=True, env=e, timeout=120)


# ---------------------------------------------------------------------------- same output


def registries(db: Database, out: Path) -> dict[str, bytes]:
    tree = ExchangeTree(out).ensure()
    made: dict[str, bytes] = {}
    for coding in ("ACCOUNT", "GOROD", "SBER", "OWN"):
        for kind in ("services", "debts", "meters"):
            for apartments in (False, True):
                if kind == "services" and apartments:
                    continue
                r = generate(db, tree, kind, coding, TODAY, None, apartments)
                made[f"{coding} {kind} {apartments}"] = r.file.read_bytes()
                r.file.unlink()
    return made


def test_same_registries_byte_for_byte(tmp_path: Path, fresh_pg: str) -> None:
    """The demo association built through the importer (COPY and the upserts on
    PostgreSQL) gives the same tables and the same registries, byte for byte."""
    lite, pg = open_database(tmp_path / "d.db"), open_database(fresh_pg)
    assert build_demo(lite, accounts=80, today=TODAY) == build_demo(pg, accounts=80, today=TODAY)
    for table in ("accounts", "balances", "accruals", "payments", "meters", "readings"):
        sql = f"SELECT * FROM {table} ORDER BY 1, 2, 3"
        assert [tuple(r) for r in lite.all(sql)] == [tuple(r) for r in pg.all(sql)], table
    a, b = registries(lite, tmp_path / "a"), registries(pg, tmp_path / "b")
    assert len(a) == 20 and a == b
    lite.close()
    pg.close()


def test_the_session_compiles_no_query_and_keeps_the_servers_work_mem(fresh_pg: str) -> None:
    """JIT off (its compilation cost 1.7 s of a Debts generation and saved nothing) and the
    server's own work_mem (a larger one made the Debts grouping a slower single hash):
    docs/benchmarks.md, issue 7."""
    db = open_database(fresh_pg)
    try:
        assert db.scalar("SHOW jit") == "off"
        assert db.scalar("SELECT source FROM pg_settings WHERE name = 'work_mem'") != "session"
    finally:
        db.close()


def test_a_key_twice_in_one_file_last_row_wins(db_target: Path | str, tmp_path: Path) -> None:
    db = fx.build(db_target)
    f = tmp_path / "accruals.csv"
    f.write_text("account;service_code;period;amount\n1001;1;01.2027;10,00\n1002;1;01.2027;7,00\n"
                 "1001;1;01.2027;12,50\n", encoding="utf-8")
    r = import_file(db, "accruals", f)
    assert (r.rows, r.inserted) == (3, 2)
    got = db.all("SELECT a.number, r.amount FROM accruals r JOIN accounts a ON a.id = r.account_id"
                 " WHERE r.period = 202701 ORDER BY a.number")
    assert [tuple(x) for x in got] == [("1001", 1250), ("1002", 700)]
    db.close()


# ---------------------------------------------------------------------------- concurrency

RACE = textwrap.dedent(
    """
    import json, sys, time
    from datetime import datetime
    from pathlib import Path
    from trayapp.core.accept import accept, post_document
    from trayapp.core.db import open_database
    from trayapp.core.folders import ExchangeTree
    from trayapp.core.importer import import_file
    from trayapp.errors import AppError

    target, root, what, arg, go = sys.argv[1:6]
    db = open_database(target)
    while not Path(go).exists():
        time.sleep(0.002)
    try:
        if what == "accept":
            r = accept(db, ExchangeTree(root), arg, "ORG_INN", "GOROD", Path(root) / "r",
                       lambda: datetime(2026, 11, 27, 10, 15), report=False)
            print(json.dumps({"ok": r.document}))
        elif what == "import":
            r = import_file(db, "payments", Path(arg))
            print(json.dumps({"ok": r.inserted}))
        else:
            print(json.dumps({"ok": post_document(db, arg)[0]}))
    except AppError as exc:
        print(json.dumps({"refused": exc.message}))
    """
).replace("ORG_INN", ORG)


def race(tmp_path: Path, db: Database, jobs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Start one process per job, let them go at the same instant, return what each said."""
    script, go = tmp_path / "race.py", tmp_path / "go"
    script.write_text(RACE)
    procs = [subprocess.Popen([sys.executable, str(script), db.target, str(tmp_path / "x"),
                               what, arg, str(go)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for what, arg in jobs]  # fmt: skip
    time.sleep(1.5)  # all connected and waiting
    go.touch()
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


@pytest.fixture()
def shared(tmp_path: Path, db_target: Path | str) -> Iterator[Database]:
    db = fx.build(db_target)
    ExchangeTree(tmp_path / "x").ensure()
    yield db
    db.close()


def test_two_acceptances_of_one_registry(tmp_path: Path, shared: Database) -> None:
    name = "Payments_20261106_001.txt"
    (tmp_path / "x" / "Входящие" / name).write_bytes(payments_file(ROWS))
    said = race(tmp_path, shared, [("accept", name), ("accept", name)])
    won = [s for s in said if "ok" in s]
    refused = [s["refused"] for s in said if "refused" in s]
    assert len(won) == 1 and len(refused) == 1, said
    assert "уже принят" in refused[0]
    assert shared.scalar("SELECT COUNT(*) FROM payments WHERE source = 'moischeta'") == 4
    assert shared.scalar("SELECT COUNT(DISTINCT payment_id) FROM payments") == 3
    assert shared.scalar("SELECT COUNT(*) FROM documents WHERE kind = 'registry'") == 1


def test_concurrent_acceptances_number_documents_without_gaps(
    tmp_path: Path, shared: Database
) -> None:
    names = []
    for i in range(1, 5):
        name = f"Payments_20261106_00{i}.txt"
        rows = [f"n{i}-{k};05.11.2026 1{k}:00:00;1001;102;{i}{k}.00;10.2026" for k in range(3)]
        (tmp_path / "x" / "Входящие" / name).write_bytes(payments_file(rows).replace(b"#NUMBER 001", f"#NUMBER 00{i}".encode()))
        names.append(name)
    readings = "Readings_20261106_001.txt"
    (tmp_path / "x" / "Входящие" / readings).write_bytes(readings_file(
        ["r-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221"]))
    said = race(tmp_path, shared, [("accept", n) for n in names] + [("accept", readings)])
    assert all("ok" in s for s in said), said
    numbers = sorted(s["ok"] for s in said[:4])
    assert numbers == ["000001", "000002", "000003", "000004"]
    assert said[4]["ok"] == "000001"  # its own journal and kind
    pay = [r[0] for r in shared.all(
        "SELECT number FROM documents WHERE kind = 'payment' ORDER BY number")]
    assert pay == [f"{n:06d}" for n in range(1, 13)]


def test_two_imports_of_one_file(tmp_path: Path, shared: Database) -> None:
    f = tmp_path / "payments.csv"
    f.write_text("account;service_code;paid_on;amount;source;reference\n"
                 + "".join(f"1001;1;{d:02d}.10.2026;{d},00;bank;\n" for d in range(1, 21))
                 + "1002;;05.10.2026;5,00;bank;ref-1\n", encoding="utf-8")  # fmt: skip
    before = shared.scalar("SELECT COUNT(*) FROM payments")
    said = race(tmp_path, shared, [("import", str(f)), ("import", str(f))])
    assert sorted(s["ok"] for s in said) == [0, 21], said  # the second found them all there
    assert shared.scalar("SELECT COUNT(*) FROM payments") == before + 21


def test_two_postings_of_one_document(tmp_path: Path, shared: Database) -> None:
    name = "Readings_20261106_001.txt"
    tree = ExchangeTree(tmp_path / "x")
    (tree.incoming / name).write_bytes(readings_file(["r-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221"]))
    number = accept(shared, tree, name, ORG, "GOROD", tmp_path / "r", lambda: NOW,
                    report=False).document  # fmt: skip
    said = race(tmp_path, shared, [("post", number), ("post", number)])
    assert sorted(said, key=str) == sorted([{"ok": number}, {"refused":
           f"документ «Показания новые» № {number} уже проведён"}], key=str)  # fmt: skip


# ---------------------------------------------------------------------------- locks


def test_exchange_lock_says_who_holds_it(fresh_pg: str) -> None:
    first, second = open_database(fresh_pg), open_database(fresh_pg)
    with exchange_lock(first):
        t0 = time.monotonic()
        with pytest.raises(ExchangeError) as e:
            with exchange_lock(second, wait=0.6):
                pass
        assert time.monotonic() - t0 >= 0.6  # it waited before refusing
        assert socket.gethostname() in e.value.message
        assert "сеанс обмена уже идёт" in e.value.message
    with exchange_lock(second):  # free again
        pass
    first.close()
    with exchange_lock(second):  # a holder that went away released it
        pass
    second.close()


def test_exchange_lock_goes_with_a_killed_holder(fresh_pg: str, tmp_path: Path) -> None:
    code = ("import sys, time; from trayapp.core.db import open_database;"
            "from trayapp.core.lock import exchange_lock\n"
            "with exchange_lock(open_database(sys.argv[1])):\n print('held', flush=True);"
            " time.sleep(60)")  # fmt: skip
    p = subprocess.Popen([sys.executable, "-c", code, fresh_pg], stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None and p.stdout.readline().strip() == "held"
    db = open_database(fresh_pg)
    with pytest.raises(ExchangeError):
        with exchange_lock(db, wait=0.2):
            pass
    p.kill()
    p.wait()
    with exchange_lock(db, wait=10):
        pass
    db.close()


def test_first_connections_migrate_once(pg_server: PgServer) -> None:
    name = "t_migrate_" + str(os.getpid())
    with pg_server.admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    url = pg_server.url_of(name)
    errors: list[BaseException] = []

    def connect() -> None:
        try:
            open_database_pw(url, pg_server.password).close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=connect) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db = open_database_pw(url, pg_server.password)
    assert db.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(VERSION)
    db.close()
    with pg_server.admin() as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def open_database_pw(url: str, password: str) -> Database:
    from trayapp.core.db.postgres import PgDatabase

    return PgDatabase(url, password=password)


# ---------------------------------------------------------------------------- settings


def test_url_with_a_password_is_refused() -> None:
    with pytest.raises(SettingsError) as e:
        set_value(Settings(), "database", "postgresql://buh:secret@db.uk.local:5432/uk")
    assert "db-password" in e.value.cli_message and "secret" not in e.value.cli_message
    assert "«Пароль базы»" in e.value.message and "trayapp" not in e.value.message
    assert "secret" not in e.value.message  # the window's text
    with pytest.raises(SettingsError):
        set_value(Settings(), "database", "postgresql://buh@db.uk.local/uk?password=secret")
    s = set_value(Settings(), "database", "postgresql://buh@db.uk.local:5432/uk?sslmode=require")
    assert s.database == "postgresql://buh@db.uk.local:5432/uk?sslmode=require"


def test_cli_settings_and_a_wrong_password(tmp_path: Path, fresh_pg: str) -> None:
    home = tmp_path / "home"
    bad = fresh_pg.replace("postgres@", "postgres:hunter2@")
    r = run_cli(home, "settings", "set", "database", bad)
    assert r.returncode == 1 and "trayapp settings db-password" in r.stderr
    assert run_cli(home, "settings", "set", "database", fresh_pg).returncode == 0
    r = run_cli(home, "settings", "show", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["database"] == fresh_pg
    r = run_cli(home, "status", env={"PGPASSWORD": "wrong"})
    assert r.returncode == 1, r.stderr
    assert "неверное имя пользователя или пароль" in r.stderr
    assert "127.0.0.1" in r.stderr and "Traceback" not in r.stderr
    r = run_cli(home, "settings", "db-password", stdin="x\n")  # no keyring here
    assert r.returncode == 1 and "PGPASSWORD" in r.stderr
    r = run_cli(home, "status")  # the right one, from PGPASSWORD (the fixture's)
    assert r.returncode == 0, r.stderr
    assert "база данных: PostgreSQL " + fresh_pg.split("@", 1)[1] in r.stdout


def test_a_server_that_does_not_answer(tmp_path: Path) -> None:
    url = f"postgresql://buh@127.0.0.1:{pg_cluster.free_port()}/uk"
    with pytest.raises(DatabaseError) as e:
        open_database(url)
    msg = e.value.message
    assert "127.0.0.1" in msg and "сервер не принимает подключения" in msg
    assert "что сервер PostgreSQL запущен" in msg


# ---------------------------------------------------------------------------- server stopped


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[pg_cluster.Cluster]:
    """A cluster of this module's own, to stop and start again."""
    pytest.importorskip("psycopg")
    if pg_cluster.binaries() is None:
        pytest.skip("no PostgreSQL server binaries (Debian package postgresql)")
    import shutil
    import tempfile

    c = pg_cluster.create(Path(tempfile.mkdtemp(prefix="trayapp-pg-stop-")))
    try:
        yield c
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            c.stop()
        shutil.rmtree(c.folder, ignore_errors=True)


def test_server_stopped_mid_session(
    own_cluster: pg_cluster.Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.core import test_exchange as tx
    from trayapp.core.transport import HttpTransport
    from trayapp.emulator.server import Emulator

    monkeypatch.setenv("PGPASSWORD", own_cluster.password)
    db = open_database(own_cluster.url)
    tx.seed(db)
    tree = ExchangeTree(tmp_path / "exchange").ensure()
    emu = Emulator(tmp_path / "emu", residents=False, seed=7)
    emu.start()
    offered = {"Payments_20261106_001.txt": tx.payments(1, "s-1;05.11.2026 10:00:00;2001;101;5.00;10.2026"),
               "Payments_20261106_002.txt": tx.payments(2, "s-2;05.11.2026 11:00:00;2002;101;7.00;10.2026")}  # fmt: skip
    for n, d in offered.items():
        emu.store.write_inbox(n, d)
    (tree.outgoing / "Debts_20261105_001.txt").write_bytes(tx.example("Debts_20261105_001.txt"))

    class Stopping(HttpTransport):
        stopped = False

        def download(self, name: str, dest: Any) -> Any:
            got = super().download(name, dest)
            if not Stopping.stopped:
                Stopping.stopped = True
                own_cluster.stop()
            return got

    try:
        with Stopping(emu.url, "demo", "demo") as t, pytest.raises(DatabaseError) as e:
            tx.session(t, db, tree)
        assert "127.0.0.1" in e.value.message and "связь с базой данных" in e.value.message
        assert "сервер прервал соединение" in e.value.message, e.value.message
        own_cluster.start()
        with HttpTransport(emu.url, "demo", "demo") as t:
            r = tx.session(t, db, tree)  # the same Database: it connects again
            assert r.errors == []
            tx.session(t, db, tree)
        assert tx.emu_inbox(emu) == []
        files = tx.tree_files(tree)
        for n, d in offered.items():
            assert files[n] == ["Входящие"] and (tree.incoming / n).read_bytes() == d
        assert files["Debts_20261105_001.txt"][0].startswith("Отправлены")
        got = db.all("SELECT name, status FROM files WHERE direction = 'in' AND kind = 'PAYMENTS'"
                     " ORDER BY name")
        assert [tuple(x) for x in got] == [(n, "pending") for n in sorted(offered)]
    finally:
        emu.stop()
        db.close()
