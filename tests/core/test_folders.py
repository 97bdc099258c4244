"""The exchange tree: creation, atomic writes, numbering, cleaning of temporary files."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest

from trayapp.core.folders import ExchangeTree, atomic_file, write_atomic
from trayapp.errors import GenerationError


def test_tree_names(tmp_path: Path) -> None:
    tree = ExchangeTree(tmp_path).ensure()
    made = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert made == ["Входящие", "Входящие/Обработаны", "Входящие/Ошибки", "Исходящие",
                    "Отправлены", "Отправлены/Обработаны", "Отправлены/Ошибки"]  # fmt: skip
    assert tree.next_number("DEBTS", date(2026, 11, 5)) == 1


def test_atomic_write_leaves_nothing_on_error(tmp_path: Path) -> None:
    target = tmp_path / "Debts_20261105_001.txt"
    write_atomic(target, b"old")
    with pytest.raises(RuntimeError), atomic_file(target) as f:
        f.write(b"half")
        raise RuntimeError("crash")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == [target.name]


def test_clean_temp_spares_fresh_files_of_other_writers(tmp_path: Path) -> None:
    tree = ExchangeTree(tmp_path).ensure()
    fresh_out = tree.outgoing / ".~body.123"  # a generation running right now
    old_out = tree.outgoing / ".~Debts_20261105_001.txt.abc"  # left by a crash long ago
    fresh_in = tree.incoming / ".~Payments_20261105_001.txt.x"  # only a session writes here
    for p in (fresh_out, old_out, fresh_in):
        p.write_bytes(b"x")
    hour_ago = time.time() - 7200
    os.utime(old_out, (hour_ago, hour_ago))
    assert tree.clean_temp() == 2
    assert fresh_out.exists() and not old_out.exists() and not fresh_in.exists()


def test_numbering_counts_every_folder(tmp_path: Path) -> None:
    tree = ExchangeTree(tmp_path).ensure()
    (tree.sent_error / "Meters_20261105_007.txt").write_bytes(b"")
    (tree.outgoing / "Ack_Payments_20261105_009.txt").write_bytes(b"")  # answers don't count
    assert tree.next_number("METERS", date(2026, 11, 5)) == 8
    assert tree.next_number("PAYMENTS", date(2026, 11, 5)) == 1
    (tree.sent / "Meters_20261105_999.txt").write_bytes(b"")
    with pytest.raises(GenerationError):
        tree.next_number("METERS", date(2026, 11, 5))


def test_numbering_counts_names_in_any_case(tmp_path: Path) -> None:
    """On Windows ``debts_…`` and ``Debts_…`` are one file: a copy left under another case
    must not be replaced by the next registry (registries.py numbers it with next_number);
    it is not a registry itself, and is not sent."""
    tree = ExchangeTree(tmp_path).ensure()
    (tree.outgoing / "debts_20261105_001.txt").write_bytes(b"mine")
    (tree.sent / "DEBTS_20261105_002.TXT").write_bytes(b"mine too")
    (tree.sent / "ack_debts_20261105_007.txt").write_bytes(b"")  # answers don't count
    assert tree.next_number("DEBTS", date(2026, 11, 5)) == 3
    assert tree.next_number("METERS", date(2026, 11, 5)) == 1
    assert tree.names(tree.outgoing) == [] and tree.others(tree.outgoing) == [
        "debts_20261105_001.txt"
    ]
