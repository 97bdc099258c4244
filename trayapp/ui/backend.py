"""What the window and the tray ask of the core, as plain calls meant for a worker thread.

Each call opens its own ``App`` (SQLite connections belong to one thread) and closes it,
calls the same core functions as the command line (``App.exchange``,
``registries.generate``, ``accept.list_pending`` / ``accept``, ``exchange.status``,
``events``, ``bank.import_statement`` and ``reconcile``) and returns frozen records the Tk
thread can show. No Tk, no pystray, no SQL (nothing of ``core.db``), no HTTP and no file
moves here: the core does those.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from trayapp import settings as st
from trayapp.app import App
from trayapp.core import events as core_events
from trayapp.core import exchange as core_exchange
from trayapp.core import reconcile, registries
from trayapp.core.accept import AcceptResult, BelowPrevious, PendingItem, accept, list_pending
from trayapp.core.backup_auto import auto_backup
from trayapp.core.bank import StatementImport, import_statement
from trayapp.core.bank_list import RECENT, HeldDocument, held_documents
from trayapp.core.exchange import SessionResult
from trayapp.core.import_batch import Plan
from trayapp.core.import_preview import Preview
from trayapp.core.posting import Posted
from trayapp.core.progress import Progress, no_progress
from trayapp.core.reconcile import Match
from trayapp.core.registries import GenerateResult
from trayapp.core.summary import PendingSummary
from trayapp.errors import AppError, GenerationError, PasswordError
from trayapp.version import version

log = logging.getLogger(__name__)

Event = tuple[str, str, str]  # (time, level, text)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the window shows after a start or a job: status, pending list, events."""

    status: dict[str, Any]
    pending: list[PendingItem]
    default_month: int | None  # the latest month with accruals
    recent: list[Event] = field(default_factory=list)  # newest first
    unseen: list[Event] = field(default_factory=list)  # to notify, oldest first
    exchange_folder: Path | None = None
    bank: dict[str, Match] = field(default_factory=dict)  # pending payments file -> its match
    statements: int = 0  # bank statements imported so far
    unposted: list[tuple[str, str, int]] = field(default_factory=list)  # readings documents
    outgoing: list[str] = field(default_factory=list)  # registries waiting in Исходящие
    months: list[int] = field(default_factory=list)  # the months with accruals, latest first
    mark: tuple[int, ...] = ()  # ``Backend.change_mark`` as the snapshot began
    transfers: list[HeldDocument] = field(default_factory=list)  # the latest held, by day


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """One billing-data file as loaded: its kind ('' unknown), rows, and bad rows."""

    path: Path
    kind: str
    rows: int
    errors: list[tuple[int, str]]
    inserted: int = 0
    updated: int = 0
    org_change: bool = False  # an org file of another ИНН, not loaded: the window asks
    notes: tuple[str, ...] = ()  # what was read other than as written (7001 → 0007001)


@dataclass(frozen=True, slots=True)
class ExchangeOutcome:
    result: SessionResult
    snapshot: Snapshot


class _PasswordApp(App):
    """An App whose password is given (the demo knows the emulator's one)."""

    _given_password: str = ""

    def password(self) -> str:
        return self._given_password or super().password()


