"""Russian plural forms in every helper the progress and result texts use: the teens
(11–14, 111–114), 0, and the numbers around them, each form written out here by hand.

- ``core.progress.describe``: the unit after «из N» (genitive: «из 21 файла», «из 11 файлов»)
  and after a count alone (nominative: «21 строка», «22 строки», «12 строк»);
- ``cli.plural``: «загружено 112 строк»;
- ``ui.common.plural``: «Ждут приёма 111 реестров», «Загружается 13 файлов…».
"""

from __future__ import annotations

import pytest

from trayapp import cli
from trayapp.core import progress as pr
from trayapp.core.values import NBSP
from trayapp.ui import common

NB = NBSP
# n -> which form: "one" (1 строка, из 1 файла), "few" (2 строки), "many" (5 строк)
FORM = {
    0: "many", 1: "one", 2: "few", 3: "few", 4: "few", 5: "many", 10: "many",
    11: "many", 12: "many", 13: "many", 14: "many", 15: "many", 19: "many", 20: "many",
    21: "one", 22: "few", 24: "few", 25: "many",
    101: "one", 102: "few", 104: "few", 105: "many",
    111: "many", 112: "many", 113: "many", 114: "many", 115: "many",
    121: "one", 122: "few", 211: "many", 212: "many",
    1001: "one", 1011: "many", 1012: "many", 1021: "one", 1022: "few",
    100_000: "many", 100_011: "many", 100_021: "one", 1_000_002: "few", 1_000_013: "many",
}
NUMBERS = sorted(FORM)
ROWS = {"one": "строка", "few": "строки", "many": "строк"}
FILES = {"one": "файл", "few": "файла", "many": "файлов"}
# after «из N» the noun is genitive: singular for «one», plural for the others
OF_FILES = {"one": "файла", "few": "файлов", "many": "файлов"}
OF_ROWS = {"one": "строки", "few": "строк", "many": "строк"}


@pytest.mark.parametrize("n", NUMBERS)
def test_progress_of_a_total(n: int) -> None:
    of = f"из {pr.number(n)}{NB}"
    form = FORM[n]
    assert pr.describe(pr.Report("receive", 0, n)) == f"Получение: 0 {of}{OF_FILES[form]}"
    assert pr.describe(pr.Report("send", 0, n)) == f"Отправка: 0 {of}{OF_FILES[form]}"
    assert pr.describe(pr.Report("check", 0, n)) == f"Проверка реестра: 0 {of}{OF_ROWS[form]}"
    assert pr.describe(pr.Report("write", 0, n)) == f"Запись в базу: 0 {of}{OF_ROWS[form]}"
    assert pr.describe(pr.Report("load", 0, n)) == f"Загрузка данных: 0 {of}{OF_ROWS[form]}"
    meters = {"one": "счётчика", "few": "счётчиков", "many": "счётчиков"}[form]
    assert pr.describe(pr.Report("meters", 0, n)) == f"Счётчики: 0 {of}{meters}"
    services = {"one": "услуги", "few": "услуг", "many": "услуг"}[form]
    assert pr.describe(pr.Report("services", 0, n)) == f"Услуги: 0 {of}{services}"
    assert pr.describe(pr.Report("debts", 0, n)) == f"Задолженность: 0 {of}л/с"


@pytest.mark.parametrize("n", NUMBERS)
def test_progress_of_a_count_alone(n: int) -> None:
    count = f"{pr.number(n)}{NB}"
    form = FORM[n]
    assert pr.describe(pr.Report("load", n, None)) == f"Загрузка данных: {count}{ROWS[form]}"
    assert pr.describe(pr.Report("receive", n, None)) == f"Получение: {count}{FILES[form]}"


@pytest.mark.parametrize("n", NUMBERS)
def test_cli_plural(n: int) -> None:
    assert cli.plural(n, "строка", "строки", "строк") == f"{n} {ROWS[FORM[n]]}"


@pytest.mark.parametrize("n", NUMBERS)
def test_window_plural(n: int) -> None:
    forms = ("реестр", "реестра", "реестров")
    expected = {"one": "реестр", "few": "реестра", "many": "реестров"}[FORM[n]]
    assert common.plural(n, *forms) == expected
    assert common.plural(n, "файл", "файла", "файлов") == FILES[FORM[n]]
