"""The wire under the emulator's ``Handler``: reading request bodies and writing answers.

``WireHandler`` is a ``BaseHTTPRequestHandler`` that streams a request body in 64 KiB chunks
(``Content-Length`` or chunked, cut short or malformed: ``ClientGone``), drains the body of a
refused request so that the client reads the answer rather than a broken pipe, reads a small
JSON body (``MAX_JSON``), writes an answer (JSON, an error, an empty 204) and cuts a
connection on request. It knows no route, no fault and no store: ``handler.Handler`` builds
on it. Never logs a password, a token or a header. Imports nothing of the app but the
emulator's ``store`` (its chunk size); no GUI.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

from trayapp.emulator.store import CHUNK

log = logging.getLogger(__name__)

MAX_JSON = 64 * 1024


class ClientGone(Exception):
    """The client closed the connection or sent a malformed body."""


class WireHandler(BaseHTTPRequestHandler):
    """Bodies in and answers out, for the routes of ``handler.Handler``."""

    _answered = False  # whether an answer was begun (``send_response``): no 500 after it

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib name
        log.debug("%s %s", self.address_string(), format % args)

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "application/json; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if body or status not in (204, 304):
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), headers=headers)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._json(status, {"error": message}, headers)

    def _cut(self) -> None:
        """Close the connection abruptly, without an answer or mid-body."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # ------------------------------------------------------------------ bodies

    def _length(self) -> int | None:
        """The Content-Length, None for a chunked body; ClientGone when malformed."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return None
        text = self.headers.get("Content-Length", "0").strip()
        if not (text.isascii() and text.isdigit()):
            raise ClientGone("bad Content-Length")
        return int(text)

    def _body(self, limit: int | None = None) -> Iterator[bytes]:
        """The request body in chunks of at most 64 KiB; ``limit`` stops after that many."""
        length = self._length()
        if length is None:
            got = 0
            for piece in self._chunked():
                if limit is not None and got >= limit:
                    return
                yield piece
                got += len(piece)
            return
        left = length if limit is None else min(length, limit)
        while left > 0:
            piece = self.rfile.read(min(CHUNK, left))
            if not piece:
                raise ClientGone("body cut short")
            left -= len(piece)
            yield piece

    def _chunked(self) -> Iterator[bytes]:
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise ClientGone("chunked body cut short")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError as exc:
                raise ClientGone("bad chunk size") from exc
            if size == 0:
                while True:  # trailers up to the empty line
                    trailer = self.rfile.readline(8192)
                    if trailer in (b"\r\n", b"\n", b""):
                        return
            while size > 0:
                piece = self.rfile.read(min(CHUNK, size))
                if not piece:
                    raise ClientGone("chunk cut short")
                size -= len(piece)
                yield piece
            self.rfile.readline(8)  # the CRLF after each chunk

    def _drain(self) -> None:
        """Read and drop the request body, so that the connection stays usable."""
        try:
            for _ in self._body():
                pass
        except ClientGone:
            self.close_connection = True

    def _read_json(self) -> Any:
        length = self._length()
        if length is None or length > MAX_JSON:
            self.close_connection = True  # the body stays unread
            raise ValueError("body too large or chunked")
        data = b"".join(self._body())
        return json.loads(data.decode("utf-8"))

    # ------------------------------------------------------------------ answers

    def send_response(self, code: int, message: str | None = None) -> None:
        self._answered = True
        super().send_response(code, message)
