"""One exchange session with «Мои счета»: upload, download, file the answers, check registries.

``run_session`` sends every registry and answer waiting in ``Исходящие`` (moved to
``Отправлены`` only once the server answered 200/201), then stores every inbox file in
``Входящие`` through a hidden temporary file (size and sha256 checked, fsynced,
``os.replace``d, recorded in the file journal) before it deletes it on the server. An
``Ack_`` is filed beside the registry it answers (``Отправлены/Обработаны`` or ``/Ошибки``);
a received Payments or Readings registry is checked at once (``validate.check_incoming``):
correct ones wait in ``Входящие`` as pending, broken ones go to ``Входящие/Ошибки`` with an
``Ack_ ERROR`` written to ``Исходящие`` for the next session. Killed at any instant, the next
session finishes the job (``_recover``): temporary files are removed, files on disk but not
in the journal are recorded, files recorded but not yet routed are routed, and a file the
server offers again that we already hold with the same bytes is only deleted there.
``status`` reads the journal for ``trayapp status``. No GUI, no SQL (``db.journal``), no HTTP
(the ``Transport`` is given).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from trayapp.core import events, formats
from trayapp.core.accept import recover as finish_acceptances
from trayapp.core.accept import remove_half_written
from trayapp.core.db import journal
from trayapp.core.db.connection import Database
from trayapp.core.folders import (
    TEMP_PREFIX,
    ExchangeTree,
    fsync_dir,
    os_error,
    remove_file,
    replace_file,
    set_hidden,
    sha256_file,
    write_atomic,
)
from trayapp.core.formats import FileName, Registry
from trayapp.core.lock import exchange_lock
from trayapp.core.own_files import foreign_text, header_org
from trayapp.core.progress import Progress, no_progress
from trayapp.core.transport import GoneError, InboxEntry, LimitedFile, TransferError, Transport
from trayapp.core.validate import check_incoming
from trayapp.core.values import format_amount
from trayapp.errors import AppError, ExchangeError, FolderError, RegistryError, format_error

log = logging.getLogger(__name__)

_SHA = re.compile(r"[0-9a-f]{64}")
SHOWN_ERRORS = 5  # errors quoted in a notification
# the ceiling for one received registry: a management company's is tens of MB; a larger
# announcement is refused before any byte is written (the file stays on the server)
MAX_REGISTRY_BYTES = 200_000_000
# the order files of Исходящие go out: the catalogue first, then what refers to it
_SEND_ORDER = {"SERVICES": 0, "DEBTS": 1, "METERS": 2}


@dataclass(frozen=True, slots=True)
class SessionResult:
    """What one session did; ``pending`` is the count of pending registries after it."""

    sent: int = 0
    received: int = 0
    answers_ok: int = 0
    answers_error: int = 0
    broken: int = 0
    pending: int = 0
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # Russian texts for notifications

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``trayapp exchange --json`` (spec/cli.md; ``notices`` added)."""
        return asdict(self)


