"""`trayapp bank import`, `reconcile`, the `bank` object of `pending` and the bank settings,
as a user runs them: real processes, real files, exit codes, JSON (spec/bank.md, cli.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.core.test_validate import payments_file, readings_file
from tests.test_cli import home, run
from trayapp.core.formats.clientbank import BankDocument, Statement, render

__all__ = ["home"]  # the fixture

OWN = "40703810000000000001"
AGENT = "5406000777"
P1 = "Payments_20261106_001.txt"  # payments_file: #NUMBER 001, #DATE 06.11.2026


def statement(path: Path, *docs: tuple[str, str, str]) -> Path:
    s = Statement(
        version="1.03", encoding="cp1251", accounts=(OWN,),
        date_from=date(2026, 11, 1), date_to=date(2026, 11, 30),
        documents=tuple(
            BankDocument(0, "Платежное поручение", n, date(2026, 11, 9), int(a.replace(".", "")),
                         payer_inn=AGENT, payee_account=OWN, purpose=p)
            for n, a, p in docs
        ),
    )  # fmt: skip
    path.write_bytes(render(s).encode("cp1251"))
    return path


def incoming(h: Path) -> Path:
    folder = Path(json.loads(run(h, "settings", "show", "--json").stdout)["folder"])
    return folder / "Входящие"


def test_bank_settings_checked_and_shown(home: Path) -> None:
    data = json.loads(run(home, "settings", "show", "--json").stdout)
    assert (data["bank_agent_inn"], data["bank_fee_percent"], data["bank_days"]) == ("", "0", 5)
    for key, value in (("bank_fee_percent", "1,5"), ("bank_days", "0"),
                       ("bank_agent_inn", AGENT)):  # fmt: skip
        r = run(home, "settings", "set", key, value)
        assert r.returncode == 0, r.stderr
    data = json.loads(run(home, "settings", "show", "--json").stdout)
    assert (data["bank_agent_inn"], data["bank_fee_percent"], data["bank_days"]) == (
        AGENT, "1.5", 0)  # fmt: skip
    for key, value, words in (
        ("bank_fee_percent", "100", "от 0 до 100"), ("bank_fee_percent", "-1", "от 0 до 100"),
        ("bank_fee_percent", "1.5%", "от 0 до 100"), ("bank_fee_percent", "", "от 0 до 100"),
        ("bank_days", "61", "от 0 до 60"), ("bank_days", "2.5", "целое"),
        ("bank_days", "-1", "от 0 до 60"), ("bank_agent_inn", "123456789", "10 или 12 цифр"),
        ("bank_agent_inn", "54060007770", "10 или 12 цифр"),
    ):  # fmt: skip
        r = run(home, "settings", "set", key, value)
        assert r.returncode == 1 and words in r.stderr and "Traceback" not in r.stderr, (key, value)
    data = json.loads(run(home, "settings", "show", "--json").stdout)
    assert (data["bank_agent_inn"], data["bank_fee_percent"], data["bank_days"]) == (
        AGENT, "1.5", 0)  # nothing refused was kept  # fmt: skip
    assert run(home, "settings", "set", "bank_fee_percent", "99.99").returncode == 0
    assert run(home, "settings", "set", "bank_agent_inn", "").returncode == 0
    text = run(home, "settings", "show").stdout
    assert "bank_fee_percent: 99.99" in text and "bank_days: 0" in text


def test_bank_import_reconcile_and_pending(home: Path, tmp_path: Path) -> None:
    assert run(home, "settings", "set", "coding", "GOROD").returncode == 0
    assert run(home, "settings", "set", "bank_fee_percent", "1.5").returncode == 0
    box = incoming(home)
    box.mkdir(parents=True, exist_ok=True)
    (box / P1).write_bytes(payments_file(["a-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026"]))
    (box / "Readings_20261106_001.txt").write_bytes(
        readings_file([])  # an empty readings registry: listed, never with a bank object
    )
    f = statement(tmp_path / "kl_to_1c.txt", ("15", "985.00", "по реестру № 001 от 06.11.2026"),
                  ("16", "10.00", "другое"))  # fmt: skip
    r = run(home, "bank", "import", str(f), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"file": str(f), "accounts": [OWN], "from": "01.11.2026",
                                    "to": "30.11.2026", "documents": 2, "incoming": 2,
                                    "inserted": 2, "incoming_sum": "995.00",
                                    "warnings": []}  # fmt: skip
    r = run(home, "bank", "import", str(f))
    assert r.returncode == 0 and "новых 0" in r.stdout

    r = run(home, "reconcile", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{
        "file": P1, "date": "06.11.2026", "number": "001", "rows": 1, "sum": "1000.00",
        "fee": "15.00", "expected": "985.00", "status": "matched", "difference": "0.00",
        "documents": [{"number": "15", "date": "09.11.2026", "sum": "985.00",
                       "payer_inn": AGENT, "purpose": "по реестру № 001 от 06.11.2026"}],
    }]  # fmt: skip
    text = run(home, "reconcile").stdout
    assert P1 in text and "сверено" in text and "985,00" in text and "1\u00a0000,00" in text

    items = json.loads(run(home, "pending", "--json").stdout)
    by_kind = {i["kind"]: i for i in items}
    assert by_kind["PAYMENTS"]["bank"] == {
        "status": "matched", "difference": "0.00",
        "documents": [{"number": "15", "date": "09.11.2026", "sum": "985.00",
                       "payer_inn": AGENT, "purpose": "по реестру № 001 от 06.11.2026"}],
    }  # fmt: skip
    assert "bank" not in by_kind["READINGS"]
    assert "банк: сверено" in run(home, "pending").stdout

    # the fee changed: now a mismatch, shown with its difference, until it is accepted
    assert run(home, "settings", "set", "bank_fee_percent", "2").returncode == 0
    bank = json.loads(run(home, "pending", "--json").stdout)[0]["bank"]
    assert (bank["status"], bank["difference"]) == ("mismatch", "5.00")
    assert run(home, "settings", "set", "bank_fee_percent", "1.5").returncode == 0
    r = run(home, "accept", P1, "--json")
    assert r.returncode == 0, r.stderr
    assert run(home, "settings", "set", "bank_fee_percent", "2").returncode == 0
    row = json.loads(run(home, "reconcile", "--json").stdout)[0]
    assert (row["status"], row["fee"], row["difference"]) == ("matched", "15.00", "0.00")
    assert "при приёме" in run(home, "reconcile").stdout


def test_broken_statement_is_refused_with_its_line(home: Path, tmp_path: Path) -> None:
    f = statement(tmp_path / "s.txt", ("15", "985.00", ""))
    f.write_bytes(f.read_bytes().replace(b"\r\n\xca\xee\xed\xe5\xf6\xd4\xe0\xe9\xeb\xe0\r\n",
                                         b"\r\n"))  # КонецФайла cut off  # fmt: skip
    r = run(home, "bank", "import", str(f), "--json")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "нет строки КонецФайла" in r.stderr and "строка: " in r.stderr
    assert "ничего не изменено" in r.stderr
    assert json.loads(run(home, "reconcile", "--json").stdout) == []
    r = run(home, "bank", "import", str(tmp_path / "нет такого.txt"))
    assert r.returncode == 1 and "не удалось прочитать выписку" in r.stderr
    r = run(home, "bank", "import", str(Path(__file__)))
    assert r.returncode == 1 and "строка: 1, это не выписка банка" in r.stderr


def test_demo_checks_its_registries_against_a_statement(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    r = run(home, "demo", "--accounts", "20", "--json",
            env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})  # fmt: skip
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    payments = [a for a in out["accepted"] if a["kind"] == "PAYMENTS"]
    assert payments and out["bank"]["incoming"] == len(payments)
    assert out["bank"]["matches"] == {a["file"]: "matched" for a in payments}
    html = Path(payments[0]["report"]).read_text(encoding="utf-8")
    assert "Сверка с банком" in html and "сверено: п/п № 70" in html
    rows = json.loads(run(home, "reconcile", "--json").stdout)
    assert [(x["file"], x["status"]) for x in rows] == [(a["file"], "matched") for a in payments]


def test_bank_import_of_a_garbled_header_date_warns_and_loads(home: Path, tmp_path: Path) -> None:
    """Issue 16 item 6: the statement loads, ``warnings`` names the line and the value, and
    ``to`` falls back to the last document's date."""
    f = statement(tmp_path / "kl_to_1c.txt", ("15", "985.00", ""), ("16", "10.10", ""))
    text = f.read_bytes().decode("cp1251").replace("ДатаКонца=30.11.2026",
                                                   "ДатаКонца=23.08.201819202122", 1)  # fmt: skip
    assert text.splitlines()[7] == "ДатаКонца=23.08.201819202122"
    f.write_bytes(text.encode("cp1251"))
    r = run(home, "bank", "import", str(f), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "file": str(f), "accounts": [OWN], "from": "01.11.2026", "to": "09.11.2026",
        "documents": 2, "incoming": 2, "inserted": 2, "incoming_sum": "995.10",
        "warnings": ["строка: 8, неверная дата ДатаКонца: 23.08.201819202122 — не учтена"],
    }  # fmt: skip
    r = run(home, "bank", "import", str(f))
    assert r.returncode == 0, r.stderr
    assert "поступлений 2 на 995,10, новых 0" in r.stdout
    assert "предупреждение: строка: 8, неверная дата ДатаКонца: 23.08.201819202122 — не учтена" in r.stdout


