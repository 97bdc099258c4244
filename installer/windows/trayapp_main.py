"""The frozen programs' entry point (trayapp.exe and trayapp-cli.exe): the command line.

Without arguments it starts the tray (``trayapp`` = ``trayapp tray``); the windowed build has
no console, so the command line's text output goes nowhere there (console.py) and scripts use
trayapp-cli.exe.
"""

import multiprocessing
import sys

from trayapp.cli import main
from trayapp.fatal import run

if __name__ == "__main__":
    # a child started by ui/apart.py (the window's acceptance) runs its job, not the program
    multiprocessing.freeze_support()
    # the log first; a failed start of the windowed trayapp.exe shown in a message box
    sys.exit(run(main))
