// The participant's phone (or the centre's shared tablet): one big choice at a time.
//
// Home shows the workshop's phase and topic and, on top, the one thing to do now (the
// feedback the facilitator asks for, an open question, an open vote, the explainer and a
// topic in phase 1, a note in phase 2). Below it: what this phase offers, just listen,
// my notes, see the wall.
// Every write goes through the outbox (outbox.js): it is kept on the phone with its UUID
// and sent in order when there is a connection. A form waits a moment for its first try:
// then it is cleared and says either "on the wall" or "saved on this phone". A refusal that
// comes while the form is still open is shown on the form with the text kept; a later one
// lands in "Could not be sent" with the reason, to copy out, try again or remove. Home
// always says how many things are not sent yet. What waits is counted as done already
// (a dot placed offline is a dot used), so the screens stay true to what the person did.
// On the shared tablet, every send returns to the start, and "Next person" (or a few idle
// minutes) gives the next person a fresh anonymous identity, so nobody sees the previous
// person's notes as theirs; it waits until everything of the previous person is sent.

import { newUuid, request } from "./api.js";
import { createDrawingPad } from "./drawing-pad.js";
import { follow, listOf } from "./live.js";
import { discard, drain, list, onChange, retry, sendThroughOutbox } from "./outbox.js";
import { reportScreen } from "./phone-report.js";
import { t } from "./strings.js";
import { renderWall } from "./wall-view.js";

const root = document.querySelector("[data-phone]");
const code = root.dataset.code;
const kiosk = root.dataset.kiosk === "1";
const base = `/api/w/${encodeURIComponent(code)}`;
const message = root.querySelector("[data-phone-message]");
const KIOSK_IDLE_MS = 3 * 60 * 1000;

const phaseNames = JSON.parse(root.dataset.phaseNames);
const activities = JSON.parse(root.dataset.activities);
const explainedKey = `kuulluksi-explained-${code}`;

let screen = "home";
let fromServer = { items: [], dots: [], answers: {}, feedback: {}, topics: [] }; // GET /mine
let mine = fromServer; // the same with what still waits in the outbox applied on top
let waiting = []; // this workshop's outbox entries not sent yet, oldest first
let failed = []; // … and the ones the server refused

// The last known state is kept on the phone (persist), so that a page reloaded offline still
// offers this phase's choices and boards. Only here: staff walls never keep theirs.
const live = follow(code, {
  persist: true,
  onChange: () => refresh(),
  onStatus: (state) => {
    const status = root.querySelector("[data-phone-status]");
    status.textContent = state === "offline" ? t("No connection right now. Wait a moment.") : "";
    if (state === "online") drain(); // the socket is back: so is the network, most likely
  },
});

// The report's screen (phase 3); write(), sent() and say() below are function declarations.
const report = reportScreen({ root, base, code, live, write, sent, say });

function say(text, kind = "info") {
  message.textContent = text;
  message.dataset.kind = kind;
}

