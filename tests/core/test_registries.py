"""Services, Debts and Meters registries against an independent recomputation."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from tests.core import registry_fixture as fx
from trayapp.core import formats
from trayapp.core.db import Database, journal
from trayapp.core.folders import ExchangeTree, sha256_file
from trayapp.core.registries import generate, spread
from trayapp.errors import GenerationError

CODE_INDEX = {"OWN": None, "GOROD": 3, "SBER": 4}


@pytest.fixture()
def env(tmp_path: Path, db_target: Path | str) -> tuple[Database, ExchangeTree]:
    db = fx.build(db_target)
    tree = ExchangeTree(tmp_path / "x")
    yield db, tree
    db.close()


def code_of(coding: str, own: int) -> str:
    svc = next(s for s in fx.SERVICES if s[0] == own)
    idx = CODE_INDEX[coding]
    return str(own) if idx is None else str(svc[idx])


def expected_debts(coding: str, period: int, as_of: date, apartments_only: bool) -> list[tuple]:
    y, m = divmod(period, 100)
    first = date(y, m, 1)
    last = date(y + (m == 12), m % 12 + 1, 1).toordinal() - 1
    last_day = date.fromordinal(last)
    out = []
    for acc in sorted(fx.ACCOUNTS, key=lambda a: a[1]):
        aid, number, name, settl, street, house, prem, kind, opened, closed = acc
        if closed and date.fromisoformat(closed) < first:
            continue
        if opened and date.fromisoformat(opened) > last_day:
            continue
        if apartments_only and kind != "apartment":
            continue
        debt: dict[int, int] = {}
        accrued: dict[int, int] = {}
        for a, s, amt in fx.BALANCES:
            if a == aid:
                debt[s] = debt.get(s, 0) + amt
                accrued.setdefault(s, 0)
        for a, s, p, amt in fx.ACCRUALS:
            if a == aid:
                debt.setdefault(s, 0)
                accrued.setdefault(s, 0)
                if p <= period:
                    debt[s] += amt
                if p == period:
                    accrued[s] += amt
        whole = 0
        for a, s, day, amt, _src in fx.PAYMENTS:
            if a != aid:
                continue
            counts = date.fromisoformat(day) <= as_of
            if s is None:
                whole += amt if counts else 0
            else:
                debt.setdefault(s, 0)
                accrued.setdefault(s, 0)
                debt[s] -= amt if counts else 0
        address = f"{settl},{street},{house},{prem}"
        name = name.replace(";", ",")
        if coding == "ACCOUNT":
            out.append((number, name, address, "", sum(debt.values()) - whole, sum(accrued.values())))
            continue
        if not debt:
            continue
        if whole:
            pos = {s: d for s, d in debt.items() if d > 0}
            if not pos:
                debt[min(debt)] -= whole
            else:
                total = sum(pos.values())
                shares = {s: int(Fraction(whole * d, total)) for s, d in pos.items()}
                rest = whole - sum(shares.values())
                order = sorted(pos, key=lambda s: (-pos[s], s))
                for s in order[:rest]:
                    shares[s] += 1
                for s, sh in shares.items():
                    debt[s] -= sh
        merged: dict[str, list[int]] = {}
        for s in debt:
            c = code_of(coding, s)
            if not c:
                continue
            merged.setdefault(c, [0, 0])
            merged[c][0] += debt[s]
            merged[c][1] += accrued[s]
        for c in sorted(merged, key=lambda c: int(c) if c.isdigit() else c):
            out.append((number, name, address, c, merged[c][0], merged[c][1]))
    return out


def read(path: Path, name: str | None = None) -> formats.Registry:
    data = path.read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    return formats.parse(data, name=path.name, org=fx.ORG[0])


@pytest.mark.parametrize("coding", ["ACCOUNT", "GOROD", "OWN"])
@pytest.mark.parametrize("apartments_only", [False, True])
@pytest.mark.parametrize("today", [date(2026, 11, 5), date(2026, 10, 20)])
def test_debts_match_independent_recomputation(env, coding, apartments_only, today) -> None:
    db, tree = env
    r = generate(db, tree, "debts", coding, today, 202610, apartments_only)
    as_of = max(today, date(2026, 10, 31))
    reg = read(r.file)
    got = [(x.account, x.full_name, x.address, x.service_code, x.debt, x.accrued) for x in reg.rows]
    want = expected_debts(coding, 202610, as_of, apartments_only)
    assert got == want
    assert reg.header.filesum == sum(w[4] for w in want) == r.total
    assert reg.header.as_of == as_of and reg.header.period == 202610
    assert reg.header.coding == coding
    assert r.file.parent == tree.outgoing
    assert r.file.name == f"Debts_{today:%Y%m%d}_001.txt"


def test_debts_hand_checked_values(env) -> None:
    db, tree = env
    r = generate(db, tree, "debts", "OWN", date(2026, 11, 5), 202610)
    rows = {(x.account, x.service_code): x.debt for x in read(r.file).rows}
    # account 1009: no positive debt, the 25.00 paid to the whole account goes to code 1
    assert rows[("1009", "1")] == -1000 + 500 - 2500
    assert rows[("1009", "2")] == -3000
    # account 1002: 100.01 over debts 1000.00, 1000.00, 1003.33: 10001 x d / 300333 rounded
    # down is 33.29, 33.29, 33.41 (99.99); the 2 kopecks left go to the largest debt (3), then
    # to the lower code of the tie (1): shares 33.30, 33.29, 33.42
    assert (rows[("1002", "1")], rows[("1002", "2")], rows[("1002", "3")]) == (
        100000 - 3330, 100000 - 3329, 100333 - 3342)
    assert "0999" not in {a for a, _ in rows}
    assert r.accounts_without_services == ["0999"]
    # account 1004 closed before October, 1006 opened after it
    assert not any(a in ("1004", "1006") for a, _ in rows)
    assert ("1005", "1") in rows


def test_debts_skipped_services_named(env) -> None:
    db, tree = env
    r = generate(db, tree, "debts", "SBER", date(2026, 11, 5), 202610)
    assert r.skipped_services == ["3 Холодная вода", "5 Домофон"]
    codes = {x.service_code for x in read(r.file).rows}
    assert codes == {"S1", "S2", "S4", "S6"}
    # Сбер codes are not all digits: sorted as text
    per_acc = [x.service_code for x in read(r.file).rows if x.account == "1001"]
    assert per_acc == sorted(per_acc)


def test_default_month_and_numbering(env) -> None:
    db, tree = env
    r1 = generate(db, tree, "debts", "GOROD", date(2026, 12, 3))
    assert r1.period == 202611  # the latest month with accruals
    entry = journal.get_file(db, "out", r1.file.name)
    assert entry is not None and entry.sha256 == sha256_file(r1.file)
    assert (entry.status, entry.rows, entry.total) == ("generated", r1.rows, r1.total)
    assert r1.as_of == date(2026, 12, 3)
    r2 = generate(db, tree, "debts", "GOROD", date(2026, 12, 3))
    assert r2.file.name == "Debts_20261203_002.txt"
    # a file moved to another folder of the tree still counts
    r2.file.rename(tree.sent_ok / r2.file.name)
    r3 = generate(db, tree, "debts", "GOROD", date(2026, 12, 3))
    assert r3.file.name == "Debts_20261203_003.txt"


def test_numbering_stops_at_999(env) -> None:
    db, tree = env
    tree.ensure()
    (tree.sent / "Debts_20261203_999.txt").write_bytes(b"x")
    with pytest.raises(GenerationError):
        generate(db, tree, "debts", "GOROD", date(2026, 12, 3))


def test_services_registry(env) -> None:
    db, tree = env
    r = generate(db, tree, "services", "GOROD", date(2026, 11, 5))
    reg = read(r.file)
    rows = reg.rows
    assert [x.code for x in rows] == ["9", "10", "101", "102"]
    nine = rows[0]
    # services 3 and 4 share code 9: named after the lowest own code, metered from either
    assert nine.name == "Холодная вода" and nine.metered is True
    assert nine.provider_inn == "5401000003"
    # a service without a provider is the association's own
    assert (rows[2].provider_inn, rows[2].provider_name) == fx.ORG[:2]
    assert rows[2].provider_bank_account == fx.ORG[2] and rows[3].provider_name == "АО «Теплосеть»"
    assert r.skipped_services == ["5 Домофон"]
    acc = read(generate(db, tree, "services", "ACCOUNT", date(2026, 11, 5)).file).rows
    assert len(acc) == 1 and acc[0].code == "0" and acc[0].name == "Жилищно-коммунальные услуги"
    assert acc[0].provider_inn == fx.ORG[0] and acc[0].metered is True


def test_meters_registry(env) -> None:
    db, tree = env
    r = generate(db, tree, "meters", "GOROD", date(2026, 11, 5), 202610)
    reg = read(r.file)
    assert reg.header.as_of == date(2026, 11, 1)
    got = [(x.account, x.meter_id, x.serial, x.service_code, x.installed, x.last_reading_date,
            x.last_reading) for x in reg.rows]
    assert got == [
        ("1001", "17", "ХВ-1001-1", "9", date(2021, 3, 1), date(2026, 11, 1), 220000),
        ("1001", "19", "ГВ-1001-2", "10", date(2026, 10, 15), date(2026, 10, 15), 200),
        ("1003", "21", "ХВ-1003-1", "9", date(2020, 1, 1), date(2020, 1, 1), 1500),
    ]
    assert r.skipped_services == ["5 Домофон"]
    only = read(generate(db, tree, "meters", "ACCOUNT", date(2026, 11, 5), 202610,
                         apartments_only=True).file)
    assert [(x.account, x.meter_id, x.service_code) for x in only.rows] == [
        ("1001", "17", ""), ("1001", "19", ""), ("1002", "23", "")]
    # September: the old hot-water meter is still in service on 01.10
    sept = read(generate(db, tree, "meters", "OWN", date(2026, 11, 5), 202609).file)
    assert ("1001", "18", "6") in [(x.account, x.meter_id, x.service_code) for x in sept.rows]
    assert "1004" in {x.account for x in sept.rows}


def test_spread_rule() -> None:
    assert spread(100, [(1, 50), (2, 50)]) == {1: 50, 2: 50}
    assert spread(101, [(2, 50), (1, 50)]) == {1: 51, 2: 50}  # tie: lower own code
    assert spread(10, [(1, -5), (3, 0)]) == {1: 10}
    assert spread(7, [(1, 1), (2, 2), (3, 4)]) == {1: 1, 2: 2, 3: 4}
    # floors 3329, 3329, 3341; the two kopecks left: the largest debt, then the lower code
    assert spread(10001, [(1, 100000), (2, 100000), (3, 100333)]) == {1: 3330, 2: 3329, 3: 3342}
    assert spread(3, [(5, 10), (4, 10), (6, 10)]) == {4: 1, 5: 1, 6: 1}
    assert spread(2, [(5, 10), (4, 10), (6, 10)]) == {4: 1, 5: 1}  # ties: lower codes first


def test_no_org_no_accruals(tmp_path: Path) -> None:
    db = Database(tmp_path / "e.db")
    tree = ExchangeTree(tmp_path / "x")
    with pytest.raises(GenerationError, match="ТСЖ"):
        generate(db, tree, "debts", "OWN", date(2026, 11, 5))
    db.execute("INSERT INTO org (id, inn, name) VALUES (1, '5401000001', 'ТСЖ')")
    with pytest.raises(GenerationError, match="нет начислений"):
        generate(db, tree, "debts", "OWN", date(2026, 11, 5))
    assert not tree.outgoing.exists() or not list(tree.outgoing.iterdir())


def test_month_without_accruals_is_refused(env) -> None:
    db, tree = env
    with pytest.raises(GenerationError, match="за 10.2027 начислений нет.*11.2026"):
        generate(db, tree, "debts", "OWN", date(2026, 11, 5), 202710)
    with pytest.raises(GenerationError, match="за 01.2020"):
        generate(db, tree, "meters", "OWN", date(2026, 11, 5), 202001)
    assert not tree.outgoing.exists() or not list(tree.outgoing.iterdir())


def test_fast_debt_lines_match_render_row() -> None:
    from trayapp.core.formats import DebtRow, debt_line_prefix, debt_lines, render_row

    amounts = [0, 1, 9, 10, 99, 100, 101, 12345, 10**12 + 7, -1, -9, -99, -100, -101, -12345]
    prefix = debt_line_prefix("1001", "Иванов; И.И.", "Новосибирск,Ленина,1,2")
    items = [(str(i), d, a) for i, (d, a) in enumerate(zip(amounts, reversed(amounts), strict=True))]
    expected = [render_row(DebtRow("1001", "Иванов; И.И.", "Новосибирск,Ленина,1,2", c, d, a))
                for c, d, a in items]  # fmt: skip
    assert debt_lines(prefix, items) == expected


def test_the_body_being_written_is_hidden(env, monkeypatch: pytest.MonkeyPatch) -> None:
    """While a registry is written, its body's temporary file does not show in Исходящие:
    hidden by its leading dot on POSIX, by the hidden attribute on Windows (issue 20, item 20;
    the attribute is seen on the Windows runner)."""
    import contextlib
    import os
    import sys

    from trayapp.core import registry_write

    db, tree = env
    seen: list[tuple[str, bool]] = []
    real = registry_write.atomic_file

    @contextlib.contextmanager
    def watching(target: Path):  # type: ignore[no-untyped-def]
        for p in tree.outgoing.iterdir():
            if p.name.startswith(".~body."):
                if sys.platform == "win32":
                    hidden = bool(os.stat(p).st_file_attributes & 0x2)
                else:
                    hidden = p.name.startswith(".")
                seen.append((p.name, hidden))
        with real(target) as f:
            yield f

    monkeypatch.setattr(registry_write, "atomic_file", watching)
    generate(db, tree, "services", "GOROD", date(2026, 11, 5))
    assert len(seen) == 1 and seen[0][1], seen
    assert not [p for p in tree.outgoing.iterdir() if p.name.startswith(".~")]
