"""A small hostile «Мои счета» server on 127.0.0.1 for the tests: a real HTTP peer that lies.

``Hostile(files)`` serves ``/login``, ``/inbox``, ``/inbox/<name>`` (GET, DELETE) and
``/outbox/<name>`` (PUT) like protocol.md, except where a file's ``how`` says otherwise:

- ``good``       the bytes, with their Content-Length and X-Content-SHA256;
- ``endless``    no Content-Length, then bytes without end (until the client goes away);
- ``more``       no Content-Length, the bytes and then ``extra`` more;
- ``more_cl``    a Content-Length of the whole (bytes + ``extra``): more than listed;
- ``trickle``    the right Content-Length, one byte every ``pace`` seconds;
- ``bad_sha``    a wrong X-Content-SHA256 every time;
- ``huge``       a Content-Length of 10 GB, then bytes without end.

``listing`` replaces the JSON of ``/inbox`` (raw bytes: not JSON at all, thousands of names,
names that are paths). ``login_redirect`` answers ``/login`` with a 307 to another URL (the
body would carry the password there). What the server saw is kept: ``deleted``, ``logins``
(the bodies of POST /login), ``sent`` (bytes sent per name), ``requests``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

TOKEN = "hostile-token-0123456789"
GB10 = 10 * 1024**3


@dataclass
class File:
    data: bytes
    how: str = "good"
    extra: int = 1 << 20
    pace: float = 1.0
    listed_size: int | None = None  # what the listing says (default: len(data))


@dataclass
class State:
    files: dict[str, File]
    listing: bytes | None = None
    login_redirect: str | None = None
    deleted: list[str] = field(default_factory=list)
    logins: list[bytes] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _name(self, prefix: str) -> str:
        return unquote(self.path[len(prefix):])

    def do_POST(self) -> None:
        st = self.state
        with st.lock:
            st.requests.append(f"POST {self.path}")
        body = self._body()
        if self.path == "/login":
            with st.lock:
                st.logins.append(body)
            if st.login_redirect:
                self.send_response(307)
                self.send_header("Location", st.login_redirect)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._json(200, {"token": TOKEN})
            return
        self._json(404, {"error": "нет"})

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._json(401, {"error": "токен"})
            return False
        return True

    def do_GET(self) -> None:
        st = self.state
        with st.lock:
            st.requests.append(f"GET {self.path}")
        if not self._authorized():
            return
        if self.path == "/inbox":
            if st.listing is not None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(st.listing)))
                self.end_headers()
                self.wfile.write(st.listing)
                return
            self._json(200, [
                {"name": n, "size": f.listed_size if f.listed_size is not None else len(f.data),
                 "sha256": sha(f.data)}
                for n, f in st.files.items()
            ])  # fmt: skip
            return
        if not self.path.startswith("/inbox/"):
            self._json(404, {"error": "нет"})
            return
        name = self._name("/inbox/")
        f = st.files.get(name)
        if f is None:
            self._json(404, {"error": "нет файла"})
            return
        try:
            self._send_file(name, f)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _count(self, name: str, n: int) -> None:
        with self.state.lock:
            self.state.sent[name] = self.state.sent.get(name, 0) + n

    def _send_file(self, name: str, f: File) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        digest = sha(f.data) if f.how != "bad_sha" else sha(f.data + b"x")
        self.send_header("X-Content-SHA256", digest)
        if f.how in ("good", "bad_sha", "trickle"):
            self.send_header("Content-Length", str(len(f.data)))
        elif f.how == "more_cl":
            self.send_header("Content-Length", str(len(f.data) + f.extra))
        elif f.how == "huge":
            self.send_header("Content-Length", str(GB10))
        else:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if f.how in ("good", "bad_sha"):
            self.wfile.write(f.data)
            self._count(name, len(f.data))
        elif f.how == "trickle":
            for i in range(len(f.data)):
                self.wfile.write(f.data[i:i + 1])
                self.wfile.flush()
                self._count(name, 1)
                time.sleep(f.pace)
        elif f.how in ("more", "more_cl"):
            self.wfile.write(f.data)
            block = b"9" * 65536
            left = f.extra
            while left > 0:
                part = block[:left]
                self.wfile.write(part)
                self._count(name, len(part))
                left -= len(part)
            self.close_connection = True
        else:  # endless, huge
            self.close_connection = True
            self.wfile.write(f.data)
            block = b"9" * 65536
            while True:
                self.wfile.write(block)
                self._count(name, len(block))

    def do_DELETE(self) -> None:
        st = self.state
        with st.lock:
            st.requests.append(f"DELETE {self.path}")
        if not self._authorized():
            return
        name = self._name("/inbox/")
        with st.lock:
            found = st.files.pop(name, None)
            if found is not None:
                st.deleted.append(name)
        if found is None:
            self._json(404, {"error": "нет файла"})
            return
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self) -> None:
        st = self.state
        with st.lock:
            st.requests.append(f"PUT {self.path}")
        if not self._authorized():
            return
        body = self._body()
        with st.lock:
            st.uploads[self._name("/outbox/")] = body
        self._json(201, {"stored": True})


class Hostile:
    """The server, started on a free port of 127.0.0.1; ``url`` to reach it."""

    def __init__(self, files: dict[str, File] | None = None, **kw: Any) -> None:
        self.state = State(files=dict(files or {}), **kw)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Hostile:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
