"""What the emulated service does with a stored upload: answer it, and let the owners react.

A Services, Debts or Meters registry is checked with ``formats.parse`` (against ``org`` when
the emulator has one) and answered with ``Ack_<name>`` in ``inbox/``: ``OK`` echoing its
``#ROWS`` and ``#FILESUM``, or ``ERROR`` with every ``(line, message)``. After an ``OK`` the
simulated owners (``residents``) send a Payments registry for Debts and a Readings registry
for Meters. An ``Ack_`` the client uploads (its answer to our Payments or Readings) is only
logged. Called with the data folder's files; imports ``formats`` and ``residents`` only.
"""

from __future__ import annotations

import dataclasses
import logging
import random
from datetime import datetime

from trayapp.core import formats, values
from trayapp.core.formats import Registry
from trayapp.emulator import residents as owners
from trayapp.emulator.store import DataDir
from trayapp.errors import RegistryError

log = logging.getLogger(__name__)

FALLBACK_ORG = "0000000000"


def accepts(name: str) -> bool:
    """Whether a client may upload ``name``: our registries' kinds, or answers to its own."""
    fname = formats.parse_name(name)
    if fname is None:
        return False
    if fname.is_ack:
        return fname.kind in formats.INCOMING_TYPES
    return fname.kind in formats.OUTGOING_TYPES


def _raw_org(data: bytes) -> str | None:
    """The ``#ORG`` of a file too broken to parse, where its header still names one."""
    lines, _ = formats.decode(data[:8192])
    for line in lines[:40]:
        if not line.startswith("#"):
            break
        if line.startswith("#ORG "):
            org = line[5:].strip()
            return org if values.is_inn(org) else None
    return None


def answer(
    store: DataDir,
    name: str,
    org: str | None,
    residents: bool,
    seed: int | None,
    now: datetime,
) -> None:
    """Answer the upload ``outbox/<name>`` (and let the owners react to it)."""
    fname = formats.parse_name(name)
    if fname is None:  # pragma: no cover - the HTTP layer refuses such names
        return
    data = (store.outbox / name).read_bytes()
    if fname.is_ack:
        try:
            ack = formats.parse(data, name=name, org=org)
            log.info(
                "получен ответ клиента %s: %s, ошибок %d", name, ack.header.status, len(ack.rows)
            )
        except RegistryError as exc:
            log.warning("ответ клиента %s с ошибками: %s", name, exc.message)
        store.mark_answered(name)
        return

    registry: Registry | None
    try:
        registry = formats.parse(data, name=name, org=org)
        errors: list[tuple[int, str]] = []
    except RegistryError as exc:
        registry, errors = None, exc.errors
    if registry is not None:
        store.remember_org(registry.header.org)
    ack_org = (
        org
        or (registry.header.org if registry is not None else _raw_org(data))
        or store.last_org
        or FALLBACK_ORG
    )
    ack = formats.make_ack(
        name, ack_org, now.date(), errors, registry.header if registry is not None else None
    )
    store.write_inbox(formats.ack_name(name), formats.encode(formats.render(ack)))
    log.info(
        "реестр %s: ответ %s%s",
        name,
        ack.header.status,
        f", ошибок {len(errors)}" if errors else "",
    )
    if registry is not None and residents:
        _owners_react(store, name, registry, seed, now)
    store.mark_answered(name)


def _owners_react(
    store: DataDir, name: str, registry: Registry, seed: int | None, now: datetime
) -> None:
    kind = registry.header.type
    if kind not in ("DEBTS", "METERS"):
        return
    rng = random.Random(f"{seed}:{name}") if seed is not None else random.Random()
    new_id = owners.id_factory(rng if seed is not None else None)
    out_kind = "Payments" if kind == "DEBTS" else "Readings"
    # numbers are reserved only for a registry that will be written
    maker = owners.make_payments if kind == "DEBTS" else owners.make_readings
    made = maker(registry, rng, now, 1, new_id)
    if made is None:
        log.info("реестр %s: жильцам нечего отправить", name)
        return
    number = store.next_number(out_kind, now.date())
    if number is None:
        log.error("%s за %s: номера исчерпаны (999), реестр не сформирован", out_kind, now.date())
        return
    header = dataclasses.replace(made.header, number=number)
    made = Registry(header, made.rows)
    out_name = formats.make_name(header.type, now.date(), number)
    store.write_inbox(out_name, formats.encode(formats.render(made)))
    total = f", сумма {values.format_amount(header.filesum)}" if header.filesum is not None else ""
    log.info("жильцы ответили на %s: %s, строк %d%s", name, out_name, header.rows, total)
