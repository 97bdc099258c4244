"""The logo and the tray icon, drawn with Pillow at run time (no font files, no image files).

A rounded square (blue when idle, amber while exchanging, red after a failed session) with a
white house whose door is a green ruble sign, in the spirit of «Мои счета»; ``badged`` puts a
small circle with a number (files of the last session, or registries waiting) in its corner.
``python -m trayapp.ui.icon DIR`` writes the PNG files the installers use. Imports Pillow
only: no Tk, no pystray, nothing of the core.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

IDLE = "idle"
EXCHANGING = "exchanging"
ERROR = "error"
STATES = (IDLE, EXCHANGING, ERROR)

_BACKGROUND = {IDLE: (31, 111, 209), EXCHANGING: (227, 155, 23), ERROR: (200, 55, 45)}
_GREEN = (46, 158, 91)
_WHITE = (255, 255, 255)
_SCALE = 4  # drawn large, then scaled down: antialiasing without aggdraw


def logo(size: int = 64, state: str = IDLE) -> Image.Image:
    """The logo in ``state`` as an RGBA image of ``size`` x ``size`` pixels."""
    return _logo(size, state if state in STATES else IDLE).copy()


@lru_cache(maxsize=16)
def _logo(size: int, state: str) -> Image.Image:
    s = size * _SCALE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 5, fill=_BACKGROUND[state])
    # the house: roof and body
    u = s / 64.0
    d.polygon([(10 * u, 31 * u), (32 * u, 10 * u), (54 * u, 31 * u)], fill=_WHITE)
    d.rectangle((16 * u, 30 * u, 48 * u, 54 * u), fill=_WHITE)
    # the ruble sign in green on the house: stem, bowl, two bars
    w = max(1.0, 3.2 * u)
    stem_x, top, bottom = 28 * u, 33 * u, 51 * u
    d.line([(stem_x, top), (stem_x, bottom)], fill=_GREEN, width=round(w))
    d.arc((stem_x - 7 * u, top, stem_x + 9 * u, top + 11 * u), start=270, end=90, fill=_GREEN,
          width=round(w))  # fmt: skip
    d.line([(stem_x, top + w / 2), (stem_x + 1 * u, top + w / 2)], fill=_GREEN, width=round(w))
    d.line([(stem_x - 4 * u, top + 11 * u - w / 2), (stem_x + 1 * u, top + 11 * u - w / 2)],
           fill=_GREEN, width=round(w))  # fmt: skip
    d.line([(stem_x - 4 * u, 46 * u), (stem_x + 7 * u, 46 * u)], fill=_GREEN, width=round(w))
    if state == EXCHANGING:  # two small arrows in a circle, bottom right
        c, r = (50 * u, 50 * u), 9 * u
        d.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), fill=_WHITE)
        d.arc((c[0] - 6 * u, c[1] - 6 * u, c[0] + 6 * u, c[1] + 6 * u), 200, 340,
              fill=_BACKGROUND[state], width=round(w * 0.8))  # fmt: skip
        d.arc((c[0] - 6 * u, c[1] - 6 * u, c[0] + 6 * u, c[1] + 6 * u), 20, 160,
              fill=_BACKGROUND[state], width=round(w * 0.8))  # fmt: skip
    elif state == ERROR:  # an exclamation mark in a white circle, bottom right
        c, r = (50 * u, 50 * u), 9 * u
        d.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), fill=_WHITE)
        d.line([(c[0], c[1] - 5.5 * u), (c[0], c[1] + 1.5 * u)], fill=_BACKGROUND[state],
               width=round(w))  # fmt: skip
        d.ellipse((c[0] - 1.6 * u, c[1] + 3.5 * u, c[0] + 1.6 * u, c[1] + 6.7 * u),
                  fill=_BACKGROUND[state])  # fmt: skip
    return img.resize((size, size), Image.Resampling.LANCZOS)


def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=px)
    except (TypeError, OSError, ImportError):  # Pillow < 10.1 or no FreeType
        return ImageFont.load_default()


def badge_text(count: int) -> str:
    return "99+" if count > 99 else str(count)


def badged(image: Image.Image, count: int | None, color: tuple[int, int, int] = _GREEN
           ) -> Image.Image:  # fmt: skip
    """``image`` with a circle holding ``count`` in its top right corner (none for 0/None)."""
    out = image.copy()
    if not count:
        return out
    size = out.width
    text = badge_text(count)
    diameter = round(size * (0.50 if len(text) == 1 else 0.62))
    box = (size - diameter, 0, size - 1, diameter - 1)
    big = Image.new("RGBA", (diameter * _SCALE, diameter * _SCALE), (0, 0, 0, 0))
    d = ImageDraw.Draw(big)
    d.ellipse((0, 0, big.width - 1, big.height - 1), fill=_WHITE)
    m = max(_SCALE, big.width // 14)
    d.ellipse((m, m, big.width - 1 - m, big.height - 1 - m), fill=color)
    font = _font(round(big.height * (0.62 if len(text) == 1 else 0.45)))
    d.text((big.width / 2, big.height / 2), text, fill=_WHITE, font=font, anchor="mm")
    small = big.resize((diameter, diameter), Image.Resampling.LANCZOS)
    out.alpha_composite(small, (box[0], box[1]))
    return out


def tray_image(state: str = IDLE, count: int | None = None, size: int = 64) -> Image.Image:
    """The tray icon: the logo in ``state`` with a badge of ``count``."""
    return badged(logo(size, state), count)


def write_assets(folder: Path) -> list[Path]:
    """Write logo PNGs (16..256 px) and a Windows .ico into ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    for size in (16, 32, 48, 64, 128, 256):
        p = folder / f"logo_{size}.png"
        logo(size).save(p)
        out.append(p)
    ico = folder / "logo.ico"
    logo(256).save(ico, sizes=[(16, 16), (32, 32), (48, 48), (64, 64), (256, 256)])
    out.append(ico)
    return out


if __name__ == "__main__":  # pragma: no cover - a build step
    for path in write_assets(Path(sys.argv[1] if len(sys.argv) > 1 else "assets")):
        print(path)
