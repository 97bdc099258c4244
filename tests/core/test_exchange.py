"""Exchange sessions against the real emulator on 127.0.0.1 (real files, real SQLite).

The association is the one of spec/examples (ИНН 5401000001, «Город» codes 101-103, accounts
2001 and 2002, meters 17 and 18). A fake transport appears only for what a real peer cannot
produce: names that are paths, and a disk that fills up during a download.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from trayapp.core import formats
from trayapp.core.db import billing, journal
from trayapp.core.db.connection import Database, open_database
from trayapp.core.exchange import SessionResult, run_session, status
from trayapp.core.folders import TEMP_PREFIX, ExchangeTree
from trayapp.core.transport import HttpTransport, InboxEntry, Transport
from trayapp.emulator.server import Emulator
from trayapp.errors import AuthError, FolderError, ServerError

# the spec's example files, copied into the repository
EXAMPLES = Path(__file__).resolve().parents[1] / "emulator" / "data"
ORG = "5401000001"
CODING = "GOROD"
NOW = datetime(2026, 11, 6, 12, 0, 0)


# ---------------------------------------------------------------------------- fixtures


def seed(db: Database) -> None:
    """The association of spec/examples, written with SQL."""
    with db.transaction():
        db.execute(
            "INSERT INTO org (id, inn, name, bank_account, bik) VALUES (1, ?, ?, ?, ?)",
            (ORG, "ТСЖ «Пример»", "40703810000000000009", "045004774"),
        )
        db.executemany(
            "INSERT INTO providers (id, inn, name, bank_account, bik) VALUES (?, ?, ?, ?, ?)",
            [
                (1, "5401000001", "ТСЖ «Пример»", "40703810000000000009", "045004774"),
                (2, "5401000002", "АО «Теплосеть»", "40702810000000000008", "045004774"),
                (3, "5401000003", "МУП «Горводоканал»", "40702810000000000007", "045004774"),
            ],
        )
        db.executemany(
            "INSERT INTO services (code, name, unit, gorod_code, sber_code, provider_id, metered)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (1, "Содержание жилья", "м2", "101", "S1", 1, 0),
                (2, "Отопление", "Гкал", "102", "S2", 2, 0),
                (3, "Холодная вода", "м3", "103", "S3", 3, 1),
            ],
        )
        db.executemany(
            "INSERT INTO accounts (id, number, full_name, settlement, street, house, premise)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (1, "2001", "Зайцева Алла Борисовна", "Новосибирск", "Кирова ул", "10", "1"),
                (2, "2002", "Лебедев Пётр Ильич", "Новосибирск", "Кирова ул", "10", "2"),
            ],
        )
        db.executemany(
            "INSERT INTO accruals (account_id, service_code, period, amount) VALUES (?, ?, ?, ?)",
            [
                (1, 1, 202610, 80000),
                (1, 2, 202610, 120040),
                (1, 3, 202610, 15000),
                (2, 1, 202610, 60000),
            ],
        )
        billing.refresh_periods(db)
        db.executemany(
            "INSERT INTO meters (meter_id, account_id, service_code, serial, installed,"
            " initial_reading) VALUES (?, ?, ?, ?, ?, ?)",
            [
                ("17", 1, 3, "ХВ-2001-1", "2021-03-01", 0),
                ("18", 2, 3, "ХВ-2002-1", "2026-10-15", 200),
            ],
        )


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[Emulator]:
    e = Emulator(tmp_path / "emu", residents=False, seed=7)
    e.start()
    yield e
    e.stop()


@pytest.fixture
def db(db_target: Path | str) -> Iterator[Database]:
    d = open_database(db_target)
    seed(d)
    yield d
    d.close()


@pytest.fixture
def tree(tmp_path: Path) -> ExchangeTree:
    return ExchangeTree(tmp_path / "exchange").ensure()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def transport(emu: Emulator, sleeps: Sleeps) -> Iterator[HttpTransport]:
    t = HttpTransport(emu.url, "demo", "demo", sleep=sleeps)
    yield t
    t.close()


def session(t: Transport, db: Database, tree: ExchangeTree) -> SessionResult:
    return run_session(t, db, tree, ORG, CODING, clock=lambda: NOW)


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


def text_file(*lines: str) -> bytes:
    return formats.encode("\r\n".join(lines) + "\r\n")


def payments(number: int, *rows: str, filesum: str | None = None, org: str = ORG) -> bytes:
    """A Payments registry of 06.11.2026; rows ``id;moment;account;code;amount;period``."""
    total = filesum or f"{sum(int(round(float(r.split(';')[4]) * 100)) for r in rows) / 100:.2f}"
    return text_file(
        "#FORMAT MOISCHETA/1", "#TYPE PAYMENTS", f"#ORG {org}", f"#NUMBER {number:03d}",
        "#DATE 06.11.2026", "#CODING GOROD", f"#ROWS {len(rows)}", f"#FILESUM {total}", *rows,
    )  # fmt: skip


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def emu_inbox(emu: Emulator) -> list[str]:
    return sorted(p.name for p in (emu.data_dir / "inbox").iterdir() if not p.name.startswith("."))


def tree_files(tree: ExchangeTree) -> dict[str, list[str]]:
    """Every file under the tree: name -> the folders (relative) holding it."""
    out: dict[str, list[str]] = {}
    for dirpath, _, files in os.walk(tree.root):
        for f in files:
            out.setdefault(f, []).append(str(Path(dirpath).relative_to(tree.root)))
    return out


def no_temp(tree: ExchangeTree) -> bool:
    return not any(n.startswith(TEMP_PREFIX) for n in tree_files(tree))


# ---------------------------------------------------------------------------- uploads and answers


def test_upload_moves_to_sent_and_ok_answer_files_it(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    name = "Debts_20261105_001.txt"
    (tree.outgoing / name).write_bytes(example(name))
    r = session(transport, db, tree)
    assert (r.sent, r.received, r.answers_ok, r.answers_error, r.broken) == (1, 1, 1, 0, 0)
    assert r.errors == [] and r.notices == []
    assert (emu.data_dir / "outbox" / name).read_bytes() == example(name)
    assert (tree.sent_ok / name).read_bytes() == example(name)
    ack = formats.parse((tree.sent_ok / ("Ack_" + name)).read_bytes())
    assert ack.header.status == "OK" and ack.header.answered_rows == 4
    assert tree_files(tree) == {
        name: ["Отправлены/Обработаны"],
        "Ack_" + name: ["Отправлены/Обработаны"],
    }
    assert emu_inbox(emu) == []  # the answer was deleted on the server once stored
    out = journal.get_file(db, "out", name)
    assert out is not None and out.status == "ok" and out.sha256 == sha(example(name))
    got = journal.get_file(db, "in", "Ack_" + name)
    assert got is not None and got.status == "answer"
    assert journal.unseen_events(db)[0][1:] == (
        "info",
        f"Реестр {name} принят сервисом «Мои счета»",
    )


def test_error_answer_files_both_in_errors_and_notifies(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    name = "Debts_20261105_002.txt"
    bad = example("Debts_20261105_001.txt").replace(b"#NUMBER 001", b"#NUMBER 002")
    bad = bad.replace(b"#FILESUM 2150.40", b"#FILESUM 2150.41")
    (tree.outgoing / name).write_bytes(bad)
    r = session(transport, db, tree)
    assert (r.sent, r.received, r.answers_ok, r.answers_error) == (1, 1, 0, 1)
    assert sorted(os.listdir(tree.sent_error)) == ["Ack_" + name, name]
    assert os.listdir(tree.sent_ok) == []
    assert (tree.sent_error / name).read_bytes() == bad
    assert len(r.notices) == 1
    assert r.notices[0].startswith(
        f"Реестр {name} отклонён сервисом «Мои счета»: «строка: 0, #FILESUM"
    )
    out = journal.get_file(db, "out", name)
    assert out is not None and out.status == "error" and "#FILESUM" in out.detail
    assert [e[2] for e in journal.unseen_events(db)] == r.notices


def test_refused_and_foreign_files_stay_in_outgoing(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    name = "Debts_20261105_001.txt"
    (emu.data_dir / "outbox").mkdir(parents=True, exist_ok=True)
    (emu.data_dir / "outbox" / name).write_bytes(b"another file of that name")
    (tree.outgoing / name).write_bytes(example(name))
    (tree.outgoing / "письмо.docx").write_bytes(b"not ours")
    (tree.outgoing / "Payments_20261106_001.txt").write_bytes(example("Payments_20261106_001.txt"))
    r = session(transport, db, tree)
    assert r.sent == 0
    assert sorted(os.listdir(tree.outgoing)) == sorted(
        [name, "письмо.docx", "Payments_20261106_001.txt"]
    )
    assert len(r.errors) == 3
    assert any(name in e and "409" in e for e in r.errors)
    assert any("письмо.docx" in e for e in r.errors)
    assert any("Payments_20261106_001.txt" in e for e in r.errors)
    st = status(db, tree)
    assert st["waiting"] == 3 and st["errors"] == r.errors and st["sent"] == 0


def test_answer_naming_no_file_we_sent_goes_to_errors(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    emu.store.write_inbox("Ack_Debts_20261105_001.txt", example("Ack_Debts_20261105_001.txt"))
    r = session(transport, db, tree)
    assert (r.received, r.broken, r.answers_ok) == (1, 1, 0)
    assert os.listdir(tree.incoming_error) == ["Ack_Debts_20261105_001.txt"]
    assert "не отправлялся" in r.notices[0]
    assert emu_inbox(emu) == []


# ---------------------------------------------------------------------------- incoming registries


def test_pending_and_broken_registries(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    good = example("Payments_20261106_001.txt")
    broken = payments(
        2,
        "b-1;05.11.2026 19:44:02;8032067;102;1000.00;10.2026",
        "b-2;05.11.2026 19:44:03;2001;999;10.00;10.2026",
        "b-2;05.11.2026 19:44:04;2001;101;10.00;10.2026",
        filesum="1100.00",
    )
    emu.store.write_inbox("Payments_20261106_001.txt", good)
    emu.store.write_inbox("Payments_20261106_002.txt", broken)
    emu.store.write_inbox("Readings_20261106_001.txt", example("Readings_20261106_001.txt"))
    r = session(transport, db, tree)
    assert (r.received, r.broken, r.pending, r.sent) == (3, 1, 2, 0)
    assert emu_inbox(emu) == []
    assert sorted(os.listdir(tree.incoming)) == sorted(
        ["Обработаны", "Ошибки", "Payments_20261106_001.txt", "Readings_20261106_001.txt"]
    )
    assert (tree.incoming / "Payments_20261106_001.txt").read_bytes() == good
    assert (tree.incoming_error / "Payments_20261106_002.txt").read_bytes() == broken
    pending = journal.get_file(db, "in", "Payments_20261106_001.txt")
    assert pending is not None and (pending.status, pending.rows, pending.total) == (
        "pending",
        2,
        105500,
    )
    # the rejection, with every error and its line, waits in Исходящие for the next session
    ack_name = "Ack_Payments_20261106_002.txt"
    ack = formats.parse((tree.outgoing / ack_name).read_bytes(), name=ack_name, org=ORG)
    assert ack.header.status == "ERROR" and ack.header.file == "Payments_20261106_002.txt"
    lines = [(row.line, row.message) for row in ack.rows if isinstance(row, formats.AckRow)]
    assert (9, "неизв.лиц.счёт: 8032067") in lines
    assert (10, "неизв.услуга: 999") in lines
    assert (11, "повтор платежа: b-2") in lines
    assert (0, "#FILESUM 1100.00, сумма строк 1020.00") in lines
    assert r.notices == [
        "Принятый файл Payments_20261106_002.txt отправлен в «Ошибки». "
        "В «Мои счета» подготовлен отказ: «строка: 9, неизв.лиц.счёт: 8032067; "
        "строка: 10, неизв.услуга: 999; строка: 11, повтор платежа: b-2; "
        "строка: 0, #FILESUM 1100.00, сумма строк 1020.00»"
    ]
    assert status(db, tree)["errors"] == r.notices  # `trayapp status` names the rejection
    # the next session sends it
    r2 = session(transport, db, tree)
    assert (r2.sent, r2.received, r2.pending) == (1, 0, 2)
    assert (emu.data_dir / "outbox" / ack_name).is_file()
    assert (tree.sent / ack_name).is_file()
    st = status(db, tree)
    assert st["pending"] == 2 and st["waiting"] == 0 and st["sent"] == 1
    assert st["last_exchange"] is not None and st["last_exchange"][2] == "."


def test_foreign_org_is_broken(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    data = payments(3, "x-1;05.11.2026 10:00:00;2001;101;5.00;10.2026", org="7700000000")
    emu.store.write_inbox("Payments_20261106_003.txt", data)
    r = session(transport, db, tree)
    assert r.broken == 1 and "чужой реестр: ИНН 7700000000" in r.notices[0]
    assert (tree.outgoing / "Ack_Payments_20261106_003.txt").is_file()


def test_already_stored_identical_is_deleted_different_is_left(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    good = example("Payments_20261106_001.txt")
    emu.store.write_inbox("Payments_20261106_001.txt", good)
    assert session(transport, db, tree).received == 1
    emu.store.write_inbox("Payments_20261106_001.txt", good)  # offered again, same bytes
    r = session(transport, db, tree)
    assert (r.received, r.errors) == (0, [])
    assert emu_inbox(emu) == []
    other = good.replace(b"a81f-2292", b"a81f-2293")
    emu.store.write_inbox("Payments_20261106_001.txt", other)
    r = session(transport, db, tree)
    assert r.received == 0 and len(r.errors) == 1 and "другое содержимое" in r.errors[0]
    assert emu_inbox(emu) == ["Payments_20261106_001.txt"]
    assert (tree.incoming / "Payments_20261106_001.txt").read_bytes() == good


def test_residents_round_trip(
    tmp_path: Path, db: Database, tree: ExchangeTree, sleeps: Sleeps
) -> None:
    with Emulator(tmp_path / "emu2", residents=True, seed=3) as e:
        for n in ("Services_20261105_001.txt", "Debts_20261105_001.txt", "Meters_20261105_001.txt"):
            (tree.outgoing / n).write_bytes(example(n))
        with HttpTransport(e.url, "demo", "demo", sleep=sleeps) as t:
            r = session(t, db, tree)
        assert (r.sent, r.answers_ok, r.answers_error, r.broken) == (3, 3, 0, 0), r
        assert r.received == 3 + r.pending
        assert sorted(os.listdir(tree.sent_ok)) == sorted(
            [
                n
                for f in ("Services", "Debts", "Meters")
                for n in (f"{f}_20261105_001.txt", f"Ack_{f}_20261105_001.txt")
            ]
        )
        for entry in journal.files_with_status(db, "in", "pending"):
            assert (tree.incoming / entry.name).is_file()
        assert emu_inbox(e) == []


# ---------------------------------------------------------------------------- faults


def test_cut_download_and_upload_are_retried(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree, sleeps: Sleeps
) -> None:
    name = "Debts_20261105_001.txt"
    (tree.outgoing / name).write_bytes(example(name))
    emu.store.write_inbox("Payments_20261106_001.txt", example("Payments_20261106_001.txt"))
    emu.cut_next_upload(1, 0.5)
    emu.cut_next_download(2, 0.5)
    r = session(transport, db, tree)
    assert (r.sent, r.received, r.answers_ok, r.pending, r.errors) == (1, 2, 1, 1, [])
    assert len(sleeps) == 3 and no_temp(tree)
    assert (tree.incoming / "Payments_20261106_001.txt").read_bytes() == example(
        "Payments_20261106_001.txt"
    )


def test_busy_server_retry_after(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree, sleeps: Sleeps
) -> None:
    emu.store.write_inbox("Payments_20261106_001.txt", example("Payments_20261106_001.txt"))
    emu.fail_next(3, 503, retry_after=1)
    r = session(transport, db, tree)
    assert r.received == 1 and sleeps == [1.0, 1.0, 1.0]


def test_expired_token_costs_no_second_click(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    session(transport, db, tree)
    emu.expire_tokens()
    emu.store.write_inbox("Payments_20261106_001.txt", example("Payments_20261106_001.txt"))
    assert session(transport, db, tree).received == 1


def test_dead_server_ends_session_and_leaves_files(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree, sleeps: Sleeps
) -> None:
    name = "Debts_20261105_001.txt"
    (tree.outgoing / name).write_bytes(example(name))
    emu.fail_next(100, 503, retry_after=2)
    with pytest.raises(ServerError) as err:
        session(transport, db, tree)
    assert "недоступен" in err.value.message
    assert sleeps == [2.0] * 4
    assert os.listdir(tree.outgoing) == [name]
    last = journal.last_session(db)
    assert last is not None and last["ok"] is False and last["errors"] == [err.value.message]
    emu.fail_next(0)
    assert session(transport, db, tree).sent == 1


def test_server_not_listening(db: Database, tree: ExchangeTree, sleeps: Sleeps) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tree.outgoing / "Debts_20261105_001.txt").write_bytes(example("Debts_20261105_001.txt"))
    with HttpTransport(f"http://127.0.0.1:{port}/api/v1", "demo", "demo", sleep=sleeps) as t:
        with pytest.raises(ServerError):
            session(t, db, tree)
    assert os.listdir(tree.outgoing) == ["Debts_20261105_001.txt"]


def test_wrong_password_ends_session(
    emu: Emulator, db: Database, tree: ExchangeTree, sleeps: Sleeps
) -> None:
    (tree.outgoing / "Debts_20261105_001.txt").write_bytes(example("Debts_20261105_001.txt"))
    emu.store.write_inbox("Payments_20261106_001.txt", example("Payments_20261106_001.txt"))
    with HttpTransport(emu.url, "demo", "oops", sleep=sleeps) as t:
        with pytest.raises(AuthError) as err:
            session(t, db, tree)
    assert "неверный логин или пароль" in err.value.message
    assert os.listdir(tree.outgoing) == ["Debts_20261105_001.txt"]
    assert emu_inbox(emu) == ["Payments_20261106_001.txt"]
    st = status(db, tree)
    assert st["ok"] is False and st["errors"] == [err.value.message] and st["waiting"] == 1


class Tampering:
    """The real transport; the server's file changes between its listing and its download."""

    def __init__(self, inner: HttpTransport, emu: Emulator) -> None:
        self.inner, self.emu = inner, emu

    def list_inbox(self) -> list[InboxEntry]:
        entries = self.inner.list_inbox()
        for e in entries:
            p = self.emu.data_dir / "inbox" / e.name
            data = p.read_bytes()
            p.write_bytes(data[:-3] + b"ZZZ")
        return entries

    def download(self, name: str, dest: BinaryIO) -> str:
        return self.inner.download(name, dest)

    def delete(self, name: str) -> None:
        self.inner.delete(name)

    def upload(self, name: str, path: Path) -> int:
        return self.inner.upload(name, path)


