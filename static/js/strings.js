// The page's translated strings for scripts, from the JSON block the template renders
// (`<script type="application/json" id="strings">`). Scripts hold no text of their own.

let strings = null;

/** The string for `key`, with %(name)s placeholders filled from `values`. */
export function t(key, values = {}) {
  if (strings === null) {
    const block = document.getElementById("strings");
    strings = block ? JSON.parse(block.textContent) : {};
  }
  const text = strings[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}
