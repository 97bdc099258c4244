"""trayapp: the exchange module of a housing association with the «Мои счета» service."""

__version__ = "0.1.0"
