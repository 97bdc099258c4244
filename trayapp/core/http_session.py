"""The HTTP machinery under ``HttpTransport``: one ``requests`` session, the login, and a
call with its bounded retries.

``HttpSession._call`` sends one request and turns its final answer into a result through the
caller's ``read``: a busy server (429, 503) is tried again after ``Retry-After`` (at most
60 s), a broken one (5xx, a dropped connection, a timeout) after a backoff of 0.5 s doubling
to 8 s, ``max_tries`` tries at most; a 401 logs in again once, without costing a try. What
is left after the tries is a ``ServerError`` (or the ``final`` error of the last ``Retry``);
a bad certificate is one at once; ``requests`` never leaks. Certificates are verified, plain
``http://`` goes only to loopback, and neither the password nor the token is ever logged.
Split from ``transport`` (the protocol, its errors and the four calls of spec/protocol.md).
Imports nothing of the exchange tree or the database, no GUI.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import time
from collections.abc import Callable
from datetime import timezone
from typing import Any, TypeVar
from urllib.parse import urlparse

import requests
import urllib3.exceptions

from trayapp.core.progress import Progress, no_progress
from trayapp.errors import AuthError, ExchangeError, ServerError
from trayapp.settings import LOOPBACK, check_server_url

log = logging.getLogger(__name__)

T = TypeVar("T")

MIN_RATE = 4096  # bytes/s: a download slower than this on average is cut ...
RATE_GRACE = 30.0  # ... once this many seconds have passed
MAX_RETRY_AFTER = 60.0
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 8.0
WRONG_LOGIN = "неверный логин или пароль «Мои счета»: проверьте логин и пароль в настройках"


class Retry(Exception):
    """This try failed in a way worth another try (raised by a ``read``).

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
BROKEN: tuple[type[BaseException], ...] = (
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


class HttpSession:
    """One ``requests`` session to a «Мои счета» server: the login, the token, and calls with
    bounded retries (``HttpTransport`` adds the calls of spec/protocol.md)."""

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
        return f"{type(self).__name__}({self.base_url!r}, login={self._login_name!r})"

    def close(self) -> None:
        self._session.close()

    # ------------------------------------------------------------------ machinery
    def _login(self) -> None:
        def read(resp: requests.Response) -> str:
            if resp.status_code in (401, 403):
                raise AuthError(WRONG_LOGIN)
            expect(resp, 200, "вход")
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
                        raise Retry(f"сервер занят ({status})", delay)
                    if status >= 500:
                        raise Retry(f"ошибка сервера ({status})")
                    return read(resp)
            except requests.exceptions.SSLError as exc:
                raise ServerError(
                    f"сертификат сервера «Мои счета» не прошёл проверку ({self.base_url}): "
                    "соединение небезопасно"
                ) from exc
            except Retry as exc:
                last, delay, final = exc.why, exc.delay, exc.final
            except BROKEN as exc:
                last, final = describe(exc), None
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
            f"сервер «Мои счета» недоступен ({what}: {last}){self._proxy_hint()}; "
            "повторите позже — следующий сеанс продолжит с того же места"
        )

    def _proxy_hint(self) -> str:
        """The proxy in the way, or the system's one not used (proxyhint.py); "" for the
        emulator on this machine, which is reached without any."""
        if not self._session.trust_env:
            return ""
        from trayapp.core.proxyhint import proxy_hint

        return proxy_hint()


def int_header(resp: requests.Response, key: str) -> int | None:
    value = resp.headers.get(key)
    if value is None:
        return None
    value = value.strip()
    # ASCII digits only: int() also takes "+5", "1_000" and other scripts' digits
    return int(value) if value.isascii() and value.isdigit() else None


def reason(resp: requests.Response) -> str:
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


def expect(resp: requests.Response, status: int, what: str) -> None:
    if resp.status_code != status:
        raise ServerError(
            f"сервер «Мои счета» ответил неожиданно ({what}): {resp.status_code} {reason(resp)}"
        )


def describe(exc: BaseException) -> str:
    if isinstance(exc, requests.Timeout):
        return "нет ответа (тайм-аут)"
    if isinstance(exc, requests.ConnectionError):
        return "нет соединения"
    return f"соединение прервано ({type(exc).__name__})"
