"""What the tray does after its icon rather than before it (the icon shows within 1 s of the
start): the system's certificates for HTTPS are still in place for every session."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_tray import configure, log_text, start, stop, wait


def test_the_tray_checks_https_against_the_systems_certificates(xdisplay: str, home: Path) -> None:
    pytest.importorskip("truststore")
    configure(home)
    app = start(home, TRAYAPP_NO_TRAY="1")
    try:
        wait(lambda: "started: tray" in log_text(home) or app.poll() is not None, what="the tray")
        assert "HTTPS checked against the system's certificates" in log_text(home), app.poll()
    finally:
        stop(app)
