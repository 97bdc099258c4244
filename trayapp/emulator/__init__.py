"""The «Мои счета» emulator: a peer of the module serving spec/protocol.md (see ``server``).

``Emulator`` runs it in a thread (tests, ``trayapp demo``); ``main`` is ``trayapp emulator``.
Imports nothing of the GUI.
"""

from trayapp.emulator.server import Emulator, main

__all__ = ["Emulator", "main"]
