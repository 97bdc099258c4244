"""The accountant's own work journaled by the core (SQLite and PostgreSQL): a load, a
generation, an acceptance, a posting and an export each leave one info event, in the
transaction of the work; a refused load or an export with nothing new leaves none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from tests.core import registry_fixture as fx
from tests.core.test_validate import payments_file, readings_file
from trayapp.core import events, importer, registries
from trayapp.core import values as v
from trayapp.core.accept import accept, post_document
from trayapp.core.db import Database
from trayapp.core.exporter import export
from trayapp.core.folders import ExchangeTree
from trayapp.errors import ImportFileError

ORG = fx.ORG[0]
NOW = datetime(2026, 11, 27, 10, 15, 0)


@pytest.fixture()
def db(db_target: Path | str) -> Iterator[Database]:
    d = fx.build(db_target)
    yield d
    d.close()


def texts(db: Database) -> list[str]:
    """The events, oldest first; none of them is to pop up (all «seen»)."""
    assert events.unseen(db, mark_seen=False) == []
    return [t for _at, level, t in reversed(events.recent(db, 100)) if level == "info"]


def test_each_action_one_event(db: Database, tmp_path: Path) -> None:
    tree = ExchangeTree(tmp_path / "x").ensure()
    table = tmp_path / "providers.csv"
    table.write_text("inn;name\n5401000002;АО «Теплосеть»\n5401999999;ООО «Лифт»\n", "utf-8")
    importer.import_file(db, "providers", table)
    assert texts(db) == [f"Загружены данные (поставщики) из файла «{table}»: строк 2, новых 1, "
                         "изменено 1"]  # fmt: skip
    bad = tmp_path / "accruals.csv"
    bad.write_text("account;service_code;period;amount\n1001;1;10.2026;x\n", "utf-8")
    with pytest.raises(ImportFileError):
        importer.import_file(db, "accruals", bad)
    assert len(texts(db)) == 1  # nothing loaded, nothing said

    r = registries.generate(db, tree, "debts", "GOROD", date(2026, 11, 5), None)
    accounts = len({line.split(";")[0] for line in r.file.read_text("cp1251").splitlines()
                    if not line.startswith("#")})  # fmt: skip
    assert texts(db)[-1] == (
        f"Сформирован реестр {r.file.name}: лицевых счетов {accounts}, строк {r.rows}, "
        f"задолженность {events.rubles(r.total or 0)}, месяц {v.format_month(r.period or 0)}, "
        f"на {v.format_date(r.as_of or date.min)}")

    pays = ["e-1;05.11.2026 19:44:02;1001;102;1000.00;10.2026",
            "e-2;06.11.2026 08:10:59;1002;;55.05;10.2026"]  # fmt: skip
    (tree.incoming / "Payments_20261106_001.txt").write_bytes(payments_file(pays))
    a = accept(db, tree, "Payments_20261106_001.txt", ORG, "GOROD", tmp_path / "r", lambda: NOW,
               report=False)  # fmt: skip
    assert texts(db)[-1] == (f"Принят реестр {a.file}: документ «Реестр \"Мои счета\"» № "
                             f"{a.document}, платежей 2 на сумму 1\u00a0055,05\u00a0₽")  # fmt: skip
    (tree.incoming / "Readings_20261106_001.txt").write_bytes(readings_file(
        ["q-1;06.11.2026 09:00:00;1001;17;ХВ-1001-1;221",  # below 230
         "q-2;06.11.2026 09:00:00;1002;20;ХВ-1002-1;5"]))  # fmt: skip
    rd = accept(db, tree, "Readings_20261106_001.txt", ORG, "GOROD", tmp_path / "r",
                lambda: NOW, report=False)  # fmt: skip
    assert texts(db)[-1] == (f"Принят реестр {rd.file}: документ «Показания новые» № "
                             f"{rd.document}, показаний 2 (не проведён: проверьте и проведите)")
    post_document(db, rd.document)
    assert texts(db)[-1] == (f"Проведён документ «Показания новые» № {rd.document} (реестр "
                             f"{rd.file}): показаний 2, из них меньше предыдущих 1")  # fmt: skip
    out = export(db, "payments", Path("оплаты.csv"), False, NOW, tmp_path)
    assert texts(db)[-1] == f"Выгружены оплаты: строк 2, файл «{tmp_path / 'оплаты.csv'}»"
    assert out.rows == 2
    export(db, "payments", Path("ещё.csv"), False, NOW, tmp_path)  # nothing new: no file
    assert len(texts(db)) == 6
