// The finger/stylus drawing pad. No framework, no build step: an ES module of its own.
//
//   import { createDrawingPad } from "./drawing-pad.js";
//   const pad = createDrawingPad(document.querySelector("[data-drawing-pad]"));
//   pad.isEmpty(); await pad.toBlob(); pad.clear(); pad.undo(); pad.reset();
//
// `root` is the element of templates/participant/_drawing_pad.html. Every word a person
// sees or hears comes from that template (gettext): this file holds none.
//
// The drawing is kept as a list of strokes and redrawn from it whenever the canvas changes
// size (a phone turned round), on undo and on clear; the exported PNG is drawn from the
// same list, on white, at most EXPORT_MAX pixels on its longest side.
//
// The root fires "drawing-pad:change" (bubbling) whenever the drawing or the undo history
// changes, so a page can e.g. enable its "Send" button.

const MAX_PIXEL_RATIO = 2;           // sharper than this a cheap phone only gets slower
const MAX_BACKING_PIXELS = 2_500_000; // the canvas' own pixels, whatever the screen
const EXPORT_MAX = 1080;             // longest side of the exported PNG
const ERASER_FACTOR = 3;             // the eraser is three times as wide as the chosen line
const MIN_STEP = 1.5;                // CSS pixels between two stored points (tremor, noise)
const VISIBLE_ALPHA = 24;            // a pixel fainter than this is not "something drawn"
const ANNOUNCE_DELAY = 100;          // ms: lets a screen reader hear the same message twice

const instances = new WeakMap();

