"""The drawing pad (templates/participant/_drawing_pad.html + static/js/drawing-pad.js) in
the real Chromium, under the app's real Content-Security-Policy, with real pointer input.

No app page includes the pad yet, so this module adds a test-only blueprint to the test's
app: a page that renders the partial inside base.html and loads drawing-pad.js as a module,
plus a small same-origin module that starts the pad and puts it on `window.pad`.
"""
from __future__ import annotations

import base64
import io
import json

import pytest
from flask import Blueprint, Response, render_template_string, session, url_for
from PIL import Image

from .conftest import PHONE, assert_accessible

PAGE = """{% extends "base.html" %}
{% block title %}Drawing pad{% endblock %}
{% block head %}<link rel="stylesheet" href="{{ url_for('static', filename='css/drawing-pad.css') }}">{% endblock %}
{% block content %}
{% from "participant/_drawing_pad.html" import drawing_pad %}
<h1>Draw</h1>
{{ drawing_pad() }}
{% endblock %}
{% block scripts %}
<script type="module" src="{{ url_for('static', filename='js/drawing-pad.js') }}"></script>
<script type="module" src="{{ url_for('drawing_pad_test.harness') }}"></script>
{% endblock %}
"""

HARNESS = """import { createDrawingPad } from %s;
const root = document.querySelector("[data-drawing-pad]");
window.pad = createDrawingPad(root);
window.padEvents = { pointerTypes: [], changes: 0 };
root.querySelector("canvas").addEventListener("pointerdown", (e) => window.padEvents.pointerTypes.push(e.pointerType));
root.addEventListener("drawing-pad:change", () => { window.padEvents.changes += 1; });
document.documentElement.dataset.padReady = "true";
"""

WHITE = (255, 255, 255)


def is_red(c):
    return c[0] > 150 and c[1] < 90 and c[2] < 90


def is_blue(c):
    return c[0] < 70 and c[1] < 120 and c[2] > 120


def is_green(c):
    return c[0] < 90 and c[1] > 95 and c[2] < 90


def is_purple(c):
    return 70 < c[0] < 150 and c[1] < 60 and c[2] > 110


def is_black(c):
    return max(c) < 60


def make_blueprint() -> Blueprint:
    bp = Blueprint("drawing_pad_test", __name__)

    @bp.get("/_test/drawing-pad")
    def page():
        session["lang"] = "en"
        return render_template_string(PAGE)

    @bp.get("/_test/drawing-pad-harness.js")
    def harness():
        source = HARNESS % json.dumps(url_for("static", filename="js/drawing-pad.js"))
        return Response(source, mimetype="text/javascript")

    return bp


@pytest.fixture
def app_factory(app_factory):
    """The conftest's apps, each with the test-only page (registered before any request)."""

    def factory(**overrides):
        app = app_factory(**overrides)
        app.register_blueprint(make_blueprint())
        return app

    return factory


# ---- helpers -----------------------------------------------------------------------------

def open_pad(page, live_server):
    response = page.goto(f"{live_server}/_test/drawing-pad")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("html[data-pad-ready='true']")
    return canvas_box(page)


def canvas_box(page):
    """The canvas' box in viewport coordinates, scrolled so that all of it is on screen."""
    page.evaluate("() => document.querySelector('.drawing-pad__canvas').scrollIntoView({block: 'center'})")
    box = page.locator(".drawing-pad__canvas").bounding_box()
    viewport = page.viewport_size
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 1, box
    return box


def at(box, fx, fy):
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


