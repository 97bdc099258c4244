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
