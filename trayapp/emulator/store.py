"""The emulator's state on disk: ``DIR/inbox``, ``DIR/outbox`` and ``DIR/state.json``.

``inbox/`` holds the files offered to the client (a file dropped there by hand is offered
too; hidden and temporary files are not), ``outbox/`` every file the client uploaded, as
received; ``state.json`` the numbers given to the emulator's own registries (so that a restart
never reuses one), the uploads already answered and the last association ИНН seen. Every file
is written to a hidden temporary name in its folder, flushed, fsynced and ``os.replace``d.
Knows nothing of HTTP; imports only ``formats.parse_name`` of the app.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from trayapp.core.formats import parse_name

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
TEMP_PREFIX = ".emu-"
STATE_VERSION = 1
MAX_NUMBER = 999


def is_offered(name: str) -> bool:
    """A file of ``inbox/`` the client is shown: not hidden, not a temporary file."""
    return (
        bool(name)
        and not name.startswith(".")
        and not name.endswith((".tmp", ".part", ".partial", "~"))
        and not any(ord(c) < 32 or c in '/\\:*?"<>|' for c in name)
    )


def sha256_of(f: BinaryIO) -> str:
    """The sha256 of an open binary file from its current position, read in chunks."""
    h = hashlib.sha256()
    for chunk in iter(lambda: f.read(CHUNK), b""):
        h.update(chunk)
    return h.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a hidden temporary file in the same folder."""
    tmp = path.with_name(f"{TEMP_PREFIX}{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


@dataclass(frozen=True, slots=True)
class InboxEntry:
    name: str
    size: int
    sha256: str
    mtime_ns: int


class DataDir:
    """The data folder; every method is thread-safe."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.inbox = self.root / "inbox"
        self.outbox = self.root / "outbox"
        self.state_file = self.root / "state.json"
        self._lock = threading.RLock()
        self._sha_cache: dict[tuple[str, int, int, int], str] = {}
        self._counters: dict[str, int] = {}
        self._answered: set[str] = set()
        self._org: str | None = None

    # ------------------------------------------------------------------ setup

    def prepare(self) -> None:
        """Create the folders, remove temporaries a crash left, load ``state.json``."""
        with self._lock:
            self.inbox.mkdir(parents=True, exist_ok=True)
            self.outbox.mkdir(parents=True, exist_ok=True)
            for folder in (self.inbox, self.outbox, self.root):
                for p in folder.iterdir():
                    if p.name.startswith(TEMP_PREFIX) and p.is_file():
                        with contextlib.suppress(OSError):
                            p.unlink()
            self._load_state()

    def _load_state(self) -> None:
        self._counters, self._answered, self._org = {}, set(), None
        try:
            raw = json.loads(self.state_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("state.json не прочитан (%s), начинаю с пустого состояния", exc)
            return
        if not isinstance(raw, dict):
            return
        counters = raw.get("counters")
        if isinstance(counters, dict):
            self._counters = {str(k): int(n) for k, n in counters.items() if isinstance(n, int)}
        answered = raw.get("answered")
        if isinstance(answered, list):
            self._answered = {str(n) for n in answered}
        org = raw.get("org")
        self._org = org if isinstance(org, str) else None

    def _save_state(self) -> None:
        state: dict[str, Any] = {
            "version": STATE_VERSION,
            "counters": dict(sorted(self._counters.items())),
            "answered": sorted(self._answered),
            "org": self._org,
        }
        text = json.dumps(state, ensure_ascii=False, indent=1) + "\n"
        write_atomic(self.state_file, text.encode("utf-8"))

    # ------------------------------------------------------------------ inbox

    def list_inbox(self) -> list[InboxEntry]:
        """Files offered to the client, oldest first (by mtime, then name)."""
        entries: list[InboxEntry] = []
        with self._lock:
            live: set[tuple[str, int, int, int]] = set()
            for p in self.inbox.iterdir():
                if not is_offered(p.name):
                    continue
                try:
                    st = p.stat()
                    if not p.is_file():
                        continue
                    key = (p.name, st.st_size, st.st_mtime_ns, st.st_ino)
                    sha = self._sha_cache.get(key)
                    if sha is None:
                        with open(p, "rb") as f:
                            sha = sha256_of(f)
                        self._sha_cache[key] = sha
                except OSError:  # deleted meanwhile
                    continue
                live.add(key)
                entries.append(InboxEntry(p.name, st.st_size, sha, st.st_mtime_ns))
            for key in list(self._sha_cache):
                if key not in live:
                    del self._sha_cache[key]
        entries.sort(key=lambda e: (e.mtime_ns, e.name))
        return entries

    def open_inbox(self, name: str) -> tuple[BinaryIO, int, str] | None:
        """An offered file opened for reading with its size and sha256, or None if gone."""
        if not is_offered(name):
            return None
        path = self.inbox / name
        try:
            f = open(path, "rb")  # the caller closes it
        except OSError:
            return None
        try:
            st = os.fstat(f.fileno())
            if not path.is_file():
                f.close()
                return None
            key = (name, st.st_size, st.st_mtime_ns, st.st_ino)
            with self._lock:
                sha = self._sha_cache.get(key)
            if sha is None:
                sha = sha256_of(f)
                f.seek(0)
                with self._lock:
                    self._sha_cache[key] = sha
            return f, st.st_size, sha
        except OSError:
            f.close()
            return None

    def delete_inbox(self, name: str) -> bool:
        if not is_offered(name):
            return False
        try:
            os.remove(self.inbox / name)
        except (FileNotFoundError, IsADirectoryError, PermissionError):
            return False
        return True

    def write_inbox(self, name: str, data: bytes) -> Path:
        path = self.inbox / name
        write_atomic(path, data)
        return path

    # ------------------------------------------------------------------ outbox

    def new_upload(self) -> Path:
        """A fresh temporary path in ``outbox/`` for a body being received."""
        return self.outbox / f"{TEMP_PREFIX}upload-{uuid.uuid4().hex}.tmp"

    def commit_upload(self, tmp: Path, name: str, sha: str) -> int:
        """Store a received body under ``name``: 201 stored, 200 same bytes, 409 different."""
        target = self.outbox / name
        with self._lock:
            if target.exists():
                try:
                    with open(target, "rb") as f:
                        same = sha256_of(f) == sha
                finally:
                    with contextlib.suppress(OSError):
                        tmp.unlink()
                return 200 if same else 409
            os.replace(tmp, target)
            return 201

    def uploads(self) -> Iterator[str]:
        """Names of the files in ``outbox/`` that are file names of formats.md."""
        for p in sorted(self.outbox.iterdir(), key=lambda q: q.name):
            if parse_name(p.name) is not None and p.is_file():
                yield p.name

    # ------------------------------------------------------------------ state

    def is_answered(self, name: str) -> bool:
        with self._lock:
            return name in self._answered

    def mark_answered(self, name: str) -> None:
        with self._lock:
            self._answered.add(name)
            self._save_state()

    @property
    def last_org(self) -> str | None:
        with self._lock:
            return self._org

    def remember_org(self, org: str) -> None:
        with self._lock:
            if org != self._org:
                self._org = org
                self._save_state()

    def next_number(self, kind: str, day: date) -> int | None:
        """Reserve the next ``NNN`` of ``kind`` (``Payments``...) and ``day``; None past 999.

        The next number is above both the counter kept in ``state.json`` and any file of
        that kind and day already in ``inbox/`` (one dropped there by hand).
        """
        key = f"{kind}_{day:%Y%m%d}"
        with self._lock:
            highest = self._counters.get(key, 0)
            for p in self.inbox.iterdir():
                fname = parse_name(p.name)
                if fname is not None and not fname.is_ack and fname.day == day:
                    if p.name.startswith(kind + "_"):
                        highest = max(highest, fname.number)
            if highest >= MAX_NUMBER:
                return None
            self._counters[key] = highest + 1
            self._save_state()
            return highest + 1