function show(name) {
  screen = name;
  for (const section of root.querySelectorAll("[data-screen]")) section.hidden = section.dataset.screen !== name;
  if (name !== "home") say("");
  if (name === "report") report.open(); // fetch the text afresh
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

function openSurveys() {
  return listOf(live.entities, "survey").filter((survey) => survey.open);
}

function unansweredSurveys() {
  return openSurveys().filter((survey) => !(mine.answers || {})[survey.id]);
}

function dotsLeft(question) {
  return question.dots_per_person - mine.dots.filter((dot) => dot.question_id === question.id).length;
}

// The one thing to do now, most pressing first: [screen, words] or null.
function nowStep(workshop, questions) {
  if (!workshop || !workshop.open) return null;
  const allowed = activities[workshop.phase] || [];
  if (workshop.feedback_phase && !(mine.feedback || {})[workshop.feedback_phase]) {
    return ["feedback", t("Tell how this phase worked for you")];
  }
  if (unansweredSurveys().length) return ["survey", t("Answer a short question")];
  if (questions.some((question) => dotsLeft(question) > 0)) return ["vote", t("Vote with your dots")];
  const reportStep = report.step();
  if (reportStep) return ["report", reportStep];
  if (workshop.phase === "mapping" && !sessionStorage.getItem(explainedKey)) return ["explainer", t("What is this about?")];
  if (allowed.includes("topics") && !(mine.topics || []).length) return ["topic", t("Propose a topic")];
  if (allowed.includes("notes")) return ["note", t("Write a note")];
  return ["listen", t("Listen and follow the wall")];
}

function refreshHome(workshop, questions) {
  const phaseLine = root.querySelector("[data-phase-line]");
  const topicLine = root.querySelector("[data-topic-line]");
  phaseLine.textContent = workshop ? t("Now: %(phase)s", { phase: phaseNames[workshop.phase] }) : "";
  topicLine.hidden = !(workshop && workshop.topic);
  topicLine.textContent = workshop && workshop.topic ? t("Our topic: %(topic)s", { topic: workshop.topic }) : "";
  // Until the workshop's state is known, the page's own choices (rendered for its phase by
  // the server) stay as they are: hiding them meanwhile made them flash.
  if (workshop) {
    const allowed = activities[workshop.phase] || [];
    for (const choice of root.querySelectorAll("[data-activity]")) choice.hidden = !allowed.includes(choice.dataset.activity);
  }
  root.querySelector('[data-go="vote"]').hidden = questions.length === 0;
  root.querySelector('[data-go="survey"]').hidden = openSurveys().length === 0;
  root.querySelector('[data-go="feedback"]').hidden = !(workshop && workshop.feedback_phase);
  root.querySelector('[data-go="report"]').hidden = !report.exists();
  const step = nowStep(workshop, questions);
  const now = root.querySelector("[data-now]");
  now.hidden = !step;
  if (step) {
    const action = now.querySelector("[data-now-action]");
    action.dataset.go = step[0];
    action.textContent = step[1];
  }
}

function refresh() {
  for (const container of root.querySelectorAll("[data-board-choices]")) fillBoards(container, container.dataset.boardChoices);
  const questions = listOf(live.entities, "question").filter((q) => q.open);
  const workshop = listOf(live.entities, "workshop")[0];
  root.querySelector("[data-ended]").hidden = !workshop || workshop.open;
  refreshHome(workshop, questions);
  if (screen === "vote") renderVotes(questions);
  if (screen === "survey") renderSurvey();
  if (screen === "topic") renderTopics();
  if (screen === "feedback") renderFeedback(workshop);
  if (screen === "wall") renderWall(root.querySelector("[data-wall]"), live.entities, { staff: false });
  if (screen === "mine") renderMine();
  if (screen === "failed") renderFailed();
  report.refresh(screen === "report");
}

async function loadMine() {
  try {
    fromServer = { answers: {}, feedback: {}, topics: [], ...(await request(base, "GET", "/mine")) };
  } catch (error) {
    // Keep the last known list; what waits in the outbox is shown on top of it.
  }
  mine = withWaiting(fromServer, waiting);
}

// --- the outbox: what is not sent yet, and what could not be sent ---------------------------
const SAVED = () => t("Saved on this phone. It will be sent when there is a connection.");
const outboxLine = root.querySelector("[data-outbox-status]");
const waitingButton = root.querySelector("[data-outbox-waiting]");
const failedButton = root.querySelector("[data-outbox-failed]");
const pictureUrls = new Map(); // seq -> object URL of a picture not sent yet
let outboxReading = null;
let outboxDirty = false;
let showSending = false;
let sendingTimer = 0;

/** The option (and its question) of a dot vote, from the live state. */
function optionOf(optionId) {
  for (const question of listOf(live.entities, "question")) {
    const option = question.options.find((candidate) => candidate.id === optionId);
    if (option) return { question, option };
  }
  return { question: null, option: null };
}

function formFields(entry) {
  return Object.fromEntries((entry.form || []).filter(([, value]) => typeof value === "string"));
}

/** What the person has made as they should see it: the server's lists with the outbox's
 *  waiting entries applied in order (a dot placed offline is already one of theirs). */
function withWaiting(server, entries) {
  const view = {
    ...server, items: [...server.items], dots: server.dots.map((dot) => ({ ...dot })),
    answers: { ...server.answers }, feedback: { ...server.feedback }, topics: [...(server.topics || [])],
  };
  for (const entry of entries) {
    const json = entry.json || {};
    if (["note", "drawing", "photo"].includes(entry.kind)) {
      const data = entry.form ? formFields(entry) : json;
      if (!view.items.some((item) => item.uuid === entry.uuid)) {
        view.items.push({ uuid: entry.uuid, kind: entry.kind, text: data.text || "", colour: data.colour || "yellow",
          board_id: Number(data.board_id), waiting: entry });
      }
    } else if (entry.kind === "take-back") {
      view.items = view.items.filter((item) => item.uuid !== entry.uuid);
    } else if (entry.kind === "dot" && !view.dots.some((dot) => dot.uuid === entry.uuid)) {
      const { question } = optionOf(json.option_id);
      view.dots.push({ uuid: entry.uuid, option_id: json.option_id, question_id: question && question.id,
        waiting: entry });
    } else if (entry.kind === "dot-move") {
      const dot = view.dots.find((candidate) => candidate.uuid === entry.uuid);
      if (dot) dot.option_id = json.option_id;
    } else if (entry.kind === "dot-back") {
      view.dots = view.dots.filter((dot) => dot.uuid !== entry.uuid);
    } else if (entry.kind === "answer") {
      const survey = /\/surveys\/(\d+)\/answers$/.exec(entry.path);
      if (survey) view.answers[survey[1]] = { ...json, survey_id: Number(survey[1]) };
    } else if (entry.kind === "feedback") {
      view.feedback[json.phase] = { ...json };
    } else if (entry.kind === "topic" && !view.topics.some((topic) => topic.uuid === entry.uuid)) {
      view.topics.push({ uuid: entry.uuid, text: json.text, waiting: entry });
    } else if (entry.kind === "topic-back") {
      view.topics = view.topics.filter((topic) => topic.uuid !== entry.uuid);
    }
  }
  return view;
}

/** Read this workshop's outbox again and show it. Calls coalesce: one read at a time. */
function refreshOutbox() {
  if (outboxReading) {
    outboxDirty = true;
    return outboxReading;
  }
  outboxReading = (async () => {
    do {
      outboxDirty = false;
      let entries = [];
      try {
        entries = await list(code);
      } catch (error) {
        entries = []; // no IndexedDB here: every write is sent directly (see write())
      }
      waiting = entries.filter((entry) => entry.state !== "failed");
      failed = entries.filter((entry) => entry.state === "failed");
    } while (outboxDirty);
    mine = withWaiting(fromServer, waiting);
    for (const [seq, url] of pictureUrls) {
      if (!waiting.concat(failed).some((entry) => entry.seq === seq)) {
        URL.revokeObjectURL(url);
        pictureUrls.delete(seq);
      }
    }
    renderOutbox();
    if (listOf(live.entities, "workshop").length) {
      refresh();
    } else { // before the workshop's first state, home keeps the page's own choices
      if (screen === "mine") renderMine();
      if (screen === "failed") renderFailed();
    }
  })().finally(() => { outboxReading = null; });
  return outboxReading;
}

/** Home's line: "Not sent yet: N", "Sending…" or "Everything is sent", and the failed button.
 *  "Sending…" shows only when a send takes a while, so the line does not flicker. */
function renderOutbox() {
  const sendingNow = waiting.some((entry) => entry.state === "sending");
  if (!sendingNow) {
    clearTimeout(sendingTimer);
    sendingTimer = 0;
    showSending = false;
  } else if (!showSending && !sendingTimer) {
    sendingTimer = setTimeout(() => {
      sendingTimer = 0;
      showSending = true;
      renderOutbox();
    }, 400);
  }
  const state = !waiting.length ? "sent" : showSending ? "sending" : "waiting";
  const text = { sent: t("Everything is sent"), sending: t("Sending…"),
    waiting: t("Not sent yet: %(count)s", { count: waiting.length }) }[state];
  if (outboxLine.textContent !== text) outboxLine.textContent = text;
  outboxLine.dataset.state = state;
  waitingButton.hidden = !waiting.length;
  failedButton.hidden = !failed.length;
  failedButton.textContent = t("Could not be sent (%(count)s)", { count: failed.length });
}

/** The picture of an entry not sent yet (a drawing or photo), as an object URL. */
function pictureOf(entry) {
  const image = (entry.form || []).find(([name, value]) => name === "image" && value instanceof Blob);
  if (!image) return null;
  if (!pictureUrls.has(entry.seq)) pictureUrls.set(entry.seq, URL.createObjectURL(image[1]));
  return pictureUrls.get(entry.seq);
}

/** The words to copy out of an entry: its label, or for a picture its caption (if any). */
function textOf(entry) {
  return entry.form ? formFields(entry).text || "" : entry.label;
}

/** One entry of the outbox as a list item: picture, words, state, and its buttons. */
function entryNode(entry, buttons) {
  const li = document.createElement("li");
  li.className = "outbox-item";
  const url = pictureOf(entry);
  if (url) {
    const img = document.createElement("img");
    img.src = url;
    img.alt = entry.label || t("A picture");
    li.append(img);
  }
  const text = document.createElement("p");
  text.className = "outbox-item__text";
  text.id = `outbox-entry-${entry.seq}`;
  text.textContent = entry.label;
  li.append(text);
  const state = document.createElement("p");
  state.className = "outbox-item__state";
  if (entry.state === "failed") {
    const reason = (entry.error && entry.error.message) || t("The workshop did not accept it.");
    state.textContent = t("Reason: %(reason)s", { reason });
  } else {
    state.textContent = entry.state === "sending" ? t("Sending…") : t("Not sent yet. It is saved on this phone.");
  }
  li.append(state);
  const actions = document.createElement("div");
  actions.className = "outbox-item__actions";
  for (const [words, onClick, kind] of buttons) {
    const node = button(words, onClick);
    if (kind) node.className = `button ${kind}`;
    node.setAttribute("aria-describedby", text.id);
    actions.append(node);
  }
  if (buttons.length) li.append(actions);
  return li;
}

/** Remove something not sent yet (waiting or refused) from the phone, after a question;
 *  not while it is on its way: then it may be on the wall already. */
async function removeEntry(entry) {
  if (!window.confirm(t("Remove this? It has not been sent, so it will be gone for good."))) return;
  if (await discard(entry.seq)) say(t("It was removed."), "ok");
  else say(t("It is being sent right now. Try again in a moment."), "error");
  await refreshOutbox();
}

function renderFailed() {
  const listNode = root.querySelector("[data-failed-list]");
  root.querySelector("[data-failed-empty]").hidden = failed.length > 0;
  const signature = failed.map((entry) => `${entry.seq}:${entry.attempts}`).join(",");
  if (listNode.dataset.signature === signature) return; // keep focus where it is
  const hadFocus = listNode.contains(document.activeElement);
  listNode.dataset.signature = signature;
  listNode.replaceChildren(...failed.map((entry) => entryNode(entry, [
    ...(textOf(entry) ? [[t("Copy the text"), () => copyOut(textOf(entry)), "button--quiet"]] : []),
    [t("Try again"), () => tryAgain(entry), ""],
    [t("Remove"), () => removeEntry(entry), "button--quiet button--remove"],
  ])));
  if (hadFocus) root.querySelector("#failed-heading").focus();
}

/** Copy to the clipboard; where the Clipboard API is missing (plain http on the centre's
 *  Wi-Fi is not a secure context) through a selected textarea. */
async function copyOut(text) {
  let copied = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      copied = true;
    }
  } catch (error) {
    copied = false;
  }
  if (!copied) {
    const focused = document.activeElement;
    const area = document.createElement("textarea");
    area.className = "outbox-copy";
    area.value = text;
    area.setAttribute("readonly", "");
    area.setAttribute("aria-hidden", "true");
    area.tabIndex = -1;
    document.body.append(area);
    area.select();
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    area.remove();
    if (focused) focused.focus();
  }
  if (copied) say(t("The text was copied."), "ok");
  else say(t("Copying did not work. Tap the text to select it, then copy it."), "error");
}

