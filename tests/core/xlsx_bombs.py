"""Hand-built .xlsx files for the bomb tests and the structure fuzzer: the parts of a minimal
workbook, written part by part (a large part streamed, never held whole in memory)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
# accruals: a header of shared strings 0..3, one row (shared string 4 is the account)
SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f"<worksheet {NS}><sheetData>"
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2"><v>1</v></c>'
    '<c r="C2" t="inlineStr"><is><t>10.2026</t></is></c><c r="D2"><v>1234.5</v></c></row>'
    "</sheetData></worksheet>"
)
STRINGS = ["account", "service_code", "period", "amount", "8030001"]


def shared_strings(strings: Iterable[str], doctype: str = "") -> str:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<sst {NS}>{items}</sst>'


def parts(**replace: str | bytes) -> dict[str, str | bytes]:
    """The minimal workbook's parts, some replaced (``sheet``, ``strings``...)."""
    out: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": SHEET,
        "xl/sharedStrings.xml": shared_strings(STRINGS),
    }
    names = {"sheet": "xl/worksheets/sheet1.xml", "strings": "xl/sharedStrings.xml"}
    for key, value in replace.items():
        out[names.get(key, key)] = value
    return out


def write(path: Path, book: dict[str, str | bytes],
          streamed: dict[str, Iterator[bytes]] | None = None,
          method: dict[str, int] | None = None) -> Path:  # fmt: skip
    """Write ``book``; ``streamed`` parts come as blocks (a 300 MB part never in memory)."""
    method = method or {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in book.items():
            if streamed and name in streamed:
                continue
            raw = data.encode("utf-8") if isinstance(data, str) else data
            z.writestr(name, raw, compress_type=method.get(name, zipfile.ZIP_DEFLATED))
        for name, blocks in (streamed or {}).items():
            info = zipfile.ZipInfo(name)
            info.compress_type = method.get(name, zipfile.ZIP_DEFLATED)
            with z.open(info, "w", force_zip64=True) as f:
                for block in blocks:
                    f.write(block)
    return path


def one_huge_string(size: int, head: str = "", tail: str = "") -> Iterator[bytes]:
    """A part holding ``size`` bytes of ``A`` as one text between ``head`` and ``tail``."""
    yield head.encode()
    block = b"A" * (1 << 20)
    left = size
    while left > 0:
        yield block[:left]
        left -= len(block)
    yield tail.encode()


BILLION_LAUGHS = (
    '<!DOCTYPE sst [<!ENTITY l0 "ha">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    + "]>"
)
