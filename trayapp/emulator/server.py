"""The «Мои счета» emulator: a peer of the module serving spec/protocol.md over real HTTP.

``Emulator(data_dir).start()`` serves ``http://127.0.0.1:<port>/api/v1`` from a daemon
thread (``serve_forever()`` in the foreground, as ``trayapp emulator`` does); its state lives
in ``data_dir`` (``inbox/`` offered to the client, ``outbox/`` received, ``state.json``). Each
upload of a Services, Debts or Meters registry is answered with ``Ack_<name>`` in ``inbox/``;
after an ``OK`` for Debts or Meters the simulated owners put a Payments or Readings registry
there (unless ``residents=False``). Faults for tests, effective for the next calls:
``fail_next`` (an error status, 503 with ``Retry-After`` by default), ``cut_next_download`` /
``cut_next_upload`` (the connection closed after ``fraction`` of the body), ``slow`` (every
answer waits), ``expire_tokens`` (every token issued so far answers 401).

The same faults over HTTP, for an emulator running in another process: ``POST
/api/v1/_control``, accepted from a loopback address only (403 otherwise), no token needed,
never subject to the faults. The body is a JSON object with any of these keys::

    {"fail_next": {"count": 2, "status": 503, "retry_after": 1},
     "cut_next_download": {"count": 1, "fraction": 0.5},
     "cut_next_upload": {"count": 1, "fraction": 0.5},
     "slow": 0.5,
     "expire_tokens": true}

(``retry_after`` null sends no ``Retry-After``; ``slow`` 0 turns the delay off). It answers
200 with ``{"ok": true, ...}`` and the faults now pending, 400 for a malformed body (nothing
is changed then); ``GET /api/v1/_control`` answers the pending faults alone.

Beyond protocol.md: an upload needs ``X-Content-SHA256`` (400 without it or on a mismatch,
nothing stored), and only names the client may send are taken (Services, Debts, Meters and
``Ack_`` of Payments or Readings); any other name is 422. Imports the app's ``paths`` only for
the default data folder.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import socket
import sys
import threading
from pathlib import Path

from trayapp import console
from trayapp.core import values
from trayapp.emulator.handler import BASE, EmulatorHTTPServer
from trayapp.emulator.handler import is_loopback as _is_loopback
from trayapp.emulator.service import Service
from trayapp.emulator.store import DataDir
from trayapp.fsutil import os_reason

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765


class Emulator:
    """The emulator; thread-safe; a context manager that starts and stops it."""

    def __init__(
        self,
        data_dir: Path,
        host: str = "127.0.0.1",
        port: int = 0,
        login: str = "demo",
        password: str = "demo",
        org: str | None = None,
        residents: bool = True,
        token_ttl: float = 3600.0,
        seed: int | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.store = DataDir(self.data_dir)
        self.service = Service(self.store, login, password, org, residents, token_ttl, seed)
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ life

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{BASE}"

    def listen(self) -> None:
        """Prepare the data folder, answer uploads left unanswered, open the port.

        Idempotent; ``start`` and ``serve_forever`` call it. Raises OSError when the port
        cannot be opened.
        """
        with self._lock:
            if self._server is not None:
                return
            self.store.prepare()
            self.service.recover()
            server = EmulatorHTTPServer((self.host, self.port), self.service)
            self.port = int(server.server_address[1])
            self._server = server
        log.info("эмулятор «Мои счета» слушает %s, данные в %s", self.url, self.data_dir)
        if not _is_loopback(self.host):
            log.warning(
                "адрес %s не локальный: клиент примет http:// только на loopback", self.host
            )

    def start(self) -> None:
        """Serve in a daemon thread; returns once the port is listening."""
        self.listen()
        with self._lock:
            server = self._server
            if server is None or self._thread is not None:
                return
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"emulator:{self.port}",
                daemon=True,
            )
            self._thread.start()

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` or KeyboardInterrupt."""
        self.listen()
        server = self._server
        if server is None:  # pragma: no cover - stopped meanwhile
            return
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            log.info("эмулятор остановлен (Ctrl+C)")
        finally:
            self._close()

    def stop(self) -> None:
        """Stop serving and close every connection, idle keep-alive ones included."""
        with self._lock:
            server, thread = self._server, self._thread
        if server is None:
            return
        if thread is not None:
            # shutdown() waits for the serving loop to wake up; a connection wakes it at once
            stopper = threading.Thread(target=server.shutdown, daemon=True)
            stopper.start()
            while stopper.is_alive():
                self._poke()
                stopper.join(0.01)
            thread.join(timeout=10)
        self._close()

    def _poke(self) -> None:
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        with contextlib.suppress(OSError), socket.create_connection((host, self.port), 0.5):
            pass

    def _close(self) -> None:
        with self._lock:
            server, self._server, self._thread = self._server, None, None
        if server is not None:
            server.close_connections()
            server.server_close()
            log.info("эмулятор остановлен")

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ faults

    def fail_next(self, count: int, status: int = 503, retry_after: int | None = 1) -> None:
        """The next ``count`` calls answer ``status`` (with ``Retry-After`` unless None)."""
        self.service.faults.fail_next(count, status, retry_after)

    def cut_next_download(self, count: int = 1, fraction: float = 0.5) -> None:
        """The next ``count`` downloads send ``fraction`` of the body, then close the socket."""
        self.service.faults.cut_next_download(count, fraction)

    def cut_next_upload(self, count: int = 1, fraction: float = 0.5) -> None:
        """The next ``count`` uploads read ``fraction`` of the body, then close the socket."""
        self.service.faults.cut_next_upload(count, fraction)

    def slow(self, seconds: float) -> None:
        """Every answer waits ``seconds`` first (0: off)."""
        self.service.faults.slow(seconds)

    def expire_tokens(self) -> None:
        """Every token issued so far answers 401 from now on."""
        self.service.tokens.expire_all()