async function tryAgain(entry) {
  say(t("Sending…"));
  await Promise.race([retry(entry.seq), new Promise((resolve) => { setTimeout(resolve, 3000); })]);
  await refreshOutbox();
  const now = failed.concat(waiting).find((candidate) => candidate.seq === entry.seq);
  if (!now) say(t("It was sent."), "ok");
  else if (now.state === "failed") say(t("It could not be sent this time either."), "error");
  else say(SAVED(), "saved");
}

onChange((event) => {
  if (event.scope !== code) return;
  if (event.type === "sent") loadMine().then(refreshOutbox);
  else refreshOutbox();
});

/**
 * Hand a write to the outbox and wait a moment for its first try. Answers {sent} (the
 * server has it), {saved} (it waits on this phone), or {error, status, field} when it was
 * refused at once or could not even be kept: then the form keeps the person's text and
 * says why, as before the outbox, and nothing is kept in the outbox.
 */
async function write(entry) {
  let outcome;
  try {
    outcome = await sendThroughOutbox(code, entry);
  } catch (error) {
    return { error: t("Something went wrong. Your text is still here: try again.") };
  }
  if (outcome.sent) return { sent: true, answer: outcome.answer };
  if (outcome.failed) {
    // Refused while the person still looks at it: say why right there, where the text is.
    if (outcome.entry) await discard(outcome.entry.seq);
    return {
      error: outcome.error.message || t("Something went wrong. Your text is still here: try again."),
      status: outcome.error.status, field: outcome.error.field,
    };
  }
  if (!outcome.entry) { // not even kept on the phone (no IndexedDB) and no connection
    return { error: t("No connection right now. Your text is still here: try again in a moment."), status: 0 };
  }
  return { sent: false, saved: true };
}

