"""Progress reports of long core work (core/progress.py): the generation of each registry,
an exchange session (files and bytes), an acceptance and an import report counts that only
grow and end at the real total, on SQLite and PostgreSQL; the throttle passes few reports
and never loses the last; the Russian texts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.core import registry_fixture as fx
from tests.core.test_validate import payments_file
from trayapp.core import progress as pr
from trayapp.core.accept import accept
from trayapp.core.db import Database, open_database
from trayapp.core.demo import build_demo
from trayapp.core.exchange import run_session
from trayapp.core.folders import ExchangeTree
from trayapp.core.importer import import_file
from trayapp.core.registries import generate
from trayapp.core.transport import HttpTransport
from trayapp.emulator.server import Emulator

TODAY = date(2026, 11, 20)
ACCOUNTS = 700  # about 6,000 rows of the Debts query: more than one batch of 5,000


class Heard(list[tuple[str, int, int | None]]):
    """A Progress that keeps every report."""

    def __call__(self, step: str, done: int, total: int | None) -> None:
        self.append((step, done, total))

    def of(self, step: str) -> list[tuple[int, int | None]]:
        return [(d, t) for s, d, t in self if s == step]


def growing_to(reports: list[tuple[int, int | None]], total: int) -> list[int]:
    """Check the counts of one step: one total throughout, never falling, from 0 to
    ``total`` (the last report); the counts returned."""
    assert reports, "no report"
    counts = [d for d, _ in reports]
    assert {t for _, t in reports} == {total}
    assert counts == sorted(counts) and counts[0] == 0 and counts[-1] == total
    return counts


@pytest.fixture()
def every_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """No throttling: every report the core makes is heard."""
    monkeypatch.setattr(pr, "REPORT_SECONDS", 0.0)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo association of ACCOUNTS accounts, built once (SQLite; copied per test)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = open_database(path)
    build_demo(db, accounts=ACCOUNTS, today=TODAY)
    db.close()
    return path


@pytest.fixture()
def demo_db(db_target: Path | str, demo_file: Path) -> Iterator[Database]:
    """The demo association on each backend."""
    if isinstance(db_target, Path):
        import shutil

        shutil.copy(demo_file, db_target)
        db = open_database(db_target)
    else:
        db = open_database(db_target)
        build_demo(db, accounts=ACCOUNTS, today=TODAY)
    yield db
    db.close()


def eligible(db: Database, period: int) -> int:
    """Accounts open in the month, counted here apart from the generator's query."""
    first, last = f"{period // 100}-{period % 100:02d}-01", f"{period // 100}-{period % 100:02d}-31"
    return int(db.scalar("SELECT COUNT(*) FROM accounts WHERE (closed IS NULL OR closed >= ?)"
                         " AND (opened IS NULL OR opened <= ?)", (first, last)))  # fmt: skip


@pytest.mark.usefixtures("every_report")
def test_debts_and_meters_count_accounts_and_meters(demo_db: Database, tmp_path: Path) -> None:
    tree = ExchangeTree(tmp_path / "x").ensure()
    heard = Heard()
    r = generate(demo_db, tree, "debts", "GOROD", TODAY, progress=heard)
    assert r.period is not None
    total = eligible(demo_db, r.period)
    assert total > 600  # closed accounts are left out of the count as out of the file
    counts = growing_to(heard.of("debts"), total)
    assert len(set(counts)) >= 3  # one report per batch of rows: some on the way
    assert {s for s, _, _ in heard} == {"debts"}

    heard.clear()
    r = generate(demo_db, tree, "meters", "OWN", TODAY, progress=heard)
    growing_to(heard.of("meters"), r.rows)  # the own coding leaves no meter out

    heard.clear()
    generate(demo_db, tree, "services", "GOROD", TODAY, progress=heard)
    services = int(demo_db.scalar("SELECT COUNT(*) FROM services"))
    assert heard == [("services", services, services)]


def test_debts_of_the_small_association_end_at_its_accounts(
    db_target: Path | str, tmp_path: Path
) -> None:
    """The hand-made association (closed and not yet opened accounts) on both backends,
    throttled as in the window: the last report is the count of accounts in the file."""
    db = fx.build(db_target)
    heard = Heard()
    r = generate(db, ExchangeTree(tmp_path / "x").ensure(), "debts", "ACCOUNT", date(2026, 11, 5),
                 202610, progress=heard)  # fmt: skip
    lines = r.file.read_text(encoding="cp1251").splitlines()
    in_file = len([x for x in lines if x and not x.startswith("#")])  # ACCOUNT: a line each
    assert heard.of("debts")[-1] == (in_file, in_file) and in_file < len(fx.ACCOUNTS)
    db.close()