def mouse_stroke(page, *points, steps=10):
    box = canvas_box(page)  # measured again: a click on the toolbar may have scrolled the page
    page.mouse.move(*at(box, *points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*at(box, *point), steps=steps)
    page.mouse.up()


def touch_stroke(page, *points, steps=10):
    """A finger drag through the browser's own input pipeline (CDP touch events)."""
    box = canvas_box(page)
    cdp = page.context.new_cdp_session(page)
    x, y = at(box, *points[0])
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for point in points[1:]:
        tx, ty = at(box, *point)
        for i in range(1, steps + 1):
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [
                {"x": x + (tx - x) * i / steps, "y": y + (ty - y) * i / steps}]})
        x, y = tx, ty
    # The finger rests before it lifts, as a drawing finger does: a lift while still moving
    # starts a fling, and Chrome swallows the next tap that stops the fling.
    page.wait_for_timeout(150)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def export(page) -> Image.Image:
    """pad.toBlob() → bytes in Python → a decoded PNG (checked to be one, ≤ 1080 px)."""
    result = page.evaluate("""async () => {
        const blob = await window.pad.toBlob();
        const url = await new Promise((resolve) => {
          const reader = new FileReader(); reader.onload = () => resolve(reader.result); reader.readAsDataURL(blob);
        });
        return { type: blob.type, url };
    }""")
    assert result["type"] == "image/png"
    header, data = result["url"].split(",", 1)
    assert header == "data:image/png;base64"
    image = Image.open(io.BytesIO(base64.b64decode(data)), formats=["PNG"])
    image.load()
    assert image.format == "PNG"
    assert max(image.size) <= 1080
    rgb = image.convert("RGBA")
    assert rgb.getextrema()[3] == (255, 255), "the PNG has transparent pixels: not flattened on white"
    rgb = rgb.convert("RGB")
    for corner in [(0, 0), (rgb.width - 1, 0), (0, rgb.height - 1), (rgb.width - 1, rgb.height - 1)]:
        assert rgb.getpixel(corner) == WHITE
    return rgb


def mouse_click(page, fx, fy):
    page.mouse.click(*at(canvas_box(page), fx, fy))


def finger_tap(page, fx, fy):
    page.touchscreen.tap(*at(canvas_box(page), fx, fy))


def count(image, test) -> int:
    return sum(n for n, colour in image.getcolors(maxcolors=1 << 24) if test(colour))


def pixel(image, fx, fy):
    return image.getpixel((min(image.width - 1, int(image.width * fx)), min(image.height - 1, int(image.height * fy))))


def run_across(image, fy, fx_from, fx_to, test) -> int:
    """How many pixels of a row, between two fractions of the width, pass `test`."""
    y = int(image.height * fy)
    return sum(1 for x in range(int(image.width * fx_from), int(image.width * fx_to)) if test(image.getpixel((x, y))))


def run_down(image, fx, fy_from, fy_to, test) -> int:
    x = int(image.width * fx)
    return sum(1 for y in range(int(image.height * fy_from), int(image.height * fy_to)) if test(image.getpixel((x, y))))


