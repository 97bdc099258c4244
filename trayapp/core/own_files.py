"""Whose registry a file of Исходящие is: its ``#ORG`` against this association's ИНН.

An accountant of several associations can drop one association's registry into another's
Исходящие (two homes sharing a folder, a copy by hand); sending it would hand owners' names
and sums to the wrong server under the wrong login (spec/associations.md «Kept apart»).
``header_org`` reads the header only (the first ``HEAD_BYTES``, decoded as formats.md says);
``foreign_text`` is the event's Russian text. Pure reading: no database, no HTTP, no GUI.
"""

from __future__ import annotations

from pathlib import Path

from trayapp.core.formats.moischeta import decode

HEAD_BYTES = 65_536  # a header is a dozen short lines at the top of the file


def header_org(path: Path) -> str | None:
    """The ``#ORG`` value of the header of ``path``, None when the header has none.

    ``OSError`` when the file cannot be read (the caller translates it).
    """
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    lines, _ = decode(head)
    for line in lines:
        line = line.lstrip("\ufeff")
        if not line.startswith("#"):
            break  # the rows begin: the header is over
        if line.startswith("#ORG "):
            return line[len("#ORG ") :].strip()
    return None


def foreign_text(file_org: str | None, org: str, name: str) -> str:
    """«чужой реестр: ИНН …, а у «…» ИНН …» (spec/associations.md); for a file whose header
    has no ``#ORG`` (None), that it cannot be told whose it is."""
    shown = f"«{name.strip()}»" if name.strip() else "этого ТСЖ"
    if file_org is None:
        return f"в заголовке нет #ORG: не видно, что это реестр {shown} (ИНН {org})"
    return f"чужой реестр: ИНН {file_org}, а у {shown} ИНН {org}"
