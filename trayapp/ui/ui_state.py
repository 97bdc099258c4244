"""What the window tells the tray: the icon's state, the last session's counts, the tooltip
and the notices to pop up. A record only: no Tk, no core import (the tray reads it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class UiState:
    """What the tray shows: icon state, the last session's counts (None: no session yet),
    tooltip, and notices to pop up."""

    state: str
    sent: int | None
    received: int | None
    tooltip: str
    notices: list[str] = field(default_factory=list)
