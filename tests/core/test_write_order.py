"""What is written, and in which order, checked where a mutation showed the suite blind:

- the confirmation ``Ack_`` is written to a temporary file, fsynced, then renamed over its
  name, then its folder is fsynced (an audit hook sees every open, rename, link and remove,
  ``os.fsync`` is watched): never in place; every event in the folder is compared, not only
  those naming the file, so a step that names the folder alone (its fsync) is not overlooked;
- ``write_atomic`` itself: exactly that sequence and nothing else;
- exports (``tables.atomic_write``: CSV and .xlsx, a new name claimed by a hard link or, where
  there are none, by an ``O_EXCL`` reservation, or a file replaced): temp, fsync, into place,
  folder fsync;
- a download's DELETE comes only after fsync, rename and the journal entry: a fault injected
  at each of those steps leaves the file on the server;
- a rejection is written in cp1251, read back as bytes (not through the lenient parser);
- an empty ``accrued`` of a Debts line is an error, not 0.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core import registry_fixture as fx
from tests.core.test_exchange import ORG, emu_inbox, payments, seed
from tests.core.test_export import NOW, accept_payments
from tests.core.test_validate import payments_file
from trayapp.core import exchange as exchange_mod
from trayapp.core import formats, tables
from trayapp.core.accept import accept, list_pending
from trayapp.core.db import Database, journal, open_database
from trayapp.core.exchange import run_session
from trayapp.core.exporter import export
from trayapp.core.folders import ExchangeTree
from trayapp.core.importer import import_rows
from trayapp.core.transport import HttpTransport
from trayapp.emulator.server import Emulator
from trayapp.errors import AppError, RegistryError
from trayapp.fsutil import write_atomic

NAME = "Payments_20261106_001.txt"

# ---------------------------------------------------------------------------- the trace

_TRACE: list[tuple[str, ...]] | None = None


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _TRACE is None:
        return
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path, mode, flags = args
        writing = (mode is not None and any(c in str(mode) for c in "wax+")) or (
            isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR)
        )
        if writing:
            _TRACE.append(("open-write", os.fsdecode(path)))
    elif event == "os.rename":  # os.replace too
        _TRACE.append(("rename", os.fsdecode(args[0]), os.fsdecode(args[1])))
    elif event == "os.link":
        _TRACE.append(("link", os.fsdecode(args[0]), os.fsdecode(args[1])))
    elif event == "os.remove":
        _TRACE.append(("remove", os.fsdecode(args[0])))


sys.addaudithook(_hook)


@pytest.fixture
def trace(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, ...]]]:
    global _TRACE
    events: list[tuple[str, ...]] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = f"fd {fd}"
        events.append(("fsync", target))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    _TRACE = events
    yield events
    _TRACE = None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/fd")
def test_the_confirmation_is_written_temp_fsync_replace(
    tmp_path: Path, trace: list[tuple[str, ...]]
) -> None:
    db = fx.build(tmp_path / "b.db")
    tree = ExchangeTree(tmp_path / "x").ensure()
    (tree.incoming / NAME).write_bytes(
        payments_file(["p-1;05.11.2026 10:00:00;1001;102;10.00;10.2026"])
    )
    assert list_pending(db, tree, fx.ORG[0], "GOROD")
    trace.clear()
    accept(db, tree, NAME, fx.ORG[0], "GOROD", tmp_path / "r", report=False)
    ack = str(tree.outgoing / f"Ack_{NAME}")
    outgoing = str(tree.outgoing)
    mine = in_folder(trace, outgoing)
    tmp = mine[0][1]
    assert Path(tmp).parent == tree.outgoing and Path(tmp).name.startswith(f".~Ack_{NAME}.")
    # every event in Исходящие, not only those that name the file: the folder's fsync after
    # the rename names the folder alone
    assert mine == [("open-write", tmp), ("fsync", tmp), ("rename", tmp, ack),
                    ("fsync", outgoing)], mine
    db.close()


def in_folder(trace: list[tuple[str, ...]], folder: str) -> list[tuple[str, ...]]:
    """The events on ``folder`` itself or on any path in it (its fsync included), not only
    those naming one file; events elsewhere (openpyxl's own scratch files) are left out."""
    mine = [e for e in trace if any(x == folder or x.startswith(folder + os.sep) for x in e[1:])]
    assert mine, f"nothing happened in {folder}: {trace}"
    return mine


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/fd")
def test_write_atomic_is_temp_fsync_replace_then_the_folder(
    tmp_path: Path, trace: list[tuple[str, ...]]
) -> None:
    target = tmp_path / "Настройки.json"
    target.write_bytes(b"old")
    trace.clear()
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    tmp = trace[0][1]
    assert Path(tmp).parent == tmp_path and Path(tmp).name.startswith(".~Настройки.json.")
    assert trace == [("open-write", tmp), ("fsync", tmp), ("rename", tmp, str(target)),
                     ("fsync", str(tmp_path))]


# ---------------------------------------------------------------------------- exports


@pytest.fixture
def export_db(tmp_path: Path) -> Iterator[Database]:
    d = open_database(tmp_path / "e.db")
    import_rows(d, "org", ["inn", "name"], [["5401000001", "ТСЖ «Берёзка»"]])
    import_rows(d, "services", ["code", "name", "metered"], [["1", "Содержание", "0"]])
    import_rows(d, "accounts", ["account", "full_name", "street", "house"],
                [["8030001", "Иванов И. И.", "ул. Титова", "12"]])
    accept_payments(d, "Payments_20261106_001.txt", "000001",
                    [("a-1", "2026-11-05 19:44:02", "8030001", 1, 100000)])
    yield d
    d.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/fd")
@pytest.mark.parametrize("name", [None, "Оплаты.csv", "Оплаты.xlsx"])
@pytest.mark.parametrize("links", [True, False], ids=["link", "no-links"])
def test_an_export_is_temp_fsync_into_place_then_the_folder(
    export_db: Database, tmp_path: Path, trace: list[tuple[str, ...]],
    monkeypatch: pytest.MonkeyPatch, name: str | None, links: bool,
) -> None:
    out = tmp_path / "Выгрузки"
    out.mkdir()
    if not links:  # FAT, some network shares: the name is reserved by O_EXCL, then replaced
        def no_link(src: Any, dst: Any) -> None:
            raise OSError(1, "injected: no hard links here")

        monkeypatch.setattr(os, "link", no_link)
    trace.clear()
    result = export(export_db, "payments", Path(name) if name else None, False, NOW, out)
    assert result.rows == 1 and result.file is not None and result.file.parent == out
    target = str(result.file)
    mine = in_folder(trace, str(out))
    tmp = mine[0][1]
    assert Path(tmp).parent == out and Path(tmp).name.startswith(f".{result.file.name}.")
    if links:
        into_place = [("link", tmp, target), ("remove", tmp)]
    else:
        into_place = [("open-write", target), ("rename", tmp, target)]
    assert mine == [("open-write", tmp), ("fsync", tmp), *into_place, ("fsync", str(out))]
    assert [p.name for p in out.iterdir()] == [result.file.name]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/fd")
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_table_written_over_a_file_is_temp_fsync_replace_then_the_folder(
    tmp_path: Path, trace: list[tuple[str, ...]], suffix: str
) -> None:
    target = tmp_path / f"Таблица{suffix}"
    target.write_bytes(b"old")
    trace.clear()
    write = tables.write_csv if suffix == ".csv" else tables.write_xlsx
    assert write(target, ["a", "b"], [["1", "2"]]) == (1, target)
    mine = in_folder(trace, str(tmp_path))
    tmp = mine[0][1]
    assert Path(tmp).parent == tmp_path and Path(tmp).name.startswith(f".{target.name}.")
    assert mine == [("open-write", tmp), ("fsync", tmp), ("rename", tmp, str(target)),
                    ("fsync", str(tmp_path))]
    assert target.read_bytes() != b"old"


# ---------------------------------------------------------------------------- DELETE last


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[Emulator]:
    e = Emulator(tmp_path / "emu", residents=False, seed=7)
    e.start()
    yield e
    e.stop()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database(tmp_path / "db.sqlite")
    seed(d)
    yield d
    d.close()


GOOD = payments(1, "g-1;05.11.2026 10:00:00;2001;101;100.00;10.2026")


class Fault(Exception):
    pass


@pytest.mark.parametrize("step", [
    pytest.param("fsync", marks=pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                   reason="/proc/self/fd")),
    "rename", "journal", "none"])
