"""assets/ is the one rendering of the logo: the package's copies and the drawing agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops

from trayapp.ui import icon

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "assets"
PACKAGE = ROOT / "trayapp" / "assets"
SIZES = (16, 32, 48, 64, 128, 256)


def test_package_copies_are_the_assets() -> None:
    names = sorted(p.name for p in ASSETS.iterdir() if p.suffix in (".png", ".ico"))
    assert names == sorted(p.name for p in PACKAGE.iterdir())
    assert names == sorted([f"logo_{s}.png" for s in SIZES] + ["logo.ico"])
    for name in names:
        assert (ASSETS / name).read_bytes() == (PACKAGE / name).read_bytes(), name


@pytest.mark.parametrize("size", SIZES)
def test_assets_match_the_drawing(size: int) -> None:
    with Image.open(ASSETS / f"logo_{size}.png") as f:
        stored = f.convert("RGBA")
    assert stored.size == (size, size)
    diff = ImageChops.difference(stored, icon.logo(size))
    assert max(hi for _, hi in diff.getextrema()) <= 3  # Pillow versions may round apart


def test_ico_has_the_windows_sizes() -> None:
    with Image.open(ASSETS / "logo.ico") as ico:
        sizes = ico.info["sizes"]
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(sizes)