/** After a form was handed over: back to the start with the right words. */
async function sent(text, done) {
  if (done) await loadMine();
  await refreshOutbox();
  say(done ? text : SAVED(), done ? "ok" : "saved");
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
    const result = await write({ method: "POST", path: `${base}/items`, json: body, uuid: body.uuid, label: body.text,
      kind: "note" });
    if (result.error) {
      if (result.status === 409) delete noteForm.dataset.uuid;
      error.textContent = result.error;
      return;
    }
    noteText.value = "";
    delete noteForm.dataset.uuid;
    count();
    await sent(thanks(), result.sent);
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

/** Send a drawing or photo through the outbox. Answers write()'s result; on a refusal the
 *  reason is on the form and the picture is still there. */
async function sendPicture(form, kind, blob, caption) {
  const error = form.querySelector("[data-error]");
  error.textContent = "";
  const uuid = form.dataset.uuid || (form.dataset.uuid = newUuid());
  const fields = [["uuid", uuid], ["kind", kind], ["board_id", form.board.value], ["text", caption],
    ["image", blob, kind === "drawing" ? "drawing.png" : "photo"]];
  const label = caption || (kind === "drawing" ? t("A drawing without a caption") : t("A photo without a caption"));
  setBusy(form, true);
  try {
    const result = await write({ method: "POST", path: `${base}/items`, form: fields, uuid, label, kind });
    if (result.error) {
      if (result.status === 409) delete form.dataset.uuid;
      error.textContent = result.error;
    } else {
      delete form.dataset.uuid;
    }
    return result;
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
  const result = await sendPicture(drawForm, "drawing", await pad.toBlob(), caption.value);
  if (!result.error) {
    pad.reset();
    caption.value = "";
    await sent(thanks(), result.sent);
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
  const result = await sendPicture(photoForm, "photo", file, caption.value);
  if (!result.error) {
    photoForm.reset();
    preview.hidden = true;
    await sent(thanks(), result.sent);
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
      const remove = button(t("Take a dot back"), () => removeDot(onThis[onThis.length - 1], option));
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

/** A dot placed, moved or taken back, through the outbox; `done` is said once it is sent. */
async function voteCall(entry, done) {
  const result = await write(entry);
  if (result.error) {
    say(result.error, "error");
    return;
  }
  if (result.sent) await loadMine();
  await refreshOutbox();
  say(result.sent ? done : SAVED(), result.sent ? "ok" : "saved");
}

async function addDot(question, option, mineHere, left) {
  if (left > 0) {
    const uuid = newUuid();
    await voteCall({ method: "POST", path: `${base}/dots`, json: { uuid, option_id: option.id }, uuid,
      label: t("A dot for: %(option)s", { option: option.label }), kind: "dot" }, t("Your dot is in."));
    return;
  }
  const movable = mineHere.find((dot) => dot.option_id !== option.id);
  if (movable) {
    await voteCall({ method: "PATCH", path: `${base}/dots/${movable.uuid}`, json: { option_id: option.id },
      uuid: movable.uuid, label: t("Move a dot to: %(option)s", { option: option.label }), kind: "dot-move" },
    t("Your dot was moved."));
  }
}

async function removeDot(dot, option) {
  if (!dot) return;
  await voteCall({ method: "DELETE", path: `${base}/dots/${dot.uuid}`, uuid: dot.uuid,
    label: t("Take a dot back from: %(option)s", { option: option.label }), kind: "dot-back" },
  t("Your dot was taken back."));
}

// --- my own notes, and taking one back --------------------------------------------------
function renderMine() {
  const waitingList = root.querySelector("[data-waiting-list]");
  root.querySelector("[data-waiting-area]").hidden = waiting.length === 0;
  waitingList.replaceChildren(...waiting.map((entry) => entryNode(entry,
    ["note", "drawing", "photo", "topic"].includes(entry.kind) && entry.state !== "sending"
      ? [[t("Take back"), () => removeEntry(entry), "button--quiet"]] : [])));
  const list = root.querySelector("[data-mine]");
  list.replaceChildren();
  const items = mine.items.filter((item) => !item.waiting); // those are listed above
  root.querySelector("[data-mine-empty]").hidden = items.length > 0 || waiting.length > 0;
  for (const item of items) {
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
        const words = item.text
          || (item.kind === "photo" ? t("A photo without a caption") : t("A drawing without a caption"));
        await voteCall({ method: "DELETE", path: `${base}/items/${item.uuid}`, uuid: item.uuid,
          label: t("Take back: %(text)s", { text: words }), kind: "take-back" }, t("It was taken back."));
      });
      back.className = "button button--quiet";
      li.append(back);
    }
    list.append(li);
  }
}

// --- proposing a topic (phase 1) --------------------------------------------------------
const topicForm = root.querySelector("[data-topic-form]");
const topicText = topicForm.querySelector("textarea");
const topicCounter = topicForm.querySelector("[data-counter]");
const topicMax = Number(topicText.getAttribute("maxlength"));

function countTopic() {
  topicCounter.textContent = t("%(count)s characters left", { count: topicMax - topicText.value.length });
}
topicText.addEventListener("input", () => { delete topicForm.dataset.uuid; countTopic(); });
countTopic();

topicForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = topicForm.querySelector("[data-error]");
  error.textContent = "";
  if (!topicText.value.trim()) {
    error.textContent = t("Write the topic first.");
    topicText.focus();
    return;
  }
  const body = { uuid: topicForm.dataset.uuid || (topicForm.dataset.uuid = newUuid()), text: topicText.value };
  setBusy(topicForm, true);
  try {
    const result = await write({ method: "POST", path: `${base}/topics`, json: body, uuid: body.uuid, label: body.text,
      kind: "topic" });
    if (result.error) {
      if (result.status === 409 && result.field === "uuid") delete topicForm.dataset.uuid;
      error.textContent = result.error;
      return;
    }
    topicText.value = "";
    delete topicForm.dataset.uuid;
    countTopic();
    await sent(t("Thank you! Your topic is on the wall."), result.sent);
  } finally {
    setBusy(topicForm, false);
  }
});