def test_progress_leaves_the_registry_as_it_was(demo_db: Database, tmp_path: Path) -> None:
    """The same file with or without someone listening."""
    a = generate(demo_db, ExchangeTree(tmp_path / "a").ensure(), "debts", "SBER", TODAY)
    b = generate(demo_db, ExchangeTree(tmp_path / "b").ensure(), "debts", "SBER", TODAY,
                 progress=Heard())  # fmt: skip
    assert a.file.read_bytes() == b.file.read_bytes()


# ---------------------------------------------------------------------------- session


@pytest.mark.usefixtures("every_report")
def test_a_session_of_k_files_counts_them_and_their_bytes(
    demo_db: Database, tmp_path: Path
) -> None:
    tree = ExchangeTree(tmp_path / "x").ensure()
    made = [generate(demo_db, tree, kind, "GOROD", TODAY).file
            for kind in ("services", "debts", "meters")]  # fmt: skip
    sizes = {p.stat().st_size for p in made}
    emu = Emulator(tmp_path / "emu", residents=False, seed=7)
    emu.start()
    heard = Heard()
    try:
        with HttpTransport(emu.url, "demo", "demo", progress=heard) as t:
            org = str(demo_db.scalar("SELECT inn FROM org"))
            r = run_session(t, demo_db, tree, org, "GOROD", lambda: datetime(2026, 11, 20, 12),
                            progress=heard)  # fmt: skip
    finally:
        emu.stop()
    assert r.sent == 3 and r.received == 3  # the three answers
    growing_to(heard.of("send"), 3)
    growing_to(heard.of("receive"), 3)
    uploads = heard.of("upload")
    assert {t for _, t in uploads} == sizes  # each file's bytes, up to its size
    assert {(d, t) for d, t in uploads if d == t} == {(s, s) for s in sizes}
    downloads = heard.of("download")
    assert downloads and all(t is not None and 0 < d <= t for d, t in downloads)
    steps = [s for s, _, _ in heard]
    assert len(steps) - steps[::-1].index("send") <= steps.index("receive")  # sent, then received


# ---------------------------------------------------------------------------- accept, import


@pytest.mark.usefixtures("every_report")
def test_acceptance_counts_rows_checked_and_written(db_target: Path | str, tmp_path: Path) -> None:
    db = fx.build(db_target)
    tree = ExchangeTree(tmp_path / "x").ensure()
    rows = [f"p-{i};05.11.2026 19:44:02;100{1 + i % 2};102;{1 + i}.00;10.2026"
            for i in range(5000)]  # fmt: skip
    name = "Payments_20261106_001.txt"
    (tree.incoming / name).write_bytes(payments_file(rows))
    heard = Heard()
    res = accept(db, tree, name, fx.ORG[0], "GOROD", tmp_path / "rep",
                 lambda: datetime(2026, 11, 27), report=False, progress=heard)  # fmt: skip
    assert res.rows == 5000
    assert len(set(growing_to(heard.of("check"), 5000))) >= 3
    growing_to(heard.of("write"), 5000)
    steps = [s for s, _, _ in heard]
    assert len(steps) - steps[::-1].index("check") <= steps.index("write")  # checked, then written
    db.close()


@pytest.mark.usefixtures("every_report")
def test_an_import_counts_rows_read(db_target: Path | str, tmp_path: Path) -> None:
    db = fx.build(db_target)
    accounts = [r[1] for r in fx.ACCOUNTS]
    csv = tmp_path / "accruals.csv"
    lines = ["account;service_code;period;amount"]
    lines += [f"{accounts[i % 3]};{1 + i % 2};{1 + i % 12:02d}.2025;{i}.50" for i in range(12_000)]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    heard = Heard()
    r = import_file(db, "accruals", csv, progress=heard)
    reports = heard.of("load")
    counts = [d for d, _ in reports]
    assert counts == sorted(counts) and len(set(counts)) >= 2
    assert reports[-1] == (r.rows, r.rows) == (12_000, 12_000)
    assert all(t is None for _, t in reports[:-1])  # the total is known only at the end
    db.close()


# ---------------------------------------------------------------------------- the machinery


def test_throttle_passes_few_reports_and_never_the_last_one_lost() -> None:
    now = [0.0]
    heard = Heard()
    t = pr.Throttle(heard, 0.05, clock=lambda: now[0])
    for i in range(1000):  # 1000 reports over 0.1 s: the first, then one per 50 ms
        now[0] = i / 10_000
        t("debts", i, 1000)
    assert heard == [("debts", 0, 1000), ("debts", 500, 1000)]
    t("debts", 1000, 1000)  # the end always passes
    t("send", 0, 2)  # a new step too
    assert heard[-2:] == [("debts", 1000, 1000), ("send", 0, 2)]
    t("load", 5, None)
    t("load", 7, None)  # held back...
    t.final()  # ...and passed on at the end
    assert heard[-2:] == [("load", 5, None), ("load", 7, None)]
    t.final()
    assert heard[-1] == ("load", 7, None)  # nothing twice


