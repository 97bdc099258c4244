"""Benchmark: several associations (issue 19). Two figures:

1. ``trayapp exchange --all`` over N associations (default 20), each its own home (a demo
   association of 60 accounts, Services/Debts/Meters waiting in Исходящие) and its own
   emulator on 127.0.0.1 (owners answer a Debts upload with payments and a Meters upload
   with readings): the wall time of the command, and per association (target under 1.5 s
   on average). Run twice: the first round sends three registries and receives their answers
   and the owners' registries, the second finds the answers to the confirmations only.
2. From starting ``trayapp tray --minimized`` (no home: the tray of the whole list, as the
   autostart entry starts it) to its icon docked, with the N associations (target under 1 s);
   needs Xvfb and trayer (started here unless DISPLAY is set).

Usage: python bench/bench_assoc.py [N] [TRAY_RUNS]
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_tray_start import docked  # noqa: E402


def make(root: Path, n: int) -> list[object]:
    """N associations listed under ``root`` (the default home is ``root/default``)."""
    from trayapp import associations
    from trayapp import settings as st
    from trayapp.app import App
    from trayapp.core.demo import build_demo
    from trayapp.core.registries import generate
    from trayapp.emulator.server import Emulator

    os.environ["TRAYAPP_HOME"] = str(root / "default")
    emulators = []
    today = date.today()
    for i in range(n):
        name = f"ТСЖ «Дом {i + 1}»"
        home = root / "default" if i == 0 else associations.add(name).home
        app = App.create(home)
        info = build_demo(app.db, accounts=60, seed=i + 1, today=today)
        emu = Emulator(root / f"emu{i}", org=info.inn, seed=i + 1)
        emu.start()
        emulators.append(emu)
        s = app.settings
        for key, value in (("coding", "GOROD"), ("server_url", emu.url), ("login", "demo")):
            s = st.set_value(s, key, value)
        app.save_settings(s)
        for kind in ("services", "debts", "meters"):
            generate(app.db, app.tree, kind, s.coding, today, None, False)
        app.close()
        if i == 0:
            associations.save([associations.Association(name, None)])
    return emulators


def exchange_all(env: dict[str, str], n: int) -> float:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "trayapp", "exchange", "--all"], env=env,
                       capture_output=True, text=True, timeout=600)  # fmt: skip
    took = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"exchange --all failed ({r.returncode}): {r.stderr[-2000:]}")
    sent = sum(1 for ln in r.stdout.splitlines() if "отправлено файлов" in ln)
    assert sent == n, r.stdout
    print(f"exchange --all, {n} associations: {took:.2f} s, {took / n:.2f} s per association "
          "(target under 1.5 s)")  # fmt: skip
    return took


def tray_start(env: dict[str, str], runs: int) -> None:
    procs: list[subprocess.Popen[bytes]] = []
    if not os.environ.get("DISPLAY"):
        r, w = os.pipe()
        procs.append(subprocess.Popen(["Xvfb", ":421", "-displayfd", str(w), "-screen", "0",
                                       "1024x768x24", "-nolisten", "tcp"], pass_fds=(w,),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        os.close(w)
        with os.fdopen(r) as f:
            os.environ["DISPLAY"] = env["DISPLAY"] = ":" + f.readline().strip()
        procs.append(subprocess.Popen(["trayer", "--edge", "top", "--align", "right",
                                       "--widthtype", "request", "--height", "32"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        time.sleep(1.5)
    env = dict(env, PYSTRAY_BACKEND="xorg")
    times = []
    try:
        for n in range(runs):
            t = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "trayapp", "tray", "--minimized"],
                                    env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)  # fmt: skip
            while not docked():
                if time.perf_counter() - t > 30 or proc.poll() is not None:
                    raise SystemExit(f"run {n + 1}: no icon docked after 30 s")
                time.sleep(0.01)
            times.append(time.perf_counter() - t)
            print(f"tray run {n + 1}: icon docked {times[-1]:.2f} s after the start")
            proc.terminate()
            proc.wait(timeout=20)
            while docked():
                time.sleep(0.05)
        print(f"tray start with the list: median {statistics.median(times):.2f} s, "
              f"max {max(times):.2f} s (target under 1 s)")  # fmt: skip
    finally:
        for p in reversed(procs):
            p.terminate()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    root = Path(tempfile.mkdtemp(prefix="bench-assoc-"))
    emulators: list[object] = []
    try:
        t = time.perf_counter()
        emulators = make(root, n)
        print(f"{n} associations made in {time.perf_counter() - t:.1f} s")
        env = dict(os.environ, TRAYAPP_HOME=str(root / "default"), TRAYAPP_PASSWORD="demo",
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")  # fmt: skip
        exchange_all(env, n)  # registries out, answers and the owners' registries in
        exchange_all(env, n)  # the second round: what the first left
        if runs:
            tray_start(env, runs)
    finally:
        for e in emulators:
            e.stop()  # type: ignore[attr-defined]
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
