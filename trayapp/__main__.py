"""Entry point for ``python -m trayapp``."""

from trayapp.cli import main

raise SystemExit(main())
