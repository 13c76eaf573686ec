// "Run the workshop" (issue 4): the facilitator's control panel and dashboard.
//
// The page follows the workshop live (live.js) and drives it through the JSON API
// (api.js): the phase, what the projector shows, gatherings, the topic, surveys, themes
// and development ideas, the phones' feedback on the phases. Lists are kept in step with
// the live entities without being rebuilt, so a live change never takes away what the
// facilitator is typing or where the keyboard focus is. A failed call shows the server's
// message in its section and leaves every field as it was.

import { ApiError, newUuid, request } from "./api.js";
import { follow, listOf } from "./live.js";
import { t } from "./strings.js";

const root = document.querySelector("[data-run]");
const code = root.dataset.code;
const base = `/api/w/${encodeURIComponent(code)}`;
const wayNames = JSON.parse(root.dataset.ways || "{}");
const smileys = JSON.parse(root.dataset.smileys || "{}"); // "1" -> {face, words}
const locale = document.documentElement.lang || "fi";
const PHASES = [...root.querySelectorAll("[data-stepper] [data-phase]")].map((step) => ({
  value: step.dataset.phase,
  name: step.querySelector("[data-phase-name]").textContent.trim(),
}));
const SURVEY_KINDS = Object.fromEntries(
  [...root.querySelectorAll("[data-survey-kinds] option")].map((option) => [option.value, option.textContent.trim()]));
const SCALE = ["1", "2", "3", "4", "5"];
const DASHBOARD_EVERY_MS = 15000;
const REFRESH_AFTER_CHANGE_MS = 1500;
const TIMELINE_LENGTH = 40; // the newest events; the report keeps them all
const TOPIC_VOTE_KEY = `kuulluksi:topic-vote:${code}`;

// --- small helpers -------------------------------------------------------------------

function section(name) {
  return root.querySelector(`[data-section="${name}"]`);
}

function phaseName(value) {
  const phase = PHASES.find((entry) => entry.value === value);
  return phase ? phase.name : value || "";
}

/** "4 – Good": a step of the smiley scale in words (the face is added where there is room). */
function scaleLabel(value) {
  const smiley = smileys[value];
  return smiley ? `${value} – ${smiley.words}` : String(value);
}

function scaleRows(counts) {
  return SCALE.map((value) => ({ key: value, face: smileys[value]?.face, label: scaleLabel(value), count: (counts || {})[value] ?? 0 }));
}

function clone(templateId) {
  return document.getElementById(templateId).content.firstElementChild.cloneNode(true);
}

function messageOf(error) {
  if (error instanceof ApiError && error.status === 0) return t("Could not reach the server. Try again.");
  if (error instanceof ApiError && error.message) return error.message;
  return t("Something went wrong. Your text is still here: try again.");
}

/** Show `text` (or nothing) in the section's alert region; the region itself stays in place
 *  so that screen readers announce what is put into it. */
function showError(where, text) {
  const region = where.querySelector("[data-alert]");
  if (!text) {
    region.replaceChildren();
    return;
  }
  const current = region.querySelector("p");
  if (current && current.textContent === text) return; // the same failure again: no new announcement
  const paragraph = document.createElement("p");
  paragraph.className = "alert alert--error";
  paragraph.textContent = text;
  region.replaceChildren(paragraph);
}

function say(where, text) {
  const status = where.querySelector("[data-status]");
  if (status && status.textContent !== text) status.textContent = text; // the same news is not repeated
}

/** Call the API for a section: its alert shows what went wrong, `button` does nothing more
 *  while the call is on its way (no double posts). Answers the payload, or null on failure. */
const busy = new WeakSet();
async function call(name, method, path, json, button = null) {
  const where = section(name);
  // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
  if (button) {
    if (busy.has(button)) return null;
    busy.add(button);
    button.setAttribute("aria-disabled", "true");
  }
  try {
    const answer = await request(base, method, path, json === undefined ? {} : { json });
    showError(where, "");
    return answer;
  } catch (error) {
    showError(where, messageOf(error));
    say(where, "");
    return null;
  } finally {
    if (button) {
      busy.delete(button);
      button.removeAttribute("aria-disabled");
    }
  }
}

/** Confirm with the page's dialog; resolves to true for "Confirm". */
const confirmDialog = document.getElementById("confirm-dialog");
function confirmWith(title, text) {
  confirmDialog.querySelector("[data-confirm-title]").textContent = title;
  confirmDialog.querySelector("[data-confirm-text]").textContent = text;
  confirmDialog.returnValue = "";
  confirmDialog.showModal();
  return new Promise((resolve) => {
    confirmDialog.addEventListener("close", () => resolve(confirmDialog.returnValue === "confirm"), { once: true });
  });
}

