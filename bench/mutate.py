"""Hand-made mutation testing of trayapp/core: each mutation is one realistic bug put into the
code; the tests named for it must fail (the mutation is "killed"). Prints one line per
mutation and the score. Not run in CI (minutes); the figure goes to docs/reliability.md.

    .venv/bin/python bench/mutate.py            # all
    .venv/bin/python bench/mutate.py 3 7        # only those numbers
    .venv/bin/python bench/mutate.py --full     # each against the whole tests/core + cli

The source is restored after each mutation (also on Ctrl-C); a mutation whose text is not
found exactly once is reported as "stale" (the code moved: edit the list).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
C = "trayapp/core/"
T = "tests/core/"

# (file, text, replacement, tests that must catch it)
MUTATIONS: list[tuple[str, str, str, list[str]]] = [
    # --- registries: boundary days (db/registries.py)
    (C + "db/registries.py", "paid_on <= :as_of THEN", "paid_on < :as_of THEN",
     [T + "test_boundaries.py", T + "test_registries.py"]),
    (C + "db/registries.py", "a.closed >= :first_day", "a.closed > :first_day",
     [T + "test_boundaries.py", T + "test_registries.py"]),
    (C + "db/registries.py", "a.opened <= :last_day", "a.opened < :last_day",
     [T + "test_boundaries.py", T + "test_registries.py"]),
    (C + "db/registries.py", "m.removed >= :as_of", "m.removed > :as_of",
     [T + "test_boundaries.py", T + "test_registries.py"]),
    (C + "db/registries.py", "m.installed <= :as_of", "m.installed < :as_of",
     [T + "test_boundaries.py", T + "test_registries.py"]),
    (C + "db/registries.py", "r2.taken_at < :next_day", "r2.taken_at <= :as_of",
     [T + "test_boundaries.py", T + "test_registries.py"]),
    (C + "db/registries.py", "SUM(CASE WHEN period <= :period", "SUM(CASE WHEN period < :period",
     [T + "test_boundaries.py", T + "test_registries.py"]),
    # --- the spreading rule (registries.py)
    (C + "registries.py", "sorted([(-d, i) for i, d in enumerate(debts) if d > 0])[:left]",
     "sorted([(d, i) for i, d in enumerate(debts) if d > 0])[:left]",
     [T + "test_registries.py"]),
    (C + "registries.py", "return [total] + [0] * (len(debts) - 1)",
     "return [0] * (len(debts) - 1) + [total]", [T + "test_registries.py"]),
    (C + "registries.py", "shares = [total * d // positive if d > 0 else 0 for d in debts]",
     "shares = [(total * d + positive // 2) // positive if d > 0 else 0 for d in debts]",
     [T + "test_registries.py"]),  # rounded half up instead of down
    # --- accept.py: the confirmation written in place
    (C + "accept.py", "        write_atomic(target, formats.encode(text))\n",
     "        target.write_bytes(formats.encode(text))\n", [T + "test_write_order.py"]),
    (C + "accept.py", "        remove_half_written(tree, formats.ack_name(entry.name))\n", "",
     [T + "test_accept_crash.py::test_kill_while_the_confirmation_is_written"]),
    (C + "accept.py", '            journal.set_status(db, "in", name, "accepted")\n', "",
     [T + "test_accept.py"]),
    # --- exchange.py: the DELETE before the file is safe
    (C + "exchange.py",
     "            if self.already_stored(entry):\n                continue\n",
     "            if self.already_stored(entry):\n                continue\n"
     "            self.delete_on_server(entry.name)\n", [T + "test_write_order.py"]),
    (C + "exchange.py", "                os.fsync(f.fileno())\n            set_hidden(tmp, False)",
     "            set_hidden(tmp, False)", [T + "test_write_order.py"]),
    (C + "exchange.py", "                if size != entry.size or sha != entry.sha256:",
     "                if size != entry.size:", [T + "test_exchange.py", T + "test_hostile.py"]),
    (C + "exchange.py", "        write_atomic(target, formats.encode(formats.render(ack)))",
     '        write_atomic(target, formats.render(ack).encode("utf-8"))',
     [T + "test_write_order.py"]),
    (C + "exchange.py", "self.t.download(name, LimitedFile(f, entry.size, name))",
     "self.t.download(name, f)",  # only the finite case: the endless one would fill the disk
     [T + "test_hostile.py::test_more_than_announced_is_cut_and_refused[more]"]),
    (C + "exchange.py", "        if entry.size > MAX_REGISTRY_BYTES:", "        if False:",
     [T + "test_hostile.py::test_a_registry_announced_above_the_ceiling_is_not_fetched"]),
    # --- transport.py
    (C + "transport.py", "            if expected_sha and digest != expected_sha:",
     "            if False:", [T + "test_transport.py"]),
    (C + "transport.py", "                if elapsed > self.rate_grace and got < self.min_rate * elapsed:",
     "                if False:", [T + "test_hostile.py::test_a_trickling_transfer_is_cut_by_the_rate_floor"]),
    # --- formats (moischeta.py)
    (C + "formats/moischeta.py", "    accrued = v.parse_amount(f[5])",
     '    accrued = v.parse_amount(f[5] or "0")', [T + "test_write_order.py"]),
    (C + "formats/moischeta.py", "    if amount is None or amount <= 0:",
     "    if amount is None or amount < 0:", [T + "test_formats_golden.py", T + "test_validate.py"]),
    (C + "formats/moischeta.py", "    elif pid in st.seen:", "    elif False:",
     [T + "test_formats_golden.py", T + "test_validate.py"]),
    (C + "formats/moischeta.py", "    if header.filesum is not None and header.filesum != total:",
     "    if False:", [T + "test_formats_golden.py", T + "test_validate.py"]),
    (C + "formats/moischeta.py", "                if CYRILLIC.search(data.decode(\"utf-8\")):",
     "                if data.decode(\"utf-8\"):", [T + "test_encoding.py"]),
    (C + "formats/moischeta.py", "    return text.encode(ENCODING, errors=\"replace\")",
     "    return text.encode(\"utf-8\")", [T + "test_formats_golden.py"]),
    # --- values.py
    (C + "values.py", "    if not 1 <= month <= 12 or year < 1900:", "    if not 1 <= month <= 13:",
     [T + "test_values.py"]),
    (C + "values.py", "    return int(whole) * 1000 + int((frac + \"000\")[:3])",
     "    return int(whole) * 1000 + int(frac or 0)", [T + "test_values.py"]),
    # --- importer.py
    (C + "importer.py", '                    digits = amount + "00" if amount else ""',
     '                    digits = amount + "00"', [T + "test_fast_paths.py"]),
    (C + "importer.py", "        if amount == 0:\n", "        if False:\n", [T + "test_import.py"]),
    (C + "importer.py", "        if vals[2] not in refs.metered:", "        if False:",
     [T + "test_import.py"]),
    (C + "importer.py", "            if closed and vals[2] > int(closed[:4] + closed[5:7]):",
     "            if closed and vals[2] >= int(closed[:4] + closed[5:7]):", [T + "test_import.py"]),
    (C + "importer.py", "        if missing or twice:", "        if missing:", [T + "test_import.py"]),
    # --- db/billing.py: re-import counts
    (C + "db/billing.py", '    return f"{head}{sep}{sets} WHERE {differs}" if differs else conflict',
     "    return conflict", [T + "test_import.py"]),
    # --- exporter / tables: overwrite
    (C + "tables.py", "            os.link(tmp, target)", "            os.replace(tmp, target)",
     [T + "test_export.py"]),
    (C + "exporter.py", "        if first is None:\n", "        if False:\n",
     [T + "test_export.py"]),
    # --- secrets (settings.py, transport.py): the password in the log at verbose
    ("trayapp/settings.py", "    if env:\n        return env\n",
     '    if env:\n        log.debug("password for %s: %s", login, env)\n        return env\n',
     ["tests/test_secrets.py"]),
    (C + "transport.py", '        log.info("logged in to %s as %s", self.base_url, self._login_name)',
     '        log.debug("logged in with token %s", self._token)', ["tests/test_secrets.py"]),
    # --- folders / tree
    (C + "folders.py", "                private_dir(folder)  # personal data: the user's alone (POSIX)",
     "                folder.mkdir(parents=True, exist_ok=True)", ["tests/test_private.py"]),
    (C + "db/connection.py", "            create_private_file(self.path)", "            pass",
     ["tests/test_private.py"]),
]


def run(tests: list[str]) -> int:
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests]
    try:
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=900).returncode
    except subprocess.TimeoutExpired:
        return -1  # a hang is caught too


def main(argv: list[str]) -> int:
    full = "--full" in argv
    only = {int(a) for a in argv if a.isdigit()}
    killed = survived = stale = 0
    began = time.monotonic()
    for n, (file, old, new, tests) in enumerate(MUTATIONS, 1):
        if only and n not in only:
            continue
        path = ROOT / file
        source = path.read_text(encoding="utf-8")
        if source.count(old) != 1:
            print(f"{n:3d} STALE    {file}: {old.strip()[:60]!r}")
            stale += 1
            continue
        try:
            path.write_text(source.replace(old, new), encoding="utf-8")
            rc = run([T, "tests/test_cli.py", "tests/test_private.py"] if full else tests)
        finally:
            path.write_text(source, encoding="utf-8")
        ok = rc != 0
        killed += ok
        survived += not ok
        print(f"{n:3d} {'killed  ' if ok else 'SURVIVED'} {file}: {old.strip()[:60]!r}", flush=True)
    total = killed + survived
    print(f"\nkilled {killed} of {total} ({100 * killed / max(total, 1):.0f} %), stale {stale}, "
          f"{time.monotonic() - began:.0f} s")
    return 0 if survived == 0 and stale == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
