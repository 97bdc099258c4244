"""HttpTransport over real sockets: the emulator on 127.0.0.1, and a tiny scripted HTTP peer
for the faults the emulator does not produce (a wrong X-Content-SHA256, an HTTP-date
Retry-After, a redirect, a silent server, a token refused after a fresh login)."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from trayapp.core.transport import (
    ChecksumError,
    GoneError,
    HttpTransport,
    InboxEntry,
    UploadRefused,
    backoff,
    retry_after,
)
from trayapp.emulator.server import Emulator
from trayapp.errors import AuthError, ServerError, SettingsError

NAME = "Payments_20261106_001.txt"


class Sleeps(list[float]):
    """A ``sleep`` that records the pauses asked for instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def emu(tmp_path: Path) -> Iterator[Emulator]:
    e = Emulator(tmp_path / "emu", password="s3cret-pw", residents=False)
    e.start()
    yield e
    e.stop()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make(emu: Emulator, sleeps: Sleeps, password: str = "s3cret-pw", **kw: Any) -> HttpTransport:
    return HttpTransport(emu.url, "demo", password, sleep=sleeps, **kw)


def drop(emu: Emulator, name: str, data: bytes) -> None:
    emu.store.write_inbox(name, data)


# ---------------------------------------------------------------------------- the happy path


def test_list_download_delete(emu: Emulator, sleeps: Sleeps) -> None:
    data = b"#FORMAT MOISCHETA/1\r\n" + bytes(range(256)) * 1000
    drop(emu, NAME, data)
    with make(emu, sleeps) as t:
        entries = t.list_inbox()
        assert entries == [InboxEntry(NAME, len(data), hashlib.sha256(data).hexdigest())]
        buf = io.BytesIO()
        assert t.download(NAME, buf) == hashlib.sha256(data).hexdigest()
        assert buf.getvalue() == data
        t.delete(NAME)
        assert t.list_inbox() == []
        assert not (emu.data_dir / "inbox" / NAME).exists()
        with pytest.raises(GoneError):
            t.delete(NAME)
        with pytest.raises(GoneError):
            t.download(NAME, io.BytesIO())
    assert sleeps == []


def test_upload_201_200_409_422(emu: Emulator, sleeps: Sleeps, tmp_path: Path) -> None:
    f = tmp_path / "Debts_20261105_001.txt"
    f.write_bytes(b"not even a registry, the emulator answers ERROR\r\n")
    with make(emu, sleeps) as t:
        assert t.upload(f.name, f) == 201
        assert (emu.data_dir / "outbox" / f.name).read_bytes() == f.read_bytes()
        assert t.upload(f.name, f) == 200  # the same bytes again: harmless
        f.write_bytes(b"other bytes")
        with pytest.raises(UploadRefused) as refused:
            t.upload(f.name, f)
        assert refused.value.status == 409
        bad = tmp_path / "notes.txt"
        bad.write_bytes(b"x")
        with pytest.raises(UploadRefused) as refused:
            t.upload(bad.name, bad)
        assert refused.value.status == 422
    assert sleeps == []


# ---------------------------------------------------------------------------- retries


def test_503_retry_after_obeyed(emu: Emulator, sleeps: Sleeps) -> None:
    emu.fail_next(2, 503, retry_after=1)
    with make(emu, sleeps) as t:
        assert t.list_inbox() == []
    assert sleeps == [1.0, 1.0]


def test_429_and_retry_after_capped_at_60(emu: Emulator, sleeps: Sleeps) -> None:
    with make(emu, sleeps) as t:
        t.list_inbox()
        emu.fail_next(1, 429, retry_after=3)
        t.list_inbox()
        emu.fail_next(1, 503, retry_after=600)
        t.list_inbox()
    assert sleeps == [3.0, 60.0]


def test_5xx_backoff_then_success(emu: Emulator, sleeps: Sleeps) -> None:
    with make(emu, sleeps) as t:
        t.list_inbox()  # logged in
        emu.fail_next(4, 500, retry_after=None)
        assert t.list_inbox() == []
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


