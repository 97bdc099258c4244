"""trayapp: the exchange module of a housing association with the «Мои счета» service."""

from typing import Any


def __getattr__(name: str) -> Any:
    """``trayapp.__version__``, read when asked for (not at every start)."""
    if name == "__version__":
        from trayapp.version import version

        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
