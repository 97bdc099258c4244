"""«Сервер недоступен» says what the proxy is doing (issue 20, item 16): the one in use, or the
Windows auto-config script requests does not read. The registry is a stand-in here."""

from __future__ import annotations

import pytest

from trayapp.core.proxyhint import proxy_hint
from trayapp.core.transport import HttpTransport
from trayapp.errors import AppError


def test_no_proxy_anywhere_says_nothing() -> None:
    assert proxy_hint({}, lambda: {}) == ""
    assert proxy_hint({}, lambda: {"ProxyEnable": 0, "ProxyServer": "proxy:3128"}) == ""


def test_the_proxy_in_use_is_named() -> None:
    hint = proxy_hint({"HTTPS_PROXY": "http://proxy.tsj.local:3128"}, lambda: {})
    assert "прокси-сервер http://proxy.tsj.local:3128 (HTTPS_PROXY)" in hint
    hint = proxy_hint({}, lambda: {"ProxyEnable": 1, "ProxyServer": "10.0.0.1:8080"})
    assert "прокси-сервер Windows 10.0.0.1:8080" in hint


def test_an_auto_config_script_is_said_to_be_unread() -> None:
    hint = proxy_hint({}, lambda: {"AutoConfigURL": "http://wpad.tsj.local/proxy.pac"})
    assert "http://wpad.tsj.local/proxy.pac" in hint and "HTTPS_PROXY" in hint


def test_server_unreachable_through_a_dead_proxy_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    t = HttpTransport("https://moischeta.example/api/v1", "demo", "demo", max_tries=1,
                      connect_timeout=2, sleep=lambda s: None)  # fmt: skip
    with pytest.raises(AppError) as info:
        t.list_inbox()
    text = str(info.value)
    assert "недоступен" in text and "прокси-сервер http://127.0.0.1:9 (HTTPS_PROXY)" in text
