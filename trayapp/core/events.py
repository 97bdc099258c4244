"""The events the accountant is told about (rejections, broken files, acceptances...).

The exchange session, the acceptance, posting, generation, import and export write them
into the journal, each in the transaction of what it tells (so the command line's actions
are there as well as the window's: «События» shows what a scheduled ``trayapp exchange`` or
a ``trayapp accept`` did); the window and the tray read them here, through the core, never
with SQL of their own. An event is a tuple ``(time "YYYY-MM-DD HH:MM:SS", level
"info"|"error", Russian text)``; a text names the registry file, or the table file in «»
with its full path, that the window opens on a double click.
"""

from __future__ import annotations

from trayapp.core.db import Database, journal
from trayapp.core.values import format_rubles

Event = tuple[str, str, str]

SESSION_FAILED = "Обмен не завершён: "
IMPORT_TITLES = {
    "org": "данные ТСЖ", "providers": "поставщики", "services": "услуги",
    "accounts": "лицевые счета", "balances": "сальдо", "accruals": "начисления",
    "payments": "оплаты", "meters": "счётчики", "readings": "показания",
}  # fmt: skip


def rubles(kopecks: int) -> str:
    """``596 799,34 ₽`` (``values.format_rubles``)."""
    return format_rubles(kopecks)


# levels the tray tells as a notification until seen: errors, and what the accountant must
# know though nothing failed (bank documents merged by a database update)
NOTIFIED = ("error", "warning")


def record(db: Database, text: str, level: str = "info", seen: bool | None = None) -> None:
    """Journal an event of the accountant's own work (inside the caller's transaction).
    ``seen`` (by default: unless an error): listed in «События» but not popped up as a
    notification, the one who did it having been told already."""
    journal.add_event(db, level, text, seen=level not in NOTIFIED if seen is None else seen)


def version(db: Database) -> int:
    """Grows with every event journalled, by this process or another (the command line):
    a cheap sign that the window's lists may be out of date."""
    return journal.last_event_id(db)


def recent(db: Database, limit: int = 50) -> list[Event]:
    """The latest ``limit`` events, newest first."""
    return journal.recent_events(db, limit)


def unseen(db: Database, mark_seen: bool = True) -> list[Event]:
    """Events nobody was shown yet, oldest first; ``mark_seen`` marks them shown."""
    return journal.unseen_events(db, mark_seen=mark_seen)