def contrast_with_white(hex_colour: str) -> float:
    """WCAG 2 contrast ratio of a #rrggbb colour against white."""

    def linear(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(hex_colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def is_empty(page) -> bool:
    return page.evaluate("() => window.pad.isEmpty()")


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def assert_pressed(page, pressed, not_pressed):
    for name in pressed:
        assert button(page, name).get_attribute("aria-pressed") == "true", name
    for name in not_pressed:
        assert button(page, name).get_attribute("aria-pressed") == "false", name


def assert_buttons_big_enough(page):
    sizes = page.evaluate("""() => Array.from(document.querySelectorAll('.drawing-pad button'))
        .map(b => { const r = b.getBoundingClientRect(); return [b.textContent.trim(), r.width, r.height]; })""")
    assert len(sizes) == 13
    small = [s for s in sizes if s[1] < 48 or s[2] < 48]
    assert small == [], small


# ---- tests -------------------------------------------------------------------------------

def test_markup_strings_and_styles(live_server, new_page):
    page = new_page()
    open_pad(page, live_server)
    root = page.locator("[data-drawing-pad]")
    assert root.get_attribute("data-msg-cleared") == "Drawing cleared"
    assert root.get_attribute("data-msg-undone") == "Undone"
    canvas = page.get_by_role("img", name="Drawing area. Nothing drawn yet.")
    assert canvas.count() == 1
    assert canvas.evaluate("c => getComputedStyle(c).touchAction") == "none"
    live = page.locator("[data-pad-part='live']")
    assert live.get_attribute("aria-live") == "polite"
    caption = page.get_by_label("What does your drawing show? (optional)")
    assert caption.get_attribute("name") == "caption"
    assert caption.get_attribute("maxlength") == "200"
    # Every colour is named for screen readers and shows the colour the pen draws with.
    for name in ["Black", "Dark blue", "Red", "Dark green", "Purple", "Dark orange"]:
        swatch = button(page, name)
        colour = swatch.get_attribute("data-pad-color")
        shown = swatch.evaluate("b => getComputedStyle(b).backgroundColor")
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert shown == f"rgb({r}, {g}, {b})", name
        assert contrast_with_white(colour) >= 4.5, name
    assert_pressed(page, ["Black", "Medium line", "Pen"], ["Red", "Thin line", "Thick line", "Eraser"])
    assert button(page, "Undo").get_attribute("aria-disabled") == "true"
    assert button(page, "Clear all").get_attribute("aria-disabled") == "true"
    assert is_empty(page)
    assert_buttons_big_enough(page)
    # Visible focus on the toolbar's buttons.
    button(page, "Red").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert button(page, "Red").evaluate("b => getComputedStyle(b).outlineStyle") == "solid"
    assert_accessible(page)
    # One canvas pixel per CSS pixel on this devicePixelRatio 1 screen.
    backing = page.evaluate("() => { const c = document.querySelector('canvas'); return [c.width, c.clientWidth]; }")
    assert backing[0] == backing[1]


def test_draw_colours_sizes_eraser_undo_clear_and_export(live_server, new_page):
    page = new_page()
    box = open_pad(page, live_server)
    assert is_empty(page)

    # A red line with the mouse, through several points.
    button(page, "Red").click()
    assert_pressed(page, ["Red", "Pen"], ["Black"])
    mouse_stroke(page, (0.1, 0.2), (0.5, 0.22), (0.9, 0.2))
    assert not is_empty(page)
    assert button(page, "Undo").get_attribute("aria-disabled") == "false"
    assert button(page, "Clear all").get_attribute("aria-disabled") == "false"
    assert page.get_by_role("img", name="Drawing area with your drawing.").count() == 1
    assert "mouse" in page.evaluate("() => window.padEvents.pointerTypes")
    image = export(page)
    assert max(image.size) == 1080
    assert abs(image.width / image.height - box["width"] / box["height"]) < 0.01
    assert count(image, is_red) > 1000
    assert is_red(pixel(image, 0.3, 0.21))
    red_width = run_down(image, 0.3, 0.1, 0.35, lambda c: c != WHITE)

    # A thick dark-blue line: wider than the medium red one.
    button(page, "Thick line").click()
    button(page, "Dark blue").click()
    assert_pressed(page, ["Thick line", "Dark blue"], ["Medium line", "Red"])
    mouse_stroke(page, (0.3, 0.45), (0.3, 0.9))
    image = export(page)
    assert count(image, is_blue) > 1000
    blue_width = run_across(image, 0.7, 0.2, 0.4, lambda c: c != WHITE)
    assert blue_width > red_width * 1.6, (blue_width, red_width)

    # A single tap (click) makes a dot.
    button(page, "Black").click()
    button(page, "Medium line").click()
    mouse_click(page, 0.7, 0.7)
    image = export(page)
    assert is_black(pixel(image, 0.7, 0.7))

    # The eraser rubs the dot out; the red line stays.
    button(page, "Eraser").click()
    assert_pressed(page, ["Eraser"], ["Pen"])
    mouse_stroke(page, (0.65, 0.7), (0.75, 0.7))
    image = export(page)
    assert pixel(image, 0.7, 0.7) == WHITE
    assert is_red(pixel(image, 0.3, 0.21))
    assert not is_empty(page)

    # Undo brings the dot back, and says so.
    button(page, "Undo").click()
    page.wait_for_function("() => document.querySelector('[data-pad-part=live]').textContent === 'Undone'")
    assert is_black(pixel(export(page), 0.7, 0.7))

    # Clear empties the pad, and is undone like any stroke.
    button(page, "Clear all").click()
    page.wait_for_function(
        "() => document.querySelector('[data-pad-part=live]').textContent === 'Drawing cleared'")
    assert is_empty(page)
    assert button(page, "Clear all").get_attribute("aria-disabled") == "true"
    assert button(page, "Undo").get_attribute("aria-disabled") == "false"
    blank = export(page)
    assert blank.getcolors() == [(blank.width * blank.height, WHITE)]
    button(page, "Undo").click()
    page.wait_for_function("() => document.querySelector('[data-pad-part=live]').textContent === 'Undone'")
    assert not is_empty(page)
    image = export(page)
    assert count(image, is_red) > 1000 and count(image, is_blue) > 1000

    # A stylus works too: a purple line drawn with a pen pointer.
    button(page, "Purple").click()
    box = canvas_box(page)
    cdp = page.context.new_cdp_session(page)
    for kind, fx in [("mousePressed", 0.5), ("mouseMoved", 0.6), ("mouseMoved", 0.7), ("mouseMoved", 0.8),
                     ("mouseReleased", 0.8)]:
        x, y = at(box, fx, 0.8)
        cdp.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1,
                                              "buttons": 0 if kind == "mouseReleased" else 1, "pointerType": "pen"})
    cdp.detach()
    assert "pen" in page.evaluate("() => window.padEvents.pointerTypes")
    assert is_purple(pixel(export(page), 0.65, 0.8))
    assert page.evaluate("() => window.padEvents.changes") >= 8

    # The window changes size: the drawing is redrawn, not lost.
    page.set_viewport_size({"width": 900, "height": 700})
    page.wait_for_function("() => document.querySelector('canvas').width === document.querySelector('canvas').clientWidth")
    image = export(page)
    assert count(image, is_red) > 500 and count(image, is_blue) > 500
    assert_accessible(page)

    # Undo all the way with the keyboard: the button runs out but keeps the focus.
    undo = button(page, "Undo")
    undo.focus()
    for _ in range(20):
        if undo.get_attribute("aria-disabled") == "true":
            break
        page.keyboard.press("Enter")
    assert undo.get_attribute("aria-disabled") == "true"
    assert is_empty(page)
    assert page.evaluate("() => document.activeElement.dataset.padAction") == "undo"
    assert page.get_by_role("img", name="Drawing area. Nothing drawn yet.").count() == 1


