"""What to say about proxies when the server cannot be reached (issue 20, item 16).

requests takes a proxy from ``HTTPS_PROXY`` and, on Windows, from the «Параметры прокси»
address (``ProxyServer`` with ``ProxyEnable``), but not from an auto-config script
(``AutoConfigURL``, a PAC file), which companies often use: there the exchange goes direct
and fails. ``proxy_hint`` words the situation for «сервер недоступен»: the proxy in use, or
the system's one that is not, with what to do (README, «Прокси»). Reads the environment and,
on Windows, ``HKCU\\...\\Internet Settings`` (injected in tests). No GUI.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

INTERNET_SETTINGS = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
ENV_NAMES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")

Registry = Callable[[], Mapping[str, object]]


def _internet_settings() -> Mapping[str, object]:
    if sys.platform != "win32":
        return {}
    import winreg

    found: dict[str, object] = {}
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, INTERNET_SETTINGS) as key:
            for name in ("ProxyEnable", "ProxyServer", "AutoConfigURL"):
                try:
                    found[name] = winreg.QueryValueEx(key, name)[0]
                except OSError:
                    pass
    except OSError:
        pass
    return found


def proxy_hint(environ: Mapping[str, str] | None = None,
               registry: Registry = _internet_settings) -> str:  # fmt: skip
    """A sentence (starting with "; ") about the proxy, or "" where none is set anywhere."""
    env = os.environ if environ is None else environ
    for name in ENV_NAMES:
        if env.get(name):
            return (f"; соединение идёт через прокси-сервер {env[name]} ({name}): проверьте "
                    "его адрес и доступность")  # fmt: skip
    reg = registry()
    pac = reg.get("AutoConfigURL")
    if pac:
        return (f"; в Windows прокси задан сценарием настройки ({pac}), а программа его не "
                "читает: задайте адрес прокси переменной HTTPS_PROXY (README, «Прокси»)")  # fmt: skip
    if reg.get("ProxyEnable") and reg.get("ProxyServer"):
        return (f"; соединение идёт через прокси-сервер Windows {reg['ProxyServer']}: "
                "проверьте его адрес и доступность")  # fmt: skip
    return ""