/** Put `value` into a field unless the facilitator has changed the field since the server's
 *  last value: their typing wins until they save it. */
function syncField(field, value) {
  const incoming = value === null || value === undefined ? "" : String(value);
  if (field.dataset.server === undefined || field.value === field.dataset.server) field.value = incoming;
  field.dataset.server = incoming;
}

/** Keep `container`'s children in step with `states` (one element per id, in order): new
 *  ones are made, changed ones updated in place, missing ones removed. */
function reconcile(container, states, make, update, keyOf = (state) => String(state.id)) {
  const existing = new Map([...container.children].map((element) => [element.dataset.key, element]));
  const seen = new Map();
  let previous = null;
  for (const state of states) {
    let key = keyOf(state);
    const times = seen.get(key) || 0; // two equal keys (two equal lines) stay two elements
    seen.set(key, times + 1);
    if (times) key = `${key}#${times}`;
    let element = existing.get(key);
    if (element) existing.delete(key);
    else {
      element = make(state);
      element.dataset.key = key;
    }
    update(element, state);
    const wanted = previous ? previous.nextElementSibling : container.firstElementChild;
    if (wanted !== element) container.insertBefore(element, wanted);
    previous = element;
  }
  for (const element of existing.values()) {
    const hadFocus = element.contains(document.activeElement);
    element.remove();
    if (hadFocus) container.closest("[data-section]").querySelector("h2").focus();
  }
}

function showEmpty(name, isEmpty) {
  const note = root.querySelector(`[data-empty="${name}"]`);
  if (note) note.hidden = !isEmpty;
}

function setNames(element, text) {
  for (const span of element.querySelectorAll("[data-name]")) span.textContent = `: ${text}`;
}

function formatDate(iso) {
  if (!iso) return "";
  const date = new Date(iso.length === 10 ? `${iso}T12:00:00` : iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(locale);
}

function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

function formatNumber(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  return Number(value).toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** An accessible bar chart: each row says its label and number in text; the bar is a picture
 *  of the same number for the eye. */
function renderBars(list, rows, total) {
  const biggest = Math.max(total || 0, ...rows.map((row) => row.count), 1);
  reconcile(list, rows, () => {
    const item = document.createElement("li");
    item.className = "bars__row";
    const label = document.createElement("span");
    label.className = "bars__label";
    const face = document.createElement("span");
    face.className = "bars__face";
    face.setAttribute("aria-hidden", "true"); // the words say it; a screen reader need not name the face
    const words = document.createElement("span");
    label.append(face, words);
    const track = document.createElement("span");
    track.className = "bars__track";
    track.setAttribute("aria-hidden", "true");
    const fill = document.createElement("span");
    fill.className = "bars__fill";
    track.append(fill);
    const count = document.createElement("span");
    count.className = "bars__count";
    item.append(label, track, count);
    return item;
  }, (item, row) => {
    const face = item.querySelector(".bars__face");
    face.textContent = row.face || "";
    face.hidden = !row.face;
    item.querySelector(".bars__label > span:last-child").textContent = row.label;
    item.querySelector(".bars__count").textContent = formatNumber(row.count);
    item.querySelector(".bars__fill").style.width = `${Math.round((row.count / biggest) * 100)}%`;
  }, (row) => row.key);
}

// --- following the workshop ------------------------------------------------------------

const liveStatus = root.querySelector("[data-run-live]");
let frame = 0;
const live = follow(code, {
  onChange: () => {
    // Many changes in one burst are drawn once, and the reports are asked for once.
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); });
    feedback.soon();
    dashboard.soon();
  },
  onStatus: (state, answer) => {
    if (state === "online") liveStatus.textContent = t("Live");
    else if (state === "refused") liveStatus.textContent = (answer && answer.error) || t("Could not reach the server. Try again.");
    else liveStatus.textContent = t("Connection lost. Reconnecting…");
    liveStatus.dataset.state = state;
  },
});

function workshopState() {
  return listOf(live.entities, "workshop")[0] || null;
}

function render() {
  const workshop = workshopState();
  renderPhase(workshop);
  renderProjector(workshop);
  renderGatherings();
  renderTopics(workshop);
  renderParticipation();
  renderSurveys();
  renderThemesAndIdeas();
  renderFeedbackAsk(workshop);
}

// --- 1. phase ----------------------------------------------------------------------------

const phaseSection = section("phase");

