"""Pending registries, their acceptance into documents, the confirmation, posting of readings.

A received, correct Payments or Readings registry waits in ``Входящие`` (journal status
``pending``). ``accept`` checks it again against the database and, in ONE transaction,
writes its documents and rows and sets the journal status ``accepted``; only then it
writes ``Ack_<name>`` (``OK``, echoing rows and sum) atomically into ``Исходящие``, moves
the file to ``Входящие/Обработаны`` (``os.replace``) and sets ``done``. Killed at any
instant, the registry is either wholly accepted or not at all; ``recover`` (run by
``accept``, ``list_pending`` and at the start of an exchange session) finishes the
confirmation and the move of every ``accepted`` one. The database itself refuses a second
acceptance: one registry document per file (a unique index) and unique payment and
reading ids.

What is written. Payments: one «Реестр "Мои счета"» document (journal ``receipts``, kind
``registry``, dated the day of acceptance, posted: its payments count at once) and one
«Платёж из БС» (kind ``payment``, child of it, dated the day paid, comment the payment id)
per payment, numbered in a sequence of their own, in file order; one ``payments`` row
per payment (source ``moischeta``, ``registry_code`` the code as in the file,
``service_code`` the own code; NULL for an empty code: a payment to the whole account,
spread when a Debts registry is built). A code several own services share is spread at
acceptance over those of them the account has, by the rule of spec/import.md
(``registries.spread``), the debts being taken as opening balance + accruals of months up
to the one paid for − payments to that service on or before the day paid (the file's
own earlier payments to a shared code included, in the order made): one ``payments``
row per non-zero share, all with the payment's document; the first (lowest own code)
carries ``payment_id``, the others point to it by ``share_of`` (schema V2) and have no
``payment_id`` of their own. Readings: one «Показания новые» document (journal
``accruals``, kind ``readings``, comment «Принято из 'Мои счета'», unposted) and one
unposted ``readings`` row per reading, marked ``below_previous`` where the value is below
the meter's latest posted reading before it (or its initial reading); ``post_document``
posts it. Imports no GUI, no HTTP; SQL lives in ``db/documents.py``.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trayapp.core import events, formats
from trayapp.core import values as v
from trayapp.core.db import documents as docs
from trayapp.core.db import journal
from trayapp.core.db.connection import Database, IntegrityError
from trayapp.core.folders import TEMP_PREFIX, ExchangeTree, sha256_file, write_atomic
from trayapp.core.formats import FileName, Header
from trayapp.core.lock import acceptance_lock
from trayapp.core.progress import Progress, no_progress
from trayapp.core.reconcile import BankTerms, keep_match
from trayapp.core.registries import spread
from trayapp.core.validate import Lookup, check_incoming, check_loaded
from trayapp.errors import AcceptError, AppError, format_error

log = logging.getLogger(__name__)

SHOWN_ERRORS = 20
FINISH_LOCK_SECONDS = 120  # another process finishing a confirmation: wait for it

# a test hook: called right after the acceptance transaction committed (simulates a crash)
_after_commit: Callable[[], None] | None = None


@dataclass(frozen=True, slots=True)
class PendingItem:
    file: str
    kind: str  # PAYMENTS or READINGS
    day: date
    number: str  # "007"
    rows: int
    total: int  # kopecks (0 for readings)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "date": v.format_date(self.day),
            "number": self.number,
            "rows": self.rows,
            "sum": v.format_amount(self.total),
        }


@dataclass(frozen=True, slots=True)
class AcceptResult:
    file: str
    kind: str
    document: str
    rows: int
    total: int  # kopecks (0 for readings)
    confirmation: Path
    report: Path | None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "document": self.document,
            "rows": self.rows,
            "sum": v.format_amount(self.total),
            "confirmation": str(self.confirmation),
            "report": str(self.report) if self.report else None,
        }


# ---------------------------------------------------------------------------- pending


def list_pending(
    db: Database,
    tree: ExchangeTree,
    org: str | None = None,
    coding: str | None = None,
    clock: Callable[[], datetime] = datetime.now,
) -> list[PendingItem]:
    """Correct registries in ``Входящие`` not yet accepted, by name.

    A file there with no journal entry (or one only ``received``) is checked first when
    ``coding`` is given: a correct one becomes pending; a broken one is recorded
    ``received`` and left for the next exchange session to reject. ``org`` defaults to the
    association's ИНН in the database.
    """
    org = org or docs.org(db)[0]
    if org:
        recover(db, tree, org, clock)
    items: list[PendingItem] = []
    for name in tree.names(tree.incoming):
        fname = formats.parse_name(name)
        if fname is None or fname.is_ack or fname.kind not in formats.INCOMING_TYPES:
            continue
        entry = journal.get_file(db, "in", name)
        if entry is None or entry.status == "received":
            if coding is None or not org:
                continue
            entry = _check_unrecorded(db, tree.incoming / name, fname, org, coding)
            if entry is None:
                continue
        if entry.status != "pending":
            continue
        items.append(
            PendingItem(
                name,
                fname.kind,
                fname.day,
                f"{fname.number:03d}",
                entry.rows or 0,
                entry.total or 0,
            )
        )
    return items


def _check_unrecorded(
    db: Database, path: Path, fname: FileName, org: str, coding: str
) -> journal.FileEntry | None:
    checked = check_incoming(db, path.name, path, org, coding)
    sha = checked.sha256
    with db.transaction():
        if checked.header is None:
            log.info("%s: %d errors; left to the exchange session", path.name, checked.count)
            journal.record_file(db, path.name, "in", sha, fname.type, "received")
            return None
        h = checked.header
        journal.record_file(db, path.name, "in", sha, fname.type, "pending", h.rows, h.filesum)
    return journal.get_file(db, "in", path.name)


# ---------------------------------------------------------------------------- accept


def accept(
    db: Database,
    tree: ExchangeTree,
    name: str,
    org: str,
    coding: str,
    reports_dir: Path,
    clock: Callable[[], datetime] = datetime.now,
    *,
    report: bool = True,
    xlsx: bool = False,
    bank: BankTerms | None = None,
    progress: Progress = no_progress,
    expected_sha256: str | None = None,
) -> AcceptResult:
    """Accept one pending registry (see the module docstring); ``AcceptError`` when not.
    ``progress`` hears the rows checked ("check") and written ("write") of how many.
    ``expected_sha256``: the file the accountant confirmed (``PendingSummary.sha256``); a
    file changed since is refused, not accepted unseen.

    With ``bank`` (the settings of bank.md), a payments registry's match against the bank
    statements is kept with it in the same transaction (``reconcile.keep_match``).

    Where an earlier acceptance of it was interrupted after its documents were written,
    only the confirmation and the move are done, and the result is returned as usual.
    ``report=False`` skips the printable report (``write_report`` can make it later).
    """
    fname = formats.parse_name(name)
    if fname is None or fname.is_ack or fname.kind not in formats.INCOMING_TYPES:
        raise AcceptError(f"{name}: это не реестр платежей или показаний")
    tree.ensure()
    # another accountant's acceptance in progress is waited for, not taken for a crash's
    with acceptance_lock(db):
        return _accept(db, tree, name, fname, org, coding, reports_dir, clock, report, xlsx,
                       bank, progress, expected_sha256)


def _accept(
    db: Database,
    tree: ExchangeTree,
    name: str,
    fname: FileName,
    org: str,
    coding: str,
    reports_dir: Path,
    clock: Callable[[], datetime],
    report: bool,
    xlsx: bool,
    bank: BankTerms | None,
    progress: Progress = no_progress,
    expected_sha256: str | None = None,
) -> AcceptResult:
    before = journal.get_file(db, "in", name)
    recover(db, tree, org, clock)
    if before is not None and before.status in ("accepted", "done"):
        if before.status == "done":
            made = docs.document_of_file(db, before.id)
            what = f" (документ № {made[1]})" if made else ""
            raise AcceptError(f"реестр {name} уже принят{what}")
        log.info("%s: an interrupted acceptance finished", name)
        return _result(db, tree, fname, name, before, reports_dir, report, xlsx)
    if before is not None and before.status == "broken":
        raise AcceptError(f"реестр {name} содержит ошибки и не может быть принят")
    path = tree.incoming / name
    if not path.is_file():
        raise AcceptError(f"реестра {name} нет в папке «Входящие»: принимать нечего")

    try:
        with db.transaction():
            entry = journal.get_file(db, "in", name)
            if entry is not None and entry.status in ("accepted", "done"):
                raise AcceptError(f"реестр {name} уже принят")
            # read as a stream: the rows go to t_pay / t_read in batches, none held here
            checked, lookup = check_loaded(db, name, path, org, coding, progress)
            sha = checked.sha256  # of the very bytes checked
            if expected_sha256 is not None and sha != expected_sha256:
                raise AcceptError(f"реестр {name} изменился после проверки: проверьте его "
                                  "снова («Принять») и сверьте суммы")  # fmt: skip
            if checked.header is None:
                raise AcceptError(_refusal(name, checked.errors, checked.count))
            h = checked.header
            count, first_line = checked.rows, checked.first_line
            file_id = journal.record_file(
                db, name, "in", sha, fname.type, "pending", h.rows, h.filesum
            )
            now = clock()
            progress("write", 0, count)
            if h.type == "PAYMENTS":
                number = _write_payments(db, h, count, first_line, lookup, name, file_id, now)
            else:
                number = _write_readings(db, count, file_id, now)
            progress("write", count, count)
            if bank is not None and h.type == "PAYMENTS":
                keep_match(db, file_id, bank)
            journal.set_status(db, "in", name, "accepted")
            events.record(db, _accepted_text(name, h, number))
    except IntegrityError as exc:
        log.warning("%s: the database refused the acceptance: %s", name, exc)
        text = str(exc)
        keys = ("payment_id", "reading_id", "documents.file_id", "documents_one_per_file")
        if any(k in text for k in keys):
            raise AcceptError(
                f"реестр {name} уже принят или его платежи (показания) приняты раньше"
            ) from exc
        raise AcceptError(f"реестр {name} не принят: {text}") from exc
    log.info("%s: accepted as document %s (%d rows)", name, number, h.rows)
    if _after_commit is not None:
        _after_commit()
    entry = journal.get_file(db, "in", name)
    assert entry is not None
    _finish(db, tree, entry, org, clock)
    return _result(db, tree, fname, name, entry, reports_dir, report, xlsx)


def _write_payments(
    db: Database,
    h: Header,
    count: int,
    first_line: int,
    lookup: Lookup,
    name: str,
    file_id: int,
    now: datetime,
) -> str:
    created = now.strftime("%Y-%m-%d %H:%M:%S")
    number = docs.format_number(docs.next_number(db, "receipts", "registry"))
    doc_id, pay_id = docs.next_ids(db)
    docs.insert_document(
        db, "receipts", "registry", number, now.date().isoformat(), created,
        comment=name, file_id=file_id, rows=h.rows, total=h.filesum or 0, posted=True,
        doc_id=doc_id,
    )  # fmt: skip
    if not count:
        return number
    # payment documents follow the registry's in id, with their own sequence of numbers,
    # in file order (the lines of a correct file are consecutive)
    numbers = docs.next_number(db, "receipts", "payment") - first_line
    ids = doc_id + 1 - first_line
    docs.insert_payment_documents(db, doc_id, numbers, ids, created)
    written = docs.insert_payments(db, ids)
    if any(len(owns) > 1 for owns in lookup.codes.values()):
        written += _write_shared(db, ids, pay_id + written)
    if written != count:
        raise AcceptError(f"реестр {name}: записано платежей {written} из {count}")
    return number


def _write_shared(db: Database, doc_ids: int, next_id: int) -> int:
    """Spread the payments to a shared code; returns how many payments were written."""
    written = 0
    staged = False
    out: list[tuple[Any, ...]] = []
    for (_, acc_id, doc, at, _, period, pid, code), shares in spread_shared(db, doc_ids):
        main = next_id
        for k, (own, part) in enumerate(shares):
            out.append(
                (next_id, acc_id, own, at, part, period, None if k else pid, code, doc,
                 main if k else None)
            )  # fmt: skip
            next_id += 1
        written += 1
        if len(out) >= SHARE_BATCH:
            docs.stage_payment_shares(db, out, first=not staged)
            staged, out = True, []
    if written:
        docs.stage_payment_shares(db, out, first=not staged)
        docs.insert_payment_shares(db)
    return written


SHARE_BATCH = 10_000  # shares staged at a time
SHARED_PAGE = 10_000  # payments to a shared code spread at a time


def spread_shared(
    db: Database, id_offset: int, codes: Iterable[str] | None = None
) -> Iterator[tuple[tuple[Any, ...], list[tuple[int, int]]]]:
    """Each payment of ``t_pay`` to a shared code (of ``codes``, when given), as a row of
    ``docs.shared_payments`` with ``id_offset``, with its shares: (own code, kopecks), the
    lowest own code first. The payments of this file count too: spread in the order they
    were made, each against the debts less the shares of the file's earlier payments to
    those services. A page of ``SHARED_PAGE`` payments at a time: what is held is a page
    and the shares so far per account and service."""
    count = docs.order_shared(db, codes)
    paid: dict[tuple[int, int], int] = {}
    for first in range(1, count + 1, SHARED_PAGE):
        last = first + SHARED_PAGE - 1
        debts: dict[int, list[tuple[int, int]]] = {}
        for line, own, debt in docs.shared_debts(db, first, last):
            debts.setdefault(line, []).append((int(own), int(debt)))
        for row in docs.shared_payments(db, id_offset, first, last):
            line, acc_id, amount, pid = row[0], row[1], row[4], row[6]
            owed = [(own, d - paid.get((acc_id, own), 0)) for own, d in debts.get(line, [])]
            shares = sorted((c, a) for c, a in spread(amount, owed).items() if a > 0)
            if not shares:  # the check made sure the account has one of the services
                raise AcceptError(f"строка {line}: платёж {pid} не на что разнести")
            for own, part in shares:
                paid[(acc_id, own)] = paid.get((acc_id, own), 0) + part
            yield row, shares


def _write_readings(db: Database, count: int, file_id: int, now: datetime) -> str:
    number = docs.format_number(docs.next_number(db, "accruals", "readings"))
    doc_id = docs.insert_document(
        db, "accruals", "readings", number, now.date().isoformat(),
        now.strftime("%Y-%m-%d %H:%M:%S"), comment=docs.READINGS_COMMENT, file_id=file_id,
        rows=count, doc_id=docs.next_ids(db)[0],
    )  # fmt: skip
    written = docs.insert_readings(db, doc_id)
    if written != count:
        raise AcceptError(f"показаний записано {written} из {count}")
    return number


def _accepted_text(name: str, h: Header, number: str) -> str:
    """The event of an acceptance: the registry, its document, count and sum."""
    if h.type == "PAYMENTS":
        return (f"Принят реестр {name}: документ «Реестр \"Мои счета\"» № {number}, "
                f"платежей {h.rows} на сумму {events.rubles(h.filesum or 0)}")  # fmt: skip
    return (f"Принят реестр {name}: документ «Показания новые» № {number}, показаний "
            f"{h.rows} (не проведён: проверьте и проведите)")  # fmt: skip


def _refusal(name: str, errors: list[tuple[int, str]], count: int) -> str:
    """``count``: the errors found in all (``errors`` holds the first of them)."""
    shown = "; ".join(format_error(n, m) for n, m in errors[:SHOWN_ERRORS])
    more = f"; ... всего ошибок: {count}" if count > SHOWN_ERRORS else ""
    return f"реестр {name} не принят, он остаётся во «Входящих»: {shown}{more}"


# ---------------------------------------------------------------------------- finishing


def recover(
    db: Database, tree: ExchangeTree, org: str, clock: Callable[[], datetime] = datetime.now
) -> int:
    """Finish the confirmation and the move of every accepted registry; returns how many."""
    if not journal.files_with_status(db, "in", "accepted"):
        return 0
    done = 0
    with acceptance_lock(db):  # not one that another process is finishing right now
        for entry in journal.files_with_status(db, "in", "accepted"):
            log.info("recovery: %s accepted but not confirmed; finishing", entry.name)
            _finish(db, tree, entry, org, clock)
            done += 1
    return done


def _finish(
    db: Database,
    tree: ExchangeTree,
    entry: journal.FileEntry,
    org: str,
    clock: Callable[[], datetime],
) -> Path:
    """Write the confirmation, move the file to Входящие/Обработаны, mark it done.

    Held under the acceptance lock (one finisher at a time, across processes and, with
    PostgreSQL, across PCs: ``lock.acceptance_lock``), so that the temporary files of this
    confirmation found in Исходящие can only be what a killed run left half written: they
    are removed first.
    """
    with acceptance_lock(db, wait=FINISH_LOCK_SECONDS):
        fresh = journal.get_file(db, "in", entry.name)
        if fresh is not None and fresh.status == "done":  # another process finished it
            return tree.find(formats.ack_name(entry.name)) or tree.outgoing / formats.ack_name(
                entry.name
            )
        remove_half_written(tree, formats.ack_name(entry.name))
        return _finish_locked(db, tree, entry, org, clock)


def remove_half_written(tree: ExchangeTree, ack: str) -> None:
    prefix = f"{TEMP_PREFIX}{ack}."
    try:
        names = [n for n in os.listdir(tree.outgoing) if n.startswith(prefix)]
    except OSError:
        return
    for n in names:
        with contextlib.suppress(OSError):
            os.unlink(tree.outgoing / n)
            log.info("%s: a confirmation half written by a killed run removed", n)


def _finish_locked(
    db: Database,
    tree: ExchangeTree,
    entry: journal.FileEntry,
    org: str,
    clock: Callable[[], datetime],
) -> Path:
    name = entry.name
    ack = formats.ack_name(name)
    target = tree.outgoing / ack
    found = tree.find(ack)
    wrote = False
    if found is None:
        fname = formats.parse_name(name)
        assert fname is not None
        answered = Header(
            type=fname.kind, org=org, number=fname.number, day=fname.day,
            rows=entry.rows or 0, filesum=(entry.total or 0) if fname.kind == "PAYMENTS" else None,
        )  # fmt: skip
        text = formats.render(formats.make_ack(name, org, clock().date(), [], answered))
        write_atomic(target, formats.encode(text))
        wrote = True
        found = target
    src = tree.incoming / name
    if src.is_file():
        tree.move(src, tree.incoming_done)
    elif not (tree.incoming_done / name).is_file():
        log.warning("%s: accepted, but the file is in neither Входящие nor Обработаны", name)
    with db.transaction():
        if wrote and journal.get_file(db, "out", ack) is None:
            journal.record_file(db, ack, "out", sha256_file(target), "ACK", "generated")
        journal.set_status(db, "in", name, "done")
    log.info("%s: confirmation %s written, file moved to Входящие/Обработаны", name, ack)
    return found


def _result(
    db: Database,
    tree: ExchangeTree,
    fname: FileName,
    name: str,
    entry: journal.FileEntry,
    reports_dir: Path,
    report: bool,
    xlsx: bool,
) -> AcceptResult:
    made = docs.document_of_file(db, entry.id)
    assert made is not None
    number = made[1]
    confirmation = tree.find(formats.ack_name(name)) or tree.outgoing / formats.ack_name(name)
    path: Path | None = None
    if report:
        from trayapp.core.report import write_report  # the report is optional

        try:
            path = write_report(db, number, reports_dir, xlsx=xlsx, kind=made[0])
        except AppError as exc:
            log.error("%s: the report could not be written: %s", name, exc.message)
    return AcceptResult(
        name, fname.kind, number, entry.rows or 0, entry.total or 0, confirmation, path
    )


def report_of_file(db: Database, name: str, reports_dir: Path, xlsx: bool = False) -> Path:
    """The printable report of an accepted registry, by its file name (made again)."""
    from trayapp.core.report import write_report

    entry = journal.get_file(db, "in", name)
    made = docs.document_of_file(db, entry.id) if entry is not None else None
    if made is None:
        raise AcceptError(f"реестр {name} не принят: отчёта по нему нет")
    return write_report(db, made[1], reports_dir, xlsx=xlsx, kind=made[0])


# ---------------------------------------------------------------------------- posting


def post_document(db: Database, number: str,
                  confirmed: list[BelowPrevious] | None = None) -> tuple[str, int]:  # fmt: skip
    """Post a «Показания новые» document: from then on its readings count. (number, rows).
    ``confirmed``: the readings below the previous ones the accountant was shown and agreed
    to (``below_previous``); one more found now (a posting by someone else in between) is
    refused, to be shown again, never posted unseen."""
    num = number.strip()
    if num.isascii() and num.isdigit():  # «١» or «²» is no document number
        num = docs.format_number(int(num))
    with db.transaction():
        doc = docs.find_document(db, "accruals", "readings", num)
        if doc is None:
            raise AcceptError(f"нет документа «Показания новые» № {number}")
        if doc[4]:
            raise AcceptError(f"документ «Показания новые» № {num} уже проведён")
        below = _below(db, int(doc[0]))
        if confirmed is not None and not set(below) <= set(confirmed):
            raise AcceptError(f"документ «Показания новые» № {num} не проведён: после проверки "
                              "появились другие показания меньше предыдущих; проверьте снова "
                              "(«Провести»)")  # fmt: skip
        low = len(below)
        rows = docs.post_readings(db, int(doc[0]))
        source = docs.file_name(db, doc[5])
        events.record(db, f"Проведён документ «Показания новые» № {num}"
                      + (f" (реестр {source})" if source else "") + f": показаний {rows}"
                      + (f", из них меньше предыдущих {low}" if low else ""))  # fmt: skip
    log.info("readings document %s posted (%d readings)", num, rows)
    return num, rows


@dataclass(frozen=True, slots=True)
class BelowPrevious:
    """A reading of a document to post that is below the meter's previous one."""

    meter_id: str
    serial: str
    account: str
    service: str
    previous: int  # thousandths
    value: int  # thousandths
    taken_at: datetime
    reading: int = 0  # the reading's row id: what «leave unposted» names


def below_previous(db: Database, number: str) -> list[BelowPrevious]:
    """The readings of the unposted «Показания новые» document ``number`` that are below
    the meter's previous reading (as formats.md marks them, computed again now): what the
    accountant is shown before posting. Not an error: posting them is allowed."""
    num = number.strip()
    if num.isascii() and num.isdigit():  # «١» or «²» is no document number
        num = docs.format_number(int(num))
    doc = docs.find_document(db, "accruals", "readings", num)
    if doc is None:
        raise AcceptError(f"нет документа «Показания новые» № {number}")
    return _below(db, int(doc[0]))


def _below(db: Database, document_id: int) -> list[BelowPrevious]:
    return [BelowPrevious(str(m), str(s), str(a), str(n or ""), int(p), int(val),
                          datetime.fromisoformat(str(at)), int(i))
            for m, s, a, n, p, val, at, i in docs.readings_below_previous(db, document_id)]  # fmt: skip


def unposted_readings(db: Database) -> list[tuple[str, str, int]]:
    """(number, date, rows) of «Показания новые» documents waiting to be posted: the Meters
    registry leaves their readings out until they are."""
    return docs.unposted_readings(db)