# ---------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="trayapp emulator",
        description="Эмулятор сервиса «Мои счета»: HTTP-сервер протокола обмена на этом компьютере.",
    )
    p.add_argument("--host", default="127.0.0.1", help="адрес (по умолчанию 127.0.0.1)")
    p.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"порт (по умолчанию {DEFAULT_PORT}; 0 — любой свободный)",
    )
    p.add_argument("--data", type=Path, default=None, help="каталог данных эмулятора")
    p.add_argument(
        "--home", default=None, help="домашний каталог trayapp (для --data по умолчанию)"
    )
    p.add_argument("--login", default="demo", help="логин (по умолчанию demo)")
    p.add_argument("--password", default="demo", help="пароль (по умолчанию demo)")
    p.add_argument("--org", default=None, help="ИНН товарищества; без него — #ORG каждого файла")
    p.add_argument(
        "--no-residents", action="store_true", help="жильцы не платят и не передают показания"
    )
    p.add_argument("--seed", type=int, default=None, help="зерно случайных чисел (повторяемость)")
    p.add_argument("--token-ttl", type=float, default=3600.0, help="срок жизни токена, с")
    return p


def main(argv: list[str] | None = None) -> int:
    """``trayapp emulator ...``: print the URL, serve in the foreground until Ctrl+C."""
    console.prepare_streams()  # ``python -m trayapp.emulator`` into a pipe: a Windows code page
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.org is not None and not values.is_inn(args.org):
            parser.error(f"--org: неверный ИНН: {args.org}")
        if not 0 <= args.port <= 65535:
            parser.error(f"--port: {args.port}")
        if args.token_ttl <= 0:
            parser.error("--token-ttl: больше нуля")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    data = args.data
    if data is None:
        from trayapp.paths import AppPaths

        data = AppPaths.resolve(args.home).emulator_data
    emulator = Emulator(
        Path(data).expanduser(),
        host=args.host,
        port=args.port,
        login=args.login,
        password=args.password,
        org=args.org,
        residents=not args.no_residents,
        token_ttl=args.token_ttl,
        seed=args.seed,
    )
    try:
        emulator.listen()
    except OSError as exc:
        print(f"не удалось открыть {args.host}:{args.port}: {os_reason(exc)}", file=sys.stderr)
        return 1
    with contextlib.suppress(ValueError, AttributeError):  # not the main thread / no SIGTERM
        signal.signal(signal.SIGTERM, _interrupt)
    print(emulator.url, flush=True)
    print(f"данные: {emulator.data_dir}; логин: {args.login}; остановить: Ctrl+C", flush=True)
    emulator.serve_forever()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops the foreground emulator as Ctrl+C does (files are closed cleanly)."""
    raise KeyboardInterrupt
