// The participant's phone (or the centre's shared tablet): one big choice at a time.
//
// Home shows the workshop's phase and topic and, on top, the one thing to do now (the
// feedback the facilitator asks for, an open question, an open vote, the explainer and a
// topic in phase 1, a note in phase 2). Below it: what this phase offers, just listen,
// my notes, see the wall.
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

const phaseNames = JSON.parse(root.dataset.phaseNames);
const activities = JSON.parse(root.dataset.activities);
const explainedKey = `kuulluksi-explained-${code}`;

let screen = "home";
let mine = { items: [], dots: [], answers: {}, feedback: {}, topics: [] };

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
  const allowed = workshop ? activities[workshop.phase] || [] : [];
  for (const choice of root.querySelectorAll("[data-activity]")) choice.hidden = !allowed.includes(choice.dataset.activity);
  root.querySelector('[data-go="vote"]').hidden = questions.length === 0;
  root.querySelector('[data-go="survey"]').hidden = openSurveys().length === 0;
  root.querySelector('[data-go="feedback"]').hidden = !(workshop && workshop.feedback_phase);
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
}

async function loadMine() {
  try {
    mine = { answers: {}, feedback: {}, topics: [], ...(await request(base, "GET", "/mine")) };
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
    await request(base, "POST", "/topics", { json: body });
    topicText.value = "";
    delete topicForm.dataset.uuid;
    countTopic();
    await sent(t("Thank you! Your topic is on the wall."));
  } catch (failure) {
    if (failure.status === 409 && failure.field === "uuid") delete topicForm.dataset.uuid;
    error.textContent = explain(failure);
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
    const back = button(t("Take back"), async () => {
      try {
        await request(base, "DELETE", `/topics/${topic.uuid}`);
        await loadMine();
        say(t("It was taken back."), "ok");
        refresh();
      } catch (failure) {
        say(explain(failure), "error");
      }
    });
    back.className = "button button--quiet";
    li.append(text, back);
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
    await request(base, "POST", `/surveys/${survey.id}/answers`, { json: body });
    delete surveyForm.dataset.uuid;
    surveyShown = null;
    await loadMine();
    if (unansweredSurveys().length) {
      say(t("Thank you! Here is the next question."), "ok");
      surveyForm.querySelector("[data-survey-body]").replaceChildren();
      refresh();
    } else {
      await sent(t("Thank you for your answer!"));
    }
  } catch (failure) {
    if (failure.status === 409 && failure.field === "uuid") delete surveyForm.dataset.uuid;
    error.textContent = explain(failure);
  } finally {
    setBusy(surveyForm, false);
  }
});

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
  setBusy(feedbackForm, true);
  try {
    await request(base, "POST", "/feedback", { json: body });
    feedbackForm.reset();
    delete feedbackForm.dataset.uuid;
    await sent(t("Thank you! Your feedback helps to do this better."));
  } catch (failure) {
    if (failure.status === 409 && failure.field === "uuid") delete feedbackForm.dataset.uuid;
    error.textContent = explain(failure);
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
  try {
    await request(base, "POST", "/next-person", { json: {} });
  } catch (error) {
    say(explain(error), "error");
    return;
  }
  sessionStorage.removeItem(explainedKey); // the next person starts with the explanation too
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

loadMine();