function currentPhaseIndex(workshop) {
  const value = workshop ? workshop.phase : phaseSection.querySelector("[aria-current=step]")?.dataset.phase;
  return PHASES.findIndex((phase) => phase.value === value);
}

function renderPhase(workshop) {
  if (!workshop) return;
  const index = currentPhaseIndex(workshop);
  phaseSection.querySelectorAll("[data-stepper] [data-phase]").forEach((step, position) => {
    if (position === index) step.setAttribute("aria-current", "step");
    else step.removeAttribute("aria-current");
    step.classList.toggle("stepper__step--done", position < index);
  });
  const ends = { "-1": index <= 0, 1: index < 0 || index >= PHASES.length - 1 };
  for (const button of phaseSection.querySelectorAll("[data-phase-move]")) {
    if (ends[button.dataset.phaseMove]) button.setAttribute("aria-disabled", "true");
    else if (!busy.has(button)) button.removeAttribute("aria-disabled");
  }
}

phaseSection.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-phase-move]");
  if (!button || button.getAttribute("aria-disabled") === "true") return;
  const step = Number(button.dataset.phaseMove);
  const target = PHASES[currentPhaseIndex(workshopState()) + step];
  if (!target) return;
  const question = step > 0 ? t("Move on to the next phase?") : t("Go back to the previous phase?");
  if (!(await confirmWith(question, target.name))) return;
  await call("phase", "PATCH", "", { phase: target.value }, button);
  renderPhase(workshopState()); // the ends of the stepper again, now that the button is free
});

// --- 2. projector --------------------------------------------------------------------------

const projectorSection = section("projector");
const projectorMore = projectorSection.querySelector("[data-projector-more]");

function renderProjector(workshop) {
  const surveys = listOf(live.entities, "survey").filter((survey) => survey.purpose !== "participation");
  const questions = listOf(live.entities, "question");
  const views = [
    ...surveys.map((survey) => ({ id: `survey-${survey.id}`, label: t("Survey: %(title)s", { title: survey.title }) })),
    ...questions.map((question) => ({ id: `question-${question.id}`, label: t("Vote: %(title)s", { title: question.title }) })),
  ];
  reconcile(projectorMore, views, (view) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button button--quiet";
    button.dataset.view = view.id;
    return button;
  }, (button, view) => { button.textContent = view.label; }, (view) => view.id);
  projectorMore.hidden = views.length === 0;
  const showing = (workshop && workshop.projector) || "wall";
  for (const button of projectorSection.querySelectorAll("[data-view]")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === showing));
  }
}

projectorSection.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-view]");
  if (!button) return;
  await call("projector", "PATCH", "", { projector: button.dataset.view }, button);
});

// --- 3. gatherings --------------------------------------------------------------------------

const gatheringsSection = section("gatherings");
const gatheringForm = gatheringsSection.querySelector("[data-form=gathering]");

function today() {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
}
gatheringForm.held_on.value = today();

function renderGatherings() {
  const gatherings = listOf(live.entities, "gathering");
  showEmpty("gatherings", gatherings.length === 0);
  reconcile(gatheringsSection.querySelector("[data-list=gatherings]"), gatherings, (gathering) => {
    const item = clone("gathering-template");
    for (const label of item.querySelectorAll("[data-label-for]")) {
      const id = `gathering-${gathering.id}-${label.dataset.labelFor}`;
      label.htmlFor = id;
      item.querySelector(`[data-input="${label.dataset.labelFor}"]`).id = id;
    }
    return item;
  }, (item, gathering) => {
    item.querySelector("[data-title]").textContent = gathering.title;
    item.querySelector("[data-current]").hidden = !gathering.current;
    item.querySelector("[data-meta]").textContent = [gathering.place, formatDate(gathering.held_on)].filter(Boolean).join(" · ");
    item.querySelector("[data-make-current]").hidden = gathering.current;
    item.querySelector("[data-end]").hidden = !gathering.current;
    setNames(item, gathering.title);
    syncField(item.querySelector("[data-input=log]"), gathering.log);
    syncField(item.querySelector("[data-input=count]"), gathering.participant_count);
  });
}

gatheringForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = gatheringForm;
  const data = { title: form.title.value, place: form.place.value };
  if (form.held_on.value) data.held_on = form.held_on.value;
  if (await call("gatherings", "POST", "/gatherings", data, form.querySelector("[type=submit]"))) {
    form.title.value = "";
    form.place.value = "";
    form.held_on.value = today();
    say(gatheringsSection, t("The gathering was started. It is the current one now."));
  }
});

