"""Posting a «Показания новые» document with some of its readings left out.

The accountant unticks readings (say, ones below the previous reading that look like typing
errors); ``post_leaving`` moves them to a new unposted «Показания новые» document of their
own (next number, same date and comment, no file) and posts the rest, in ONE transaction:
killed at any instant, either both happened or neither. A document posted meanwhile (someone
else, the command line) is refused before anything moves. Imports no GUI.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from trayapp.core import events
from trayapp.core.accept import BelowPrevious, post_document
from trayapp.core.db import documents as docs
from trayapp.core.db.connection import Database
from trayapp.errors import AcceptError
from trayapp.russian import plural

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Posted:
    number: str  # the posted document
    rows: int  # readings posted
    left_number: str | None  # the new unposted document holding the readings left out
    left_rows: int


def _number(number: str) -> str:
    num = number.strip()
    if num.isascii() and num.isdigit():  # «١» or «²» is no document number
        num = docs.format_number(int(num))
    return num


def _document(db: Database, number: str) -> tuple[str, int, str, str]:
    """(number, id, date, comment) of an unposted «Показания новые» document, else refused."""
    num = _number(number)
    doc = docs.find_document(db, "accruals", "readings", num)
    if doc is None:
        raise AcceptError(f"нет документа «Показания новые» № {number}")
    if doc[4]:
        raise AcceptError(f"документ «Показания новые» № {num} уже проведён")
    return num, int(doc[0]), str(doc[2]), str(doc[3] or "")


def post_leaving(db: Database, number: str, leave: Collection[int],
                 confirmed: list[BelowPrevious] | None = None,
                 now: datetime | None = None) -> Posted:  # fmt: skip
    """Post document ``number`` but its readings of row ids ``leave`` (``BelowPrevious.reading``),
    which go, unposted, to a new «Показания новые» document. ``confirmed`` as for
    ``post_document`` (the left-out readings need no confirming). Leaving out every reading,
    or one that is not the document's, is refused."""
    left = sorted(set(leave))
    with db.transaction():
        num, doc_id, day, comment = _document(db, number)
        if not left:
            n, rows = post_document(db, num, confirmed)
            return Posted(n, rows, None, 0)
        total = int(db.scalar("SELECT COUNT(*) FROM readings WHERE document_id = ?", (doc_id,)))
        if len(left) >= total:
            raise AcceptError(f"документ «Показания новые» № {num} не проведён: "
                              "оставлены непроведёнными все его показания")  # fmt: skip
        at = now or datetime.now()
        new_num = docs.format_number(docs.next_number(db, "accruals", "readings"))
        new_id = docs.insert_document(
            db, "accruals", "readings", new_num, day, at.strftime("%Y-%m-%d %H:%M:%S"),
            comment=comment, rows=0, doc_id=docs.next_ids(db)[0],
        )  # fmt: skip
        if docs.move_readings(db, left, doc_id, new_id) != len(left):
            raise AcceptError(f"документ «Показания новые» № {num} не проведён: среди "
                              "оставляемых показаний есть не из него")  # fmt: skip
        events.record(db, f"Из документа «Показания новые» № {num} показаний {len(left)} "
                      f"оставлено непроведёнными в документе № {new_num}")  # fmt: skip
        n, rows = post_document(db, num, confirmed)
    log.info("readings document %s posted, %d readings left in %s", n, len(left), new_num)
    return Posted(n, rows, new_num, len(left))


def readings_of_meters(db: Database, number: str, meter_ids: Collection[str]) -> list[int]:
    """Row ids of the readings of unposted document ``number`` on meters ``meter_ids`` (the
    command line's ``--leave``); a meter id with no reading in it is refused."""
    num, doc_id, _day, _comment = _document(db, number)
    wanted = sorted({m.strip() for m in meter_ids if m.strip()})
    found = docs.readings_of_meters(db, doc_id, wanted)
    missing = sorted(set(wanted) - {m for _i, m in found})
    if missing:
        raise AcceptError(f"в документе «Показания новые» № {num} нет показаний счётчиков: "
                          + ", ".join(missing))  # fmt: skip
    return [i for i, _m in found]


def posted_text(p: Posted) -> str:
    """What the accountant is told: «Документ «Показания новые» № 000012 проведён: показаний
    16; 3 показания оставлены непроведёнными в документе № 000013»."""
    text = f"Документ «Показания новые» № {p.number} проведён: показаний {p.rows}"
    if p.left_number is None:
        return text
    left = plural(p.left_rows, "показание оставлено непроведённым",
                  "показания оставлены непроведёнными", "показаний оставлено непроведёнными")
    return f"{text}; {left} в документе № {p.left_number}"
