"""The logo and the tray icon, drawn with Pillow at run time (no font files, no image files).

A rounded square with a white house whose door is a green ruble sign, in the spirit of «Мои
счета». Five states, told apart at 16 px by colour and by a mark in the corner:

- ``idle`` blue, no mark;
- ``exchanging`` teal, two arrows in a white circle;
- ``attention`` amber, a white circle with a dark dot (registries wait to be accepted, or
  a registry was rejected);
- ``error`` red, a white circle with «!» (the last session failed);
- ``offline`` grey, a white circle with a dash (the server could not be reached).

``counts_badge`` writes the files sent and received by the last session as «↑N ↓M» on a
white strip along the bottom, in a 3x5 pixel font drawn pixel for pixel (scaled by whole
numbers), so it stays sharp at 16, 24 and 32 px; the digits take the state's colour.
``python -m trayapp.ui.icon DIR`` writes the PNG files the installers use. Imports Pillow
only: no Tk, no pystray, nothing of the core.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw

IDLE = "idle"
EXCHANGING = "exchanging"
ATTENTION = "attention"
ERROR = "error"
OFFLINE = "offline"
STATES = (IDLE, EXCHANGING, ATTENTION, ERROR, OFFLINE)

_BACKGROUND = {IDLE: (31, 111, 209), EXCHANGING: (0, 137, 123), ATTENTION: (230, 145, 0),
               ERROR: (200, 40, 40), OFFLINE: (117, 117, 117)}  # fmt: skip
_INK = {IDLE: (20, 70, 150), EXCHANGING: (0, 95, 85), ATTENTION: (150, 85, 0),
        ERROR: (170, 20, 20), OFFLINE: (60, 60, 60)}  # fmt: skip  # the badge's digits
_GREEN = (46, 158, 91)
_WHITE = (255, 255, 255)
_SCALE = 4  # drawn large, then scaled down: antialiasing without aggdraw

# a 3x5 pixel font: each glyph is five rows of three bits
_GLYPHS = {
    "0": ("111", "101", "101", "101", "111"), "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"), "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"), "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"), "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"), "9": ("111", "101", "111", "001", "111"),
    "+": ("000", "010", "111", "010", "000"), "↑": ("010", "111", "010", "010", "010"),
    "↓": ("010", "010", "010", "111", "010"), " ": ("000", "000", "000", "000", "000"),
}  # fmt: skip


def logo(size: int = 64, state: str = IDLE) -> Image.Image:
    """The logo in ``state`` as an RGBA image of ``size`` x ``size`` pixels."""
    return _logo(size, state if state in STATES else IDLE).copy()


@lru_cache(maxsize=32)
def _logo(size: int, state: str) -> Image.Image:
    s = size * _SCALE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    bg = _BACKGROUND[state]
    d.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 5, fill=bg)
    u = s / 64.0
    d.polygon([(8 * u, 31 * u), (30 * u, 8 * u), (52 * u, 31 * u)], fill=_WHITE)
    d.rectangle((14 * u, 30 * u, 46 * u, 54 * u), fill=_WHITE)
    w = max(1.0, 3.2 * u)
    stem_x, top, bottom = 26 * u, 33 * u, 51 * u
    d.line([(stem_x, top), (stem_x, bottom)], fill=_GREEN, width=round(w))
    d.arc((stem_x - 7 * u, top, stem_x + 9 * u, top + 11 * u), start=270, end=90, fill=_GREEN,
          width=round(w))  # fmt: skip
    d.line([(stem_x - 4 * u, 46 * u), (stem_x + 7 * u, 46 * u)], fill=_GREEN, width=round(w))
    if state != IDLE:  # the state's mark: a white disc in the top right corner
        c, r = (49 * u, 15 * u), 14 * u
        d.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), fill=_WHITE)
        k = round(4.5 * u)
        if state == EXCHANGING:
            box = (c[0] - 8 * u, c[1] - 8 * u, c[0] + 8 * u, c[1] + 8 * u)
            d.arc(box, 200, 340, fill=bg, width=k)
            d.arc(box, 20, 160, fill=bg, width=k)
        elif state == ATTENTION:
            d.ellipse((c[0] - 6 * u, c[1] - 6 * u, c[0] + 6 * u, c[1] + 6 * u), fill=bg)
        elif state == ERROR:
            d.line([(c[0], c[1] - 9 * u), (c[0], c[1] + 2 * u)], fill=bg, width=k)
            d.ellipse((c[0] - 2.6 * u, c[1] + 5 * u, c[0] + 2.6 * u, c[1] + 10 * u), fill=bg)
        else:  # OFFLINE: a dash
            d.line([(c[0] - 8 * u, c[1]), (c[0] + 8 * u, c[1])], fill=bg, width=k)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def badge_text(sent: int, received: int, width_px: int = 64) -> str:
    """«↑N ↓M» as it fits ``width_px`` in the 3x5 font: without the space, then with counts
    over 9 as «+» (16 px)."""

    def cap(n: int, limit: int, more: str) -> str:
        return str(n) if n <= limit else more

    for text in (f"↑{cap(sent, 99, '99+')} ↓{cap(received, 99, '99+')}",
                 f"↑{cap(sent, 99, '99+')}↓{cap(received, 99, '99+')}",
                 f"↑{cap(sent, 9, '9+')}↓{cap(received, 9, '9+')}"):  # fmt: skip
        if _text_width(text) <= width_px - 1:
            return text
    return f"↑{cap(sent, 9, '+')}↓{cap(received, 9, '+')}"


def _text_width(text: str, scale: int = 1) -> int:
    return (len(text) * 4 - 1) * scale


def _draw_text(img: Image.Image, text: str, x: int, y: int, scale: int,
               ink: tuple[int, int, int]) -> None:  # fmt: skip
    px = img.load()
    assert px is not None
    for i, ch in enumerate(text):
        rows = _GLYPHS.get(ch, _GLYPHS[" "])
        for ry, bits in enumerate(rows):
            for rx, bit in enumerate(bits):
                if bit == "1":
                    for dy in range(scale):
                        for dx in range(scale):
                            px[x + (i * 4 + rx) * scale + dx, y + ry * scale + dy] = (*ink, 255)


def counts_badge(image: Image.Image, state: str, sent: int | None, received: int | None
                 ) -> Image.Image:  # fmt: skip
    """``image`` with «↑sent ↓received» on a white strip at the bottom (none when both are
    None: no session yet)."""
    out = image.copy()
    if sent is None and received is None:
        return out
    size = out.width
    scale = max(1, size // 24)  # 16..47 px: one pixel a dot; 48 px: two...
    text = badge_text(sent or 0, received or 0, size // scale)
    height = 7 * scale
    top = size - height
    d = ImageDraw.Draw(out)
    d.rectangle((0, top, size - 1, size - 1), fill=(*_WHITE, 255))
    width = _text_width(text, scale)
    _draw_text(out, text, max(0, (size - width + 1) // 2), top + scale, scale,
               _INK.get(state, _INK[IDLE]))  # fmt: skip
    return out


def tray_image(state: str = IDLE, sent: int | None = None, received: int | None = None,
               size: int = 64) -> Image.Image:  # fmt: skip
    """The tray icon: the logo in ``state`` with the last session's counts."""
    return _tray_image(state if state in STATES else IDLE, sent, received, size).copy()


@lru_cache(maxsize=64)
def _tray_image(state: str, sent: int | None, received: int | None, size: int) -> Image.Image:
    return counts_badge(logo(size, state), state, sent, received)


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
