"""Secrets and personal data over a whole cycle of the command line, against the emulator.

Import, generation, exchange, acceptance, export, status and settings run as the accountant
runs them; the first half with ``verbose`` off, the rest with it on. Neither the password
(in any encoding a program could write it) nor a token the server issued may appear in any
file under the home folder or in any output; owners' names appear in the log only once
``verbose`` is on.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from trayapp.core.demo import ORDER, write_tables
from trayapp.emulator.server import Emulator

PASSWORD = "Секрет-пароль_7fQ!"
LOGIN = "бухгалтер"


def forms(secret: str) -> list[bytes]:
    """The ways a program could write ``secret`` into a file or an output."""
    out = {secret.encode("utf-8"), secret.encode("cp1251"),
           json.dumps(secret).strip('"').encode("ascii"), repr(secret).strip("'").encode()}
    return sorted(out)


def files_under(root: Path) -> list[Path]:
    return [Path(d) / f for d, _, names in os.walk(root) for f in names]


def test_a_whole_verbose_cycle_leaks_no_password_or_token(tmp_path: Path) -> None:
    tables = write_tables(tmp_path / "tables", accounts=20, seed=3, today=date.today())
    with open(tables["org"], encoding="cp1251") as f:
        inn = next(csv.DictReader(f, delimiter=";"))["inn"]
    with open(tables["accounts"], encoding="cp1251") as f:
        names = [row["full_name"] for row in csv.DictReader(f, delimiter=";")]
    home = tmp_path / "home"
    env = dict(os.environ, TRAYAPP_PASSWORD=PASSWORD,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")  # fmt: skip
    env.pop("TRAYAPP_HOME", None)
    outputs: list[bytes] = []

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[bytes]:
        r = subprocess.run([sys.executable, "-m", "trayapp", "--home", str(home), *args],
                           capture_output=True, env=env, cwd=tmp_path, timeout=300)  # fmt: skip
        outputs.extend([r.stdout, r.stderr])
        if ok:
            assert r.returncode == 0, r.stderr.decode()
        return r

    emu = Emulator(tmp_path / "emu", login=LOGIN, password=PASSWORD, org=inn, seed=3)
    emu.start()
    try:
        for key, value in (("coding", "GOROD"), ("server_url", emu.url), ("login", LOGIN),
                           ("verbose", "0")):  # fmt: skip
            run("settings", "set", key, value)
        for kind in ORDER:
            run("import", kind, str(tables[kind]))
        for kind in ("services", "debts", "meters"):
            run("generate", kind)
        run("exchange")
        log = "".join(p.read_text(encoding="utf-8") for p in files_under(home / "logs"))
        assert "exchange session" in log
        assert not [n for n in names if n in log]  # no owner's name without verbose
        run("settings", "set", "verbose", "1")
        run("exchange")
        pending = json.loads(run("--json", "pending").stdout)
        assert pending, "the emulator's owners paid and sent readings"
        for item in pending:
            run("accept", item["file"])
        run("exchange")
        run("export", "payments")
        run("export", "readings")
        run("status")
        run("settings", "show")
        run("settings", "password", ok=False)  # no keyring here: refused, says why
        wrong = dict(env, TRAYAPP_PASSWORD=PASSWORD + "x")
        r = subprocess.run([sys.executable, "-m", "trayapp", "--home", str(home), "exchange"],
                           capture_output=True, env=wrong, timeout=300)  # fmt: skip
        assert r.returncode == 1
        outputs.extend([r.stdout, r.stderr])
        tokens = list(emu.service.tokens._expiry)
    finally:
        emu.stop()
    assert len(tokens) == 3  # one login per exchange that logged in
    secrets = [f for s in [PASSWORD, PASSWORD + "x"] for f in forms(s)]
    secrets += [t.encode() for t in tokens]
    found = [(str(p), s) for p in files_under(home) for s in secrets if s in p.read_bytes()]
    found += [("output", s) for out in outputs for s in secrets if s in out]
    assert found == []
    log = b"".join(p.read_bytes() for p in files_under(home / "logs"))
    assert b"DEBUG" in log and b"exchange session" in log  # the log was written, verbosely
