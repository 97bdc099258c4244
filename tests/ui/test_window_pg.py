"""The window on a company's PostgreSQL database: the status line names it, the settings
tab takes its URL and password (to the keyring, never to the settings file), a URL with a
password in it is refused with the Russian message, and generation works the same."""

from __future__ import annotations

import json
import os
import tkinter as tk
from collections.abc import Iterator
from pathlib import Path

import pytest

from trayapp import settings as st
from trayapp.app import App
from trayapp.core.demo import build_demo
from trayapp.core.registries import generate

from .conftest import TODAY, pump
from .test_window import MemoryKeyring, configure, make_window, memory_keyring  # noqa: F401


@pytest.fixture()
def pg_home(tmp_path: Path, fresh_pg: str) -> Iterator[Path]:
    home = tmp_path / "home"
    configure(home, database=fresh_pg)
    app = App.create(home)
    build_demo(app.db, accounts=30, today=TODAY)
    app.close()
    yield home


def test_window_on_postgresql(root: tk.Tk, pg_home: Path, fresh_pg: str,
                              memory_keyring: MemoryKeyring) -> None:  # noqa: F811
    win, dialogs = make_window(root, pg_home)
    label = fresh_pg.split("@", 1)[1]  # 127.0.0.1:PORT/DBNAME
    pump(root, lambda: label in win.status_var.get())
    assert "база: PostgreSQL " + label in win.status_var.get()
    form = win.settings_form
    assert form.database_var.get() == fresh_pg
    settings_file = pg_home / "settings.json"
    # a URL carrying a password: refused, nothing changed
    form.database_var.set(fresh_pg.replace("postgres@", "postgres:secret@"))
    form.save_button.invoke()
    pump(root, lambda: dialogs.shown)
    kind, title, message = dialogs.shown[0]
    assert title == "Настройки" and "«Пароль базы»" in message and "secret" not in message
    assert "trayapp " not in message  # the window names its field, not a command
    assert json.loads(settings_file.read_text(encoding="utf-8"))["database"] == fresh_pg
    # the URL and its password: the URL to the file, the password to the keyring
    dialogs.shown.clear()
    form.database_var.set(fresh_pg + "?sslmode=disable")
    password = os.environ["PGPASSWORD"]  # the fixture's: the window connects again with it
    form.db_password_var.set(password)
    form.save_button.invoke()
    pump(root, lambda: not win.worker.busy() and "sslmode" in settings_file.read_text("utf-8"))
    assert dialogs.shown == []
    text = settings_file.read_text(encoding="utf-8")
    assert json.loads(text)["database"] == fresh_pg + "?sslmode=disable"
    assert password not in text
    assert memory_keyring.store[(st.DB_KEYRING_SERVICE, fresh_pg)] == password
    pump(root, lambda: label in win.status_var.get())  # refreshed through the keyring's
    assert form.db_password_var.get() == ""


def test_generation_from_the_window_backend(pg_home: Path) -> None:
    """The backend the window uses reads the PostgreSQL database like the CLI does."""
    from trayapp.ui.backend import Backend

    r = Backend(str(pg_home)).generate("debts", None, False, TODAY)
    app = App.create(pg_home)
    again = generate(app.db, app.tree, "debts", app.settings.coding, TODAY, None, False)
    assert r.rows == again.rows > 0
    def body(p: Path) -> list[bytes]:
        return [ln for ln in p.read_bytes().split(b"\r\n") if not ln.startswith(b"#")]

    assert body(r.file) == body(again.file)
    app.close()
