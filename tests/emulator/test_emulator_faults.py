"""Faults on demand: error statuses, cut downloads and uploads, slow answers, the control call."""

from __future__ import annotations

import hashlib
import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.emulator.helpers import Client, example, sha
from trayapp.emulator import Emulator
from trayapp.emulator.handler import is_loopback

DEBTS = "Debts_20261105_001.txt"
PAYMENTS = "Payments_20261106_001.txt"


def _drop(emu: Emulator, name: str, data: bytes) -> None:
    (emu.data_dir / "inbox" / name).write_bytes(data)


def test_fail_next_answers_503_with_retry_after_then_recovers(
    emu: Emulator, client: Client
) -> None:
    emu.fail_next(2, 503, retry_after=3)
    for _ in range(2):
        r = client.http.get(f"{emu.url}/inbox", headers=client.auth, timeout=5)
        assert r.status_code == 503
        assert r.headers["Retry-After"] == "3"
    assert client.http.get(f"{emu.url}/inbox", headers=client.auth, timeout=5).status_code == 200


def test_fail_next_other_status_without_retry_after(emu: Emulator, client: Client) -> None:
    emu.fail_next(1, 429, retry_after=None)
    r = client.login()
    assert r.status_code == 429 and "Retry-After" not in r.headers
    assert client.login().status_code == 200


def test_a_failed_upload_stores_nothing_and_keeps_the_connection(
    emu: Emulator, client: Client
) -> None:
    emu.fail_next(1)
    assert client.put(DEBTS, example(DEBTS)).status_code == 503
    assert list((emu.data_dir / "outbox").iterdir()) == []
    assert client.names() == []
    assert client.put(DEBTS, example(DEBTS)).status_code == 201


def test_cut_download_sends_less_than_content_length(emu: Emulator, client: Client) -> None:
    data = os.urandom(200_000)
    _drop(emu, PAYMENTS, data)
    emu.cut_next_download(1, 0.5)
    conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    conn.request("GET", f"/api/v1/inbox/{PAYMENTS}", headers=client.auth)
    r = conn.getresponse()
    assert r.status == 200
    assert int(r.headers["Content-Length"]) == len(data)
    with pytest.raises(http.client.IncompleteRead) as exc:
        r.read()
    assert len(exc.value.partial) == 100_000
    conn.close()
    # requests sees a broken connection; the next download is whole
    emu.cut_next_download()
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        client.get(PAYMENTS)
    r2 = client.get(PAYMENTS)
    assert r2.content == data and r2.headers["X-Content-SHA256"] == sha(data)


def test_cut_upload_stores_nothing(emu: Emulator, client: Client) -> None:
    data = example(DEBTS) * 500
    emu.cut_next_upload(1, 0.3)
    with pytest.raises(requests.ConnectionError):
        client.put(DEBTS, data)
    assert list((emu.data_dir / "outbox").iterdir()) == []
    assert client.names() == []
    assert client.put(DEBTS, example(DEBTS)).status_code == 201


def test_slow_makes_every_answer_wait(emu: Emulator, client: Client) -> None:
    """A client that will not wait as long as the delay gets no answer; no clock is read."""
    emu.slow(3)
    for call in (lambda t: client.http.get(f"{emu.url}/inbox", headers=client.auth, timeout=t),
                 lambda t: client.http.post(f"{emu.url}/login", timeout=t,
                                            json={"login": "demo", "password": "demo"})):
        with pytest.raises(requests.ReadTimeout):
            call(0.5)
    emu.slow(0)
    assert client.http.get(f"{emu.url}/inbox", headers=client.auth, timeout=30).status_code == 200


def _control(emu: Emulator, body: object) -> requests.Response:
    return requests.post(f"{emu.url}/_control", json=body, timeout=5)


