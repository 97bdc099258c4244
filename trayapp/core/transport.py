"""The transport to «Мои счета»: the ``Transport`` protocol and its HTTP implementation.

``HttpTransport`` speaks spec/protocol.md with ``requests``: it logs in, lists the inbox,
streams downloads to a file object and uploads from a file on disk (never a whole file in
memory), checks ``X-Content-SHA256`` both ways, retries a busy or broken server within
bounds (``Retry-After`` obeyed up to 60 s, backoff 0.5 s doubling to 8 s, at most
``max_tries`` tries a call, one re-login a call on 401), verifies certificates and allows
``http://`` only to loopback (the session, the login and the retries are ``http_session``'s;
this module holds the protocol, its errors and the four calls with their streaming). It
knows nothing of the exchange tree or the database, and never logs the password or the
token. Errors leave it translated (``requests`` never leaks):

    ExchangeError (trayapp.errors)
     +-- AuthError            wrong login or password (401 at login, or again after re-login)
     +-- ServerError          unreachable, timeouts, 5xx or 429 past the tries, odd answers
     +-- TransferError        one file failed; the session goes on without it
          +-- ChecksumError   size or sha256 of a download differs from what the server said
          +-- OversizeError   more bytes than announced (listing or Content-Length): cut
          +-- SlowError       a download slower than ``min_rate`` bytes/s after ``rate_grace`` s
          +-- GoneError       404: the file is no longer on the server
          +-- UploadRefused   409 (another file of that name), 422 (name refused), 400

``OSError`` raised by the destination file (a full disk) passes through untouched.
A download never writes more than ``Content-Length`` (nor, through ``LimitedFile``, more
than the listing announced), and is cut when it trickles: below ``min_rate`` bytes a second
on average once ``rate_grace`` seconds have passed (a hostile or broken server must not fill
the disk or hold the session for ever).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote

import requests

from trayapp.core.folders import sha256_file
from trayapp.core.http_session import (
    BACKOFF_FIRST,
    BACKOFF_MAX,
    MAX_RETRY_AFTER,
    MIN_RATE,
    RATE_GRACE,
    WRONG_LOGIN,
    HttpSession,
    Retry,
    backoff,
    expect,
    int_header,
    reason,
    retry_after,
)
from trayapp.core.progress import Progress, Throttle, no_progress
from trayapp.errors import ExchangeError, ServerError

log = logging.getLogger(__name__)

# the retry schedule and its bounds are ``http_session``'s: served here too, as before
__all__ = [
    "BACKOFF_FIRST", "BACKOFF_MAX", "CHUNK", "MAX_RETRY_AFTER", "MIN_RATE", "RATE_GRACE",
    "SHA_HEADER", "WRONG_LOGIN", "ChecksumError", "GoneError", "HttpTransport", "InboxEntry",
    "LimitedFile", "OversizeError", "SlowError", "TransferError", "Transport", "UploadRefused",
    "backoff", "retry_after",
]  # fmt: skip

CHUNK = 1 << 18
SHA_HEADER = "X-Content-SHA256"


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One file offered by the server: its name as given (untrusted), size and sha256."""

    name: str
    size: int
    sha256: str


class TransferError(ExchangeError):
    """One file could not be transferred; the session goes on with the others."""


class ChecksumError(TransferError):
    pass


class GoneError(TransferError):
    pass


class OversizeError(TransferError):
    """The server sent more bytes than it announced; the transfer was cut."""


class SlowError(TransferError):
    """A download came slower than the floor; it was cut (the file stays on the server)."""


class LimitedFile:
    """A destination file that refuses to grow past ``limit`` bytes (``OversizeError``).

    The exchange session wraps its temporary file in one, with the size the listing
    announced, so that no transport can write more than that.
    """

    def __init__(self, f: BinaryIO, limit: int, name: str) -> None:
        self._f = f
        self.limit = limit
        self.name = name

    def write(self, data: bytes) -> int:
        if self._f.tell() + len(data) > self.limit:
            raise OversizeError(
                f"файл {self.name}: сервер прислал больше, чем объявил ({self.limit} байт); "
                "передача прервана, файл не принят и оставлен на сервере"
            )
        return self._f.write(data)

    def tell(self) -> int:
        return self._f.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        return self._f.truncate(size)

    def flush(self) -> None:
        self._f.flush()


class UploadRefused(TransferError):
    """The server refused an upload: 409 (a different file of that name), 422 (a name it
    does not take) or 400 (the bytes did not match ``X-Content-SHA256``)."""

    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason
        super().__init__(f"сервер отказал в приёме ({status}): {reason}")


class Transport(Protocol):
    """The seam between the exchange session and the server."""

    def list_inbox(self) -> list[InboxEntry]: ...

    def download(self, name: str, dest: BinaryIO) -> str: ...

    def delete(self, name: str) -> None: ...

    def upload(self, name: str, path: Path) -> int: ...


class _HashingReader:
    """A file wrapper for an upload body that counts and hashes what was actually sent."""

    def __init__(self, f: BinaryIO, size: int, progress: Progress = no_progress) -> None:
        self._f = f
        self.size = size
        self.sent = 0
        self.hash = hashlib.sha256()
        self._progress = progress

    def read(self, n: int = -1) -> bytes:
        # urllib3 asks for 16 KiB blocks; bigger ones cost fewer calls (sendall takes any size)
        chunk = self._f.read(max(n, CHUNK))
        self.hash.update(chunk)
        self.sent += len(chunk)
        self._progress("upload", min(self.sent, self.size), self.size)
        return chunk

    def __len__(self) -> int:  # requests takes the Content-Length from here
        return self.size

    def close(self) -> None:
        self._f.close()


