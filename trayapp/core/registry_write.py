"""The writing of an outgoing registry: rows streamed into a hidden body file while ``#ROWS``
and ``#FILESUM`` are counted, then the header and the body written atomically into
``Исходящие`` under the next free name, and the file journaled with its event.

Nothing holds the whole registry in memory; the sha256 for the journal is taken while the
file is written. Split from ``registries``; used by it and by ``registry_debts``. No GUI,
no HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from trayapp.core import events
from trayapp.core.db import Database, journal
from trayapp.core.folders import TEMP_PREFIX, ExchangeTree, atomic_file, os_error
from trayapp.core.formats import Header, encode, make_name, render_header
from trayapp.fsutil import set_hidden


def write_registry(
    tree: ExchangeTree,
    db: Database,
    header: Header,
    batches: Iterable[list[str]],
    amounts: list[int] | None,
    describe: Callable[[str, int, int | None], str] | None = None,
) -> tuple[Path, int]:
    """Stream ``batches`` of lines into a body file, then write header + body atomically.

    ``amounts``, when given, is a one-element accumulator the line producer adds to: its
    value once the lines are out is ``#FILESUM``. Returns (path, rows); the sha256 for the
    journal is taken while the file is written, not by reading it again. ``describe(name,
    rows, sum)`` words the event journaled with the file («События»).
    """
    tree.ensure()
    number = tree.next_number(header.type, header.day)
    name = make_name(header.type, header.day, number)
    target = tree.outgoing / name
    try:
        fd, body_path = tempfile.mkstemp(prefix=TEMP_PREFIX + "body.", dir=tree.outgoing)
    except OSError as exc:
        raise os_error(exc, str(tree.outgoing)) from exc
    set_hidden(body_path)  # Windows: not shown in Исходящие while the registry is written
    rows = 0
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as body:
            for batch in batches:
                if batch:
                    rows += len(batch)
                    body.write(encode("\r\n".join(batch) + "\r\n"))
        total = amounts[0] if amounts is not None else None
        final = replace(header, number=number, rows=rows, filesum=total)
        with atomic_file(target) as out, open(body_path, "rb") as body_in:
            chunk = encode("\r\n".join(render_header(final)) + "\r\n")
            while chunk:
                digest.update(chunk)
                out.write(chunk)
                chunk = body_in.read(1 << 20)
    except OSError as exc:
        raise os_error(exc, str(target)) from exc
    finally:
        with contextlib.suppress(OSError):
            os.unlink(body_path)
    with db.transaction():
        journal.record_file(
            db, name, "out", digest.hexdigest(), header.type, "generated", rows, total
        )
        if describe is not None:
            events.record(db, describe(name, rows, total))
    return target, rows


def batched(lines: Iterable[str], size: int = 4096) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    yield batch
