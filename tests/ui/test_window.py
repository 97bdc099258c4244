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
from trayapp.ui.common import NO_EXCHANGE, money
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
    win.opened = []  # type: ignore[attr-defined]
    win.opener = win.opened.append  # type: ignore[attr-defined]  # what would open, recorded
    pump(root, lambda: win.snapshot is not None)
    return win, dialogs


def accept_pending(root: tk.Tk, win: MainWindow, prefix: str) -> None:
    """Select the pending registry whose name starts with ``prefix`` and accept it (the
    dialogs answer yes); returns when it is accepted."""
    name = next(str(i) for i in win.pending_tree.get_children() if str(i).startswith(prefix))
    win.pending_tree.selection_set(name)
    root.update()
    win.last_accepted = None
    win.accept_button.invoke()
    pump(root, lambda: win.last_accepted is not None and not win.worker.busy())


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
    assert row[1] == "оплаты" and re.fullmatch(r"\d{1,3}(\u00a0\d{3})*,\d\d", row[5])  # 596 799,34
    assert any("принят сервисом" in t for t in win.event_texts())
    assert win.theme == "clam"  # the native-looking ttk theme off Windows and macOS
    # «События»: a double click opens the file the event names
    ok = next(i for i in win.events_tree.get_children()
              if "принят сервисом" in str(win.events_tree.item(i, "values")[1]))  # fmt: skip
    win.events_tree.selection_set(ok)
    root.update()
    assert "принят сервисом" in win.event_detail_var.get()  # the whole text, wrapped, below
    win.open_event_file()
    assert win.opened and win.opened[-1].name in str(win.events_tree.item(ok, "values")[1])  # type: ignore[attr-defined]
    win.opened.clear()  # type: ignore[attr-defined]

    win.pending_tree.selection_set(payments[0])
    root.update()
    win.accept_button.invoke()
    pump(root, lambda: win.last_accepted is not None)
    # before accepting: the count, the sum, sums per service, and «сверьте с банком»; with
    # no bank statement ever loaded nothing was checked: no second question (issue 17, item 7)
    assert [d[0] for d in dialogs.shown] == ["confirm"]
    _, title, text = dialogs.shown[0]
    assert title == "Приём реестра" and payments[0] in text and "Сверьте с банком" in text
    assert f"Платежей: {win.last_accepted.rows}, на сумму {row[5]}\u00a0₽" in text  # type: ignore[union-attr]
    # services named (no bare code, no «—»), and the sums per provider
    assert "По услугам (по кодам «Города»):" in text and "По поставщикам:" in text
    assert " — " not in text and "ИНН " in text
    # after accepting the report opens (the manual: «на экран выводится отчёт»)
    assert win.opened == [win.last_accepted.report]  # type: ignore[attr-defined,union-attr]
    t = tree(home)
    assert (t.incoming_done / payments[0]).is_file()
    assert not (t.incoming / payments[0]).exists()
    assert (t.outgoing / f"Ack_{payments[0]}").is_file()
    assert f"Принят {payments[0]}" in win.accept_result_var.get()
    pump(root, lambda: not win.pending_tree.exists(payments[0]))
    assert str(win.report_button.cget("state")) == "normal"
    assert win.report_path is not None and win.report_path.is_file()
    # the report again, as .xlsx
    win.xlsx_button.invoke()
    pump(root, lambda: len(win.opened) == 2)  # type: ignore[attr-defined]
    assert win.opened[1].suffix == ".xlsx" and win.opened[1].is_file()  # type: ignore[attr-defined]
    # export of the accepted payments for the billing program («Данные»)
    dialogs.save_as = str(home.parent / "оплаты для 1С.csv")
    win.data_panel.export_buttons["payments"].invoke()
    pump(root, lambda: win.data_panel.export_var.get().startswith("Выгружено"))
    exported = (home.parent / "оплаты для 1С.csv").read_text(encoding="utf-8-sig")
    assert len(exported.strip().splitlines()) == win.last_accepted.rows + 1  # type: ignore[union-attr]


