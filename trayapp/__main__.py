"""Entry point for ``python -m trayapp`` (and ``pythonw -m trayapp``, the autostart entry of a
pip installation on Windows): a failed start is logged and, windowed, shown (fatal.py)."""

from trayapp.cli import main
from trayapp.fatal import run

raise SystemExit(run(main))
