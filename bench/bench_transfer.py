"""Benchmark: HttpTransport downloads and uploads vs plain streamed ``requests`` calls.

The emulator runs in a process of its own on 127.0.0.1 and serves a 50 MB registry. We time
(best of N) a plain streamed ``requests`` GET of that file into a file on disk, against
``HttpTransport.download`` of the same file (sha256, size and ``X-Content-SHA256`` checked,
retries armed), and the same with the fsync the exchange session adds; likewise a plain
streamed PUT (``X-Content-SHA256`` computed first, the emulator requires it) against
``HttpTransport.upload``. Targets (issue 2): our speed at least 0.5 of the plain one; the
peak memory growth of a process during our download (or upload) under 30 MB, measured in a
fresh child process (RSS high-water mark minus RSS before, and tracemalloc's peak).
Usage: python bench/bench_transfer.py [SIZE_MB] [REPEATS]
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

NAME = "Payments_20261106_001.txt"

CHILD = r"""
import json, os, resource, sys, tracemalloc
from pathlib import Path
from trayapp.core.transport import HttpTransport

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

url, mode, path, name = sys.argv[1:5]
t = HttpTransport(url, "demo", "demo")
t.list_inbox()  # logged in, connection open: what is measured is the transfer alone
before = rss_mb()
tracemalloc.start()
if mode == "down":
    with open(path, "wb") as f:
        t.download(name, f)
else:
    t.upload(name, Path(path))
peak = tracemalloc.get_traced_memory()[1] / 2**20
tracemalloc.stop()
hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rss_growth_mb": hwm - before, "tracemalloc_peak_mb": peak}))
"""


def start_emulator(data: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "trayapp.emulator", "--port", "0", "--no-residents",
         "--data", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        proc.kill()
        raise SystemExit(f"the emulator did not start: {url!r}")
    return proc, url


def make_file(path: Path, size: int) -> None:
    """One long line: the emulator refuses it at once, so its answer costs nothing."""
    block = b"x" * (1 << 20)
    with open(path, "wb") as f:
        f.write(b"#")
        for _ in range(size // len(block)):
            f.write(block)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def login(url: str) -> str:
    r = requests.post(url + "/login", json={"login": "demo", "password": "demo"}, timeout=10)
    r.raise_for_status()
    return str(r.json()["token"])


def best(times: list[float]) -> float:
    return min(times)


def main() -> None:
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    size = size_mb << 20
    work = Path(tempfile.mkdtemp(prefix="bench_transfer_"))
    proc, url = start_emulator(work / "emu")
    try:
        src = work / "src.txt"
        make_file(src, size)
        inbox = work / "emu" / "inbox"
        os.link(src, inbox / NAME) if hasattr(os, "link") else (inbox / NAME).write_bytes(
            src.read_bytes()
        )
        from trayapp.core.transport import HttpTransport

        t = HttpTransport(url, "demo", "demo")
        t.list_inbox()
        s = requests.Session()
        s.trust_env = False
        s.headers["Authorization"] = "Bearer " + login(url)
        out = work / "out.bin"

        plain_down, ours_down, ours_down_fsync = [], [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            with (
                s.get(f"{url}/inbox/{NAME}", stream=True, timeout=(10, 30)) as r,
                open(out, "wb") as f,
            ):
                r.raise_for_status()
                for chunk in r.iter_content(1 << 16):
                    f.write(chunk)
            plain_down.append(time.perf_counter() - t0)
            assert out.stat().st_size == size + 1

            t0 = time.perf_counter()
            with open(out, "wb") as f:
                t.download(NAME, f)
            ours_down.append(time.perf_counter() - t0)

            t0 = time.perf_counter()
            with open(out, "wb") as f:
                t.download(NAME, f)
                f.flush()
                os.fsync(f.fileno())
            ours_down_fsync.append(time.perf_counter() - t0)

        plain_up, ours_up = [], []
        for i in range(repeats):
            t0 = time.perf_counter()
            digest = sha256(src)
            with open(src, "rb") as body:
                r = s.put(
                    f"{url}/outbox/Debts_20261105_{2 * i + 1:03d}.txt",
                    data=body,
                    headers={"X-Content-SHA256": digest},
                    timeout=(10, 120),
                )
            r.raise_for_status()
            plain_up.append(time.perf_counter() - t0)

            t0 = time.perf_counter()
            assert t.upload(f"Debts_20261105_{2 * i + 2:03d}.txt", src) == 201
            ours_up.append(time.perf_counter() - t0)

        mem_down = json.loads(
            subprocess.run(
                [sys.executable, "-c", CHILD, url, "down", str(out), NAME],
                capture_output=True,
                text=True,
                check=True,
            ).stdout  # fmt: skip
        )
        mem_up = json.loads(
            subprocess.run(
                [sys.executable, "-c", CHILD, url, "up", str(src), "Meters_20261105_001.txt"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout  # fmt: skip
        )
        t.close()
    finally:
        proc.terminate()
        proc.wait(10)

    def mbps(seconds: float) -> float:
        return size_mb / seconds

    pd, od, odf = best(plain_down), best(ours_down), best(ours_down_fsync)
    pu, ou = best(plain_up), best(ours_up)
    print(f"file: {size_mb} MB, best of {repeats}, emulator in its own process on 127.0.0.1")
    print(f"download plain requests : {pd:6.3f} s  {mbps(pd):7.1f} MB/s")
    print(f"download HttpTransport  : {od:6.3f} s  {mbps(od):7.1f} MB/s  ratio {pd / od:.2f}")
    print(f"  + fsync (as a session): {odf:6.3f} s  {mbps(odf):7.1f} MB/s  ratio {pd / odf:.2f}")
    print(f"upload   plain requests : {pu:6.3f} s  {mbps(pu):7.1f} MB/s  (sha256 + PUT)")
    print(f"upload   HttpTransport  : {ou:6.3f} s  {mbps(ou):7.1f} MB/s  ratio {pu / ou:.2f}")
    print(
        f"memory, download: RSS growth {mem_down['rss_growth_mb']:.1f} MB, "
        f"tracemalloc peak {mem_down['tracemalloc_peak_mb']:.2f} MB"
    )
    print(
        f"memory, upload  : RSS growth {mem_up['rss_growth_mb']:.1f} MB, "
        f"tracemalloc peak {mem_up['tracemalloc_peak_mb']:.2f} MB"
    )
    ok = (
        pd / od >= 0.5
        and pu / ou >= 0.5
        and max(mem_down["rss_growth_mb"], mem_up["rss_growth_mb"]) < 30
    )
    print("targets (ratio >= 0.5, growth < 30 MB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
