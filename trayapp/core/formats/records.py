"""Records of the MOISCHETA/1 registry files (spec/formats.md).

Money in integer kopecks, readings in integer thousandths, months as ``yyyymm``.
Pure data; imports nothing of the app but ``values`` and the base ``setting_types``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from trayapp.setting_types import CODINGS as CODINGS  # the settings check it too

FORMAT_ID = "MOISCHETA/1"

# kind in a file name -> #TYPE
NAME_KINDS = {
    "Services": "SERVICES",
    "Debts": "DEBTS",
    "Meters": "METERS",
    "Payments": "PAYMENTS",
    "Readings": "READINGS",
}
TYPE_NAMES = {v: k for k, v in NAME_KINDS.items()}
OUTGOING_TYPES = ("SERVICES", "DEBTS", "METERS")
INCOMING_TYPES = ("PAYMENTS", "READINGS")

# ASCII digits only: ``\d`` alone also takes ``١`` (an Arabic-Indic one), which int() reads
_NAME = re.compile(
    r"(Ack_)?(Services|Debts|Meters|Payments|Readings)_(\d{8})_(\d{3})\.txt", re.ASCII
)


@dataclass(frozen=True, slots=True)
class FileName:
    """A parsed registry file name; ``is_ack`` marks ``Ack_<name>``."""

    kind: str  # SERVICES ... READINGS: the kind of the registry (answered, for an ACK)
    day: date
    number: int
    is_ack: bool = False

    @property
    def type(self) -> str:
        return "ACK" if self.is_ack else self.kind

    @property
    def registry_name(self) -> str:
        """The name of the registry itself (for an ACK: of the file it answers)."""
        return f"{TYPE_NAMES[self.kind]}_{self.day:%Y%m%d}_{self.number:03d}.txt"

    def __str__(self) -> str:
        return ("Ack_" if self.is_ack else "") + self.registry_name


def parse_name(name: str) -> FileName | None:
    """A file name of formats.md, or None for anything else (paths, other files)."""
    m = _NAME.fullmatch(name)
    if not m:
        return None
    try:
        day = datetime.strptime(m.group(3), "%Y%m%d").date()
    except ValueError:
        return None
    number = int(m.group(4))
    if number == 0:
        return None
    return FileName(NAME_KINDS[m.group(2)], day, number, m.group(1) is not None)


def make_name(kind: str, day: date, number: int) -> str:
    return str(FileName(kind, day, number))


def ack_name(name: str) -> str:
    return "Ack_" + name


@dataclass(frozen=True, slots=True)
class Header:
    type: str
    org: str
    number: int
    day: date
    rows: int = 0
    filesum: int | None = None  # kopecks, DEBTS and PAYMENTS
    coding: str | None = None
    period: int | None = None  # yyyymm
    as_of: date | None = None
    file: str | None = None  # ACK: the answered file
    status: str | None = None  # ACK: OK / ERROR
    answered_rows: int | None = None
    answered_sum: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ServiceRow:
    code: str
    name: str
    unit: str
    provider_inn: str
    provider_name: str
    provider_bank_account: str
    provider_bik: str
    metered: bool


@dataclass(frozen=True, slots=True)
class DebtRow:
    account: str
    full_name: str
    address: str
    service_code: str
    debt: int
    accrued: int


@dataclass(frozen=True, slots=True)
class MeterRow:
    account: str
    meter_id: str
    serial: str
    service_code: str
    installed: date
    last_reading_date: date
    last_reading: int


class PaymentRow(NamedTuple):
    """A received payment. Named tuples, not frozen dataclasses, for the two received kinds:
    as immutable, and several times cheaper to build for a registry of 100,000 rows."""

    payment_id: str
    paid_at: datetime
    account: str
    service_code: str
    amount: int
    period: int
    line: int = 0  # line in the file it was read from


class ReadingRow(NamedTuple):
    reading_id: str
    taken_at: datetime
    account: str
    meter_id: str
    serial: str
    value: int
    line: int = 0


@dataclass(frozen=True, slots=True)
class AckRow:
    line: int
    message: str


Row = ServiceRow | DebtRow | MeterRow | PaymentRow | ReadingRow | AckRow


@dataclass(frozen=True, slots=True)
class Registry:
    header: Header
    rows: list[Row]