function renderTopics() {
  const list = root.querySelector("[data-my-topics]");
  const topics = mine.topics || [];
  root.querySelector("[data-topics-empty]").hidden = topics.length > 0;
  list.replaceChildren(...topics.map((topic) => {
    const li = document.createElement("li");
    li.className = "mine__item note note--yellow";
    const text = document.createElement("p");
    text.textContent = topic.text;
    li.append(text);
    if (topic.waiting) {
      const state = document.createElement("p");
      state.className = "mine__state";
      state.textContent = topic.waiting.state === "sending"
        ? t("Sending…") : t("Not sent yet. It is saved on this phone.");
      li.append(state);
    }
    const back = button(t("Take back"), async () => {
      if (topic.waiting) {
        await removeEntry(topic.waiting);
        return;
      }
      await voteCall({ method: "DELETE", path: `${base}/topics/${topic.uuid}`, uuid: topic.uuid,
        label: t("Take back the topic: %(text)s", { text: topic.text }), kind: "topic-back" },
      t("It was taken back."));
    });
    back.className = "button button--quiet";
    li.append(back);
    return li;
  }));
}

// --- a short survey question ------------------------------------------------------------
const surveyForm = root.querySelector("[data-survey-form]");
let surveyShown = null;

function currentSurvey() {
  const open = openSurveys();
  const still = open.find((survey) => survey.id === surveyShown);
  return still || unansweredSurveys()[0] || open[0] || null;
}

