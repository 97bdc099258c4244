"""trayapp: the exchange module of a housing association with the «Мои счета» service."""

from trayapp.version import version

__version__ = version()