def test_5xx_five_times_gives_up(emu: Emulator, sleeps: Sleeps) -> None:
    with make(emu, sleeps) as t:
        t.list_inbox()
        emu.fail_next(5, 502, retry_after=None)
        with pytest.raises(ServerError) as err:
            t.list_inbox()
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert "недоступен" in err.value.message


def test_backoff_schedule() -> None:
    assert [backoff(i) for i in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]


def test_retry_after_parsing() -> None:
    now = datetime(2026, 11, 27, 10, 0, 0, tzinfo=timezone.utc)
    assert retry_after("5") == 5.0
    assert retry_after("0") == 0.0
    assert retry_after("-3") == 0.0
    assert retry_after("9999") == 60.0
    assert retry_after(format_datetime(now + timedelta(seconds=20)), lambda: now.timestamp()) == 20
    assert retry_after("soon") is None
    assert retry_after(None) is None
    assert retry_after("nan") is None


def test_cut_download_starts_again(emu: Emulator, sleeps: Sleeps) -> None:
    data = bytes(range(256)) * 20_000  # 5 MB
    drop(emu, NAME, data)
    emu.cut_next_download(2, fraction=0.6)
    buf = io.BytesIO()
    with make(emu, sleeps) as t:
        assert t.download(NAME, buf) == hashlib.sha256(data).hexdigest()
    assert buf.getvalue() == data  # the broken tries' bytes were thrown away
    assert sleeps == [0.5, 1.0]


def test_cut_download_every_time_is_server_error(emu: Emulator, sleeps: Sleeps) -> None:
    drop(emu, NAME, b"x" * 200_000)
    emu.cut_next_download(5, fraction=0.5)
    with make(emu, sleeps) as t, pytest.raises(ServerError):
        t.download(NAME, io.BytesIO())
    assert len(sleeps) == 4


def test_cut_upload_sends_again(emu: Emulator, sleeps: Sleeps, tmp_path: Path) -> None:
    f = tmp_path / "Debts_20261105_001.txt"
    f.write_bytes(b"y" * 3_000_000)
    emu.cut_next_upload(1, fraction=0.3)
    with make(emu, sleeps) as t:
        assert t.upload(f.name, f) == 201
    assert (emu.data_dir / "outbox" / f.name).read_bytes() == f.read_bytes()
    assert sleeps == [0.5]


# ---------------------------------------------------------------------------- auth


def test_expired_token_logs_in_again(emu: Emulator, sleeps: Sleeps) -> None:
    with make(emu, sleeps) as t:
        t.list_inbox()
        first = t._token
        emu.expire_tokens()
        t.list_inbox()
        assert t._token and t._token != first
    assert sleeps == []


def test_expired_token_after_four_busy_answers(emu: Emulator, sleeps: Sleeps) -> None:
    """The re-login does not use up the last of the five tries."""
    with make(emu, sleeps) as t:
        t.list_inbox()
        first = t._token
        emu.fail_next(4, status=503, retry_after=1)
        emu.expire_tokens()
        assert t.list_inbox() == []
        assert t._token and t._token != first
    assert sleeps == [1, 1, 1, 1]


def test_wrong_password(emu: Emulator, sleeps: Sleeps) -> None:
    with make(emu, sleeps, password="wrong") as t, pytest.raises(AuthError) as err:
        t.list_inbox()
    assert "неверный логин или пароль" in err.value.message
    assert sleeps == []


