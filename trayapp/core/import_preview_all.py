"""The preview of several table files loaded together (a folder, or files chosen at once).

``inspect_all(plans, db, store)`` previews each file as ``import_preview.inspect`` does, in
the order ``import_batch.load_files`` will load them (``import_kind.order``), each against
the database plus what the files before it would add: an accounts file's numbers count
for the accruals and payments after it (``7001`` found as ``0007001`` of that file, the
note saying so), a meters file's ids for the readings, a services file's codes, a
providers file's ИНН (``import_keys``). A file whose own preview has errors adds nothing
(it would not load). The previews come back in the order given. ``check_all`` is
«Проверить» for them: each file checked whole against the database plus the files before
it (their rows written in one transaction that is then undone: nothing stays). No UI, no
SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from trayapp.core import import_keys, import_kind
from trayapp.core.db import Database
from trayapp.core.import_batch import FileOutcome, Plan, load_files
from trayapp.core.import_choices import ChoiceStore
from trayapp.core.import_preview import Preview, inspect
from trayapp.core.progress import Progress, no_progress
from trayapp.errors import AppError

Found = tuple[Path, Preview | None, str]  # (file, its preview or None, why not read)


def inspect_all(plans: Sequence[Plan], db: Database | None,
                store: ChoiceStore | None = None) -> list[Found]:  # fmt: skip
    """Each plan's preview, ``(path, preview, '')`` or ``(path, None, why)``, in the order
    of ``plans``; references checked against ``db`` and the files loaded before."""
    kinds: list[tuple[Path, str]] = []
    unknown: list[Plan] = []
    for plan in plans:
        kind = plan.kind or _recognised(plan.path, store)
        if kind is None:
            unknown.append(plan)
        else:
            kinds.append((plan.path, kind))
    by_path = {p.path: p for p in plans}
    held: dict[str, set[str]] = {}
    found: dict[Path, Found] = {}
    for path, kind in import_kind.order(kinds):
        plan = by_path[path]
        try:
            p = inspect(path, plan.kind or kind, plan.sheet, plan.header_row, plan.columns,
                        db=db, store=store, held=held)  # fmt: skip
        except AppError as exc:
            found[path] = (path, None, exc.message)
            continue
        found[path] = (path, p, "")
        if p.ok and p.kind in import_keys.KEYS:
            keys = import_keys.keys_of(path, p.kind, p.sheet, p.header_row, p.choices, store)
            held.setdefault(p.kind, set()).update(keys)
    for plan in unknown:  # nothing tells its kind: the preview says so
        try:
            found[plan.path] = (plan.path, inspect(plan.path, None, plan.sheet, plan.header_row,
                                                   plan.columns, db=db, store=store), "")  # fmt: skip
        except AppError as exc:
            found[plan.path] = (plan.path, None, exc.message)
    return [found[p.path] for p in plans]


def _recognised(path: Path, store: ChoiceStore | None) -> str | None:
    try:
        return import_kind.recognise(path, store)
    except (AppError, OSError):
        return None


class _Undo(Exception):
    """Ends ``check_all``'s transaction: every file's rows undone."""


def check_all(db: Database, plans: Sequence[Plan | Path], progress: Progress = no_progress,
              store: ChoiceStore | None = None) -> list[FileOutcome]:  # fmt: skip
    """``load_files(check=True)`` inside one transaction, rolled back: each file's check
    joins it and leaves its rows there for the files after it (a check alone undoes its
    own), so an accruals file that names the accounts of an accounts file beside it passes."""
    out: list[FileOutcome] = []
    try:
        with db.transaction():
            out = load_files(db, plans, progress, store, check=True)
            raise _Undo
    except _Undo:
        pass
    return out
