"""Schema 7's step: the bank documents held, keyed again by the kind's canonical form.

Before schema 7 the kind counted in a document's identity as the bank wrote it, so the same
order read from two programs' statements («Платежное поручение», «Платёжное поручение») was
held twice and its sum counted twice. ``rekey`` fills ``kind_key`` (``bank_identity.kind_key``)
and merges the documents that are now one (docs/decisions.md): the first held (lowest id)
stays, with its kind as written; it takes what it lacked from the others as an import would
(an arrival date, a purpose that continues its own, the payer's name); the kept matches of
registries that listed the others list it instead (where a match listed both, the second
copy's sum leaves its difference: the money came once), their references go (every purpose
is read again at the next reconcile). A purpose that differs otherwise is not kept on the
document, but named in the event. The accountant is told what was merged in «События» (one
event, not yet seen) and the log. Called inside the migration's transaction, with SQL in the
SQLite form (``?``) that ``run`` adapts; imports only ``bank_identity`` of the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from trayapp.core.bank_identity import kind_key
from trayapp.core.values import format_amount, format_date

log = logging.getLogger(__name__)

Run = Callable[[str, Sequence[Any]], list[Any]]
SHOWN = 20  # documents named in the event; the rest counted

_COLS = ("id, payee_account, number, doc_date, amount, kind, payer_account, payer_inn,"
         " entry_date, payer, purpose")  # fmt: skip


class _Doc:
    __slots__ = ("id", "number", "doc_date", "amount", "kind", "entry_date", "payer", "purpose")

    def __init__(self, r: Sequence[Any]) -> None:
        self.id = int(r[0])
        self.number, self.doc_date, self.amount = str(r[2]), str(r[3]), int(r[4])
        self.kind, self.entry_date = str(r[5]), str(r[8])
        self.payer, self.purpose = str(r[9]), str(r[10])

    def title(self) -> str:
        return (f"№ {self.number} от {format_date(date.fromisoformat(self.doc_date))} на "
                f"{format_amount(self.amount)}")  # fmt: skip


def rekey(run: Run, dialect: str) -> None:
    rows = run(f"SELECT {_COLS} FROM bank_documents ORDER BY id", ())
    for kind in sorted({str(r[5]) for r in rows}):
        run("UPDATE bank_documents SET kind_key = ? WHERE kind = ?", (kind_key(kind), kind))
    groups: dict[tuple[Any, ...], list[_Doc]] = {}
    for r in rows:
        key = (r[1], r[2], r[3], r[4], kind_key(str(r[5])), r[6], r[7])
        groups.setdefault(key, []).append(_Doc(r))
    told: list[str] = []
    merged = 0
    for docs in groups.values():
        if len(docs) > 1:
            merged += len(docs) - 1
            told.append(_merge(run, docs[0], docs[1:]))
    if not merged:
        return
    run("INSERT INTO meta (key, value) VALUES ('bank_references', '')"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value", ())  # fmt: skip
    shown = "; ".join(told[:SHOWN]) + (f"; и ещё {len(told) - SHOWN}" if len(told) > SHOWN else "")
    text = (f"Выписки банка: {merged} док. объединено с такими же, записанными с другим "
            f"написанием вида (ё/е, заглавные буквы, пробелы) — их суммы больше не "
            f"учитываются дважды: {shown}")  # fmt: skip
    run("INSERT INTO events (at, level, text, seen) VALUES (?, 'warning', ?, 0)",
        (datetime.now().strftime("%Y-%m-%d %H:%M:%S"), text))  # fmt: skip
    # the text names purposes (payers' names, addresses): the event has it, the log only counts
    log.warning("schema 7: %d bank documents merged into the ones held first", merged)


def _merge(run: Run, kept: _Doc, others: list[_Doc]) -> str:
    """Merge ``others`` into ``kept``; what the event says of them."""
    notes: list[str] = []
    kinds = [kept.kind]
    for o in others:
        if o.kind not in kinds:
            kinds.append(o.kind)
        if kept.entry_date == kept.doc_date and o.entry_date != o.doc_date:
            kept.entry_date = o.entry_date  # the arrival date a later statement gave
        if not kept.payer:
            kept.payer = o.payer
        if o.purpose.startswith(kept.purpose) and len(o.purpose) > len(kept.purpose):
            kept.purpose = o.purpose  # continues it
        elif o.purpose and not kept.purpose.startswith(o.purpose):
            notes.append(f"назначение второго «{o.purpose}» не совпало с «{kept.purpose}»"
                         " — оставлено первое")  # fmt: skip
        notes += _move_matches(run, kept, o)
        run("DELETE FROM bank_references WHERE document_id = ?", (o.id,))
        run("DELETE FROM bank_documents WHERE id = ?", (o.id,))
        log.warning("schema 7: bank document %d (%s, %s) merged into %d (%s)",
                    o.id, o.title(), o.kind, kept.id, kept.kind)  # fmt: skip
    run("UPDATE bank_documents SET entry_date = ?, payer = ?, purpose = ? WHERE id = ?",
        (kept.entry_date, kept.payer, kept.purpose, kept.id))  # fmt: skip
    text = f"{kept.title()} ({', '.join(f'«{k}»' for k in kinds)})"
    return text + (" — " + "; ".join(notes) if notes else "")


def _move_matches(run: Run, kept: _Doc, other: _Doc) -> list[str]:
    """The kept matches listing ``other`` list ``kept`` instead; what changed, for the event."""
    notes: list[str] = []
    for file_id, bound in run("SELECT file_id, bound FROM bank_match_documents"
                              " WHERE document_id = ?", (other.id,)):  # fmt: skip
        both = run("SELECT bound FROM bank_match_documents WHERE file_id = ? AND document_id = ?",
                   (file_id, kept.id))  # fmt: skip
        if not both:
            run("UPDATE bank_match_documents SET document_id = ? WHERE file_id = ?"
                " AND document_id = ?", (kept.id, file_id, other.id))  # fmt: skip
            continue
        run("DELETE FROM bank_match_documents WHERE file_id = ? AND document_id = ?",
            (file_id, other.id))  # fmt: skip
        if bound and not both[0][0]:
            run("UPDATE bank_match_documents SET bound = 1 WHERE file_id = ? AND document_id = ?",
                (file_id, kept.id))  # fmt: skip
        elif bound:  # the registry's match counted the money twice: its difference was wrong
            note = _correct(run, int(file_id), other.amount)
            if note:
                notes.append(note)
    names = run("SELECT f.name FROM bank_match_documents m JOIN files f ON f.id = m.file_id"
                " WHERE m.document_id = ? AND m.bound = 1 ORDER BY f.name", (kept.id,))  # fmt: skip
    if len(names) > 1:
        notes.append("связан с реестрами " + ", ".join(str(n[0]) for n in names)
                     + " — проверьте, какому из них он принадлежит")  # fmt: skip
    return notes


def _correct(run: Run, file_id: int, amount: int) -> str:
    """The kept match of ``file_id`` without a second copy of ``amount``."""
    rows = run("SELECT m.status, m.difference, f.name FROM bank_matches m"
               " JOIN files f ON f.id = m.file_id WHERE m.file_id = ?", (file_id,))  # fmt: skip
    if not rows or rows[0][1] is None or rows[0][0] not in ("matched", "mismatch"):
        return ""
    status, difference, name = rows[0]
    new = int(difference) - amount
    new_status = "matched" if new == 0 else "mismatch"
    run("UPDATE bank_matches SET status = ?, difference = ? WHERE file_id = ?",
        (new_status, new, file_id))  # fmt: skip
    return (f"сверка реестра {name} учитывала его дважды: разница {format_amount(int(difference))}"
            f" → {format_amount(new)}")  # fmt: skip
