"""Spreadsheet bombs (issue 16 item 2): each read as the import reads it, in a child process
whose address space is capped (``RLIMIT_AS``), so that a regression fails here instead of
taking the machine. A real 100,000-row workbook loads under the same cap."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.core import xlsx_bombs as xb

resource = pytest.importorskip("resource")

CAP = 1 << 30  # 1 GiB of address space: the child, openpyxl and a 100,000-row sheet fit

CHILD = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    from pathlib import Path
    from trayapp.core.table_read import open_source
    from trayapp.errors import AppError
    try:
        with open_source(Path(sys.argv[1])) as source:
            part = next(source.parts())
            rows = sum(1 for _ in source.table(part, 1))
    except AppError as exc:
        print("refused:", exc.message)
    except MemoryError:
        print("memory")
    else:
        print("ok", rows)
""")


def read_capped(path: Path) -> str:
    r = subprocess.run([sys.executable, "-c", CHILD.format(cap=CAP), str(path)],
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    return (r.stdout.strip() or f"exit {r.returncode}: {r.stderr.strip()[-300:]}")


def test_the_minimal_workbook_reads(tmp_path: Path) -> None:
    assert read_capped(xb.write(tmp_path / "ok.xlsx", xb.parts())) == "ok 1"


def test_shared_strings_that_unpack_to_1_5_gb(tmp_path: Path) -> None:
    """More than the cap: without the guard the child runs out of memory (MemoryError)."""
    book = xb.write(tmp_path / "bomb.xlsx", xb.parts(), streamed={
        "xl/sharedStrings.xml": xb.one_huge_string(
            1536 << 20, xb.shared_strings(xb.STRINGS)[:-6] + "<si><t>", "</t></si></sst>")})
    assert book.stat().st_size < 2 << 20  # under two megabytes packed
    out = read_capped(book)
    assert out.startswith("refused: Файл bomb.xlsx не принят: часть xl/sharedStrings.xml "
                          "распаковывается в 1 536 МБ, допустимо до 100 МБ"), out


def test_one_cell_of_200_mb_in_a_sheet(tmp_path: Path) -> None:
    head = xb.SHEET.split("</sheetData>")[0] + '<row r="3"><c r="A3" t="inlineStr"><is><t>'
    book = xb.write(tmp_path / "cell.xlsx", xb.parts(), streamed={
        "xl/worksheets/sheet1.xml": xb.one_huge_string(
            200 << 20, head, "</t></is></c></row></sheetData></worksheet>")})
    out = read_capped(book)
    assert out.startswith("refused: Файл cell.xlsx не принят: часть xl/worksheets/sheet1.xml "
                          "сжата в "), out


def test_a_cell_longer_than_excel_allows(tmp_path: Path) -> None:
    """Stored, not packed: no ratio gives it away, only its length."""
    for n, want in ((32_767, "ok 1"), (32_768, "refused")):
        strings = xb.STRINGS[:4] + ["8030001"] + ["Я" * n]
        book = xb.write(tmp_path / f"long{n}.xlsx", xb.parts(strings=xb.shared_strings(strings)),
                        method={"xl/sharedStrings.xml": zipfile.ZIP_STORED})  # fmt: skip
        out = read_capped(book)
        assert out.startswith(want), (n, out)
    assert "текст длиннее 32 767 знаков (предел ячейки Excel)" in out


def test_billion_laughs_refused_in_russian(tmp_path: Path) -> None:
    strings = xb.shared_strings(xb.STRINGS[:4] + ["&l9;"], doctype=xb.BILLION_LAUGHS)
    out = read_capped(xb.write(tmp_path / "laughs.xlsx", xb.parts(strings=strings)))
    assert out.startswith("refused: Файл laughs.xlsx не принят: часть xl/sharedStrings.xml "
                          "объявляет DTD"), out
    assert "amplification" not in out and "entity" not in out


def test_external_entity_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-0123", encoding="utf-8")
    doctype = f'<!DOCTYPE sst [<!ENTITY e SYSTEM "file://{secret}">]>'
    strings = xb.shared_strings(xb.STRINGS[:4] + ["&e;"], doctype=doctype)
    out = read_capped(xb.write(tmp_path / "xxe.xlsx", xb.parts(strings=strings)))
    assert out.startswith("refused: Файл xxe.xlsx не принят: часть xl/sharedStrings.xml "
                          "объявляет DTD"), out
    assert "SECRET" not in out


def test_a_utf16_part_is_refused(tmp_path: Path) -> None:
    """A DTD in UTF-16 would pass a scan for the UTF-8 bytes of «<!DOCTYPE»."""
    strings = xb.shared_strings(xb.STRINGS[:4] + ["&l9;"], doctype=xb.BILLION_LAUGHS)
    strings = strings.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    book = xb.parts(strings=b"\xff\xfe" + strings.encode("utf-16-le"))
    out = read_capped(xb.write(tmp_path / "utf16.xlsx", book))
    assert out.startswith("refused: Файл utf16.xlsx не принят: часть xl/sharedStrings.xml "
                          "записана не в UTF-8"), out


def test_ten_thousand_and_one_parts(tmp_path: Path) -> None:
    book = xb.parts(**{f"xl/media/p{i}.bin": b"" for i in range(10_001)})
    out = read_capped(xb.write(tmp_path / "parts.xlsx", book))
    assert out.startswith("refused: Файл parts.xlsx не принят: в книге 10 007 частей, допустимо "
                          "до 10 000"), out


def test_a_part_packed_by_lzma(tmp_path: Path) -> None:
    book = xb.write(tmp_path / "lzma.xlsx", xb.parts(),
                    method={"xl/sharedStrings.xml": zipfile.ZIP_LZMA})
    out = read_capped(book)
    assert out.startswith("refused: Файл lzma.xlsx не принят: часть xl/sharedStrings.xml сжата "
                          "способом, которого Excel не использует"), out


def test_a_real_100000_row_workbook_still_loads(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["Лицевой счёт", "Код услуги", "Период", "Сумма"])
    for i in range(100_000):
        ws.append([f"{1_000_000 + i}", 1 + i % 7, "10.2026", 1234.5 + i % 100])
    path = tmp_path / "accruals.xlsx"
    wb.save(path)
    assert read_capped(path) == "ok 100000"


def test_sizes_over_the_whole_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trayapp.core import xlsx_guard
    from trayapp.errors import AppError

    path = xb.write(tmp_path / "total.xlsx", xb.parts())
    total = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    monkeypatch.setattr(xlsx_guard, "MAX_TOTAL", total - 1)
    with pytest.raises(AppError, match="книга распаковывается в"):
        xlsx_guard.check(path)
    monkeypatch.setattr(xlsx_guard, "MAX_TOTAL", total)
    xlsx_guard.check(path)


# ---------------------------------------------------------------------- found by the fuzzer


def _import(path: Path) -> str:
    from tests.fuzz.readers import TableReader

    return TableReader("accruals", ".xlsx")(path.read_bytes(), lines=1_048_576)


def test_a_shared_string_index_beyond_the_list(tmp_path: Path) -> None:
    """openpyxl's IndexError escaped as «Внутренняя ошибка», in the head or further down."""
    bad = '<row r="{n}"><c r="A{n}" t="s"><v>99</v></c></row>'
    for at in (2, 500):
        rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>4</v></c></row>' for n in range(3, at))
        sheet = xb.SHEET.replace("</sheetData>", rows + bad.format(n=at) + "</sheetData>")
        path = xb.write(tmp_path / f"index{at}.xlsx", xb.parts(sheet=sheet))
        assert _import(path) == "refused"


def test_junk_after_the_sheet_element(tmp_path: Path) -> None:
    """ElementTree's ParseError (a SyntaxError) escaped likewise."""
    path = xb.write(tmp_path / "junk.xlsx", xb.parts(sheet=xb.SHEET + "<x/>"))
    assert _import(path) == "refused"
