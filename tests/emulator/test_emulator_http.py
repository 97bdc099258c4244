"""The emulator's protocol.md over real HTTP: login, tokens, inbox, download, delete, upload."""

from __future__ import annotations

import http.client
import os
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from tests.emulator.helpers import Client, example, sha
from trayapp.emulator import Emulator

DEBTS = "Debts_20261105_001.txt"


# ---------------------------------------------------------------------------- login, tokens


def test_login_gives_a_token_that_opens_the_inbox(emu: Emulator) -> None:
    r = requests.post(f"{emu.url}/login", json={"login": "demo", "password": "demo"}, timeout=5)
    assert r.status_code == 200
    body = r.json()
    assert body["expires_in"] == 3600 and len(body["token"]) >= 20
    r = requests.get(
        f"{emu.url}/inbox", headers={"Authorization": f"Bearer {body['token']}"}, timeout=5
    )
    assert r.status_code == 200 and r.json() == []


def test_wrong_login_or_password_is_401(emu: Emulator) -> None:
    for login, password in (("demo", "wrong"), ("other", "demo"), ("", "")):
        r = requests.post(
            f"{emu.url}/login", json={"login": login, "password": password}, timeout=5
        )
        assert r.status_code == 401, (login, password)
    r = requests.post(f"{emu.url}/login", data=b"not json", timeout=5)
    assert r.status_code == 400


def test_other_credentials(tmp_path: Path) -> None:
    with Emulator(tmp_path, login="tsj", password="секрет") as e:
        assert (
            requests.post(
                f"{e.url}/login", json={"login": "demo", "password": "demo"}, timeout=5
            ).status_code
            == 401
        )
        assert (
            requests.post(
                f"{e.url}/login", json={"login": "tsj", "password": "секрет"}, timeout=5
            ).status_code
            == 200
        )


def test_no_or_unknown_token_is_401(emu: Emulator) -> None:
    assert requests.get(f"{emu.url}/inbox", timeout=5).status_code == 401
    r = requests.get(f"{emu.url}/inbox", headers={"Authorization": "Bearer nonsense"}, timeout=5)
    assert r.status_code == 401
    r = requests.put(
        f"{emu.url}/outbox/{DEBTS}", data=b"x", headers={"X-Content-SHA256": sha(b"x")}, timeout=5
    )
    assert r.status_code == 401
    assert not list((emu.data_dir / "outbox").iterdir())


def test_token_expires_after_its_ttl(tmp_path: Path) -> None:
    with Emulator(tmp_path, token_ttl=0.3) as e:
        c = Client(e.url)
        assert c.http.get(f"{e.url}/inbox", headers=c.auth, timeout=5).status_code == 200
        time.sleep(0.4)
        assert c.http.get(f"{e.url}/inbox", headers=c.auth, timeout=5).status_code == 401
        c.login()
        assert c.http.get(f"{e.url}/inbox", headers=c.auth, timeout=5).status_code == 200
        c.close()


def test_expire_tokens_expires_every_token_issued_so_far(emu: Emulator, client: Client) -> None:
    other = Client(emu.url)
    emu.expire_tokens()
    for c in (client, other):
        assert c.http.get(f"{emu.url}/inbox", headers=c.auth, timeout=5).status_code == 401
    client.login()
    assert client.http.get(f"{emu.url}/inbox", headers=client.auth, timeout=5).status_code == 200
    other.close()


# ---------------------------------------------------------------------------- inbox


def _drop(emu: Emulator, name: str, data: bytes, mtime: float) -> None:
    path = emu.data_dir / "inbox" / name
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))


def test_inbox_lists_files_dropped_by_hand_oldest_first(emu: Emulator, client: Client) -> None:
    now = time.time()
    _drop(emu, "Payments_20261106_001.txt", example("Payments_20261106_001.txt"), now - 100)
    _drop(emu, "Readings_20261106_001.txt", example("Readings_20261106_001.txt"), now - 200)
    _drop(emu, "Ack_Debts_20261105_001.txt", b"b", now - 100)  # same mtime: by name
    _drop(emu, ".hidden", b"x", now - 300)
    _drop(emu, "Payments_20261106_002.txt.tmp", b"x", now - 300)
    (emu.data_dir / "inbox" / "folder").mkdir()
    listing = client.inbox()
    assert [e["name"] for e in listing] == [
        "Readings_20261106_001.txt",
        "Ack_Debts_20261105_001.txt",
        "Payments_20261106_001.txt",
    ]
    entry = listing[2]
    data = example("Payments_20261106_001.txt")
    assert entry == {"name": "Payments_20261106_001.txt", "size": len(data), "sha256": sha(data)}


def test_download_then_delete(emu: Emulator, client: Client) -> None:
    data = example("Payments_20261106_001.txt")
    _drop(emu, "Payments_20261106_001.txt", data, time.time())
    r = client.get("Payments_20261106_001.txt")
    assert r.status_code == 200
    assert r.content == data
    assert r.headers["X-Content-SHA256"] == sha(data)
    assert int(r.headers["Content-Length"]) == len(data)
    assert client.delete("Payments_20261106_001.txt").status_code == 204
    assert not (emu.data_dir / "inbox" / "Payments_20261106_001.txt").exists()
    assert client.names() == []
    assert client.get("Payments_20261106_001.txt").status_code == 404
    assert client.delete("Payments_20261106_001.txt").status_code == 404


