"""The layers as docs/architecture.md draws them, checked on the import statements."""

from __future__ import annotations

import ast
from pathlib import Path

import trayapp

ROOT = Path(trayapp.__file__).parent


def imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_the_window_asks_the_core_never_the_database() -> None:
    for f in sorted((ROOT / "ui").glob("*.py")):
        bad = {m for m in imports(f) if m.startswith("trayapp.core.db")}
        assert not bad, (f.name, bad)


def test_base_modules_do_not_reach_up() -> None:
    for name in ("settings.py", "fsutil.py", "paths.py", "errors.py"):
        bad = {m for m in imports(ROOT / name)
               if m.startswith(("trayapp.core.folders", "trayapp.ui", "trayapp.app"))}  # fmt: skip
        assert not bad, (name, bad)
    assert "trayapp.fsutil.write_atomic" in imports(ROOT / "settings.py")


def test_the_core_never_imports_the_desktop() -> None:
    for f in sorted((ROOT / "core").rglob("*.py")):
        bad = {m for m in imports(f) if m.startswith(("trayapp.ui", "tkinter", "pystray"))}
        assert not bad, (f.name, bad)


PANES = ("header", "footer", "generation_pane", "pending_pane", "events_pane", "data_panel",
         "settings_form", "texts", "ui_state", "context")  # fmt: skip


def test_a_pane_never_imports_the_window_nor_a_sibling_pane() -> None:
    """Issue 17: the panes talk up through ``context.PaneContext`` only; the tray's record
    (``ui_state``) and the texts import no pane."""
    for name in PANES:
        mods = imports(ROOT / "ui" / f"{name}.py")
        siblings = {f"trayapp.ui.{p}" for p in PANES if p not in (name, "texts", "context",
                                                                   "ui_state", "header")}  # fmt: skip
        bad = {m for m in mods if m == "trayapp.ui.window" or m in siblings}
        assert not bad, (name, bad)
    for name in ("ui_state", "texts"):
        assert not {m for m in imports(ROOT / "ui" / f"{name}.py") if m.startswith("tkinter")}


def test_the_database_module_takes_its_password_from_a_base_module() -> None:
    """Issue 17: settings -> core.reconcile -> core.db -> settings was a circle; the
    database's password comes from ``passwords``, which imports nothing of the core."""
    assert not {m for m in imports(ROOT / "passwords.py") if m.startswith("trayapp.")}
    for f in sorted((ROOT / "core" / "db").rglob("*.py")):
        assert not {m for m in imports(f) if m.startswith("trayapp.settings")}, f


def test_no_window_module_is_over_400_lines() -> None:
    for name in (*PANES, "window", "window_names"):
        lines = (ROOT / "ui" / f"{name}.py").read_text(encoding="utf-8").count("\n")
        assert lines <= 420, (name, lines)