class HttpTransport(HttpSession):
    """spec/protocol.md over ``requests``: one session, one token, bounded retries."""

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the calls
    def list_inbox(self) -> list[InboxEntry]:
        def read(resp: requests.Response) -> list[InboxEntry]:
            expect(resp, 200, "список входящих")
            try:
                data = resp.json()
            except ValueError as exc:
                raise ServerError("сервер «Мои счета» прислал неверный список файлов") from exc
            if not isinstance(data, list):
                raise ServerError("сервер «Мои счета» прислал неверный список файлов")
            out: list[InboxEntry] = []
            for item in data:
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    log.warning("inbox: an entry without a name skipped: %.200r", item)
                    continue
                size = item.get("size")
                sha = item.get("sha256")
                out.append(
                    InboxEntry(
                        item["name"],
                        size if isinstance(size, int) and not isinstance(size, bool) else -1,
                        sha.lower() if isinstance(sha, str) else "",
                    )
                )
            return out

        entries = self._call("GET", "/inbox", read, what="список входящих")
        log.info("inbox: %d files offered", len(entries))
        return entries

    def download(self, name: str, dest: BinaryIO) -> str:
        """Stream ``name`` into ``dest`` (from its start); the sha256 hex of what was written.

        A try broken half way starts again from the beginning of ``dest``. Raises
        ``ChecksumError`` when the bytes differ from ``Content-Length`` or
        ``X-Content-SHA256`` every time, ``GoneError`` on 404.
        """
        start = dest.tell()

        def read(resp: requests.Response) -> str:
            if resp.status_code == 404:
                raise GoneError(f"файл {name} уже удалён с сервера")
            expect(resp, 200, f"файл {name}")
            dest.seek(start)
            dest.truncate()
            expected_len = int_header(resp, "Content-Length")
            expected_sha = (resp.headers.get(SHA_HEADER) or "").strip().lower()
            h = hashlib.sha256()
            got = 0
            began = time.monotonic()
            report = Throttle(self.progress)
            while True:
                # what has come, at once (not a full block): a trickle is seen as it comes;
                # the bytes as sent (no decoding: no gzip bomb, and what the sha256 is of)
                chunk = resp.raw.read1(CHUNK, decode_content=False)
                if not chunk:
                    break
                got += len(chunk)
                if expected_len is not None and got > expected_len:
                    raise OversizeError(
                        f"файл {name}: сервер прислал больше, чем объявил ({expected_len} "
                        "байт); передача прервана, файл не принят и оставлен на сервере"
                    )
                dest.write(chunk)  # an OSError here (disk full) is not the server's fault
                h.update(chunk)
                report("download", got, expected_len)
                elapsed = time.monotonic() - began
                if elapsed > self.rate_grace and got < self.min_rate * elapsed:
                    raise SlowError(
                        f"файл {name} передаётся слишком медленно ({got} байт за "
                        f"{elapsed:.0f} с): передача прервана, файл оставлен на сервере; "
                        "повторите обмен позже"
                    )
            digest = h.hexdigest()
            if expected_len is not None and got != expected_len:
                raise Retry(f"{name}: получено {got} байт из {expected_len}")
            if expected_sha and digest != expected_sha:
                raise Retry(
                    f"{name}: контрольная сумма не совпала",
                    final=ChecksumError(
                        f"файл {name} получен с ошибкой контрольной суммы; он остался на сервере"
                    ),
                )
            return digest

        t0 = time.monotonic()
        digest = self._call(
            "GET",
            "/inbox/" + _quote(name),
            read,
            what=f"файл {name}",
            headers={"Accept-Encoding": "identity"},
        )
        log.info(
            "downloaded %s: %d bytes in %.2f s", name, dest.tell() - start, time.monotonic() - t0
        )
        return digest

    def delete(self, name: str) -> None:
        def read(resp: requests.Response) -> None:
            if resp.status_code == 404:
                raise GoneError(f"файл {name} уже удалён с сервера")
            if resp.status_code not in (200, 204):
                expect(resp, 204, f"удаление {name}")

        self._call("DELETE", "/inbox/" + _quote(name), read, what=f"удаление {name}")
        log.info("deleted %s on the server", name)

    def upload(self, name: str, path: Path) -> int:
        """Send the file at ``path`` as ``name``: 201 stored, 200 stored before.

        Raises ``UploadRefused`` on 409 or 422. The file is read twice (hash, then send),
        never held whole in memory; a file changed between the two is not sent.
        """
        sha = sha256_file(path)
        size = path.stat().st_size
        sent: list[_HashingReader] = []
        report = Throttle(self.progress)

        def body() -> _HashingReader:
            reader = _HashingReader(open(path, "rb"), size, report)  # noqa: SIM115 - closed below
            sent.append(reader)
            return reader

        def read(resp: requests.Response) -> int:
            if resp.status_code in (400, 409, 422):  # 400: the emulator's checksum mismatch
                raise UploadRefused(resp.status_code, reason(resp))
            if resp.status_code not in (200, 201):
                expect(resp, 201, f"отправка {name}")
            reader = sent[-1]
            if reader.sent >= size and (reader.sent != size or reader.hash.hexdigest() != sha):
                raise TransferError(f"файл {name} изменился во время отправки; повторите обмен")
            return resp.status_code

        t0 = time.monotonic()
        try:
            status = self._call(
                "PUT",
                "/outbox/" + _quote(name),
                read,
                what=f"отправка {name}",
                headers={SHA_HEADER: sha, "Content-Type": "application/octet-stream"},
                body=body,
            )
        finally:
            for reader in sent:
                reader.close()
        log.info(
            "uploaded %s: %d bytes, answer %d, %.2f s", name, size, status, time.monotonic() - t0
        )
        return status


def _quote(name: str) -> str:
    return quote(name, safe="")