def test_download_refuses_paths_outside_the_inbox(emu: Emulator, client: Client) -> None:
    (emu.data_dir / "state.json").write_text("{}")
    for name in ("..%2Fstate.json", "%2E%2E%2Fstate.json", ".hidden", "%00"):
        assert client.get(name).status_code == 404, name
        assert client.delete(name).status_code == 404, name
    assert (emu.data_dir / "state.json").exists()


def test_a_file_changed_by_hand_gets_its_new_sha(emu: Emulator, client: Client) -> None:
    _drop(emu, "Payments_20261106_001.txt", b"one", time.time() - 10)
    assert client.inbox()[0]["sha256"] == sha(b"one")
    _drop(emu, "Payments_20261106_001.txt", b"other", time.time())
    assert client.inbox()[0]["sha256"] == sha(b"other")
    assert client.get("Payments_20261106_001.txt").headers["X-Content-SHA256"] == sha(b"other")


# ---------------------------------------------------------------------------- upload


def test_upload_201_then_200_same_then_409_different(emu: Emulator, client: Client) -> None:
    data = example(DEBTS)
    r = client.put(DEBTS, data)
    assert r.status_code == 201, r.text
    stored = emu.data_dir / "outbox" / DEBTS
    assert stored.read_bytes() == data
    assert client.put(DEBTS, data).status_code == 200
    assert client.put(DEBTS, data + b"x").status_code == 409
    assert stored.read_bytes() == data
    assert sorted(p.name for p in (emu.data_dir / "outbox").iterdir()) == [DEBTS]


def test_upload_percent_encoded_name(emu: Emulator, client: Client) -> None:
    r = client.put("Services%5F20261105%5F001.txt", example("Services_20261105_001.txt"))
    assert r.status_code == 201
    assert (emu.data_dir / "outbox" / "Services_20261105_001.txt").exists()


def test_upload_invalid_name_is_422(emu: Emulator, client: Client) -> None:
    for name in (
        "readme.txt",
        "Debts_20261305_001.txt",  # no 13th month
        "Debts_20261105_000.txt",
        "Debts_20261105_1.txt",
        "..%2FDebts_20261105_001.txt",
        "Debts_20261105_001.txt%00",
        "Payments_20261106_001.txt",  # the service sends those, the client does not
        "Ack_Debts_20261105_001.txt",
        "%FF%FE",
    ):
        r = client.put(name, b"data")
        assert r.status_code == 422, name
    assert list((emu.data_dir / "outbox").iterdir()) == []
    assert not (emu.data_dir / "Debts_20261105_001.txt").exists()


def test_upload_checksum_mismatch_is_400_and_stores_nothing(emu: Emulator, client: Client) -> None:
    data = example(DEBTS)
    assert client.put(DEBTS, data, digest=sha(b"other")).status_code == 400
    assert client.put(DEBTS, data, digest="not-a-sha").status_code == 400
    r = client.http.put(f"{emu.url}/outbox/{DEBTS}", data=data, headers=client.auth, timeout=5)
    assert r.status_code == 400  # no X-Content-SHA256 at all
    assert list((emu.data_dir / "outbox").iterdir()) == []
    assert client.names() == []  # and no answer
    assert client.put(DEBTS, data).status_code == 201  # the connection is still usable


def test_upload_chunked_body(emu: Emulator, client: Client) -> None:
    data = example(DEBTS)

    def body() -> Iterator[bytes]:
        yield data[:100]
        yield data[100:]

    headers = {**client.auth, "X-Content-SHA256": sha(data)}
    r = client.http.put(f"{emu.url}/outbox/{DEBTS}", data=body(), headers=headers, timeout=5)
    assert r.status_code == 201
    assert (emu.data_dir / "outbox" / DEBTS).read_bytes() == data


def test_keep_alive_serves_several_calls_on_one_connection(emu: Emulator, client: Client) -> None:
    host, port = "127.0.0.1", emu.port
    conn = http.client.HTTPConnection(host, port, timeout=5)
    conn.request("POST", "/api/v1/login", body=b'{"login": "demo", "password": "demo"}')
    r = conn.getresponse()
    token = __import__("json").loads(r.read())["token"]
    sock = conn.sock
    for _ in range(3):
        conn.request("GET", "/api/v1/inbox", headers={"Authorization": f"Bearer {token}"})
        r = conn.getresponse()
        assert r.status == 200 and r.read() == b"[]"
        assert conn.sock is sock
    conn.close()


def test_unknown_path_and_method(emu: Emulator, client: Client) -> None:
    assert client.http.get(f"{emu.url}/nothing", headers=client.auth, timeout=5).status_code == 404
    assert client.http.get(f"http://127.0.0.1:{emu.port}/", timeout=5).status_code == 404
    r = client.http.post(f"{emu.url}/inbox", headers=client.auth, timeout=5)
    assert r.status_code == 405


def test_restart_keeps_the_state_and_stop_closes_connections(tmp_path: Path) -> None:
    e = Emulator(tmp_path, seed=3)
    e.start()
    c = Client(e.url)
    assert c.put(DEBTS, example(DEBTS)).status_code == 201
    e.stop()
    try:
        c.http.get(f"{e.url}/inbox", headers=c.auth, timeout=2)
        raise AssertionError("a stopped emulator answered")
    except requests.ConnectionError:
        pass
    c.close()
    e2 = Emulator(tmp_path, port=0, seed=3)
    with e2:
        c2 = Client(e2.url)
        assert c2.put(DEBTS, example(DEBTS)).status_code == 200
        assert "Ack_" + DEBTS in c2.names()
        c2.close()
