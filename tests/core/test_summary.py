"""The summary shown before accepting a payments registry: sums per named service and per
provider, checked against sums computed here from the file itself and, where a code is
shared by services of two providers, against what the acceptance then writes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.core import registry_fixture as fx
from tests.core.test_validate import payments_file
from trayapp.core.accept import accept
from trayapp.core.db import Database
from trayapp.core.folders import ExchangeTree
from trayapp.core.summary import OWN_SERVICES, WITHOUT_SERVICE, pending_summary
from trayapp.errors import AcceptError

ORG = fx.ORG[0]
NAME = "Payments_20261106_001.txt"
NOW = datetime(2026, 11, 27, 10, 15, 0)
# three services of two providers (code 9 names two services of «Горводоканал»), one of the
# association's own (101) and payments with no service; amounts of every size
ROWS = [
    "s-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026",
    "s-2;05.11.2026 20:00:00;1002;102;2500.50;10.2026",
    "s-3;06.11.2026 08:10:59;1002;;55.00;10.2026",
    "s-4;06.11.2026 08:11:00;1001;9;10.01;10.2026",
    "s-5;06.11.2026 09:00:00;1002;9;333.33;10.2026",
    "s-6;06.11.2026 09:30:00;1001;10;596799.34;10.2026",
    "s-7;06.11.2026 10:00:00;1003;10;0.01;10.2026",
    "s-8;06.11.2026 10:30:00;1003;;1.99;10.2026",
    "s-9;06.11.2026 11:00:00;1001;101;150.00;10.2026",
    "s-10;06.11.2026 11:30:00;1009;;12345.67;10.2026",
]


@pytest.fixture()
def db(db_target: Path | str) -> Iterator[Database]:
    d = fx.build(db_target)
    yield d
    d.close()


def independent(rows: list[str]) -> tuple[dict[str, tuple[int, Decimal]], dict[str, tuple[int, Decimal]]]:
    """Per service label and per provider label: (payments, rubles), from the lines and the
    fixture's catalogue alone (no code of the app)."""
    services = {str(s[3]): [] for s in fx.SERVICES if s[3]}  # Город code -> services
    for s in fx.SERVICES:
        if s[3]:
            services[str(s[3])].append(s)
    providers = {p[0]: f"{p[2]}, ИНН {p[1]}" for p in fx.PROVIDERS}
    per_service: dict[str, tuple[int, Decimal]] = {}
    per_provider: dict[str, tuple[int, Decimal]] = {}
    for line in rows:
        code, amount = line.split(";")[3], Decimal(line.split(";")[4])
        if code:
            names = sorted(services[code])
            label = f"{code} {', '.join(s[1] for s in names)}"
            owners = {s[5] for s in names}
            assert len(owners) == 1  # this file: one provider per code
            owner = providers.get(names[0][5], OWN_SERVICES)  # type: ignore[arg-type]
        else:
            label = owner = WITHOUT_SERVICE
        n, total = per_service.get(label, (0, Decimal(0)))
        per_service[label] = (n + 1, total + amount)
        n, total = per_provider.get(owner, (0, Decimal(0)))
        per_provider[owner] = (n + 1, total + amount)
    return per_service, per_provider


def as_rubles(lines: list[tuple[str, int, int]]) -> dict[str, tuple[int, Decimal]]:
    return {label: (n, Decimal(k) / 100) for label, n, k in lines}


def test_sums_per_named_service_and_per_provider(db: Database, tmp_path: Path) -> None:
    tree = ExchangeTree(tmp_path / "x").ensure()
    (tree.incoming / NAME).write_bytes(payments_file(ROWS))
    sm = pending_summary(db, tree, NAME, ORG, "GOROD")
    per_service, per_provider = independent(ROWS)
    assert (sm.kind, sm.rows, sm.coding) == ("PAYMENTS", len(ROWS), "GOROD")
    assert as_rubles(sm.by_service) == per_service
    assert as_rubles(sm.by_provider) == per_provider
    assert len(per_provider) == 4  # two providers, the association's own, none
    # the parts add up to the total, which is the file's
    file_total = sum(Decimal(r.split(";")[4]) for r in ROWS)
    assert Decimal(sm.total) / 100 == file_total
    assert sum(k for _, _, k in sm.by_service) == sm.total == sum(k for _, _, k in sm.by_provider)
    assert sum(n for _, n, _ in sm.by_service) == len(ROWS) == sum(n for _, n, _ in sm.by_provider)
    # named, never by code alone, and no «—»; «без услуги» last
    assert ("9 Холодная вода, Водоотведение", 2, 34334) in sm.by_service
    assert sm.by_service[-1][0] == WITHOUT_SERVICE and sm.by_provider[-1][0] == WITHOUT_SERVICE
    assert ("АО «Теплосеть», ИНН 5401000002", 4, 100000 + 250050 + 59679934 + 1) in sm.by_provider
    # nothing was written: the registry is still to be accepted
    assert db.scalar("SELECT COUNT(*) FROM payments WHERE source = 'moischeta'") == 0


def test_account_coding_has_no_services(db: Database, tmp_path: Path) -> None:
    tree = ExchangeTree(tmp_path / "x").ensure()
    rows = ["a-1;05.11.2026 19:44:02;1001;;1000.00;10.2026",
            "a-2;05.11.2026 19:45:02;1002;;0.05;10.2026"]  # fmt: skip
    (tree.incoming / NAME).write_bytes(payments_file(rows, coding="ACCOUNT"))
    sm = pending_summary(db, tree, NAME, ORG, "ACCOUNT")
    assert sm.by_service == [(WITHOUT_SERVICE, 2, 100005)]
    assert sm.by_provider == [(WITHOUT_SERVICE, 2, 100005)]