def test_latest_keeps_the_last_report_for_another_thread() -> None:
    import threading

    latest = pr.Latest()
    assert latest.get() is None
    worker = threading.Thread(target=lambda: [latest("debts", i, 99) for i in range(100)])
    worker.start()
    worker.join()
    assert latest.get() == pr.Report("debts", 99, 99)
    latest.clear()
    assert latest.get() is None


def test_russian_texts() -> None:
    d, n = pr.describe, pr.NBSP
    assert d(pr.Report("debts", 45_000, 100_000)) == f"Задолженность: 45{n}000 из 100{n}000{n}л/с"
    assert d(pr.Report("send", 1, 3)) == f"Отправка: 1 из 3{n}файлов"
    assert d(pr.Report("receive", 0, 21)) == f"Получение: 0 из 21{n}файла"
    assert d(pr.Report("upload", 12_500_000, 50_000_000)) == f"Отправка файла: 12,5 из 50,0{n}МБ"
    assert d(pr.Report("load", 20_000, None)) == f"Загрузка данных: 20{n}000{n}строк"
    assert d(pr.Report("load", 22, None)) == f"Загрузка данных: 22{n}строки"
    assert d(pr.Report("check", 1, 1)) == f"Проверка реестра: 1 из 1{n}строки"
    assert all(step in pr.STEPS for step in ("services", "meters", "write", "download"))


# ---------------------------------------------------------------------------- closed accounts


@pytest.mark.parametrize(("period", "as_of", "first_day"), [
    (202610, date(2026, 11, 5), date(2026, 10, 1)),  # 1004 closed 30.09 owes 500,00
    (202609, date(2026, 10, 1), date(2026, 9, 1)),  # nobody closed before September
    (202611, date(2026, 12, 5), date(2026, 11, 1)),  # 1004 and 1005 (closed 15.10)
])  # fmt: skip
def test_closed_accounts_that_owe(db_target: Path | str, period: int, as_of: date,
                                  first_day: date) -> None:  # fmt: skip
    """The accounts the Debts registry leaves out that still owe, read through the closed
    accounts' keys only (it ran over every accrual before: 2.7 s of a 10 s generation),
    against a count from the fixture's raw rows."""
    from trayapp.core.db import registries as q

    closed = {r[0] for r in fx.ACCOUNTS if r[9] is not None and r[9] < first_day.isoformat()}
    debt: dict[int, int] = {}
    for acc, _svc, per, amount in fx.ACCRUALS:
        if acc in closed and per <= period:
            debt[acc] = debt.get(acc, 0) + amount
    for acc, _svc, amount in fx.BALANCES:
        if acc in closed:
            debt[acc] = debt.get(acc, 0) + amount
    for acc, _svc, paid_on, amount, _src in fx.PAYMENTS:
        if acc in closed and paid_on <= as_of.isoformat():
            debt[acc] = debt.get(acc, 0) - amount
    owing = [d for d in debt.values() if d > 0]
    db = fx.build(db_target)
    assert q.closed_with_debt(db, period, as_of, first_day) == (len(owing), sum(owing))
    db.close()


def test_a_server_that_is_down_shows_the_login_not_a_file_being_sent(
    tmp_path: Path, demo_db: Database
) -> None:
    """Issue 17 item 9: with the server down, the retries of the login took 16 s under
    «Отправка: 0 из 1 файла». The login says so while it tries: «Вход на сервер…» is the
    last report before the session gives up, and no file's bytes were reported."""
    import socket

    from trayapp.errors import AppError

    tree = ExchangeTree(tmp_path / "x").ensure()
    generate(demo_db, tree, "services", "GOROD", TODAY)
    with socket.socket() as s:  # a port of this machine where nobody listens
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    heard = Heard()
    slept: list[float] = []
    org = str(demo_db.scalar("SELECT inn FROM org"))
    with HttpTransport(f"http://127.0.0.1:{port}/api/v1", "demo", "demo", progress=heard,
                       sleep=slept.append) as t:  # fmt: skip
        with pytest.raises(AppError):
            run_session(t, demo_db, tree, org, "GOROD", lambda: datetime(2026, 11, 20, 12),
                        progress=heard)  # fmt: skip
    assert slept, "the login was not retried"  # the seconds the accountant waited
    assert heard[-1] == ("connect", 0, None)
    assert pr.describe(pr.Report(*heard[-1])) == "Вход на сервер «Мои счета»…"
    assert heard.of("upload") == []
