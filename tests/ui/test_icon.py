"""The logo and the badge: drawn images that differ where the counts or the state differ."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from trayapp.ui import icon


def differing_pixels(a: Image.Image, b: Image.Image) -> int:
    assert a.size == b.size and a.mode == b.mode == "RGBA"
    x, y = a.tobytes(), b.tobytes()
    return sum(1 for i in range(0, len(x), 4) if x[i : i + 4] != y[i : i + 4])


def test_badge_shows_the_count() -> None:
    plain = icon.tray_image(icon.IDLE, None)
    one, two, many = (icon.tray_image(icon.IDLE, n) for n in (1, 2, 150))
    assert plain.size == (64, 64) and plain.mode == "RGBA"
    assert differing_pixels(icon.tray_image(icon.IDLE, 0), plain) == 0  # no badge for 0
    assert differing_pixels(one, plain) > 100  # a circle appeared
    assert differing_pixels(one, two) > 10  # another digit in it
    assert differing_pixels(two, many) > 10 and icon.badge_text(150) == "99+"
    # the badge sits in the top right corner; the bottom left is untouched
    corner = (56, 6)
    assert one.getpixel(corner) != plain.getpixel(corner)
    assert one.getpixel((6, 58)) == plain.getpixel((6, 58))
    assert icon.tray_image(icon.IDLE, 2).tobytes() == two.tobytes()  # deterministic


def test_states_differ() -> None:
    idle, busy, error = (icon.logo(64, s) for s in icon.STATES)
    assert differing_pixels(idle, busy) > 500 and differing_pixels(idle, error) > 500
    assert differing_pixels(busy, error) > 500
    r, g, b, a = idle.getpixel((32, 3))  # type: ignore[misc]
    assert b > r and a == 255  # blue at rest
    r, g, b, a = error.getpixel((32, 3))  # type: ignore[misc]
    assert r > b  # red after a failure


def test_write_assets(tmp_path: Path) -> None:
    out = icon.write_assets(tmp_path)
    assert [p.name for p in out][-1] == "logo.ico"
    with Image.open(out[0]) as im:
        assert im.size == (16, 16)
