"""Benchmark: does the window answer while a long job runs? (issue 7, item 9)

Builds a large association (bench/make_db.py: N accounts, 8 services, 12 months), opens the
real window on an X display (Xvfb started when DISPLAY is unset), generates the Debts
registry from the window (the job runs in the window's worker thread) and, all the while,
measures how late a Tk ``after(10)`` callback fires: that lateness is how long a click or a
redraw would wait. Prints the job's time and the latency's median, 99th percentile and
maximum, and how many ticks were later than 50 ms. Also the time from ``tk.Tk()`` to the
window mapped. Then the same while a registry of N payments is checked and accepted from the window
(bench_accept.py's data), and during a session that sends a Debts registry of 0.8 N accounts
(about 50 MB for N = 100000; 0.6 N gave 38 MB) to the emulator in a process of its own. Usage:
python bench/bench_tk_latency.py [N] [generate] [accept] [session] (default 100000, all).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tkinter as tk
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
TICK_MS = 10


def ensure_display() -> subprocess.Popen[bytes] | None:
    if os.environ.get("DISPLAY"):
        return None
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", ":417", "-displayfd", str(w), "-screen", "0",
                             "1024x768x24", "-nolisten", "tcp"], pass_fds=(w,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    os.close(w)
    with os.fdopen(r) as f:
        os.environ["DISPLAY"] = ":" + f.readline().strip()
    return proc


class YesDialogs:
    """Every question answered yes; nothing waits for a click."""

    def __getattr__(self, name: str) -> object:
        return lambda *a, **k: True


def measure(root: tk.Tk, start: object, done: object, what: str, worker: object = None) -> None:
    """Run ``start()``, then the Tk loop until ``done()``, ticking every TICK_MS; print.

    For each tick later than 50 ms, also the CPU time the window's worker thread (``worker``,
    a ``ui.worker.Worker``) and the Tk thread had in that gap: a gap where neither ran is
    the machine's (other processes had the cores), not the program's."""
    late: list[float] = []
    state = {"expected": 0.0, "running": True}
    thread = getattr(worker, "_thread", None)
    clock = time.pthread_getcpuclockid(thread.ident) if thread is not None else None
    cpu = {"worker": 0.0, "tk": 0.0}
    gaps: list[str] = []

    def tick() -> None:
        now = time.perf_counter()
        w = time.clock_gettime(clock) if clock is not None else 0.0
        m = time.thread_time()
        if state["expected"]:
            late.append((now - state["expected"]) * 1000)
            if late[-1] > 50:
                gaps.append(f"{late[-1]:.0f} ms (worker ran {(w - cpu['worker']) * 1000:.0f} ms, "
                            f"Tk thread {(m - cpu['tk']) * 1000:.0f} ms)")  # fmt: skip
        cpu["worker"], cpu["tk"] = w, m
        state["expected"] = now + TICK_MS / 1000
        if state["running"]:
            after[0] = root.after(TICK_MS, tick)

    after = [""]
    t = time.perf_counter()
    start()  # type: ignore[operator]
    after[0] = root.after(TICK_MS, tick)
    while not done():  # type: ignore[operator]
        root.update()
        time.sleep(0.001)
        if time.perf_counter() - t > 900:
            raise SystemExit(f"{what}: over 15 minutes")
    job = time.perf_counter() - t
    state["running"] = False
    root.after_cancel(after[0])
    late.sort()
    p99 = late[max(0, int(len(late) * 0.99) - 1)] if late else 0.0
    print(f"{what}: {job:.1f} s; Tk loop lateness over {len(late)} ticks of {TICK_MS} ms: "
          f"median {statistics.median(late):.1f} ms, p99 {p99:.1f} ms, max {late[-1]:.1f} ms, "
          f"later than 50 ms: {sum(1 for x in late if x > 50)}")  # fmt: skip
    if gaps:
        print("  late ticks: " + "; ".join(gaps))


def accept_phase(accounts: int) -> None:
    """A 100,000-payment registry accepted from the window (bench_accept's data)."""
    import bench_accept as ba

    from trayapp import settings as st
    from trayapp.app import App
    from trayapp.core.folders import ExchangeTree
    from trayapp.ui.backend import Backend
    from trayapp.ui.window import MainWindow

    home = Path(tempfile.mkdtemp(prefix="tk-accept-"))
    try:
        db_file = home / "accept.db"
        ba.make_base(db_file, accounts)
        app = App.create(home)
        s = st.set_value(app.settings, "database", str(db_file))
        s = st.set_value(s, "coding", "GOROD")
        app.save_settings(s)
        tree = ExchangeTree(s.exchange_folder(app.paths)).ensure()
        app.close()
        root = tk.Tk()
        win = MainWindow(root, Backend(str(home)), YesDialogs())  # type: ignore[arg-type]
        win.opener = lambda p: None
        # the window up first (its own first layout holds the loop 80-160 ms here, job or
        # not: that is the start, timed by the generation phase), then the registry arrives
        while win.snapshot is None or not root.winfo_viewable():
            root.update()
            time.sleep(0.005)
        part = tree.root / f".{ba.NAME}.part"  # written whole, then moved in (one rename)
        ba.write_registry(part, accounts, accounts)
        os.replace(part, tree.incoming / ba.NAME)
        measure(root, win.refresh,
                lambda: win.snapshot is not None and any(p.file == ba.NAME
                                                         for p in win.snapshot.pending),
                f"the window's first look at a {accounts}-payment registry (its check)",
                win.worker)  # fmt: skip
        win.pending_tree.selection_set(ba.NAME)
        measure(root, win.accept_selected, lambda: win.last_accepted is not None,
                f"{accounts} payments accepted from the window", win.worker)  # fmt: skip
        win.close()
        root.destroy()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def session_phase(accounts: int) -> None:
    """An exchange session from the window sending a Debts registry of tens of MB to the
    emulator (a process of its own, as the real server is)."""
    from datetime import date

    from make_db import make

    from trayapp import settings as st
    from trayapp.app import App
    from trayapp.core.registries import generate
    from trayapp.ui.backend import Backend
    from trayapp.ui.window import MainWindow

    home = Path(tempfile.mkdtemp(prefix="tk-session-"))
    emulator: subprocess.Popen[str] | None = None
    try:
        db_file = home / "session.db"
        make(db_file, accounts)
        emulator = subprocess.Popen([sys.executable, "-m", "trayapp.emulator", "--port", "0",
                                     "--no-residents", "--org", "5401000001", "--data",
                                     str(home / "emulator")], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        assert emulator.stdout is not None
        url = emulator.stdout.readline().strip()
        app = App.create(home)
        s = app.settings
        for key, value in (("database", str(db_file)), ("coding", "GOROD"),
                           ("server_url", url), ("login", "demo")):  # fmt: skip
            s = st.set_value(s, key, value)
        app.save_settings(s)
        r = generate(app.db, app.tree, "debts", "GOROD", date.today())
        size = r.file.stat().st_size / 1e6
        app.close()
        root = tk.Tk()
        win = MainWindow(root, Backend(str(home), "demo"), YesDialogs())  # type: ignore[arg-type]
        while win.snapshot is None or not root.winfo_viewable():
            root.update()
            time.sleep(0.005)
        measure(root, win.exchange, lambda: win.last_exchange is not None or not win.worker.busy(),
                f"a session sending a {size:.0f} MB Debts registry, from the window",
                win.worker)  # fmt: skip
        outcome = win.last_exchange
        print("  session:", f"sent {outcome.result.sent}, answers ok {outcome.result.answers_ok}"
              if outcome is not None else f"failed: {win.message_var.get()}")  # fmt: skip
        win.close()
        root.destroy()
    finally:
        if emulator is not None:
            emulator.terminate()
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    accounts = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    phases = sys.argv[2:] or ["generate", "accept", "session"]
    xvfb = ensure_display()
    os.environ.setdefault("PYSTRAY_BACKEND", "dummy")
    from make_db import make

    from trayapp import settings as st
    from trayapp.app import App
    from trayapp.ui.backend import Backend
    from trayapp.ui.window import MainWindow

    home = Path(tempfile.mkdtemp(prefix="tk-latency-"))
    try:
        if "accept" in phases:
            accept_phase(accounts)
        if "session" in phases:
            session_phase(accounts * 8 // 10)
        if "generate" not in phases:
            return
        t = time.perf_counter()
        db_file = home / "big.db"
        make(db_file, accounts)
        print(f"database of {accounts} accounts made in {time.perf_counter() - t:.1f} s")
        app = App.create(home)
        s = st.set_value(app.settings, "database", str(db_file))
        s = st.set_value(s, "coding", "GOROD")
        app.save_settings(s)
        app.close()

        t = time.perf_counter()
        root = tk.Tk()
        win = MainWindow(root, Backend(str(home)))
        root.update()
        while not root.winfo_viewable():
            root.update()
        print(f"window shown {time.perf_counter() - t:.2f} s after tk.Tk()")
        while win.snapshot is None:
            root.update()
            time.sleep(0.005)

        measure(root, lambda: win.generate("debts"), lambda: win.last_generated is not None,
                f"Debts of {accounts} accounts generated from the window", win.worker)  # fmt: skip
        assert win.last_generated is not None
        print(f"  {win.last_generated.rows} rows")
        win.close()
        root.destroy()
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if xvfb is not None:
            xvfb.terminate()


if __name__ == "__main__":
    main()