class Backend:
    """Core calls for one home; every method may run in any thread, one App per call."""

    def __init__(self, home: str | None, password: str | None = None) -> None:
        self.home = home
        self.password = password
        self.version = version()  # the one version number (pyproject.toml), for the title
        # the watch thread's own App, kept between its checks (see change_mark)
        self._watch: tuple[int, float, App] | None = None

    @contextmanager
    def app(self) -> Iterator[App]:
        a = App.create(self.home)
        if self.password:
            pa = _PasswordApp(a.paths, a.settings, a.clock)
            pa._given_password = self.password
            a = pa
        try:
            yield a
        finally:
            a.close()

    # ------------------------------------------------------------------ reading

    def snapshot(self, mark_seen: bool = True) -> Snapshot:
        with self.app() as a:
            return self._snapshot(a, mark_seen)

    def change_mark(self) -> tuple[int, ...]:
        """What changes when work is done from elsewhere (the command line, a scheduled
        exchange): the modification times of Входящие and Исходящие and the journal's newest
        event. Cheap: two ``stat`` calls and one indexed query. On PostgreSQL the connection
        is kept between checks (the watch's thread only): a new connection to a shared
        server every few seconds from each PC is not cheap. It is opened again when the
        settings file changed, once a minute, and after any error."""
        now = time.monotonic()
        if self._watch is not None:
            key, at, kept = self._watch
            if _watch_key(kept) != key or now - at > 60:
                self.close_watch()
        if self._watch is None:
            kept = App.create(self.home)
            if kept.db.dialect != "postgresql":
                # an SQLite file is opened in a millisecond, and one held open would stop a
                # restore from replacing it on Windows: opened for each check, as before
                try:
                    return _mark(kept)
                finally:
                    kept.close()
            self._watch = (_watch_key(kept), now, kept)
        try:
            return _mark(self._watch[2])
        except BaseException:
            self.close_watch()
            raise

    def close_watch(self) -> None:
        """Close the watch's connection (its thread ends, or after an error)."""
        watch, self._watch = self._watch, None
        if watch is not None:
            try:
                watch[2].close()
            except Exception:  # closing a broken connection: nothing more to do
                log.debug("watch connection not closed cleanly", exc_info=True)

    def _snapshot(self, a: App, mark_seen: bool) -> Snapshot:
        mark = _mark(a)
        tree = a.tree
        status = dict(core_exchange.status(a.db, tree))
        # which database, where it is a shared one (the status line names it)
        status["database"] = a.db.label if a.db.dialect == "postgresql" else ""
        try:
            month: int | None = registries.billing_period(a.db, None)
        except GenerationError:
            month = None
        org = _org_or_none(a)
        pending = list_pending(a.db, tree, org, a.settings.coding if org else None, a.clock)
        recent = core_events.recent(a.db, 100)
        unseen = core_events.unseen(a.db, mark_seen=mark_seen)
        bank, statements = reconcile.pending_matches(a.db, a.settings.bank_terms(), pending)
        transfers = (held_documents(a.db, a.settings.bank_terms(), limit=RECENT)
                     if statements else [])  # fmt: skip
        from trayapp.core.accept import unposted_readings

        return Snapshot(status, pending, month, recent, unseen, tree.root, bank, statements,
                        unposted=unposted_readings(a.db),
                        outgoing=sorted(tree.names(tree.outgoing)),
                        months=registries.billing_periods(a.db), transfers=transfers,
                        mark=mark)  # fmt: skip

    # ------------------------------------------------------------------ jobs

    def exchange(self, progress: Progress = no_progress) -> ExchangeOutcome:
        with self.app() as a:
            result = a.exchange(progress)  # the same session the CLI runs
            if result.received:
                auto_backup(a.db, a.paths, a.settings, "a session received files", a.clock, progress)
            return ExchangeOutcome(result, self._snapshot(a, True))

    def generate(self, kind: str, month: int | None, apartments_only: bool,
                 today: date | None = None, progress: Progress = no_progress
                 ) -> GenerateResult:  # fmt: skip
        with self.app() as a:
            return registries.generate(a.db, a.tree, kind, a.settings.coding,
                                       today or a.clock().date(), month, apartments_only,
                                       progress)  # fmt: skip

    def accept(self, name: str, progress: Progress = no_progress,
               sha256: str | None = None) -> AcceptResult:  # fmt: skip
        """Accept ``name``; with ``sha256`` only the very file its summary showed."""
        with self.app() as a:
            r = accept(a.db, a.tree, name, a.require_org(), a.settings.coding,
                       a.paths.reports_dir, a.clock, bank=a.settings.bank_terms(),
                       progress=progress, expected_sha256=sha256)  # fmt: skip
            auto_backup(a.db, a.paths, a.settings, "an acceptance", a.clock, progress)
            return r

    def accept_apart(self, name: str, progress: Progress = no_progress,
                     sha256: str | None = None) -> AcceptResult:  # fmt: skip
        """``accept`` in a process of its own (``ui/apart.py``): the window's Tk loop never
        waits for the GIL while 100,000 payments are written, reported and backed up."""
        from trayapp.ui import apart

        result: AcceptResult = apart.run_apart(apart.accept, (self.home, self.password, name,
                                                              sha256), progress)  # fmt: skip
        return result

    def import_statement(self, path: Path) -> StatementImport:
        with self.app() as a:
            return import_statement(a.db, path)

    def load_files(self, paths: Sequence[Path | Plan], progress: Progress = no_progress,
                   replace_org: bool = False, check: bool = False) -> list[LoadedFile]:  # fmt: skip
        """Load billing-data files (a path, or a ``Plan``: the preview's choices), each of the
        kind its plan, name or header says, in the order their rows refer to each other; a
        file with bad rows loads nothing (its rows are listed), an unrecognised one is named
        and skipped. ``check``: everything read and checked, nothing loaded."""
        from trayapp.core.import_batch import load_files
        from trayapp.core.import_choices import ChoiceStore
        from trayapp.core.import_preview_all import check_all

        with self.app() as a:
            store = ChoiceStore(a.paths.import_choices_file)
            done = (check_all(a.db, paths, progress, store) if check  # files before count
                    else load_files(a.db, paths, progress, store, replace_org))  # fmt: skip
        return [LoadedFile(o.path, o.kind, o.result.rows if o.result else 0, o.errors,
                           o.result.inserted if o.result else 0,
                           o.result.updated if o.result else 0, org_change=o.org_change,
                           notes=o.result.notes if o.result else ())
                for o in done]  # fmt: skip

    def preview(self, plans: Sequence[Plan]) -> list[tuple[Path, Preview | None, str]]:
        """What each file holds before it is loaded (``import_preview_all.inspect_all``: the
        first rows only, references checked against the database plus what the files loaded
        before it would add, remembered choices applied): (path, preview, '') or (path,
        None, why it cannot be read)."""
        from trayapp.core.import_choices import ChoiceStore
        from trayapp.core.import_preview_all import inspect_all

        with self.app() as a:
            return inspect_all(plans, a.db, ChoiceStore(a.paths.import_choices_file))

    def export(self, kind: str, out: Path, replace: bool = False
               ) -> tuple[Path | None, int, bool]:  # fmt: skip
        """Accepted payments or readings not exported before into ``out``: (file, rows,
        whether a file was replaced); (None, 0, False) when there is nothing new.
        ``replace``: a file at ``out`` is replaced (the save dialog asked, the accountant
        agreed); else it is refused."""
        from trayapp.core.exporter import export

        with self.app() as a:
            existed = replace and out.exists()
            r = export(a.db, kind, out, False, a.clock(), out.parent, replace=replace)
            return r.file, r.rows, existed and r.file is not None

    @staticmethod
    def export_name(folder: Path, name: str) -> str:
        """``name``, or the first free name of its series in ``folder`` (``Оплаты_11.2026_2.csv``)."""
        from trayapp.core.export_names import first_free

        return first_free(folder / name).name

    def summary(self, name: str) -> PendingSummary:
        from trayapp.core.summary import pending_summary

        with self.app() as a:
            return pending_summary(a.db, a.tree, name, a.require_org(), a.settings.coding)

    def bank_match(self, name: str) -> tuple[Match | None, int]:
        """The bank check of the pending payments registry ``name`` as it stands now (None
        for a readings registry), and how many statements are held."""
        from types import SimpleNamespace

        with self.app() as a:
            one = [SimpleNamespace(file=name, kind="PAYMENTS")]
            found, statements = reconcile.pending_matches(a.db, a.settings.bank_terms(), one)
            return found.get(name), statements

    def withdraw(self, name: str) -> None:
        """Take a registry not yet sent out of Исходящие (replaced by a new one)."""
        from trayapp.core.registries import withdraw

        with self.app() as a:
            withdraw(a.tree, name)

    def report_again(self, name: str, xlsx: bool) -> Path:
        from trayapp.core.accept import report_of_file

        with self.app() as a:
            return report_of_file(a.db, name, a.paths.reports_dir, xlsx=xlsx)

    def below_previous(self, number: str) -> list[BelowPrevious]:
        """The readings of document ``number`` below the meter's previous one (to confirm)."""
        from trayapp.core.accept import below_previous

        with self.app() as a:
            return below_previous(a.db, number)

    def post(self, number: str, confirmed: list[BelowPrevious] | None = None) -> tuple[str, int]:
        """Post document ``number``; with ``confirmed``, only if no reading below the previous
        one has appeared beyond those the accountant agreed to."""
        from trayapp.core.accept import post_document

        with self.app() as a:
            r = post_document(a.db, number, confirmed)
            auto_backup(a.db, a.paths, a.settings, "a posting", a.clock)
            return r

    def post_leaving(self, number: str, leave: list[int],
                     confirmed: list[BelowPrevious] | None = None) -> Posted:  # fmt: skip
        """Post document ``number`` but the readings of row ids ``leave``, which go unposted
        to a new document (issue 17, 8); ``confirmed`` as for ``post``."""
        from trayapp.core.posting import post_leaving

        with self.app() as a:
            r = post_leaving(a.db, number, leave, confirmed, a.clock())
            auto_backup(a.db, a.paths, a.settings, "a posting", a.clock)
            return r

    # ------------------------------------------------------------------ settings

    def load_settings(self) -> tuple[st.Settings, bool, str]:
        """The settings, whether the settings file exists (no file: first start), and the
        default exchange folder."""
        with self.app() as a:
            return a.settings, st.exists(a.paths), str(a.paths.default_exchange_folder)

    def save_settings(self, values: dict[str, str], password: str = ""
                      ) -> tuple[st.Settings, AppError | None]:  # fmt: skip
        """Check every value (``SettingsError`` on the first bad one: nothing saved), save
        them all, then put ``password`` (when given) into the keyring, and the database's
        password (``values["db_password"]``, when given, for a PostgreSQL ``database``); a
        keyring that refuses one is returned, not raised: the settings are saved anyway."""
        values = dict(values)
        db_password = values.pop("db_password", "")
        with self.app() as a:
            s = a.settings
            for key, value in values.items():
                s = st.set_value(s, key, value)
            a.save_settings(s)
            if password:
                try:
                    st.set_password(s.server_url, s.login, password)
                except PasswordError as exc:  # no secure store: kept in memory, never on disk
                    self.password = password
                    log.info("no keyring: the password is kept in memory until the program ends")
                    return s, exc
                except AppError as exc:
                    return s, exc
            if db_password:
                try:
                    st.set_db_password(s.database, db_password)
                except AppError as exc:
                    return s, exc
            return s, None

    def keyring_available(self) -> bool:
        """Whether the OS has a secure password store (else the password lives in memory)."""
        from trayapp.passwords import keyring_usable

        return keyring_usable()

    def org_inn(self) -> str | None:
        """The association's ИНН (the window's title names it), None before it is loaded."""
        with self.app() as a:
            return _org_or_none(a)

    def remember_password(self, password: str) -> None:
        """Use ``password`` for the sessions of this run only (memory, never a file)."""
        self.password = password


def _watch_key(a: App) -> int:
    """The settings file's modification time: when it changes (another database, another
    folder), the watch's kept App (PostgreSQL only) is stale."""
    try:
        return a.paths.settings_file.stat().st_mtime_ns
    except OSError:
        return -1


def _mark(a: App) -> tuple[int, ...]:
    from trayapp.core.folders import ExchangeTree

    tree = ExchangeTree(a.settings.exchange_folder(a.paths))
    times = []
    for folder in (tree.incoming, tree.outgoing):
        try:
            times.append(folder.stat().st_mtime_ns)
        except OSError:
            times.append(-1)
    return (*times, core_events.version(a.db))


def _org_or_none(a: App) -> str | None:
    try:
        return a.org_inn()
    except AppError:
        return None