def test_secrets_never_logged(
    emu: Emulator, sleeps: Sleeps, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    drop(emu, NAME, b"abc")
    f = tmp_path / "Debts_20261105_001.txt"
    f.write_bytes(b"z")
    with make(emu, sleeps) as t:
        t.list_inbox()
        t.download(NAME, io.BytesIO())
        emu.expire_tokens()
        t.upload(f.name, f)
        token = t._token
        text = repr(t) + "\n".join(r.getMessage() for r in caplog.records)
    assert token and token not in text
    assert "s3cret-pw" not in text
    assert NAME in text  # the log does name the files


# ---------------------------------------------------------------------------- addresses


def test_http_only_to_loopback() -> None:
    with pytest.raises(SettingsError):
        HttpTransport("http://example.com/api/v1", "a", "b")
    HttpTransport("https://example.com/api/v1", "a", "b").close()
    HttpTransport("http://localhost:1/api/v1", "a", "b").close()


def test_server_down(sleeps: Sleeps) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with HttpTransport(f"http://127.0.0.1:{port}/api/v1", "demo", "demo", sleep=sleeps) as t:
        with pytest.raises(ServerError):
            t.list_inbox()
    assert sleeps == [0.5, 1.0, 2.0, 4.0]


# ---------------------------------------------------------------------------- a scripted peer

Responder = Callable[[BaseHTTPRequestHandler], None]


def answer(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Responder:
    def respond(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return respond


def login_ok(h: BaseHTTPRequestHandler) -> None:
    answer(200, json.dumps({"token": "tok-" + str(time.monotonic()), "expires_in": 60}).encode())(h)


class Stub:
    """An HTTP peer answering from per-route scripts; the last answer of a script repeats."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Responder]] = {
            ("POST", "/api/v1/login"): [login_ok]
        }
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        stub = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def _any(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                if n:
                    self.rfile.read(n)
                stub.calls.append((self.command, self.path, dict(self.headers)))
                script = stub.routes.get((self.command, self.path)) or [answer(404)]
                (script.pop(0) if len(script) > 1 else script[0])(self)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def on(self, method: str, path: str, *responders: Responder) -> None:
        self.routes[(method, "/api/v1" + path)] = list(responders)

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.calls if (m, p) == (method, "/api/v1" + path))


@pytest.fixture
def stub() -> Iterator[Stub]:
    s = Stub()
    yield s
    s.server.shutdown()
    s.server.server_close()


def test_wrong_checksum_header_is_checksum_error(stub: Stub, sleeps: Sleeps) -> None:
    body = b"payload" * 1000
    stub.on("GET", "/inbox/" + NAME, answer(200, body, {"X-Content-SHA256": "0" * 64}))
    buf = io.BytesIO()
    with HttpTransport(stub.url, "demo", "demo", sleep=sleeps) as t, pytest.raises(ChecksumError):
        t.download(NAME, buf)
    assert stub.count("GET", "/inbox/" + NAME) == 5
    assert len(sleeps) == 4


def test_wrong_checksum_once_then_right(stub: Stub, sleeps: Sleeps) -> None:
    body = b"payload" * 1000
    good = hashlib.sha256(body).hexdigest()
    stub.on(
        "GET",
        "/inbox/" + NAME,
        answer(200, body[:-1] + b"X", {"X-Content-SHA256": good}),
        answer(200, body, {"X-Content-SHA256": good}),
    )
    buf = io.BytesIO()
    with HttpTransport(stub.url, "demo", "demo", sleep=sleeps) as t:
        assert t.download(NAME, buf) == good
    assert buf.getvalue() == body


def test_retry_after_http_date(stub: Stub, sleeps: Sleeps) -> None:
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    stub.on("GET", "/inbox", answer(503, b"", {"Retry-After": later}), answer(200, b"[]"))
    with HttpTransport(stub.url, "demo", "demo", sleep=sleeps) as t:
        assert t.list_inbox() == []
    assert len(sleeps) == 1 and 25 <= sleeps[0] <= 30


def test_token_refused_after_relogin_is_auth_error(stub: Stub, sleeps: Sleeps) -> None:
    stub.on("GET", "/inbox", answer(401))
    with HttpTransport(stub.url, "demo", "demo", sleep=sleeps) as t, pytest.raises(AuthError):
        t.list_inbox()
    assert stub.count("POST", "/login") == 2  # one re-login, not more
    assert stub.count("GET", "/inbox") == 2


def test_redirect_not_followed(stub: Stub, sleeps: Sleeps) -> None:
    stub.on("GET", "/inbox", answer(302, b"", {"Location": "http://127.0.0.1:9/elsewhere"}))
    with HttpTransport(stub.url, "demo", "demo", sleep=sleeps) as t, pytest.raises(ServerError):
        t.list_inbox()
    assert stub.count("GET", "/inbox") == 1


def test_odd_inbox_json(stub: Stub, sleeps: Sleeps) -> None:
    stub.on(
        "GET",
        "/inbox",
        answer(
            200, json.dumps([{"name": "../x", "size": 3, "sha256": "AB"}, 7, {"size": 1}]).encode()
        ),
    )
    with HttpTransport(stub.url, "demo", "demo", sleep=sleeps) as t:
        assert t.list_inbox() == [InboxEntry("../x", 3, "ab")]
    stub.on("GET", "/inbox", answer(200, b"{not json"))
    with HttpTransport(stub.url, "demo", "demo", sleep=sleeps) as t, pytest.raises(ServerError):
        t.list_inbox()


def test_silent_server_times_out(stub: Stub, sleeps: Sleeps) -> None:
    def silent(h: BaseHTTPRequestHandler) -> None:
        time.sleep(1.0)
        answer(200, b"[]")(h)

    stub.on("GET", "/inbox", silent, answer(200, b"[]"))
    with HttpTransport(stub.url, "demo", "demo", read_timeout=0.2, sleep=sleeps) as t:
        assert t.list_inbox() == []
    assert sleeps == [0.5]


def test_short_body_is_retried(stub: Stub, sleeps: Sleeps) -> None:
    body = b"0123456789" * 1000

    def short(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[:4000])
        h.close_connection = True

    stub.on("GET", "/inbox/" + NAME, short, answer(200, body))
    buf = io.BytesIO()
    with HttpTransport(stub.url, "demo", "demo", sleep=sleeps) as t:
        t.download(NAME, buf)
    assert buf.getvalue() == body
    assert sleeps == [0.5]


def test_names_are_percent_encoded(stub: Stub, sleeps: Sleeps) -> None:
    with HttpTransport(stub.url, "demo", "demo", sleep=sleeps) as t, pytest.raises(GoneError):
        t.delete("a b/../c")
    assert ("DELETE", "/api/v1/inbox/a%20b%2F..%2Fc") in [(m, p) for m, p, _ in stub.calls]


# ---------------------------------------------------------------------------- memory


@pytest.fixture
def emu_process(tmp_path: Path) -> Iterator[str]:
    """The emulator in a process of its own (so that tracemalloc here sees the client only)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "trayapp.emulator", "--port", "0", "--no-residents",
         "--data", str(tmp_path / "emu")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_streams_without_holding_the_file(emu_process: str, sleeps: Sleeps, tmp_path: Path) -> None:
    size = 24 << 20
    # one long line: the emulator refuses it at once (its answer is not what is measured)
    src = tmp_path / "Debts_20261105_001.txt"
    with open(src, "wb") as f:
        f.write(b"#")
        for _ in range(size // (1 << 20)):
            f.write(b"x" * (1 << 20))
    inbox = tmp_path / "emu" / "inbox"
    (inbox / NAME).write_bytes(src.read_bytes())
    with HttpTransport(emu_process, "demo", "demo", sleep=sleeps) as t:
        assert t.list_inbox()[0].size == size + 1
        tracemalloc.start()
        try:
            with open(tmp_path / "down", "wb") as out:
                t.download(NAME, out)
            down_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            assert t.upload(src.name, src) == 201
            up_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert (tmp_path / "down").read_bytes() == src.read_bytes()
    assert (tmp_path / "emu" / "outbox" / src.name).stat().st_size == size + 1
    assert down_peak < 4 << 20, f"download peak {down_peak / 2**20:.1f} MiB"
    assert up_peak < 4 << 20, f"upload peak {up_peak / 2**20:.1f} MiB"


def test_upload_400_is_a_refusal_of_that_file(stub: Stub, sleeps: Sleeps, tmp_path: Path) -> None:
    f = tmp_path / "Debts_20261105_001.txt"
    f.write_bytes(b"abc")
    stub.on("PUT", "/outbox/" + f.name, answer(400, b'{"error": "X-Content-SHA256"}'))
    with (
        HttpTransport(stub.url, "demo", "demo", sleep=sleeps) as t,
        pytest.raises(UploadRefused) as err,
    ):
        t.upload(f.name, f)
    assert err.value.status == 400 and err.value.reason == "X-Content-SHA256"
    sent = [h for m, p, h in stub.calls if m == "PUT"]
    assert sent[0]["X-Content-SHA256"] == hashlib.sha256(b"abc").hexdigest()
    assert sent[0]["Authorization"].startswith("Bearer tok-")
