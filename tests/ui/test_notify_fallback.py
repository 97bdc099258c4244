"""A notification the system would drop (Windows: turned off for the app) goes to the balloon
instead, and the Windows app ID has no spaces (issue 20, item 18). The WinRT toast and the
AppUserModelId key are seen only on Windows; the uninstaller's removal of that key is in
installer/windows/trayapp.nsi (AUMID, the same ID)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from trayapp.ui.notify import APP_ID, Notifier


class Refusing:
    def __init__(self, allowed: bool) -> None:
        self.allowed = allowed
        self.sent: list[str] = []

    def has_authorisation(self) -> bool:
        return self.allowed

    def send(self, title: str, message: str) -> None:
        self.sent.append(title)  # a toast switched off goes nowhere, without an error


def shown_by(allowed: bool) -> tuple[list[str], list[str]]:
    fake = Refusing(allowed)
    balloons: list[str] = []
    n = Notifier(fallback=lambda t, m: balloons.append(t), factory=lambda: fake)
    n.send("Мои счета", "Реестр отклонён")
    deadline = time.monotonic() + 5
    while n.shown == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    n.close()
    return fake.sent, balloons


def test_a_notification_turned_off_goes_to_the_balloon() -> None:
    assert shown_by(False) == ([], ["Мои счета"])


def test_an_allowed_notification_is_a_toast_only() -> None:
    assert shown_by(True) == (["Мои счета"], [])


def test_the_app_id_is_one_the_uninstaller_removes() -> None:
    assert re.fullmatch(r"[A-Za-z0-9.]+", APP_ID)  # an AppUserModelID: no spaces
    nsi = (Path(__file__).parents[2] / "installer/windows/trayapp.nsi").read_text("utf-8-sig")
    assert f'!define AUMID "{APP_ID}"' in nsi
    assert 'DeleteRegKey HKCU "${AUMID_KEY}\\${AUMID}"' in nsi