class _Session:
    """The state of one running session (counts, messages) and its steps."""

    def __init__(
        self,
        transport: Transport,
        db: Database,
        tree: ExchangeTree,
        org: str,
        coding: str,
        clock: Callable[[], datetime],
        progress: Progress = no_progress,
        name: str = "",
    ) -> None:
        self.t = transport
        self.name = name  # the association's name, for the texts that must name it
        self.progress = progress  # files sent and received of how many (once a file)
        self.db = db
        self.tree = tree
        self.org = org
        self.coding = coding
        self.clock = clock
        self.counts = {"sent": 0, "received": 0, "answers_ok": 0, "answers_error": 0, "broken": 0}
        self.errors: list[str] = []
        self.notices: list[str] = []

    # ------------------------------------------------------------------ helpers
    def error(self, text: str) -> None:
        log.warning("%s", text)
        self.errors.append(text)

    def notice(self, text: str, level: str = "error") -> None:
        """Remember ``text`` for the tray (an event); errors also go to ``notices``."""
        log.info("event (%s): %s", level, text)
        if level == "error":
            self.notices.append(text)
        journal.add_event(self.db, level, text)

    def result(self, pending: int = 0) -> SessionResult:
        c = self.counts
        return SessionResult(
            sent=c["sent"],
            received=c["received"],
            answers_ok=c["answers_ok"],
            answers_error=c["answers_error"],
            broken=c["broken"],
            pending=pending,
            errors=list(self.errors),
            notices=list(self.notices),
        )

    # ------------------------------------------------------------------ recovery
    def recover(self, final: bool = False) -> None:
        """Finish what an interrupted session left: unjournaled files, unrouted files."""
        if not final:
            for name in self.tree.names(self.tree.incoming):
                if journal.get_file(self.db, "in", name) is not None:
                    continue
                path = self.tree.incoming / name
                fname = formats.parse_name(name)
                assert fname is not None  # tree.names lists valid names only
                sha = _sha(path)
                log.info("recovery: %s found in Входящие without a journal entry", name)
                journal.record_file(self.db, name, "in", sha, fname.type, "received")
                self.counts["received"] += 1
        for entry in journal.files_with_status(self.db, "in", "received"):
            found = self._received_copy(entry.name)
            fname = formats.parse_name(entry.name)
            if found is None or fname is None:
                log.warning(
                    "journal: %s recorded as received but not in the tree; forgotten", entry.name
                )
                journal.forget_file(self.db, "in", entry.name)
                continue
            if found.parent == self.tree.incoming:
                self.route(fname, found)
            elif found.parent == self.tree.incoming_error:
                self.finish_broken(fname, found)
            elif found.parent in (self.tree.sent_ok, self.tree.sent_error):
                # filed, but the journal and the notice were cut off: do them now (the
                # moves inside are no-ops for files already in their folder)
                self.file_answer(fname, found)
            else:
                log.warning(
                    "journal: received %s lies in %s; left as it is", entry.name, found.parent
                )

    def _received_copy(self, name: str) -> Path | None:
        """Where a received file lies: Входящие, its Ошибки, or filed beside an answer."""
        t = self.tree
        folders = [t.incoming, t.incoming_error, t.incoming_done]
        if name.startswith("Ack_"):  # answers are filed beside what they answer
            folders[2:2] = [t.sent_ok, t.sent_error]
        for folder in folders:
            if (folder / name).is_file():
                return folder / name
        return None

    def finish_broken(self, fname: FileName, path: Path) -> None:
        """A file moved to Входящие/Ошибки before its journal entry said so."""
        name = path.name
        text = f"Принятый файл {name} отправлен в «Ошибки»"
        if not fname.is_ack and fname.kind in formats.INCOMING_TYPES:
            checked = check_incoming(self.db, name, path, self.org, self.coding)
            errors = checked.errors or [(0, "файл повреждён")]
            if self.tree.find(formats.ack_name(name)) is None:
                self.write_rejection(name, errors)
            text += (f". В «Мои счета» подготовлен отказ: "
                     f"«{_quote_errors(errors, checked.count)}»")  # fmt: skip
        self.counts["broken"] += 1
        with self.db.transaction():
            journal.set_status(self.db, "in", name, "broken")
            self.notice(text)

    # ------------------------------------------------------------------ upload
    def upload_all(self) -> None:
        tree = self.tree
        for other in tree.others(tree.outgoing):
            self.error(
                f"файл «{other}» в папке «Исходящие» не является реестром или ответом "
                "«Мои счета» и не отправлен"
            )
        names = tree.names(tree.outgoing)
        parsed = [(n, f) for n in names if (f := formats.parse_name(n)) is not None]
        parsed.sort(key=lambda nf: (nf[1].is_ack, _SEND_ORDER.get(nf[1].kind, 9), nf[0]))
        log.info("upload: %d files in Исходящие", len(parsed))
        total = sum(1 for _, fname in parsed if _sendable(fname))
        done = 0  # files tried
        for name, fname in parsed:
            self.progress("send", done, total)
            if not _sendable(fname):
                self.error(
                    f"файл {name} в папке «Исходящие» не отправляется: такие файлы шлёт сервис"
                )
                continue
            done += 1
            path = tree.outgoing / name
            if self.foreign(name, path):
                continue
            try:
                sha = _sha(path)
            except FolderError:
                if not path.exists():  # taken away meanwhile
                    continue
                raise
            try:
                status = self.t.upload(name, path)
            except TransferError as exc:
                self.error(f"файл {name} не отправлен и остался в «Исходящие»: {exc.message}")
                continue
            except OSError as exc:  # the file could not be read
                raise os_error(exc, str(path)) from exc
            tree.move(path, tree.sent)
            journal.record_file(self.db, name, "out", sha, fname.type, "sent")
            self.counts["sent"] += 1
            log.info("sent %s (answer %d), moved to Отправлены", name, status)
        self.progress("send", done, total)

    def foreign(self, name: str, path: Path) -> bool:
        """True when ``path`` is another association's registry (its ``#ORG`` is not ours):
        it is never sent, but moved to Отправлены/Ошибки with an event (associations.md)."""
        try:
            file_org = header_org(path)
        except FileNotFoundError:
            return True  # taken away meanwhile: nothing to send
        except OSError as exc:
            raise os_error(exc, str(path)) from exc
        if file_org == self.org:
            return False
        # a registry without #ORG cannot be shown to be ours: it is not sent either
        text = foreign_text(file_org, self.org, self.name or _org_name(self.db))
        if (self.tree.sent_error / name).exists():  # never replace a file kept there
            self.error(f"{name}: {text}; файл не отправлен и оставлен в «Исходящие»")
            return True
        self.tree.move(path, self.tree.sent_error)
        with self.db.transaction():
            self.notice(f"Реестр {name} не отправлен: {text}. "
                        "Файл перемещён в папку «Отправлены/Ошибки»")  # fmt: skip
        return True

    # ------------------------------------------------------------------ download
    def download_all(self) -> None:
        entries = self.t.list_inbox()
        log.info("download: %d files offered", len(entries))
        for done, entry in enumerate(entries):
            self.progress("receive", done, len(entries))
            fname = formats.parse_name(entry.name)
            if fname is None:
                shown = repr(entry.name[:80]) + ("…" if len(entry.name) > 80 else "")
                self.error(f"сервер предложил файл с недопустимым именем {shown}: не принят")
                continue
            if entry.size < 0 or not _SHA.fullmatch(entry.sha256):
                self.error(
                    f"сервер не сообщил размер или контрольную сумму файла {entry.name}: не принят"
                )
                continue
            if self.already_stored(entry):
                continue
            path = self.fetch(entry)
            if path is None:
                continue
            journal.record_file(self.db, entry.name, "in", entry.sha256, fname.type, "received")
            self.counts["received"] += 1
            self.delete_on_server(entry.name)
            self.route(fname, path)
        self.progress("receive", len(entries), len(entries))

    def already_stored(self, entry: InboxEntry) -> bool:
        """True when the file was handled here (deleted on the server, or left and reported)."""
        name = entry.name
        known = journal.get_file(self.db, "in", name)
        sha: str | None = known.sha256 if known else None
        if sha is None:
            path = self._received_copy(name)  # where received files lie, not our own
            if path is None:
                return False
            sha = _sha(path)
        if sha == entry.sha256:
            log.info("%s already stored with the same bytes: deleting it on the server", name)
            self.delete_on_server(name)
        else:
            self.error(
                f"файл {name} уже был получен раньше, а сервер предлагает другое содержимое: "
                "оставлен на сервере"
            )
        return True

    def fetch(self, entry: InboxEntry) -> Path | None:
        """Download into a hidden temp file in Входящие, verify, fsync, rename into place."""
        name = entry.name
        folder = self.tree.incoming
        target = folder / name
        if entry.size > MAX_REGISTRY_BYTES:
            self.error(
                f"файл {name}: сервер объявил {entry.size} байт, больше предела "
                f"{MAX_REGISTRY_BYTES // 1_000_000} МБ для одного реестра: не принят, "
                "оставлен на сервере"
            )
            return None
        try:
            free = shutil.disk_usage(folder).free
        except OSError as exc:
            raise os_error(exc, str(folder)) from exc
        if free < entry.size:
            raise FolderError(
                f"нет места на диске: для файла {name} нужно {entry.size} байт, свободно {free}"
            )
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{name}.", dir=folder)
        except OSError as exc:
            raise os_error(exc, str(target)) from exc
        tmp = Path(tmp_name)
        set_hidden(tmp)
        try:
            with os.fdopen(fd, "wb") as f:
                # never more than the listing announced, whatever the transport gets
                sha = self.t.download(name, LimitedFile(f, entry.size, name))  # type: ignore[arg-type]
                size = f.tell()
                if size != entry.size or sha != entry.sha256:
                    raise TransferError(
                        f"файл {name} получен с ошибкой: размер или контрольная сумма не те, "
                        "что сообщил сервер; он остался на сервере"
                    )
                f.flush()
                os.fsync(f.fileno())
            set_hidden(tmp, False)  # a rename keeps the attributes
            replace_file(tmp, target)
            fsync_dir(folder)
        except GoneError:
            _unlink(tmp)
            log.warning("%s vanished from the server before it was downloaded", name)
            return None
        except TransferError as exc:
            _unlink(tmp)
            self.error(exc.message)
            return None
        except OSError as exc:
            _unlink(tmp)
            raise os_error(exc, str(target)) from exc
        except BaseException:
            _unlink(tmp)
            raise
        log.info("stored %s in Входящие (%d bytes)", name, entry.size)
        return target

    def delete_on_server(self, name: str) -> None:
        try:
            self.t.delete(name)
        except GoneError:
            log.info("%s was already gone from the server", name)

    # ------------------------------------------------------------------ routing
    def route(self, fname: FileName, path: Path) -> None:
        """Handle a file stored in Входящие and journaled as received."""
        if fname.is_ack:
            self.file_answer(fname, path)
        elif fname.kind in formats.INCOMING_TYPES:
            self.check_registry(fname, path)
        else:
            self.tree.move(path, self.tree.incoming_error)
            self.counts["broken"] += 1
            with self.db.transaction():
                journal.set_status(self.db, "in", path.name, "broken", "неожиданный вид файла")
                self.notice(
                    f"Получен неожиданный файл {path.name}: такие файлы отправляет ТСЖ, "
                    "а не сервис. Файл перемещён в «Ошибки»"
                )

    def check_registry(self, fname: FileName, path: Path) -> None:
        name = path.name
        checked = check_incoming(self.db, name, path, self.org, self.coding)  # streamed
        sha = _sha(path)
        if checked.header is not None and not checked.errors:
            h = checked.header
            stale = self.tree.outgoing / formats.ack_name(name)
            if stale.is_file():  # a rejection written before a crash, the data fixed since
                # FolderError when it cannot be removed (held by another program): the
                # session stops with the registry unrouted, the rejection unsent and still
                # journaled; the next session's recovery tries again before any upload
                remove_file(stale)
                journal.forget_file(self.db, "out", stale.name)
                log.info("%s: now correct; the unsent rejection %s removed", name, stale.name)
            journal.record_file(self.db, name, "in", sha, fname.type, "pending", h.rows, h.filesum)
            log.info("%s: correct, %d rows: pending", name, h.rows)
            return
        errors = checked.errors or [(0, "файл повреждён")]
        self.write_rejection(name, errors)
        self.tree.move(path, self.tree.incoming_error)
        detail = _quote_errors(errors, checked.count)
        self.counts["broken"] += 1
        log.info("%s: %d errors, moved to Входящие/Ошибки, rejection written", name, len(errors))
        with self.db.transaction():
            journal.record_file(self.db, name, "in", sha, fname.type, "broken", detail=detail)
            self.notice(
                f"Принятый файл {name} отправлен в «Ошибки». "
                f"В «Мои счета» подготовлен отказ: «{detail}»"
            )

    def write_rejection(self, name: str, errors: list[tuple[int, str]]) -> None:
        """``Ack_<name>`` with ERROR and every error, atomically into Исходящие."""
        ack = formats.make_ack(name, self.org, self.clock().date(), errors)
        target = self.tree.outgoing / formats.ack_name(name)
        remove_half_written(self.tree, target.name)  # by a session killed writing it
        write_atomic(target, formats.encode(formats.render(ack)))
        journal.record_file(self.db, target.name, "out", _sha(target), "ACK", "generated")
        log.info("rejection %s written to Исходящие (%d errors)", target.name, len(ack.rows))

    def file_answer(self, fname: FileName, path: Path) -> None:
        """File a service's ``Ack_`` beside the registry it answers."""
        name = path.name
        answered = fname.registry_name
        try:
            ack: Registry | None = formats.parse(_read(path), name=name, org=self.org)
            problem = ""
        except RegistryError as exc:
            ack, problem = None, _quote_errors(exc.errors)
        if ack is not None and ack.header.file != answered:
            problem = f"#FILE {ack.header.file} не совпадает с именем ответа"
        if ack is not None and ack.header.status not in ("OK", "ERROR"):
            problem = f"#STATUS {ack.header.status}"
        where = None if problem else self._sent_copy(answered)
        if where is None and not problem:
            if (self.tree.outgoing / answered).is_file():
                log.info("%s answers %s, still in Исходящие: filed later", name, answered)
                return
            problem = f"файл {answered} не отправлялся"
        if problem or ack is None or where is None:
            self.tree.move(path, self.tree.incoming_error)
            self.counts["broken"] += 1
            with self.db.transaction():
                journal.set_status(self.db, "in", name, "broken", problem)
                self.notice(
                    f"Ответ сервиса {name} не принят ({problem}): файл перемещён в «Ошибки»"
                )
            return
        ok = ack.header.status == "OK"
        mismatch = self._answered_mismatch(answered, ack.header) if ok else ""
        if mismatch:  # «accepted», but not what we sent: the accountant must look
            ok = False
        folder = self.tree.sent_ok if ok else self.tree.sent_error
        if where.parent != folder:
            where = self.tree.move(where, folder)
        self.tree.move(path, folder)
        rows = [r for r in ack.rows if isinstance(r, formats.AckRow)]
        pairs = [(r.line, r.message) for r in rows] or ([(0, mismatch)] if mismatch else [])
        detail = "; ".join(format_error(n, m) for n, m in pairs[:SHOWN_ERRORS])
        sha = _sha(where)
        self.counts["answers_ok" if ok else "answers_error"] += 1
        with self.db.transaction():
            journal.record_file(
                self.db, answered, "out", sha, fname.kind, "ok" if ok else "error", detail=detail
            )
            journal.set_status(self.db, "in", name, "answer", "OK" if ok else detail)
            if ok:
                self.notice(f"Реестр {answered} принят сервисом «Мои счета»", level="info")
            else:
                self.notice(
                    f"Реестр {answered} отклонён сервисом «Мои счета»: "
                    f"«{_quote_errors(pairs) if pairs else 'причина не указана'}». "
                    "Файл и ответ — в папке «Отправлены/Ошибки»"
                )
        log.info("%s: %s answered %s, filed in %s", name, answered, ack.header.status, folder)

    def _answered_mismatch(self, answered: str, h: formats.Header) -> str:
        """Why an OK answer does not match the file we sent ('' when it does)."""
        sent = journal.get_file(self.db, "out", answered)
        if sent is None:
            return ""
        if h.answered_rows is not None and sent.rows is not None and h.answered_rows != sent.rows:
            return f"сервис подтвердил строк: {h.answered_rows}, отправлено: {sent.rows}"
        if h.answered_sum is not None and sent.total is not None and h.answered_sum != sent.total:
            return (
                f"сервис подтвердил сумму {format_amount(h.answered_sum)}, "
                f"отправлено {format_amount(sent.total)}"
            )
        return ""

    def _sent_copy(self, answered: str) -> Path | None:
        for folder in (self.tree.sent, self.tree.sent_ok, self.tree.sent_error):
            p = folder / answered
            if p.is_file():
                return p
        return None


