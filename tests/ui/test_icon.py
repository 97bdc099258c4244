"""The logo and the badge: five states told apart at 16 px, the counts readable back from the
pixels at 16, 24 and 32 px."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest
from PIL import Image

from trayapp.ui import icon

SIZES = (16, 24, 32)


def differing_pixels(a: Image.Image, b: Image.Image) -> int:
    assert a.size == b.size and a.mode == b.mode == "RGBA"
    x, y = a.tobytes(), b.tobytes()
    return sum(1 for i in range(0, len(x), 4) if x[i : i + 4] != y[i : i + 4])


def mean_rgb(img: Image.Image) -> tuple[float, float, float]:
    px = [img.getpixel((x, y)) for x in range(img.width) for y in range(img.height)]
    opaque = [p for p in px if p[3] > 200]  # type: ignore[index]
    return tuple(sum(p[i] for p in opaque) / len(opaque) for i in range(3))  # type: ignore[return-value,index]


def read_badge(img: Image.Image) -> str:
    """Decode the strip at the bottom back into text with the 3x5 font: what a person reads."""
    size = img.width
    scale = max(1, size // 24)
    top = size - 7 * scale + scale
    glyphs = {rows: ch for ch, rows in icon._GLYPHS.items()}

    def ink(x: int, y: int) -> bool:
        r, g, b, _ = img.getpixel((x, y))  # type: ignore[misc]
        return bool(r + g + b < 600)

    cols = [x for x in range(size) if any(ink(x, top + y * scale) for y in range(5))]
    if not cols:
        return ""
    start = cols[0]
    out = []
    for cell in range((size - start + scale) // (4 * scale)):
        x0 = start + cell * 4 * scale
        rows = tuple("".join("1" if x0 + c * scale < size and ink(x0 + c * scale, top + r * scale)
                             else "0" for c in range(3)) for r in range(5))  # fmt: skip
        out.append(glyphs.get(rows, "?"))
    return "".join(out).rstrip()


@pytest.mark.parametrize("size", SIZES)
def test_five_states_told_apart(size: int) -> None:
    images = {s: icon.logo(size, s) for s in icon.STATES}
    assert len(icon.STATES) == 5
    for a, b in combinations(icon.STATES, 2):
        assert differing_pixels(images[a], images[b]) > size * size // 4, (a, b)
        ca, cb = mean_rgb(images[a]), mean_rgb(images[b])
        assert sum(abs(x - y) for x, y in zip(ca, cb, strict=True)) > 40, (a, b, ca, cb)
    r, g, b = mean_rgb(images[icon.IDLE])
    assert b > r + 40  # blue at rest
    r, g, b = mean_rgb(images[icon.ERROR])
    assert r > b + 40 and r > g + 40  # red after a failure
    r, g, b = mean_rgb(images[icon.OFFLINE])
    assert max(r, g, b) - min(r, g, b) < 30  # grey: no server


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("state", icon.STATES)
def test_counts_readable(size: int, state: str) -> None:
    plain = icon.tray_image(state, None, None, size)
    assert differing_pixels(plain, icon.logo(size, state)) == 0  # no session yet: no badge
    for sent, received in ((3, 2), (0, 7), (12, 4)):
        img = icon.tray_image(state, sent, received, size)
        assert img.size == (size, size)
        text = read_badge(img)
        if size == 16 and max(sent, received) > 9:
            assert text == f"↑{sent if sent <= 9 else '+'}↓{received if received <= 9 else '+'}"
        else:
            assert text.replace(" ", "") == f"↑{sent}↓{received}", (size, text)
    # the top half (the logo and the state's mark) stays as it was
    badged = icon.tray_image(state, 5, 5, size)
    assert all(badged.getpixel((x, y)) == plain.getpixel((x, y))
               for x in range(size) for y in range(size // 2))  # fmt: skip


def test_badge_colour_follows_the_state() -> None:
    def ink(state: str) -> set[tuple[int, ...]]:
        img = icon.tray_image(state, 8, 8, 24)
        strip = [img.getpixel((x, y)) for x in range(24) for y in range(18, 24)]
        return {p for p in strip if p != (255, 255, 255, 255)}  # type: ignore[misc]

    inks = [ink(s) for s in icon.STATES]
    assert all(len(i) == 1 for i in inks)  # one crisp colour, no blur
    assert len({next(iter(i)) for i in inks}) == 5


def test_badge_text_fits() -> None:
    assert icon.badge_text(3, 2, 24) == "↑3 ↓2"
    assert icon.badge_text(3, 2, 16) == "↑3↓2"
    assert icon.badge_text(150, 2, 32) == "↑99+ ↓2"
    assert icon.badge_text(150, 12, 16) == "↑+↓+"


def test_write_assets(tmp_path: Path) -> None:
    out = icon.write_assets(tmp_path)
    assert [p.name for p in out][-1] == "logo.ico"
    with Image.open(out[0]) as im:
        assert im.size == (16, 16)