def test_delete_comes_after_fsync_rename_and_journal(
    emu: Emulator, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    tree = ExchangeTree(tmp_path / "x").ensure()
    emu.store.write_inbox(NAME, GOOD)
    incoming = str(tree.incoming)
    if step == "fsync":
        real_fsync = os.fsync

        def fsync(fd: int) -> None:
            if os.readlink(f"/proc/self/fd/{fd}").startswith(incoming + "/.~"):
                raise OSError(5, "injected: fsync failed")
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)
    elif step == "rename":
        real_replace = os.replace

        def replace(src: Any, dst: Any) -> None:
            if str(dst) == str(tree.incoming / NAME):
                raise OSError(5, "injected: rename failed")
            real_replace(src, dst)

        monkeypatch.setattr(exchange_mod.os, "replace", replace)
    elif step == "journal":
        real_record = journal.record_file

        def record(db: Database, name: str, *a: Any, **kw: Any) -> int:
            if name == NAME:
                raise Fault("injected: the journal entry failed")
            return real_record(db, name, *a, **kw)

        monkeypatch.setattr(exchange_mod.journal, "record_file", record)
    with HttpTransport(emu.url, "demo", "demo", sleep=lambda s: None) as t:
        try:
            run_session(t, db, tree, ORG, "GOROD")
        except (AppError, Fault):
            pass
    if step == "none":
        assert emu_inbox(emu) == []  # the control: without a fault it is deleted
        assert (tree.incoming / NAME).read_bytes() == GOOD
    else:
        assert emu_inbox(emu) == [NAME]  # the fault came first: still on the server


