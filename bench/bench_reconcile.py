"""Benchmark: match 1,000 pending payments registries against a statement of 100,000 documents.

Target (spec/bank.md, issue 11): the whole match (`trayapp reconcile`: reading the documents
in the registries' date window, every purpose, the four rules) in under a second. The
registries are journal entries (as the exchange session records them), the statement is a
real 1CClientBankExchange file read by `trayapp bank import`. A month of registries, 33 or
34 a day; of the documents, a third of the registries is named in a purpose, a third paid
by its exact sum net of a 1.5 % fee, some days by one transfer for the whole day, and the
rest is noise: other payers, random sums, purposes that name registries that do not exist.
Prints the figures; asserts nothing about time. Usage:
python bench/bench_reconcile.py [--registries N] [--documents N] [--runs N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trayapp.core.bank import import_statement  # noqa: E402
from trayapp.core.db import Database, journal  # noqa: E402
from trayapp.core.formats import make_name  # noqa: E402
from trayapp.core.formats.clientbank import BankDocument, Statement, render  # noqa: E402
from trayapp.core.reconcile import BankTerms, fee_of, reconcile  # noqa: E402

OWN = "40703810000000000001"
AGENT = "5406000777"
FIRST = date(2026, 11, 1)


def build(db: Database, folder: Path, registries: int, documents: int) -> tuple[Path, float]:
    rnd = random.Random(11)
    fee = Decimal("1.5")
    regs: list[tuple[date, int, int]] = []
    with db.transaction():
        for k in range(registries):
            day = FIRST + timedelta(days=k * 30 // registries)
            number = sum(1 for d, _, _ in regs if d == day) + 1
            total = rnd.randint(1_000, 5_000_000)
            regs.append((day, number, total))
            journal.record_file(db, make_name("PAYMENTS", day, number), "in", "0" * 64,
                                "PAYMENTS", "pending", rnd.randint(1, 500), total)  # fmt: skip
    docs: list[BankDocument] = []

    def add(day: date, amount: int, purpose: str, payer: str = AGENT) -> None:
        docs.append(BankDocument(0, "Платежное поручение", str(len(docs) + 1), day, amount,
                                 payer_inn=payer, payee_account=OWN, purpose=purpose))  # fmt: skip

    whole_days = {FIRST + timedelta(days=d) for d in range(0, 30, 7)}
    per_day: dict[date, int] = {}
    for day, number, total in regs:
        net = total - fee_of(total, fee)
        came = day + timedelta(days=rnd.randint(0, 3))
        if day in whole_days:
            per_day[day] = per_day.get(day, 0) + net
        elif number % 3 == 0:
            add(came, net, f"Перечисление по реестру № {number:03d} от {day:%d.%m.%Y}, НДС нет")
        elif number % 3 == 1:
            add(came, net, "Перечисление денежных средств, принятых от плательщиков")
        else:
            add(came, net - rnd.randint(1, 100), f"реестр {number} от {day:%d.%m.%y}")
    for day, net in per_day.items():
        add(day + timedelta(days=1), net, f"Перечисление за {day:%d.%m.%Y}")
    while len(docs) < documents:
        day = FIRST + timedelta(days=rnd.randint(0, 34))
        purpose = rnd.choice([
            "Оплата по счёту № {n} от {d:%d.%m.%Y} за услуги",
            "Возврат излишне перечисленных средств по договору N {n} от 01.01.2025",
            "Взносы на капитальный ремонт, л/с {n}",
            "Оплата ЖКУ за октябрь 2026 г., кв. {n}, без НДС",
        ]).format(n=rnd.randint(1, 999), d=day)  # fmt: skip
        add(day, rnd.randint(100, 10_000_000), purpose, rnd.choice([AGENT, "7707083893", ""]))
    path = folder / "kl_to_1c.txt"
    s = Statement(version="1.03", encoding="cp1251", accounts=(OWN,), documents=tuple(docs))
    path.write_bytes(render(s).encode("cp1251"))
    t = time.perf_counter()
    r = import_statement(db, path)
    took = time.perf_counter() - t
    print(f"statement: {path.stat().st_size / 1e6:.1f} MB, {r.documents} documents, "
          f"imported in {took:.2f} s ({r.inserted / took:,.0f} documents/s)")  # fmt: skip
    return path, took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--registries", type=int, default=1000)
    ap.add_argument("--documents", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "bench.db")
        build(db, Path(tmp), a.registries, a.documents)
        for label, terms in (
            ("any payer", BankTerms(fee_percent=Decimal("1.5"), days=5)),
            ("agent's INN", BankTerms(agent_inn=AGENT, fee_percent=Decimal("1.5"), days=5)),
        ):
            times = []
            for _ in range(a.runs):
                t = time.perf_counter()
                matches = reconcile(db, terms)
                times.append(time.perf_counter() - t)
            counts = Counter(m.status for m in matches)
            print(f"reconcile, {label}: {len(matches)} registries against {a.documents} documents"
                  f" in {min(times):.3f} s best, {statistics.median(times):.3f} s median,"
                  f" {max(times):.3f} s worst of {a.runs}; {dict(sorted(counts.items()))}")  # fmt: skip
        db.close()


if __name__ == "__main__":
    main()
