// The facilitator's live wall (the projector page): follows the workshop and lets the
// facilitator move notes between boards, group them into themes (drag and drop, or the
// note's dialog from the keyboard), hide and restore them, reveal waiting ones, type in
// paper notes and cast dots for people in the room. Every action is an API call; the
// result comes back to every wall through the live changes.

import { ApiError, newUuid, request } from "./api.js";
import { follow, listOf } from "./live.js";
import { t } from "./strings.js";
import { renderWall } from "./wall-view.js";

const root = document.querySelector("[data-wall]");
const code = root.dataset.code;
const base = `/api/w/${encodeURIComponent(code)}`;
const status = root.querySelector("[data-wall-status]");
const message = root.querySelector("[data-wall-message]");
const gatheringSelect = root.querySelector("[data-wall-gathering]");
const present = document.body.classList.contains("wall-page--present");
let frame = 0;

function draw() {
  const gathering = gatheringSelect.value ? Number(gatheringSelect.value) : null;
  renderWall(root, live.entities, { staff: true, gathering, projector: true });
  syncControls();
}

const live = follow(code, {
  onChange: () => {
    // Many changes in one burst are drawn once.
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; draw(); });
  },
  onStatus: (state) => {
    status.textContent = state === "online" ? t("Live") : t("Connection lost. Reconnecting…");
    status.dataset.state = state;
  },
});

function say(text) {
  message.textContent = text;
}

async function call(method, path, json) {
  try {
    return await request(base, method, path, { json });
  } catch (error) {
    say(error instanceof ApiError && error.message ? error.message : t("Could not reach the server. Try again."));
    return null;
  }
}

function syncControls() {
  const workshop = listOf(live.entities, "workshop")[0];
  const toggle = root.querySelector("[data-wall-reveal-mode]");
  if (workshop && toggle) toggle.checked = workshop.reveal_mode;
  root.querySelector("[data-wall-unfocus]").hidden = present || !workshop || workshop.projector === "wall";
  // The gathering filter lists the workshop's gatherings; the choice survives a redraw.
  const chosen = gatheringSelect.value;
  const gatherings = listOf(live.entities, "gathering");
  gatheringSelect.replaceChildren(gatheringSelect.options[0],
    ...gatherings.map((gathering) => new Option(gathering.title, gathering.id)));
  gatheringSelect.value = gatherings.some((gathering) => String(gathering.id) === chosen) ? chosen : "";
}

gatheringSelect.addEventListener("change", draw);
root.querySelector("[data-wall-unfocus]").addEventListener("click", () => call("PATCH", "", { projector: "wall" }));

// --- the note's dialog: the keyboard (and click) way to do everything -----------------
const dialog = document.getElementById("item-dialog");
const boardSelect = dialog.querySelector("[name=board_id]");
const themeSelect = dialog.querySelector("[name=theme_id]");
const newTheme = dialog.querySelector("[name=new_theme]");
let current = null;

function fillOptions(select, entries, extra = []) {
  select.replaceChildren(...extra.map(([value, label]) => new Option(label, value)),
    ...entries.map((entry) => new Option(entry.title ?? entry.name, entry.id)));
}

function openItem(itemId) {
  current = live.entities.get(`item:${itemId}`);
  if (!current) return;
  dialog.querySelector("[data-dialog-text]").textContent = current.text || t("A picture");
  const picture = dialog.querySelector("[data-dialog-picture]");
  picture.hidden = !current.image;
  if (current.image) {
    picture.src = current.image.url;
    picture.alt = current.text || t("A picture");
  }
  fillOptions(boardSelect, listOf(live.entities, "board"));
  boardSelect.value = current.board_id;
  fillOptions(themeSelect, listOf(live.entities, "theme"), [["", t("No theme")], ["new", t("New theme…")]]);
  themeSelect.value = current.theme_id ?? "";
  newTheme.value = "";
  newTheme.closest("[data-new-theme]").hidden = true;
  dialog.showModal();
}

themeSelect.addEventListener("change", () => {
  newTheme.closest("[data-new-theme]").hidden = themeSelect.value !== "new";
  if (themeSelect.value === "new") newTheme.focus();
});

