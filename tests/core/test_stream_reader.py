"""The streaming reader reads exactly what the whole-file reader read (issue 16 item 7).

``formats.parse`` is now ``stream.Reader`` collected; ``reference_reader.py`` keeps the
whole-file reader it replaced. Both are run on the same inputs: every golden and broken
file of ``tests/data/formats``, the spec's examples, and registries hypothesis makes of
good and odd lines (headers missing, repeated or after data, empty lines, wrong field
counts, bad ids, amounts, dates, duplicate ids, bytes no encoding takes, a BOM, LF or CRLF,
empty lines at the end). The registry read, or every error with its line, must be the
same; so must the lines of ``decode``; and the file given in pieces of any size (the way
the check reads a file from disk) must read as the whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.core import reference_reader as ref
from trayapp.core.formats import moischeta
from trayapp.core.formats.stream import Fields, Reader, decode_lines, ordered, sniff_encoding
from trayapp.errors import RegistryError

DATA = Path(__file__).resolve().parent.parent / "data" / "formats"
SPEC = Path("/work/shared/spec/examples")
FILES = sorted(DATA.rglob("*.txt")) + (sorted(SPEC.glob("*.txt")) if SPEC.is_dir() else [])
ORG = "5401000001"


def _outcome(read: Any, data: bytes | str, name: str | None, org: str | None,
             coding: str | None) -> tuple[Any, ...]:  # fmt: skip
    try:
        reg = read(data, name, org, coding)
    except RegistryError as exc:
        return ("refused", list(exc.errors))
    return ("read", reg.header, reg.rows)


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def _streamed(data: bytes, name: str | None, org: str | None, coding: str | None,
              size: int) -> tuple[Any, ...]:  # fmt: skip
    """The reader fed the file in pieces of ``size`` bytes, as the check reads a file."""
    errors: list[tuple[int, str]] = []
    enc = sniff_encoding(_pieces(data, size))
    reader = Reader(decode_lines(_pieces(data, size), enc, errors), errors, name, org, coding)
    if reader.not_format:
        return ("refused", [(1, "не формат MOISCHETA/1")])
    rows = [r for r in reader.rows() if not isinstance(r, Fields)]
    if errors or reader.header is None:
        return ("refused", ordered(errors))
    return ("read", reader.header, rows)


def _same(data: bytes, name: str | None = None, org: str | None = None,
          coding: str | None = None) -> None:  # fmt: skip
    old = _outcome(ref._parse, data, name, org, coding)
    assert _outcome(moischeta._parse, data, name, org, coding) == old
    assert moischeta.decode(data) == ref.decode(data)
    for size in (1, 2, 3, 7, 64, 4096):
        assert _streamed(data, name, org, coding, size) == old, size
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    assert _outcome(moischeta._parse, text, name, org, coding) == _outcome(
        ref._parse, text, name, org, coding
    )


def _args(path: Path) -> tuple[str | None, str | None, str | None]:
    """``@name``/``@org``/``@coding`` of a broken file's ``.expected`` (golden: none)."""
    exp = path.with_suffix(".expected")
    got: dict[str, str] = {}
    if exp.is_file():
        for line in exp.read_text(encoding="utf-8").splitlines():
            if line.startswith("@"):
                key, _, value = line[1:].partition(" ")
                got[key] = value.strip()
    return got.get("name"), got.get("org"), got.get("coding")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_golden_and_broken_file_reads_as_before(path: Path) -> None:
    name, org, coding = _args(path)
    data = path.read_bytes()
    _same(data, name, org, coding)
    _same(data, path.name if name is None else name, org or ORG, coding or "GOROD")


# ------------------------------------------------------------------------------ hypothesis

HEADS = {
    "PAYMENTS": ["#TYPE PAYMENTS", "#ORG 5401000001", "#NUMBER 001", "#DATE 06.11.2026",
                 "#CODING GOROD"],
    "READINGS": ["#TYPE READINGS", "#ORG 5401000001", "#NUMBER 001", "#DATE 06.11.2026"],
}
odd_header = st.sampled_from(["#TYPE PAYMENTS", "#TYPE READINGS", "#TYPE DEBTS", "#TYPE X",
                              "#ORG 7700000000", "#ORG 12", "#NUMBER 1", "#DATE 31.02.2026",
                              "#CODING ACCOUNT", "#CODING NONE", "#ROWS x", "#X y", "#bad",
                              "#FILESUM 1,5", "#FILESUM x", "", "#PERIOD 13.2026"])
pid = st.sampled_from(["p-1", "p-2", "p-1", "", "п-1", "x" * 37, "a b", "r-1", "r-1"])
moment = st.sampled_from(["05.11.2026 10:00:00", "31.11.2026 10:00:00", "05.11.2026 24:00:00",
                          "05.11.2026", " 05.11.2026 10:00:59"])
