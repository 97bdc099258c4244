"""Helpers of the emulator tests: the example files and a thin client of protocol.md."""

from __future__ import annotations

import hashlib
from pathlib import Path

import requests

DATA = Path(__file__).parent / "data"
ORG = "5401000001"


def example(name: str) -> bytes:
    """One of the example files of spec/examples (copied here, cp1251)."""
    return (DATA / name).read_bytes()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Client:
    """A thin client of protocol.md over ``requests``, for the tests."""

    def __init__(self, url: str, login: str = "demo", password: str = "demo") -> None:
        self.url = url
        self.http = requests.Session()
        self.token = ""
        self.login(login, password)

    def login(self, login: str = "demo", password: str = "demo") -> requests.Response:
        r = self.http.post(
            f"{self.url}/login", json={"login": login, "password": password}, timeout=10
        )
        if r.status_code == 200:
            self.token = r.json()["token"]
        return r

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def inbox(self) -> list[dict[str, object]]:
        r = self.http.get(f"{self.url}/inbox", headers=self.auth, timeout=10)
        assert r.status_code == 200, r.text
        result: list[dict[str, object]] = r.json()
        return result

    def names(self) -> list[str]:
        return [str(e["name"]) for e in self.inbox()]

    def get(self, name: str) -> requests.Response:
        return self.http.get(f"{self.url}/inbox/{name}", headers=self.auth, timeout=10)

    def delete(self, name: str) -> requests.Response:
        return self.http.delete(f"{self.url}/inbox/{name}", headers=self.auth, timeout=10)

    def put(self, name: str, data: bytes, digest: str | None = None) -> requests.Response:
        headers = {**self.auth, "X-Content-SHA256": digest or sha(data)}
        return self.http.put(f"{self.url}/outbox/{name}", data=data, headers=headers, timeout=30)

    def close(self) -> None:
        self.http.close()