gatheringsSection.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-make-current], [data-end]");
  if (!button) return;
  const id = button.closest("[data-key]").dataset.key;
  const current = button.hasAttribute("data-make-current");
  if (await call("gatherings", "PATCH", `/gatherings/${id}`, { current }, button)) {
    say(gatheringsSection, current ? t("This is the current gathering now.") : t("The gathering was ended."));
  }
});

gatheringsSection.addEventListener("submit", async (event) => {
  const form = event.target.closest(".run-log");
  if (!form) return;
  event.preventDefault();
  const id = form.closest("[data-key]").dataset.key;
  const count = form.querySelector("[data-input=count]");
  if (count.validity.badInput) {
    showError(gatheringsSection, t("Write how many took part as a number."));
    count.focus();
    return;
  }
  const data = { log: form.querySelector("[data-input=log]").value,
    participant_count: count.value === "" ? null : Number(count.value) };
  if (await call("gatherings", "PATCH", `/gatherings/${id}`, data, form.querySelector("[type=submit]"))) {
    say(gatheringsSection, t("The log was saved."));
  }
});

// --- 4. topic -------------------------------------------------------------------------------

const topicSection = section("topic");
const proposalForm = topicSection.querySelector("[data-form=topic]");
const confirmForm = topicSection.querySelector("[data-form=confirm-topic]");

/** The topic vote: the newest vote on the topic proposals (questions say their `purpose`),
 *  else the one this page started, else the newest vote. */
function topicVote() {
  const questions = listOf(live.entities, "question");
  const newest = (list) => list.reduce((found, question) => (!found || question.id > found.id ? question : found), null);
  const remembered = Number(sessionStorage.getItem(TOPIC_VOTE_KEY));
  return newest(questions.filter((question) => question.purpose === "topics"))
    || questions.find((question) => question.id === remembered)
    || newest(questions.filter((question) => !question.purpose));
}

function renderTopics(workshop) {
  const topics = listOf(live.entities, "topic").filter((topic) => !topic.gone)
    .sort((a, b) => String(a.created_at ?? "").localeCompare(String(b.created_at ?? "")) || a.id - b.id);
  showEmpty("topics", topics.length === 0);
  reconcile(topicSection.querySelector("[data-list=topics]"), topics, () => clone("topic-template"), (item, topic) => {
    const text = topic.text ?? "";
    item.querySelector("[data-text]").textContent = text;
    item.querySelector("[data-hidden-badge]").hidden = !topic.hidden;
    item.classList.toggle("run-list__item--hidden", Boolean(topic.hidden));
    const button = item.querySelector("[data-toggle]");
    button.textContent = topic.hidden ? t("Show again") : t("Hide");
    const name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = text ? `: ${text}` : "";
    button.append(name);
    button.dataset.hidden = String(Boolean(topic.hidden));
  });

  if (workshop) {
    topicSection.querySelector("[data-topic-text]").textContent = workshop.topic || "";
    topicSection.querySelector("[data-topic-none]").hidden = Boolean(workshop.topic);
  }

  const vote = topicVote();
  const results = topicSection.querySelector("[data-topic-results]");
  results.hidden = !vote;
  const options = vote ? [...vote.options].sort((a, b) => b.dots - a.dots) : [];
  if (vote) {
    results.querySelector("[data-topic-results-title]").textContent = vote.title;
    reconcile(results.querySelector("[data-list=topic-options]"), options, () => clone("option-template"), (item, option) => {
      item.querySelector("[data-label]").textContent = option.label;
      item.querySelector("[data-dots]").textContent = t("Dots: %(count)s", { count: option.dots });
      item.querySelector("[data-use]").dataset.label = option.label;
      setNames(item, option.label);
    });
  }
  // Prefill the proposal with the most dots (or the confirmed topic), unless it was edited.
  const field = confirmForm.text;
  const best = options.length && options[0].dots > 0 ? options[0].label : (workshop && workshop.topic) || "";
  syncField(field, best);
}

proposalForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = proposalForm.text.value;
  // The same text sent again (after a failure) keeps its UUID: the server stores it once.
  if (proposalForm.dataset.uuidFor !== text) {
    proposalForm.dataset.uuid = newUuid();
    proposalForm.dataset.uuidFor = text;
  }
  if (await call("topic", "POST", "/topics", { uuid: proposalForm.dataset.uuid, text }, proposalForm.querySelector("[type=submit]"))) {
    proposalForm.text.value = "";
    delete proposalForm.dataset.uuidFor;
    say(topicSection, t("The proposal was added."));
  }
});

