"""What the generation of every outgoing registry starts from (spec/domain.md): the result it
returns, the service catalogue seen through one coding, the association's details and the
billing month.

Split from ``registries`` (Services and Meters, and the choice of kind), which re-exports
these names; ``registry_debts`` and ``registry_write`` do the rest. No GUI, no HTTP; SQL is
``db/registries.py``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from trayapp.core import values as v
from trayapp.core.db import Database
from trayapp.core.db import registries as q
from trayapp.core.formats import CODINGS
from trayapp.errors import GenerationError


@dataclass(frozen=True, slots=True)
class GenerateResult:
    file: Path
    kind: str
    rows: int
    total: int | None
    period: int | None
    as_of: date | None
    skipped_services: list[str] = field(default_factory=list)
    accounts_without_services: list[str] = field(default_factory=list)
    closed_with_debt: tuple[int, int] = (0, 0)  # closed accounts left out that owe: (n, kopecks)

    def to_json(self) -> dict[str, object]:
        return {
            "file": str(self.file),
            "kind": self.kind,
            "rows": self.rows,
            "sum": v.format_amount(self.total) if self.total is not None else None,
            "period": v.format_month(self.period) if self.period is not None else None,
            "as_of": v.format_date(self.as_of) if self.as_of is not None else None,
            "skipped_services": self.skipped_services,
            "accounts_without_services": self.accounts_without_services,
        }


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The service catalogue seen through one coding."""

    coding: str
    code_of: dict[int, str]  # own code -> code in the coding ('' where it has none)
    names: dict[int, str]
    numeric: bool  # all codes of the coding are digits: sort them as numbers

    @classmethod
    def load(cls, db: Database, coding: str) -> Catalogue:
        code_of: dict[int, str] = {}
        names: dict[int, str] = {}
        for code, name, _unit, gorod, sber, *_ in q.services(db):
            names[code] = name
            if coding == "OWN":
                code_of[code] = str(code)
            elif coding == "GOROD":
                code_of[code] = gorod
            elif coding == "SBER":
                code_of[code] = sber
            else:
                code_of[code] = "0"
        numeric = all(c.isdigit() for c in code_of.values() if c)
        return cls(coding, code_of, names, numeric)

    def sort_key(self, code: str) -> tuple[int, str]:
        return (int(code), "") if self.numeric else (0, code)

    def label(self, own: int) -> str:
        return f"{own} {self.names.get(own, '')}".strip()


def check_coding(coding: str) -> None:
    if coding not in CODINGS:
        raise GenerationError(f"неизвестное кодирование услуг: {coding}")


def org_of(db: Database) -> tuple[str, str, str, str]:
    org = q.org(db)
    if org is None:
        raise GenerationError("не загружены данные ТСЖ (ИНН, название)",
                              "trayapp import org ФАЙЛ", "загрузите таблицу реквизитов ТСЖ на вкладке «Данные»")  # fmt: skip
    return org


def billing_periods(db: Database) -> list[int]:
    """The months a registry can be generated for: those with accruals, the latest first."""
    return q.periods(db)


def billing_period(db: Database, month: int | None) -> int:
    """The billing month: the one given, else the latest month that has accruals."""
    latest = q.latest_period(db)
    if latest is None:
        raise GenerationError("нет начислений", "загрузите их (trayapp import accruals ФАЙЛ)",
                              "загрузите их на вкладке «Данные»")  # fmt: skip
    if month is None:
        return latest
    if not q.has_period(db, month):
        raise GenerationError(
            f"за {v.format_month(month)} начислений нет (последний начисленный месяц "
            f"{v.format_month(latest)}): проверьте месяц"
        )
    return month


def month_setup(
    db: Database, coding: str, month: int | None
) -> tuple[str, int, date, date, Catalogue]:
    """What the Debts and Meters registries start from: (ИНН, billing month, its first and
    last day, the catalogue in the coding)."""
    check_coding(coding)
    inn = org_of(db)[0]
    period = billing_period(db, month)
    return inn, period, v.month_first_day(period), v.month_last_day(period), Catalogue.load(
        db, coding
    )
