"""The child of ``test_memory.py``: a big Payments registry made, checked and accepted in a
process of its own, printing its peak memory (VmHWM) after each step as JSON.

``python -m tests.core.memory_child HOME LINES``: HOME gets ``b.db`` (an association of
2,000 accounts, eight services of which two share the «Город» code 103, accruals) and an
exchange tree whose Входящие holds ``Payments_20261106_001.txt`` of LINES payments, written
line by line (this process never holds it).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

from trayapp.core.db import Database, billing
from trayapp.core.folders import ExchangeTree

ORG = "5401000001"
NAME = "Payments_20261106_001.txt"
ACCOUNTS = 2000
CODES = ["101", "102", "105", "106", "107", "108"]  # one own service each (103: two)


def peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def make(home: Path, lines: int) -> tuple[Database, ExchangeTree, int]:
    db = Database(home / "b.db")
    db.execute("PRAGMA synchronous = OFF")
    with db.transaction():
        db.execute("INSERT INTO org (id, inn, name) VALUES (1, ?, 'ТСЖ «Память»')", (ORG,))
        db.execute("INSERT INTO providers (id, inn, name) VALUES (1, '5401000002', 'РСО')")
        for c in range(1, 9):
            db.execute(
                "INSERT INTO services (code, name, gorod_code, provider_id) VALUES (?, ?, ?, ?)",
                (c, f"Услуга {c}", "103" if c == 4 else str(100 + c), 1 if c > 1 else None),
            )
        db.execute(
            "INSERT INTO accounts (id, number, full_name, settlement, street, house, premise)"
            " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " SELECT i, CAST(10000000 + i AS TEXT), 'Собственник ' || i, 'Новосибирск',"
            " 'ул. Ленина', CAST(i / 200 AS TEXT), CAST(i % 200 AS TEXT) FROM n",
            (ACCOUNTS,),
        )
        db.execute(
            "INSERT INTO accruals SELECT a.id, s.code, 202610, 50000 + (a.id * 13 + s.code * 7)"
            " % 150000 FROM accounts a, services s"
        )
        billing.refresh_periods(db)
    tree = ExchangeTree(home / "x").ensure()
    with open(tree.incoming / NAME, "w", encoding="cp1251", newline="") as f:
        total = sum(1000 + (i * 7919) % 500000 for i in range(lines))
        f.write(f"#FORMAT MOISCHETA/1\r\n#TYPE PAYMENTS\r\n#ORG {ORG}\r\n#NUMBER 001\r\n"
                f"#DATE 06.11.2026\r\n#CODING GOROD\r\n#ROWS {lines}\r\n"
                f"#FILESUM {total // 100}.{total % 100:02d}\r\n")  # fmt: skip
        for i in range(lines):
            code = "" if i % 10 == 0 else "103" if i % 10 == 1 else CODES[i % 6]
            amount = 1000 + (i * 7919) % 500000
            f.write(f"m-{i:08d};05.11.2026 10:{i % 60:02d}:{i % 60:02d};"
                    f"{10000001 + i % ACCOUNTS};{code};{amount // 100}.{amount % 100:02d};"
                    "10.2026\r\n")  # fmt: skip
    return db, tree, total


def main() -> None:
    home, lines = Path(sys.argv[1]), int(sys.argv[2])
    if len(sys.argv) > 3:  # the registry and database only (the parent measures apart)
        make(home, lines)[0].close()
        return
    db = Database(home / "b.db")
    tree = ExchangeTree(home / "x")
    from trayapp.core.accept import accept, list_pending

    base = peak_mb()
    # the pending list's check of a file it has not seen: the whole check, file to database
    pending = list_pending(db, tree, ORG, "GOROD")
    after_check = peak_mb()
    res = accept(db, tree, NAME, ORG, "GOROD", home / "reports", lambda: datetime(2026, 11, 27),
                 report=False)  # fmt: skip
    out = {
        "base": base, "check": after_check, "accept": peak_mb(),
        "pending": [(p.file, p.rows, p.total) for p in pending], "rows": res.rows,
        "total": res.total,
        "payments": db.scalar("SELECT COUNT(*) FROM payments WHERE source = 'moischeta'"),
        "documents": db.scalar("SELECT COUNT(*) FROM documents"),
    }  # fmt: skip
    db.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