topicSection.addEventListener("click", async (event) => {
  const toggle = event.target.closest("[data-toggle]");
  if (toggle) {
    const id = toggle.closest("[data-key]").dataset.key;
    await call("topic", "PATCH", `/topics/${id}`, { hidden: toggle.dataset.hidden !== "true" }, toggle);
    return;
  }
  const use = event.target.closest("[data-use]");
  if (use) {
    confirmForm.text.value = use.dataset.label;
    confirmForm.text.focus();
    return;
  }
  const start = event.target.closest("[data-action=topic-vote]");
  if (start) {
    const answer = await call("topic", "POST", "/topics/vote", { dots_per_person: 3 }, start);
    if (answer) {
      if (answer.question && answer.question.id) sessionStorage.setItem(TOPIC_VOTE_KEY, String(answer.question.id));
      say(topicSection, t("The vote was started."));
      render();
    }
  }
});

confirmForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = confirmForm.text.value;
  if (!text.trim()) {
    showError(topicSection, t("Write the topic first."));
    confirmForm.text.focus();
    return;
  }
  if (await call("topic", "PUT", "/topic", { text }, confirmForm.querySelector("[type=submit]"))) {
    say(topicSection, t("The topic was confirmed."));
  }
});

// --- 5. participation poll --------------------------------------------------------------------

const participationSection = section("participation");

function renderParticipation() {
  const poll = listOf(live.entities, "survey").find((survey) => survey.purpose === "participation");
  if (poll) say(participationSection, t("Asked. Answers so far: %(count)s. The results are under Surveys.", { count: poll.respondents ?? 0 }));
}

participationSection.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-action=participation]");
  if (button) await call("participation", "POST", "/surveys", { purpose: "participation" }, button);
});

// --- 6. surveys ----------------------------------------------------------------------------------

const surveysSection = section("surveys");
const surveyForm = surveysSection.querySelector("[data-form=survey]");

function syncSurveyForm() {
  surveyForm.querySelector("[data-survey-options]").hidden = !["choice", "multi"].includes(surveyForm.kind.value);
}
surveyForm.kind.addEventListener("change", syncSurveyForm);
syncSurveyForm();

function surveyRows(survey) {
  if (survey.scale) return scaleRows(survey.scale);
  return (survey.options || []).map((option) => ({ key: String(option.id), label: option.label, count: option.count ?? 0 }));
}

function renderSurveys() {
  const surveys = listOf(live.entities, "survey");
  showEmpty("surveys", surveys.length === 0);
  reconcile(surveysSection.querySelector("[data-list=surveys]"), surveys, () => clone("survey-template"), (item, survey) => {
    item.querySelector("[data-title]").textContent = survey.title;
    const badge = item.querySelector("[data-state]");
    badge.textContent = survey.open ? t("Open") : t("Closed");
    badge.className = `badge ${survey.open ? "badge--open" : "badge--closed"}`;
    item.querySelector("[data-meta]").textContent = [SURVEY_KINDS[survey.kind] || "", phaseName(survey.phase),
      t("Answered: %(count)s", { count: survey.respondents ?? 0 })].filter(Boolean).join(" · ");
    const toggle = item.querySelector("[data-toggle]");
    toggle.textContent = survey.open ? t("Close the survey") : t("Open the survey");
    const name = document.createElement("span");
    name.className = "visually-hidden";
    name.textContent = `: ${survey.title}`;
    toggle.append(name);
    toggle.dataset.open = String(Boolean(survey.open));
    renderBars(item.querySelector("[data-bars]"), surveyRows(survey), survey.respondents);
    const texts = (survey.texts || []).map((text, index) => ({ key: String(index), text }));
    reconcile(item.querySelector("[data-texts]"), texts, () => document.createElement("li"),
      (line, entry) => { line.textContent = entry.text; }, (entry) => entry.key);
  });
}

surveyForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const kind = surveyForm.kind.value;
  const data = { kind, title: surveyForm.title.value };
  if (kind === "choice" || kind === "multi") {
    data.options = surveyForm.options.value.split("\n").map((line) => line.trim()).filter(Boolean);
  }
  if (await call("surveys", "POST", "/surveys", data, surveyForm.querySelector("[type=submit]"))) {
    surveyForm.title.value = "";
    surveyForm.options.value = "";
    say(surveysSection, t("The question was added."));
  }
});

surveysSection.addEventListener("click", async (event) => {
  const toggle = event.target.closest("[data-toggle]");
  if (!toggle) return;
  const id = toggle.closest("[data-key]").dataset.key;
  await call("surveys", "PATCH", `/surveys/${id}`, { open: toggle.dataset.open !== "true" }, toggle);
});

