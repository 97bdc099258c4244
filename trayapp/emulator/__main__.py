"""``python -m trayapp.emulator``: the same as ``trayapp emulator``."""

from trayapp.emulator.server import main

raise SystemExit(main())
