"""Choices made by hand for a table file, remembered for files with the same header.

When the accountant points at the columns of a file by hand (the window's drop-downs,
``trayapp import --column``, ``--sheet``, ``--header-row``) and the file then loads, the
choice is kept under the file's **header signature** — the header row's cells as compared
(``import_columns.header_key``), in order, empty ones at the end dropped — so that next
month's file of the same shape loads the same way without asking. One JSON file per home
(``AppPaths.import_choices_file``), written atomically; a file that cannot be read counts as
empty (the choices are a convenience, never a reason to refuse a load). No SQL, no UI.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trayapp.core.import_columns import KINDS, header_key

log = logging.getLogger(__name__)

VERSION = 1


@dataclass(frozen=True, slots=True)
class Choice:
    """What was chosen for a header: the kind, and column → the file's header text ("" for
    a column of the kind the file does not feed)."""

    kind: str
    columns: dict[str, str] = field(default_factory=dict)


def signature(cells: Sequence[Any]) -> str:
    """The header's signature: its cells as compared, in order, trailing empty ones aside."""
    keys = [header_key(c) for c in cells]
    while keys and not keys[-1]:
        keys.pop()
    return hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()[:32]


class ChoiceStore:
    """The remembered choices of one home (``path``: a JSON file, created when first kept)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._data: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            data: dict[str, Any] = {}
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(raw, dict) and isinstance(raw.get("choices"), dict):
                    data = raw["choices"]
            except FileNotFoundError:
                pass
            except (OSError, ValueError) as exc:
                log.warning("remembered import choices not read (%s): %s", self.path, exc)
            self._data = data
        return self._data

    def get(self, sig: str) -> Choice | None:
        item = self._load().get(sig)
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            return None
        columns = item.get("columns")
        if not isinstance(columns, dict):
            columns = {}
        return Choice(str(item["kind"]), {str(k): str(v) for k, v in columns.items()})

    def put(self, sig: str, choice: Choice) -> None:
        """Keep ``choice`` for the header ``sig`` (written at once, atomically)."""
        data = dict(self._load())
        data[sig] = {"kind": choice.kind, "columns": dict(choice.columns)}
        text = json.dumps({"version": VERSION, "choices": data}, ensure_ascii=False, indent=1)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".choices.", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError as exc:  # a convenience: the load itself succeeded
            log.warning("import choices not remembered (%s): %s", self.path, exc)
            return
        self._data = data