// --- 7. themes and development ideas -------------------------------------------------------------

const ideasSection = section("ideas");
const ideaForm = ideasSection.querySelector("[data-form=idea]");

function renderThemesAndIdeas() {
  const themes = listOf(live.entities, "theme").filter((theme) => !theme.gone);
  const names = new Map(themes.map((theme) => [theme.id, theme.name]));
  showEmpty("themes", themes.length === 0);
  reconcile(ideasSection.querySelector("[data-list=themes]"), themes, (theme) => {
    const item = clone("theme-template");
    const id = `theme-${theme.id}-description`;
    item.querySelector("[data-label-for=description]").htmlFor = id;
    item.querySelector("[data-input=description]").id = id;
    return item;
  }, (item, theme) => {
    item.querySelector("[data-name]").textContent = theme.name;
    item.querySelector("[data-name-suffix]").textContent = `: ${theme.name}`;
    syncField(item.querySelector("[data-input=description]"), theme.description);
  });

  showEmpty("idea-themes", themes.length === 0);
  reconcile(ideaForm.querySelector("[data-list=idea-themes]"), themes, (theme) => {
    const label = document.createElement("label");
    label.className = "run-check";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "theme_ids";
    box.value = String(theme.id);
    const text = document.createElement("span");
    label.append(box, text);
    return label;
  }, (label, theme) => { label.querySelector("span").textContent = theme.name; });

  const ideas = listOf(live.entities, "idea").filter((idea) => !idea.gone);
  showEmpty("ideas", ideas.length === 0);
  reconcile(ideasSection.querySelector("[data-list=ideas]"), ideas, () => clone("idea-template"), (item, idea) => {
    item.querySelector("[data-statement]").textContent = idea.statement;
    const themeNames = (idea.theme_ids || []).map((id) => names.get(id)).filter(Boolean);
    item.querySelector("[data-themes]").textContent = themeNames.length
      ? t("Themes: %(names)s", { names: themeNames.join(", ") }) : t("No theme");
    setNames(item, idea.statement);
  });
}

ideasSection.addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  if (form === ideaForm) {
    const themeIds = [...form.querySelectorAll("[name=theme_ids]:checked")].map((box) => Number(box.value));
    if (await call("ideas", "POST", "/ideas", { statement: form.statement.value, theme_ids: themeIds },
      form.querySelector("[type=submit]"))) {
      form.statement.value = "";
      form.querySelectorAll("[name=theme_ids]").forEach((box) => { box.checked = false; });
      say(ideasSection, t("The idea was added."));
    }
    return;
  }
  const item = form.closest("[data-key]");
  if (!item) return;
  const description = form.querySelector("[data-input=description]").value;
  if (await call("ideas", "PATCH", `/themes/${item.dataset.key}`, { description }, form.querySelector("[type=submit]"))) {
    say(ideasSection, t("The description was saved."));
  }
});

ideasSection.addEventListener("click", async (event) => {
  const remove = event.target.closest("[data-remove]");
  if (remove) {
    const item = remove.closest("[data-key]");
    const statement = item.querySelector("[data-statement]").textContent;
    if (!(await confirmWith(t("Remove this development idea?"), statement))) return;
    if (await call("ideas", "DELETE", `/ideas/${item.dataset.key}`, undefined, remove)) {
      say(ideasSection, t("The idea was removed."));
    }
    return;
  }
  const vote = event.target.closest("[data-action=ideas-vote]");
  if (vote && (await call("ideas", "POST", "/ideas/vote", { dots_per_person: 3 }, vote))) {
    say(ideasSection, t("The vote was started."));
  }
});

// --- 8. feedback on the phases ---------------------------------------------------------------------

const feedbackSection = section("feedback");
const askForm = feedbackSection.querySelector("[data-form=feedback-ask]");

function renderFeedbackAsk(workshop) {
  if (!workshop) return;
  const asked = workshop.feedback_phase;
  feedbackSection.querySelector("[data-feedback-now]").textContent = asked
    ? t("The phones are asked now about the phase: %(phase)s", { phase: phaseName(asked) })
    : t("The phones are not asked about any phase now.");
  syncField(askForm.feedback_phase, asked || "");
}

askForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = askForm.feedback_phase.value || null;
  // What is asked now is announced by its own line (a status region) when the change comes back.
  await call("feedback", "PATCH", "", { feedback_phase: value }, askForm.querySelector("[type=submit]"));
});

