"""The errors of a table file, told once per cause (import.md).

Rows with the same error and the same value make one line, their rows as ranges:
``неизв.лиц.счёт: 0009999 — строки 2–41, 45`` (at most 10 ranges, then «и ещё N» rows); a
cause of one row keeps the form ``строка: 5, неверная сумма: 1,2,3``. Up to 100 causes are
kept, in the order their first row comes; the rest are counted. ``refers_to`` says whether
every cause is a reference to something another file loads (accounts, services, providers,
meters), and ``references`` which values each kind's references name (every row's, the
causes past 100 too): a file refused only for references that a refused file's rows would
have satisfied is told in one line. Pure: no I/O.
"""

from __future__ import annotations

from trayapp.core.import_columns import REFERENCE_ERRORS
from trayapp.russian import plural as plural  # the importer counts with it too

MAX_CAUSES = 100
MAX_RANGES = 10
MAX_VALUES = 1_000_000  # references kept per kind; past that the file is told in full


class _Cause:
    __slots__ = ("message", "ranges", "rows", "beyond")

    def __init__(self, message: str, line: int) -> None:
        self.message = message
        self.ranges: list[list[int]] = [[line, line]]
        self.rows = 1
        self.beyond = 0  # rows past the ranges kept

    def add(self, line: int) -> None:
        last = self.ranges[-1]
        if last[0] <= line <= last[1]:
            return  # the same row again
        self.rows += 1
        if line == last[1] + 1:
            last[1] = line
        elif len(self.ranges) < MAX_RANGES:
            self.ranges.append([line, line])
        else:
            self.beyond += 1

    @property
    def first(self) -> int:
        return self.ranges[0][0]

    def rows_text(self) -> str:
        parts = [f"{a}–{b}" if b > a else str(a) for a, b in self.ranges]
        text = ", ".join(parts)
        if self.beyond:
            text += f" и ещё {self.beyond}"
        return text

    def short(self) -> str:
        """The message with its rows when more than one (the window's «Строка» shows the
        first)."""
        if self.rows == 1 or self.first == 0:
            return self.message
        return f"{self.message} — строки {self.rows_text()}"

    def line(self) -> str:
        if self.first == 0:
            return self.message
        if self.rows == 1:
            return f"строка: {self.first}, {self.message}"
        return f"{self.message} — строки {self.rows_text()}"


class Errors:
    """Collects (line, message) as found; groups them by message."""

    def __init__(self) -> None:
        self._causes: dict[str, _Cause] = {}
        self.dropped = 0  # causes past MAX_CAUSES
        self.total = 0  # errors found, each row's each
        self.bad_rows = 0
        self.changed = 0  # rows the database inserted or changed
        self._dropped_seen: set[str] = set()
        # the values referenced and not found, by the kind of file that loads them; None once
        # an error of another sort (or an account that fits twice without zeros) is seen
        self._references: dict[str, set[str]] | None = {}

    def add(self, line: int, message: str) -> None:
        self.total += 1
        self._note_reference(message)
        cause = self._causes.get(message)
        if cause is not None:
            cause.add(line)
        elif len(self._causes) < MAX_CAUSES:
            self._causes[message] = _Cause(message, line)
        elif len(self._dropped_seen) < 100_000 and message not in self._dropped_seen:
            self._dropped_seen.add(message)
            self.dropped += 1
        elif len(self._dropped_seen) >= 100_000:
            self.dropped += 1

    def __bool__(self) -> bool:
        return self.total > 0

    def causes(self) -> int:
        return len(self._causes) + self.dropped

    def pairs(self) -> list[tuple[int, str]]:
        """(first row, message with its rows) of each cause kept, in order of first row."""
        return [(c.first, c.short()) for c in self._ordered()]

    def lines(self) -> list[str]:
        return [c.line() for c in self._ordered()]

    def _ordered(self) -> list[_Cause]:
        return sorted(self._causes.values(), key=lambda c: c.first)

    def _note_reference(self, message: str) -> None:
        if self._references is None:
            return
        prefix, _, value = message.partition(": ")
        kind = REFERENCE_ERRORS.get(prefix)
        if kind is None or not value or " (" in value or len(self._references.get(kind, ())) >= MAX_VALUES:
            self._references = None
            return
        self._references.setdefault(kind, set()).add(value)

    def references(self) -> dict[str, frozenset[str]] | None:
        """The values each kind's references name that the database lacks (``{"accounts":
        {"0009999", …}}``), or None when some error is not such a reference."""
        if not self._references:
            return None
        return {k: frozenset(vals) for k, vals in self._references.items()}

    def refers_to(self) -> frozenset[str] | None:
        """The kinds of file every cause refers to (``{"accounts"}``), or None when some
        cause is not a reference to another file's rows."""
        if not self._causes or self.dropped:
            return None
        kinds: set[str] = set()
        for message in self._causes:
            prefix = message.split(":", 1)[0]
            kind = REFERENCE_ERRORS.get(prefix)
            if kind is None:
                return None
            kinds.add(kind)
        return frozenset(kinds)
