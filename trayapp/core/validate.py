"""The full check of a received Payments or Readings registry: format, then the database.

``check_incoming`` reads the file as a stream (``formats.stream``: the encoding found in a
first pass that stops at the first byte not UTF-8, then the lines decoded piece by piece)
and loads its rows into the check's temporary table in batches of ``BATCH`` as they are
read, so that a registry at the transport's ceiling (200 MB, 3,500,000 lines) is checked in
bounded memory: what stays in memory is a batch, counts and sums. Every row is then checked
against the database, set-based (``db/incoming.py``): the account exists, the service code
is one of the chosen coding and one of the account's services, the meter is the account's,
the payment or reading id was never accepted. Every error is found and counted, also when
the format check failed (the lines that could still be split are checked too); the first
``MAX_ERRORS`` (line order, line 0 last) are kept, as many as a rejection carries
(formats.md). Imports no GUI, no HTTP; all SQL lives in ``db/incoming.py``.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast

from trayapp.core import formats
from trayapp.core import values as v
from trayapp.core.db import incoming as q
from trayapp.core.db.connection import Database
from trayapp.core.formats import Header, PaymentRow, ReadingRow, Row
from trayapp.core.formats.stream import (
    NOT_FORMAT,
    Fields,
    Reader,
    decode_lines,
    ordered,
    sniff_encoding,
)
from trayapp.core.progress import Progress, Throttle, no_progress
from trayapp.errors import FolderError

log = logging.getLogger(__name__)

Errors = list[tuple[int, str]]
T = TypeVar("T")
MAX_ERRORS = 1000  # the errors kept and shown: a rejection carries up to 1000 (formats.md)
BATCH = 20_000  # rows loaded into the temporary table at a time
STRIDE = 2048  # rows between progress reports
PIECE = 1 << 20  # bytes read from the file at a time


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of a check: the header and counts when correct, else the errors."""

    header: Header | None  # None when errors
    errors: Errors  # the first MAX_ERRORS, line order, line 0 (whole file) last
    count: int = 0  # errors found in all
    rows: int = 0  # data lines of a correct file
    first_line: int = 0  # the line of its first row
    sha256: str = ""  # of the bytes checked
    total: int = 0  # kopecks of its rows (payments)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class Lookup:
    """What acceptance reuses after a check (the temporary tables stay loaded as well)."""

    kind: str  # PAYMENTS, READINGS or '' for a file of another kind
    codes: dict[str, tuple[int, ...]] = field(default_factory=dict)


Source = bytes | Path


def check_incoming(db: Database, name: str, data: Source, org: str, coding: str) -> Checked:
    """Check a received PAYMENTS or READINGS file (its bytes, or its path) completely."""
    with db.transaction():
        checked, _ = check_loaded(db, name, data, org, coding)
    return checked


def check_loaded(
    db: Database, name: str, data: Source, org: str, coding: str,
    progress: Progress = no_progress, *, checks: bool = True,
) -> tuple[Checked, Lookup]:
    """``check_incoming`` inside the caller's transaction, leaving ``t_pay`` / ``t_read``
    loaded with the file's rows for the acceptance that follows; ``progress`` hears the
    rows loaded for the check ("check") of how many. ``checks=False``: the format's check
    only, the rows loaded all the same (``t_pay.account_id`` resolved), for a summary."""  # fmt: skip
    with _Pieces.open(data) as pieces:
        return _check(db, name, pieces, org, coding, progress, checks)