def run_session(
    transport: Transport,
    db: Database,
    tree: ExchangeTree,
    org: str,
    coding: str,
    clock: Callable[[], datetime] = datetime.now,
    progress: Progress = no_progress,
    name: str = "",
) -> SessionResult:
    """One exchange session (see the module docstring); ``progress`` hears the files sent
    ("send") and received ("receive") of how many, once a file; ``name`` is the
    association's (its org name in the database when not given), for the texts.

    Raises ``AuthError``, ``ServerError``, ``FolderError`` (or ``DatabaseError``) when it
    cannot finish, after recording the session with what got done; every file is then
    where a later session finishes the job.
    """
    if not org:
        raise ExchangeError("не заданы реквизиты ТСЖ (ИНН)",
                            "загрузите их командой «trayapp import org ФАЙЛ»",
                            "загрузите таблицу реквизитов ТСЖ на вкладке «Данные»")  # fmt: skip
    tree.ensure()
    with exchange_lock(db):
        return _run(_Session(transport, db, tree, org, coding, clock, progress, name))


def _run(s: _Session) -> SessionResult:
    sid = journal.start_session(s.db)
    log.info("exchange session %d started (org %s, coding %s)", sid, s.org, s.coding)
    try:
        s.tree.clean_temp()
        # an acceptance cut off after its documents were written: its confirmation and
        # move first, so that the confirmation goes out in this session
        finish_acceptances(s.db, s.tree, s.org, s.clock)
        s.recover()
        s.upload_all()
        s.download_all()
        s.recover(final=True)
    except AppError as exc:
        s.errors.append(exc.message)
        log.error("exchange session %d failed: %s", sid, exc.message, exc_info=True)
        _finish(s, sid, ok=False, failure=exc.message)
        raise
    except BaseException:
        log.exception("exchange session %d crashed", sid)
        _finish(s, sid, ok=False)
        raise
    result = _finish(s, sid, ok=True)
    log.info(
        "exchange session %d done: sent %d, received %d, answers ok %d / error %d, broken %d, "
        "pending %d, errors %d",
        sid, result.sent, result.received, result.answers_ok, result.answers_error,
        result.broken, result.pending, len(result.errors),
    )  # fmt: skip
    return result


