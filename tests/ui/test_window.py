"""The real Tk window under X: generation, exchange against the emulator, acceptance, settings.

Buttons are pressed with ``widget.invoke()`` and the Tk loop is pumped until the worker's
result arrives; the files, the database and the emulator are real.
"""

from __future__ import annotations

import json
import re
import tkinter as tk
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from trayapp import settings as st
from trayapp.app import App
from trayapp.core import values as v
from trayapp.core.demo import DemoInfo
from trayapp.core.folders import ExchangeTree
from trayapp.emulator.server import Emulator
from trayapp.errors import ServerError
from trayapp.ui.backend import Backend
from trayapp.ui.common import NO_EXCHANGE
from trayapp.ui.window import MainWindow

from .conftest import TODAY, RecordingDialogs, pump


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture()
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    yield kr
    keyring.set_keyring(before)


@pytest.fixture()
def no_keyring() -> Iterator[None]:
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(before)


def configure(home: Path, **values: str) -> None:
    app = App.create(home)
    s = app.settings
    for key, value in {"coding": "GOROD", **values}.items():
        s = st.set_value(s, key, value)
    app.save_settings(s)


@pytest.fixture()
def emulator(tmp_path: Path, info: DemoInfo) -> Iterator[Emulator]:
    with Emulator(tmp_path / "emulator", org=info.inn, seed=1) as em:
        yield em


def make_window(root: tk.Tk, home: Path, password: str | None = "demo"
                ) -> tuple[MainWindow, RecordingDialogs]:  # fmt: skip
    dialogs = RecordingDialogs()
    win = MainWindow(root, Backend(str(home), password), dialogs, today=lambda: TODAY)  # type: ignore[arg-type]
    pump(root, lambda: win.snapshot is not None)
    return win, dialogs


def tree(home: Path) -> ExchangeTree:
    return ExchangeTree(App.create(home).settings.exchange_folder(App.create(home).paths))


def test_generate_debts(root: tk.Tk, home: Path, info: DemoInfo) -> None:
    configure(home)
    win, dialogs = make_window(root, home)
    assert not win.in_settings_mode()
    assert win.status_var.get() == NO_EXCHANGE
    assert win.month_var.get() == v.format_month(info.billing_period)  # latest accruals
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: win.last_generated is not None)
    made = sorted(p.name for p in tree(home).outgoing.iterdir())
    assert made == ["Debts_20261120_001.txt"]
    text = win.gen_result_var.get()
    assert "Сформирован Debts_20261120_001.txt" in text
    assert f"месяц {v.format_month(info.billing_period)}" in text
    assert dialogs.shown == []
    # a bad month is refused with a message, nothing written
    win.month_var.set("13.2026")
    win.gen_buttons["debts"].invoke()
    assert dialogs.shown and dialogs.shown[-1][1] == "Месяц начислений"
    assert len(list(tree(home).outgoing.iterdir())) == 1


def test_exchange_and_accept(root: tk.Tk, home: Path, emulator: Emulator) -> None:
    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home)
    for kind in ("services", "debts"):
        win.gen_buttons[kind].invoke()
    pump(root, lambda: not win.worker.busy())
    states: list[str] = []
    win.on_state = lambda s: states.append(s.state)
    win.logo_button.invoke()
    assert win.state == "exchanging" and str(win.logo_button.cget("state")) == "disabled"
    pump(root, lambda: win.last_exchange is not None)
    r = win.last_exchange.result  # type: ignore[union-attr]
    assert dialogs.shown == [] and r.sent == 2 and r.pending >= 1
    status = win.status_var.get()
    m = re.fullmatch(r"Отправлено (\d+), принято (\d+), ждут приёма (\d+) \(обмен .+\)", status)
    assert m, status
    assert (int(m[1]), int(m[2]), int(m[3])) == (2, r.received, r.pending)
    # registries wait to be accepted: «attention», with the session's counts on the badge
    assert states[0] == "exchanging" and states[-1] == "attention"
    assert win.counts() == (2, r.received)
    pending = win.pending_tree.get_children()
    assert len(pending) == r.pending
    payments = [i for i in pending if str(i).startswith("Payments_")]
    assert payments
    row = win.pending_tree.item(payments[0], "values")
    assert row[1] == "оплаты" and re.fullmatch(r"\d+\.\d\d", row[5])
    assert any("принят сервисом" in t for t in win.event_texts())

    win.pending_tree.selection_set(payments[0])
    root.update()
    win.accept_button.invoke()
    pump(root, lambda: win.last_accepted is not None)
    assert [d[0] for d in dialogs.shown] == ["ask"]  # no bank statement: asked once more
    t = tree(home)
    assert (t.incoming_done / payments[0]).is_file()
    assert not (t.incoming / payments[0]).exists()
    assert (t.outgoing / f"Ack_{payments[0]}").is_file()
    assert f"Принят {payments[0]}" in win.accept_result_var.get()
    pump(root, lambda: not win.pending_tree.exists(payments[0]))
    assert str(win.report_button.cget("state")) == "normal"
    assert win.report_path is not None and win.report_path.is_file()