def test_an_event_opens_documents_only(root: tk.Tk, home: Path, tmp_path: Path) -> None:
    """An event may quote the server's words: a program named there is never started."""
    win, _ = make_window(root, home)
    program, table = tmp_path / "setup.exe", tmp_path / "Оплаты_11.2026.csv"
    program.write_bytes(b"MZ")
    table.write_text("id;sum\n", encoding="utf-8")
    for path, opened in ((program, []), (table, [table])):
        win._add_local_event(f"отказ: «{path}»")
        row = next(i for i in win.events_tree.get_children()
                   if str(path) in win._event_text.get(str(i), ""))  # fmt: skip
        win.events_tree.selection_set(row)
        root.update()
        assert str(path) in win.event_detail_var.get()
        win.opened.clear()  # type: ignore[attr-defined]
        win.open_event_file()
        assert win.opened == opened  # type: ignore[attr-defined]
    win.close()


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
    key = st.password_key("https://moischeta.example/api/v1", "tsj")  # server and login
    assert memory_keyring.store[(st.KEYRING_SERVICE, key)] == "секрет"
    assert form.password_var.get() == ""
    # the logo leaves settings mode (as the manual says) instead of exchanging
    win.logo_button.invoke()
    assert not win.in_settings_mode() and not win.worker.busy("exchange")


def test_password_without_keyring(root: tk.Tk, home: Path, no_keyring: None,
                                  emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.delenv("TRAYAPP_PASSWORD", raising=False)
    configure(home, server_url=emulator.url)
    win, dialogs = make_window(root, home, password=None)
    win.settings_form.login_var.set("demo")
    win.settings_form.password_var.set("demo")
    # the form says where the password goes before anything is saved (issue 17, item 4)
    assert "только в памяти" in str(win.settings_form.password_hint.cget("text"))
    win.settings_form.save_button.invoke()
    pump(root, lambda: "Настройки сохранены" in win.message_var.get())
    assert "только в памяти" in win.message_var.get()  # saying why, in the footer
    assert dialogs.shown == []  # no modal box at «Сохранить»
    saved = (home / "settings.json").read_text("utf-8")
    assert "password" not in saved and saved.count('"demo"') == 1  # the login only
    # the exchange uses the password kept in memory: no TRAYAPP_PASSWORD, no question
    win.work_mode()
    win.logo_button.invoke()
    pump(root, lambda: win.last_exchange is not None or len(dialogs.shown) > 0)
    assert win.last_exchange is not None and len(dialogs.shown) == 0

    # after a restart (a new window, nothing in memory) the exchange asks for it
    root2 = tk.Toplevel(root)
    win2 = MainWindow(root2, Backend(str(home), None), dialogs, today=lambda: TODAY)  # type: ignore[arg-type]
    pump(root, lambda: win2.snapshot is not None)
    dialogs.password = None  # «Отмена»: the error is shown, nothing else
    win2.exchange()
    pump(root, lambda: len(dialogs.shown) >= 2)
    assert [k for k, _, _ in dialogs.shown[0:2]] == ["password", "error"]
    assert win2.last_exchange is None
    dialogs.password = "demo"
    win2.exchange()
    pump(root, lambda: win2.last_exchange is not None, 60)
    assert dialogs.shown[2][0] == "password" and "только в памяти" in dialogs.shown[2][2]
    assert win2.backend.password == "demo"
    win2.close()


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


def test_load_billing_files_from_the_window(root: tk.Tk, home: Path, tmp_path: Path) -> None:
    configure(home)
    win, dialogs = make_window(root, home)
    good = tmp_path / "Лицевые счета.csv"  # the kind from the name
    good.write_text("account;full_name;street;house;premise\n"
                    "990001;Новиков Н.Н.;ул. Новая;1;5\n", encoding="utf-8")  # fmt: skip
    bad = tmp_path / "выгрузка.csv"  # the kind from the header: accruals
    bad.write_text("account;service_code;period;amount\n990001;1;10.2026;100,00\n"
                   "NO-SUCH;1;10.2026;5,00\n990001;1;10.2026;abc\n", encoding="utf-8")  # fmt: skip
    other = tmp_path / "заметки.csv"
    other.write_text("что;где\n1;2\n", encoding="utf-8")
    dialogs.files = [str(bad), str(other), str(good)]
    win.data_panel.files_button.invoke()
    pump(root, lambda: bool(win.data_panel.loading.plans) and not win.worker.busy())
    win.data_panel.loading.load_button.invoke()  # after the preview
    pump(root, lambda: win.data_panel.loaded is not None)
    panel = win.data_panel
    rows = {panel.files_tree.item(i, "values")[0]: panel.files_tree.item(i, "values")
            for i in panel.files_tree.get_children()}  # fmt: skip
    assert rows[good.name][1] == "лицевые счета" and "загружено строк 1" in rows[good.name][4]
    assert rows[bad.name][1] == "начисления" and "не загружен" in rows[bad.name][4]
    assert rows[other.name][1] == "не распознан"
    errors = [panel.errors_tree.item(i, "values") for i in panel.errors_tree.get_children()]
    lines = sorted(str(e[1]) for e in errors if e[0] == bad.name)
    assert lines == ["3", "4"], errors  # every bad row, by its line
    # the accounts came first, so accruals could refer to them; the bad file loaded nothing
    app = App.create(home)
    try:
        assert app.db.scalar("SELECT COUNT(*) FROM accounts WHERE number = '990001'") == 1
    finally:
        app.close()


def test_month_button_and_a_second_debts_registry(root: tk.Tk, home: Path, info: DemoInfo
                                                  ) -> None:  # fmt: skip
    configure(home)
    win, dialogs = make_window(root, home)
    title = str(win.month_button.cget("text"))
    assert re.fullmatch(r"(Январь|Февраль|Март|Апрель|Май|Июнь|Июль|Август|Сентябрь|Октябрь|"
                        r"Ноябрь|Декабрь) 20\d\d г\.", title), title  # fmt: skip
    first, last = info.first_period, info.billing_period  # the demo's months with accruals
    months = (last // 100 - first // 100) * 12 + last % 100 - first % 100 + 1
    assert win.month_menu.index("end") == months - 1  # those months only, none else
    win.month_menu.invoke(2)
    assert str(win.month_button.cget("text")) != title
    win.month_var.set(v.format_month(info.billing_period))
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: win.last_generated is not None and not win.worker.busy())
    first = win.last_generated.file.name  # type: ignore[union-attr]
    assert str(win.show_file_button.cget("state")) == "normal"
    win.show_file_button.invoke()
    assert win.opened == [win.last_generated.file]  # type: ignore[attr-defined,union-attr]
    # a second Debts for the month while the first still waits: asked; «Нет» writes nothing
    dialogs.answer = False
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: not win.worker.busy())
    assert dialogs.shown[-1][0] == "ask" and first in dialogs.shown[-1][2]
    assert sorted(p.name for p in tree(home).outgoing.iterdir()) == [first]
    # «Да» replaces it: one Debts registry waits, the new one
    dialogs.answer = True
    before = (tree(home).outgoing / first).stat().st_mtime_ns
    win.last_generated = None
    win.gen_buttons["debts"].invoke()
    pump(root, lambda: win.last_generated is not None and not win.worker.busy())
    names = sorted(p.name for p in tree(home).outgoing.iterdir())
    assert names == [win.last_generated.file.name]  # type: ignore[union-attr]
    assert (tree(home).outgoing / names[0]).stat().st_mtime_ns != before  # a new file
    assert win.snapshot is not None and "Debts_" in win.details_var.get()


