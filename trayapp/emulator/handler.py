"""The HTTP side of the emulator: protocol.md at ``/api/v1`` over ``http.server``.

``EmulatorHTTPServer`` is a ``ThreadingHTTPServer`` (one thread per connection, HTTP/1.1
keep-alive) that remembers its open connections so that ``close_connections()`` can end idle
keep-alive ones when the emulator stops. ``Handler`` routes the calls, applies the faults of
``Service.faults`` and streams files between socket and disk in 64 KiB chunks; reading request
bodies (``Content-Length`` or chunked) and writing answers is ``wire.WireHandler``'s, which
drains the body of a refused upload so that the client reads the answer rather than a broken
pipe. Never logs a password, a token or a header. Imports nothing of the app outside the
emulator; no GUI.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import os
import re
import socket
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from trayapp.emulator import answers
from trayapp.emulator.service import Service
from trayapp.emulator.store import CHUNK
from trayapp.emulator.wire import ClientGone, WireHandler

log = logging.getLogger(__name__)

BASE = "/api/v1"
_SHA = re.compile(r"[0-9a-f]{64}")


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # SO_REUSEADDR lets a restart bind at once on POSIX; on Windows it would let two
    # emulators share a port, so it stays off there
    allow_reuse_address = sys.platform != "win32"

    def __init__(self, address: tuple[str, int], service: Service) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.service = service
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conns_lock:
            self._conns.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # the client went away: not worth a traceback
            log.info("соединение с %s прервано: %s", client_address[0], exc)
        else:
            log.exception("ошибка обработки запроса от %s", client_address[0])

    def close_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def is_loopback(host: str) -> bool:
    try:
        addr = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped.is_loopback
    return addr.is_loopback


class Handler(WireHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MoiSchetaEmulator/1"
    timeout = 120  # an idle keep-alive connection is closed after this
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: EmulatorHTTPServer

    # ------------------------------------------------------------------ plumbing

    @property
    def service(self) -> Service:
        return self.server.service

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # ------------------------------------------------------------------ routing

    def _dispatch(self, method: str) -> None:
        self._answered = False
        try:
            self._route(method)
        except ClientGone as exc:
            log.info("соединение прервано клиентом: %s", exc)
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            log.info("соединение прервано клиентом")
            self.close_connection = True
        except Exception:
            log.exception("ошибка эмулятора: %s %s", method, urlsplit(self.path).path)
            self.close_connection = True
            if not self._answered:
                with contextlib.suppress(OSError):
                    self._error(500, "внутренняя ошибка эмулятора")

    def _route(self, method: str) -> None:
        path = urlsplit(self.path).path
        if path != BASE and not path.startswith(BASE + "/"):
            self._drain()
            self._error(404, "нет такого адреса")
            return
        rest = path[len(BASE) :]
        if rest == "/_control":
            self._control(method)
            return
        delay = self.service.faults.delay()
        if delay:
            time.sleep(delay)
        failure = self.service.faults.take_failure()
        if failure is not None:
            status, retry_after = failure
            self._drain()
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            log.info("отказ по заказу: %s %s -> %d", method, rest, status)
            self._error(status, "сервис временно недоступен", headers)
            return
        if rest == "/login":
            if self._allow(method, "POST"):
                self._login()
            return
        if rest == "/inbox":
            if self._allow(method, "GET") and self._authorized():
                self._list()
            return
        if rest.startswith("/inbox/"):
            if self._allow(method, "GET", "DELETE") and self._authorized():
                name = _name(rest[len("/inbox/") :])
                if method == "GET":
                    self._download(name)
                else:
                    self._delete(name)
            return
        if rest.startswith("/outbox/"):
            if self._allow(method, "PUT") and self._authorized():
                self._upload(_name(rest[len("/outbox/") :]))
            return
        self._drain()
        self._error(404, "нет такого адреса")

    def _allow(self, method: str, *allowed: str) -> bool:
        if method in allowed:
            return True
        self._drain()
        self._error(405, "метод не поддерживается", {"Allow": ", ".join(allowed)})
        return False

    def _authorized(self) -> bool:
        auth = self.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        if (
            scheme.lower() == "bearer"
            and token.strip()
            and self.service.tokens.valid(token.strip())
        ):
            return True
        self._drain()
        self._error(401, "нужен вход", {"WWW-Authenticate": 'Bearer realm="moischeta"'})
        return False

    # ------------------------------------------------------------------ calls

    def _login(self) -> None:
        try:
            body = self._read_json()
            login, password = body["login"], body["password"]
            if not isinstance(login, str) or not isinstance(password, str):
                raise TypeError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            self._error(400, "ожидался JSON с login и password")
            return
        if not self.service.check_login(login, password):
            log.info("вход отклонён: неверный логин или пароль")
            self._error(401, "неверный логин или пароль")
            return
        ttl = self.service.tokens.ttl
        expires_in: float = int(ttl) if float(ttl).is_integer() else ttl
        self._json(200, {"token": self.service.tokens.issue(), "expires_in": expires_in})
        log.info("вход выполнен")

    def _list(self) -> None:
        entries = self.service.store.list_inbox()
        self._json(200, [{"name": e.name, "size": e.size, "sha256": e.sha256} for e in entries])

    def _download(self, name: str | None) -> None:
        opened = self.service.store.open_inbox(name) if name is not None else None
        if opened is None:
            self._error(404, "файла нет")
            return
        f, size, sha = opened
        with f:
            cut = self.service.faults.take_download_cut()
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.send_header("X-Content-SHA256", sha)
            self.end_headers()
            left = size if cut is None else int(size * cut)
            while left > 0:
                piece = f.read(min(CHUNK, left))
                if not piece:  # the file shrank under us: the client sees a short body
                    self.close_connection = True
                    break
                self.wfile.write(piece)
                left -= len(piece)
        if cut is not None:
            log.info("скачивание %s оборвано по заказу", name)
            self._cut()
        else:
            log.info("отдан %s (%d байт)", name, size)

    def _delete(self, name: str | None) -> None:
        if name is None or not self.service.store.delete_inbox(name):
            self._error(404, "файла нет")
            return
        log.info("удалён из входящих клиента: %s", name)
        self._send(204)

    def _upload(self, name: str | None) -> None:
        if name is None or not answers.accepts(name):
            self._drain()
            self._error(422, "неверное имя файла")
            return
        expected = self.headers.get("X-Content-SHA256", "").strip().lower()
        if not _SHA.fullmatch(expected):
            self._drain()
            self._error(400, "нет или неверен заголовок X-Content-SHA256")
            return
        store = self.service.store
        cut = self.service.faults.take_upload_cut()
        tmp = store.new_upload()
        h = hashlib.sha256()
        size = 0
        try:
            with open(tmp, "wb") as f:
                limit = None
                if cut is not None:
                    length = self._length()
                    limit = int((length if length is not None else CHUNK) * cut)
                for piece in self._body(limit):
                    f.write(piece)
                    h.update(piece)
                    size += len(piece)
                if cut is not None:
                    raise ClientGone("upload cut on request")
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            if cut is not None:
                log.info("загрузка %s оборвана по заказу после %d байт", name, size)
                self._cut()
                return
            raise
        digest = h.hexdigest()
        if digest != expected:
            with contextlib.suppress(OSError):
                tmp.unlink()
            log.info("загрузка %s отклонена: контрольная сумма не совпала", name)
            self._error(400, "X-Content-SHA256 не совпадает с телом")
            return
        status = store.commit_upload(tmp, name, digest)
        log.info("загрузка %s (%d байт): %d", name, size, status)
        if status == 201:
            self.service.answer_upload(name)
        if status == 409:
            self._error(409, "файл с этим именем уже есть, с другим содержимым")
        else:
            self._json(status, {"name": name, "size": size, "sha256": digest})

    def _control(self, method: str) -> None:
        if not is_loopback(self.client_address[0]):
            self._drain()
            self._error(403, "только с этого компьютера")
            return
        if method == "GET":
            self._json(200, self.service.faults.snapshot())
            return
        if method != "POST":
            self._allow(method, "GET", "POST")
            return
        try:
            spec = self._read_json()
            if not isinstance(spec, dict):
                raise ValueError("a JSON object")
            self.service.faults.apply(spec, self.service.tokens)
        except (ValueError, UnicodeDecodeError) as exc:
            self._error(400, f"неверный запрос: {exc}")
            return
        log.info("управление: %s", ", ".join(sorted(spec)) or "-")
        self._json(200, {"ok": True, **self.service.faults.snapshot()})


def _name(segment: str) -> str | None:
    """A percent-decoded path segment, or None where it cannot be a plain file name."""
    if not segment or "/" in segment:
        return None
    try:
        name = unquote(segment, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    if not name or any(c in name for c in "/\\\x00") or name in (".", ".."):
        return None
    return name