def test_exchange_failure_is_shown(root: tk.Tk, home: Path, emulator: Emulator) -> None:
    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home, password="wrong")
    win.logo_button.invoke()
    pump(root, lambda: dialogs.shown)
    kind, title, message = dialogs.shown[0]
    assert kind == "error" and title == "Вход в «Мои счета»" and "Traceback" not in message
    pump(root, lambda: "не завершён" in win.status_var.get())
    assert win.state == "error"
    assert any(message in t for t in win.event_texts())
    # a server that cannot be reached is «offline», not an error of ours
    win._exchange_failed(False)(ServerError("сервер «Мои счета» недоступен"))
    assert win.state == "offline"


def test_first_start_and_settings(root: tk.Tk, home: Path, memory_keyring: MemoryKeyring
                                  ) -> None:  # fmt: skip
    settings_file = home / "settings.json"
    assert not settings_file.exists()
    win, dialogs = make_window(root, home, password=None)
    assert win.first_start and win.in_settings_mode()
    form = win.settings_form
    # a bad server URL: a message, nothing saved
    form.url_var.set("http://example.com/api/v1")
    form.save_button.invoke()
    pump(root, lambda: dialogs.shown)
    assert dialogs.shown[0][1] == "Настройки" and "https" in dialogs.shown[0][2]
    assert not settings_file.exists()
    # good values
    dialogs.shown.clear()
    form.coding_buttons["SBER"].invoke()
    dialogs.folder = str(home / "обмен")
    form.choose_button.invoke()
    form.url_var.set("https://moischeta.example/api/v1")
    form.login_var.set("tsj")
    form.password_var.set("секрет")
    form.verbose_check.invoke()
    form.save_button.invoke()
    pump(root, lambda: settings_file.exists() and not win.worker.busy())
    assert dialogs.shown == []
    data = json.loads(settings_file.read_text(encoding="utf-8"))
    assert data["coding"] == "SBER" and data["login"] == "tsj" and data["verbose"] is True
    assert data["server_url"] == "https://moischeta.example/api/v1"
    assert Path(data["folder"]) == (home / "обмен").resolve()
    assert "секрет" not in settings_file.read_text(encoding="utf-8")
    assert memory_keyring.store[(st.KEYRING_SERVICE, "tsj")] == "секрет"
    assert form.password_var.get() == ""
    # the logo leaves settings mode (as the manual says) instead of exchanging
    win.logo_button.invoke()
    assert not win.in_settings_mode() and not win.worker.busy("exchange")


def test_password_without_keyring(root: tk.Tk, home: Path, no_keyring: None) -> None:
    win, dialogs = make_window(root, home, password=None)
    win.settings_form.login_var.set("tsj")
    win.settings_form.password_var.set("x")
    win.settings_form.save_button.invoke()
    pump(root, lambda: dialogs.shown)
    assert dialogs.shown[0][1] == "Пароль" and dialogs.shown[0][2] == st.NO_KEYRING
    assert (home / "settings.json").is_file()  # the rest is saved


def test_second_window_mode_not_first_start(root: tk.Tk, home: Path) -> None:
    configure(home)
    win, _ = make_window(root, home)
    assert not win.first_start and not win.in_settings_mode()
    assert win.settings_form.coding_var.get() == "GOROD"


def test_quit_button_calls_the_tray_quit(root: tk.Tk, home: Path) -> None:
    configure(home)
    win, _ = make_window(root, home)
    called: list[int] = []
    win.on_quit = lambda: called.append(1)
    win.quit_button.invoke()
    assert called == [1]