# ---------------------------------------------------------------------------- bytes


def test_a_rejection_is_cp1251_bytes(emu: Emulator, db: Database, tmp_path: Path) -> None:
    tree = ExchangeTree(tmp_path / "x").ensure()
    emu.store.write_inbox(NAME, payments(1, "g-1;05.11.2026 10:00:00;8032067;101;5.00;10.2026"))
    with HttpTransport(emu.url, "demo", "demo", sleep=lambda s: None) as t:
        r = run_session(t, db, tree, ORG, "GOROD")
    assert r.broken == 1
    data = (tree.outgoing / f"Ack_{NAME}").read_bytes()
    message = "неизв.лиц.счёт: 8032067"
    assert message.encode("cp1251") in data
    assert message.encode("utf-8") not in data and not data.startswith(b"\xef\xbb\xbf")
    data.decode("cp1251")  # strict: every byte is cp1251
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_an_empty_accrued_of_a_debts_line_is_refused() -> None:
    text = ("#FORMAT MOISCHETA/1\r\n#TYPE DEBTS\r\n#ORG 5401000001\r\n#DATE 05.11.2026\r\n"
            "#NUMBER 001\r\n#PERIOD 10.2026\r\n#ASOF 05.11.2026\r\n#CODING GOROD\r\n#ROWS 1\r\n"
            "#FILESUM 10.00\r\n1001;Иванов;Новосибирск,Ленина,1,1;101;10.00;\r\n")  # fmt: skip
    with pytest.raises(RegistryError) as info:
        formats.parse(text.encode("cp1251"), name="Debts_20261105_001.txt")
    assert info.value.errors == [(11, "неверная сумма: ")]
