// The participant's phone (or the centre's shared tablet): one big choice at a time.
//
// Home offers: write a note, draw, take a photo, vote, just listen, my notes, see the wall.
// Every send keeps what was written on the screen until the server said it is stored;
// a refusal is explained and nothing is lost. On the shared tablet, every send returns to
// the start, and "Next person" (or a few idle minutes) gives the next person a fresh
// anonymous identity, so nobody sees the previous person's notes as theirs.

import { ApiError, newUuid, request } from "./api.js";
import { createDrawingPad } from "./drawing-pad.js";
import { follow, listOf } from "./live.js";
import { t } from "./strings.js";
import { renderWall } from "./wall-view.js";

const root = document.querySelector("[data-phone]");
const code = root.dataset.code;
const kiosk = root.dataset.kiosk === "1";
const base = `/api/w/${encodeURIComponent(code)}`;
const message = root.querySelector("[data-phone-message]");
const KIOSK_IDLE_MS = 3 * 60 * 1000;

let screen = "home";
let mine = { items: [], dots: [] };

const live = follow(code, {
  onChange: () => refresh(),
  onStatus: (state) => {
    const status = root.querySelector("[data-phone-status]");
    status.textContent = state === "offline" ? t("No connection right now. Wait a moment.") : "";
  },
});

function say(text, kind = "info") {
  message.textContent = text;
  message.dataset.kind = kind;
}

function show(name) {
  screen = name;
  for (const section of root.querySelectorAll("[data-screen]")) section.hidden = section.dataset.screen !== name;
  if (name !== "home") say("");
  refresh();
  const heading = root.querySelector(`[data-screen="${name}"] h1, [data-screen="${name}"] h2`);
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

function boardsOpen() {
  return listOf(live.entities, "board").filter((board) => !board.locked);
}

function fillBoards(container, name) {
  const chosen = container.querySelector("input:checked");
  const keep = chosen ? chosen.value : null;
  container.replaceChildren();
  const boards = boardsOpen();
  boards.forEach((board, index) => {
    const label = document.createElement("label");
    label.className = "choice-tile";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = name;
    input.value = board.id;
    input.required = true;
    input.checked = keep ? String(board.id) === keep : index === 0;
    const text = document.createElement("span");
    text.textContent = board.title;
    label.append(input, text);
    container.append(label);
  });
}

function refresh() {
  for (const container of root.querySelectorAll("[data-board-choices]")) fillBoards(container, container.dataset.boardChoices);
  const questions = listOf(live.entities, "question").filter((q) => q.open);
  root.querySelector('[data-go="vote"]').hidden = questions.length === 0;
  const workshop = listOf(live.entities, "workshop")[0];
  root.querySelector("[data-ended]").hidden = !workshop || workshop.open;
  if (screen === "vote") renderVotes(questions);
  if (screen === "wall") renderWall(root.querySelector("[data-wall]"), live.entities, { staff: false });
  if (screen === "mine") renderMine();
}

async function loadMine() {
  try {
    mine = await request(base, "GET", "/mine");
  } catch (error) {
    // Keep the last known list; the screen says nothing is lost.
  }
}

function explain(error) {
  if (error instanceof ApiError && error.status === 0) return t("No connection right now. Your text is still here: try again in a moment.");
  return (error && error.message) || t("Something went wrong. Your text is still here: try again.");
}

async function sent(text) {
  await loadMine();
  say(text, "ok");
  show("home");
  if (kiosk) armIdle();
}

function workshopHides() {
  const workshop = listOf(live.entities, "workshop")[0];
  return workshop && workshop.reveal_mode;
}

function thanks() {
  return workshopHides() ? t("Thank you! The facilitator will show it on the wall soon.") : t("Thank you! It is on the wall now.");
}

// --- a sticky note ----------------------------------------------------------------------
const noteForm = root.querySelector("[data-note-form]");
const noteText = noteForm.querySelector("textarea");
const counter = noteForm.querySelector("[data-counter]");
const noteMax = Number(noteText.getAttribute("maxlength"));

function count() {
  const left = noteMax - noteText.value.length;
  counter.textContent = t("%(count)s characters left", { count: left });
}
noteText.addEventListener("input", count);
count();

noteForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = noteForm.querySelector("[data-error]");
  error.textContent = "";
  if (!noteText.value.trim()) {
    error.textContent = t("Write something on the note first.");
    noteText.focus();
    return;
  }
  const body = {
    uuid: noteForm.dataset.uuid || (noteForm.dataset.uuid = newUuid()), // a retry is the same note
    kind: "note", text: noteText.value, board_id: Number(noteForm.board.value), colour: noteForm.colour.value,
  };
  setBusy(noteForm, true);
  try {
    await request(base, "POST", "/items", { json: body });
    noteText.value = "";
    delete noteForm.dataset.uuid;
    count();
    await sent(thanks());
  } catch (failure) {
    if (failure.status === 409) delete noteForm.dataset.uuid;
    error.textContent = explain(failure);
  } finally {
    setBusy(noteForm, false);
  }
});

