"""`trayapp settings forget-passwords` (trayapp/forget.py): what the Windows uninstaller's
«Удалить также мои данные» runs, so that Credential Manager keeps nothing of ours."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from trayapp import settings as st
from trayapp.cli import main
from trayapp.paths import AppPaths


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.store[(service, username)]


@pytest.fixture()
def kr() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    k = MemoryKeyring()
    keyring.set_keyring(k)
    yield k
    keyring.set_keyring(before)


def test_forget_passwords_removes_ours_and_nothing_else(
    kr: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRAYAPP_HOME", str(tmp_path / "home"))
    paths = AppPaths.resolve(None)
    db = "postgresql://тсж@127.0.0.1:5432/accounts?sslmode=disable"
    st.save(paths, replace(st.Settings(), server_url="https://moischeta.example/api",
                           login="тсж-1", database=db))  # fmt: skip
    st.set_password("https://moischeta.example/api", "тсж-1", "секрет")
    kr.set_password(st.KEYRING_SERVICE, "тсж-1", "старый")  # stored by a version before 0.2
    st.set_db_password(db, "pg-секрет")
    kr.set_password("other-program", "тсж-1", "чужой")
    assert len(kr.store) == 4
    assert main(["settings", "forget-passwords"]) == 0
    assert kr.store == {("other-program", "тсж-1"): "чужой"}
    assert "удалено сохранённых паролей: 3" in capsys.readouterr().out
    # a second run finds nothing and is no error
    assert main(["settings", "forget-passwords"]) == 0
    assert "удалено сохранённых паролей: 0" in capsys.readouterr().out