function gatheringTitle(id, known = []) {
  if (id === null || id === undefined) return t("No gathering");
  const fromReport = known.find((gathering) => gathering.id === id || gathering.gathering_id === id);
  if (fromReport && fromReport.title) return fromReport.title;
  const state = live.entities.get(`gathering:${id}`);
  return state ? state.title : t("Gathering %(number)s", { number: id });
}

function renderFeedback(report) {
  const results = feedbackSection.querySelector("[data-feedback-results]");
  reconcile(results, report.phases || [], () => clone("feedback-template"), (block, phase) => {
    const name = phase.name || phaseName(phase.phase);
    block.querySelector("[data-name]").textContent = name;
    const answers = phase.answers ?? 0;
    block.querySelector("[data-summary]").textContent = answers
      ? t("Answers: %(count)s · Average: %(average)s of 5", { count: answers, average: formatNumber(phase.average, 1) })
      : t("No answers yet.");
    const details = block.querySelector("[data-details]");
    details.hidden = !answers;
    if (!answers) return;
    renderBars(block.querySelector("[data-ratings]"), scaleRows(phase.ratings), answers);
    const caption = block.querySelector("[data-caption]");
    caption.id = `feedback-caption-${phase.phase}`;
    caption.textContent = t("Answers by gathering: %(phase)s", { phase: name });
    block.querySelector("[data-table-region]").setAttribute("aria-labelledby", caption.id);
    const rows = [...(phase.by_gathering || []).map((row) => ({ key: String(row.gathering_id),
      title: row.title || gatheringTitle(row.gathering_id),
      answers: row.answers, average: row.average })),
    { key: "all", title: t("All gatherings"), answers, average: phase.average, total: true }];
    reconcile(block.querySelector("[data-rows]"), rows, () => {
      const row = document.createElement("tr");
      const header = document.createElement("th");
      header.scope = "row";
      const count = document.createElement("td");
      count.className = "run-table__number";
      const average = document.createElement("td");
      average.className = "run-table__number";
      row.append(header, count, average);
      return row;
    }, (row, entry) => {
      row.classList.toggle("run-table__total", Boolean(entry.total));
      row.cells[0].textContent = entry.title;
      row.cells[1].textContent = formatNumber(entry.answers);
      row.cells[2].textContent = formatNumber(entry.average, 1);
    }, (entry) => entry.key);
    const ways = Object.entries(phase.ways || {}).sort((a, b) => b[1] - a[1]);
    reconcile(block.querySelector("[data-ways]"), ways, () => document.createElement("li"), (line, [way, count]) => {
      line.textContent = `${wayNames[way] || way}: ${formatNumber(count)}`;
    }, ([way]) => way);
    const comments = (phase.comments || []).map((comment, index) => ({ ...comment, key: String(index) }));
    reconcile(block.querySelector("[data-comments]"), comments, () => {
      const line = document.createElement("li");
      const text = document.createElement("span");
      text.className = "run-texts__text";
      const meta = document.createElement("span");
      meta.className = "run-texts__meta";
      line.append(text, " ", meta);
      return line;
    }, (line, comment) => {
      line.querySelector(".run-texts__text").textContent = comment.comment || "";
      line.querySelector(".run-texts__meta").textContent = [comment.rating ? scaleLabel(String(comment.rating)) : "",
        comment.way ? wayNames[comment.way] || comment.way : "",
        comment.gathering_id ? gatheringTitle(comment.gathering_id, phase.by_gathering || []) : ""].filter(Boolean).join(" · ");
    }, (comment) => comment.key);
  }, (phase) => phase.phase);
}

/** A report read over HTTP: at most one request at a time, more asked for meanwhile are one. */
function reporter(name, path, draw) {
  let running = false;
  let again = false;
  let timer = 0;
  async function load() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const answer = await call(name, "GET", path);
      if (answer) draw(answer);
    } finally {
      running = false;
      if (again) {
        again = false;
        load();
      }
    }
  }
  return {
    load,
    /** After a live change: wait for the burst to end, then load once. */
    soon() {
      clearTimeout(timer);
      timer = setTimeout(load, REFRESH_AFTER_CHANGE_MS);
    },
  };
}

const feedback = reporter("feedback", "/feedback", renderFeedback);
feedbackSection.querySelector("[data-action=feedback-refresh]").addEventListener("click", () => feedback.load());

// --- 9. dashboard ------------------------------------------------------------------------------------

const dashboardSection = section("dashboard");
const COUNTS = ["notes", "drawings", "photos", "topics", "answers", "dots", "feedback"];