def _finish(s: _Session, sid: int, ok: bool, failure: str = "") -> SessionResult:
    """Record the session (even a failed one) and its event; a database that fails here is
    not fatal. A failure's event is not popped up again: the window that ran the session
    tells it once, not at every retry."""
    result = s.result()
    try:
        result = s.result(journal.count_with_status(s.db, "in", "pending"))
        with s.db.transaction():
            journal.finish_session(s.db, sid, ok, result.to_json())
            counts = f"отправлено {result.sent}, принято {result.received}"
            if ok and (result.sent or result.received):  # a scheduled empty one: no event
                events.record(s.db, f"Сеанс обмена: {counts}, ждут приёма {result.pending}")
            elif failure:
                events.record(s.db, f"{events.SESSION_FAILED}{failure}", "error", seen=True)
    except AppError:
        log.exception("the session %d could not be recorded", sid)
    return result


def status(db: Database, tree: ExchangeTree) -> dict[str, Any]:
    """The JSON of ``trayapp status`` (spec/cli.md; ``ok``, ``answers_*``, ``broken`` added)."""
    last = journal.last_session(db)
    waiting = len(tree.names(tree.outgoing)) + len(tree.others(tree.outgoing))
    out: dict[str, Any] = {
        "last_exchange": None,
        "ok": None,
        "sent": 0,
        "received": 0,
        "answers_ok": 0,
        "answers_error": 0,
        "broken": 0,
        "pending": journal.count_with_status(db, "in", "pending"),
        "waiting": waiting,
        "errors": [],
    }
    if last is not None:
        out["last_exchange"] = datetime.strptime(last["finished_at"], "%Y-%m-%d %H:%M:%S").strftime(
            "%d.%m.%Y %H:%M:%S"
        )
        for key in ("ok", "sent", "received", "answers_ok", "answers_error", "broken", "errors"):
            out[key] = last[key]
        # rejected registries of that session (ours answered ERROR, theirs found broken)
        out["errors"] = list(out["errors"]) + [
            text for text in journal.events_since(db, last["started_at"], "error")
            if not text.startswith(events.SESSION_FAILED)  # its reason is in its errors
        ]  # fmt: skip
    return out


# ---------------------------------------------------------------------------- helpers


def _sendable(fname: FileName) -> bool:
    """Ours to send: Services/Debts/Meters registries and answers to Payments/Readings."""
    if fname.is_ack:
        return fname.kind in formats.INCOMING_TYPES
    return fname.kind in formats.OUTGOING_TYPES


def _org_name(db: Database) -> str:
    from trayapp.core.db.documents import org

    return org(db)[1]


def _quote_errors(errors: list[tuple[int, str]], count: int | None = None) -> str:
    """The first errors; ``count``: how many were found in all (``errors`` may hold only
    the first of them)."""
    count = max(len(errors), count or 0)
    shown = "; ".join(format_error(n, m) for n, m in errors[:SHOWN_ERRORS])
    if count > SHOWN_ERRORS:
        shown += f"; ... всего ошибок: {count}"
    return shown


def _sha(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as exc:
        raise os_error(exc, str(path)) from exc


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise os_error(exc, str(path)) from exc


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