def test_checksum_mismatch_leaves_file_on_server(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    emu.store.write_inbox("Payments_20261106_001.txt", example("Payments_20261106_001.txt"))
    r = session(Tampering(transport, emu), db, tree)
    assert r.received == 0 and len(r.errors) == 1 and "контрольная сумма" in r.errors[0]
    assert emu_inbox(emu) == ["Payments_20261106_001.txt"]
    assert (
        tree_files(tree) == {} and journal.get_file(db, "in", "Payments_20261106_001.txt") is None
    )
    r = session(transport, db, tree)  # the server's file as it is now
    assert r.received == 1 and emu_inbox(emu) == []


class Listing:
    """A peer offering names a real server would not (a fake: the emulator refuses them)."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.deleted: list[str] = []
        self.downloaded: list[str] = []

    def list_inbox(self) -> list[InboxEntry]:
        return [InboxEntry(n, len(d), sha(d)) for n, d in self.files.items()]

    def download(self, name: str, dest: BinaryIO) -> str:
        self.downloaded.append(name)
        dest.write(self.files[name])
        return sha(self.files[name])

    def delete(self, name: str) -> None:
        self.deleted.append(name)

    def upload(self, name: str, path: Path) -> int:
        return 201


BAD_NAMES = [
    "../Payments_20261106_001.txt",
    "..\\Payments_20261106_001.txt",
    "sub/Payments_20261106_001.txt",
    "C:Payments_20261106_001.txt",
    "C:\\x\\Payments_20261106_001.txt",
    "Payments_20261106_001.txt\x00",
    "Payments_20261106_001.txt\n",
    "Pay\x1bments_20261106_001.txt",
    "/etc/passwd",
    "..",
    "",
]


def test_path_like_names_refused_session_goes_on(
    db: Database, tree: ExchangeTree, caplog: pytest.LogCaptureFixture
) -> None:
    files = {n: b"evil" for n in BAD_NAMES}
    files["Payments_20261106_001.txt"] = example("Payments_20261106_001.txt")
    peer = Listing(files)
    r = session(peer, db, tree)
    assert r.received == 1 and r.pending == 1
    assert len(r.errors) == len(BAD_NAMES)
    assert all("недопустимым именем" in e for e in r.errors)
    assert peer.downloaded == ["Payments_20261106_001.txt"] == peer.deleted
    assert set(tree_files(tree)) == {"Payments_20261106_001.txt"}
    assert not (tree.root.parent / "Payments_20261106_001.txt").exists()
    assert sum("недопустимым именем" in rec.getMessage() for rec in caplog.records) == len(
        BAD_NAMES
    )


def test_names_the_emulator_offers_but_formats_refuse(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    emu.store.write_inbox("readme.txt", b"hello")
    emu.store.write_inbox("Payments..txt", b"x")
    emu.store.write_inbox("Payments_20261106_001.txt", example("Payments_20261106_001.txt"))
    r = session(transport, db, tree)
    assert r.received == 1 and len(r.errors) == 2
    assert emu_inbox(emu) == ["Payments..txt", "readme.txt"]


class DiskFills:
    """The real transport, writing to a disk that fills up part way (ENOSPC)."""

    def __init__(self, inner: HttpTransport, after: int) -> None:
        self.inner, self.after = inner, after

    def list_inbox(self) -> list[InboxEntry]:
        return self.inner.list_inbox()

    def download(self, name: str, dest: BinaryIO) -> str:
        after = self.after

        class Full(io.RawIOBase):
            def write(self, b: Any) -> int:
                if dest.tell() + len(b) > after:
                    raise OSError(errno.ENOSPC, "No space left on device")
                return dest.write(b)

            def __getattr__(self, key: str) -> Any:
                return getattr(dest, key)

            def seek(self, *a: Any) -> int:
                return dest.seek(*a)

            def tell(self) -> int:
                return dest.tell()

            def truncate(self, *a: Any) -> int:
                return dest.truncate(*a)

        return self.inner.download(name, Full())  # type: ignore[arg-type]

    def delete(self, name: str) -> None:
        self.inner.delete(name)

    def upload(self, name: str, path: Path) -> int:
        return self.inner.upload(name, path)


def test_full_disk_ends_session_nothing_lost(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    big = payments(5, *[f"p-{i};05.11.2026 10:00:00;2001;101;1.00;10.2026" for i in range(5000)])
    emu.store.write_inbox("Payments_20261106_005.txt", big)
    with pytest.raises(FolderError) as err:
        session(DiskFills(transport, after=100_000), db, tree)
    assert err.value.message.startswith("нет места на диске")
    assert no_temp(tree) and tree_files(tree) == {}
    assert emu_inbox(emu) == ["Payments_20261106_005.txt"]
    last = journal.last_session(db)
    assert last is not None and not last["ok"]
    r = session(transport, db, tree)
    assert r.received == 1 and r.pending == 1
    assert (tree.incoming / "Payments_20261106_005.txt").read_bytes() == big


# ---------------------------------------------------------------------------- recovery


def test_recovers_a_file_stored_but_never_journaled(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    """Killed between os.replace and the journal: the file is recorded, checked, deleted."""
    good = example("Payments_20261106_001.txt")
    emu.store.write_inbox("Payments_20261106_001.txt", good)
    (tree.incoming / "Payments_20261106_001.txt").write_bytes(good)
    (tree.incoming / f"{TEMP_PREFIX}Payments_20261106_009.txt.abc").write_bytes(b"half")
    r = session(transport, db, tree)
    assert (r.received, r.pending, r.errors) == (1, 1, [])
    assert emu_inbox(emu) == [] and no_temp(tree)


def test_recovers_a_journaled_file_not_yet_routed(db: Database, tree: ExchangeTree) -> None:
    """Killed after the journal and the DELETE, before the check: the check runs next time."""
    data = payments(4, "q-1;05.11.2026 10:00:00;7777;101;5.00;10.2026")
    name = "Payments_20261106_004.txt"
    (tree.incoming / name).write_bytes(data)
    journal.record_file(db, name, "in", sha(data), "PAYMENTS", "received")
    r = session(Listing({}), db, tree)
    assert (r.received, r.broken) == (0, 1)
    assert (tree.incoming_error / name).is_file()
    assert r.sent == 1 and (tree.sent / ("Ack_" + name)).is_file()  # recovered before uploads


def test_recovers_a_broken_file_moved_before_its_journal(db: Database, tree: ExchangeTree) -> None:
    data = payments(4, "q-1;05.11.2026 10:00:00;7777;101;5.00;10.2026")
    name = "Payments_20261106_004.txt"
    (tree.incoming_error / name).write_bytes(data)
    journal.record_file(db, name, "in", sha(data), "PAYMENTS", "received")
    r = session(Listing({}), db, tree)
    assert r.broken == 1
    entry = journal.get_file(db, "in", name)
    assert entry is not None and entry.status == "broken"
    assert r.sent == 1 and (tree.sent / ("Ack_" + name)).is_file()


def test_status_before_any_session(db: Database, tree: ExchangeTree) -> None:
    st = status(db, tree)
    assert st["last_exchange"] is None and st["pending"] == 0 and st["waiting"] == 0
    assert {"last_exchange", "sent", "received", "pending", "waiting", "errors"} <= set(st)


def test_result_json_shape() -> None:
    r = SessionResult(sent=3, received=2, answers_ok=1, pending=1)
    assert r.to_json() == {
        "sent": 3, "received": 2, "answers_ok": 1, "answers_error": 0, "broken": 0,
        "pending": 1, "errors": [], "notices": [],
    }  # fmt: skip


# ---------------------------------------------------------------------------- kill -9

CLIENT = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime
    from trayapp.core.db.connection import open_database
    from trayapp.core.exchange import run_session
    from trayapp.core.folders import ExchangeTree
    from trayapp.core.transport import HttpTransport

    url, db_path, root, pause = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])

    class Slow:
        # the destination file, written slowly: the kill lands during the transfer
        def __init__(self, f):
            self.f = f
        def write(self, b):
            time.sleep(pause)
            return self.f.write(b)
        def __getattr__(self, k):
            return getattr(self.f, k)

    class SlowTransport(HttpTransport):
        def download(self, name, dest):
            return super().download(name, Slow(dest) if pause else dest)

    t = SlowTransport(url, "demo", "demo")
    run_session(t, open_database(db_path), ExchangeTree(root), "5401000001", "GOROD")
    print("done", flush=True)
    """
)


