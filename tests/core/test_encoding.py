"""The encoding rule of formats.md, applied by the registry reader and the table reader alike:
UTF-8 when a BOM, or strict UTF-8 that holds a Cyrillic letter (U+0400–U+04FF) once decoded;
otherwise cp1251. A short cp1251 text such as ``В«`` is valid UTF-8 (``«``) but has no
Cyrillic letter that way: it is cp1251."""

from __future__ import annotations

import io

from hypothesis import example, given, settings
from hypothesis import strategies as st

from trayapp.core import tables
from trayapp.core.formats import decode

# every character cp1251 has (but the control ones and 0x98, which it lacks)
CP1251 = "".join(
    c for c in bytes(range(0x20, 0x100)).decode("cp1251", errors="ignore") if c != "\x7f"
)
CYR = "".join(chr(c) for c in range(0x410, 0x450)) + "Ёё"


def sniff(data: bytes) -> str:
    return tables.sniff_encoding(io.BytesIO(data))[0]


def test_short_cp1251_that_is_valid_utf8_is_cp1251() -> None:
    data = "В«".encode("cp1251")
    assert data == b"\xc2\xab" and data.decode("utf-8") == "«"
    assert decode(b"#FORMAT MOISCHETA/1\r\n" + data + b"\r\n")[0][1] == "В«"
    assert sniff(b"name\r\n" + data + b"\r\n") == "cp1251"


def test_utf8_with_a_cyrillic_letter_or_a_bom_is_utf8() -> None:
    assert decode("строка «Берёзка»\n".encode())[0] == ["строка «Берёзка»"]
    assert sniff("name\nБерёзка\n".encode()) == "utf-8"
    assert decode(b"\xef\xbb\xbf" + "«»".encode())[0] == ["«»"]
    assert sniff(b"\xef\xbb\xbf" + "«»".encode()) == "utf-8-sig"


def test_utf8_without_a_cyrillic_letter_is_read_as_cp1251() -> None:
    data = "«№»".encode()  # strict UTF-8, no Cyrillic letter: the rule says cp1251
    assert decode(data)[0] == [data.decode("cp1251")]
    assert sniff(data) == "cp1251"


def expected(data: bytes) -> str:
    """The rule, written again here from formats.md."""
    try:
        as_utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251")
    return as_utf8 if any("\u0400" <= c <= "\u04ff" for c in as_utf8) else data.decode("cp1251")


@settings(max_examples=300, deadline=None)
@given(st.text(CP1251.replace("\r", ""), min_size=1, max_size=12))
@example("В«")
@example("Р±")  # cp1251 bytes D0 B1 are UTF-8 «б»: the one case the rule reads as UTF-8
@example("ТСЖ «Берёзка»")
def test_any_cp1251_text_reads_by_the_rule(text: str) -> None:
    data = text.encode("cp1251")
    assert decode(data + b"\n")[0] == [expected(data)]
    assert sniff(b"h\n" + data) == ("utf-8" if expected(data) != data.decode("cp1251")
                                     else "cp1251")


@settings(max_examples=300, deadline=None)
@given(st.text(CP1251.replace("\r", "").replace("\n", ""), max_size=10),
       st.text("абвгдежзийклмнопрстуфхцчшщъыьэюя", min_size=2, max_size=6))
def test_russian_words_in_cp1251_read_back_exactly(other: str, word: str) -> None:
    """Two Cyrillic letters in a row are never UTF-8 in cp1251 bytes: real text is safe."""
    text = other + word
    assert decode(text.encode("cp1251"))[0] == [text]
    assert sniff(b"h\n" + text.encode("cp1251")) == "cp1251"


@settings(max_examples=300, deadline=None)
@given(st.text(CP1251.replace("\r", ""), max_size=8), st.sampled_from(CYR),
       st.text(CP1251.replace("\r", ""), max_size=8))
def test_any_utf8_text_with_cyrillic_reads_back(before: str, letter: str, after: str) -> None:
    text = before + letter + after
    data = text.encode("utf-8")
    assert decode(data)[0] == [text]
    assert sniff(data) == "utf-8"
