"""The closed sets and small types that the settings hold and the core reads.

``CODINGS`` (MOISCHETA/1's service codings, spec/formats.md), ``is_postgres_url`` (whether a
database target names PostgreSQL rather than an SQLite file) and ``BankTerms`` (bank.md's
three settings as the matcher takes them). ``settings`` sits below ``core`` (the core reads
its values), so what both need lives here rather than in ``core``: ``core.formats.records``,
``core.db.dialect`` and ``core.reconcile`` hand these names on. A base module: imports
nothing of the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

CODINGS = ("ACCOUNT", "GOROD", "SBER", "OWN")
SCHEMES = ("postgresql", "postgres")


def is_postgres_url(target: str) -> bool:
    return urlsplit(target.strip()).scheme.lower() in SCHEMES


@dataclass(frozen=True, slots=True)
class BankTerms:
    """The settings ``bank_agent_inn``, ``bank_fee_percent``, ``bank_days``."""

    agent_inn: str = ""
    fee_percent: Decimal = Decimal(0)
    days: int = 5