noteText.addEventListener("input", () => { delete noteForm.dataset.uuid; });

function setBusy(form, busy) {
  const button = form.querySelector("[type=submit]");
  button.disabled = busy;
  button.setAttribute("aria-busy", String(busy));
}

// --- pictures: a drawing from the pad, or a photo from the camera ---------------------
const pad = createDrawingPad(root.querySelector("[data-drawing-pad]"));
const drawForm = root.querySelector("[data-draw-form]");
const photoForm = root.querySelector("[data-photo-form]");
const photoInput = photoForm.querySelector("input[type=file]");
const preview = photoForm.querySelector("[data-preview]");

async function sendPicture(form, kind, blob, caption) {
  const error = form.querySelector("[data-error]");
  error.textContent = "";
  const data = new FormData();
  data.append("uuid", form.dataset.uuid || (form.dataset.uuid = newUuid()));
  data.append("kind", kind);
  data.append("board_id", form.board.value);
  data.append("text", caption);
  data.append("image", blob, kind === "drawing" ? "drawing.png" : "photo");
  setBusy(form, true);
  try {
    await request(base, "POST", "/items", { form: data });
    delete form.dataset.uuid;
    return true;
  } catch (failure) {
    if (failure.status === 409) delete form.dataset.uuid;
    error.textContent = explain(failure);
    return false;
  } finally {
    setBusy(form, false);
  }
}

drawForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (pad.isEmpty()) {
    drawForm.querySelector("[data-error]").textContent = t("Draw something first.");
    return;
  }
  const caption = drawForm.querySelector("[name=caption]");
  if (await sendPicture(drawForm, "drawing", await pad.toBlob(), caption.value)) {
    pad.reset();
    caption.value = "";
    await sent(thanks());
  }
});
root.querySelector("[data-drawing-pad]").addEventListener("drawing-pad:change", () => { delete drawForm.dataset.uuid; });

photoInput.addEventListener("change", () => {
  delete photoForm.dataset.uuid;
  const file = photoInput.files[0];
  preview.hidden = !file;
  if (file) {
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(file);
  }
});

photoForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = photoInput.files[0];
  if (!file) {
    photoForm.querySelector("[data-error]").textContent = t("Take or choose a photo first.");
    return;
  }
  const caption = photoForm.querySelector("[name=caption]");
  if (await sendPicture(photoForm, "photo", file, caption.value)) {
    photoForm.reset();
    preview.hidden = true;
    await sent(thanks());
  }
});

