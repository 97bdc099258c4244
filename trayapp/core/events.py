"""The events the accountant is told about (rejections, broken files, acceptances...).

The exchange session and the acceptance write them into the journal; the window and the
tray read them here, through the core, never with SQL of their own. An event is a tuple
``(time "YYYY-MM-DD HH:MM:SS", level "info"|"error", Russian text)``.
"""

from __future__ import annotations

from trayapp.core.db import Database, journal

Event = tuple[str, str, str]


def recent(db: Database, limit: int = 50) -> list[Event]:
    """The latest ``limit`` events, newest first."""
    return journal.recent_events(db, limit)


def unseen(db: Database, mark_seen: bool = True) -> list[Event]:
    """Events nobody was shown yet, oldest first; ``mark_seen`` marks them shown."""
    return journal.unseen_events(db, mark_seen=mark_seen)
