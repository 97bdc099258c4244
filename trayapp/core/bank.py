"""``trayapp bank import``: a bank statement's incoming documents into the database.

Reads a 1CClientBankExchange file (``formats.clientbank``), keeps its incoming documents
(paid to the association's account: ``org.bank_account`` when loaded, else any ``РасчСчет``
of the statement's header), and writes them in one transaction; a document held before (the
same kind, payee's account, number, date, sum, payer's account and ИНН, ``bank_identity``;
whatever its arrival date) is not added again, so a statement imported twice, or one that
overlaps another, adds nothing twice. A section the file repeats is held once and counted
once (``incoming``, ``incoming_sum``), with a warning naming its line. A broken file imports
nothing: ``StatementError`` lists its lines. Imports no GUI; SQL lives in ``db/bank.py``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from trayapp.core import bank_identity, events
from trayapp.core import values as v
from trayapp.core.db import bank as sql
from trayapp.core.db.connection import Database
from trayapp.core.formats import clientbank
from trayapp.core.reconcile import index_references
from trayapp.errors import AppError, StatementError, format_error
from trayapp.fsutil import os_reason

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StatementImport:
    file: Path
    accounts: tuple[str, ...]
    date_from: date | None
    date_to: date | None
    documents: int
    incoming: int
    inserted: int
    incoming_sum: int = 0  # kopecks, of the incoming documents
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.file),
            "accounts": list(self.accounts),
            "from": v.format_date(self.date_from) if self.date_from else None,
            "to": v.format_date(self.date_to) if self.date_to else None,
            "documents": self.documents,
            "incoming": self.incoming,
            "inserted": self.inserted,
            "incoming_sum": v.format_amount(self.incoming_sum),
            "warnings": list(self.warnings),
        }


def read_statement(path: Path) -> tuple[clientbank.Statement, bytes]:
    """The parsed statement in ``path`` and its bytes; the errors name the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AppError(f"не удалось прочитать выписку {path}: {os_reason(exc)}") from exc
    try:
        return clientbank.parse(data), data
    except StatementError as exc:
        raise StatementError(exc.errors, file=str(path)) from exc


def import_statement(db: Database, path: Path) -> StatementImport:
    """Import the statement in ``path``: all of it or nothing."""
    statement, data = read_statement(path)
    first, last = statement.period()
    with db.transaction():
        own = sql.org_account(db) or None
        sections = statement.incoming(own)
        # a section the file repeats is one document: held once, counted once, told
        incoming, repeats = bank_identity.distinct(sections)
        warnings = sorted([*statement.warnings, *repeats], key=lambda w: w[0])
        sid = sql.insert_statement(
            db, path.name, hashlib.sha256(data).hexdigest(), statement.accounts,
            first.isoformat() if first else None, last.isoformat() if last else None,
            len(statement.documents), len(incoming),
        )  # fmt: skip
        before, length = sql.count_documents(db), sql.purposes_length(db)
        sql.insert_documents(db, sid, (
            (d.payee_account, d.number, d.day.isoformat(), d.amount, d.payer_inn,
             d.entry_day.isoformat(), d.kind, d.payer, d.payer_account, d.purpose,
             bank_identity.kind_key(d.kind))
            for d in sections  # the repeats too: one may give what the first lacks
        ))  # fmt: skip
        inserted = sql.count_documents(db) - before
        sql.set_inserted(db, sid, inserted)
        if sql.purposes_length(db) - length != sql.purposes_length(db, sid):
            sql.set_references_version(db, "")  # held purposes were completed: read all again
            index_references(db)
        else:
            index_references(db, sid)
        events.record(db, f"Загружена выписка банка из файла «{Path(path).absolute()}»: "
                      f"документов {len(statement.documents)}, поступлений {len(incoming)}, "
                      f"новых {inserted}"
                      + (f"; не учтено (предупреждений {len(warnings)}): "
                         + format_error(*warnings[0]) if warnings else ""))  # fmt: skip
    log.info("bank statement %s: %d documents, %d incoming, %d new",
             path.name, len(statement.documents), len(incoming), inserted)  # fmt: skip
    return StatementImport(
        path, statement.accounts, first, last, len(statement.documents), len(incoming), inserted,
        sum(d.amount for d in incoming),
        tuple(format_error(n, m) for n, m in warnings),
    )
