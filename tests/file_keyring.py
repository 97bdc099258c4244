"""A keyring backend that keeps its entries in a JSON file (``TRAYAPP_TEST_KEYRING``).

A real backend as keyring loads one (``PYTHON_KEYRING_BACKEND=tests.file_keyring.FileKeyring``)
in the processes a test starts, so that what one process stores another reads, and the test
can look into the file. For tests only: the file holds the passwords in clear.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @staticmethod
    def file() -> Path:
        return Path(os.environ["TRAYAPP_TEST_KEYRING"])

    def entries(self) -> dict[str, str]:
        f = self.file()
        data: dict[str, str] = json.loads(f.read_text("utf-8")) if f.exists() else {}
        return data

    def _write(self, data: dict[str, str]) -> None:
        self.file().write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries().get(f"{service}\t{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self.entries()
        data[f"{service}\t{username}"] = password
        self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self.entries()
        data.pop(f"{service}\t{username}", None)
        self._write(data)
