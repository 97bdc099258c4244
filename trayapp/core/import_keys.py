"""What a refused table file would have loaded: the keys of its rows (import.md).

Where several files are loaded together and one is refused, a later file refused only for
references to what that file would have loaded is told in one line (``import_batch``). That
is decided by the values: ``keys_of`` reads the refused file's key column (accounts' numbers,
services' codes, providers' ИНН, meters' ids) as far as it can — every row whose key is of
its form, bad rows included (fixed, they load), up to a footer; ``Held`` says whether a
reference of a later file would have found one of them, as the import looks it up (an
account without its leading zeros, a service code with them). No SQL, no UI.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from trayapp.core import tables
from trayapp.core.import_choices import ChoiceStore
from trayapp.core.import_columns import match
from trayapp.core.import_locate import locate
from trayapp.core.import_values import (
    METER_ID,
    Bad,
    account_number,
    cell_text,
    inn_of,
    own_code,
    pattern,
)
from trayapp.core.importer import footer_text
from trayapp.errors import AppError

log = logging.getLogger(__name__)

# the kinds whose rows later files refer to: their key column and its reading
KEYS: dict[str, tuple[str, Callable[[Any, str], Any]]] = {
    "accounts": ("account", account_number),
    "services": ("code", own_code),
    "providers": ("inn", inn_of),
    "meters": ("meter_id", pattern(METER_ID, "неверный ид.")),
}


def keys_of(
    path: Path,
    kind: str,
    sheet: str | None = None,
    header_row: int | None = None,
    columns: Mapping[str, str] | None = None,
    store: ChoiceStore | None = None,
) -> frozenset[str]:
    """The keys the rows of ``path`` (a file of ``kind``) hold, as far as they can be read;
    empty where its key column cannot be found or the file cannot be read."""
    if kind not in KEYS:
        return frozenset()
    field, read = KEYS[kind]
    out: set[str] = set()
    try:
        with tables.open_source(Path(path)) as source:
            found = locate(source, kind, sheet, header_row, columns, store)
            part, line = found.part, found.header_line
            if part is None:  # no header with every column: the nearest, if it has the key
                part, line = found.nearest, found.nearest_line
            if part is None:
                return frozenset()
            table = source.table(part, line)
            position = (found.match or match(kind, table.header)).position
            at = position.get(field, -1)
            if at < 0:
                return frozenset()
            for row in table:
                if footer_text(row) is not None:
                    break
                raw = row[at] if at < len(row) else None
                text = raw.strip() if isinstance(raw, str) else cell_text(raw)
                if not text:
                    continue
                try:
                    out.add(str(read(raw, text)))
                except Bad:
                    continue
    except (AppError, OSError, UnicodeDecodeError, tables.TableSyntaxError) as exc:
        log.info("keys of the refused %s: read as far as %d keys (%s)", path, len(out), exc)
    return frozenset(out)


class Held:
    """The keys of a refused file of ``kind``, looked up as the import looks a reference up."""

    def __init__(self, kind: str, keys: Collection[str]) -> None:
        self.kind = kind
        self.keys = frozenset(keys)
        self._short: dict[str, int] | None = None  # account numbers without leading zeros

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, str):
            return False
        if value in self.keys:
            return True
        if not (value.isdigit() and value.isascii()):
            return False
        if self.kind == "services":  # "007" is code 7
            return str(int(value)) in self.keys
        if self.kind == "accounts":  # Excel dropped its leading zeros: exactly one fits
            if self._short is None:
                self._short = {}
                for k in self.keys:
                    if k.isdigit() and k.isascii():
                        short = k.lstrip("0")
                        self._short[short] = self._short.get(short, 0) + 1
            return self._short.get(value.lstrip("0"), 0) == 1
        return False
