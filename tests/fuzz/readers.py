"""Every reader of outside input, wrapped for fuzzing: the inner functions, not the wrappers.

``formats.parse`` turns an internal exception into «не формат MOISCHETA/1 (...)», which would
hide a bug from a fuzzer looking for crashes; so the registries are read with
``moischeta._parse``, and the table import with ``tables.open_table`` + ``importer._import``
(``import_file`` wraps OSError and UnicodeDecodeError). Each reader takes bytes and returns
"ok" or "refused"; anything else it raises is a bug, and so is a refusal whose errors are not
``(line, text)`` with the line within the file. ``SEEDS`` are correct and broken inputs of each.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from trayapp.core import importer, tables
from trayapp.core.db import Database
from trayapp.core.formats import clientbank, moischeta
from trayapp.core.import_locate import locate
from trayapp.errors import AppError, ImportFileError, RegistryError, SettingsError

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "data" / "formats"


class Bug(Exception):
    """What a reader must never do."""


def _lines(data: bytes) -> int:
    return data.count(b"\n") + data.count(b"\r") + 2


def check_errors(errors: Any, data: bytes, what: str, lines: int | None = None) -> None:
    if not isinstance(errors, list) or not errors:
        raise Bug(f"{what}: refused without errors: {errors!r}")
    for e in errors:
        if not (isinstance(e, tuple) and len(e) == 2 and isinstance(e[0], int)
                and isinstance(e[1], str) and e[1]):
            raise Bug(f"{what}: an error not (line, text): {e!r}")
        most = _lines(data) if lines is None else lines
        if not 0 <= e[0] <= most:
            raise Bug(f"{what}: line {e[0]} outside the file ({most} lines)")


# ----------------------------------------------------------------------------- registries

REGISTRY_NAMES = {
    "SERVICES": "Services_20261105_001.txt", "DEBTS": "Debts_20261105_001.txt",
    "METERS": "Meters_20261105_001.txt", "PAYMENTS": "Payments_20261106_001.txt",
    "READINGS": "Readings_20261106_001.txt", "ACK": "Ack_Debts_20261105_001.txt",
}


def registry_reader(kind: str) -> Callable[[bytes], str]:
    name = REGISTRY_NAMES[kind]

    def read(data: bytes) -> str:
        try:
            moischeta._parse(data, name, None, None)
        except RegistryError as exc:
            check_errors(exc.errors, data, kind)
            return "refused"
        return "ok"

    return read


def registry_seeds(kind: str) -> list[bytes]:
    prefix = REGISTRY_NAMES[kind].split("_")[0].lower() if kind != "ACK" else "ack"
    found = [p.read_bytes() for p in sorted((FORMATS / "good").glob("*.txt"))
             if p.name.lower().startswith(prefix)]
    broken = [p.read_bytes() for p in sorted((FORMATS / "broken").glob("*.txt"))]
    typ = f"#TYPE {kind}".encode()
    return found + [b for b in broken if typ in b][:6] or found


# ----------------------------------------------------------------------------- tables

BASE = {
    "org": "inn;name;kpp;bank_account;bik;address\n5401000001;ТСЖ «Берёзка»;540101001;"
           "40703810000000000001;045004774;г. Новосибирск\n",
    "providers": "inn;name;bank_account;bik\n5401000002;АО «Теплосеть»;40702810000000000008;"
                 "045004774\n",
    "services": "code;name;unit;gorod_code;sber_code;provider_inn;metered\n1;Содержание;м2;101;"
                "11;;0\n3;Холодная вода;м3;;13;5401000002;1\n",
    "accounts": "account;full_name;settlement;street;house;premise;premise_kind;area;opened;"
                "closed\n8030001;Иванов Иван;г. Новосибирск;ул. Титова;12;1;квартира;54,3;"
                "01.02.2015;\n8030002;Петрова Анна;;ул. Титова;12;2;;40.5;;\n",
    "meters": "meter_id;account;service_code;serial;installed;initial_reading;removed\n"
              "17;8030001;3;ХВ-1;01.03.2021;10;\n",
}
TABLE_SEEDS = {
    "accruals": ["account;service_code;period;amount\n8030001;1;10.2026;1 234,50\n"
                 "8030002;3;10.2026;-3,00\n8030002;1;09.2026;5\n",
                 "Лицевой счёт;Код услуги;Период;Сумма\n8030001;1;10.2026;12.5\n"],
    "payments": ["account;service_code;paid_on;amount;source;reference\n"
                 "8030001;1;05.10.2026;100;Сбербанк;R1\n8030002;;06.10.2026;-5;касса;\n"],
    "accounts": [BASE["accounts"]],
    "readings": ["meter_id;taken_on;value\n17;25.10.2026;11,5\n17;25.11.2026;12\n"],
    "meters": [BASE["meters"]],
    "balances": ["account,service_code,amount\n8030001,1,\"5,00\"\n"],
}


class TableReader:
    """Table import of one kind into a database loaded once (a refusal writes nothing)."""

    def __init__(self, kind: str, suffix: str = ".csv") -> None:
        self.kind = kind
        self.dir = Path(tempfile.mkdtemp(prefix="fuzz-"))
        self.db = Database(self.dir / "b.db")
        for k in ("org", "providers", "services", "accounts", "meters"):
            p = self.dir / f"{k}.csv"
            p.write_bytes(BASE[k].encode("cp1251"))
            importer.import_file(self.db, k, p)
        self.path = self.dir / f"input{suffix}"

    def __call__(self, data: bytes, lines: int | None = None) -> str:
        self.path.write_bytes(data)
        try:
            with tables.open_source(self.path) as source:
                found = locate(source, self.kind)
                if found.part is None or found.errors:
                    raise ImportFileError(self.path.name, found.errors)
                table = source.table(found.part, found.header_line)
                importer._import(self.db, self.kind, table, self.path, found=found)
        except ImportFileError as exc:
            check_errors(exc.errors, data, self.kind, lines)
            return "refused"
        except AppError:
            return "refused"
        return "ok"


def table_seeds(kind: str) -> list[bytes]:
    out = []
    for text in TABLE_SEEDS[kind]:
        out += [text.encode("cp1251"), b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()]
    return out


# ----------------------------------------------------------------------------- xlsx

CELL_KINDS = ("str", "int", "float", "date", "datetime", "bool", "none")


def xlsx_bytes(header: list[Any], rows: list[list[Any]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_seeds() -> list[bytes]:
    return [xlsx_bytes(["account", "service_code", "period", "amount"],
                       [["8030001", 1, datetime(2026, 10, 1), 1234.5],
                        ["8030002", "3", "10.2026", "12,30"]]),
            xlsx_bytes(["Лицевой счёт", "Услуга", "Месяц", "Сумма"],
                       [[8030001, 1.0, date(2026, 9, 1), 5]])]


# ----------------------------------------------------------------------------- settings


class SettingsReader:
    def __init__(self) -> None:
        from trayapp.paths import AppPaths

        self.dir = Path(tempfile.mkdtemp(prefix="fuzz-settings-"))
        self.paths = AppPaths(self.dir, self.dir / "data", self.dir / "logs")

    def __call__(self, data: bytes) -> str:
        from trayapp import settings

        self.paths.settings_file.write_bytes(data)
        try:
            settings.load(self.paths)
        except SettingsError as exc:
            if not exc.message:
                raise Bug("a settings error without a message") from exc
            return "refused"
        return "ok"


SETTINGS_SEEDS = [
    b'{"coding": "GOROD", "server_url": "https://moischeta.ru/api", "login": "tsj",'
    b' "verbose": true, "folder": "D:\\\\\xd0\x9e\xd0\xb1\xd0\xbc\xd0\xb5\xd0\xbd"}',
    b'\xef\xbb\xbf{"bank_fee_percent": "1.5", "bank_days": 7, "bank_agent_inn": "5401000009"}',
    b'{"coding": "OWN", "verbose": 0, "unknown": [1, 2]}',
]


# ----------------------------------------------------------------------------- bank

BANK_SEED = """1CClientBankExchange
ВерсияФормата=1.03
Кодировка=Windows
Отправитель=Бухгалтерия предприятия
Получатель=
ДатаСоздания=07.11.2026
ДатаНачала=01.11.2026
ДатаКонца=07.11.2026
РасчСчет=40703810000000000001
СекцияРасчСчет
ДатаНачала=01.11.2026
ДатаКонца=07.11.2026
РасчСчет=40703810000000000001
НачальныйОстаток=0.00
ВсегоПоступило=1710.00
ВсегоСписано=0
КонечныйОстаток=1710.00
КонецРасчСчет
СекцияДокумент=Платежное поручение
Номер=512
Дата=06.11.2026
Сумма=1710.00
ПлательщикСчет=40702810900000000123
ПлательщикИНН=5406000000
Плательщик1=ООО «Новотелеком»
ПолучательСчет=40703810000000000001
ПолучательИНН=5401000001
Получатель1=ТСЖ «Берёзка»
ДатаПоступило=06.11.2026
НазначениеПлатежа=Перевод по реестру № 001 от 06.11.2026
НазначениеПлатежа1=без НДС
КонецДокумента
КонецФайла
"""


def bank_reader(data: bytes) -> str:
    try:
        s = clientbank.parse(data)
    except clientbank.StatementError as exc:
        check_errors(exc.errors, data, "bank")
        return "refused"
    if s.warnings:  # each names a line of the file, as an error does
        check_errors(list(s.warnings), data, "bank warnings")
    return "ok"


def bank_seeds() -> list[bytes]:
    return [BANK_SEED.replace("\n", "\r\n").encode("cp1251"),
            BANK_SEED.replace("Windows", "DOS").replace("«", "\"").replace("»", "\"").encode("cp866"),
            b"\xef\xbb\xbf" + BANK_SEED.encode("utf-8")]


def all_readers() -> dict[str, tuple[Callable[[bytes], str], list[bytes]]]:
    """name -> (reader, seeds): the six registry types, five table kinds (CSV), .xlsx,
    settings and the bank statement."""
    out: dict[str, tuple[Callable[[bytes], str], list[bytes]]] = {}
    for kind in REGISTRY_NAMES:
        out[f"registry {kind}"] = (registry_reader(kind), registry_seeds(kind))
    for kind in TABLE_SEEDS:
        out[f"table {kind}"] = (TableReader(kind), table_seeds(kind))
    out["table accruals .xlsx"] = (TableReader("accruals", ".xlsx"), xlsx_seeds())
    from tests.fuzz.xlsx_structure import SEEDS, XlsxStructureReader

    out["xlsx structure"] = (XlsxStructureReader(), SEEDS)
    out["settings"] = (SettingsReader(), SETTINGS_SEEDS)
    out["bank statement"] = (bank_reader, bank_seeds())
    return out