account = st.sampled_from(["1001", "л1001", "", "1 001", "x" * 21, "8032067"])
code = st.sampled_from(["", "102", "103", " ", "\u00a0", "\x1c", "\x00", "10 2"])
amount = st.sampled_from(["", "0", "0,00", "-5", "5", "5.5", "5,55", "5.555", "1 000",
                          "9" * 13 + ".99", "9" * 14])
month = st.sampled_from(["10.2026", "13.2026", "", "10.1899"])
value = st.sampled_from(["1", "1.5", "1,25", "1.2345", "-1", "", "x"])
pay_line = st.tuples(pid, moment, account, code, amount, month).map(";".join)
read_line = st.tuples(pid, moment, account, st.sampled_from(["m1", "", "м 2"]),
                      st.sampled_from(["s1", "", "S-9"]), value).map(";".join)
odd_line = st.one_of(st.sampled_from(["", "#ROWS 1", "a;b", "1;2;3;4;5;6;7", ";;;;;", " "]),
                     st.text("аб;1.,# \t\x00", max_size=12))
line = st.one_of(pay_line, pay_line, read_line, odd_line)


@st.composite
def registry(draw: Any) -> tuple[bytes, str | None, str | None, str | None]:
    kind = draw(st.sampled_from(["PAYMENTS", "READINGS"]))
    head = list(HEADS[kind])
    if draw(st.booleans()):
        head = draw(st.lists(st.one_of(st.sampled_from(head), odd_header), max_size=8))
    rows = draw(st.lists(line, max_size=8))
    count = draw(st.one_of(st.just(str(len(rows))), st.sampled_from(["0", "x", "99"])))
    total = draw(st.sampled_from(["5.00", "10.00", "0.00", "15.50"]))
    tail = ["#ROWS " + count] + (["#FILESUM " + total] if kind == "PAYMENTS" else [])
    first = draw(st.sampled_from(["#FORMAT MOISCHETA/1", "#FORMAT MOISCHETA/1 ", "FORMAT"]))
    end = draw(st.sampled_from(["\r\n", "\n"]))
    text = end.join([first] + head + tail + rows) + end * draw(st.integers(0, 3))
    how = draw(st.sampled_from(["cp1251", "utf-8", "bom"]))
    data = text.encode("utf-8" if how != "cp1251" else "cp1251", errors="replace")
    if how == "bom":
        data = b"\xef\xbb\xbf" + data
    if draw(st.booleans()):  # a byte no encoding of the file takes
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\x98", b"\xff", b"\xd0"])) + data[at:]
    name = draw(st.sampled_from([None, f"{kind.title()}_20261106_001.txt",
                                 "Payments_20261106_001.txt"]))
    org = draw(st.sampled_from([None, ORG]))
    coding = draw(st.sampled_from([None, "GOROD", "ACCOUNT"]))
    return data, name, org, coding


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=registry())
@example(case=(b"#FORMAT MOISCHETA/1\r\n#TYPE PAYMENTS\r\n\r\n\r\n", None, None, None))
@example(case=(b"\xef\xbb", None, None, None))
@example(case=(b"", None, None, None))
@example(case=("#FORMAT MOISCHETA/1\n#TYPE X\n1;2\nВ«\n".encode(), None, None, None))
def test_streaming_reader_is_the_whole_file_reader(
    case: tuple[bytes, str | None, str | None, str | None],
) -> None:
    _same(*case)


def test_a_registry_in_pieces_holds_no_more_than_a_piece() -> None:
    """The reader pulls the lines as it yields rows: after the first row, only the first
    piece of a large file has been read (nothing is read ahead to the end)."""
    head = "#FORMAT MOISCHETA/1\r\n#TYPE READINGS\r\n#ORG 5401000001\r\n#NUMBER 001\r\n" \
           "#DATE 06.11.2026\r\n#ROWS 100000\r\n"  # fmt: skip
    body = "".join(f"r-{i};05.11.2026 10:00:00;1001;m1;s1;{i}\r\n" for i in range(100_000))
    data = (head + body).encode("cp1251")
    taken = []

    def pieces() -> Iterator[bytes]:
        for p in _pieces(data, 65536):
            taken.append(len(p))
            yield p

    errors: list[tuple[int, str]] = []
    rows = Reader(decode_lines(pieces(), "cp1251", errors), errors).rows()
    first = next(rows)
    assert not isinstance(first, Fields) and first.line == 7
    assert len(taken) == 1
    assert sum(1 for _ in rows) == 99_999 and not errors