def big_payments(size: int) -> bytes:
    """A correct Payments registry of about ``size`` bytes (a long ignored header line)."""
    pad = "x" * size
    return text_file(
        "#FORMAT MOISCHETA/1", "#TYPE PAYMENTS", f"#ORG {ORG}", "#NUMBER 007", "#DATE 06.11.2026",
        "#CODING GOROD", f"#PAD {pad}", "#ROWS 1", "#FILESUM 1000.00",
        "k-1;05.11.2026 19:44:02;2001;102;1000.00;10.2026",
    )  # fmt: skip


def start_client(tmp_path: Path, url: str, pause: float, db: Database) -> subprocess.Popen[str]:
    script = tmp_path / "client.py"
    script.write_text(CLIENT)
    return subprocess.Popen(
        [sys.executable, str(script), url, db.target,
         str(tmp_path / "exchange"), str(pause)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.01)


def test_kill_9_mid_download_then_clean_session(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree, tmp_path: Path
) -> None:
    name = "Payments_20261106_007.txt"
    data = big_payments(40 << 20)
    emu.store.write_inbox(name, data)
    emu.slow(0.05)
    proc = start_client(tmp_path, emu.url, pause=0.01, db=db)

    def temp_grown() -> bool:
        assert proc.poll() is None, proc.communicate()
        temps = [p for p in tree.incoming.iterdir() if p.name.startswith(TEMP_PREFIX)]
        return bool(temps) and temps[0].stat().st_size > 8 << 20

    try:
        wait_for(temp_grown)
    finally:
        proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows
        proc.wait(10)
    assert emu_inbox(emu) == [name]  # nothing was deleted on the server
    assert not (tree.incoming / name).exists()  # no half file under the real name
    emu.slow(0)
    r = session(transport, db, tree)
    assert (r.received, r.pending, r.errors) == (1, 1, [])
    assert tree_files(tree) == {name: ["Входящие"]}
    assert sha((tree.incoming / name).read_bytes()) == sha(data)
    assert emu_inbox(emu) == []


TRIGGERS: dict[str, Any] = {
    "login": lambda tree: False,  # killed by the clock, early in the session
    "first upload moved": lambda tree: any(tree.sent.glob("*.txt")),
    "download in a temp file": lambda tree: any(tree.incoming.glob(TEMP_PREFIX + "*")),
    "first file stored": lambda tree: any(tree.incoming.glob("*.txt")),
    "rejection written": lambda tree: any(tree.outgoing.glob("Ack_*")),
    "answer filed": lambda tree: any(tree.sent_ok.glob("Ack_*")),
}


@pytest.mark.parametrize("trigger", list(TRIGGERS))
def test_kill_9_at_any_instant(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree, tmp_path: Path,
    trigger: str,
) -> None:  # fmt: skip
    """Killed at some instant of a busy session, the next one finishes: nothing lost or doubled."""
    offered = {
        "Payments_20261106_001.txt": example("Payments_20261106_001.txt"),
        "Payments_20261106_007.txt": big_payments(6 << 20),
        "Payments_20261106_002.txt": payments(
            2, "z-1;05.11.2026 10:00:00;8032067;101;5.00;10.2026"
        ),
        "Readings_20261106_001.txt": example("Readings_20261106_001.txt"),
    }
    for n, d in offered.items():
        emu.store.write_inbox(n, d)
    sent = ["Debts_20261105_001.txt", "Meters_20261105_001.txt"]
    for n in sent:
        (tree.outgoing / n).write_bytes(example(n))
    proc = start_client(tmp_path, emu.url, pause=0.01, db=db)
    seen = TRIGGERS[trigger]
    end = time.monotonic() + (0.4 if trigger == "login" else 30)
    while proc.poll() is None and not seen(tree) and time.monotonic() < end:
        time.sleep(0.001)
    proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows
    out, err = proc.communicate(timeout=10)
    assert "done" not in out, f"the session ended before '{trigger}' was seen"
    session(transport, db, tree)
    session(transport, db, tree)  # sends the rejection written by the one before, if any
    files = tree_files(tree)
    assert no_temp(tree)
    for n, d in offered.items():
        assert len(files[n]) == 1, (n, files[n])
        assert sha((tree.root / files[n][0] / n).read_bytes()) == sha(d)
    assert files["Payments_20261106_002.txt"] == ["Входящие/Ошибки"]
    assert files["Ack_Payments_20261106_002.txt"] == ["Отправлены"]
    for n in sent:
        assert files[n] == ["Отправлены/Обработаны"] and files["Ack_" + n] == [
            "Отправлены/Обработаны"
        ]
    assert emu_inbox(emu) == []
    pending = {e.name for e in journal.files_with_status(db, "in", "pending")}
    assert pending == {
        "Payments_20261106_001.txt",
        "Payments_20261106_007.txt",
        "Readings_20261106_001.txt",
    }


def test_answer_filed_before_a_crash_is_journaled_and_notified(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    """Killed after both moves of an answer but before its journal: the next session must
    still record the rejection and tell the user."""
    sent = "Debts_20261105_001.txt"
    tree.ensure()
    (tree.sent_error / sent).write_bytes(example(sent))
    ack = formats.make_ack(sent, ORG, date(2026, 11, 5), [(9, "неизв.лиц.счёт: 2001")])
    ack_name = "Ack_" + sent
    (tree.sent_error / ack_name).write_bytes(formats.encode(formats.render(ack)))
    journal.record_file(db, sent, "out", "x", "DEBTS", "sent")
    journal.record_file(db, ack_name, "in", "y", "ACK", "received")
    r = session(transport, db, tree)
    assert r.answers_error == 1
    assert r.notices and sent in r.notices[0] and "неизв.лиц.счёт: 2001" in r.notices[0]
    entry = journal.get_file(db, "out", sent)
    assert entry is not None and entry.status == "error"
    assert (tree.sent_error / sent).is_file() and (tree.sent_error / ack_name).is_file()


def test_rejection_left_by_a_crash_is_dropped_when_the_file_is_now_correct(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    name = "Payments_20261106_001.txt"
    tree.ensure()
    (tree.incoming / name).write_bytes(example(name))
    stale = formats.make_ack(name, ORG, date(2026, 11, 6), [(9, "неизв.лиц.счёт: 2001")])
    (tree.outgoing / ("Ack_" + name)).write_bytes(formats.encode(formats.render(stale)))
    journal.record_file(db, "Ack_" + name, "out", "z", "ACK", "generated")
    journal.record_file(db, name, "in", "w", "PAYMENTS", "received")
    r = session(transport, db, tree)
    assert r.pending == 1 and r.sent == 0 and r.broken == 0
    assert not (tree.outgoing / ("Ack_" + name)).exists()
    assert emu_inbox(emu) == [] and not (emu.data_dir / "outbox" / ("Ack_" + name)).exists()


def test_ok_answer_for_other_rows_than_sent_is_an_error(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    sent = "Debts_20261105_001.txt"
    tree.ensure()
    (tree.sent / sent).write_bytes(example(sent))
    journal.record_file(db, sent, "out", "x", "DEBTS", "sent", rows=4, total=215040)
    head = formats.parse(example(sent), name=sent).header
    short = formats.Header(**{**{f: getattr(head, f) for f in head.__slots__}, "rows": 3})
    ack = formats.make_ack(sent, ORG, date(2026, 11, 5), [], short)
    emu.store.write_inbox("Ack_" + sent, formats.encode(formats.render(ack)))
    r = session(transport, db, tree)
    assert (r.answers_ok, r.answers_error) == (0, 1)
    assert "сервис подтвердил строк: 3, отправлено: 4" in r.notices[0]
    assert (tree.sent_error / sent).is_file()
    entry = journal.get_file(db, "out", sent)
    assert entry is not None and entry.status == "error"


def test_a_name_we_sent_offered_by_the_server_is_not_called_received(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree
) -> None:
    name = "Debts_20261105_001.txt"
    tree.ensure()
    (tree.sent_ok / name).write_bytes(example(name))  # ours, sent and answered long ago
    emu.store.write_inbox(name, b"something else")
    r = session(transport, db, tree)
    assert not any("уже был получен" in e for e in r.errors)
    assert (tree.incoming_error / name).read_bytes() == b"something else"
    assert (tree.sent_ok / name).read_bytes() == example(name)
    assert r.broken == 1 and "неожиданный файл" in r.notices[0]
