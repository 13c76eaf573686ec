"""QR codes of the join URL: an SVG for the projector and the poster, text for the terminal."""
from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def _code(data: str, border: int) -> qrcode.QRCode:
    # Level M survives a smudged poster or a projector's glare without making the code
    # so dense that an old phone camera struggles with it.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(data)
    code.make(fit=True)
    return code


def svg(data: str, border: int = 4) -> str:
    """Return an SVG of `data` that scales to any size, dark modules on a white quiet zone.

    The modules are drawn as one path of horizontal runs, which keeps the file small and
    renders without hairline gaps between modules.
    """
    matrix = _code(data, border).get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def terminal(data: str) -> str:
    """Return `data` as a QR code drawn with block characters, for printing in a terminal."""
    out = io.StringIO()
    _code(data, border=2).print_ascii(out=out, invert=True)
    return out.getvalue()