def _check(
    db: Database, name: str, pieces: _Pieces, org: str, coding: str, progress: Progress,
    checks: bool,
) -> tuple[Checked, Lookup]:  # fmt: skip
    fname = formats.parse_name(name)
    kind = fname.type if fname is not None else ""
    sink = _Errors()
    lookup = Lookup("")
    if kind in formats.INCOMING_TYPES:  # the format's errors go to t_err as found
        lookup = _start(db, kind, coding, sink)
    encoding = sniff_encoding(pieces.sniff())
    # ids twice in the file: found in the table (holding 3,500,000 ids would take 300 MB)
    by_table = kind in formats.INCOMING_TYPES
    reader = Reader(decode_lines(pieces.read(), encoding, sink), sink, name, org, coding,
                    unique_ids=not by_table)  # fmt: skip
    if reader.not_format:
        return Checked(None, [(1, NOT_FORMAT)], 1, sha256=pieces.finish()), Lookup("")
    header = reader.header
    if fname is None:  # a name of no kind (not the program's): the file's own type
        kind = header.type if header is not None else ""
        if kind in formats.INCOMING_TYPES:
            lookup = _start(db, kind, coding, sink)
    if kind not in formats.INCOMING_TYPES:
        for _ in reader.rows():
            pass
        errors = ordered(sink.kept)
        if errors or header is None:
            return Checked(None, errors[:MAX_ERRORS], sink.count, sha256=pieces.finish()), lookup
        return (Checked(header, [], 0, reader.data_count, reader.first_row, pieces.finish(),
                        reader.total), lookup)  # fmt: skip

    # the lines as fields where the type read is not the one checked (or none was read)
    items = reader.rows(fields=header is None or header.type != kind)
    report = Throttle(progress)
    total = header.rows if header is not None and header.rows else None
    twice = header.type if by_table and header is not None else ""
    if kind == "PAYMENTS":
        done = _load(db, q.load_payments, _pay_rows(items, pieces), sink, report, total)
        sha = pieces.finish()  # the file closed before the database's checks
        _ids_twice(db, "t_pay", "payment_id", twice)
        if checks:
            q.check_payments(db, any(len(owns) > 1 for owns in lookup.codes.values()))
        else:
            q.resolve_accounts(db)
    else:
        done = _load(db, q.load_readings, _read_rows(items, pieces), sink, report, total)
        sha = pieces.finish()
        _ids_twice(db, "t_read", "reading_id", twice)
        if checks:
            q.check_readings(db)
    report("check", done, done)
    count, errors = q.errors(db, MAX_ERRORS)
    if count:
        log.info("%s: %d errors found", name, count)
        return Checked(None, errors, count, sha256=sha), lookup
    assert header is not None  # no error: the header was read
    return Checked(header, [], 0, reader.data_count, reader.first_row, sha,
                   reader.total), lookup  # fmt: skip


def _ids_twice(db: Database, table: str, column: str, file_type: str) -> None:
    """The reader's «повтор» of an id an earlier line has, by the file's own type."""
    text = {"PAYMENTS": "повтор платежа", "READINGS": "повтор показания"}.get(file_type)
    if text:
        q.ids_twice(db, table, column, text)


def _start(db: Database, kind: str, coding: str, sink: _Errors) -> Lookup:
    """The temporary tables of ``kind`` emptied, the format's errors going to ``t_err``."""
    if kind == "READINGS":
        lookup = Lookup(kind)
        q.start_readings(db)
    else:
        lookup = Lookup(kind, q.coding_codes(db, coding))
        q.start_payments(db, lookup.codes)
    sink.attach(db)
    return lookup


def _load(db: Database, load: Callable[[Database, list[T]], None], rows: Iterable[T],
          sink: _Errors, report: Throttle, total: int | None) -> int:  # fmt: skip
    """Rows into the temporary table a batch at a time, the format's errors after each."""
    done = 0
    report("check", 0, total)
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) % STRIDE == 0:
            report("check", done + len(batch), total)
            if len(batch) >= BATCH:
                load(db, batch)
                done += len(batch)
                batch = []
                sink.flush()
    if batch:
        load(db, batch)
        done += len(batch)
    sink.flush()
    return done


# ---------------------------------------------------------------------------- rows


def _pay_rows(items: Iterable[Row | Fields], pieces: _Pieces) -> Iterator[q.PayRow]:
    """The rows of ``t_pay``: a correct row as read; the fields of a line with errors as
    far as they read (an id, moment, amount or month that does not: NULL)."""
    for r in items:
        if type(r) is PaymentRow:
            # isoformat(" ") is "YYYY-MM-DD HH:MM:SS" here (no microseconds), and several
            # times faster than strftime
            row: q.PayRow = (r.line, r.payment_id, r.account, r.service_code,
                             r.paid_at.isoformat(" "), r.amount, r.period, 1)  # fmt: skip
        elif isinstance(r, Fields) and len(r.fields) == 6:
            f = r.fields
            moment = v.parse_moment(f[1])
            row = (r.line, f[0] if v.is_external_id(f[0]) else None, f[2], f[3],
                   moment.isoformat(" ") if moment else None, v.parse_amount(f[4]),
                   v.parse_month(f[5]), int(v.is_account(f[2])))  # fmt: skip
        else:
            continue
        yield _nul_free(row) if pieces.nul else row


