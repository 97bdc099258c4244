"""Receiving, checking and accepting a big registry take bounded memory (issue 16 item 7).

A Payments registry of 200,000 lines (13 MB) is checked by the pending list (the whole
check, file to database) and accepted in a child process of its own, which reports its
peak resident memory (VmHWM). The whole-registry check this replaced held every parsed row:
153 MB after the check and 156 MB after the acceptance here, growing with the registry
(636 MB at 1,000,000 lines, 2,153 MB at 3,500,000); read as a stream it is 50 MB checked
and 80 MB accepted here, about the database's page cache, whatever the size (76 / 77 MB at
3,500,000 lines). The cap sits between the two, so that a return to holding the
registry fails here. The results must be the same as ever: every payment written, the
shared code spread, the sums.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINES = 200_000
CAP_MB = 120  # the whole-registry reading: 153 MB; the stream: 50 MB checked, 80 MB accepted


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM of /proc")
def test_big_registry_checked_and_accepted_in_bounded_memory(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "tests.core.memory_child", str(tmp_path), str(LINES)]
    subprocess.run([*cmd, "make"], check=True, cwd=ROOT, env=env, timeout=300)
    r = subprocess.run(cmd, check=True, cwd=ROOT, env=env, timeout=600, capture_output=True,
                       text=True)  # fmt: skip
    got = json.loads(r.stdout.strip().splitlines()[-1])
    total = sum(1000 + (i * 7919) % 500000 for i in range(LINES))
    assert got["pending"] == [["Payments_20261106_001.txt", LINES, total]]
    assert (got["rows"], got["total"]) == (LINES, total)
    # one document per payment and the registry's; every tenth payment (code 103, two
    # services) spread over both where the account has debts on both
    assert got["documents"] == LINES + 1 and got["payments"] > LINES
    assert got["check"] < CAP_MB, got
    assert got["accept"] < CAP_MB, got