function tile(type, name, value, text, checked) {
  const label = document.createElement("label");
  label.className = type === "radio" || type === "checkbox" ? "choice-tile" : "";
  const input = document.createElement("input");
  input.type = type;
  input.name = name;
  input.value = value;
  input.checked = checked;
  const words = document.createElement("span");
  words.textContent = text;
  label.append(input, words);
  return label;
}

// The faces and their words, as the page has them for the feedback question.
const SMILEYS = [...root.querySelectorAll("[data-feedback-form] .smiley")].map((label) => [
  Number(label.querySelector("input").value), label.querySelector(".smiley__face").textContent,
  label.querySelector(".smiley__label").textContent]);

function renderSurvey() {
  const survey = currentSurvey();
  const box = surveyForm.querySelector("[data-survey-body]");
  if (!survey) {
    surveyShown = null;
    box.replaceChildren(Object.assign(document.createElement("p"), { textContent: t("There is no open question right now.") }));
    surveyForm.querySelector("[type=submit]").hidden = true;
    return;
  }
  surveyForm.querySelector("[type=submit]").hidden = false;
  if (surveyShown === survey.id && box.childElementCount) return; // keep what is being chosen
  surveyShown = survey.id;
  delete surveyForm.dataset.uuid;
  const mineHere = (mine.answers || {})[survey.id];
  const group = document.createElement("fieldset");
  group.className = "choice-group";
  const legend = document.createElement("legend");
  legend.className = "survey__question";
  legend.textContent = survey.title;
  group.append(legend);
  if (survey.kind === "text") {
    const field = document.createElement("textarea");
    field.className = "field__input";
    field.name = "text";
    field.rows = 3;
    field.maxLength = 300;
    field.setAttribute("aria-label", survey.title);
    field.value = mineHere ? mineHere.text : "";
    group.append(field);
  } else {
    const tiles = document.createElement("div");
    tiles.className = survey.kind === "scale" ? "smileys" : "choice-tiles";
    if (survey.kind === "scale") {
      for (const [value, face, words] of SMILEYS) {
        const label = tile("radio", "scale", value, words, mineHere && mineHere.scale === value);
        label.className = "smiley";
        const faceNode = document.createElement("span");
        faceNode.className = "smiley__face";
        faceNode.setAttribute("aria-hidden", "true");
        faceNode.textContent = face;
        label.insertBefore(faceNode, label.lastChild);
        tiles.append(label);
      }
    } else {
      const type = survey.kind === "multi" ? "checkbox" : "radio";
      const chosen = new Set(mineHere ? mineHere.choices : []);
      for (const option of survey.options) tiles.append(tile(type, "choices", option.id, option.label, chosen.has(option.id)));
    }
    group.append(tiles);
  }
  if (mineHere) {
    const note = document.createElement("p");
    note.className = "field__hint";
    note.textContent = t("You have answered. You can change your answer.");
    group.append(note);
  }
  box.replaceChildren(group);
}