export function createDrawingPad(root) {
  if (!root) throw new TypeError("createDrawingPad: no root element");
  if (instances.has(root)) return instances.get(root);

  const canvas = root.querySelector('[data-pad-part="canvas"]');
  const surface = root.querySelector('[data-pad-part="surface"]') || canvas.parentElement;
  const live = root.querySelector('[data-pad-part="live"]');
  const ctx = canvas.getContext("2d");
  const text = {
    cleared: root.dataset.msgCleared || "",
    undone: root.dataset.msgUndone || "",
    empty: root.dataset.labelEmpty || canvas.getAttribute("aria-label") || "",
    drawn: root.dataset.labelDrawn || "",
  };
  const buttons = (attribute) => Array.from(root.querySelectorAll(`button[${attribute}]`));
  const pressedValue = (attribute, fallback) => {
    const list = buttons(attribute);
    const pressed = list.find((b) => b.getAttribute("aria-pressed") === "true") || list[0];
    return pressed ? pressed.getAttribute(attribute) : fallback;
  };

  // What is chosen in the toolbar.
  const tool = { name: "pen", color: pressedValue("data-pad-color", "#000000"),
                 width: Number(pressedValue("data-pad-size", "10")) || 10 };
  if (pressedValue("data-pad-tool", "pen") === "eraser") tool.name = "eraser";

  // The history: strokes {erase, color, width, points: [x0, y0, x1, y1, ...]} in "logical"
  // units, and {clear: true} markers. Undo takes the last entry away, whatever it is.
  const history = [];
  let current = null;   // the stroke being drawn: {pointerId, stroke, rect}
  let emptyCache = null;

  // The view: the logical space is the canvas' size (CSS px) when the first stroke was
  // drawn; a later size shows it scaled to fit and centred, so nothing is lost on rotation.
  const view = { width: 0, height: 0, ratio: 1, base: null, scale: 1, dx: 0, dy: 0 };

  // ---- drawing -----------------------------------------------------------------------

  function visibleStrokes() {
    let start = 0;
    for (let i = history.length - 1; i >= 0; i -= 1) {
      if (history[i].clear) { start = i + 1; break; }
    }
    return history.slice(start);
  }

  function setStyle(c, stroke) {
    c.globalCompositeOperation = stroke.erase ? "destination-out" : "source-over";
    c.strokeStyle = stroke.erase ? "#000" : stroke.color;
    c.fillStyle = c.strokeStyle;
    c.lineWidth = stroke.width;
    c.lineCap = "round";
    c.lineJoin = "round";
  }

  function dot(c, stroke, x, y) {
    c.beginPath();
    c.arc(x, y, stroke.width / 2, 0, Math.PI * 2);
    c.fill();
  }

  // A whole stroke: quadratic curves through the midpoints, the points as control points.
  function drawStroke(c, stroke) {
    const p = stroke.points;
    const n = p.length / 2;
    setStyle(c, stroke);
    if (n === 1) { dot(c, stroke, p[0], p[1]); return; }
    c.beginPath();
    c.moveTo(p[0], p[1]);
    for (let i = 1; i < n - 1; i += 1) {
      c.quadraticCurveTo(p[2 * i], p[2 * i + 1], (p[2 * i] + p[2 * i + 2]) / 2, (p[2 * i + 1] + p[2 * i + 3]) / 2);
    }
    c.lineTo(p[2 * n - 2], p[2 * n - 1]);
    c.stroke();
  }

  // While drawing: only the newest piece, the same curve as drawStroke() draws in one go.
  function drawLatestSegment(stroke) {
    const p = stroke.points;
    const i = p.length / 2 - 2; // the point that is now a control point
    if (i < 1) return;
    const sx = i === 1 ? p[0] : (p[2 * i - 2] + p[2 * i]) / 2;
    const sy = i === 1 ? p[1] : (p[2 * i - 1] + p[2 * i + 1]) / 2;
    setStyle(ctx, stroke);
    ctx.beginPath();
    ctx.moveTo(sx, sy);
    ctx.quadraticCurveTo(p[2 * i], p[2 * i + 1], (p[2 * i] + p[2 * i + 2]) / 2, (p[2 * i + 1] + p[2 * i + 3]) / 2);
    ctx.stroke();
  }

  function drawLastSegment(stroke) {
    const p = stroke.points;
    const n = p.length / 2;
    if (n < 2) return;
    const sx = n === 2 ? p[0] : (p[2 * n - 4] + p[2 * n - 2]) / 2;
    const sy = n === 2 ? p[1] : (p[2 * n - 3] + p[2 * n - 1]) / 2;
    setStyle(ctx, stroke);
    ctx.beginPath();
    ctx.moveTo(sx, sy);
    ctx.lineTo(p[2 * n - 2], p[2 * n - 1]);
    ctx.stroke();
  }

  function viewTransform(c, pixels) {
    c.setTransform(pixels * view.scale, 0, 0, pixels * view.scale, pixels * view.dx, pixels * view.dy);
  }

  function redraw() {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalCompositeOperation = "source-over";
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    viewTransform(ctx, view.ratio);
    for (const stroke of visibleStrokes()) drawStroke(ctx, stroke);
    if (current) drawStroke(ctx, current.stroke);
  }

  // Fit the canvas' own pixels to its size on screen, then draw everything again.
  function layout() {
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return; // hidden: keep everything as it is
    if (!view.base || (history.length === 0 && !current)) view.base = { width, height };
    view.width = width;
    view.height = height;
    view.scale = Math.min(width / view.base.width, height / view.base.height);
    view.dx = (width - view.base.width * view.scale) / 2;
    view.dy = (height - view.base.height * view.scale) / 2;
    let ratio = Math.min(MAX_PIXEL_RATIO, window.devicePixelRatio || 1);
    if (width * height * ratio * ratio > MAX_BACKING_PIXELS) ratio = Math.sqrt(MAX_BACKING_PIXELS / (width * height));
    view.ratio = ratio;
    const backingWidth = Math.max(1, Math.round(width * ratio));
    const backingHeight = Math.max(1, Math.round(height * ratio));
    if (canvas.width !== backingWidth) canvas.width = backingWidth;
    if (canvas.height !== backingHeight) canvas.height = backingHeight;
    redraw();
    emptyCache = null;
  }

  // ---- state shown to people ---------------------------------------------------------

  let announceTimer = 0;
  function announce(message) {
    if (!live || !message) return;
    live.textContent = "";
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(() => { live.textContent = message; }, ANNOUNCE_DELAY);
  }

  function setDisabled(button, disabled) {
    // aria-disabled, not disabled: the button keeps the keyboard focus when it runs out.
    button.setAttribute("aria-disabled", disabled ? "true" : "false");
  }

  function showState() {
    for (const button of buttons("data-pad-action")) {
      const action = button.getAttribute("data-pad-action");
      if (action === "undo") setDisabled(button, history.length === 0);
      if (action === "clear") setDisabled(button, visibleStrokes().length === 0);
    }
    const label = isEmpty() ? text.empty : (text.drawn || text.empty);
    if (label) canvas.setAttribute("aria-label", label);
  }

  function showTool() {
    for (const button of buttons("data-pad-tool")) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-pad-tool") === tool.name));
    }
    for (const button of buttons("data-pad-color")) {
      button.setAttribute("aria-pressed", String(button.getAttribute("data-pad-color") === tool.color));
    }
    for (const button of buttons("data-pad-size")) {
      button.setAttribute("aria-pressed", String(Number(button.getAttribute("data-pad-size")) === tool.width));
    }
    root.classList.toggle("drawing-pad--erasing", tool.name === "eraser");
  }

  function changed() {
    emptyCache = null;
    showState();
    root.dispatchEvent(new CustomEvent("drawing-pad:change", { bubbles: true }));
  }

  // ---- pointer input -----------------------------------------------------------------

  function toLogical(event, rect) {
    return [(event.clientX - rect.left - view.dx) / view.scale, (event.clientY - rect.top - view.dy) / view.scale];
  }

  function addPoint(event) {
    const [x, y] = toLogical(event, current.rect);
    const p = current.stroke.points;
    const n = p.length;
    if (Math.hypot(x - p[n - 2], y - p[n - 1]) * view.scale < MIN_STEP) return false;
    p.push(x, y);
    drawLatestSegment(current.stroke);
    return true;
  }

  function onPointerDown(event) {
    if (current) return; // one line at a time: a second finger or the palm is ignored
    const stylusEraser = event.pointerType === "pen" && (event.button === 5 || (event.buttons & 32) !== 0);
    if (event.button !== 0 && !stylusEraser) return; // right or middle mouse button
    if (!view.base) layout();
    if (!view.base) return;
    event.preventDefault();
    try { canvas.setPointerCapture(event.pointerId); } catch { /* already released */ }
    const erase = tool.name === "eraser" || stylusEraser;
    const rect = canvas.getBoundingClientRect();
    const stroke = {
      erase,
      color: tool.color,
      width: (erase ? tool.width * ERASER_FACTOR : tool.width) / view.scale,
      points: [],
    };
    current = { pointerId: event.pointerId, stroke, rect };
    stroke.points.push(...toLogical(event, rect));
    viewTransform(ctx, view.ratio);
    setStyle(ctx, stroke);
    dot(ctx, stroke, stroke.points[0], stroke.points[1]); // a tap is a dot, at once
  }

  function onPointerMove(event) {
    if (!current || event.pointerId !== current.pointerId) return;
    event.preventDefault();
    const events = typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
    for (const each of events.length ? events : [event]) addPoint(each);
  }

  function onPointerEnd(event) {
    if (!current || event.pointerId !== current.pointerId) return;
    if (event.type === "pointerup") addPoint(event);
    drawLastSegment(current.stroke);
    history.push(current.stroke);
    current = null;
    changed();
  }

  canvas.addEventListener("pointerdown", onPointerDown);
  canvas.addEventListener("pointermove", onPointerMove);
  canvas.addEventListener("pointerup", onPointerEnd);
  canvas.addEventListener("pointercancel", onPointerEnd);
  canvas.addEventListener("lostpointercapture", onPointerEnd);
  canvas.addEventListener("contextmenu", (event) => event.preventDefault()); // long press

  // ---- toolbar -----------------------------------------------------------------------

  function onClick(event) {
    const button = event.target.closest("button");
    if (!button || !root.contains(button)) return;
    if (button.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
    if (button.hasAttribute("data-pad-tool")) {
      tool.name = button.getAttribute("data-pad-tool") === "eraser" ? "eraser" : "pen";
    } else if (button.hasAttribute("data-pad-color")) {
      tool.color = button.getAttribute("data-pad-color");
      tool.name = "pen"; // choosing a colour means drawing with it
    } else if (button.hasAttribute("data-pad-size")) {
      tool.width = Number(button.getAttribute("data-pad-size")) || tool.width;
    } else if (button.getAttribute("data-pad-action") === "undo") {
      undo();
      return;
    } else if (button.getAttribute("data-pad-action") === "clear") {
      clear();
      return;
    } else {
      return;
    }
    showTool();
  }
  root.addEventListener("click", onClick);

  // ---- size changes ------------------------------------------------------------------

  let resizeFrame = 0;
  const observer = typeof ResizeObserver === "function" ? new ResizeObserver(() => layout()) : null;
  const onWindowResize = () => {
    window.cancelAnimationFrame(resizeFrame);
    resizeFrame = window.requestAnimationFrame(layout);
  };
  if (observer) observer.observe(surface);
  window.addEventListener("resize", onWindowResize); // also catches a devicePixelRatio change

  // ---- the API -----------------------------------------------------------------------

  function isEmpty() {
    if (emptyCache === null) emptyCache = computeEmpty();
    return emptyCache;
  }

  function computeEmpty() {
    const strokes = visibleStrokes();
    if (!strokes.some((s) => !s.erase)) return true;
    if (!strokes.some((s) => s.erase)) return false;
    if (!canvas.width || !canvas.height || !view.width) return false;
    // Something was drawn and something erased: look at the pixels themselves.
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 4) {
      if (data[i] > VISIBLE_ALPHA) return false;
    }
    return true;
  }

  function toBlob() {
    const width = view.width || (view.base && view.base.width) || EXPORT_MAX;
    const height = view.height || (view.base && view.base.height) || EXPORT_MAX;
    const factor = EXPORT_MAX / Math.max(width, height);
    const out = document.createElement("canvas");
    out.width = Math.min(EXPORT_MAX, Math.max(1, Math.round(width * factor)));
    out.height = Math.min(EXPORT_MAX, Math.max(1, Math.round(height * factor)));
    const c = out.getContext("2d");
    viewTransform(c, factor);
    for (const stroke of visibleStrokes()) drawStroke(c, stroke);
    // Flatten on white: what the eraser took away becomes paper again.
    c.setTransform(1, 0, 0, 1, 0, 0);
    c.globalCompositeOperation = "destination-over";
    c.fillStyle = "#ffffff";
    c.fillRect(0, 0, out.width, out.height);
    return new Promise((resolve, reject) => {
      out.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("canvas.toBlob gave nothing"))), "image/png");
    });
  }

  function finishCurrent() {
    if (!current) return;
    try { canvas.releasePointerCapture(current.pointerId); } catch { /* not captured */ }
    if (current) { history.push(current.stroke); current = null; }
  }

  function clear() {
    finishCurrent();
    if (visibleStrokes().length === 0) return;
    history.push({ clear: true });
    redraw();
    changed();
    announce(text.cleared);
  }

  function undo() {
    finishCurrent();
    if (history.length === 0) return;
    history.pop();
    redraw();
    changed();
    announce(text.undone);
  }

  function reset() {
    current = null;
    history.length = 0;
    view.base = null;
    tool.name = "pen";
    showTool();
    layout();
    redraw();
    changed();
  }

  function destroy() {
    if (observer) observer.disconnect();
    window.removeEventListener("resize", onWindowResize);
    canvas.removeEventListener("pointerdown", onPointerDown);
    canvas.removeEventListener("pointermove", onPointerMove);
    canvas.removeEventListener("pointerup", onPointerEnd);
    canvas.removeEventListener("pointercancel", onPointerEnd);
    canvas.removeEventListener("lostpointercapture", onPointerEnd);
    root.removeEventListener("click", onClick);
    instances.delete(root);
  }

  layout();
  showTool();
  showState();

  const pad = { isEmpty, toBlob, clear, undo, reset, destroy };
  instances.set(root, pad);
  return pad;
}
