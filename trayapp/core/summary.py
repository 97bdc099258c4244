"""What the accountant checks before accepting a received registry (the manual: «смотрите
суммы, сверяйте с банком и принимайте»).

``pending_summary`` reads the pending file in ``Входящие`` as a stream into the temporary
tables of the check (``validate.check_loaded``, inside one transaction that writes nothing
lasting) and sums them set-based: the count and sum, per service code of the file
(named by the services that carry the code in the coding in use; a payment with no code
is «без услуги (в целом по л/с)», as every payment is with ``ACCOUNT`` coding) and per
provider (поставщик). A code shared by services of several providers is split the way the
acceptance will split it (``accept.spread_shared``), so the sums per provider are those
the report after acceptance shows. Money in integer kopecks. Imports no GUI.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trayapp.core.accept import spread_shared
from trayapp.core.db import documents as docs
from trayapp.core.db import incoming as q
from trayapp.core.db.connection import Database
from trayapp.core.folders import ExchangeTree
from trayapp.core.validate import check_loaded
from trayapp.errors import AcceptError, RegistryError

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
        path.stat()
    except FileNotFoundError as exc:  # accepted meanwhile (the command line, another window)
        raise _gone(db, name) from exc
    with db.transaction():  # writes nothing lasting: the rows go to the check's t_pay
        checked, _ = check_loaded(db, name, path, org, coding, checks=False)
        if checked.header is None:
            raise RegistryError(checked.errors, name)
        kind = checked.header.type
        if kind != "PAYMENTS":
            return PendingSummary(name, kind, checked.rows, 0, coding, sha256=checked.sha256)
        by_code = q.summary_by_code(db)
        services = q.summary_services(db)
        by_provider = q.summary_by_provider(db)
        mixed = q.summary_mixed_codes(db)
        # spread as the acceptance will, summed as it goes (a page at a time)
        shares = spread_shared(db, 0, mixed) if mixed else iter(())
        providers = _providers(by_code, by_provider, services, shares, q.providers(db))
    total = sum(s for _, _, s in by_code)
    return PendingSummary(name, kind, checked.rows, total, coding,
                          _services(by_code, services), providers, checked.sha256)  # fmt: skip


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
    shares: Iterable[tuple[tuple[Any, ...], list[tuple[int, int]]]],
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
