"""The corpus of real-world-shaped statements (``tests/data/bank/corpus``, issue 16): each
file reads as the spec says (codec, line ends, documents, incoming sum, purposes, warnings),
and imported one after the other into one database (both backends) each adds what
``expected.json`` says, the database holding every document once at the end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core import registry_fixture as fx
from trayapp.core import values as v
from trayapp.core.bank import import_statement
from trayapp.core.bank_list import held_documents
from trayapp.core.db import Database
from trayapp.core.formats.clientbank import parse
from trayapp.core.reconcile import BankTerms

CORPUS = Path(__file__).resolve().parent.parent / "data" / "bank" / "corpus"
EXPECTED: dict[str, Any] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
FILES = EXPECTED["files"]


def test_every_file_is_described() -> None:
    on_disk = sorted(p.name for p in CORPUS.glob("*.txt"))
    assert on_disk == sorted(FILES) == sorted(EXPECTED["order"])
    assert len(on_disk) >= 9
    # the shapes the issue names are all there
    codecs = {f["encoding"] for f in FILES.values()}
    assert codecs == {"cp1251", "cp866", "utf-8"}
    assert {f["line_end"] for f in FILES.values()} == {"CRLF", "LF", "CR"}


@pytest.mark.parametrize("name", sorted(FILES))
def test_each_file_reads_as_the_spec_says(name: str) -> None:
    want = FILES[name]
    data = (CORPUS / name).read_bytes()
    # the line ends are the file's own, of one kind
    single = data.replace(b"\r\n", b"")
    ends = {"CRLF": data.count(b"\r\n"), "LF": single.count(b"\n"), "CR": single.count(b"\r")}
    assert [k for k, n in ends.items() if n] == [want["line_end"]]
    s = parse(data)
    assert s.encoding == want["encoding"]
    assert len(s.documents) == want["documents"]
    if "kinds" in want:
        assert [d.kind for d in s.documents] == want["kinds"]
    incoming = s.incoming()
    assert len(incoming) == want["header_incoming"]
    assert v.format_amount(sum(d.amount for d in incoming)) == want["header_incoming_sum"]
    for number, purpose in want.get("purposes", {}).items():
        assert [d.purpose for d in s.documents if d.number == number] == [purpose]
    # the reader's own warnings; the import adds those of the sections a file repeats
    assert [f"строка: {n}, {m}" for n, m in s.warnings] == want.get(
        "read_warnings", want["import"]["warnings"])


@pytest.fixture()
def db(db_target: Path | str) -> Iterator[Database]:
    d = fx.build(db_target)
    assert fx.ORG[2] == EXPECTED["own_account"]
    yield d
    d.close()


def test_the_corpus_imported_in_order(db: Database) -> None:
    for name in EXPECTED["order"]:
        path = CORPUS / name
        got = import_statement(db, path).to_json()
        assert got == {"file": str(path), **FILES[name]["import"]}, name
    held = held_documents(db, BankTerms())
    want = EXPECTED["held"]
    assert len(held) == want["documents"]
    assert v.format_amount(sum(d.amount for d in held)) == want["sum"]
    # the order of the first file took its arrival date from the later statement
    arrival = {f"{d.number} {d.kind}": v.format_date(d.day) for d in held if d.number == "41"}
    assert arrival == want["arrival"]
    # and all of it again adds nothing
    for name in EXPECTED["order"]:
        assert import_statement(db, CORPUS / name).inserted == 0
    assert len(held_documents(db, BankTerms())) == want["documents"]
