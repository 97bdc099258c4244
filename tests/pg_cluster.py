"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, started on
a free loopback port, password authentication (scram-sha-256) for the ``postgres`` role.

Debian's server binaries live in ``/usr/lib/postgresql/<version>/bin``; as root they run as
the ``postgres`` user (``runuser``), whose folders must be writable by it. Used by the
``pg_server`` fixture when ``TRAYAPP_TEST_PG`` is not set, and by ``.ci/run`` through
``python -m tests.pg_cluster start DIR`` (prints the URL; ``stop DIR`` stops it).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

USER = "postgres"


@dataclass
class Cluster:
    folder: Path
    port: int
    password: str
    durable: bool = False  # fsync on (the bench); off for the tests

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(_as_owner([_binary("pg_ctl"), "-D", str(self.data), *args]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.folder / 'sock'} -c listen_addresses=127.0.0.1"
        if not self.durable:
            opts += " -c fsync=off"
        else:  # as docs/postgresql.md advises for a server that takes large imports
            opts += " -c max_wal_size=4GB"
        self._run("-w", "-t", "60", "-l", str(self.folder / "server.log"), "-o", opts, "start")

    def stop(self) -> None:
        self._run("-w", "-m", "fast", "stop")


def binaries() -> str | None:
    """The folder of the server binaries, or None where the server is not installed."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(folder, "initdb")):
            return folder
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def _binary(name: str) -> str:
    folder = binaries()
    if folder is None:
        raise RuntimeError("PostgreSQL server binaries not found")
    return os.path.join(folder, name)


def _as_owner(cmd: list[str]) -> list[str]:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return ["runuser", "-u", USER, "--", *cmd]
    return cmd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def create(folder: Path, durable: bool = False) -> Cluster:
    """initdb and start a cluster in ``folder`` (created, owned by the server's user)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sock").mkdir(exist_ok=True)
    password = secrets.token_hex(12)
    pwfile = folder / "pw"
    pwfile.write_text(password + "\n")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        shutil.chown(folder, USER)
        shutil.chown(folder / "sock", USER)
        shutil.chown(pwfile, USER)
    done = subprocess.run(
        _as_owner([_binary("initdb"), "-D", str(folder / "data"), "-U", USER,
                   "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                   "--locale=C.UTF-8"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    if done.returncode:
        raise RuntimeError(f"initdb failed in {folder}: {done.stderr}")
    pwfile.unlink()
    for attempt in range(3):  # a free port may be taken by another program meanwhile
        cluster = Cluster(folder, free_port(), password, durable)
        try:
            cluster.start()
            break
        except subprocess.CalledProcessError:
            if attempt == 2:
                log = folder / "server.log"
                raise RuntimeError(
                    f"the PostgreSQL test cluster did not start: "
                    f"{log.read_text(errors='replace')[-2000:] if log.exists() else ''}"
                ) from None
    (folder / "cluster.txt").write_text(f"{cluster.port}\n{password}\n")
    return cluster


def existing(folder: Path) -> Cluster:
    port, password = (folder / "cluster.txt").read_text().split()
    return Cluster(folder, int(port), password)


def main(argv: list[str]) -> int:
    command, folder = argv[0], Path(argv[1])
    if command == "start":
        c = create(folder)
        print(c.url)
        print(c.password)
    elif command == "stop":
        existing(folder).stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
