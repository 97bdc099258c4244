"""Hand-made mutation testing of trayapp/core: each mutation is one realistic bug put into the
code; the tests named for it must fail (the mutation is "killed"). Prints one line per
mutation and the score. Not run in CI (minutes); the figure goes to docs/reliability.md.

    .venv/bin/python bench/mutate.py            # all
    .venv/bin/python bench/mutate.py 3 7 42-    # only those numbers (a range: 42-50, 42-)
    .venv/bin/python bench/mutate.py --since    # only the second list (issue 21, SINCE)
    .venv/bin/python bench/mutate.py --stale    # only say which are stale, run nothing
    .venv/bin/python bench/mutate.py --full     # each against the whole tests/core + cli

The source is restored after each mutation (also on Ctrl-C and SIGTERM); a mutation whose
text is not found exactly once, or whose file is gone, is reported as "stale" (the code
moved: edit the list) and the run goes on.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
C = "trayapp/core/"
T = "tests/core/"

# the Meters registry's query (meters_in_service repeats the condition: the mutation is of
# the query the registry is written from)
_METERS_WHERE = ("WHERE m.installed <= :as_of AND (m.removed IS NULL OR m.removed >= :as_of)\n"
                 "          AND {_eligible(apartments_only)}\n        ORDER BY a.number")

Mutation = tuple[str, str, str, list[str]]
# (file, text, replacement, tests that must catch it)
MUTATIONS: list[Mutation] = [
    # --- registries: boundary days (db/registries.py)
    (C + "db/registries.py", "paid_on <= :as_of THEN", "paid_on < :as_of THEN",
     [T + "test_boundaries.py", T + "test_registries.py"]),
    (C + "db/registries.py", "a.closed >= :first_day", "a.closed > :first_day",
     [T + "test_boundaries.py", T + "test_registries.py"]),
    (C + "db/registries.py", "a.opened <= :last_day", "a.opened < :last_day",
     [T + "test_boundaries.py", T + "test_registries.py"]),
    (C + "db/registries.py", _METERS_WHERE, _METERS_WHERE.replace("m.removed >=", "m.removed >"),
     [T + "test_boundaries.py", T + "test_registries.py"]),
    (C + "db/registries.py", _METERS_WHERE,
     _METERS_WHERE.replace("m.installed <=", "m.installed <"),
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
    # --- formats (moischeta.py, rows.py, stream.py)
    (C + "formats/rows.py", "    accrued = v.parse_amount(f[5])",
     '    accrued = v.parse_amount(f[5] or "0")', [T + "test_write_order.py"]),
    (C + "formats/rows.py", "    if amount is None or amount <= 0:",
     "    if amount is None or amount < 0:", [T + "test_formats_golden.py", T + "test_validate.py"]),
    (C + "formats/rows.py", "    elif pid in st.seen:", "    elif False:",
     [T + "test_formats_golden.py", T + "test_validate.py"]),
    (C + "formats/stream.py", "        if header.filesum is not None and header.filesum != total:",
     "        if False:", [T + "test_formats_golden.py", T + "test_validate.py"]),
    (C + "formats/stream.py", "            if not cyrillic and CYRILLIC.search(text):",
     "            if not cyrillic:", [T + "test_encoding.py"]),
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
    (C + "import_locate.py",  # was importer.py's "if missing or twice:"
     '                errors = [(line, f"столбец указан дважды: {described(f)}") for f in m.twice]',
     "                errors = []", [T + "test_import.py"]),
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

# --- issue 21: the code added since the list above was written
SINCE: list[Mutation] = [
    # summary.py: the per-provider sums before acceptance
    (C + "summary.py",
     "            per[provider_of.get(own)] = per.get(provider_of.get(own), 0) + part",
     "            per[provider_of.get(own)] = part", [T + "test_summary.py"]),
    (C + "summary.py", "            slot[0] += 1  # a payment counted once",
     "            slot[0] += len(parts)  # a payment counted once", [T + "test_summary.py"]),
    (C + "summary.py", "    whole = [(WITHOUT_SERVICE, n, s) for code, n, s in by_code if not code]",
     "    whole = []", [T + "test_summary.py"]),
    # progress.py
    (C + "progress.py", "        if done == total or step != self._step or now >= self._next:",
     "        if step != self._step or now >= self._next:", [T + "test_progress.py"]),
    (C + "progress.py", "        if held is not None:\n", "        if False:\n",
     [T + "test_progress.py"]),
    (C + "progress.py", "    return one if units == 1 and tens != 11 else many",
     "    return one if units == 1 else many", ["tests/test_plurals.py"]),
    # exporter.py / tables.py: exports
    (C + "exporter.py", "            billing.mark_payments_exported(db)\n", "            pass\n",
     [T + "test_export.py"]),
    (C + "exporter.py", "    series = SAME_NAME_SERIES if out is None else 1",
     "    series = SAME_NAME_SERIES", [T + "test_export.py"]),
    (C + "exporter.py", '    return v.format_amount(kopecks).replace(".", ",")',
     "    return v.format_amount(kopecks)", [T + "test_export.py"]),
    (C + "exporter.py", '    return f"{whole},{frac:03d}"', '    return f"{whole},{frac}"',
     [T + "test_export.py"]),
    (C + "tables.py", "            f.flush()\n            os.fsync(f.fileno())\n",
     "            f.flush()\n", [T + "test_write_order.py"]),
    (C + "tables.py", "    fsync_dir(path.parent)  # the rename or link itself survives a power cut\n",
     "", [T + "test_write_order.py"]),
    (C + "tables.py", "os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600", "os.O_WRONLY | os.O_CREAT, 0o600",
     [T + "test_export.py", T + "test_write_order.py"]),
    (C + "cells.py", "    return text.startswith(FORMULA_START) and NUMBER.fullmatch(text) is None",
     '    return text.startswith("=") and NUMBER.fullmatch(text) is None',
     [T + "test_formulas.py"]),
    (C + "cells.py", "        cell.quotePrefix = True", "        pass", [T + "test_formulas.py"]),
    # fsutil.py: atomic writes
    ("trayapp/fsutil.py", "        replace_file(tmp, target)\n        fsync_dir(folder)\n",
     "        replace_file(tmp, target)\n", [T + "test_write_order.py"]),
    ("trayapp/fsutil.py", "            f.flush()\n            os.fsync(f.fileno())\n        set_hidden",
     "            f.flush()\n        set_hidden", [T + "test_write_order.py"]),
    # lock.py: one session, one acceptance at a time
    (C + "lock.py", "    while not lock.try_exchange_lock():", "    while False:",
     ["tests/test_scheduler.py"]),
    (C + "lock.py", "    finally:\n        lock.release_exchange_lock()", "    finally:\n        pass",
     [T + "test_postgres.py::test_exchange_lock_says_who_holds_it", "tests/test_scheduler.py"]),
    (C + "lock.py", "        lock.acquire(timeout=wait)", "        pass", [T + "test_locks.py"]),
    # private.py, settings.py
    ("trayapp/private.py", "        os.umask(0o077)", "        os.umask(0o022)",
     ["tests/test_private.py"]),
    ("trayapp/private.py", "if st.st_uid == os.getuid() and not st.st_mode & stat.S_ISVTX:",
     "if st.st_uid == os.getuid():", ["tests/test_private.py", "tests/test_settings_folder.py"]),
    ("trayapp/settings.py", "        if not _DAYS.fullmatch(value) or int(value) > 60:",
     "        if not _DAYS.fullmatch(value) or int(value) >= 60:",
     ["tests/test_settings_bounds.py"]),
    ("trayapp/settings.py", "or int(value) > MAX_SCHEDULE:", "or int(value) >= MAX_SCHEDULE:",
     ["tests/test_settings_bounds.py"]),
    ("trayapp/settings.py", "not 1 <= int(value) <= MAX_BACKUP_KEEP",
     "not 1 <= int(value) < MAX_BACKUP_KEEP", ["tests/test_settings_bounds.py"]),
    ("trayapp/settings.py", "len(str(folder)) + TREE_TAIL > WIN_MAX_PATH:",
     "len(str(folder)) + TREE_TAIL >= WIN_MAX_PATH:", ["tests/test_settings_bounds.py"]),
    ("trayapp/settings.py", '    if u.scheme == "http" and u.hostname in LOOPBACK:',
     '    if u.scheme == "http":', ["tests/test_cli.py::test_settings_show_set_and_errors"]),
    ("trayapp/settings.py", '    if u.password is not None or "password" in query:',
     "    if u.password is not None:", [T + "test_postgres.py::test_url_with_a_password_is_refused"]),
    # reconcile.py: the bank check
    (C + "reconcile.py", "rounding=ROUND_HALF_UP))", "rounding=ROUND_HALF_EVEN))",
     [T + "test_reconcile.py"]),
    (C + "reconcile.py", "    window = [(s, s + terms.days) for s in start]",
     "    window = [(s - terms.days, s + terms.days) for s in start]", [T + "test_reconcile.py"]),
    (C + "reconcile.py", "        diff = got - sum(expected[k] for k in members)",
     "        diff = sum(expected[k] for k in members) - got", [T + "test_reconcile.py"]),
    (C + "reconcile.py", "        found = docs.of_sum(expected[k], *window[k])\n        if len(found) == 1:",
     "        found = docs.of_sum(expected[k], *window[k])\n        if found:",
     [T + "test_reconcile.py"]),
    (C + "reconcile.py", "                and self.refs[i].isdisjoint(self.held)\n", "\n",
     [T + "test_reconcile.py"]),
    (C + "reconcile.py", "            year += 2000\n", "            year += 1900\n",
     [T + "test_reconcile.py"]),
    (C + "reconcile.py", "            if before and before[-1].lower().startswith(_OTHER):",
     "            if False:", [T + "test_reconcile.py"]),
    # bank.py / formats/clientbank.py: the statement
    (C + "formats/clientbank.py", "        return self.received or self.day",
     "        return self.day", [T + "test_reconcile.py", T + "test_clientbank.py"]),
    (C + "formats/clientbank.py",
     "        accounts = {own_account} if own_account else set(self.accounts)",
     "        accounts = set(self.accounts)", [T + "test_clientbank.py", T + "test_reconcile.py"]),
    (C + "formats/clientbank.py", "        if m is None or m.group(1):\n", "        if m is None:\n",
     [T + "test_clientbank.py"]),  # a negative sum of a document taken
    (C + "bank.py", "        index_references(db, sid)\n", "",
     [T + "test_reconcile.py", "tests/test_cli_bank.py"]),
    # backup.py / backup_verify.py
    (C + "backup.py", "    for when, n in dated[keep:]:", "    for when, n in dated[keep - 1:]:",
     [T + "test_backup.py::test_the_retention_rule", T + "test_backup_retention.py"]),
    (C + "backup.py", "today.month - 1 - i) % 12 + 1) for i in range(MONTHS_KEPT)}",
     "today.month - 1 - i) % 12 + 1) for i in range(MONTHS_KEPT - 1)}",
     [T + "test_backup.py::test_the_retention_rule"]),
    (C + "backup.py", "        if (created_of(n) or limit) < limit:", "        if True:",
     [T + "test_backup_retention.py", T + "test_backup.py"]),
    (C + "backup_verify.py", "    if size != member.size or h.hexdigest() != member.sha256:",
     "    if size != member.size:", [T + "test_backup.py"]),
    # associations.py, org_change.py, bank_list.py (landed today)
    ("trayapp/associations.py",
     "        if check_folder and _key(theirs.exchange_folder(other)) == folder:",
     "        if False:", ["tests/test_assoc_apart.py"]),
    ("trayapp/associations.py",
     "        if check_db and not is_postgres_url(theirs.database) and (",
     "        if False and (", ["tests/test_assoc_apart.py"]),
    (C + "org_change.py", "        if old[0] and new[0] != old[0] and not replace:",
     "        if False:", ["tests/test_assoc_org.py"]),
    (C + "bank_list.py", "        if m.status in (MATCHED, MISMATCH):",
     '        if m.status != "missing":', [T + "test_bank_list.py", "tests/test_cli_bank.py"]),
]
FIRST_SINCE = len(MUTATIONS) + 1
MUTATIONS += SINCE


def run(tests: list[str]) -> int:
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests]
    try:
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=900).returncode
    except subprocess.TimeoutExpired:
        return -1  # a hang is caught too


def chosen(argv: list[str]) -> set[int]:
    """The numbers asked for: ``3``, ``42-50``, ``42-``; ``--since``: the second list."""
    only: set[int] = set()
    for a in argv:
        first, dash, last = a.partition("-")
        if first.isdigit() and (not dash or not last or last.isdigit()):
            only.update(range(int(first), int(last or len(MUTATIONS)) + 1 if dash else
                              int(first) + 1))  # fmt: skip
    if "--since" in argv:
        only.update(range(FIRST_SINCE, len(MUTATIONS) + 1))
    return only


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so that the ``finally`` below puts the source back


def main(argv: list[str]) -> int:
    full = "--full" in argv
    only = chosen(argv)
    check_only = "--stale" in argv
    signal.signal(signal.SIGTERM, _stop)
    killed = survived = stale = 0
    began = time.monotonic()
    for n, (file, old, new, tests) in enumerate(MUTATIONS, 1):
        if only and n not in only:
            continue
        path = ROOT / file
        try:
            source = path.read_text(encoding="utf-8")
        except OSError:  # the module was renamed or split
            source = ""
        if source.count(old) != 1:
            print(f"{n:3d} STALE    {file}: {old.strip()[:60]!r}", flush=True)
            stale += 1
            continue
        if check_only:
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