def test_progress_while_a_job_runs_and_a_steady_footer(root: tk.Tk, home: Path) -> None:
    import threading

    configure(home)
    win, _ = make_window(root, home)
    root.update()
    height = win.message_label.master.winfo_height()
    assert height > 40
    release = threading.Event()
    win.worker.submit("generate:debts", lambda: release.wait(20), lambda _r: None,
                      lambda _e: None)  # fmt: skip
    pump(root, lambda: win.step_var.get().startswith("Формирование реестра"))
    assert str(win.progress.cget("mode")) == "indeterminate" and win._progress_on
    win.message_var.set("Очень длинное сообщение. " * 40)  # many lines' worth
    root.update()
    assert win.message_label.master.winfo_height() == height  # the layout does not jump
    release.set()
    pump(root, lambda: win.step_var.get() == "" and not win._progress_on)


def test_sizes_follow_the_scaling(root: tk.Tk, home: Path) -> None:
    """At 150 % (Tk scaling 2.0) columns, wrap lengths and rows grow: nothing is cut."""
    configure(home)
    root.tk.call("tk", "scaling", 4 / 3)
    small, _ = make_window(root, home)
    from trayapp.ui.desktop import NATURAL  # the widths before a narrow screen took any

    width_100 = (NATURAL.get(small.pending_tree)
                 or {"date": int(small.pending_tree.column("date", "width"))})["date"]
    small.close()
    for child in root.winfo_children():
        child.destroy()
    root.tk.call("tk", "scaling", 2.0)
    big, _ = make_window(root, home)
    assert big.scale == pytest.approx(1.5, abs=0.01)

    widths = NATURAL.get(big.pending_tree) or {"date": int(big.pending_tree.column("date",
                                                                                  "width"))}
    assert widths["date"] == int(width_100 * big.scale)
    from tkinter import font as tkfont

    line = tkfont.nametofont("TkDefaultFont", root=root).metrics("linespace")
    assert int(ttk_style(root).lookup("Treeview", "rowheight")) > line  # type: ignore[attr-defined]
    big.close()


def ttk_style(root: tk.Misc) -> object:
    from tkinter import ttk

    return ttk.Style(root)