surveyForm.addEventListener("change", () => { delete surveyForm.dataset.uuid; });
surveyForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const survey = currentSurvey();
  const error = surveyForm.querySelector("[data-error]");
  error.textContent = "";
  if (!survey) return;
  const body = { uuid: surveyForm.dataset.uuid || (surveyForm.dataset.uuid = newUuid()) };
  if (survey.kind === "text") {
    body.text = surveyForm.querySelector("[name=text]").value;
    if (!body.text.trim()) { error.textContent = t("Write your answer first."); return; }
  } else if (survey.kind === "scale") {
    const chosen = surveyForm.querySelector("[name=scale]:checked");
    if (!chosen) { error.textContent = t("Choose a face first."); return; }
    body.scale = Number(chosen.value);
  } else {
    body.choices = [...surveyForm.querySelectorAll("[name=choices]:checked")].map((input) => Number(input.value));
    if (!body.choices.length) { error.textContent = t("Choose an answer first."); return; }
  }
  setBusy(surveyForm, true);
  try {
    const result = await write({ method: "POST", path: `${base}/surveys/${survey.id}/answers`, json: body,
      uuid: body.uuid, label: `${survey.title}: ${answerWords(survey, body)}`, kind: "answer" });
    if (result.error) {
      if (result.status === 409 && result.field === "uuid") delete surveyForm.dataset.uuid;
      error.textContent = result.error;
      return;
    }
    delete surveyForm.dataset.uuid;
    surveyShown = null;
    if (result.sent) await loadMine();
    await refreshOutbox();
    if (unansweredSurveys().length) {
      say(result.sent ? t("Thank you! Here is the next question.") : SAVED(), result.sent ? "ok" : "saved");
      surveyForm.querySelector("[data-survey-body]").replaceChildren();
      refresh();
    } else {
      await sent(t("Thank you for your answer!"), result.sent);
    }
  } finally {
    setBusy(surveyForm, false);
  }
});

