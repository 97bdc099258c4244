"""What the accountant checks before accepting a received registry (the manual: «смотрите
суммы, сверяйте с банком и принимайте»).

``pending_summary`` reads the pending file in ``Входящие``, loads its rows into the
temporary tables of the check (``db/incoming.py``, inside one transaction that writes
nothing lasting) and sums them set-based: the count and sum, per service code of the file
(named by the services that carry the code in the coding in use; a payment with no code
is «без услуги (в целом по л/с)», as every payment is with ``ACCOUNT`` coding) and per
provider (поставщик). A code shared by services of several providers is split the way the
acceptance will split it (``accept.spread_shared``), so the sums per provider are those
the report after acceptance shows. Money in integer kopecks. Imports no GUI.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from trayapp.core import formats
from trayapp.core.accept import spread_shared
from trayapp.core.db import documents as docs
from trayapp.core.db import incoming as q
from trayapp.core.db.connection import Database
from trayapp.core.folders import ExchangeTree, os_error
from trayapp.core.formats import PaymentRow, ReadingRow
from trayapp.errors import AcceptError

WITHOUT_SERVICE = "без услуги (в целом по л/с)"
OWN_SERVICES = "без поставщика (услуги ТСЖ)"

Line = tuple[str, int, int]  # (what, payments, kopecks)


@dataclass(frozen=True, slots=True)
class PendingSummary:
    """Rows, sum, and sums per service (named) and per provider, of a pending registry."""

    file: str
    kind: str
    rows: int
    total: int  # kopecks
    coding: str = ""
    by_service: list[Line] = field(default_factory=list)  # code and names; none last
    by_provider: list[Line] = field(default_factory=list)  # «name, ИНН n»; none last
    sha256: str = ""  # of the bytes summed: ``accept(expected_sha256=...)`` takes just those


def pending_summary(
    db: Database, tree: ExchangeTree, name: str, org: str, coding: str
) -> PendingSummary:
    """Read the pending registry ``name`` in Входящие and sum it (see the module docstring)."""
    path = tree.incoming / name
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:  # accepted meanwhile (the command line, another window)
        raise _gone(db, name) from exc
    except OSError as exc:
        raise os_error(exc, str(path)) from exc
    registry = formats.parse(data, name=name, org=org, coding=coding)
    kind = registry.header.type
    if kind != "PAYMENTS":
        readings = [r for r in registry.rows if isinstance(r, ReadingRow)]
        return PendingSummary(name, kind, len(readings), 0, coding, sha256=_sha(data))
    pays = [r for r in registry.rows if isinstance(r, PaymentRow)]
    with db.transaction():
        q.load_payments(db, ((r.line, r.payment_id, r.account, r.service_code,
                              r.paid_at.isoformat(" "), r.amount, r.period) for r in pays),
                        q.coding_codes(db, coding))  # fmt: skip
        q.payments_unknown_account(db)  # resolves t_pay.account_id for the spread
        by_code = q.summary_by_code(db)
        services = q.summary_services(db)
        by_provider = q.summary_by_provider(db)
        mixed = set(q.summary_mixed_codes(db))
        shares: list[tuple[tuple[object, ...], list[tuple[int, int]]]] = []
        if mixed:
            rows = [r for r in docs.shared_payments(db, 0) if str(r[7]) in mixed]
            shares = list(spread_shared(db, rows))
        names = q.providers(db)
    total = sum(s for _, _, s in by_code)
    return PendingSummary(name, kind, len(pays), total, coding,
                          _services(by_code, services),
                          _providers(by_code, by_provider, services, shares, names),
                          _sha(data))  # fmt: skip


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _services(by_code: list[Line], services: list[tuple[str, int, str, int | None]]) -> list[Line]:
    named: dict[str, list[str]] = {}
    for code, _own, name, _provider in services:
        named.setdefault(str(code), []).append(str(name))
    out = [(f"{code} {', '.join(named.get(code, []))}".strip() if code else WITHOUT_SERVICE, n, s)
           for code, n, s in by_code]  # fmt: skip
    return sorted(out, key=lambda t: (t[0] == WITHOUT_SERVICE, -t[2], t[0]))


def _providers(
    by_code: list[Line],
    single: list[tuple[int | None, int, int]],
    services: list[tuple[str, int, str, int | None]],
    shares: list[tuple[tuple[object, ...], list[tuple[int, int]]]],
    names: dict[int, tuple[str, str]],
) -> list[Line]:
    sums: dict[int | None, list[int]] = {}
    for provider, n, s in single:
        slot = sums.setdefault(provider, [0, 0])
        slot[0] += n
        slot[1] += s
    provider_of = {int(own): provider for _code, own, _name, provider in services}
    for _row, parts in shares:
        per: dict[int | None, int] = {}
        for own, part in parts:
            per[provider_of.get(own)] = per.get(provider_of.get(own), 0) + part
        for provider, part in per.items():
            slot = sums.setdefault(provider, [0, 0])
            slot[0] += 1  # a payment counted once for each provider it goes to
            slot[1] += part

    def label(provider: int | None) -> str:
        if provider is None or provider not in names:
            return OWN_SERVICES
        inn, name = names[provider]
        return f"{name}, ИНН {inn}"

    out = sorted(((label(p), n, s) for p, (n, s) in sums.items()), key=lambda t: (-t[2], t[0]))
    whole = [(WITHOUT_SERVICE, n, s) for code, n, s in by_code if not code]
    return out + whole


def _gone(db: Database, name: str) -> AcceptError:
    """Why the pending ``name`` is no longer in Входящие, in the acceptance's own words."""
    from trayapp.core.db import journal

    entry = journal.get_file(db, "in", name)
    if entry is not None and entry.status in ("accepted", "done"):
        made = docs.document_of_file(db, entry.id)
        return AcceptError(f"реестр {name} уже принят"
                           + (f" (документ № {made[1]})" if made else ""))  # fmt: skip
    return AcceptError(f"реестра {name} нет в папке «Входящие»: принимать нечего")
