"""A fuzz target for the structure of an .xlsx (issue 16 item 2): parts, sizes, XML.

Byte flips of a zip mostly give a zip that does not open; this target mutates the workbook
itself and zips it again. Its input is any bytes, used as the seed of the choices (so the
common harness, which mutates bytes, drives it): which parts to drop, add, rename, repack
(stored, deflated, bzip2, lzma), which XML to mutate with the byte mutator, a DTD (billion
laughs, an external entity, an internal one) put in, a part in UTF-16, a cell of about
Excel's 32,767-character limit, many rows, many shared strings, and the zip directory's
sizes told wrong. The workbook is then imported as accruals (``TableReader``): records, or an
``AppError`` of ours; anything else is a bug.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile

from tests.core import xlsx_bombs as xb
from tests.fuzz.mutator import mutate

METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
EXTRA_NAMES = ("xl/media/image1.png", "xl/worksheets/sheet2.xml", "customXml/item1.xml",
               "xl/styles.xml", "xl/theme/theme1.xml", "docProps/core.xml",
               "xl/sharedStrings.xml", "[Content_Types].xml", "../evil.xml", "/abs.xml",
               "xl/worksheets/_rels/sheet1.xml.rels")  # fmt: skip
DTDS = (xb.BILLION_LAUGHS, '<!DOCTYPE sst [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE sst [<!ENTITY e "x">]>', "<!DOCTYPE sst>",
        '<!DOCTYPE sst SYSTEM "http://127.0.0.1:9/x.dtd">')  # fmt: skip


def _rows(rng: random.Random) -> str:
    n = rng.choice((1, 2, 10, 200, 1000))
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>4</v></c><c r="B{r}"><v>{rng.randint(-5, 9)}</v></c>'
        f'<c r="C{r}" t="inlineStr"><is><t>10.2026</t></is></c><c r="D{r}"><v>1.5</v></c></row>'
        for r in range(2, n + 2)
    )
    return xb.SHEET.replace('<row r="2">', rows + '<row r="999999">', 1)


def _strings(rng: random.Random) -> list[str]:
    strings = list(xb.STRINGS)
    what = rng.randrange(4)
    if what == 0:
        strings.append("Я" * rng.choice((32_767, 32_768, rng.randint(1, 70_000))))
    elif what == 1:
        strings += [f"s{i}" for i in range(rng.choice((10, 1000, 5000)))]
    elif what == 2:
        strings[4] = rng.choice(("&amp;" * 7_000, "&#1071;" * 33_000, "<b>", "&e;", "&l9;"))
    return strings


def _lie_about_sizes(rng: random.Random, data: bytes) -> bytes:
    """The central directory's (and a local header's) uncompressed size of a part, wrong."""
    out = bytearray(data)
    for sig, at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        starts = [i for i in range(len(out)) if out.startswith(sig, i)]
        if starts:
            i = rng.choice(starts) + at
            size = rng.choice((0, 1, 2**31, 2**32 - 1, rng.randrange(2**32)))
            out[i:i + 4] = struct.pack("<I", size)
    return bytes(out)


def build(rng: random.Random) -> bytes:
    book: dict[str, bytes] = {k: v.encode() if isinstance(v, str) else v
                              for k, v in xb.parts().items()}  # fmt: skip
    method: dict[str, int] = {}
    for _ in range(int(rng.expovariate(0.7)) + (1 if rng.random() < 0.95 else 0)):
        op = rng.randrange(11)
        name = rng.choice(sorted(book)) if book else "xl/workbook.xml"
        if op == 0:
            book[name] = mutate(rng, [book.get(name, b"")])
        elif op == 1:
            book.pop(name, None)
        elif op == 2:
            book[rng.choice(EXTRA_NAMES)] = rng.choice(list(book.values()) or [b""])
        elif op == 3:
            book[rng.choice(EXTRA_NAMES)] = book.pop(name, b"")
        elif op == 4:
            method[name] = rng.choice(METHODS)
        elif op == 5:
            text = book.get(name, b"")
            cut = text.find(b"?>") + 2 if b"?>" in text else 0
            book[name] = text[:cut] + rng.choice(DTDS).encode() + text[cut:]
        elif op == 6:
            book[name] = b"\xff\xfe" + book.get(name, b"").decode("utf-8", "replace").replace(
                'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
        elif op == 7:
            book["xl/sharedStrings.xml"] = xb.shared_strings(_strings(rng)).encode()
        elif op == 8:
            book["xl/worksheets/sheet1.xml"] = _rows(rng).encode()
        elif op == 9:
            for i in range(rng.choice((5, 50, 300))):
                book[f"xl/media/p{i}.bin"] = b""
        else:
            book[name] = book.get(name, b"") * rng.randint(2, 40)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in book.items():
            z.writestr(name, data, compress_type=method.get(name, zipfile.ZIP_DEFLATED))
    data = buf.getvalue()
    if rng.random() < 0.1:
        data = _lie_about_sizes(rng, data)
    return data


def build_intact() -> bytes:
    """The workbook as it is (the empty input: a correct seed)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in xb.parts().items():
            z.writestr(name, data)
    return buf.getvalue()


class XlsxStructureReader:
    """Import as accruals of a workbook built from the input's choices."""

    def __init__(self) -> None:
        from tests.fuzz.readers import TableReader

        self.table = TableReader("accruals", ".xlsx")

    def __call__(self, data: bytes) -> str:
        # an error's line is a sheet row: bounded by Excel's rows, not the zip's line breaks
        book = build(random.Random(data)) if data else build_intact()
        return self.table(book, lines=EXCEL_ROWS)


EXCEL_ROWS = 1_048_576
SEEDS = [b"", b"seed", b"\x00" * 8, bytes(range(32))]
