// "Read aloud": buttons marked data-speak read their data-text with the browser's speech
// synthesis, in data-lang. Many participants prefer listening to reading. Where the browser
// cannot speak, the buttons stay hidden (they are rendered hidden).

export function setUpReadingAloud(root = document) {
  if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") return;
  for (const button of root.querySelectorAll("[data-speak]")) {
    if (button.dataset.speakReady) continue;
    button.dataset.speakReady = "1";
    button.hidden = false;
    button.addEventListener("click", () => toggle(button));
  }
}

let speaking = null;

function toggle(button) {
  const wasMine = speaking === button;
  stop();
  if (wasMine) return;
  const utterance = new SpeechSynthesisUtterance(button.dataset.text || "");
  utterance.lang = button.dataset.lang || document.documentElement.lang;
  utterance.addEventListener("end", () => { if (speaking === button) stop(); });
  speaking = button;
  setLabel(button, button.dataset.stopLabel);
  button.setAttribute("aria-pressed", "true");
  window.speechSynthesis.speak(utterance);
}

function stop() {
  window.speechSynthesis.cancel();
  if (speaking) {
    setLabel(speaking, speaking.dataset.label);
    speaking.setAttribute("aria-pressed", "false");
  }
  speaking = null;
}

function setLabel(button, text) {
  // The first text node is the visible label; the visually hidden section title stays.
  const label = [...button.childNodes].find((node) => node.nodeType === Node.TEXT_NODE);
  if (label && text) label.textContent = text;
}