def test_fully_erased_drawing_counts_as_empty(live_server, new_page):
    page = new_page()
    open_pad(page, live_server)
    mouse_click(page, 0.5, 0.5)
    assert not is_empty(page)
    button(page, "Thick line").click()
    button(page, "Eraser").click()
    mouse_stroke(page, (0.45, 0.5), (0.55, 0.5))
    assert is_empty(page)
    # reset() forgets everything, history included, and goes back to the pen.
    page.evaluate("() => window.pad.reset()")
    assert is_empty(page)
    assert button(page, "Undo").get_attribute("aria-disabled") == "true"
    assert_pressed(page, ["Pen"], ["Eraser"])


def test_phone_finger_drawing_and_rotation(live_server, new_page):
    page = new_page(**PHONE)
    box = open_pad(page, live_server)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert_buttons_big_enough(page)
    # Sharp on a 2× screen: the canvas has two pixels per CSS pixel.
    backing = page.evaluate("() => { const c = document.querySelector('canvas'); return [c.width, c.clientWidth]; }")
    assert backing[0] == round(backing[1] * 2)
    assert box["height"] >= 240  # most of the screen is for drawing

    # A finger drag in red; the page does not scroll under the finger.
    button(page, "Red").tap()
    assert_pressed(page, ["Red"], ["Black"])
    canvas_box(page)
    scroll = page.evaluate("() => window.scrollY")
    touch_stroke(page, (0.2, 0.3), (0.5, 0.35), (0.8, 0.3))
    assert page.evaluate("() => window.scrollY") == scroll
    assert "touch" in page.evaluate("() => window.padEvents.pointerTypes")
    assert not is_empty(page)

    # A tap of the finger makes a green dot.
    button(page, "Dark green").tap()
    finger_tap(page, 0.5, 0.7)
    image = export(page)
    assert count(image, is_red) > 1000
    assert is_green(pixel(image, 0.5, 0.7))
    assert is_red(pixel(image, 0.35, 0.325))
    assert_accessible(page)

    # Turned to landscape and to a small 320 px phone: the drawing is still all there.
    for size in ({"width": 640, "height": 360}, {"width": 320, "height": 568}):
        page.set_viewport_size(size)
        page.wait_for_function(
            "() => document.querySelector('canvas').width === Math.round(document.querySelector('canvas').clientWidth * 2)")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
        image = export(page)
        assert count(image, is_red) > 500 and count(image, is_green) > 50
        assert_buttons_big_enough(page)
    assert_accessible(page)