dialog.querySelector("[data-dialog-save]").addEventListener("click", async (event) => {
  event.preventDefault();
  if (!current) return;
  const change = {};
  if (Number(boardSelect.value) !== current.board_id) change.board_id = Number(boardSelect.value);
  if (themeSelect.value === "new") {
    if (!newTheme.value.trim()) {
      newTheme.focus();
      return;
    }
    const made = await call("POST", "/themes", { name: newTheme.value, item_ids: [current.id] });
    if (!made) return;
  } else if ((themeSelect.value || null) !== (current.theme_id ? String(current.theme_id) : null)) {
    change.theme_id = themeSelect.value ? Number(themeSelect.value) : null;
  }
  if (Object.keys(change).length && !(await call("PATCH", `/items/${current.id}`, change))) return;
  dialog.close();
});

dialog.querySelector("[data-dialog-hide]").addEventListener("click", async () => {
  if (current && (await call("PATCH", `/items/${current.id}`, { hidden: true }))) {
    dialog.close();
    say(t("The note was hidden. You can show it again from the hidden notes."));
  }
});

dialog.querySelector("[data-dialog-close]").addEventListener("click", () => dialog.close());

root.addEventListener("click", async (event) => {
  const card = event.target.closest("[data-item-id]");
  if (card) return openItem(card.dataset.itemId);
  const restore = event.target.closest("[data-restore-item]");
  if (restore) return call("PATCH", `/items/${restore.dataset.restoreItem}`, { hidden: false });
  const behalf = event.target.closest("[data-behalf-option]");
  if (behalf) return call("POST", "/dots", { uuid: newUuid(), option_id: Number(behalf.dataset.behalfOption) });
  if (event.target.closest("[data-wall-reveal]")) return call("POST", "/reveal", {});
  return undefined;
});

root.addEventListener("keydown", (event) => {
  const card = event.target.closest("[data-item-id]");
  if (card && (event.key === "Enter" || event.key === " ")) {
    event.preventDefault();
    openItem(card.dataset.itemId);
  }
});

root.querySelector("[data-wall-reveal-mode]").addEventListener("change", (event) =>
  call("PATCH", "", { reveal_mode: event.target.checked }));

// --- drag and drop: onto a board, onto a theme, or onto another note to form a theme ---
let dragged = null;
root.addEventListener("dragstart", (event) => {
  const card = event.target.closest("[data-item-id]");
  if (!card) return;
  dragged = Number(card.dataset.itemId);
  event.dataTransfer.setData("text/plain", String(dragged));
  event.dataTransfer.effectAllowed = "move";
});
root.addEventListener("dragend", () => { dragged = null; });
root.addEventListener("dragover", (event) => {
  if (dragged !== null && event.target.closest("[data-drop-target], [data-item-id]")) event.preventDefault();
});

const themeDialog = document.getElementById("theme-dialog");
let grouping = [];
root.addEventListener("drop", async (event) => {
  if (dragged === null) return;
  event.preventDefault();
  const itemId = dragged;
  dragged = null;
  const onCard = event.target.closest("[data-item-id]");
  if (onCard && Number(onCard.dataset.itemId) !== itemId) {
    const other = live.entities.get(`item:${onCard.dataset.itemId}`);
    if (other && other.theme_id) return call("PATCH", `/items/${itemId}`, { theme_id: other.theme_id });
    grouping = [Number(onCard.dataset.itemId), itemId];
    themeDialog.querySelector("[name=name]").value = "";
    return themeDialog.showModal();
  }
  const target = event.target.closest("[data-drop-target]");
  if (!target) return undefined;
  if (target.dataset.dropTarget === "theme") return call("PATCH", `/items/${itemId}`, { theme_id: Number(target.dataset.themeId) });
  return call("PATCH", `/items/${itemId}`, { board_id: Number(target.dataset.boardId), theme_id: null });
});

themeDialog.querySelector("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = themeDialog.querySelector("[name=name]").value;
  if (await call("POST", "/themes", { name, item_ids: grouping })) themeDialog.close();
});
themeDialog.querySelector("[data-dialog-close]").addEventListener("click", () => themeDialog.close());

// --- a note written on paper, typed in by the facilitator ------------------------------
const paperDialog = document.getElementById("paper-dialog");
root.querySelector("[data-wall-paper]").addEventListener("click", () => {
  fillOptions(paperDialog.querySelector("[name=board_id]"), listOf(live.entities, "board"));
  paperDialog.querySelector("[name=text]").value = "";
  paperDialog.showModal();
});
paperDialog.querySelector("form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const made = await call("POST", "/items", {
    uuid: newUuid(), kind: "note", from_paper: true, text: form.text.value, board_id: Number(form.board_id.value),
  });
  if (made) paperDialog.close();
});
paperDialog.querySelector("[data-dialog-close]").addEventListener("click", () => paperDialog.close());
