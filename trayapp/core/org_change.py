"""Loading the association's own data (``org``) without changing whose data it is by mistake.

``import_org`` loads the org table as ``importer.import_file`` does, in one transaction with
a look at the ИНН before and after: a file of another organisation (another ИНН) over an
association that has one is refused (``OrgChangeError`` naming both; nothing written) unless
``replace`` is given (spec/associations.md: «the window asks»). No SQL of its own, no GUI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trayapp.core.db import Database
from trayapp.core.db.documents import org
from trayapp.core.importer import ImportResult, import_file
from trayapp.core.progress import Progress, no_progress
from trayapp.errors import AppError


class OrgChangeError(AppError):
    """The org file names another ИНН than the association's; nothing was loaded."""

    title = "Другая организация"

    def __init__(self, path: Path, old: tuple[str, str], new: tuple[str, str]) -> None:
        self.path = path
        self.old = old
        self.new = new
        super().__init__(
            f"в файле {path} другая организация: ИНН {new[0]} («{new[1]}»), а у этого ТСЖ "
            f"ИНН {old[0]} («{old[1]}»); ничего не загружено",
            "если это то же ТСЖ с новым ИНН, повторите с --replace; если другое — загрузите "
            "файл в его ТСЖ (--assoc НАЗВАНИЕ)",
            "выберите, заменить ли данные ТСЖ",
        )


def import_org(db: Database, path: Path, replace: bool = False,
               progress: Progress = no_progress, **choices: Any) -> ImportResult:  # fmt: skip
    """Load the org table; ``OrgChangeError`` where it would change the ИНН and not
    ``replace``. ``choices``: ``import_file``'s sheet, header_row, columns, store."""
    with db.transaction():
        old = org(db)
        result = import_file(db, "org", path, progress, **choices)
        new = org(db)
        if old[0] and new[0] != old[0] and not replace:
            raise OrgChangeError(Path(path), old, new)  # rolls the load back
    return result
