"""Matching of payments registries against bank statements (spec/bank.md), every rule, on
real SQLite files with real registry and statement files: named in the purpose, by the sum
net of the fee, one transfer for several registries of one day, ambiguous, another payer's
transfer, the date window, a kept match after acceptance, statements imported twice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.core import registry_fixture as fx
from trayapp.core import formats
from trayapp.core.accept import accept, list_pending
from trayapp.core.bank import import_statement
from trayapp.core.db import Database, open_database
from trayapp.core.db.schema import VERSION
from trayapp.core.folders import ExchangeTree
from trayapp.core.formats.clientbank import BankDocument, Statement, render
from trayapp.core.reconcile import BankTerms, Match, fee_of, reconcile, references
from trayapp.errors import StatementError

ORG_INN, OWN = fx.ORG[0], fx.ORG[2]
AGENT = "5406000777"
OTHER = "7707083893"
D = date(2026, 11, 6)
NOW = datetime(2026, 11, 27, 10, 0, 0)


@dataclass
class Env:
    db: Database
    tree: ExchangeTree
    root: Path
    made: int = 0
    files: list[str] = field(default_factory=list)

    def registry(self, day: date, number: int, *amounts: str) -> str:
        """A received, correct Payments registry in Входящие, made pending."""
        name = formats.make_name("PAYMENTS", day, number)
        rows = []
        for i, a in enumerate(amounts, 1):
            self.made += 1
            rows.append(f"p-{self.made};{day:%d.%m.%Y} 09:00:0{i % 10};1001;102;{a};10.2026")
        total = sum(int(a.replace(".", "")) for a in amounts)
        lines = ["#FORMAT MOISCHETA/1", "#TYPE PAYMENTS", f"#ORG {ORG_INN}",
                 f"#NUMBER {number:03d}", f"#DATE {day:%d.%m.%Y}", "#CODING GOROD",
                 f"#ROWS {len(rows)}", f"#FILESUM {total // 100}.{total % 100:02d}", *rows]  # fmt: skip
        (self.tree.incoming / name).write_bytes(formats.encode("\r\n".join(lines) + "\r\n"))
        names = [i.file for i in list_pending(self.db, self.tree, ORG_INN, "GOROD", lambda: NOW)]
        assert name in names
        return name

    def statement(self, *docs: BankDocument, name: str = "kl_to_1c.txt") -> Path:
        s = Statement(version="1.03", encoding="cp1251", accounts=(OWN,), documents=docs)
        path = self.root / name
        path.write_bytes(render(s).encode("cp1251"))
        return path

    def load(self, *docs: BankDocument) -> int:
        return import_statement(self.db, self.statement(*docs)).inserted

    def match(self, terms: BankTerms | None = None) -> dict[str, Match]:
        return {m.file: m for m in reconcile(self.db, terms or BankTerms())}


def doc(number: str, amount: str, purpose: str = "", day: date = D, payer: str = AGENT,
        received: date | None = None, to: str = OWN) -> BankDocument:  # fmt: skip
    kop = int(amount.replace(".", ""))
    return BankDocument(0, "Платежное поручение", number, day, kop, payer_inn=payer,
                        payee_account=to, received=received, purpose=purpose)  # fmt: skip


@pytest.fixture()
def env(tmp_path: Path, db_target: Path | str) -> Iterator[Env]:
    e = Env(fx.build(db_target), ExchangeTree(tmp_path / "x").ensure(), tmp_path)
    yield e
    e.db.close()


def brief(m: Match) -> tuple[str, str | None, list[str]]:
    j = m.bank_json()
    return j["status"], j["difference"], [d["number"] for d in j["documents"]]


FEE = BankTerms(fee_percent=Decimal("1.5"))


# ---------------------------------------------------------------------------- the fee


def test_fee_rounds_half_up_to_the_kopeck() -> None:
    assert fee_of(100, Decimal("2.5")) == 3  # 2.5 kopecks: half up, not half even
    assert fee_of(100000, Decimal("1.5")) == 1500
    assert fee_of(33333, Decimal("1.5")) == 500  # 499.995
    assert fee_of(33333, Decimal("0")) == 0
    assert fee_of(1, Decimal("49.9")) == 0 and fee_of(1, Decimal("50")) == 1


# ---------------------------------------------------------------------------- rule 1


@pytest.mark.parametrize(
    "purpose",
    [
        "Перечисление по реестру № 001 от 06.11.2026 за вычетом комиссии",
        "по реестру №1 от 06.11.2026",
        "N 001 от 06.11.2026",
        "оплата N001 от 06.11.26",
        "Н 001 от 06.11.2026 г.",
        "реестр 001 от 06.11.2026",
        "Реестр № 01 06.11.2026",
        "перевод по реестру Payments_20261106_001.txt, НДС нет",
    ],
)
def test_rule1_purpose_naming_the_registry(env: Env, purpose: str) -> None:
    r1 = env.registry(D, 1, "1000.00")
    env.registry(D, 2, "1000.00")  # the same sum: only the purpose tells them apart
    env.load(doc("7", "985.00", purpose), doc("8", "985.00", "без ссылки на реестр"))
    got = env.match(FEE)[r1]
    assert (got.fee, got.expected) == (1500, 98500)
    assert brief(got) == ("matched", "0.00", ["7"])


def test_rule1_purpose_split_over_numbered_lines(env: Env) -> None:
    """Issue 16 item 6: «Перечисление по» + «реестру 009 от 13.11.2026» (НазначениеПлатежа and
    НазначениеПлатежа1) names registry 009; its sum alone would be ambiguous."""
    day = date(2026, 11, 13)
    r9 = env.registry(day, 9, "1000.00")
    path = env.statement(doc("41", "1000.00", "Перечисление по", day=day),
                         doc("42", "1000.00", "другое", day=day))  # fmt: skip
    text = path.read_bytes().decode("cp1251").replace(
        "НазначениеПлатежа=Перечисление по\r\n",
        "НазначениеПлатежа=Перечисление по\r\nНазначениеПлатежа1=реестру 009 от 13.11.2026\r\n")
    path.write_bytes(text.encode("cp1251"))
    import_statement(env.db, path)
    m = env.match()[r9]
    assert brief(m) == ("matched", "0.00", ["41"])
    assert m.documents[0].purpose == "Перечисление по реестру 009 от 13.11.2026"


def test_purpose_held_without_its_lines_is_completed_by_importing_again(env: Env) -> None:
    """A document an older version held with «Перечисление по» alone (it dropped the
    numbered lines): the same statement imported again completes it, and it binds."""
    day = date(2026, 11, 13)
    r9 = env.registry(day, 9, "1000.00")
    assert env.load(doc("41", "1000.00", "Перечисление по", day=day),
                    doc("42", "1000.00", "другое", day=day)) == 2  # fmt: skip
    assert brief(env.match()[r9]) == ("ambiguous", None, ["41", "42"])
    again = doc("41", "1000.00", "Перечисление по реестру 009 от 13.11.2026", day=day)
    assert env.load(again, doc("42", "1000.00", "иное", day=day)) == 0
    assert brief(env.match()[r9]) == ("matched", "0.00", ["41"])
    # a purpose that does not continue the held one changes nothing
    assert env.db.scalar("SELECT purpose FROM bank_documents WHERE number = '42'") == "другое"


@pytest.mark.parametrize(
    "purpose",
    ["№ 001 от 07.11.2026", "№ 002 от 06.11.2026", "№ 0011 от 06.11.2026", "№ 001/06.11.2026",
     "Payments_20261106_002.txt", "дом 1 от 06.11.2026", "№ 00106.11.2026"],
)  # fmt: skip
def test_rule1_other_references_do_not_name_it(env: Env, purpose: str) -> None:
    assert (D, 1) not in references(purpose)
    r1 = env.registry(D, 1, "1000.00")
    env.load(doc("7", "900.00", purpose))
    assert brief(env.match(FEE)[r1]) == ("missing", None, [])


def test_rule1_several_transfers_and_a_mismatch(env: Env) -> None:
    r1 = env.registry(D, 1, "600.00", "400.00")
    env.load(doc("7", "500.00", "реестр № 001 от 06.11.2026 часть 1"),
             doc("8", "480.00", "реестр № 001 от 06.11.2026 часть 2", day=D + timedelta(1)))  # fmt: skip
    got = env.match(FEE)[r1]
    assert brief(got) == ("mismatch", "-5.00", ["7", "8"])  # 980.00 against 985.00
    assert got.to_json()["difference"] == "-5.00" and got.status_text == "расхождение"


def test_rule1_one_document_naming_several_registries(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    r2 = env.registry(D, 2, "200.00")
    r3 = env.registry(D, 3, "300.00")
    # 985.00 + 197.00 = 1182.00
    env.load(doc("9", "1182.00", "по реестрам № 001, 002 от 06.11.2026"),
             doc("10", "295.50", "по реестру № 003 от 06.11.2026"))  # fmt: skip
    m = env.match(FEE)
    assert brief(m[r1]) == brief(m[r2]) == ("matched", "0.00", ["9"])
    assert brief(m[r3]) == ("matched", "0.00", ["10"])
    env.load(doc("11", "1.00", "доплата по реестрам № 1 и № 2 от 06.11.2026"))
    m = env.match(FEE)
    assert brief(m[r1]) == ("mismatch", "1.00", ["9", "11"])
    assert brief(m[r2]) == ("mismatch", "1.00", ["9", "11"])


def test_rule1_document_is_not_taken_by_sum_for_another_registry(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    r2 = env.registry(D + timedelta(10), 1, "1000.00")
    # names registry 1 but comes after its window: it binds to nothing, and registry 2 (same
    # sum, in whose window it is) must not take it by its sum either
    env.load(doc("7", "1000.00", "реестр № 001 от 06.11.2026", day=D + timedelta(10)))
    m = env.match(BankTerms(days=5))
    assert brief(m[r1]) == brief(m[r2]) == ("missing", None, [])
    assert brief(env.match(BankTerms(days=10))[r1]) == ("matched", "0.00", ["7"])
    env.load(doc("8", "1000.00", "без ссылки", day=D + timedelta(10)))
    assert brief(env.match(BankTerms(days=5))[r2]) == ("matched", "0.00", ["8"])


# ---------------------------------------------------------------------------- rule 2


def test_rule2_one_transfer_of_the_sum_net_of_the_fee(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    r2 = env.registry(D, 2, "1.00")  # fee 2.5 % of 1.00: 0.025 -> 0.03
    env.load(doc("7", "975.00", "Перечисление денежных средств"), doc("8", "0.97"),
             doc("9", "1000.00"))  # fmt: skip
    m = env.match(BankTerms(fee_percent=Decimal("2.5")))
    assert brief(m[r1]) == ("matched", "0.00", ["7"])
    assert brief(m[r2]) == ("matched", "0.00", ["8"])
    assert m[r2].to_json() == {
        "file": r2, "date": "06.11.2026", "number": "002", "rows": 1, "sum": "1.00",
        "fee": "0.03", "expected": "0.97", "status": "matched", "difference": "0.00",
        "documents": [{"number": "8", "date": "06.11.2026", "sum": "0.97",
                       "payer_inn": AGENT, "purpose": ""}],
    }  # fmt: skip
    # without the fee the whole sum is expected: the 1000.00 transfer
    assert brief(env.match()[r1]) == ("matched", "0.00", ["9"])


def test_rule2_two_transfers_of_the_sum_are_ambiguous(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    r2 = env.registry(D, 2, "1000.00")
    env.load(doc("7", "985.00"), doc("8", "985.00", day=D + timedelta(1)))
    m = env.match(FEE)
    assert brief(m[r1]) == ("ambiguous", None, ["7", "8"])
    assert brief(m[r2]) == ("ambiguous", None, ["7", "8"])  # none was bound
    assert m[r1].status_text == "неоднозначно"


def test_rule2_earlier_registry_binds_first(env: Env) -> None:
    later = env.registry(D + timedelta(1), 1, "1000.00")
    first = env.registry(D, 1, "1000.00")
    env.load(doc("7", "1000.00", day=D + timedelta(2)))
    m = env.match()
    assert brief(m[first]) == ("matched", "0.00", ["7"])
    assert brief(m[later]) == ("missing", None, [])


def test_another_payers_transfer_of_the_same_sum_is_ignored(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    env.load(doc("7", "985.00", payer=OTHER))
    agent = BankTerms(agent_inn=AGENT, fee_percent=Decimal("1.5"))
    assert brief(env.match(agent)[r1]) == ("missing", None, [])
    assert brief(env.match(FEE)[r1]) == ("matched", "0.00", ["7"])  # any payer
    env.load(doc("8", "985.00", payer=AGENT))
    assert brief(env.match(agent)[r1]) == ("matched", "0.00", ["8"])
    assert brief(env.match(FEE)[r1])[0] == "ambiguous"


def test_transfers_to_another_account_are_not_incoming(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    assert env.load(doc("7", "1000.00", to="40702810000000000008")) == 0
    assert brief(env.match()[r1])[0] == "missing"


# ---------------------------------------------------------------------------- rule 3


def test_rule3_one_transfer_for_all_registries_of_one_day(env: Env) -> None:
    r1 = env.registry(D, 1, "500.00")
    r2 = env.registry(D, 2, "300.00")
    r3 = env.registry(D, 3, "200.00")
    other_day = env.registry(D + timedelta(1), 1, "10.00")
    env.load(doc("7", "985.00", "Перечисление за 06.11.2026"))  # 492.50 + 295.50 + 197.00
    m = env.match(FEE)
    for r in (r1, r2, r3):
        assert brief(m[r]) == ("matched", "0.00", ["7"])
    assert brief(m[other_day]) == ("missing", None, [])


def test_rule3_counts_only_registries_left_after_rules_1_and_2(env: Env) -> None:
    r1 = env.registry(D, 1, "500.00")
    r2 = env.registry(D, 2, "300.00")
    r3 = env.registry(D, 3, "200.00")
    r4 = env.registry(D, 4, "70.00")
    r5 = env.registry(D, 5, "70.00")
    env.load(doc("7", "500.00", "реестр № 1 от 06.11.2026"),  # rule 1: registry 1
             doc("8", "70.00"), doc("9", "70.00"),  # rule 2: 4 and 5 ambiguous
             doc("10", "500.00"))  # rule 3: 300.00 + 200.00, the others aside  # fmt: skip
    m = env.match()
    assert brief(m[r1]) == ("matched", "0.00", ["7"])
    assert brief(m[r2]) == brief(m[r3]) == ("matched", "0.00", ["10"])
    assert brief(m[r4]) == brief(m[r5]) == ("ambiguous", None, ["8", "9"])


def test_rule3_needs_two_registries_and_one_transfer(env: Env) -> None:
    r1 = env.registry(D, 1, "500.00")
    r2 = env.registry(D, 2, "300.00")
    env.load(doc("7", "800.00"), doc("8", "800.00", day=D + timedelta(1)))
    m = env.match()
    assert brief(m[r1]) == brief(m[r2]) == ("missing", None, [])


# ---------------------------------------------------------------------------- window


def test_date_window_from_d_to_d_plus_days(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    env.load(doc("1", "1000.00", day=D - timedelta(1)), doc("2", "1000.00", day=D + timedelta(6)))
    assert brief(env.match()[r1]) == ("missing", None, [])
    assert brief(env.match(BankTerms(days=6))[r1]) == ("matched", "0.00", ["2"])
    # the day it came (ДатаПоступило) counts, not the payment order's own date
    env.load(doc("3", "1000.00", day=D - timedelta(3), received=D + timedelta(5)))
    assert brief(env.match()[r1]) == ("matched", "0.00", ["3"])
    assert env.match()[r1].documents[0].day == D + timedelta(5)
    assert brief(env.match(BankTerms(days=4))[r1]) == ("missing", None, [])
    assert brief(env.match(BankTerms(days=0))[r1]) == ("missing", None, [])


def test_named_transfer_before_the_registry_date_does_not_bind(env: Env) -> None:
    """Issue 21 item 1: a transfer that names registry 2 (of D) but came two days before D
    is not its money. Registry 1, of D − 3, makes the matcher read that day at all."""
    r1 = env.registry(D - timedelta(3), 1, "500.00")
    r2 = env.registry(D, 2, "1000.00")
    env.load(doc("5", "1000.00", "по реестру № 002 от 06.11.2026", day=D - timedelta(2)))
    m = env.match()
    assert brief(m[r2]) == ("missing", None, [])
    assert brief(m[r1]) == ("missing", None, [])  # named another registry: not taken by sum
    # its arrival date inside the window makes it the registry's
    env.load(doc("6", "1000.00", "по реестру № 002 от 06.11.2026", day=D - timedelta(2),
                 received=D))  # fmt: skip
    assert brief(env.match()[r2]) == ("matched", "0.00", ["6"])


def test_transfer_of_the_sum_before_the_registry_date_is_no_candidate(env: Env) -> None:
    """The same lower bound for rules 2 and 3: a transfer of the expected sum (or of the
    day's total) that came before D, read because an earlier registry's window holds it."""
    r1 = env.registry(D - timedelta(3), 1, "500.00")
    r2 = env.registry(D, 2, "1000.00")
    r3 = env.registry(D, 3, "2000.00")
    env.load(doc("5", "1000.00", day=D - timedelta(2)), doc("6", "3000.00", day=D - timedelta(1)))
    m = env.match()
    assert [brief(m[r]) for r in (r1, r2, r3)] == [("missing", None, [])] * 3


def test_same_day_window_zero_days(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    env.load(doc("1", "1000.00"))
    assert brief(env.match(BankTerms(days=0))[r1]) == ("matched", "0.00", ["1"])


# ---------------------------------------------------------------------------- kept matches


def test_accepted_registry_keeps_its_match(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    env.load(doc("7", "985.00"))
    accept(env.db, env.tree, r1, ORG_INN, "GOROD", env.root / "reports", lambda: NOW, bank=FEE)
    r2 = env.registry(D, 2, "1000.00")
    # a new statement: another 985.00 that names registry 1, and one for registry 2
    env.load(
        doc("8", "985.00", "реестр № 001 от 06.11.2026"), doc("9", "985.00", day=D + timedelta(1))
    )
    m = env.match(BankTerms(fee_percent=Decimal("3")))  # the fee changed meanwhile
    assert m[r1].kept and (m[r1].fee, m[r1].expected) == (1500, 98500)
    assert brief(m[r1]) == ("matched", "0.00", ["7"])
    # 7 stays bound to registry 1; 8 names registry 1: registry 2 gets 9 alone
    assert brief(env.match(FEE)[r2]) == ("matched", "0.00", ["9"])
    assert not env.match(FEE)[r2].kept


def test_accepted_missing_stays_missing_and_report_says_so(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    res = accept(env.db, env.tree, r1, ORG_INN, "GOROD", env.root / "reports", lambda: NOW,
                 bank=BankTerms())  # fmt: skip
    assert res.report is not None
    assert "не найдено: в выписках нет перевода по реестру" in res.report.read_text("utf-8")
    env.load(doc("7", "1000.00"))
    assert brief(env.match()[r1]) == ("missing", None, [])


def test_acceptance_report_states_the_match(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    env.load(doc("7", "980.00", "реестр № 001 от 06.11.2026"))
    res = accept(env.db, env.tree, r1, ORG_INN, "GOROD", env.root / "reports", lambda: NOW,
                 bank=FEE)  # fmt: skip
    assert res.report is not None
    text = res.report.read_text("utf-8")
    assert "Сверка с банком" in text
    assert ("расхождение -5,00\u00a0₽: п/п № 7 от 06.11.2026 на 980,00\u00a0₽ (ожидался перевод"
            " 985,00\u00a0₽ = 1\u00a0000,00\u00a0₽ − комиссия 15,00\u00a0₽)") in text  # fmt: skip


def test_accepted_ambiguous_keeps_the_list_but_binds_nothing(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    env.load(doc("7", "1000.00"), doc("8", "1000.00"))
    accept(env.db, env.tree, r1, ORG_INN, "GOROD", env.root / "reports", lambda: NOW,
           bank=BankTerms())  # fmt: skip
    r2 = env.registry(D, 2, "1000.00")
    m = env.match()
    assert brief(m[r1]) == ("ambiguous", None, ["7", "8"]) and m[r1].kept
    assert brief(m[r2]) == ("ambiguous", None, ["7", "8"]) and not m[r2].kept


# ---------------------------------------------------------------------------- import


def test_statement_imported_twice_or_overlapping_adds_nothing_twice(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    first = env.statement(doc("7", "1000.00"), doc("8", "5.00"), name="nov1.txt")
    a = import_statement(env.db, first)
    assert (a.documents, a.incoming, a.inserted) == (2, 2, 2)
    b = import_statement(env.db, first)
    assert (b.documents, b.incoming, b.inserted) == (2, 2, 0)
    overlap = env.statement(
        doc("8", "5.00"), doc("7", "1000.00"), doc("9", "1.00"), name="nov2.txt"
    )
    assert import_statement(env.db, overlap).inserted == 1
    assert env.db.scalar("SELECT COUNT(*) FROM bank_documents") == 3
    assert brief(env.match()[r1]) == ("matched", "0.00", ["7"])  # not ambiguous with itself
    # the same number, date and sum from another payer is another document
    assert env.load(doc("7", "1000.00", payer=OTHER)) == 1


def test_broken_statement_imports_nothing(env: Env) -> None:
    path = env.statement(doc("7", "1000.00"), doc("8", "5.00"))
    data = path.read_bytes().replace("Сумма=5.00".encode("cp1251"), "Сумма=пять".encode("cp1251"))
    path.write_bytes(data)
    with pytest.raises(StatementError) as info:
        import_statement(env.db, path)
    assert "строка: " in info.value.message and "неверная сумма: Сумма=пять" in info.value.message
    assert str(path) in info.value.message
    assert env.db.scalar("SELECT COUNT(*) FROM bank_documents") == 0
    assert env.db.scalar("SELECT COUNT(*) FROM bank_statements") == 0


def test_import_json_shape(env: Env) -> None:
    path = env.statement(doc("7", "1000.00", day=date(2026, 11, 3)),
                         doc("8", "5.00", day=date(2026, 11, 20), to="40702810000000000008"))  # fmt: skip
    r = import_statement(env.db, path)
    assert r.to_json() == {"file": str(path), "accounts": [OWN], "from": "03.11.2026",
                           "to": "20.11.2026", "documents": 2, "incoming": 1, "inserted": 1,
                           "incoming_sum": "1000.00", "warnings": []}  # fmt: skip


def test_without_org_account_any_header_account_is_own(env: Env) -> None:
    env.db.execute("UPDATE org SET bank_account = NULL")
    other = "40702810000000000008"
    s = Statement(accounts=(OWN, other), documents=(doc("1", "1.00"), doc("2", "2.00", to=other),
                                                   doc("3", "3.00", to="40700000000000000000")))  # fmt: skip
    path = env.root / "s.txt"
    path.write_bytes(render(s).encode("cp1251"))
    assert import_statement(env.db, path).incoming == 2


# ---------------------------------------------------------------------------- references


def test_database_of_schema_4_is_migrated_and_its_purposes_read(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    env.load(doc("7", "900.00", "реестр № 001 от 06.11.2026"))
    # as a database of schema 4 holds it: no references, no index by sum
    env.db.execute("DROP TABLE bank_references")
    env.db.execute("DROP INDEX bank_documents_amount")
    env.db.execute("DELETE FROM meta WHERE key = 'bank_references'")
    env.db.execute("DROP INDEX bank_documents_identity")  # and the key of schema 4
    env.db.execute("ALTER TABLE bank_documents DROP COLUMN kind_key")  # of schema 7
    if env.db.dialect == "postgresql":
        env.db.execute("ALTER TABLE bank_documents ADD UNIQUE (payee_account, number, doc_date,"
                       " amount, payer_inn)")  # fmt: skip
    env.db.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    target = env.db.target
    env.db.close()
    env.db = open_database(target)
    assert env.db.scalar("SELECT value FROM meta WHERE key = 'schema_version'") == str(VERSION)
    assert brief(env.match()[r1]) == ("mismatch", "-100.00", ["7"])


def test_references_are_read_at_import_and_again_for_a_new_reader(env: Env) -> None:
    r1 = env.registry(D, 1, "1000.00")
    env.load(doc("7", "900.00", "реестр № 001 от 06.11.2026"), doc("8", "1.00", "без ссылки"))
    assert env.db.all("SELECT ref_date, ref_number FROM bank_references") == [("2026-11-06", 1)]
    assert brief(env.match()[r1]) == ("mismatch", "-100.00", ["7"])
    # references read by another version of the reader are read again from the purposes
    env.db.execute("DELETE FROM bank_references")
    env.db.execute("UPDATE meta SET value = 'old' WHERE key = 'bank_references'")
    assert brief(env.match()[r1]) == ("mismatch", "-100.00", ["7"])
    assert env.db.scalar("SELECT COUNT(*) FROM bank_references") == 1
    env.load(doc("7", "900.00", "реестр № 001 от 06.11.2026"))  # held: nothing added twice
    assert env.db.scalar("SELECT COUNT(*) FROM bank_references") == 1


def test_references_in_purposes() -> None:
    n1, n2 = date(2026, 11, 6), date(2026, 11, 7)
    assert references("по реестру № 001 от 06.11.2026") == {(n1, 1)}
    assert references("реестры №001 и №002 от 06.11.2026; № 5 от 07.11.26") == {
        (n1, 1), (n1, 2), (n2, 5)}  # fmt: skip
    assert references("Payments_20261107_003.txt и payments_20261106_001") == {(n2, 3), (n1, 1)}
    assert references("Реестр 7 от 06.11.2026") == {(n1, 7)}
    assert references("по договору № 12 от 31.02.2026") == set()  # no such day
    assert references("ИНН 5406000777 КПП 540601001 сумма 1000.00") == set()
    assert references("") == set()
    # a number of another document is not a registry's
    assert references("Оплата по счёту № 1 от 06.11.2026") == set()
    assert references("по договору N 15 от 06.11.2026, РЕЕСТР № 2 ОТ 06.11.2026") == {(n1, 2)}
    assert references("DN 7 06.11.2026") == set()  # a letter before N: no sign
