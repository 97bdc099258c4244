"""SQL of bank statements, their incoming documents and the kept matches (spec/bank.md).

``bank_documents`` holds each incoming document once: the unique key (kind in its canonical
form ``kind_key``, payee's account, number, date, sum, payer's account and ИНН; not the
arrival date) makes a second
import of a statement, or of one that overlaps it, add nothing (``INSERT … ON CONFLICT``);
a held document whose arrival date was unknown (``entry_date`` = its ``Дата``) takes the one
a later statement gives, and one whose purpose a later reading continues takes that. ``bank_matches`` and
``bank_match_documents`` keep the match of a payments registry as it was when the registry
was accepted; ``bank_references`` the registries each purpose names, read at import.
The matcher asks only for the documents that can matter: those naming a registry, and those
of the sums it looks for. Dates are ISO text, amounts integer kopecks. Plain SQL, portable to
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from trayapp.core.db.connection import Database, now_text
from trayapp.core.db.schema import BANK_IDENTITY_COLUMNS

DocRow = tuple[int, str, str, int, str, str]  # id, number, entry_date, amount, payer_inn, purpose


def insert_statement(
    db: Database,
    file: str,
    sha256: str,
    accounts: Sequence[str],
    date_from: str | None,
    date_to: str | None,
    documents: int,
    incoming: int,
) -> int:
    rows = db.all(  # all(): the RETURNING cursor is read to its end
        "INSERT INTO bank_statements (file, sha256, accounts, date_from, date_to, documents,"
        " incoming, inserted, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?) RETURNING id",
        (file, sha256, " ".join(accounts), date_from, date_to, documents, incoming, now_text()),
    )
    return int(rows[0][0])


def count_documents(db: Database) -> int:
    return int(db.scalar("SELECT COUNT(*) FROM bank_documents"))


def purposes_length(db: Database, statement_id: int | None = None) -> int:
    """The characters of all purposes held (of one statement's documents, when given): a
    purpose completed by a later import shows as a change of the total."""
    if statement_id is None:
        value = db.scalar("SELECT SUM(LENGTH(purpose)) FROM bank_documents")
    else:
        value = db.scalar("SELECT SUM(LENGTH(purpose)) FROM bank_documents"
                          " WHERE statement_id = ?", (statement_id,))  # fmt: skip
    return int(value or 0)


# a held document takes from a later statement what it lacked: the arrival date (when it had
# none: entry_date = doc_date) and a purpose that continues its own (read by an older version
# without its numbered lines); nothing it had is changed
_NO_ARRIVAL = ("bank_documents.entry_date = bank_documents.doc_date"
               " AND excluded.entry_date <> excluded.doc_date")  # fmt: skip
_LONGER = ("LENGTH(excluded.purpose) > LENGTH(bank_documents.purpose) AND"
           " SUBSTR(excluded.purpose, 1, LENGTH(bank_documents.purpose)) = bank_documents.purpose")  # fmt: skip


def insert_documents(db: Database, statement_id: int, rows: Iterable[tuple[Any, ...]]) -> None:
    """Rows of (payee_account, number, doc_date, amount, payer_inn, entry_date, kind, payer,
    payer_account, purpose, kind_key); those held before are not added again (the kind
    counts by ``kind_key``, its canonical form; the held row keeps its own text)."""
    db.executemany(
        "INSERT INTO bank_documents (statement_id, payee_account, number, doc_date, amount,"
        " payer_inn, entry_date, kind, payer, payer_account, purpose, kind_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        f" ON CONFLICT ({BANK_IDENTITY_COLUMNS}) DO UPDATE SET"
        f" entry_date = CASE WHEN {_NO_ARRIVAL} THEN excluded.entry_date"
        " ELSE bank_documents.entry_date END,"
        f" purpose = CASE WHEN {_LONGER} THEN excluded.purpose ELSE bank_documents.purpose END"
        f" WHERE ({_NO_ARRIVAL}) OR ({_LONGER})",
        ((statement_id, *r) for r in rows),
    )


def set_inserted(db: Database, statement_id: int, inserted: int) -> None:
    db.execute("UPDATE bank_statements SET inserted = ? WHERE id = ?", (inserted, statement_id))


_DOC = "d.id, d.number, d.entry_date, d.amount, d.payer_inn, d.purpose"
CHUNK = 500  # parameters per IN list (old SQLite builds allow 999)


def _window(first: str, last: str, payer_inn: str) -> tuple[str, list[Any]]:
    where = " d.entry_date BETWEEN ? AND ?"
    params: list[Any] = [first, last]
    if payer_inn:
        where += " AND d.payer_inn = ?"
        params.append(payer_inn)
    return where, params


def documents_naming(
    db: Database, first: str, last: str, payer_inn: str, ref_first: str, ref_last: str
) -> list[tuple[Any, ...]]:
    """Documents that came from ``first`` to ``last`` (from ``payer_inn`` when given) whose
    purpose names a registry dated ``ref_first``..``ref_last``: (document…, ref_date,
    ref_number), one row per reference."""
    where, params = _window(first, last, payer_inn)
    return db.all(
        f"SELECT {_DOC}, r.ref_date, r.ref_number FROM bank_references r"
        " JOIN bank_documents d ON d.id = r.document_id"
        f" WHERE r.ref_date BETWEEN ? AND ? AND{where}",
        [ref_first, ref_last, *params],
    )


def documents_of_amounts(
    db: Database, amounts: Iterable[int], first: str, last: str, payer_inn: str
) -> list[tuple[Any, ...]]:
    """Documents of the given sums in the window: (document…, ref_date, ref_number), the
    references NULL where the purpose names none."""
    where, params = _window(first, last, payer_inn)
    values = sorted(set(amounts))
    out: list[tuple[Any, ...]] = []
    for i in range(0, len(values), CHUNK):
        part = values[i : i + CHUNK]
        marks = ", ".join("?" * len(part))
        out += db.all(
            f"SELECT {_DOC}, r.ref_date, r.ref_number FROM bank_documents d"
            " LEFT JOIN bank_references r ON r.document_id = d.id"
            f" WHERE d.amount IN ({marks}) AND{where}",
            [*part, *params],
        )
    return out


def purposes_of_statement(db: Database, statement_id: int) -> list[tuple[int, str]]:
    """(id, purpose) of the documents a statement added."""
    return db.all(
        "SELECT id, purpose FROM bank_documents WHERE statement_id = ? AND purpose <> ''",
        (statement_id,),
    )


def all_purposes(db: Database) -> list[tuple[int, str]]:
    return db.all("SELECT id, purpose FROM bank_documents WHERE purpose <> ''")


def insert_references(db: Database, rows: Iterable[tuple[int, str, int]]) -> None:
    db.executemany(
        "INSERT INTO bank_references (document_id, ref_date, ref_number) VALUES (?, ?, ?)"
        " ON CONFLICT (document_id, ref_date, ref_number) DO NOTHING",
        rows,
    )


def clear_references(db: Database) -> None:
    db.execute("DELETE FROM bank_references")


def references_version(db: Database) -> str:
    value = db.scalar("SELECT value FROM meta WHERE key = 'bank_references'")
    return str(value) if value is not None else ""


def set_references_version(db: Database, version: str) -> None:
    db.execute(
        "INSERT INTO meta (key, value) VALUES ('bank_references', ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (version,),
    )


def documents_of_matches(
    db: Database, file_id: int | None = None
) -> list[tuple[int, int, bool, DocRow]]:
    """Every document of a kept match (of ``file_id``'s only, when given): (file_id,
    document_id, bound, document)."""
    sql = (
        "SELECT m.file_id, m.document_id, m.bound, d.id, d.number, d.entry_date, d.amount,"
        " d.payer_inn, d.purpose FROM bank_match_documents m"
        " JOIN bank_documents d ON d.id = m.document_id"
    )
    order = " ORDER BY m.file_id, d.entry_date, d.id"
    if file_id is None:
        rows = db.all(sql + order)
    else:
        rows = db.all(sql + " WHERE m.file_id = ?" + order, (file_id,))
    return [(int(r[0]), int(r[1]), bool(r[2]), tuple(r[3:])) for r in rows]


def payments_registries(db: Database) -> list[tuple[int, str, str, int, int]]:
    """Received payments registries pending or accepted: (file_id, name, status, rows, sum)."""
    rows = db.all(
        "SELECT id, name, status, rows_count, total FROM files WHERE direction = 'in'"
        " AND kind = 'PAYMENTS' AND status IN ('pending', 'accepted', 'done')"
    )
    return [(int(r[0]), str(r[1]), str(r[2]), int(r[3] or 0), int(r[4] or 0)) for r in rows]


def kept_matches(db: Database) -> dict[int, tuple[str, int, int, int | None]]:
    """file_id -> (status, fee, expected, difference) of every kept match."""
    rows = db.all("SELECT file_id, status, fee, expected, difference FROM bank_matches")
    return {
        int(r[0]): (str(r[1]), int(r[2]), int(r[3]), None if r[4] is None else int(r[4]))
        for r in rows
    }


def keep_match(
    db: Database,
    file_id: int,
    status: str,
    fee: int,
    expected: int,
    difference: int | None,
    documents: Iterable[tuple[int, bool]],
) -> None:
    """Keep a registry's match (call inside its acceptance transaction)."""
    db.execute(
        "INSERT INTO bank_matches (file_id, status, fee, expected, difference, matched_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (file_id, status, fee, expected, difference, now_text()),
    )
    db.executemany(
        "INSERT INTO bank_match_documents (file_id, document_id, bound) VALUES (?, ?, ?)",
        ((file_id, doc_id, int(bound)) for doc_id, bound in documents),
    )


def held_documents(
    db: Database, first: str | None, last: str | None, limit: int | None = None
) -> list[tuple[Any, ...]]:
    """Incoming documents held whose arrival day is from ``first`` to ``last`` (either may be
    None): (id, entry_date, number, amount, payer, payer_inn, purpose, kind), by day then id;
    with ``limit``, the latest that many (still in that order)."""
    where, params = [], []
    if first:
        where.append("entry_date >= ?")
        params.append(first)
    if last:
        where.append("entry_date <= ?")
        params.append(last)
    cond = (" WHERE " + " AND ".join(where)) if where else ""
    cols = "id, entry_date, number, amount, payer, payer_inn, purpose, kind"
    if limit is None:
        return db.all(f"SELECT {cols} FROM bank_documents{cond} ORDER BY entry_date, id", params)
    rows = db.all(f"SELECT {cols} FROM bank_documents{cond} ORDER BY entry_date DESC, id DESC"
                  " LIMIT ?", [*params, limit])  # fmt: skip
    return rows[::-1]


def statements_count(db: Database) -> int:
    return int(db.scalar("SELECT COUNT(*) FROM bank_statements"))


def org_account(db: Database) -> str:
    """The association's bank account (``org.bank_account``), empty where not loaded."""
    value = db.scalar("SELECT bank_account FROM org WHERE id = 1")
    return str(value).strip() if value else ""
