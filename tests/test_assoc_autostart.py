"""The one autostart entry starts the one tray for all the associations (issue 19 defect 2).

Turned on from a home that is not in the list yet, the home joins the list and the entry
(which names no home) starts a tray that shows it; turned off from any home, the one entry
is off for all of them. Real processes, the real XDG entry in a temporary config folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .test_assoc_apart import FIRST, SECOND, load_org, ok, trayapp

TRAY_CHOICE = ("from trayapp.ui.assoc_tray import associations_of; import json; "
               "print(json.dumps([a.name for a in associations_of(None)], ensure_ascii=False))")  # fmt: skip


def tray_shows(tmp: Path) -> list[str]:
    """The associations a tray started by the entry (no --home) shows."""
    import os

    env = dict(os.environ, TRAYAPP_HOME=str(tmp / "first"), XDG_CONFIG_HOME=str(tmp / "xdg"))
    r = subprocess.run([sys.executable, "-c", TRAY_CHOICE], capture_output=True, text=True,
                       env=env, timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stderr
    names: list[str] = json.loads(r.stdout)
    return names


def entry(tmp: Path) -> str | None:
    f = tmp / "xdg" / "autostart" / "trayapp.desktop"
    return f.read_text("utf-8") if f.is_file() else None


def test_autostart_from_another_home_starts_the_tray_of_all(tmp_path: Path) -> None:
    load_org(tmp_path, [], *FIRST)
    other = tmp_path / "second"
    load_org(tmp_path, ["--home", str(other)], *SECOND)
    assert tray_shows(tmp_path) == [FIRST[1]]  # before: the default home alone
    ok(trayapp(tmp_path, "--home", str(other), "settings", "set", "autostart", "1"))
    text = entry(tmp_path)
    assert text is not None
    exec_line = next(ln for ln in text.splitlines() if ln.startswith("Exec="))
    assert exec_line.endswith(" tray --minimized") and str(other) not in exec_line
    assert tray_shows(tmp_path) == [FIRST[1], SECOND[1]]  # the home it was turned on from
    # one entry: on in every home, and off from any of them is off for all
    for home in ([], ["--home", str(other)]):
        shown = json.loads(ok(trayapp(tmp_path, *home, "--json", "settings", "show")))
        assert shown["autostart"] is True
    ok(trayapp(tmp_path, "settings", "set", "autostart", "0"))
    assert entry(tmp_path) is None
    shown = json.loads(ok(trayapp(tmp_path, "--home", str(other), "--json", "settings", "show")))
    assert shown["autostart"] is False


def test_an_unused_default_home_is_not_put_in_the_list(tmp_path: Path) -> None:
    """Homes of their own only (the default one never set up): at login no empty
    association on «Первый запуск»."""
    other = tmp_path / "second"
    load_org(tmp_path, ["--home", str(other)], *SECOND)
    ok(trayapp(tmp_path, "--home", str(other), "settings", "set", "autostart", "1"))
    assert tray_shows(tmp_path) == [SECOND[1]]