def test_a_code_of_two_providers_is_split_as_the_acceptance_splits_it(
    db: Database, tmp_path: Path
) -> None:
    # «Водоотведение» (4) now belongs to «Теплосеть»: code 9 is shared by two providers
    with db.transaction():
        db.execute("UPDATE services SET provider_id = 1 WHERE code = 4")
    tree = ExchangeTree(tmp_path / "x").ensure()
    (tree.incoming / NAME).write_bytes(payments_file(ROWS))
    sm = pending_summary(db, tree, NAME, ORG, "GOROD")
    accept(db, tree, NAME, ORG, "GOROD", tmp_path / "reports", lambda: NOW, report=False)
    written = db.all(
        "SELECT COALESCE(p.inn || ' ' || p.name, ''), SUM(x.amount) FROM payments x"
        " LEFT JOIN services s ON s.code = x.service_code"
        " LEFT JOIN providers p ON p.id = s.provider_id"
        " WHERE x.source = 'moischeta' AND x.service_code IS NOT NULL"
        " GROUP BY COALESCE(p.inn || ' ' || p.name, '')"
    )
    by_inn = {str(label): int(total) for label, total in written}
    shown = {label: k for label, _, k in sm.by_provider}
    assert shown["АО «Теплосеть», ИНН 5401000002"] == by_inn["5401000002 АО «Теплосеть»"]
    assert shown["МУП «Горводоканал», ИНН 5401000003"] == by_inn["5401000003 МУП «Горводоканал»"]
    assert shown[OWN_SERVICES] == by_inn[""]
    assert sum(shown.values()) == sm.total


def test_only_the_file_summed_is_accepted(db: Database, tmp_path: Path) -> None:
    """The accountant confirms the sums of one file: if Входящие holds another by then (the
    same name received again, another PC), acceptance refuses it and writes nothing."""
    tree = ExchangeTree(tmp_path / "x").ensure()
    (tree.incoming / NAME).write_bytes(payments_file(ROWS[:3]))
    sm = pending_summary(db, tree, NAME, ORG, "GOROD")
    (tree.incoming / NAME).write_bytes(payments_file(ROWS[:2]))  # replaced after the summary
    with pytest.raises(AcceptError, match="изменился после проверки"):
        accept(db, tree, NAME, ORG, "GOROD", tmp_path / "r", lambda: NOW,
               expected_sha256=sm.sha256)  # fmt: skip
    assert db.scalar("SELECT COUNT(*) FROM payments WHERE payment_id LIKE 's-%'") == 0
    assert (tree.incoming / NAME).is_file()
    sm = pending_summary(db, tree, NAME, ORG, "GOROD")  # looked at again: now it is taken
    r = accept(db, tree, NAME, ORG, "GOROD", tmp_path / "r", lambda: NOW,
               expected_sha256=sm.sha256)  # fmt: skip
    assert r.rows == sm.rows == 2 and r.total == sm.total
    assert db.scalar("SELECT COUNT(*) FROM payments WHERE payment_id LIKE 's-%'") == 2


def test_two_services_of_one_provider_behind_a_shared_code_add_up(
    db: Database, tmp_path: Path
) -> None:
    """Code 9 carries «Холодная вода» and «Водоотведение» of «Горводоканал» and, here, also
    «Горячая вода» of «Теплосеть»: a payment to 9 is spread over three services, two of them
    one provider's, whose two shares must both reach that provider (not the last one alone)."""
    with db.transaction():
        db.execute("UPDATE services SET gorod_code = '9' WHERE code = 6")
    rows = ["w-1;06.11.2026 08:11:00;1001;9;1000.01;10.2026",  # debts on 3, 4 and 6
            "w-2;06.11.2026 09:00:00;1002;9;333.33;10.2026",   # a debt on 3 only
            "w-3;06.11.2026 10:00:00;1001;102;50.00;10.2026"]  # fmt: skip
    tree = ExchangeTree(tmp_path / "x").ensure()
    (tree.incoming / NAME).write_bytes(payments_file(rows))
    sm = pending_summary(db, tree, NAME, ORG, "GOROD")
    accept(db, tree, NAME, ORG, "GOROD", tmp_path / "reports", lambda: NOW, report=False)
    per_service = {int(c): int(k) for c, k in db.all(
        "SELECT service_code, SUM(amount) FROM payments WHERE source = 'moischeta'"
        " GROUP BY service_code")}  # fmt: skip
    # the payment of 1001 to code 9 went to all three services: both of Горводоканал's count
    assert per_service[3] > 0 and per_service[4] > 0 and per_service[6] > 0
    assert per_service[3] + per_service[4] + per_service[6] == 100001 + 33333
    shown = {label: (n, k) for label, n, k in sm.by_provider}
    assert shown["МУП «Горводоканал», ИНН 5401000003"] == (2, per_service[3] + per_service[4])
    assert shown["АО «Теплосеть», ИНН 5401000002"] == (2, per_service[6] + 5000)
    assert sum(k for _, _, k in sm.by_provider) == sm.total == 100001 + 33333 + 5000