def test_bank_list_shows_the_documents_held_and_their_registries(home: Path, tmp_path: Path) -> None:
    """Issue 16 item 6: nothing listed the documents held; `bank list` does, each with the
    registry it is bound to, in the period asked for (the day the money came)."""
    assert run(home, "settings", "set", "coding", "GOROD").returncode == 0
    assert run(home, "settings", "set", "bank_fee_percent", "1.5").returncode == 0
    r = run(home, "bank", "list", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == []
    assert "нет поступлений" in run(home, "bank", "list").stdout
    box = incoming(home)
    box.mkdir(parents=True, exist_ok=True)
    (box / P1).write_bytes(payments_file(["a-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026"]))
    s = Statement(
        version="1.03", encoding="cp1251", accounts=(OWN,),
        documents=(
            BankDocument(0, "Платежное поручение", "15", date(2026, 11, 6), 98500,
                         payer_inn=AGENT, payer="ООО «Агент»", payee_account=OWN,
                         received=date(2026, 11, 9), purpose="по реестру № 001 от 06.11.2026"),
            BankDocument(0, "Платежное поручение", "16", date(2026, 11, 20), 1010,
                         payer_inn="7707083893", payer="Иванов И. И.", payee_account=OWN,
                         purpose="взнос" + " очень длинное назначение" * 4),
            BankDocument(0, "Платежное поручение", "17", date(2026, 11, 21), 500,
                         payer_inn=AGENT, payee_account="40702810000000000999"),  # not ours
        ),
    )  # fmt: skip
    f = tmp_path / "kl_to_1c.txt"
    f.write_bytes(render(s).encode("cp1251"))
    assert run(home, "bank", "import", str(f)).returncode == 0
    r = run(home, "bank", "list", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [
        {"date": "09.11.2026", "number": "15", "sum": "985.00", "payer": "ООО «Агент»",
         "payer_inn": AGENT, "purpose": "по реестру № 001 от 06.11.2026",
         "kind": "Платежное поручение", "registry": P1, "registries": [P1]},
        {"date": "20.11.2026", "number": "16", "sum": "10.10", "payer": "Иванов И. И.",
         "payer_inn": "7707083893", "purpose": "взнос" + " очень длинное назначение" * 4,
         "kind": "Платежное поручение", "registry": None, "registries": []},
    ]  # fmt: skip
    text = run(home, "bank", "list").stdout.splitlines()
    assert text[0].split() == ["дата", "№", "сумма", "плательщик", "назначение", "платежа",
                               "реестр"]  # fmt: skip
    assert text[1].startswith("09.11.2026  15  985,00") and text[1].endswith(P1)
    assert "ООО «Агент» ИНН 5406000777" in text[1]
    assert text[2].startswith("20.11.2026  16  10,10") and text[2].endswith("—")
    assert "…" in text[2]  # a long purpose is cut in the table
    assert text[3] == "поступлений 2 на 995,10"
    # the period: by the day the money came, both ends included
    one = json.loads(run(home, "bank", "list", "--from", "09.11.2026", "--to", "09.11.2026",
                         "--json").stdout)  # fmt: skip
    assert [d["number"] for d in one] == ["15"]
    later = json.loads(run(home, "--json", "bank", "list", "--from", "10.11.2026").stdout)
    assert [d["number"] for d in later] == ["16"]
    assert json.loads(run(home, "bank", "list", "--to", "08.11.2026", "--json").stdout) == []
    assert "за этот период" in run(home, "bank", "list", "--to", "08.11.2026").stdout
    for bad in (["--from", "2026-11-09"], ["--to", "31.11.2026"],
                ["--from", "10.11.2026", "--to", "09.11.2026"]):  # fmt: skip
        r = run(home, "bank", "list", *bad)
        assert r.returncode == 2 and "Traceback" not in r.stderr, bad
        assert "ДД.ММ.ГГГГ" in r.stderr or "позже" in r.stderr