def test_changing_the_coding_warns(root: tk.Tk, home: Path) -> None:
    configure(home)  # GOROD
    win, dialogs = make_window(root, home)
    win.generate("debts")
    pump(root, lambda: win.last_generated is not None and not win.worker.busy())
    form = win.settings_form
    form.coding_var.set("SBER")
    dialogs.answer = False  # «Нет»: nothing saved
    form.save_button.invoke()
    root.update()
    kind, title, text = dialogs.shown[-1]
    assert kind == "ask" and title == "Смена кодирования"
    assert "«Услуги» заново" in text and win.last_generated.file.name in text  # type: ignore[union-attr]
    assert App.create(home).settings.coding == "GOROD"
    dialogs.answer = True
    form.save_button.invoke()
    pump(root, lambda: win.coding == "SBER")
    assert App.create(home).settings.coding == "SBER"
    # the same coding again: no question
    asked = len(dialogs.shown)
    form.save_button.invoke()
    pump(root, lambda: not win.worker.busy())
    assert len([d for d in dialogs.shown[asked:] if d[0] == "ask"]) == 0


def test_closed_accounts_that_owe_are_named_after_debts(root: tk.Tk, home: Path,
                                                        info: DemoInfo) -> None:  # fmt: skip
    from trayapp.core import formats

    configure(home, coding="ACCOUNT")  # one line per account: its whole debt, nothing skipped
    win, dialogs = make_window(root, home)
    win.month_var.set(v.format_month(info.billing_period))
    win.generate("debts")
    pump(root, lambda: win.last_generated is not None and not win.worker.busy())
    made = win.last_generated.file  # type: ignore[union-attr]
    registry = formats.parse(made.read_bytes(), name=made.name, org=info.inn, coding="ACCOUNT")
    owed: dict[str, int] = {}
    for r in registry.rows:
        owed[r.account] = owed.get(r.account, 0) + r.debt  # type: ignore[union-attr]
    number, debt = max(owed.items(), key=lambda kv: kv[1])
    assert debt > 0 and "Закрытые" not in win.gen_result_var.get()
    year, month = divmod(info.billing_period, 100)
    app = App.create(home)  # the account closed before the billing month
    with app.db.transaction():
        app.db.execute("UPDATE accounts SET closed = ? WHERE number = ?",
                       (f"{year}-{month:02d}-01" if month > 1 else f"{year}-01-01", number))  # fmt: skip
    app.db.execute("UPDATE accounts SET closed = date(closed, '-1 day') WHERE number = ?",
                   (number,))  # fmt: skip
    app.close()
    win.last_generated = None
    win.generate("debts")  # replaces the one waiting (dialogs answer yes)
    pump(root, lambda: win.last_generated is not None and not win.worker.busy())
    text = win.gen_result_var.get()
    assert (f"Закрытые лицевые счета с долгом в реестр не вошли (так по правилам): 1 счёт на "
            f"сумму {money(debt)}\u00a0₽") in text, text  # fmt: skip
    again = win.last_generated.file  # type: ignore[union-attr]
    rows = formats.parse(again.read_bytes(), name=again.name, org=info.inn, coding="ACCOUNT").rows
    assert all(r.account != number for r in rows)  # type: ignore[union-attr]


def test_readings_accepted_then_posted_from_the_window(root: tk.Tk, home: Path,
                                                       emulator: Emulator) -> None:  # fmt: skip
    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home)
    for kind in ("services", "debts", "meters"):
        win.gen_buttons[kind].invoke()
    pump(root, lambda: not win.worker.busy())
    win.logo_button.invoke()
    pump(root, lambda: win.last_exchange is not None and not win.worker.busy(), 60)
    readings = [str(i) for i in win.pending_tree.get_children() if str(i).startswith("Readings_")]
    assert readings
    win.pending_tree.selection_set(readings[0])
    root.update()
    win.accept_button.invoke()
    pump(root, lambda: win.last_accepted is not None and not win.worker.busy())
    document = win.last_accepted.document  # type: ignore[union-attr]
    assert "на вкладке «Данные»" in win.accept_result_var.get()
    pump(root, lambda: win.data_panel.post_tree.exists(document))
    assert "не проведены документы показаний" in win.details_var.get() and document in (
        win.details_var.get())  # fmt: skip
    win.data_panel.post_tree.selection_set(document)
    win.data_panel.post_button.invoke()
    pump(root, lambda: "проведён" in win.data_panel.post_var.get())
    pump(root, lambda: not win.data_panel.post_tree.exists(document) and not win.worker.busy())
    assert "не проведены" not in win.details_var.get()
    assert str(win.data_panel.post_button.cget("state")) == "disabled"
