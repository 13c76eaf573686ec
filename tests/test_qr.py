"""The QR SVG really encodes the join URL: rasterised from its own path and decoded."""
import re

import zxingcpp
from PIL import Image, ImageDraw

from workshop import qr

URL = "http://192.168.43.12:5000/j/K7M4PX"


def rasterise(svg: str, scale: int = 8) -> Image.Image:
    """Draw the SVG's white square and its horizontal runs into a bitmap."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg):
        x, y, width = int(x), int(y), int(width)
        draw.rectangle([x * scale, y * scale, (x + width) * scale - 1, (y + 1) * scale - 1], fill=0)
    return image


def test_svg_decodes_to_the_url():
    svg = qr.svg(URL)
    assert svg.startswith("<svg") and 'fill="#fff"' in svg
    results = zxingcpp.read_barcodes(rasterise(svg))
    assert [r.text for r in results] == [URL]


def test_terminal_code_is_drawn_with_blocks():
    text = qr.terminal(URL)
    assert "█" in text and len(text.splitlines()) > 10
