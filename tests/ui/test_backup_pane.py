"""«Резервные копии» in «Настройки», a real Tk window under Xvfb: the folder and its same-disk
warning, «Сделать копию сейчас», the list, «Проверить» on a damaged copy, «Восстановить…» with
its question, the events, and a failed automatic backup shown as a notification."""

from __future__ import annotations

import subprocess
import tkinter as tk
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.conftest import pump
from tests.ui.test_window import configure, make_window, tree
from trayapp.ui.backup_pane import SAME_DISK


def rows(win: object) -> list[tuple[str, ...]]:
    t = win.backup_pane.tree  # type: ignore[attr-defined]
    return [tuple(str(v) for v in t.item(i, "values")) for i in t.get_children()]


def idle(root: tk.Tk, win: object) -> None:
    pump(root, lambda: not win.worker.busy())  # type: ignore[attr-defined]


@pytest.fixture()
def other_disk(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "usb"
    d.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(d)],
                       capture_output=True)  # fmt: skip
    if r.returncode:
        pytest.skip("no tmpfs")
    try:
        yield d
    finally:
        subprocess.run(["umount", str(d)], check=False)


def test_backup_verify_and_restore_from_the_window(root: tk.Tk, home: Path, other_disk: Path) -> None:
    configure(home)
    win, dialogs = make_window(root, home)
    pane = win.backup_pane
    idle(root, win)
    assert pane.warning.cget("text") == SAME_DISK  # the default: beside the database
    assert rows(win) == []
    pane.backup_button.invoke()
    idle(root, win)
    (row,) = rows(win)
    assert row[3] == "в порядке" and row[1].endswith("МБ")
    assert "Резервная копия сделана и проверена" in win.message_var.get()
    assert any("Резервная копия сделана" in t for t in win.event_texts())

    dialogs.folder = str(other_disk / "Копии")
    pane.choose_button.invoke()
    idle(root, win)
    assert pane.folder_var.get() == str(other_disk / "Копии")
    assert pane.warning.cget("text") == ""  # another disk: no warning
    pane.backup_button.invoke()
    idle(root, win)
    assert len(rows(win)) == 1  # the list is of the folder chosen
    copy = next((other_disk / "Копии").glob("*.zip"))
    (tree(home).outgoing / "после.txt").write_text("после копии", encoding="utf-8")

    data = bytearray(copy.read_bytes())  # one byte of the database changed
    with zipfile.ZipFile(copy) as zf:
        info = zf.getinfo("database.sqlite")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    good_bytes = copy.read_bytes()
    copy.write_bytes(bytes(data))
    pane.reload()
    idle(root, win)
    pane.verify_button.invoke()
    idle(root, win)
    kind, title, text = dialogs.shown[-1]
    assert kind == "warning" and "database.sqlite" in text
    assert rows(win)[0][3] == "повреждена"
    assert any("повреждена" in t for t in win.event_texts())
    copy.write_bytes(good_bytes)

    dialogs.answer = False  # «Нет»: nothing happens
    pane.restore_button.invoke()
    idle(root, win)
    kind, title, question = dialogs.shown[-1]
    assert kind == "ask" and "база данных" in question and "настройки" in question
    assert str(tree(home).root) in question and "before-restore" in question
    assert (tree(home).outgoing / "после.txt").exists()
    dialogs.answer = True
    pane.restore_button.invoke()
    idle(root, win)
    assert "Восстановлено из" in win.message_var.get(), win.message_var.get()
    assert not (tree(home).outgoing / "после.txt").exists()
    assert any("Восстановлено из резервной копии" in t for t in win.event_texts())
    assert any(n.name.endswith("-before-restore.zip") for n in (other_disk / "Копии").iterdir())
    win.close()


def test_a_failed_automatic_backup_is_a_notification(root: tk.Tk, home: Path, tmp_path: Path) -> None:
    configure(home, backup_folder=str(tmp_path / "stick"))
    (tmp_path / "stick").rmdir()  # the stick was taken out
    states: list[object] = []
    win, _ = make_window(root, home)
    win.on_state = states.append
    win.backup_pane.start_of_day()
    idle(root, win)
    pump(root, lambda: any("Резервная копия не сделана" in t for t in win.event_texts()))
    win.refresh()
    idle(root, win)
    notices = [n for s in states for n in getattr(s, "notices", [])]
    assert any("Резервная копия не сделана" in n and "не найден" in n for n in notices), states
    win.close()


def test_the_windows_session_acceptance_and_posting_make_backups(home: Path, info: object,
                                                                   tmp_path: Path) -> None:  # fmt: skip
    """The window's jobs (ui/backend.py) call the automatic backup as the CLI does: after a
    session that received files, an acceptance, a posting; the minute rule between them."""
    from trayapp.core import registries
    from trayapp.emulator.server import Emulator
    from trayapp.ui.backend import Backend

    folder = tmp_path / "copies"
    folder.mkdir()
    with Emulator(tmp_path / "emulator", org=info.inn, seed=1) as em:  # type: ignore[attr-defined]
        configure(home, server_url=em.url, login="demo", backup_folder=str(folder))
        b = Backend(str(home), "demo")
        with b.app() as a:
            registries.generate(a.db, a.tree, "debts", "GOROD", a.clock().date())
            registries.generate(a.db, a.tree, "meters", "GOROD", a.clock().date())
        outcome = b.exchange()
        for _ in range(3):
            if outcome.result.received and outcome.snapshot.pending:
                break
            outcome = b.exchange()
        assert outcome.result.received
        assert len(list(folder.glob("*.zip"))) == 1
        for p in folder.glob("*.zip"):
            p.unlink()  # else the next one is skipped: a minute old exists
        pay = next(p for p in outcome.snapshot.pending if p.kind == "PAYMENTS")
        b.accept(pay.file)
        assert len(list(folder.glob("*.zip"))) == 1
        readings = [p for p in b.snapshot().pending if p.kind == "READINGS"]
        assert readings
        r = b.accept(readings[0].file)
        for p in folder.glob("*.zip"):
            p.unlink()
        b.post(r.document, b.below_previous(r.document))
        assert len(list(folder.glob("*.zip"))) == 1