// --- dot votes --------------------------------------------------------------------------
function renderVotes(questions) {
  const box = root.querySelector("[data-votes]");
  box.replaceChildren();
  for (const question of questions) {
    const section = document.createElement("section");
    section.className = "vote";
    const heading = document.createElement("h2");
    heading.textContent = question.title;
    const mineHere = mine.dots.filter((dot) => dot.question_id === question.id);
    const left = question.dots_per_person - mineHere.length;
    const info = document.createElement("p");
    info.className = "vote__left";
    info.textContent = t("Dots left: %(count)s of %(total)s", { count: left, total: question.dots_per_person });
    const list = document.createElement("ul");
    list.className = "vote__options";
    for (const option of question.options) {
      const onThis = mineHere.filter((dot) => dot.option_id === option.id);
      const li = document.createElement("li");
      li.className = "vote__option";
      const label = document.createElement("span");
      label.className = "vote__label";
      label.textContent = option.label;
      const dots = document.createElement("span");
      dots.className = "vote__mine";
      dots.textContent = t("Your dots here: %(count)s", { count: onThis.length });
      const add = button(left > 0 ? t("Add a dot") : t("Move a dot here"), () => addDot(question, option, mineHere, left));
      add.setAttribute("aria-label", `${add.textContent}: ${option.label}`);
      add.disabled = left <= 0 && mineHere.every((dot) => dot.option_id === option.id);
      const remove = button(t("Take a dot back"), () => removeDot(onThis[onThis.length - 1]));
      remove.setAttribute("aria-label", `${remove.textContent}: ${option.label}`);
      remove.className = "button button--quiet";
      remove.disabled = onThis.length === 0;
      li.append(label, dots, add, remove);
      list.append(li);
    }
    section.append(heading, info, list);
    box.append(section);
  }
}

function button(text, onClick) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = "button";
  node.textContent = text;
  node.addEventListener("click", onClick);
  return node;
}

async function voteCall(method, path, json) {
  try {
    await request(base, method, path, { json });
    await loadMine();
    refresh();
    return true;
  } catch (error) {
    say(explain(error), "error");
    return false;
  }
}

async function addDot(question, option, mineHere, left) {
  if (left > 0) {
    if (await voteCall("POST", "/dots", { uuid: newUuid(), option_id: option.id })) say(t("Your dot is in."), "ok");
    return;
  }
  const movable = mineHere.find((dot) => dot.option_id !== option.id);
  if (movable && (await voteCall("PATCH", `/dots/${movable.uuid}`, { option_id: option.id }))) say(t("Your dot was moved."), "ok");
}

async function removeDot(dot) {
  if (dot && (await voteCall("DELETE", `/dots/${dot.uuid}`))) say(t("Your dot was taken back."), "ok");
}

// --- my own notes, and taking one back --------------------------------------------------
function renderMine() {
  const list = root.querySelector("[data-mine]");
  list.replaceChildren();
  root.querySelector("[data-mine-empty]").hidden = mine.items.length > 0;
  for (const item of mine.items) {
    const li = document.createElement("li");
    li.className = `mine__item note note--${item.colour}`;
    if (item.image) {
      const img = document.createElement("img");
      img.src = item.image.thumb_url;
      img.alt = item.text || t("A picture");
      li.append(img);
    }
    if (item.text) {
      const text = document.createElement("p");
      text.textContent = item.text;
      li.append(text);
    }
    if (item.hidden || item.pending) {
      const note = document.createElement("p");
      note.className = "mine__state";
      note.textContent = item.hidden ? t("The facilitator took this off the wall.") : t("Not on the wall yet.");
      li.append(note);
    }
    const board = live.entities.get(`board:${item.board_id}`);
    if (board && !board.locked) {
      const back = button(t("Take back"), async () => {
        if (!window.confirm(t("Take this back? It disappears from the wall."))) return;
        try {
          await request(base, "DELETE", `/items/${item.uuid}`);
          await loadMine();
          say(t("It was taken back."), "ok");
          refresh();
        } catch (error) {
          say(explain(error), "error");
        }
      });
      back.className = "button button--quiet";
      li.append(back);
    }
    list.append(li);
  }
}

// --- the shared tablet ------------------------------------------------------------------
let idleTimer = 0;
function armIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(nextPerson, KIOSK_IDLE_MS);
}

async function nextPerson() {
  try {
    await request(base, "POST", "/next-person", { json: {} });
  } catch (error) {
    say(explain(error), "error");
    return;
  }
  window.location.reload();
}

if (kiosk) {
  root.querySelector("[data-next-person]").addEventListener("click", nextPerson);
  for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, armIdle, { passive: true });
  armIdle();
}

// --- navigation -------------------------------------------------------------------------
root.addEventListener("click", async (event) => {
  const go = event.target.closest("[data-go]");
  if (!go) return;
  if (go.dataset.go === "mine" || go.dataset.go === "vote") await loadMine();
  show(go.dataset.go);
});

loadMine();
