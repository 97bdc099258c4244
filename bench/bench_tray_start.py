"""Benchmark: from starting ``trayapp tray`` to its icon docked in the tray (issue 7: < 1 s).

Makes a demo association (60 accounts), starts Xvfb and trayer (a tray host) unless
DISPLAY is set, then starts the tray app five times as a user would (a new process, the
xorg backend, ``--minimized``) and measures the time until the icon's window is embedded in
the tray and mapped at 16 px or more (``xwininfo``, polled every 10 ms). Prints each run and
the median. Usage: python bench/bench_tray_start.py [RUNS]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def docked() -> bool:
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout
    ids = [ln.split()[0] for ln in tree.splitlines() if "trayappSystemTrayIcon" in ln]
    if len(ids) != 1:
        return False
    info = subprocess.run(["xwininfo", "-id", ids[0], "-children"], capture_output=True,
                          text=True).stdout  # fmt: skip
    geo = subprocess.run(["xwininfo", "-id", ids[0]], capture_output=True, text=True).stdout
    fields = {ln.split(":", 1)[0].strip(): ln.split(":", 1)[1].strip()
              for ln in (info + geo).splitlines() if ":" in ln}  # fmt: skip
    root = fields.get("Root window id", "").split()[:1]
    parent = fields.get("Parent window id", "").split()[:1]
    size = min(int(fields.get("Width", "0")), int(fields.get("Height", "0")))
    return parent != root and fields.get("Map State") == "IsViewable" and size >= 16


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    procs: list[subprocess.Popen[bytes]] = []
    if not os.environ.get("DISPLAY"):
        r, w = os.pipe()
        procs.append(subprocess.Popen(["Xvfb", ":419", "-displayfd", str(w), "-screen", "0",
                                       "1024x768x24", "-nolisten", "tcp"], pass_fds=(w,),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        os.close(w)
        with os.fdopen(r) as f:
            os.environ["DISPLAY"] = ":" + f.readline().strip()
        procs.append(subprocess.Popen(["trayer", "--edge", "top", "--align", "right",
                                       "--widthtype", "request", "--height", "32"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        time.sleep(1.5)
    from trayapp import settings as st
    from trayapp.app import App
    from trayapp.core.demo import build_demo

    home = Path(tempfile.mkdtemp(prefix="tray-start-"))
    try:
        app = App.create(home)
        build_demo(app.db, accounts=60, seed=1, today=date.today())
        app.save_settings(st.set_value(app.settings, "coding", "GOROD"))
        app.close()
        env = dict(os.environ, PYSTRAY_BACKEND="xorg")
        env.pop("TRAYAPP_HOME", None)
        times = []
        for n in range(runs):
            t = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "trayapp", "--home", str(home), "tray",
                                     "--minimized"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)  # fmt: skip
            while not docked():
                if time.perf_counter() - t > 30 or proc.poll() is not None:
                    raise SystemExit(f"run {n + 1}: no icon docked after 30 s")
                time.sleep(0.01)
            times.append(time.perf_counter() - t)
            print(f"run {n + 1}: icon docked {times[-1]:.2f} s after the start")
            proc.terminate()
            proc.wait(timeout=10)
            while docked():
                time.sleep(0.05)
        print(f"median {statistics.median(times):.2f} s, max {max(times):.2f} s "
              f"(target under 1 s)")  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)
        for p in reversed(procs):
            p.terminate()


if __name__ == "__main__":
    main()
