"""«События» lists the accountant's own work, done from the command line or in the window:
loads, generations, sessions, acceptances, postings and exports, each with its figures, and
a double click opens the file the event names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tkinter as tk
from pathlib import Path
from typing import Any

from trayapp.core import formats
from trayapp.core import values as v
from trayapp.core.demo import DemoInfo
from trayapp.emulator.server import Emulator

from .conftest import RecordingDialogs, pump
from .test_window import accept_pending, configure, emulator, make_window, tree  # noqa: F401

PROVIDERS = "inn;name;bank_account;bik\n5401999999;ООО «Лифт-Сервис»;40702810000000000099;045004774\n"
NBSP = "\u00a0"


def cli(home: Path, *args: str) -> Any:
    env = dict(os.environ, TRAYAPP_PASSWORD="demo",
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")  # fmt: skip
    env.pop("TRAYAPP_HOME", None)
    r = subprocess.run([sys.executable, "-m", "trayapp", "--home", str(home), "--json", *args],
                       capture_output=True, text=True, env=env, timeout=180)  # fmt: skip
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def accounts_in(path: Path, inn: str) -> int:
    """Accounts with a line in a registry, read from the file itself."""
    reg = formats.parse(path.read_bytes(), name=path.name, org=inn, coding="GOROD")
    return len({r.account for r in reg.rows})  # type: ignore[union-attr]


def rubles(text: str) -> str:
    """``1234.50`` of the JSON as the event writes it: ``1 234,50 ₽``."""
    return v.format_money(v.parse_amount(text) or 0) + NBSP + "₽"


def find(texts: list[str], start: str) -> str:
    found = [t for t in texts if t.startswith(start)]
    assert len(found) == 1, (start, texts)
    return found[0]


def open_event(win: Any, text: str) -> Path:
    row = next(i for i in win.events_tree.get_children() if win._event_text[str(i)] == text)
    win.events_tree.selection_set(row)
    win.opened.clear()
    win.open_event_file()
    assert len(win.opened) == 1, text
    return Path(win.opened[0])


def test_command_line_work_is_in_the_events(root: tk.Tk, home: Path, info: DemoInfo,
                                            emulator: Emulator, tmp_path: Path) -> None:  # noqa: F811
    configure(home, server_url=emulator.url, login="demo")
    table = tmp_path / "поставщики.csv"
    table.write_text(PROVIDERS, encoding="utf-8")
    loaded = cli(home, "import", "providers", str(table))
    made = {kind: cli(home, "generate", kind) for kind in ("services", "debts", "meters")}
    session = cli(home, "exchange")
    pending = cli(home, "pending")
    accepted = {p["kind"]: cli(home, "accept", p["file"]) for p in pending}
    assert set(accepted) == {"PAYMENTS", "READINGS"}
    posted = cli(home, "post", accepted["READINGS"]["document"])
    exported = cli(home, "export", "payments", "--out", str(tmp_path / "оплаты.csv"))
    again = cli(home, "exchange")  # the confirmations go out
    idle = cli(home, "exchange")  # nothing to send or receive: no event (a schedule's many)
    assert idle["sent"] == idle["received"] == 0

    win, dialogs = make_window(root, home)
    texts = [win._event_text[str(i)] for i in win.events_tree.get_children()]
    t = find(texts, "Загружены данные (поставщики)")
    assert t == (f"Загружены данные (поставщики) из файла «{table}»: строк {loaded['rows']}, "
                 f"новых {loaded['inserted']}, изменено {loaded['updated']}")  # fmt: skip
    assert open_event(win, t) == table
    services = Path(made["services"]["file"])
    assert find(texts, f"Сформирован реестр {services.name}") == (
        f"Сформирован реестр {services.name}: услуг {made['services']['rows']}")
    debts = Path(made["debts"]["file"])
    t = find(texts, f"Сформирован реестр {debts.name}")
    sent_debts = tree(home).sent_ok / debts.name
    assert t == (f"Сформирован реестр {debts.name}: лицевых счетов "
                 f"{accounts_in(sent_debts, info.inn)}, строк {made['debts']['rows']}, "
                 f"задолженность {rubles(made['debts']['sum'])}, месяц {made['debts']['period']}, "
                 f"на {made['debts']['as_of']}")  # fmt: skip
    assert open_event(win, t) == sent_debts  # sent and answered by now: where it lies
    meters = Path(made["meters"]["file"])
    assert find(texts, f"Сформирован реестр {meters.name}").endswith(
        f"счётчиков {made['meters']['rows']}, показания на {made['meters']['as_of']}")
    sessions = [x for x in texts if x.startswith("Сеанс обмена: ")]
    assert sessions == [  # newest first
        f"Сеанс обмена: отправлено {again['sent']}, принято {again['received']}, "
        f"ждут приёма {again['pending']}",
        f"Сеанс обмена: отправлено {session['sent']}, принято {session['received']}, "
        f"ждут приёма {session['pending']}",
    ]
    pay = accepted["PAYMENTS"]
    t = find(texts, f"Принят реестр {pay['file']}")
    assert t == (f"Принят реестр {pay['file']}: документ «Реестр \"Мои счета\"» № "
                 f"{pay['document']}, платежей {pay['rows']} на сумму {rubles(pay['sum'])}")  # fmt: skip
    assert open_event(win, t) == tree(home).incoming_done / pay["file"]
    rd = accepted["READINGS"]
    assert find(texts, f"Принят реестр {rd['file']}").startswith(
        f"Принят реестр {rd['file']}: документ «Показания новые» № {rd['document']}, "
        f"показаний {rd['rows']}")
    assert find(texts, "Проведён документ").startswith(
        f"Проведён документ «Показания новые» № {posted['document']} (реестр {rd['file']}): "
        f"показаний {posted['rows']}")
    t = find(texts, "Выгружены оплаты")
    assert t == f"Выгружены оплаты: строк {exported['rows']}, файл «{exported['file']}»"
    assert open_event(win, t) == Path(exported["file"])
    # none of these is an error, none pops up as a notification
    tagged = {win._event_text[str(i)]: win.events_tree.item(i, "tags")
              for i in win.events_tree.get_children()}  # fmt: skip
    assert all(not tagged[x] for x in texts if x.split(" ")[0] in (
        "Загружены", "Сформирован", "Сеанс", "Принят", "Проведён", "Выгружены"))
    assert dialogs.shown == []


def test_window_work_is_in_the_events(root: tk.Tk, home: Path, info: DemoInfo,
                                      emulator: Emulator, tmp_path: Path) -> None:  # noqa: F811
    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home)
    table = tmp_path / "providers.csv"
    table.write_text(PROVIDERS, encoding="utf-8")
    dialogs.files = [str(table)]
    win.data_panel.files_button.invoke()
    pump(root, lambda: bool(win.data_panel.loading.plans) and not win.worker.busy())
    win.data_panel.loading.load_button.invoke()  # after the preview
    pump(root, lambda: win.data_panel.loaded is not None and not win.worker.busy())
    for kind in ("services", "debts", "meters"):
        win.gen_buttons[kind].invoke()
        pump(root, lambda: not win.worker.busy())
    debts = next(p for p in tree(home).outgoing.iterdir() if p.name.startswith("Debts_"))
    debts_accounts = accounts_in(debts, info.inn)
    win.logo_button.invoke()
    pump(root, lambda: win.last_exchange is not None and not win.worker.busy(), 60)
    r = win.last_exchange.result  # type: ignore[union-attr]
    for prefix in ("Payments_", "Readings_"):
        accept_pending(root, win, prefix)
        if prefix == "Payments_":
            pay = win.last_accepted
    rd = win.last_accepted
    assert rd is not None and pay is not None
    panel = win.data_panel
    pump(root, lambda: panel.post_tree.exists(rd.document))
    panel.post_tree.selection_set(rd.document)
    panel.post_button.invoke()
    pump(root, lambda: "проведён:" in panel.post_var.get() and not win.worker.busy())
    dialogs.save_as = str(tmp_path / "оплаты.csv")
    panel.export_buttons["payments"].invoke()
    pump(root, lambda: panel.export_var.get().startswith("Выгружено") and not win.worker.busy())

    texts = win.event_texts()
    assert any(x.startswith(f"Загружены данные (поставщики) из файла «{table}»: строк 1")
               for x in texts)  # fmt: skip
    assert any(x.startswith(f"Сформирован реестр {debts.name}: лицевых счетов {debts_accounts}, ")
               for x in texts)  # fmt: skip
    assert f"Сеанс обмена: отправлено {r.sent}, принято {r.received}, ждут приёма {r.pending}" in (
        texts)
    assert (f"Принят реестр {pay.file}: документ «Реестр \"Мои счета\"» № {pay.document}, "
            f"платежей {pay.rows} на сумму {v.format_money(pay.total)}{NBSP}₽") in texts
    assert any(x.startswith(f"Принят реестр {rd.file}: документ «Показания новые» № "
                            f"{rd.document}, показаний {rd.rows}") for x in texts)  # fmt: skip
    assert any(x.startswith(f"Проведён документ «Показания новые» № {rd.document}")
               for x in texts)  # fmt: skip
    assert any(x.startswith("Выгружены оплаты: строк ") and str(tmp_path / "оплаты.csv") in x
               for x in texts)  # fmt: skip


def test_a_failed_session_is_listed_once_as_an_error(root: tk.Tk, home: Path,
                                                     emulator: Emulator) -> None:  # noqa: F811
    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home, password="wrong")
    win.logo_button.invoke()
    pump(root, lambda: dialogs.shown and not win.worker.busy())
    pump(root, lambda: any("Обмен не завершён" in t for t in win.event_texts()))
    failed = [i for i in win.events_tree.get_children()
              if "Обмен не завершён" in win._event_text[str(i)]]  # fmt: skip
    assert len(failed) == 1 and win.events_tree.item(failed[0], "tags") == ("error",)
    assert isinstance(dialogs, RecordingDialogs)
