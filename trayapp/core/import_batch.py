"""Several table files loaded together: a folder, or files chosen at once (import.md).

``load_files(db, plans)`` recognises each file's kind (``import_kind``: a remembered choice,
the name, the header) unless its plan says it, loads them in the order their rows refer to
each other, each all or nothing, and tells each file's outcome. Where a file is refused, a
later file refused only for references to what it would have loaded (unknown accounts after
a refused accounts file...) is told in one line — «не загружен: ссылается на лицевые счета
из «Лицевые счета.xlsx», который не загружен» — instead of burying the cause under a hundred
«неизв.лиц.счёт». That is decided by the values: every value the later file names and the
database lacks is a key of a refused file's rows (``import_keys``, read as far as they can
be); one that is in neither keeps the later file's own message. Every file, loaded or not, is an event in «События». The window and the
command line call this; no UI, no SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trayapp.core import events, import_keys, import_kind
from trayapp.core.db import Database
from trayapp.core.import_choices import ChoiceStore
from trayapp.core.importer import ImportResult, import_file
from trayapp.core.progress import Progress, no_progress
from trayapp.errors import AppError, ImportFileError

UNKNOWN = "непонятно, что это за таблица: выберите вид данных или назовите файл по виду данных"

# what a refused file of a kind would have loaded, as a later file's line names it
_WHAT = {"accounts": "лицевые счета", "services": "услуги", "providers": "поставщиков",
         "meters": "счётчики"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Plan:
    """One file to load, with the choices the preview made (None: found as usual)."""

    path: Path
    kind: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    columns: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class FileOutcome:
    path: Path
    kind: str  # "" when not recognised
    result: ImportResult | None  # None: refused
    errors: list[tuple[int, str]] = field(default_factory=list)  # (first row, cause)
    lines: list[str] = field(default_factory=list)  # each cause as told
    org_change: bool = False  # an org file of another ИНН, refused until confirmed


def load_files(
    db: Database,
    plans: Sequence[Plan | Path],
    progress: Progress = no_progress,
    store: ChoiceStore | None = None,
    replace_org: bool = False,
    check: bool = False,
) -> list[FileOutcome]:
    """Load (``check``: only check) each file; the outcomes in the order loaded, files not
    recognised first."""
    from trayapp.core.org_change import OrgChangeError, import_org

    out: list[FileOutcome] = []
    known: list[tuple[Path, str]] = []
    by_path: dict[Path, Plan] = {}
    for item in plans:
        plan = item if isinstance(item, Plan) else Plan(Path(item))
        kind = plan.kind or import_kind.recognise(plan.path, store)
        if kind is None:
            out.append(FileOutcome(plan.path, "", None, [(0, UNKNOWN)], [UNKNOWN]))
            if not check:
                _journal(db, f"Не загружен файл «{Path(plan.path).absolute()}»: {UNKNOWN}")
            continue
        known.append((plan.path, kind))
        by_path[plan.path] = plan
    # kind → (name, the keys its rows hold) of each file of it refused, in order
    refused: dict[str, list[tuple[str, import_keys.Held]]] = {}

    def refuse(path: Path, kind: str) -> None:
        if kind in import_keys.KEYS:
            plan = by_path[path]
            keys = import_keys.keys_of(path, kind, plan.sheet, plan.header_row, plan.columns,
                                       store)  # fmt: skip
            refused.setdefault(kind, []).append((path.name, import_keys.Held(kind, keys)))

    for path, kind in import_kind.order(known):
        plan = by_path[path]
        choices = {"sheet": plan.sheet, "header_row": plan.header_row,
                   "columns": plan.columns, "store": store, "failure_event": False}  # fmt: skip
        try:
            if kind == "org" and not check:  # another ИНН only when the accountant said so
                r = import_org(db, path, replace_org, progress, **choices)
            else:
                r = import_file(db, kind, path, progress, check=check, **choices)  # type: ignore[arg-type]
        except OrgChangeError as exc:
            refuse(path, kind)
            out.append(FileOutcome(path, kind, None, [(0, exc.message)], [exc.message], True))
        except ImportFileError as exc:
            line = _because_of(exc.references, refused)
            refuse(path, kind)
            if line is not None:
                out.append(FileOutcome(path, kind, None, [(0, line)], [line]))
                causes = line
            else:
                out.append(FileOutcome(path, kind, None, list(exc.errors), list(exc.lines)))
                causes = "; ".join(exc.lines[:3]) + (
                    f"; … всего причин: {len(exc.lines)}" if len(exc.lines) > 3 else "")
            if not check:
                _journal(db, _refused(kind, path, causes))
        except AppError as exc:
            refuse(path, kind)
            out.append(FileOutcome(path, kind, None, [(0, exc.message)], [exc.message]))
            if not check:
                _journal(db, _refused(kind, path, exc.message))
        else:  # the load journaled itself, in its own transaction
            out.append(FileOutcome(path, kind, r))
    return out


def _because_of(
    references: Mapping[str, frozenset[str]] | None,
    refused: Mapping[str, list[tuple[str, import_keys.Held]]],
) -> str | None:
    """The one line for a file refused only for references that the rows of refused files
    would have satisfied (each value found in one of them); None otherwise."""
    if not references:
        return None
    named: set[tuple[str, str]] = set()  # (kind, refused file) the values are found in
    for kind, values in references.items():
        files = refused.get(kind, [])
        for value in values:
            holder = next((name for name, held in files if value in held), None)
            if holder is None:
                return None
            named.add((kind, holder))
    parts = [f"{_WHAT.get(k, k)} из «{name}», который не загружен"
             for k in sorted(refused) for name, _ in refused[k] if (k, name) in named]  # fmt: skip
    return "не загружен: ссылается на " + ", и на ".join(parts)


def _refused(kind: str, path: Path, why: str) -> str:
    title = events.IMPORT_TITLES.get(kind, kind)
    return f"Не загружены данные ({title}) из файла «{Path(path).absolute()}»: {why}"


def _journal(db: Database, text: str) -> None:
    """«События»: a refused file (the one who loaded it sees the outcome already)."""
    with db.transaction():
        events.record(db, text, level="error", seen=True)
