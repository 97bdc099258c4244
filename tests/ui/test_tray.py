"""``run_tray`` as a user starts it: a real process on the X display, one instance per home,
and, where ``trayer`` (a system tray host) is installed, a real icon clicked with xdotool."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from trayapp.core.demo import DemoInfo
from trayapp.emulator.server import Emulator

from .conftest import OWN_DISPLAY
from .test_window import configure

START = (
    "import sys; from trayapp.ui.tray import run_tray; "
    "sys.exit(run_tray(sys.argv[1], 'demo', minimized='--minimized' in sys.argv))"
)


def wait(cond: Callable[[], object], timeout: float = 20.0, what: str = "") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or cond}")


def log_text(home: Path) -> str:
    f = home / "logs" / "trayapp-tray.log"  # one log file per kind of process
    return f.read_text(encoding="utf-8") if f.exists() else ""


def start(home: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    e = dict(os.environ)
    e.pop("TRAYAPP_HOME", None)
    e.update(env)
    return subprocess.Popen([sys.executable, "-c", START, str(home), *args], env=e, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
    proc.communicate(timeout=10)


def test_single_instance(xdisplay: str, home: Path) -> None:
    configure(home)
    first = start(home, TRAYAPP_NO_TRAY="1")
    try:
        wait(lambda: "started: tray off" in log_text(home) or first.poll() is not None,
             what="the first instance")  # fmt: skip
        assert first.poll() is None, first.communicate()
        second = subprocess.run([sys.executable, "-c", START, str(home)], capture_output=True,
                                text=True, timeout=30, env=dict(os.environ, TRAYAPP_NO_TRAY="1"))  # fmt: skip
        assert second.returncode == 0
        assert "уже запущены: окно работающей программы" in second.stderr
        from trayapp.associations import org_name
        from trayapp.paths import AppPaths

        name = org_name(AppPaths.resolve(home))
        assert name and f"«Мои счета» ({name}) уже запущены" in second.stderr  # which one
        assert (home / "data" / "trayapp.show").is_file()  # the first is asked to show itself
        assert first.poll() is None  # and keeps running
        wait(lambda: "show requested" in log_text(home), 10, "the first to take the request")
    finally:
        stop(first)


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="a screen there needs no DISPLAY: "
                    "the tray would start and wait for the user")  # fmt: skip
def test_no_display_is_a_clear_message(tmp_path: Path) -> None:
    e = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = subprocess.run([sys.executable, "-c", START, str(tmp_path / "h")], capture_output=True,
                       text=True, timeout=30, env=e)  # fmt: skip
    assert r.returncode == 1
    assert "Нет графического экрана" in r.stderr and "Traceback" not in r.stderr


@pytest.fixture()
def tray_host(xdisplay: str, tmp_path: Path) -> Iterator[None]:
    if not OWN_DISPLAY or not all(shutil.which(t) for t in ("trayer", "xdotool", "xwininfo")):
        pytest.skip("needs our own Xvfb, trayer, xdotool, xwininfo (apt-get install trayer "
                    "xdotool x11-utils)")  # fmt: skip
    wait(lambda: not xdotool("search", "--class", "trayer"), 30, "the last test's trayer gone")
    out = tmp_path / "trayer.txt"
    proc: subprocess.Popen[bytes] | None = None
    try:
        for attempt in range(3):  # a host that could not open the display is started again
            with open(out, "ab") as f:
                proc = subprocess.Popen(["trayer", "--edge", "top", "--align", "right",
                                         "--widthtype", "request", "--height", "32",
                                         "--SetDockType", "true"],
                                        stdout=f, stderr=subprocess.STDOUT)  # fmt: skip
            wait(lambda p=proc: xdotool("search", "--class", "trayer") or p.poll() is not None,  # type: ignore[misc]
                 30, "trayer")  # fmt: skip
            if proc.poll() is None:
                break
            alive = subprocess.run(["xdotool", "getdisplaygeometry"], capture_output=True,
                                   text=True, timeout=10)  # fmt: skip
            with open(out, "a", encoding="utf-8") as f:
                f.write(f"[attempt {attempt + 1}: trayer exited {proc.returncode}; the display "
                        f"answers: {alive.returncode == 0} {alive.stdout.strip()}]\n")  # fmt: skip
        assert proc is not None and proc.poll() is None, out.read_text(errors="replace")[-2000:]
        yield
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def xdotool(*args: str) -> str:
    r = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=10)
    return r.stdout.strip() if r.returncode == 0 else ""


def icon_dock() -> tuple[str, int, int, bool]:
    """The icon window as the X server sees it: (id, width, height, shown inside the tray)."""
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True,
                          timeout=10).stdout  # fmt: skip
    ids = [line.split()[0] for line in tree.splitlines() if "trayappSystemTrayIcon" in line]
    if len(ids) != 1:
        return "", 0, 0, False
    info = subprocess.run(["xwininfo", "-children", "-id", ids[0]], capture_output=True,
                          text=True, timeout=10).stdout  # fmt: skip
    geo = subprocess.run(["xwininfo", "-id", ids[0]], capture_output=True, text=True,
                         timeout=10).stdout  # fmt: skip

    def field(text: str, name: str) -> str:
        return next((ln.split(":", 1)[1].strip() for ln in text.splitlines()
                     if ln.strip().startswith(name)), "")  # fmt: skip

    root_id = field(info, "Root window id").split()[0:1]
    parent_id = field(info, "Parent window id").split()[0:1]
    width, height = int(field(geo, "Width") or 0), int(field(geo, "Height") or 0)
    viewable = field(geo, "Map State") == "IsViewable"
    return ids[0], width, height, viewable and bool(parent_id) and parent_id != root_id


def wait_docked(what: str, timeout: float = 15) -> str:
    """Wait until the icon sits in the tray at 16 px or more; its window id."""
    seen: list[tuple[str, int, int, bool]] = []

    def ok() -> bool:
        seen.append(icon_dock())
        _, w, h, inside = seen[-1]
        return inside and min(w, h) >= 16

    try:
        wait(ok, timeout, what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; last seen {seen[-1:]}") from None
    return seen[-1][0]


def test_tray_icon_click_runs_an_exchange(tray_host: None, home: Path, tmp_path: Path,
                                          info: DemoInfo) -> None:  # fmt: skip
    with Emulator(tmp_path / "emulator", org=info.inn, seed=1) as em:
        configure(home, server_url=em.url, login="demo")
        env = {k: v for k, v in os.environ.items() if k != "PYSTRAY_BACKEND"}
        env["PYSTRAY_BACKEND"] = "xorg"
        app = start(home, "--minimized", **env)
        try:
            wait(lambda: "started: tray" in log_text(home) or app.poll() is not None,
                 what="the tray app")  # fmt: skip
            assert "started: tray on (xorg)" in log_text(home), app.poll()
            icon_window = wait_docked("the icon docked in the tray")
            # at login (--minimized) only the icon: the window stays hidden until asked for
            assert not xdotool("search", "--onlyvisible", "--classname", "^trayapp$")
            for n in (1, 2, 3):  # each session changes the image twice (exchanging, then done)
                time.sleep(1.2)  # a click within 1 s of a session is the same click (ignored)
                xdotool("mousemove", "--window", icon_window, "4", "4", "click", "1")
                wait(lambda n=n: f"exchange session {n} done" in log_text(home), 30,  # type: ignore[misc]
                     f"exchange {n}")  # fmt: skip
                done = f"exchange session {n} done"
                wait(lambda done=done: "tray: image" in log_text(home).split(done, 1)[1], 10,  # type: ignore[misc]
                     "the image after the session")  # fmt: skip
                assert wait_docked(f"the icon still docked after exchange {n}") == icon_window
            # xorg has no menu: the click also opened the window
            wait(lambda: xdotool("search", "--onlyvisible", "--classname", "^trayapp$"), 10,
                 "the window")  # fmt: skip
            assert "did not dock" not in log_text(home)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- the app's log:\n{log_text(home)[-3000:]}") from None
        finally:
            stop(app)


def test_no_tray_host_falls_back_to_a_window(xdisplay: str, home: Path) -> None:
    if not OWN_DISPLAY or shutil.which("xdotool") is None:
        pytest.skip("needs our own Xvfb (no tray host on it) and xdotool")
    configure(home)
    env = dict(os.environ, PYSTRAY_BACKEND="xorg")
    app = start(home, **env)
    try:
        wait(lambda: "started: tray" in log_text(home) or app.poll() is not None, what="start")
        assert "started: tray off" in log_text(home)
        assert "no system tray host" in log_text(home)
        # not a dead end: an ordinary, visible window
        wait(lambda: xdotool("search", "--onlyvisible", "--classname", "^trayapp$"), 10,
             "the window")  # fmt: skip
    finally:
        stop(app)


DEMO = [sys.executable, "-m", "trayapp", "demo", "--accounts", "20"]


def test_demo_without_a_terminal_shows_the_icon_and_the_window(tray_host: None,
                                                                tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "demo-output.txt"
    env = {k: v for k, v in os.environ.items() if k not in ("PYSTRAY_BACKEND", "TRAYAPP_HOME")}
    env["PYSTRAY_BACKEND"] = "xorg"
    with open(out, "w", encoding="utf-8") as f:  # as from a launcher: output to a file
        demo = subprocess.Popen([*DEMO, "--home", str(tmp_path / "demo")], stdout=f,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)  # fmt: skip
        try:
            wait_docked("the demo's icon in the tray", 90)
            wait(lambda: xdotool("search", "--onlyvisible", "--classname", "^trayapp$"), 10,
                 "the demo's window")  # fmt: skip
            assert demo.poll() is None  # it runs until «Выход»
        except AssertionError as exc:
            log = log_text(tmp_path / "demo")[-3000:]
            raise AssertionError(f"{exc}\n--- the demo's log:\n{log}") from None
        finally:
            demo.terminate()
            demo.wait(timeout=10)
    text = out.read_text(encoding="utf-8")
    assert "Сеанс обмена 3" in text and "Открывается окно программы, значок «Мои счета»" in text
    # the readings document is posted in the window the demo opens, not with a command
    assert "проведите в окне программы: вкладка «Данные», «Показания к проведению», " \
           "«Провести»" in text and " post " not in text, text  # fmt: skip


def test_demo_with_no_stdout_at_all_shows_the_window(xdisplay: str, tmp_path: Path) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("needs xdotool")
    # pythonw and windowed builds: sys.stdout and sys.stderr are None
    code = ("import sys; sys.stdout = sys.stderr = None; from trayapp.cli import main; "
            "sys.exit(main(sys.argv[1:]))")  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "TRAYAPP_HOME"}
    env["PYSTRAY_BACKEND"] = "dummy"  # no tray: the window is all there is
    demo = subprocess.Popen([sys.executable, "-c", code, "--home", str(tmp_path / "demo"),
                             *DEMO[3:]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env, text=True)  # fmt: skip
    try:
        wait(lambda: xdotool("search", "--onlyvisible", "--classname", "^trayapp$")
             or demo.poll() is not None, 90, "the demo's window")  # fmt: skip
        assert demo.poll() is None, demo.communicate()
    finally:
        demo.terminate()
        _, err = demo.communicate(timeout=10)
    assert "Traceback" not in err


def test_icon_keeps_its_size_through_every_change_of_image(tray_host: None) -> None:
    import threading

    from trayapp.ui import icon as icons
    from trayapp.ui.xorg_icon import DockedIcon

    tray_icon = DockedIcon("trayapp", icons.tray_image(icons.IDLE, size=24), "trayapp")

    def setup(i: DockedIcon) -> None:
        pass  # DockedIcon shows itself from its own loop's thread

    thread = threading.Thread(target=tray_icon.run, kwargs={"setup": setup}, daemon=True)
    thread.start()
    try:
        first = wait_docked("the icon docked")
        sizes = []
        for n in range(20):  # every state, with and without counts
            state = icons.STATES[n % len(icons.STATES)]
            shown = tray_icon._shown
            tray_icon.set_image(lambda px, s=state, n=n: icons.tray_image(s, n, n // 2, px))
            wait(lambda shown=shown: tray_icon._shown > shown, 10, f"image {n} shown")  # type: ignore[misc]
            assert wait_docked(f"the icon docked after image {n}") == first
            _, w, h, _ = icon_dock()
            sizes.append((w, h))
        assert all(min(s) >= 16 for s in sizes), sizes
        assert len(set(sizes)) == 1, sizes  # it never changed size
    finally:
        tray_icon.stop()
        thread.join(timeout=10)


def test_the_icon_in_a_process_of_its_own(tray_host: None, home: Path, tmp_path: Path,
                                          info: DemoInfo) -> None:  # fmt: skip
    """The macOS path (pystray on a main thread of its own), run here with the xorg backend."""
    with Emulator(tmp_path / "emulator", org=info.inn, seed=1) as em:
        configure(home, server_url=em.url, login="demo")
        env = {k: v for k, v in os.environ.items() if k != "PYSTRAY_BACKEND"}
        env.update(PYSTRAY_BACKEND="xorg", TRAYAPP_TRAY_PROCESS="1")
        app = start(home, "--minimized", **env)
        try:
            wait(lambda: "started: tray" in log_text(home) or app.poll() is not None,
                 what="the tray app")  # fmt: skip
            assert "started: tray on (process)" in log_text(home), app.poll()
            icon_window = wait_docked("the child's icon in the tray")
            xdotool("mousemove", "--window", icon_window, "4", "4", "click", "1")  # «Обмен»
            wait(lambda: "exchange session 1 done" in log_text(home), 30, "the exchange")
            assert wait_docked("the child's icon after the exchange") == icon_window
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- the app's log:\n{log_text(home)[-3000:]}") from None
        finally:
            stop(app)


def test_a_double_click_on_the_icon_runs_one_session(tray_host: None, home: Path,
                                                     tmp_path: Path, info: DemoInfo) -> None:  # fmt: skip
    """Issue 17, defect 3: two clicks on the icon 0.7 s apart (the first session is over by
    the second) run one session; the log has one session and the badge its counts."""
    with Emulator(tmp_path / "emulator", org=info.inn, seed=1) as em:
        configure(home, server_url=em.url, login="demo")
        env = {k: v for k, v in os.environ.items() if k != "PYSTRAY_BACKEND"}
        env["PYSTRAY_BACKEND"] = "xorg"
        app = start(home, "--minimized", **env)
        try:
            wait(lambda: "started: tray" in log_text(home) or app.poll() is not None,
                 what="the tray app")  # fmt: skip
            icon_window = wait_docked("the icon docked in the tray")
            xdotool("mousemove", "--window", icon_window, "4", "4", "click", "--repeat", "2",
                    "--delay", "700", "1")  # fmt: skip
            wait(lambda: "exchange session 1 done" in log_text(home), 30, "the session")
            time.sleep(2.5)
            text = log_text(home)
            assert "exchange session 2 started" not in text
            assert "asked again within 1 s of the last one: ignored" in text
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- the app's log:\n{log_text(home)[-3000:]}") from None
        finally:
            stop(app)
