"""Render the logo into assets/ and copy it into the package (trayapp/assets/).

The logo has one source: the drawing in ``trayapp/ui/icon.py`` (``logo()``: shapes at any
size, no image files). This script renders it once into ``assets/`` (PNG 16..256 px and a
Windows .ico), which the installers use, and copies those same files into
``trayapp/assets/`` for the installed package; tests/test_assets.py checks that both
folders agree with each other and with the drawing. Run from the repository root:
``python installer/build_assets.py``.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
PACKAGE_ASSETS = ROOT / "trayapp" / "assets"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from trayapp.ui.icon import write_assets

    written = write_assets(ASSETS)
    PACKAGE_ASSETS.mkdir(exist_ok=True)
    for path in written:
        shutil.copyfile(path, PACKAGE_ASSETS / path.name)
        print(path.relative_to(ROOT), "->", (PACKAGE_ASSETS / path.name).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