/** An answer in words, for the outbox's list: the text, the face or the options chosen. */
function answerWords(survey, body) {
  if (body.text !== undefined) return body.text;
  if (body.scale !== undefined) return (SMILEYS.find(([value]) => value === body.scale) || [0, "", ""])[2];
  return survey.options.filter((option) => body.choices.includes(option.id)).map((option) => option.label).join(", ");
}

// --- how did this phase work for you? ---------------------------------------------------
const feedbackForm = root.querySelector("[data-feedback-form]");

function renderFeedback(workshop) {
  const phase = workshop && workshop.feedback_phase;
  root.querySelector("[data-feedback-phase]").textContent = phase ? t("About: %(phase)s", { phase: phaseNames[phase] }) : "";
}

feedbackForm.addEventListener("change", () => { delete feedbackForm.dataset.uuid; });
feedbackForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const workshop = listOf(live.entities, "workshop")[0];
  const error = feedbackForm.querySelector("[data-error]");
  error.textContent = "";
  const rating = feedbackForm.querySelector("[name=rating]:checked");
  if (!rating) {
    error.textContent = t("Choose a face first.");
    return;
  }
  if (!workshop || !workshop.feedback_phase) return;
  const way = feedbackForm.querySelector("[name=way]:checked");
  const body = {
    uuid: feedbackForm.dataset.uuid || (feedbackForm.dataset.uuid = newUuid()),
    phase: workshop.feedback_phase, rating: Number(rating.value), way: way ? way.value : "",
    comment: feedbackForm.comment.value,
  };
  const face = (SMILEYS.find(([value]) => value === body.rating) || [0, "", ""])[2];
  setBusy(feedbackForm, true);
  try {
    const label = t("Feedback: %(answer)s", { answer: [face, body.comment.trim()].filter(Boolean).join(" – ") });
    const result = await write({ method: "POST", path: `${base}/feedback`, json: body, uuid: body.uuid, label,
      kind: "feedback" });
    if (result.error) {
      if (result.status === 409 && result.field === "uuid") delete feedbackForm.dataset.uuid;
      error.textContent = result.error;
      return;
    }
    feedbackForm.reset();
    delete feedbackForm.dataset.uuid;
    await sent(t("Thank you! Your feedback helps to do this better."), result.sent);
  } finally {
    setBusy(feedbackForm, false);
  }
});

// --- the shared tablet ------------------------------------------------------------------
let idleTimer = 0;
function armIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(nextPerson, KIOSK_IDLE_MS);
}

async function nextPerson() {
  // What the previous person made must leave under their identity, not the next one's.
  // A send that hangs on a dead Wi-Fi must not freeze the tablet: look again after 5 s.
  await Promise.race([drain(), new Promise((resolve) => { setTimeout(resolve, 5000); })]);
  await refreshOutbox();
  if (waiting.length) {
    say(t("Some things are not sent yet. Wait for a connection, then tap “Next person” again."), "error");
    armIdle();
    return;
  }
  try {
    await request(base, "POST", "/next-person", { json: {} });
  } catch (error) {
    const words = error.status === 0 ? t("No connection right now. Wait a moment.") : error.message;
    say(words || t("Something went wrong. Your text is still here: try again."), "error");
    return;
  }
  sessionStorage.removeItem(explainedKey); // the next person starts with the explanation too
  live.forget(); // … and from the server's state, not from what this tablet kept
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
  if (go.dataset.go === "explainer") sessionStorage.setItem(explainedKey, "1");
  if (["mine", "vote", "survey", "topic", "feedback"].includes(go.dataset.go)) await loadMine();
  if (go.dataset.go === "survey") surveyShown = null; // pick the most pressing one afresh
  show(go.dataset.go);
});

loadMine().then(refreshOutbox);
