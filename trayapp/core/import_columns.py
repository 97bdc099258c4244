"""The columns of each table kind and the names the accountant's files give them (import.md).

``COLUMNS`` lists each kind's columns (required or not) in the order the importer takes
them; ``ALIASES`` the Russian names each also answers to, the first being the one messages
use (``title``). A header cell is compared as ``header_key`` makes it: line breaks and
no-break spaces as spaces, commas ignored, a leading «№» read as «Номер», then case, spaces,
dots and ё/е aside. ``match`` finds which cell of a header row feeds each column of a kind,
choices made by hand (``--column FIELD=ЗАГОЛОВОК``, the window's drop-downs) first. Pure: no
I/O, imports nothing of the app.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

KINDS: tuple[str, ...] = (
    "org", "providers", "services", "accounts", "balances", "accruals", "payments",
    "meters", "readings",
)

# (column, required) in the order the kind's builder takes them
COLUMNS: dict[str, tuple[tuple[str, bool], ...]] = {
    "org": (("inn", True), ("name", True), ("kpp", False), ("bank_account", False),
            ("bik", False), ("address", False)),
    "providers": (("inn", True), ("name", True), ("bank_account", False), ("bik", False)),
    "services": (("code", True), ("name", True), ("unit", False), ("gorod_code", False),
                 ("sber_code", False), ("provider_inn", False), ("metered", False)),
    "accounts": (("account", True), ("full_name", True), ("settlement", False),
                 ("street", True), ("house", True), ("premise", False),
                 ("premise_kind", False), ("area", False), ("opened", False),
                 ("closed", False)),
    "balances": (("account", True), ("service_code", True), ("amount", True)),
    "accruals": (("account", True), ("service_code", True), ("period", True),
                 ("amount", True)),
    "payments": (("account", True), ("service_code", False), ("paid_on", True),
                 ("amount", True), ("source", False), ("reference", False)),
    "meters": (("meter_id", True), ("account", True), ("service_code", True),
               ("serial", True), ("installed", True), ("initial_reading", True),
               ("removed", False)),
    "readings": (("meter_id", True), ("taken_on", True), ("value", True)),
}

# the Russian names each column also answers to (spec/import.md); the first is its title
ALIASES: dict[str, tuple[str, ...]] = {
    "inn": ("ИНН",), "name": ("Наименование", "Название"), "kpp": ("КПП",),
    "bank_account": ("Расчётный счёт", "Р/с"), "bik": ("БИК",), "address": ("Адрес",),
    "code": ("Код",), "unit": ("Единица", "Ед. изм."), "gorod_code": ("Код Город", "Город"),
    "sber_code": ("Код Сбер", "Сбер"), "provider_inn": ("ИНН поставщика",),
    "metered": ("Счётчик", "По счётчику"),
    "account": ("Лицевой счёт", "Л/с", "ЛС", "Номер л/с", "Лиц. счёт",
                "Номер лицевого счёта"),
    "full_name": ("ФИО", "Собственник", "ФИО собственника", "Владелец"),
    "settlement": ("Населённый пункт",),
    "street": ("Улица",), "house": ("Дом",), "premise": ("Помещение", "Квартира"),
    "premise_kind": ("Вид помещения",), "area": ("Площадь", "Площадь м2", "Общая площадь"),
    "opened": ("Открыт",),
    "closed": ("Закрыт",), "service_code": ("Код услуги", "Услуга"), "amount": ("Сумма",),
    "period": ("Период", "Месяц"), "paid_on": ("Дата оплаты",), "source": ("Источник",),
    "reference": ("Номер платежа", "Документ"), "meter_id": ("Код счётчика",),
    "serial": ("Заводской номер",), "installed": ("Установлен",),
    "initial_reading": ("Начальное показание",), "removed": ("Снят",),
    "taken_on": ("Дата показания",), "value": ("Показание",),
}

# what each kind of reference error refers to: the kind of file that loads it
REFERENCE_ERRORS: dict[str, str] = {
    "неизв.лиц.счёт": "accounts", "неизв.услуга": "services",
    "неизв.поставщик": "providers", "неизв.счётчик": "meters",
}


def header_text(cell: Any) -> str:
    """A header cell as the accountant reads it: line breaks and no-break spaces as one
    space, a leading «№» read as «Номер», a stray BOM dropped (commas stay, to be shown)."""
    if cell is None:
        return ""
    text = str(cell).replace("\ufeff", "")
    text = " ".join(text.split())  # \n, \r, \t, U+00A0, U+202F... are whitespace
    if text.startswith("№"):
        text = "Номер " + text[1:].lstrip()
    return text


def column_key(name: str) -> str:
    """A header name as compared: case, spaces, dots and ё/е aside."""
    return name.lower().replace("ё", "е").replace(" ", "").replace("\u00a0", "").replace(".", "")


def header_key(cell: Any) -> str:
    """A header cell as compared: ``header_text``, commas ignored, then ``column_key``."""
    return column_key(header_text(cell).replace(",", ""))


COLUMN_OF: dict[str, str] = {
    header_key(alias): column
    for column, aliases in ALIASES.items()
    for alias in (column, *aliases)
}


def title(field: str) -> str:
    """A column's first Russian name («Лицевой счёт»), as messages name it."""
    names = ALIASES.get(field)
    return names[0] if names else field


