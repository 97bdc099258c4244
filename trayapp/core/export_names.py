"""The name an export is offered under: the first free one of a numbered series.

The window's save dialog suggests «Оплаты_11.2026.csv» for the month; a second export of the
month would meet the first one's file (and the dialog's «Заменить?»), so the name offered is
the first of ``name``, ``<stem>_2<suffix>``, ``_3``... not taken in the folder — the same
series an export given no name claims (``tables.atomic_write``). Looks at the folder only;
imports nothing of the app.
"""

from __future__ import annotations

from pathlib import Path

SERIES = 999


def series_name(path: Path, n: int) -> Path:
    """The ``n``-th name of ``path``'s series: ``path`` itself, then ``<stem>_<n><suffix>``."""
    return path if n == 1 else path.with_name(f"{path.stem}_{n}{path.suffix}")


def first_free(path: Path, names: int = SERIES) -> Path:
    """The first name of ``path``'s series that no file has (``path`` when all are taken or
    the folder cannot be read: the save dialog then asks, as it always may)."""
    for n in range(1, names + 1):
        candidate = series_name(path, n)
        try:
            if not candidate.exists():
                return candidate
        except OSError:
            return path
    return path
