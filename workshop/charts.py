"""Bar charts as inline SVG, for the summary page, its HTML file and its PDF (issue 7).

A chart is a picture of numbers that are also in a real table beside it: the table is what
screen readers and copy-paste use, the chart is for seeing the shape at a glance. So:

- the `<svg>` is `role="img"` named by its `<title>` and described by its `<desc>`;
- every bar has its number written beside it, in black: nothing is said by colour alone;
- the series of a grouped chart differ by pattern (solid, hatched, dotted, crossed) with a
  black outline, so they stay apart on a black-and-white printout, and a legend names them;
- no script, no style attribute (the pages' Content-Security-Policy allows neither), no
  reference outside the SVG itself: the patterns are its own `<defs>`, named by `chart_id`
  so several charts on one page never share an id;
- the markup is well-formed XML, so the same text works inline in HTML, in WeasyPrint and
  as a file of its own.

Bars are horizontal, each row's label on its own line above its bars: long labels (the
support needs of section 11) need no turning or cutting.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from textwrap import wrap

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

#: The drawing's width in SVG units (shown at most this many CSS pixels wide, scaled down to fit).
WIDTH = 640
MARGIN = 8
FONT_SIZE = 14
LINE_HEIGHT = 18
BAR_HEIGHT = 15
BAR_GAP = 3
ROW_GAP = 8
#: Room kept right of the longest bar for its number.
VALUE_ROOM = 64
#: About how many characters of a label fit on one line of the chart.
LABEL_LINE_CHARACTERS = 78
LABEL_MAX_LINES = 3
INK = "#1a1a1a"
FONT_FAMILY = "'Atkinson Hyperlegible', 'DejaVu Sans', sans-serif"
#: What marks each series: solid, hatched, dotted, cross-hatched (then round again).
PATTERNS = ("solid", "hatch", "dots", "cross")

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def bar_chart(title: str, rows: Sequence[tuple[str, int]] | Sequence[tuple[str, Sequence[int]]], *,
              chart_id: str, series: Sequence[str] = (), description: str = "") -> Markup:
    """A horizontal bar chart as an inline `<svg>`.

    `rows` are (label, value) pairs; with `series` (the names of the bars in each row),
    (label, [value per series]). `description` becomes the `<desc>`; by default it says
    where the same numbers are. `chart_id` (letters, digits, "-" and "_", starting with a
    letter) must be unique on the page.
    """
    if not _ID.match(chart_id):
        raise ValueError(f"not a usable chart id: {chart_id!r}")
    grouped = bool(series)
    table = [(str(name), [int(value) for value in values] if grouped else [int(values)]) for name, values in rows]
    names = [str(name) for name in series] if grouped else [""]
    if any(len(values) != len(names) for _name, values in table):
        raise ValueError("every row needs one value per series")
    largest = max((value for _name, values in table for value in values), default=0)
    scale = (WIDTH - 2 * MARGIN - VALUE_ROOM) / largest if largest > 0 else 0.0

    parts: list[str] = []
    y = MARGIN
    if grouped:
        y = _legend(parts, names, chart_id, y)
    for name, values in table:
        lines = _label_lines(name)
        for line in lines:
            y += LINE_HEIGHT
            parts.append(f'<text x="{MARGIN}" y="{y - 4}" font-weight="700">{escape(line)}</text>')
        y += BAR_GAP
        for index, value in enumerate(values):
            width = round(value * scale, 1)
            if width > 0:
                parts.append(f'<rect x="{MARGIN}" y="{y}" width="{width}" height="{BAR_HEIGHT}" '
                             f'fill="{_fill(chart_id, index)}" stroke="{INK}" stroke-width="1"/>')
            parts.append(f'<text x="{MARGIN + width + 6}" y="{y + BAR_HEIGHT - 2}">{value}</text>')
            y += BAR_HEIGHT + BAR_GAP
        y += ROW_GAP
    if not table:
        y += LINE_HEIGHT
        parts.append(f'<text x="{MARGIN}" y="{y - 4}">{escape(str(_l("Nothing to show.")))}</text>')
    height = y + MARGIN

    desc = description or str(_l("A bar chart. The same numbers are in the table beside it."))
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return Markup(
        f'<svg class="chart__svg" role="img" aria-labelledby="{title_id} {desc_id}" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" fill="{INK}">'
        f'<title id="{title_id}">{escape(str(title))}</title><desc id="{desc_id}">{escape(desc)}</desc>'
        f'{_defs(chart_id, len(names)) if grouped else ""}'
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>'
        + "".join(parts) + "</svg>")


def _legend(parts: list[str], names: Sequence[str], chart_id: str, y: int) -> int:
    """One line per series: its swatch (pattern and outline) and its name."""
    for index, name in enumerate(names):
        y += LINE_HEIGHT + 2
        parts.append(f'<rect x="{MARGIN}" y="{y - 14}" width="28" height="14" fill="{_fill(chart_id, index)}" '
                     f'stroke="{INK}" stroke-width="1"/>')
        parts.append(f'<text x="{MARGIN + 36}" y="{y - 2}">{escape(name)}</text>')
    return y + ROW_GAP


def _label_lines(name: str) -> list[str]:
    lines = wrap(name, LABEL_LINE_CHARACTERS) or [""]
    if len(lines) > LABEL_MAX_LINES:
        lines = lines[:LABEL_MAX_LINES]
        lines[-1] = lines[-1][:LABEL_LINE_CHARACTERS - 1].rstrip() + "\u2026"
    return lines


def _fill(chart_id: str, index: int) -> str:
    pattern = PATTERNS[index % len(PATTERNS)]
    return "#1d3557" if pattern == "solid" else f"url(#{chart_id}-{pattern})"


def _defs(chart_id: str, count: int) -> str:
    """The patterns the series use: black marks on white, so they print as they show."""
    shapes = {
        "hatch": f'<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6" stroke="{INK}" stroke-width="1.6"/>',
        "dots": f'<circle cx="4" cy="4" r="1.8" fill="{INK}"/>',
        "cross": f'<path d="M0,4 L8,4 M4,0 L4,8" stroke="{INK}" stroke-width="1.4"/>',
    }
    used = {PATTERNS[index % len(PATTERNS)] for index in range(count)} - {"solid"}
    patterns = "".join(
        f'<pattern id="{chart_id}-{name}" patternUnits="userSpaceOnUse" width="8" height="8">'
        f'<rect x="0" y="0" width="8" height="8" fill="#ffffff"/>{shapes[name]}</pattern>'
        for name in PATTERNS if name in used)
    return f"<defs>{patterns}</defs>" if patterns else ""