/** What kind of event a timeline entry is, in words (its `text` is the thing's title). */
function timelineKind(kind) {
  return {
    workshop_created: t("Workshop created"),
    workshop_ended: t("Workshop ended"),
    gathering: t("Gathering"),
    survey: t("Survey question"),
    question: t("Dot vote"),
    topic_vote: t("Topic vote"),
    idea_vote: t("Vote on the ideas"),
    idea: t("Development idea"),
  }[kind] || "";
}

function renderDashboard(answer) {
  const board = answer.dashboard || {};
  dashboardSection.querySelector("[data-number=connected]").textContent = formatNumber(board.connected);
  dashboardSection.querySelector("[data-number=participants]").textContent = formatNumber(board.participants);
  const rows = board.contributions || []; // in the order of the phases and the gatherings
  const body = dashboardSection.querySelector("[data-contributions]");
  if (body.querySelector("td[colspan]")) body.replaceChildren(); // the "Nothing yet" row
  reconcile(body, rows, () => {
    const row = document.createElement("tr");
    for (let index = 0; index < 2; index += 1) {
      const header = document.createElement("th");
      header.scope = "row";
      row.append(header);
    }
    for (const key of COUNTS) {
      const cell = document.createElement("td");
      cell.className = "run-table__number";
      cell.dataset.count = key;
      row.append(cell);
    }
    return row;
  }, (row, entry) => {
    // Dots belong to no phase or gathering of their own: their row counts them all.
    row.cells[0].textContent = entry.phase ? phaseName(entry.phase) : t("All phases");
    row.cells[1].textContent = entry.phase || entry.gathering_id !== null
      ? gatheringTitle(entry.gathering_id, board.gatherings || []) : t("All gatherings");
    for (const key of COUNTS) row.querySelector(`[data-count="${key}"]`).textContent = formatNumber(entry[key] ?? 0);
  }, (entry) => `${entry.phase}:${entry.gathering_id ?? ""}`);
  if (!rows.length) {
    const row = document.createElement("tr");
    const cell = document.createElement("td");
    cell.colSpan = 2 + COUNTS.length;
    cell.textContent = t("Nothing yet.");
    row.append(cell);
    body.replaceChildren(row);
  }
  const totals = board.totals || {};
  for (const key of COUNTS) {
    const value = totals[key] ?? rows.reduce((sum, entry) => sum + (entry[key] ?? 0), 0);
    dashboardSection.querySelector(`[data-total="${key}"]`).textContent = formatNumber(value);
  }

  const surveys = board.open_surveys || [];
  showEmpty("open-surveys", surveys.length === 0);
  reconcile(dashboardSection.querySelector("[data-list=open-surveys]"), surveys, () => document.createElement("li"),
    (line, survey) => { line.textContent = `${survey.title} · ${t("Answered: %(count)s", { count: survey.respondents ?? 0 })}`; });
  const votes = board.open_votes || [];
  showEmpty("open-votes", votes.length === 0);
  reconcile(dashboardSection.querySelector("[data-list=open-votes]"), votes, () => document.createElement("li"),
    (line, vote) => { line.textContent = `${vote.title} · ${t("Dots: %(count)s", { count: vote.dots ?? 0 })}`; });

  const timeline = [...(board.timeline || [])].sort((a, b) => String(b.at).localeCompare(String(a.at)))
    .slice(0, TIMELINE_LENGTH);
  showEmpty("timeline", timeline.length === 0);
  reconcile(dashboardSection.querySelector("[data-list=timeline]"), timeline, () => {
    const line = document.createElement("li");
    const time = document.createElement("time");
    const kind = document.createElement("strong");
    const text = document.createElement("span");
    line.append(time, " ", kind, " ", text);
    return line;
  }, (line, entry) => {
    const time = line.querySelector("time");
    time.dateTime = entry.at;
    time.textContent = formatTime(entry.at);
    const kind = timelineKind(entry.kind);
    line.querySelector("strong").textContent = kind ? `${kind}:` : "";
    line.querySelector("span").textContent = entry.text;
  }, (entry) => `${entry.at}|${entry.kind}|${entry.text}`);

  dashboardSection.querySelector("[data-dashboard-updated]").textContent =
    t("Updated at %(time)s.", { time: new Date().toLocaleTimeString(locale) });
}

const dashboard = reporter("dashboard", "/dashboard", renderDashboard);
dashboardSection.querySelector("[data-action=dashboard-refresh]").addEventListener("click", () => dashboard.load());
setInterval(() => {
  if (!document.hidden) dashboard.load();
}, DASHBOARD_EVERY_MS);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) dashboard.soon();
});

feedback.load();
dashboard.load();