def described(field: str) -> str:
    """«Лицевой счёт» (или «Л/с», «ЛС»): the column and two other names it answers to."""
    names = ALIASES.get(field, (field,))
    more = ", ".join(f"«{n}»" for n in names[1:3])
    return f"«{names[0]}»" + (f" (или {more})" if more else "")


def field_named(kind: str, name: str) -> str | None:
    """The kind's column that ``name`` (internal or Russian, as on ``--column``) names."""
    wanted = COLUMN_OF.get(header_key(name))
    if wanted is None and name in dict(COLUMNS[kind]):
        wanted = name
    return wanted if wanted in dict(COLUMNS[kind]) else None


@dataclass(frozen=True, slots=True)
class Match:
    """How one header row feeds a kind: ``position`` column → cell index (-1: none)."""

    position: dict[str, int]
    missing: list[str]  # required columns not found
    twice: list[str]  # columns named by two cells

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def found(self) -> int:
        return sum(1 for i in self.position.values() if i >= 0)


def match(
    kind: str,
    cells: Sequence[Any],
    columns: Mapping[str, str] | None = None,
    copies: frozenset[int] = frozenset(),
) -> Match:
    """Which cell feeds each column of ``kind``. ``columns``: choices by hand, column →
    the file's header text ("" for none); ``copies``: cells that only repeat a merged cell
    to their left (not a second name)."""
    columns = columns or {}
    keys = [header_key(c) for c in cells]
    position: dict[str, int] = {}
    taken: set[int] = set()
    for field, header in columns.items():
        want = header_key(header)
        index = -1
        if want:
            index = next((i for i, k in enumerate(keys) if k == want and i not in taken), -1)
        position[field] = index
        if index >= 0:
            taken.add(index)
    mine = {name for name, _ in COLUMNS[kind]}
    twice: list[str] = []
    for i, key in enumerate(keys):
        named = COLUMN_OF.get(key)
        if named is None or named not in mine or named in columns or i in taken:
            continue
        if named in position:
            if i not in copies and named not in twice:
                twice.append(named)
            continue
        position[named] = i
    out = {name: position.get(name, -1) for name, _ in COLUMNS[kind]}
    missing = [name for name, required in COLUMNS[kind] if required and out[name] < 0]
    return Match(out, missing, twice)


def guess_kind(cells: Sequence[Any]) -> str | None:
    """The kind a header row is of: all its required columns there, most columns matched."""
    columns = {COLUMN_OF.get(header_key(h)) for h in cells} - {None}
    best: tuple[int, str] | None = None
    for kind in KINDS:
        names = {c for c, _ in COLUMNS[kind]}
        required = {c for c, needed in COLUMNS[kind] if needed}
        if not required <= columns:
            continue
        score = len(columns & names) * 10 - len(columns - names)
        if best is None or score > best[0]:
            best = (score, kind)
    return best[1] if best else None
