"""The window's check against the bank statement, in a real Tk window under X: the status
column in Russian, «Загрузить выписку», the matched transfers of the selected registry, and
the second question before accepting a registry that is not matched (spec/bank.md).

The payments registry comes from the real emulator's simulated owners; the statement is a
real 1CClientBankExchange file read by the core.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from trayapp.app import App
from trayapp.core import formats
from trayapp.core.demo import DemoInfo
from trayapp.core.formats.clientbank import BankDocument, Statement, render
from trayapp.emulator.server import Emulator

from .conftest import pump
from .test_window import configure, make_window, tree


@pytest.fixture()
def emulator(tmp_path: Path, info: DemoInfo) -> Iterator[Emulator]:
    with Emulator(tmp_path / "emulator", org=info.inn, seed=1) as em:
        yield em


def statement_for(path: Path, home: Path, name: str, amount: str, purpose: str = "") -> Path:
    app = App.create(home)
    own = str(app.db.scalar("SELECT bank_account FROM org WHERE id = 1") or "40703810000000000001")
    app.close()
    fname = formats.parse_name(name)
    assert fname is not None
    doc = BankDocument(0, "Платежное поручение", "715", fname.day, int(amount.replace(".", "")),
                       payer_inn="5406000777", payee_account=own,
                       purpose=purpose or f"Перечисление по реестру № {fname.number:03d} от "
                                          f"{fname.day:%d.%m.%Y}")  # fmt: skip
    s = Statement(version="1.03", encoding="cp1251", accounts=(own,), documents=(doc,),
                  date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))  # fmt: skip
    path.write_bytes(render(s).encode("cp1251"))
    return path


def test_bank_status_statement_and_second_question(
    root: tk.Tk, home: Path, emulator: Emulator, tmp_path: Path
) -> None:
    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home)
    assert str(win.bank.load_button.cget("text")) == "Загрузить выписку"
    for kind in ("services", "debts", "meters"):
        win.gen_buttons[kind].invoke()
    pump(root, lambda: not win.worker.busy())
    win.logo_button.invoke()
    pump(root, lambda: win.last_exchange is not None)
    pump(root, lambda: not win.worker.busy())
    items = [str(i) for i in win.pending_tree.get_children()]
    payments = [i for i in items if i.startswith("Payments_")]
    readings = [i for i in items if i.startswith("Readings_")]
    assert payments and readings
    name = payments[0]
    # no statement yet (issue 17, item 7): «не сверялось», not «не найдено», beside the
    # payments registry, nothing beside readings
    assert win.pending_tree.set(name, "bank") == "не сверялось"
    assert all(win.pending_tree.set(r, "bank") == "" for r in readings)
    win.pending_tree.selection_set(name)
    root.update()
    status = win.bank.status_var.get()
    assert "не сверялось" in status and "выписка банка ещё не загружена" in status
    assert "не найдено" not in status
    assert win.bank.transfer_rows() == []
    assert win.bank.confirm_accept(name)  # no second question before any statement
    assert not [d for d in dialogs.shown if d[0] == "ask"]

    # «Загрузить выписку»: the transfer of its sum naming it
    amount = str(win.pending_tree.set(name, "sum")).replace("\u00a0", "").replace(",", ".")  # 1 234,56
    dialogs.file = str(statement_for(tmp_path / "kl_to_1c.txt", home, name, amount))
    win.bank.load_button.invoke()
    pump(root, lambda: win.bank.last_import is not None)
    assert win.bank.last_import is not None and win.bank.last_import.inserted == 1
    assert dialogs.shown[-1][:2] == ("info", "Выписка банка") and "новых 1" in dialogs.shown[-1][2]
    pump(root, lambda: win.pending_tree.set(name, "bank") == "сверено")
    loaded = f"Загружена выписка банка из файла «{tmp_path / 'kl_to_1c.txt'}»: документов "
    assert [t for t in win.event_texts() if t.startswith(loaded) and t.endswith(", новых 1")]
    win.pending_tree.selection_set(name)
    root.update()
    assert win.bank.status_var.get().startswith("Сверка с банком: сверено: п/п № 715")
    fname = formats.parse_name(name)
    assert fname is not None
    shown = str(win.pending_tree.set(name, "sum"))  # «1 234,56», as the list shows sums
    assert win.bank.transfer_rows() == [
        ("715", f"{fname.day:%d.%m.%Y}", shown, "5406000777",
         f"Перечисление по реестру № {fname.number:03d} от {fname.day:%d.%m.%Y}")
    ]  # fmt: skip

    # a matched registry is accepted without a second question
    dialogs.shown.clear()
    win.accept_button.invoke()
    pump(root, lambda: win.last_accepted is not None)
    assert [d for d in dialogs.shown if d[0] in ("ask", "error")] == []
    assert (tree(home).incoming_done / name).is_file()
    assert win.last_accepted is not None and win.last_accepted.report is not None
    assert "сверено: п/п № 715" in win.last_accepted.report.read_text(encoding="utf-8")

    # a readings registry is never asked about; a broken statement is an error message
    pump(root, lambda: not win.worker.busy())
    dialogs.file = str(tmp_path / "kl_to_1c.txt")
    (tmp_path / "kl_to_1c.txt").write_bytes(b"not a statement")
    win.bank.load_button.invoke()
    pump(root, lambda: any(d[0] == "error" for d in dialogs.shown))
    err = next(d for d in dialogs.shown if d[0] == "error")
    assert err[1] == "Выписка банка" and "строка: 1, это не выписка банка" in err[2]
    win.pending_tree.selection_set(readings[0])
    root.update()
    assert win.bank.confirm_accept(readings[0]) is True


def test_bank_settings_in_the_settings_tab(root: tk.Tk, home: Path) -> None:
    import json

    configure(home)
    win, dialogs = make_window(root, home)
    form = win.settings_form
    assert form.bank.values() == {"bank_agent_inn": "", "bank_fee_percent": "0", "bank_days": "5"}
    settings_file = home / "settings.json"
    # a fee of 100 % is refused with its message, nothing saved
    form.bank.vars["bank_fee_percent"].set("100")
    form.bank.vars["bank_days"].set("7")
    form.save_button.invoke()
    pump(root, lambda: dialogs.shown)
    assert dialogs.shown[0][1] == "Настройки" and "от 0 до 100" in dialogs.shown[0][2]
    assert json.loads(settings_file.read_text(encoding="utf-8"))["bank_days"] == 5
    dialogs.shown.clear()
    form.bank.vars["bank_fee_percent"].set("1,5")
    form.bank.vars["bank_agent_inn"].set("5406000777")
    form.save_button.invoke()
    pump(root, lambda: not win.worker.busy() and "сохранены" in win.message_var.get())
    assert dialogs.shown == []
    data = json.loads(settings_file.read_text(encoding="utf-8"))
    assert (data["bank_agent_inn"], data["bank_fee_percent"], data["bank_days"]) == (
        "5406000777", "1.5", 7)  # fmt: skip
    # shown again as saved
    form.load(App.create(home).settings, "")
    assert form.bank.values() == {"bank_agent_inn": "5406000777", "bank_fee_percent": "1,5",
                                  "bank_days": "7"}  # fmt: skip


def test_transfers_held_are_listed_beside_the_registries(
    root: tk.Tk, home: Path, emulator: Emulator, tmp_path: Path
) -> None:
    """Issue 16 item 6: the window lists the transfers held (as `bank list` does) under the
    pending registries, with the registry each is bound to; the selected registry's are
    marked, and stay bound after its acceptance."""
    configure(home, server_url=emulator.url, login="demo")
    win, dialogs = make_window(root, home)
    held = win.bank.held
    assert held.rows() == [] and held.summary_var.get() == "Выписка банка не загружена."
    win.pending.bottom.select(1)  # its tab beside the selected registry's check
    root.update()
    assert held.tree.winfo_ismapped()
    for kind in ("services", "debts", "meters"):
        win.gen_buttons[kind].invoke()
    pump(root, lambda: not win.worker.busy())
    win.logo_button.invoke()
    pump(root, lambda: win.last_exchange is not None)
    pump(root, lambda: not win.worker.busy())
    name = next(str(i) for i in win.pending_tree.get_children() if str(i).startswith("Payments_"))
    amount = str(win.pending_tree.set(name, "sum")).replace("\u00a0", "").replace(",", ".")
    path = statement_for(tmp_path / "kl_to_1c.txt", home, name, amount)
    fname = formats.parse_name(name)
    assert fname is not None
    own = App.create(home).db.scalar("SELECT bank_account FROM org WHERE id = 1")
    other = BankDocument(0, "Платежное поручение", "9", fname.day, 1010, payer="Иванов И. И.",
                         payer_inn="7707083893", payee_account=str(own), purpose="взнос")  # fmt: skip
    text = path.read_bytes().decode("cp1251")
    one = render(Statement(encoding="cp1251", accounts=(str(own),), documents=(other,)))
    section = one[one.index("СекцияДокумент"):one.index("КонецФайла")]
    path.write_bytes(text.replace("КонецФайла", section + "КонецФайла").encode("cp1251"))
    dialogs.file = str(path)
    win.bank.load_button.invoke()
    pump(root, lambda: len(held.rows()) == 2)
    day = f"{fname.day:%d.%m.%Y}"
    rows = sorted(held.rows(), key=lambda r: r[1])
    money = amount.replace(".", ",")
    money = f"{int(money[:-3]):,}".replace(",", "\u00a0") + money[-3:]
    assert rows == [
        (day, "715", money, "ИНН 5406000777",
         f"Перечисление по реестру № {fname.number:03d} от {day}", name),
        (day, "9", "10,10", "Иванов И. И. ИНН 7707083893", "взнос", "—"),
    ]  # fmt: skip
    assert held.summary_var.get().startswith("2 на ")
    # narrow: every column in view, the purpose not squeezed to nothing, the registry whole
    for width in (420, 640, 900):
        held.fit(width)
        cols = {c: int(held.tree.column(c, "width")) for c in held.tree.cget("columns")}
        assert cols["purpose"] >= 80 and cols["payer"] >= 90, (width, cols)
        assert width < 640 or sum(cols.values()) <= width, (width, cols)
    win.pending_tree.selection_set(name)
    root.update()
    assert held.marked() == ["715"]
    dialogs.answer = True
    win.accept_button.invoke()
    pump(root, lambda: win.last_accepted is not None and not win.worker.busy())
    pump(root, lambda: not win.pending_tree.exists(name))
    assert sorted(held.rows(), key=lambda r: r[1])[0][5] == name  # the kept match
    assert held.marked() == []


def test_the_question_before_accepting_names_the_transfer_expected(
    root: tk.Tk, home: Path, emulator: Emulator, tmp_path: Path
) -> None:
    """With the agent's fee of 1,5 % the question said «поступление <the registry's sum>
    должно быть в выписке»: it names the sum less the fee, and once the statement has the
    transfer, the match itself («сверено: п/п № 715 … на <that sum>»)."""
    from decimal import ROUND_HALF_UP, Decimal

    from trayapp.core.values import format_rubles

    configure(home, server_url=emulator.url, login="demo", bank_fee_percent="1,5")
    win, dialogs = make_window(root, home)
    for kind in ("services", "debts", "meters"):
        win.gen_buttons[kind].invoke()
    pump(root, lambda: not win.worker.busy())
    win.logo_button.invoke()
    pump(root, lambda: win.last_exchange is not None)
    pump(root, lambda: not win.worker.busy())
    name = next(str(i) for i in win.pending_tree.get_children() if str(i).startswith("Payments_"))
    gross = int(str(win.pending_tree.set(name, "sum")).replace("\u00a0", "").replace(",", ""))
    fee = int((Decimal(gross) * Decimal("1.5") / 100).quantize(Decimal(1), ROUND_HALF_UP))
    net = gross - fee
    assert fee > 0

    def question() -> str:
        dialogs.shown.clear()
        dialogs.answers = [False]  # «Отмена»: nothing accepted
        win.pending_tree.selection_set(name)
        root.update()
        win.accept_button.invoke()
        pump(root, lambda: dialogs.shown and not win.worker.busy())
        kind, title, text = dialogs.shown[-1]
        assert (kind, title) == ("confirm", "Приём реестра")
        return text.split("\n\n")[-1]

    # no statement yet: the transfer expected, net of the fee
    text = question()
    assert f"поступление {format_rubles(net)}" in text, text
    assert f"комиссия агента {format_rubles(fee)}" in text, text
    assert f"поступление {format_rubles(gross)}" not in text, text
    # a statement without it: «не найдено», the transfer expected named
    other = statement_for(tmp_path / "other.txt", home, name, "1.00", "Членские взносы")
    dialogs.file = str(other)
    win.bank.load_button.invoke()
    pump(root, lambda: win.pending_tree.set(name, "bank") == "не найдено")
    text = question()
    assert "не найдено" in text and f"ожидался перевод {format_rubles(net)}" in text, text
    assert f"поступление {format_rubles(gross)}" not in text, text
    # the transfer arrives: the match itself
    amount = f"{net // 100}.{net % 100:02d}"
    dialogs.file = str(statement_for(tmp_path / "kl_to_1c.txt", home, name, amount))
    win.bank.load_button.invoke()
    pump(root, lambda: win.pending_tree.set(name, "bank") == "сверено")
    text = question()
    assert "Сверка с банком: сверено: п/п № 715 от " in text, text
    assert f"на {format_rubles(net)}" in text, text
    assert f"поступление {format_rubles(gross)}" not in text, text
    assert (tree(home).incoming / name).is_file()  # never accepted: each time «Отмена»
