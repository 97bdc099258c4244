"""Windows system metrics the tray draws for: the small icon's size.

The notification area shows a small icon, ``GetSystemMetrics(SM_CXSMICON)`` pixels (16 at
100 %, 24 at 150 %, 32 at 200 % for a DPI-aware process, which ``prepare_dpi`` makes us). A
badge «↑3 ↓12» drawn at 32 px and shrunk by Windows to 16 is a smear; drawn at the size
shown, it is sharp. Elsewhere (gtk, appindicator scale for themselves) ``DEFAULT_PX``.
No Tk, nothing of the core.
"""

from __future__ import annotations

import sys

DEFAULT_PX = 32
SM_CXSMICON = 49


def small_icon_px() -> int:
    """The size to draw the tray icon at."""
    if sys.platform != "win32":
        return DEFAULT_PX
    try:
        import ctypes

        px = int(ctypes.windll.user32.GetSystemMetrics(SM_CXSMICON))
    except (AttributeError, OSError):
        return DEFAULT_PX
    return px if 12 <= px <= 256 else DEFAULT_PX
