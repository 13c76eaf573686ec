"""Draw the app's PNG icons from the design of static/img/icon.svg (issue 5, the PWA).

The manifest needs bitmaps: Chromium installs an app only with a PNG of 144 px or more,
and a "maskable" icon lets Android crop it into its own shape without cutting the bubble.
Pillow draws the same shapes as the SVG (a 64-unit square), four times larger than
needed, and shrinks the result so that the edges are smooth.

    .venv/bin/python tools/make_icons.py      # rewrites static/img/icon-*.png

Run it again after changing icon.svg, and commit the PNG files with the change.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

STATIC_IMG = Path(__file__).resolve().parent.parent / "static" / "img"

# The colours of icon.svg (the --accent and --note tokens of static/css/app.css).
NAVY = "#1d3557"
YELLOW = "#ffe066"
SUPERSAMPLE = 4


def draw(size: int, maskable: bool = False) -> Image.Image:
    """The icon as a `size`×`size` RGBA image.

    The plain icon is the SVG as it is: a rounded navy square. The maskable one fills the
    whole square (the launcher cuts the corners) and shrinks the bubble to 80 % around the
    centre, inside the safe zone (a circle of 40 % of the size) that every mask keeps.
    """
    big = size * SUPERSAMPLE
    unit = big / 64  # one unit of the SVG's viewBox
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=NAVY)
        scale = 0.8
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=12 * unit, fill=NAVY)
        scale = 1.0

    def at(x: float, y: float) -> tuple[float, float]:
        # SVG units → pixels, shrunk towards the centre (32, 32) for the maskable icon.
        return ((32 + (x - 32) * scale) * unit, (32 + (y - 32) * scale) * unit)

    # The speech bubble: a rounded box from (10, 16) to (54, 44), radius 4, and its tail.
    pen.rounded_rectangle((*at(10, 16), *at(54, 44)), radius=4 * unit * scale, fill=YELLOW)
    pen.polygon([at(30, 43), at(20, 52), at(20, 43)], fill=YELLOW)
    # Three dots: someone is speaking.
    for cx in (24, 32, 40):
        x, y = at(cx, 30)
        r = 3 * unit * scale
        pen.ellipse((x - r, y - r, x + r, y + r), fill=NAVY)
    return image.resize((size, size), Image.Resampling.LANCZOS)


#: File name → (size, maskable). The manifest (workshop/pwa.py) lists the same files.
ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-512.png": (512, True),
}


def main() -> None:
    for name, (size, maskable) in ICONS.items():
        path = STATIC_IMG / name
        # optimize=True and no metadata: the same drawing gives the same bytes, so running
        # the script again does not change the app shell's version for nothing.
        draw(size, maskable).save(path, "PNG", optimize=True)
        print(f"{path.relative_to(STATIC_IMG.parent.parent)}: {size}×{size}{' maskable' if maskable else ''}")


if __name__ == "__main__":
    main()
