"""The emulator's answers (Ack_<name>) to uploaded registries: OK and ERROR with every reason."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.emulator.helpers import ORG, Client, example
from trayapp.core import formats
from trayapp.core.formats import Registry
from trayapp.emulator import Emulator

DEBTS = "Debts_20261105_001.txt"


def _ack(client: Client, name: str) -> tuple[bytes, Registry]:
    r = client.get("Ack_" + name)
    assert r.status_code == 200, client.names()
    return r.content, formats.parse(r.content, name="Ack_" + name, org=ORG)


def test_ok_answer_to_the_example_debts_is_the_example_ack(client: Client) -> None:
    assert client.put(DEBTS, example(DEBTS)).status_code == 201
    data, ack = _ack(client, DEBTS)
    expected = example("Ack_" + DEBTS).replace(
        b"#DATE 05.11.2026", f"#DATE {date.today():%d.%m.%Y}".encode()
    )
    assert data == expected  # cp1251, CRLF, same header order
    h = ack.header
    assert (h.status, h.file, h.answered_rows, h.answered_sum, h.number) == (
        "OK",
        DEBTS,
        4,
        215040,
        1,
    )


@pytest.mark.parametrize("name", ["Services_20261105_001.txt", "Meters_20261105_001.txt"])
def test_ok_answer_to_services_and_meters(client: Client, name: str) -> None:
    assert client.put(name, example(name)).status_code == 201
    _, ack = _ack(client, name)
    rows = formats.parse(example(name)).header.rows
    assert (ack.header.status, ack.header.answered_rows, ack.header.answered_sum) == (
        "OK",
        rows,
        None,
    )
    assert ack.rows == []


def test_error_answer_lists_every_reason_and_line(client: Client) -> None:
    text = example(DEBTS).decode("cp1251")
    text = text.replace(";800.00;800.00", ";abc;800.00")  # line 11, and the sum no longer matches
    text = text.replace("2002;", "20 02;")  # line 14: not an account
    broken = formats.encode(text)
    assert client.put(DEBTS, broken).status_code == 201
    _, ack = _ack(client, DEBTS)
    assert ack.header.status == "ERROR"
    assert ack.header.answered_rows is None and ack.header.answered_sum is None
    got = [(r.line, r.message) for r in ack.rows]  # type: ignore[union-attr]
    assert got == [
        (11, "неверная сумма: abc"),
        (14, "неизв.лиц.счёт: 20 02"),
        (0, "#FILESUM 2150.40, сумма строк 1350.40"),
    ]
    # the answer as bytes: cp1251, the messages as the spec writes them
    data = client.get(f"Ack_{DEBTS}").content
    assert "неверная сумма: abc".encode("cp1251") in data and b"\r\n" in data
    assert "неизв.лиц.счёт: 20 02".encode("cp1251") in data
    assert ack.header.rows == 3
    assert ack.header.org == ORG
    assert not [n for n in client.names() if n.startswith("Payments_")]  # owners wait for OK


def test_rows_mismatch_and_type_mismatch(client: Client) -> None:
    text = example(DEBTS).decode("cp1251").replace("#ROWS 4", "#ROWS 5")
    name = "Meters_20261105_002.txt"  # a Debts registry under a Meters name
    assert client.put(name, formats.encode(text)).status_code == 201
    _, ack = _ack(client, name)
    got = [(r.line, r.message) for r in ack.rows]  # type: ignore[union-attr]
    assert got == [(2, "тип #TYPE DEBTS не совпадает с именем файла"), (0, "#ROWS 5, строк 4")]


def test_not_our_format_is_answered_with_the_last_known_org(client: Client) -> None:
    assert (
        client.put("Services_20261105_001.txt", example("Services_20261105_001.txt")).status_code
        == 201
    )
    assert client.put(DEBTS, b"account;debt\r\n1;2\r\n").status_code == 201
    _, ack = _ack(client, DEBTS)
    assert ack.header.status == "ERROR" and ack.header.org == ORG
    assert [(r.line, r.message) for r in ack.rows] == [(1, "не формат MOISCHETA/1")]  # type: ignore[union-attr]


def test_with_org_a_foreign_registry_is_refused(tmp_path: Path) -> None:
    with Emulator(tmp_path, org="5401000002") as e:
        c = Client(e.url)
        assert c.put(DEBTS, example(DEBTS)).status_code == 201
        r = c.get("Ack_" + DEBTS)
        ack = formats.parse(r.content, org="5401000002")
        assert ack.header.status == "ERROR" and ack.header.org == "5401000002"
        assert [(x.line, x.message) for x in ack.rows] == [(0, "чужой реестр: ИНН 5401000001")]  # type: ignore[union-attr]
        assert c.names() == ["Ack_" + DEBTS]
        c.close()


def test_with_org_our_registry_is_accepted(tmp_path: Path) -> None:
    with Emulator(tmp_path, org=ORG, residents=False) as e:
        c = Client(e.url)
        assert c.put(DEBTS, example(DEBTS)).status_code == 201
        assert formats.parse(c.get("Ack_" + DEBTS).content).header.status == "OK"
        assert c.names() == ["Ack_" + DEBTS]  # no owners
        c.close()


def test_a_client_answer_is_stored_and_not_answered(emu: Emulator, client: Client) -> None:
    name = "Ack_Payments_20261106_002.txt"
    assert client.put(name, example(name)).status_code == 201
    assert (emu.data_dir / "outbox" / name).read_bytes() == example(name)
    assert client.names() == []


def test_a_repeated_upload_is_answered_once(client: Client) -> None:
    assert client.put(DEBTS, example(DEBTS)).status_code == 201
    before = client.names()
    assert client.delete("Ack_" + DEBTS).status_code == 204
    assert client.put(DEBTS, example(DEBTS)).status_code == 200
    assert client.names() == [n for n in before if not n.startswith("Ack_")]


def test_an_upload_left_unanswered_is_answered_at_the_next_start(tmp_path: Path) -> None:
    (tmp_path / "outbox").mkdir(parents=True)
    (tmp_path / "outbox" / DEBTS).write_bytes(example(DEBTS))  # stored, then a crash
    with Emulator(tmp_path, residents=False) as e:
        c = Client(e.url)
        assert c.names() == ["Ack_" + DEBTS]
        c.close()
    with Emulator(tmp_path, residents=False) as e:  # and only once
        c = Client(e.url)
        assert c.delete("Ack_" + DEBTS).status_code == 204
        c.close()
    with Emulator(tmp_path, residents=False) as e:
        c = Client(e.url)
        assert c.names() == []
        c.close()