def _read_rows(items: Iterable[Row | Fields], pieces: _Pieces) -> Iterator[q.ReadRow]:
    for r in items:
        if type(r) is ReadingRow:
            row: q.ReadRow = (r.line, r.reading_id, r.account, r.meter_id, r.serial,
                              r.taken_at.isoformat(" "), r.value, 1)  # fmt: skip
        elif isinstance(r, Fields) and len(r.fields) == 6:
            f = r.fields
            moment = v.parse_moment(f[1])
            row = (r.line, f[0] if v.is_external_id(f[0]) else None, f[2], f[3], f[4],
                   moment.isoformat(" ") if moment else None, v.parse_reading(f[5]),
                   int(v.is_account(f[2])))  # fmt: skip
        else:
            continue
        yield _nul_free(row) if pieces.nul else row


def _nul_free(row: T) -> T:
    """A NUL in a field made ``?`` (PostgreSQL cannot hold one in text; the field is wrong
    either way and is named so in the rejection, which writes it ``?`` too)."""
    fields = cast(tuple[Any, ...], row)
    return cast(T, tuple(x.replace("\x00", "?") if isinstance(x, str) else x for x in fields))


# ---------------------------------------------------------------------------- plumbing


class _Errors:
    """The format's errors as found: into ``t_err`` once a database is attached (a batch
    at a time), else the first ``MAX_ERRORS`` of them kept here, with the count of all."""

    def __init__(self) -> None:
        self.kept: Errors = []
        self.count = 0
        self._db: Database | None = None
        self._sent = 0

    def append(self, item: tuple[int, str], /) -> None:
        line, msg = item
        if "\x00" in msg:
            msg = msg.replace("\x00", "?")
        self.kept.append((line, msg))
        self.count += 1
        if len(self.kept) >= 4 * MAX_ERRORS and self._db is None:
            self.kept = ordered(self.kept)[:MAX_ERRORS]  # stable: the order found kept

    def __len__(self) -> int:
        return self.count

    def attach(self, db: Database) -> None:
        self._db = db
        self.flush()

    def flush(self) -> None:
        if self._db is not None and self.kept:
            q.add_errors(self._db, self._sent, self.kept)
            self._sent += len(self.kept)
            self.kept = []


class _Pieces:
    """A file read in pieces, from the start each pass: ``sniff()`` for the encoding, then
    ``read()``, which hashes what it reads and notes a NUL byte; ``finish()`` hashes the
    rest of the file (a reader that stopped early) and gives the SHA-256 of it all."""

    def __init__(self, f: BinaryIO, path: str) -> None:
        self.f = f
        self.path = path
        self.nul = False
        self._sha = hashlib.sha256()

    @classmethod
    def open(cls, data: Source) -> _Pieces:
        if isinstance(data, bytes):
            return cls(io.BytesIO(data), "")
        try:
            return cls(open(data, "rb"), str(data))  # noqa: SIM115 - closed by __exit__
        except OSError as exc:
            raise _os_error(exc, str(data)) from exc

    def __enter__(self) -> _Pieces:
        return self

    def __exit__(self, *exc: object) -> None:
        self.f.close()

    def _pieces(self) -> Iterator[bytes]:
        try:
            self.f.seek(0)
            while piece := self.f.read(PIECE):
                yield piece
        except OSError as exc:
            raise _os_error(exc, self.path) from exc

    def sniff(self) -> Iterator[bytes]:
        return self._pieces()

    def read(self) -> Iterator[bytes]:
        self._sha = hashlib.sha256()
        for piece in self._pieces():
            self._sha.update(piece)
            if not self.nul and b"\x00" in piece:
                self.nul = True
            yield piece

    def finish(self) -> str:
        """The SHA-256 of the whole file; the file is closed then: held open through the
        database checks, another program's ``os.replace`` of it fails on Windows."""
        if self.f.closed:
            return self._sha.hexdigest()
        try:
            while piece := self.f.read(PIECE):
                self._sha.update(piece)
        except OSError as exc:
            raise _os_error(exc, self.path) from exc
        finally:
            self.f.close()
        return self._sha.hexdigest()


def _os_error(exc: OSError, path: str) -> FolderError:
    from trayapp.core.folders import os_error

    return os_error(exc, path)
