"""Files held by another program (Excel, an antivirus), and junk files in Исходящие.

Windows refuses ``os.replace`` and ``unlink`` of a file another program holds (WinError 5 or
32); a peer cannot produce that here, so ``os.replace``/``os.unlink`` are replaced by ones
that fail for one path a number of times (an injected fault), then behave. Everything else is
real: files, SQLite, the emulator over HTTP.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.core.test_exchange import (  # noqa: F401 - fixtures
    ORG,
    db,
    emu,
    emu_inbox,
    example,
    session,
    sleeps,
    transport,
    tree,
)
from trayapp import fsutil
from trayapp.core import folders, formats, tables
from trayapp.core.db import journal
from trayapp.core.db.connection import Database
from trayapp.core.exchange import status
from trayapp.core.folders import ExchangeTree, write_atomic
from trayapp.core.transport import HttpTransport
from trayapp.emulator.server import Emulator
from trayapp.errors import FolderError


class Held:
    """``os.<name>`` failing with PermissionError for paths ending in ``suffix``, ``times``
    times (``None``: always), then the real call; counts the failures."""

    def __init__(self, real: Callable[..., Any], suffix: str, times: int | None) -> None:
        self.real, self.suffix, self.times, self.failed = real, suffix, times, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        paths = [str(a) for a in args[:2]]
        if any(p.endswith(self.suffix) for p in paths) and (
            self.times is None or self.failed < self.times
        ):
            self.failed += 1
            raise PermissionError(errno.EACCES, "The process cannot access the file", paths[0])
        return self.real(*args, **kwargs)


@pytest.fixture
def no_wait(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    waited: list[float] = []
    monkeypatch.setattr(fsutil.time, "sleep", waited.append)
    yield waited


def hold(monkeypatch: pytest.MonkeyPatch, name: str, suffix: str, times: int | None) -> Held:
    h = Held(getattr(os, name), suffix, times)
    monkeypatch.setattr(os, name, h)
    return h


def test_replace_waits_while_the_file_is_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_wait: list[float]
) -> None:
    target = tmp_path / "Debts_20261106_001.txt"
    h = hold(monkeypatch, "replace", target.name, 3)
    write_atomic(target, b"data")
    assert target.read_bytes() == b"data" and h.failed == 3 and len(no_wait) == 3


def test_replace_gives_up_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_wait: list[float]
) -> None:
    target = tmp_path / "payments.csv"
    target.write_bytes(b"old")
    hold(monkeypatch, "replace", target.name, None)
    with pytest.raises(FolderError) as info:
        tables.write_csv(target, ["a"], [["1"]])
    assert "payments.csv" in info.value.message
    assert len(no_wait) == len(folders.BUSY_DELAYS)  # it waited, then gave up
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["payments.csv"]  # no temp left behind


def test_move_in_the_tree_waits_while_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_wait: list[float]
) -> None:
    t = ExchangeTree(tmp_path / "x").ensure()
    src = t.outgoing / "Debts_20261106_001.txt"
    src.write_bytes(b"x")
    hold(monkeypatch, "replace", src.name, 2)
    assert t.move(src, t.sent).read_bytes() == b"x" and not src.exists()


def test_remove_file_reports_what_it_could_not_remove(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_wait: list[float]
) -> None:
    f = tmp_path / "a.txt"
    f.write_text("x")
    hold(monkeypatch, "unlink", "a.txt", None)
    with pytest.raises(FolderError):
        folders.remove_file(f)
    assert f.exists()
    monkeypatch.undo()
    assert folders.remove_file(f) is True and folders.remove_file(f) is False


def test_withdrawing_a_registry_waits_while_it_is_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_wait: list[float]
) -> None:
    from trayapp.core.registries import withdraw

    t = ExchangeTree(tmp_path / "x").ensure()
    name = "Debts_20261106_001.txt"
    (t.outgoing / name).write_bytes(b"x")
    h = hold(monkeypatch, "unlink", name, 2)  # the accountant has it open in Excel
    withdraw(t, name)
    assert not (t.outgoing / name).exists() and h.failed == 2 and len(no_wait) == 2


def test_export_under_a_new_name_survives_a_held_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_wait: list[float]
) -> None:
    target = tmp_path / "payments.csv"
    target.write_bytes(b"old")
    hold(monkeypatch, "unlink", ".tmp", None)  # an antivirus holds the temporary name
    count, written = tables.write_csv(target, ["a"], [["1"]], new=3)
    assert count == 1 and written.name == "payments_2.csv"
    assert written.read_bytes() == b"\xef\xbb\xbfa\r\n1\r\n" and target.read_bytes() == b"old"


def test_export_without_hard_links_waits_for_the_reserved_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_wait: list[float]
) -> None:
    target = tmp_path / "payments.csv"
    hold(monkeypatch, "link", target.name, None)  # FAT or a share: no hard links
    h = hold(monkeypatch, "replace", target.name, 2)  # the new empty file is being scanned
    count, written = tables.write_csv(target, ["a"], [["1"]], new=3)
    assert written == target and target.read_bytes().endswith(b"1\r\n") and h.failed == 2
    assert [p.name for p in tmp_path.iterdir()] == ["payments.csv"]


def test_stale_rejection_that_cannot_be_removed_is_not_forgotten(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch, no_wait: list[float],
) -> None:  # fmt: skip
    name = "Payments_20261106_001.txt"
    ack = "Ack_" + name
    (tree.incoming / name).write_bytes(example(name))
    stale = formats.make_ack(name, ORG, date(2026, 11, 6), [(9, "неизв.лиц.счёт: 2001")])
    (tree.outgoing / ack).write_bytes(formats.encode(formats.render(stale)))
    journal.record_file(db, ack, "out", "z", "ACK", "generated")
    journal.record_file(db, name, "in", "w", "PAYMENTS", "received")
    h = hold(monkeypatch, "unlink", ack, None)
    with pytest.raises(FolderError) as info:
        session(transport, db, tree)
    assert ack in info.value.message and h.failed > 0
    assert (tree.outgoing / ack).is_file()  # still there, and still known
    assert journal.get_file(db, "out", ack) is not None
    entry = journal.get_file(db, "in", name)
    assert entry is not None and entry.status == "received"  # not yet pending
    assert not (emu.data_dir / "outbox" / ack).exists()  # the wrong rejection never went out
    monkeypatch.setattr(os, "unlink", h.real)  # the other program lets go
    r = session(transport, db, tree)
    assert r.pending == 1 and r.sent == 0
    assert not (tree.outgoing / ack).exists() and journal.get_file(db, "out", ack) is None
    assert not (emu.data_dir / "outbox" / ack).exists()


JUNK = ["desktop.ini", "Thumbs.db", "~$Реестр.xlsx", ".hidden"]


def test_junk_in_outgoing_is_skipped_silently(
    emu: Emulator, transport: HttpTransport, db: Database, tree: ExchangeTree  # noqa: F811
) -> None:
    for n in [*JUNK, "заметки.txt"]:
        (tree.outgoing / n).write_text("x")
    assert tree.others(tree.outgoing) == ["заметки.txt"]
    r = session(transport, db, tree)
    assert len(r.errors) == 1 and "заметки.txt" in r.errors[0]  # the real stray file only
    assert status(db, tree)["waiting"] == 1
    for n in JUNK:
        assert (tree.outgoing / n).exists() and not (emu.data_dir / "outbox" / n).exists()


@pytest.mark.skipif(sys.platform != "win32", reason="file attributes are Windows'")
def test_hidden_and_system_files_skipped_and_temp_files_hidden(tmp_path: Path) -> None:
    import ctypes

    t = ExchangeTree(tmp_path / "x").ensure()
    for n, attr in (("a.txt", 0x2), ("b.txt", 0x4), ("c.txt", 0x80)):
        f = t.outgoing / n
        f.write_text("x")
        assert ctypes.windll.kernel32.SetFileAttributesW(str(f), attr)
    assert t.others(t.outgoing) == ["c.txt"]
    target = t.outgoing / "Debts_20261106_001.txt"
    with folders.atomic_file(target) as out:
        out.write(b"x")
        (tmp,) = [p for p in t.outgoing.iterdir() if p.name.startswith(folders.TEMP_PREFIX)]
        assert os.stat(tmp).st_file_attributes & 0x2  # the temp file is hidden
    assert not os.stat(target).st_file_attributes & 0x2  # what it became is not


@pytest.mark.skipif(sys.platform != "win32", reason="file attributes are Windows'")
@pytest.mark.parametrize("new", [0, 3])
def test_an_export_is_hidden_while_written_and_visible_after(tmp_path: Path, new: int) -> None:
    target = tmp_path / "payments.csv"
    seen: list[int] = []

    def rows() -> Iterator[list[str]]:
        (tmp,) = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        seen.append(os.stat(tmp).st_file_attributes & 0x2)
        yield ["1"]

    _, written = tables.write_csv(target, ["a"], rows(), new=new)
    assert seen == [0x2]  # hidden while written
    assert not os.stat(written).st_file_attributes & 0x2  # a hard link shares the attributes
