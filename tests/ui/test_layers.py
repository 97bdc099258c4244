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