def test_control_call_sets_every_fault(emu: Emulator, client: Client) -> None:
    r = _control(
        emu,
        {
            "fail_next": {"count": 1, "status": 503, "retry_after": 2},
            "cut_next_download": {"count": 1, "fraction": 0.25},
            "cut_next_upload": {"count": 1, "fraction": 0.5},
            "slow": 0.2,
        },
    )
    assert r.status_code == 200
    state = r.json()
    assert state["ok"] is True and state["fail_next"]["count"] == 1 and state["slow"] == 0.2
    started = time.monotonic()
    r = client.http.get(f"{emu.url}/inbox", headers=client.auth, timeout=5)
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert time.monotonic() - started >= 0.2
    _drop(emu, PAYMENTS, b"x" * 1000)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        client.get(PAYMENTS)
    with pytest.raises(requests.ConnectionError):
        client.put(DEBTS, example(DEBTS))
    assert list((emu.data_dir / "outbox").iterdir()) == []
    assert _control(emu, {"slow": 0, "expire_tokens": True}).status_code == 200
    assert client.http.get(f"{emu.url}/inbox", headers=client.auth, timeout=5).status_code == 401
    pending = requests.get(f"{emu.url}/_control", timeout=5).json()
    assert pending["fail_next"]["count"] == 0 and pending["cut_next_upload"]["count"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"nonsense": 1},
        {"fail_next": {"count": -1}},
        {"fail_next": {"count": 1, "status": 200}},
        {"cut_next_upload": {"count": 1, "fraction": 1.5}},
        {"slow": "fast"},
        {"expire_tokens": "yes"},
        [1, 2],
    ],
)
def test_control_call_refuses_a_malformed_body_and_changes_nothing(
    emu: Emulator, body: object
) -> None:
    before = requests.get(f"{emu.url}/_control", timeout=5).json()
    body_with_slow = {**body, "slow": 5} if isinstance(body, dict) and "slow" not in body else body
    assert _control(emu, body_with_slow).status_code == 400
    assert requests.get(f"{emu.url}/_control", timeout=5).json() == before


def test_control_only_from_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("::ffff:127.0.0.1")
    assert not is_loopback("192.168.1.5") and not is_loopback("10.0.0.1") and not is_loopback("x")


def test_big_upload_and_download_stream(emu: Emulator, client: Client, tmp_path: Path) -> None:
    size = 30 * 1024 * 1024
    big = tmp_path / "big.bin"
    block = os.urandom(1024 * 1024)
    with open(big, "wb") as f:
        for _ in range(size // len(block)):
            f.write(block)
    digest = sha(big.read_bytes())
    name = "Ack_Payments_20261106_001.txt"  # a client answer: stored, not answered
    with open(big, "rb") as f:
        headers = {**client.auth, "X-Content-SHA256": digest}
        r = client.http.put(f"{emu.url}/outbox/{name}", data=f, headers=headers, timeout=30)
    assert r.status_code == 201, r.text
    assert r.json()["size"] == size
    stored = emu.data_dir / "outbox" / name
    assert stored.stat().st_size == size
    os.replace(stored, emu.data_dir / "inbox" / PAYMENTS)
    got = 0
    h = hashlib.sha256()
    with client.http.get(
        f"{emu.url}/inbox/{PAYMENTS}", headers=client.auth, stream=True, timeout=30
    ) as r:
        assert r.status_code == 200
        assert r.headers["X-Content-SHA256"] == digest
        for chunk in r.iter_content(256 * 1024):
            h.update(chunk)
            got += len(chunk)
    assert got == size and h.hexdigest() == digest


def test_command_line_runs_a_real_server(tmp_path: Path) -> None:
    data = tmp_path / "emu data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "trayapp.emulator", "--port", "0", "--data", str(data),
         "--login", "tsj", "--password", "s3cret-Pass", "--org", "5401000001", "--no-residents"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api/v1")
        c = Client(url, "tsj", "s3cret-Pass")
        token = c.token
        assert c.token
        assert (
            requests.post(
                f"{url}/_control", json={"fail_next": {"count": 1}}, timeout=5
            ).status_code
            == 200
        )
        assert c.http.get(f"{url}/inbox", headers=c.auth, timeout=5).status_code == 503
        assert c.put(DEBTS, example(DEBTS)).status_code == 201
        assert c.names() == ["Ack_" + DEBTS]  # no residents
        assert (data / "outbox" / DEBTS).exists() and (data / "state.json").exists()
        c.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    log_text = proc.stderr.read() if proc.stderr else ""
    if sys.platform != "win32":  # SIGTERM stops it as Ctrl+C does
        assert proc.returncode == 0 and "эмулятор остановлен" in log_text, log_text
    assert "вход выполнен" in log_text  # it logs to stderr ...
    assert "s3cret-Pass" not in log_text and token not in log_text  # ... never secrets


def test_command_line_refuses_a_bad_org(tmp_path: Path) -> None:
    from trayapp.emulator import main

    assert main(["--org", "123", "--data", str(tmp_path)]) == 2
    assert main(["--help"]) == 0
