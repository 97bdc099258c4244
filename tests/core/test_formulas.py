"""No cell of an export or a report becomes a formula (spec/import.md, end; issue 16 item 1).

Each file is read back as written: the CSV's bytes, the .xlsx's XML (unzipped: no ``<f>``
element anywhere, the cell an inline string), the HTML's markup.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

from tests.core import registry_fixture as fx
from tests.core.test_export import NOW, accept_payments, accept_readings, db, read_csv
from tests.core.test_report import ORG, P1
from tests.core.test_validate import payments_file
from trayapp.core import cells
from trayapp.core.accept import accept
from trayapp.core.db import Database
from trayapp.core.exporter import export
from trayapp.core.folders import ExchangeTree
from trayapp.core.report import write_report

__all__ = ["db"]  # the fixture, imported

LINK = '=HYPERLINK("http://x","click")'


def sheet_xml(path: Path) -> str:
    """Every worksheet's XML of the workbook, joined."""
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist()
                       if n.startswith("xl/worksheets/") and n.endswith(".xml"))


def cell_of(xml: str, text: str) -> str:
    """The ``<c ...>`` element whose inline string is ``text`` (XML-escaped)."""
    esc = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    found = re.findall(r"<c [^>]*>(?:(?!</c>).)*?" + re.escape(esc) + r"(?:(?!</c>).)*?</c>",
                       xml, flags=re.S)
    assert found, f"no cell holds {text!r}"
    return str(found[0])


def assert_text_cell(xml: str, text: str) -> None:
    c = cell_of(xml, text)
    assert 't="inlineStr"' in c and "<is>" in c, c


def test_payment_id_that_reads_as_a_sum_is_quoted_in_csv(db: Database, tmp_path: Path) -> None:
    accept_payments(db, "Payments_20261106_001.txt", "000001", [
        ("-1-1", "2026-11-05 19:44:02", "8030001", 1, -500),
        ("@a", "2026-11-05 19:44:03", "8030001", 1, 100),
        ("+7", "2026-11-05 19:44:04", "8030001", 1, 100),
    ])
    rows = read_csv(export(db, "payments", Path("p.csv"), False, NOW, tmp_path).file)
    assert [r[2] for r in rows[1:]] == ["'-1-1", "'@a", "+7"]  # +7 is a number: as it is
    assert [r[6] for r in rows[1:]] == ["-5,00", "1,00", "1,00"]  # a negative sum stays a number


def test_serial_formula_is_text_in_readings_csv_and_xlsx(db: Database, tmp_path: Path) -> None:
    with db.transaction():
        db.execute("UPDATE meters SET serial = ? WHERE meter_id = ?", ("=1+2", "17"))
    accept_readings(db, "000002", [("r-1", "2026-11-05 09:00:00", 12000, False)])
    rows = read_csv(export(db, "readings", Path("r.csv"), True, NOW, tmp_path).file)
    assert {r[3] for r in rows[1:]} == {"'=1+2"}
    out = export(db, "readings", Path("r.xlsx"), True, NOW, tmp_path).file
    xml = sheet_xml(out)
    assert "<f>" not in xml and "<f " not in xml
    assert_text_cell(xml, "=1+2")
    ws = openpyxl.load_workbook(out).active
    assert ws["D2"].value == "=1+2" and ws["D2"].data_type == "s"
    assert ws["D2"].quotePrefix  # stays text when edited in Excel
    assert ws["F2"].value == 12 and ws["F2"].data_type == "n"  # numbers stay numbers


def test_payments_xlsx_keeps_ids_as_text(db: Database, tmp_path: Path) -> None:
    accept_payments(db, "Payments_20261106_001.txt", "000001", [
        ("-1-1", "2026-11-05 19:44:02", "8030001", 1, -500),
        ("#N/A", "2026-11-05 19:44:03", "8030001", 1, 100),
    ])
    out = export(db, "payments", Path("p.xlsx"), False, NOW, tmp_path).file
    xml = sheet_xml(out)
    assert "<f>" not in xml and 't="e"' not in xml
    assert_text_cell(xml, "-1-1")
    assert_text_cell(xml, "#N/A")
    ws = openpyxl.load_workbook(out).active
    assert [ws["C2"].value, ws["C3"].value] == ["-1-1", "#N/A"]
    assert ws["G2"].value == -5 and ws["G2"].data_type == "n"


def test_owner_formula_is_text_in_the_reports(tmp_path: Path, db_target: Path | str) -> None:
    d = fx.build(db_target)
    try:
        with d.transaction():
            d.execute("UPDATE accounts SET full_name = ? WHERE number = '1001'", (LINK,))
            d.execute("UPDATE accounts SET full_name = ? WHERE number = '1002'",
                      ("<a href='http://x'>ссылка</a> & <b>",))
        tree = ExchangeTree(tmp_path / "x").ensure()
        (tree.incoming / P1).write_bytes(payments_file([
            "-1-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026",
            "a-2;06.11.2026 08:10:59;1002;;55.00;10.2026",
        ]))
        accept(d, tree, P1, ORG, "GOROD", tmp_path / "reports", report=False)
        xlsx = write_report(d, "000001", tmp_path / "reports", xlsx=True)
        html = write_report(d, "000001", tmp_path / "reports").read_text(encoding="utf-8")
    finally:
        d.close()
    xml = sheet_xml(xlsx)
    assert "<f>" not in xml and "<f " not in xml
    assert_text_cell(xml, LINK)
    assert_text_cell(xml, "-1-1")
    ws = openpyxl.load_workbook(xlsx)["Платежи"]
    owners = [c.value for c in ws["E"] if c.value == LINK]
    assert owners == [LINK]
    assert "<a href" not in html and "&lt;a href='http://x'&gt;ссылка&lt;/a&gt; &amp; &lt;b&gt;" in html


def test_the_rule_itself() -> None:
    for text in ("=1", "+a", "-1-1", "@SUM(A1)", "\tx", "\rx", "-", "+", "=", "-1,2,3",
                 "-١٢"):  # Arabic-Indic digits are not a number to Excel
        assert cells.csv_field(text) == "'" + text
    for text in ("-5,00", "+7", "-39,100", "12", "", "a=b", "'=1", "Иванов", "-0.5"):
        assert cells.csv_field(text) == text
