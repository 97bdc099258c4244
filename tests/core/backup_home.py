"""A home for the backup tests: an association imported, its registries sent to the real
emulator over HTTP, the owners' Payments and Readings received and pending."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trayapp.core import exchange, importer
from trayapp.core.db import Database
from trayapp.core.demo import ORDER, write_tables
from trayapp.core.folders import TEMP_PREFIX, ExchangeTree
from trayapp.core.registries import generate
from trayapp.core.transport import HttpTransport
from trayapp.emulator.server import Emulator
from trayapp.paths import AppPaths
from trayapp.settings import Settings

TODAY = date.today()
SEED = 5


def paths_of(home: Path) -> AppPaths:
    return AppPaths(home, home / "data", home / "logs")


def db_of(home: Path) -> Database:
    return Database(home / "data" / "trayapp.db")


def tree_of(home: Path) -> ExchangeTree:
    return ExchangeTree(home / "data" / "Мои счета")


def write_settings(home: Path, **extra: Any) -> None:
    home.mkdir(parents=True, exist_ok=True)
    data = {"coding": "GOROD", "login": "demo", "server_url": "http://127.0.0.1:9", **extra}
    (home / "settings.json").write_text(json.dumps(data), encoding="utf-8")


def settings_of(home: Path) -> Settings:
    from trayapp import settings as st

    return st.load(paths_of(home))


def session(emu: Emulator, home: Path, inn: str) -> exchange.SessionResult:
    db = db_of(home)
    try:
        with HttpTransport(emu.url, "demo", "demo", sleep=lambda s: None) as t:
            return exchange.run_session(t, db, tree_of(home), inn, "GOROD", datetime.now)
    finally:
        db.close()


def make_home(base: Path, accounts: int = 20) -> tuple[Path, str]:
    """(home with two pending registries, its ИНН); the emulator is stopped again."""
    tables = write_tables(base / "tables", accounts=accounts, seed=SEED, today=TODAY)
    home = base / "home"
    (home / "data").mkdir(parents=True)
    write_settings(home)
    db = db_of(home)
    for kind in ORDER:
        importer.import_file(db, kind, tables[kind])
    inn = str(db.scalar("SELECT inn FROM org"))
    tree = tree_of(home).ensure()
    for kind in ("services", "debts", "meters"):
        generate(db, tree, kind, "GOROD", TODAY)
    db.close()
    emu = Emulator(base / "emu", org=inn, seed=SEED)
    emu.start()
    try:
        session(emu, home, inn)
        session(emu, home, inn)
    finally:
        emu.stop()
    return home, inn


def copy_home(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def snapshot(home: Path) -> dict[str, Any]:
    """What a restore must bring back: every file of the exchange folder and the reports
    (name -> sha256), the settings, and the database's rows of every table."""
    files = {}
    for root in (home / "data" / "Мои счета", home / "data" / "Отчёты"):
        for d, _, names in os.walk(root):
            for n in names:
                if not n.startswith(TEMP_PREFIX):
                    p = Path(d) / n
                    files[str(p.relative_to(home))] = hashlib.sha256(p.read_bytes()).hexdigest()
    db = db_of(home)
    try:
        tables = [r[0] for r in db.all("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%' ORDER BY name")]  # fmt: skip
        rows = {t: sorted(map(repr, db.all(f"SELECT * FROM {t}"))) for t in tables
                if t != "events"}  # fmt: skip
        rows["events"] = sorted(map(repr, db.all("SELECT at, level, text FROM events")))
    finally:
        db.close()
    settings = (home / "settings.json").read_text(encoding="utf-8")
    return {"files": files, "rows": rows, "settings": settings}
