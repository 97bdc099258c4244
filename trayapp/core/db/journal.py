"""SQL of the file journal (every registry file sent or received), sessions and events.

Statuses of a file, by direction:
- ``out``: ``generated`` (in Исходящие), ``sent`` (in Отправлены), ``ok`` / ``error`` (the
  service answered; moved to Отправлены/Обработаны or /Ошибки).
- ``in``: ``received`` (on disk in Входящие, not yet checked), ``pending`` (checked, correct,
  waiting to be accepted), ``broken`` (in Входящие/Ошибки, a rejection written),
  ``accepted`` (documents written, confirmation and move maybe not yet done),
  ``done`` (confirmation written, file in Входящие/Обработаны), ``answer`` (an Ack_ file
  filed beside the file it answers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from trayapp import plain
from trayapp.core.db.connection import Database, now_text


@dataclass(frozen=True, slots=True)
class FileEntry:
    id: int
    name: str
    direction: str
    sha256: str
    kind: str
    status: str
    rows: int | None
    total: int | None
    detail: str
    created_at: str
    updated_at: str


_COLS = (
    "id, name, direction, sha256, kind, status, rows_count, total, detail, created_at, updated_at"
)


def record_file(
    db: Database,
    name: str,
    direction: str,
    sha256: str,
    kind: str,
    status: str,
    rows: int | None = None,
    total: int | None = None,
    detail: str = "",
) -> int:
    """Insert or update the journal entry of (direction, name); returns its id."""
    now = now_text()
    db.execute(
        "INSERT INTO files (name, direction, sha256, kind, status, rows_count, total, detail,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (direction, name) DO UPDATE SET sha256 = excluded.sha256,"
        " kind = excluded.kind, status = excluded.status,"
        " rows_count = COALESCE(excluded.rows_count, files.rows_count),"
        " total = COALESCE(excluded.total, files.total),"
        " detail = excluded.detail, updated_at = excluded.updated_at",
        (name, direction, sha256, kind, status, rows, total, plain.text(detail), now, now),
    )
    return int(
        db.scalar("SELECT id FROM files WHERE direction = ? AND name = ?", (direction, name))
    )


def set_status(db: Database, direction: str, name: str, status: str, detail: str = "") -> None:
    db.execute(
        "UPDATE files SET status = ?, detail = ?, updated_at = ? WHERE direction = ? AND name = ?",
        (status, plain.text(detail), now_text(), direction, name),
    )


def get_file(db: Database, direction: str, name: str) -> FileEntry | None:
    row = db.one(f"SELECT {_COLS} FROM files WHERE direction = ? AND name = ?", (direction, name))
    return FileEntry(*row) if row else None


def files_with_status(db: Database, direction: str, *statuses: str) -> list[FileEntry]:
    marks = ", ".join("?" for _ in statuses)
    rows = db.all(
        f"SELECT {_COLS} FROM files WHERE direction = ? AND status IN ({marks}) ORDER BY name",
        (direction, *statuses),
    )
    return [FileEntry(*r) for r in rows]


def count_with_status(db: Database, direction: str, *statuses: str) -> int:
    marks = ", ".join("?" for _ in statuses)
    return int(
        db.scalar(
            f"SELECT COUNT(*) FROM files WHERE direction = ? AND status IN ({marks})",
            (direction, *statuses),
        )
    )


def forget_file(db: Database, direction: str, name: str) -> None:
    """Drop the journal entry of a file that is gone from the tree (so it can come again)."""
    db.execute("DELETE FROM files WHERE direction = ? AND name = ?", (direction, name))


# ---------------------------------------------------------------------------- sessions


def start_session(db: Database) -> int:
    return db.insert("INSERT INTO sessions (started_at) VALUES (?)", (now_text(),))


def finish_session(db: Database, session_id: int, ok: bool, counts: dict[str, Any]) -> None:
    db.execute(
        "UPDATE sessions SET finished_at = ?, ok = ?, sent = ?, received = ?, answers_ok = ?,"
        " answers_error = ?, broken = ?, errors = ? WHERE id = ?",
        (
            now_text(),
            1 if ok else 0,
            int(counts.get("sent", 0)),
            int(counts.get("received", 0)),
            int(counts.get("answers_ok", 0)),
            int(counts.get("answers_error", 0)),
            int(counts.get("broken", 0)),
            json.dumps(counts.get("errors", []), ensure_ascii=False),
            session_id,
        ),
    )


def last_session(db: Database) -> dict[str, Any] | None:
    """The latest finished session (time, counts, ok flag, errors)."""
    row = db.one(
        "SELECT finished_at, ok, sent, received, answers_ok, answers_error, broken, errors,"
        " started_at FROM sessions WHERE finished_at IS NOT NULL ORDER BY id DESC LIMIT 1"
    )
    if row is None:
        return None
    keys = ("finished_at", "ok", "sent", "received", "answers_ok", "answers_error", "broken")
    out: dict[str, Any] = dict(zip(keys, row[:7], strict=True))
    out["ok"] = bool(out["ok"])
    out["errors"] = json.loads(row[7])
    out["started_at"] = row[8]
    return out


# ---------------------------------------------------------------------------- events


def events_since(db: Database, at: str, level: str) -> list[str]:
    """Texts of the events of ``level`` recorded at or after ``at``, oldest first."""
    rows = db.all(
        "SELECT text FROM events WHERE at >= ? AND level = ? ORDER BY id", (at, level)
    )
    return [str(r[0]) for r in rows]


def add_event(db: Database, level: str, text: str, seen: bool = False) -> None:
    """An event; a server's or a file's words in ``text`` lose their control characters."""
    db.execute("INSERT INTO events (at, level, text, seen) VALUES (?, ?, ?, ?)",
               (now_text(), level, plain.text(text), 1 if seen else 0))  # fmt: skip


def unseen_events(db: Database, mark_seen: bool = True) -> list[tuple[str, str, str]]:
    """Events not yet shown (time, level, text), oldest first."""
    rows = db.all("SELECT id, at, level, text FROM events WHERE seen = 0 ORDER BY id")
    if mark_seen and rows:
        db.execute("UPDATE events SET seen = 1 WHERE id <= ?", (rows[-1][0],))
    return [(r[1], r[2], r[3]) for r in rows]


def last_event_id(db: Database) -> int:
    """The newest event's id (0 for none): it grows with each piece of work journalled."""
    return int(db.scalar("SELECT MAX(id) FROM events") or 0)


def recent_events(db: Database, limit: int = 50) -> list[tuple[str, str, str]]:
    rows = db.all("SELECT at, level, text FROM events ORDER BY id DESC LIMIT ?", (limit,))
    return [(r[0], r[1], r[2]) for r in rows]
