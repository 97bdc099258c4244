"""`trayapp import` with the choices of issue 15 (spec/cli.md): --sheet, --header-row,
--column FIELD=ЗАГОЛОВОК, --check, and --json with sheet, header_row and notes."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

from tests.test_cli import home, run  # noqa: F401 (the fixture)


def book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Свод"
    wb.active.append(["Итого", "=SUM(B1:B3)"])
    ws = wb.create_sheet("Начисления")
    ws.append(["Начисления за ноябрь 2026"])
    ws.append(["Л/с", "Код услуги", "Период", "Начислено"])
    ws.append([1001, 1, "01.11.2026", 10])
    ws.append(["1002", 1, "Ноябрь 2026", "1\u00a0000,50"])
    ws.append(["Итого", None, None, 1010.5])
    wb.save(path)
    return path


def test_check_then_a_column_by_hand_then_remembered(home: Path, tmp_path: Path) -> None:  # noqa: F811
    path = book(tmp_path / "Начисления.xlsx")
    r = run(home, "import", "accruals", str(path))
    assert r.returncode == 1
    assert "лист «Начисления»: нет столбца «Сумма»" in r.stderr and "amount" not in r.stderr

    r = run(home, "import", "accruals", str(path), "--column", "amount=Начислено", "--check",
            "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["checked"] is True and out["rows"] == 2 and out["inserted"] == 2
    assert (out["sheet"], out["header_row"]) == ("Начисления", 2)
    assert out["notes"] == ["строка 5 «Итого» — итоговая: она и строки ниже не загружены"]

    r = run(home, "import", "accruals", str(path), "--column", "Сумма=Начислено")
    assert r.returncode == 0, r.stderr
    assert "загружено 2 строки" in r.stdout and "новых 2" in r.stdout  # the check loaded nothing
    assert "лист «Начисления», заголовок в строке 2" in r.stdout
    assert "строка 5 «Итого»" in r.stdout

    # next month's file of the same header loads without --column
    december = tmp_path / "Декабрь.xlsx"
    wb = openpyxl.load_workbook(book(december))
    wb["Начисления"]["C3"] = "01.12.2026"
    wb["Начисления"]["C4"] = "Декабрь 2026"
    wb.save(december)
    r = run(home, "import", "accruals", str(december), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["inserted"] == 2 and out["notes"][0].startswith("столбцы выбраны так же")


def test_check_reports_every_error_and_loads_nothing(home: Path, tmp_path: Path) -> None:  # noqa: F811
    bad = tmp_path / "bad.csv"
    bad.write_text("Начисления\nЛС;Услуга;Месяц;Сумма\n" + "9999;1;11.2026;1\n" * 40
                   + "1001;1;11.2026;abc\n", encoding="utf-8")  # fmt: skip
    r = run(home, "import", "accruals", str(bad), "--check")
    assert r.returncode == 1
    assert "неизв.лиц.счёт: 9999 — строки 3–42" in r.stderr
    assert "строка: 43, неверная сумма: abc" in r.stderr
    assert r.stderr.count("9999") == 1


def test_sheet_and_header_row_by_hand(home: Path, tmp_path: Path) -> None:  # noqa: F811
    wb = openpyxl.Workbook()
    wb.active.title = "А"
    wb.active.append(["Лицевой счёт", "Код услуги", "Сумма"])
    wb.active.append(["1001", 1, 5])
    b = wb.create_sheet("Б")
    b.append(["Лицевой счёт", "Код услуги", "Сумма"])
    b.append(["1001", 1, 6])
    b.append(["Лицевой счёт", "Код услуги", "Сумма"])
    b.append(["1002", 1, 7])
    wb.save(tmp_path / "s.xlsx")
    r = run(home, "import", "balances", str(tmp_path / "s.xlsx"), "--sheet", "Б",
            "--header-row", "3", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["sheet"], out["header_row"], out["rows"]) == ("Б", 3, 1)
    r = run(home, "import", "balances", str(tmp_path / "s.xlsx"), "--sheet", "В")
    assert r.returncode == 1 and "нет листа «В»; в книге: «А», «Б»" in r.stderr


def test_wrong_choices_on_the_command_line(home: Path, tmp_path: Path) -> None:  # noqa: F811
    path = book(tmp_path / "n.xlsx")
    assert run(home, "import", "accruals", str(path), "--column", "amount").returncode == 2
    assert run(home, "import", "accruals", str(path), "--header-row", "0").returncode == 2
    r = run(home, "import", "accruals", str(path), "--column", "цена=Начислено")
    assert r.returncode == 1 and "нет столбца «цена»" in r.stderr
    assert run(home, "export", "payments", "--header", "de").returncode == 2
    r = run(home, "export", "payments", "--header", "en")
    assert r.returncode == 0 and "нечего выгружать" in r.stdout


def test_a_refused_load_from_the_command_line_is_an_event(home: Path, tmp_path: Path) -> None:  # noqa: F811
    """Defect 7, the command line too, org included (its load shares a transaction)."""
    from trayapp.core import events
    from trayapp.core.db import open_database

    bad_org = tmp_path / "Реквизиты.csv"
    bad_org.write_text("ИНН;Наименование\n12;ТСЖ\n", encoding="utf-8")
    assert run(home, "import", "org", str(bad_org)).returncode == 1
    bad = tmp_path / "Начисления.csv"
    bad.write_text("ЛС;Услуга;Месяц;Сумма\n9999;1;11.2026;1\n", encoding="utf-8")
    assert run(home, "import", "accruals", str(bad)).returncode == 1
    with open_database(home / "data" / "trayapp.db") as db:
        texts = [t for _, level, t in events.recent(db, 5) if level == "error"]
    assert texts[0].startswith("Не загружены данные (начисления) из файла «") and str(bad) in texts[0]
    assert texts[1].startswith("Не загружены данные (данные ТСЖ) из файла «")
    assert "неверный ИНН: 12" in texts[1]
