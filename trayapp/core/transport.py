"""The transport to «Мои счета»: the ``Transport`` protocol and its HTTP implementation.

``HttpTransport`` speaks spec/protocol.md with ``requests``: it logs in, lists the inbox,
streams downloads to a file object and uploads from a file on disk (never a whole file in
memory), checks ``X-Content-SHA256`` both ways, retries a busy or broken server within
bounds (``Retry-After`` obeyed up to 60 s, backoff 0.5 s doubling to 8 s, at most
``max_tries`` tries a call, one re-login a call on 401), verifies certificates and allows
``http://`` only to loopback. It knows nothing of the exchange tree or the database, and
never logs the password or the token. Errors leave it translated (``requests`` never leaks):

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

import contextlib
import email.utils
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar
from urllib.parse import quote, urlparse

import requests
import urllib3.exceptions

from trayapp.core.folders import sha256_file
from trayapp.core.progress import Progress, Throttle, no_progress
from trayapp.errors import AuthError, ExchangeError, ServerError
from trayapp.settings import LOOPBACK, check_server_url

log = logging.getLogger(__name__)

T = TypeVar("T")

CHUNK = 1 << 18
MIN_RATE = 4096  # bytes/s: a download slower than this on average is cut ...
RATE_GRACE = 30.0  # ... once this many seconds have passed
MAX_RETRY_AFTER = 60.0
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 8.0
SHA_HEADER = "X-Content-SHA256"
WRONG_LOGIN = "неверный логин или пароль «Мои счета»: проверьте логин и пароль в настройках"


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


class _Retry(Exception):
    """Internal: this try failed in a way worth another try.

    ``final`` is raised when no try is left (default: ``ServerError``).
    """

    def __init__(
        self, why: str, delay: float | None = None, final: ExchangeError | None = None
    ) -> None:
        super().__init__(why)
        self.why = why
        self.delay = delay  # None: the backoff schedule
        self.final = final


# exceptions of a broken connection or a timeout, raised while sending or reading a body
_BROKEN: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    urllib3.exceptions.HTTPError,
)


def retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), at most 60."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = when.timestamp() - now()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER))


def backoff(attempt: int) -> float:
    """The pause after failed try ``attempt`` (1-based): 0.5, 1, 2, 4, 8, 8..."""
    return float(min(BACKOFF_FIRST * (2 ** (attempt - 1)), BACKOFF_MAX))


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


class HttpTransport:
    """spec/protocol.md over ``requests``: one session, one token, bounded retries."""

    def __init__(
        self,
        base_url: str,
        login: str,
        password: str,
        *,
        connect_timeout: float = 10,
        read_timeout: float = 30,
        max_tries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        min_rate: float = MIN_RATE,
        rate_grace: float = RATE_GRACE,
        progress: Progress = no_progress,
    ) -> None:
        check_server_url(base_url)
        self.progress = progress  # bytes sent and received ("upload", "download"), throttled
        self.base_url = base_url.rstrip("/")
        self._login_name = login
        self._password = password
        self.timeout = (connect_timeout, read_timeout)
        self.max_tries = max(1, max_tries)
        self._sleep = sleep
        self.min_rate = min_rate
        self.rate_grace = rate_grace
        self._token: str | None = None
        self._session = requests.Session()
        self._session.verify = True
        self._session.headers["User-Agent"] = "trayapp-moischeta/1"
        if urlparse(self.base_url).hostname in LOOPBACK:
            # the emulator on this machine: no proxies, no ~/.netrc from the environment
            self._session.trust_env = False

    def __repr__(self) -> str:  # never the password or the token
        return f"HttpTransport({self.base_url!r}, login={self._login_name!r})"

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the calls
    def list_inbox(self) -> list[InboxEntry]:
        def read(resp: requests.Response) -> list[InboxEntry]:
            _expect(resp, 200, "список входящих")
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
            _expect(resp, 200, f"файл {name}")
            dest.seek(start)
            dest.truncate()
            expected_len = _int_header(resp, "Content-Length")
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
                raise _Retry(f"{name}: получено {got} байт из {expected_len}")
            if expected_sha and digest != expected_sha:
                raise _Retry(
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
                _expect(resp, 204, f"удаление {name}")

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
                raise UploadRefused(resp.status_code, _reason(resp))
            if resp.status_code not in (200, 201):
                _expect(resp, 201, f"отправка {name}")
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

    # ------------------------------------------------------------------ machinery
    def _login(self) -> None:
        def read(resp: requests.Response) -> str:
            if resp.status_code in (401, 403):
                raise AuthError(WRONG_LOGIN)
            _expect(resp, 200, "вход")
            try:
                token = resp.json()["token"]
            except (ValueError, KeyError, TypeError) as exc:
                raise ServerError("сервер «Мои счета» прислал неверный ответ на вход") from exc
            if not isinstance(token, str) or not token:
                raise ServerError("сервер «Мои счета» прислал неверный ответ на вход")
            return token

        self._token = None
        self.progress("connect", 0, None)  # a server that is down retries here for seconds
        self._token = self._call(
            "POST",
            "/login",
            read,
            what="вход",
            json_body={"login": self._login_name, "password": self._password},
            auth=False,
        )
        log.info("logged in to %s as %s", self.base_url, self._login_name)

    def _call(
        self,
        method: str,
        path: str,
        read: Callable[[requests.Response], T],
        *,
        what: str,
        headers: dict[str, str] | None = None,
        body: Callable[[], Any] | None = None,
        json_body: dict[str, Any] | None = None,
        auth: bool = True,
    ) -> T:
        """One call with its retries; ``read`` turns a final answer into the result."""
        url = self.base_url + path
        relogged = False
        last = ""
        final: ExchangeError | None = None
        attempt = 0
        # the try right after a re-login is not counted: an expired token never costs a try
        while attempt < self.max_tries + relogged:
            attempt += 1
            if auth and self._token is None:
                self._login()
            hdrs = dict(headers or {})
            if auth:
                hdrs["Authorization"] = f"Bearer {self._token}"
            delay: float | None = None
            try:
                t0 = time.monotonic()
                resp = self._session.request(
                    method,
                    url,
                    headers=hdrs,
                    data=body() if body else None,
                    json=json_body,
                    stream=True,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
                with resp:
                    log.debug(
                        "%s %s -> %d (%.2f s, try %d)",
                        method, path, resp.status_code, time.monotonic() - t0, attempt,
                    )  # fmt: skip
                    status = resp.status_code
                    if status == 401 and auth:
                        if relogged:
                            raise AuthError(WRONG_LOGIN)
                        log.info("%s: token refused (401), logging in again", what)
                        self._token = None
                        relogged = True
                        last = "401"
                        continue
                    if status in (429, 503):
                        delay = retry_after(resp.headers.get("Retry-After"))
                        raise _Retry(f"сервер занят ({status})", delay)
                    if status >= 500:
                        raise _Retry(f"ошибка сервера ({status})")
                    return read(resp)
            except requests.exceptions.SSLError as exc:
                raise ServerError(
                    f"сертификат сервера «Мои счета» не прошёл проверку ({self.base_url}): "
                    "соединение небезопасно"
                ) from exc
            except _Retry as exc:
                last, delay, final = exc.why, exc.delay, exc.final
            except _BROKEN as exc:
                last, final = _describe(exc), None
            if attempt < self.max_tries + relogged:
                pause = backoff(attempt) if delay is None else delay
                log.warning(
                    "%s: %s; try %d of %d, next in %.1f s",
                    what, last, attempt, self.max_tries, pause,
                )  # fmt: skip
                self._sleep(pause)
        log.error("%s: giving up after %d tries: %s", what, self.max_tries, last)
        if final is not None:
            raise final
        raise ServerError(
            f"сервер «Мои счета» недоступен ({what}: {last}){self._proxy_hint()}; обмен не "
            "завершён, повторите позже — следующий сеанс продолжит с того же места"
        )

    def _proxy_hint(self) -> str:
        """The proxy in the way, or the system's one not used (proxyhint.py); "" for the
        emulator on this machine, which is reached without any."""
        if not self._session.trust_env:
            return ""
        from trayapp.core.proxyhint import proxy_hint

        return proxy_hint()


def _quote(name: str) -> str:
    return quote(name, safe="")


def _int_header(resp: requests.Response, key: str) -> int | None:
    value = resp.headers.get(key)
    if value is None:
        return None
    value = value.strip()
    # ASCII digits only: int() also takes "+5", "1_000" and other scripts' digits
    return int(value) if value.isascii() and value.isdigit() else None


def _reason(resp: requests.Response) -> str:
    """A short reason from an error answer (JSON ``error``/``message`` or the text)."""
    text = ""
    with contextlib.suppress(Exception):
        text = resp.text[:500]
    with contextlib.suppress(Exception):
        data = resp.json()
        if isinstance(data, dict):
            for key in ("error", "message", "reason", "detail"):
                if isinstance(data.get(key), str):
                    return str(data[key])[:500]
    return text.strip() or resp.reason or str(resp.status_code)


def _expect(resp: requests.Response, status: int, what: str) -> None:
    if resp.status_code != status:
        raise ServerError(
            f"сервер «Мои счета» ответил неожиданно ({what}): {resp.status_code} {_reason(resp)}"
        )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, requests.Timeout):
        return "нет ответа (тайм-аут)"
    if isinstance(exc, requests.ConnectionError):
        return "нет соединения"
    return f"соединение прервано ({type(exc).__name__})"
