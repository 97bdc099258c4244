"""``trayapp post DOCUMENT --leave METER_ID[,...]`` (issue 17, item 8; docs/decisions.md)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.test_cli import run
from trayapp.app import App


def test_post_leaves_the_named_meters_unposted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "demo", "--accounts", "25", "--no-tray").returncode == 0
    app = App.create(home)
    try:
        number, meter = app.db.one(
            "SELECT d.number, m.meter_id FROM documents d JOIN readings r ON r.document_id = d.id"
            " JOIN meters m ON m.id = r.meter_ref WHERE d.kind = 'readings' AND d.posted = 0"
            " ORDER BY r.id LIMIT 1")  # fmt: skip
        total = int(app.db.scalar("SELECT rows_count FROM documents WHERE number = ?"
                                  " AND kind = 'readings'", (number,)))  # fmt: skip
        mine = int(app.db.scalar(
            "SELECT COUNT(*) FROM readings r JOIN meters m ON m.id = r.meter_ref"
            " JOIN documents d ON d.id = r.document_id WHERE d.number = ? AND d.kind = 'readings'"
            " AND m.meter_id = ?", (number, meter)))  # fmt: skip
    finally:
        app.close()
    bad = run(home, "post", number, "--leave", f"{meter},нет-такого")
    assert bad.returncode != 0 and "нет-такого" in bad.stderr
    r = run(home, "post", number, "--leave", str(meter), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["document"], out["rows"], out["left_rows"]) == (number, total - mine, mine)
    app = App.create(home)
    try:
        left = app.db.all(
            "SELECT DISTINCT m.meter_id, r.posted FROM readings r JOIN meters m"
            " ON m.id = r.meter_ref JOIN documents d ON d.id = r.document_id"
            " WHERE d.number = ? AND d.kind = 'readings'", (out["left_document"],))  # fmt: skip
    finally:
        app.close()
    assert [tuple(x) for x in left] == [(str(meter), 0)]


def test_post_names_the_readings_below_the_previous_ones(tmp_path: Path) -> None:
    """The window asks about them; the command line posted them and said nothing (the event
    said «из них меньше предыдущих 7»). Now it lists them, and the accept hint names the
    command with the --home given."""
    from trayapp.core.accept import below_previous, unposted_readings

    home = tmp_path / "дом с пробелом"
    assert run(home, "demo", "--accounts", "25", "--no-tray").returncode == 0
    app = App.create(home)
    try:
        docs = [(n, below_previous(app.db, n)) for n, _, _ in unposted_readings(app.db)]
    finally:
        app.close()
    number, below = max(docs, key=lambda d: len(d[1]))
    assert below, "the demo has readings below the previous ones"
    r = run(home, "post", number)
    assert r.returncode == 0, r.stderr
    assert f"документ № {number} проведён" in r.stdout
    assert f"из них меньше предыдущих: {len(below)}" in r.stdout
    for b in below[:20]:
        assert f"л/с {b.account}, счётчик {b.serial or b.meter_id}:" in r.stdout


def test_typed_command_carries_home_and_assoc() -> None:
    from trayapp.console import typed_command

    assert typed_command("/tmp/дом с пробелом", "ТСЖ «Берёзка»").endswith(
        ' --home "/tmp/дом с пробелом" --assoc "ТСЖ «Берёзка»"')
    assert " --home " not in typed_command(None, None)


def test_typed_command_in_the_installed_build(tmp_path: Path, monkeypatch: object) -> None:
    """The Windows build is not on PATH and has no ``-m``: the hint said
    «"…\\trayapp-cli.exe" -m trayapp post 000012», which fails when typed."""
    import sys

    import pytest

    from trayapp.console import typed_command

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    folder = tmp_path / "Мои счета"
    folder.mkdir()
    (folder / "trayapp-cli.exe").write_bytes(b"MZ")
    for exe in ("trayapp.exe", "trayapp-cli.exe"):  # from the window's or the console's
        mp.setattr(sys, "frozen", True, raising=False)
        mp.setattr(sys, "executable", str(folder / exe))
        typed = typed_command("C:/ТСЖ")
        assert typed == f'"{folder / "trayapp-cli.exe"}" --home C:/ТСЖ'
        assert " -m " not in typed
