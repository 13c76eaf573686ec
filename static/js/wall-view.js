// Drawing the wall from the entities `live.js` keeps: boards as flip-chart columns,
// themes as groups, dot votes and survey answers as bars, topic proposals and development
// ideas as lists. On the projector the facilitator may put one of them in focus
// (the workshop's `projector` setting): then only that is shown, large. Used by the projector (staff) and by the phones'
// read-only "See the wall". Text is always set with textContent: a note is shown exactly
// as typed and never interpreted as HTML.

import { listOf } from "./live.js";
import { t } from "./strings.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function itemCard(item, { staff }) {
  // Staff cards are buttons (they open the note's dialog); an <article> may not be one.
  const card = el(staff ? "div" : "article", `note note--${item.colour || "yellow"} note--${item.kind}`);
  card.dataset.itemId = item.id;
  if (staff) {
    card.tabIndex = 0;
    card.draggable = true;
    card.setAttribute("role", "button");
    card.setAttribute("aria-haspopup", "dialog");
  }
  if (item.image) {
    const img = el("img", "note__picture");
    img.src = item.image.thumb_url;
    // The caption is shown under the picture and read from there; repeating it as the
    // alt text would make a screen reader say it twice.
    img.alt = item.text ? "" : (item.kind === "drawing" ? t("A drawing without a caption") : t("A photo without a caption"));
    img.loading = "lazy";
    img.draggable = false;
    card.append(img);
    if (item.text) card.append(el("p", "note__caption", item.text));
    if (!staff) {
      const open = el("a", "note__open", t("Open large"));
      open.href = item.image.url;
      card.append(open);
    }
  } else {
    card.append(el("p", "note__text", item.text));
  }
  if (item.from_paper) card.append(el("p", "note__tag", t("From paper")));
  if (staff && item.pending) card.append(el("p", "note__tag note__tag--pending", t("Not shown yet")));
  return card;
}

function itemList(items, options) {
  const list = el("ul", "note-list");
  for (const item of items) {
    const li = el("li", "note-list__item");
    li.append(itemCard(item, options));
    list.append(li);
  }
  return list;
}

function questionChart(question, { staff }) {
  const box = el("section", "vote-chart");
  box.dataset.questionId = question.id;
  const headingId = `question-${question.id}`;
  box.setAttribute("aria-labelledby", headingId);
  const heading = el("h3", "vote-chart__title", question.title);
  heading.id = headingId;
  box.append(heading);
  box.append(el("p", "vote-chart__state", question.open ? t("Voting is open") : t("Voting is closed")));
  box.append(bars(question.options.map((option) => {
    const row = [option.label, option.dots, t("Dots: %(count)s", { count: option.dots })];
    if (!(staff && question.open)) return row;
    const add = el("button", "button button--small vote-chart__behalf", t("+1 for someone here"));
    add.type = "button";
    add.dataset.behalfOption = option.id;
    add.append(el("span", "visually-hidden", `: ${option.label}`));
    return [...row, add];
  })));
  return box;
}

function bars(rows) {
  // rows: [label, count, words, control?]; the count is always in the text too, not only
  // in the bar; `control` (a button) goes at the end of its row.
  const most = Math.max(1, ...rows.map((row) => row[1]));
  const list = el("ul", "vote-chart__options");
  for (const [label, count, words, control] of rows) {
    const li = el("li", "vote-chart__option");
    li.append(el("span", "vote-chart__label", label));
    const bar = el("span", "vote-chart__bar");
    const fill = el("span", "vote-chart__fill");
    // A width from data, not an inline style attribute (the CSP forbids those): the
    // CSS Object Model is allowed.
    fill.style.width = `${(100 * count) / most}%`;
    bar.append(fill);
    li.append(bar, el("span", "vote-chart__count", words));
    if (control) li.append(control);
    list.append(li);
  }
  return list;
}

function surveyChart(survey, { staff, smileys }) {
  const box = el("section", "vote-chart survey-chart");
  box.dataset.surveyId = survey.id;
  box.dataset.purpose = survey.purpose;
  const headingId = `survey-${survey.id}`;
  box.setAttribute("aria-labelledby", headingId);
  const heading = el("h3", "vote-chart__title", survey.title);
  heading.id = headingId;
  box.append(heading);
  box.append(el("p", "vote-chart__state", `${survey.open ? t("Answering is open") : t("Answering is closed")} · ${
    t("Answers: %(count)s", { count: survey.respondents })}`));
  if (survey.kind === "scale") {
    const faces = new Map(smileys.map(([value, face, words]) => [String(value), `${face} ${words}`]));
    box.append(bars(["1", "2", "3", "4", "5"].map((value) => [faces.get(value) || value, survey.scale[value] || 0,
      t("Answers: %(count)s", { count: survey.scale[value] || 0 })])));
  } else if (survey.kind === "text") {
    if (staff && survey.texts) {
      const list = el("ul", "survey-chart__texts");
      for (const text of survey.texts) list.append(el("li", "note note--blue survey-chart__text", text));
      box.append(list);
    }
  } else {
    box.append(bars(survey.options.map((option) => [option.label, option.count,
      t("Answers: %(count)s", { count: option.count })])));
  }
  return box;
}

function topicList(topics, { staff }) {
  const list = el("ul", "note-list topic-list");
  for (const topic of topics) {
    const li = el("li", "note-list__item");
    const card = el("article", `note note--${topic.hidden ? "grey" : "green"} topic`);
    card.append(el("p", "note__text", topic.text));
    if (staff && topic.hidden) card.append(el("p", "note__tag", t("Hidden")));
    li.append(card);
    list.append(li);
  }
  return list;
}

function ideaList(ideas, themes) {
  const names = new Map(themes.map((theme) => [theme.id, theme.name]));
  const list = el("ol", "idea-list");
  for (const idea of ideas) {
    const li = el("li", "idea");
    li.append(el("p", "idea__statement", idea.statement));
    const from = (idea.theme_ids || []).map((id) => names.get(id)).filter(Boolean);
    if (from.length) li.append(el("p", "idea__themes", t("From the themes: %(names)s", { names: from.join(", ") })));
    list.append(li);
  }
  return list;
}

// The report's news (phase 3 and after): a comment round, management's answer, what
// has happened to the ideas since, and readers' feedback. Empty when there is no news.
function reportNews(report) {
  const parts = [];
  if (!report) return parts;
  if (report.round && report.round.open) {
    parts.push(el("p", "report-news report-news--round", t("Comment round %(number)s is open.", { number: report.round.number })));
  }
  const answer = report.answer;
  if (answer) {
    const box = el("section", "report-news__answer");
    box.append(el("h3", "", t("Management has answered")));
    if (answer.by) box.append(el("p", "", t("Answered by: %(by)s", { by: answer.by })));
    const list = el("ul");
    for (const idea of answer.ideas || []) {
      if (!idea.action && !idea.schedule) continue;
      const li = el("li");
      li.append(el("strong", "", idea.statement), el("span", "", ` ${idea.action}`));
      if (idea.schedule) li.append(el("span", "", ` (${idea.schedule})`));
      list.append(li);
    }
    box.append(list);
    parts.push(box);
  }
  if ((report.follow_up || []).length) {
    const box = el("section", "report-news__follow-up");
    box.append(el("h3", "", t("Has anything changed?")));
    const list = el("ul");
    for (const target of report.follow_up) {
      const li = el("li");
      li.append(el("strong", "", target.target), el("span", "", ` · ${target.status_label}`));
      list.append(li);
    }
    box.append(list);
    parts.push(box);
  }
  if ((report.feedback || []).length) {
    const box = el("section", "report-news__feedback");
    box.append(el("h3", "", t("What readers said")));
    const list = el("ul");
    for (const entry of report.feedback) list.append(el("li", "note note--blue", entry.text));
    box.append(list);
    parts.push(box);
  }
  return parts;
}

function fill(root, selector, areaSelector, children, show) {
  const box = root.querySelector(selector);
  if (!box) return; // this page does not show that part
  box.replaceChildren(...children);
  const area = root.querySelector(areaSelector);
  if (area) area.hidden = !show;
}

// Which part of the wall is in focus on the projector, and the element that shows it.
function focusTarget(root, view) {
  if (!view || view === "wall") return null;
  if (view === "explainer") return root.querySelector("[data-wall-explainer]");
  if (view === "topics") return root.querySelector("[data-wall-topics-area]");
  if (view === "ideas") return root.querySelector("[data-wall-ideas-area]");
  if (view === "participation") return root.querySelector('[data-survey-id][data-purpose="participation"]');
  const [kind, id] = view.split("-");
  if (kind === "survey") return root.querySelector(`[data-survey-id="${CSS.escape(id)}"]`);
  if (kind === "question") return root.querySelector(`[data-question-id="${CSS.escape(id)}"]`);
  return null;
}

function applyFocus(root, view) {
  for (const node of root.querySelectorAll(".is-focus")) node.classList.remove("is-focus");
  const target = focusTarget(root, view);
  root.classList.toggle("wall--focus", Boolean(target));
  if (!target) return;
  target.hidden = false;
  target.classList.add("is-focus");
  // The areas that hold the focused element stay; CSS hides everything else.
  for (let node = target.parentElement; node && node !== root; node = node.parentElement) node.classList.add("is-focus");
}

/** Render the whole wall into `root`; keeps keyboard focus on the same note if it moved.
 *  `gathering`: show only what came from that gathering (an id), or everything (null);
 *  `projector`: this is the projected wall, which follows the facilitator's focus. */
export function renderWall(root, entities, { staff = false, gathering = null, projector = false } = {}) {
  const focusedId = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.itemId : undefined;
  const workshop = listOf(entities, "workshop")[0];
  const boards = listOf(entities, "board");
  const themes = listOf(entities, "theme");
  const items = listOf(entities, "item").filter((item) => gathering === null || item.gathering_id === gathering);
  const questions = listOf(entities, "question");
  const surveys = listOf(entities, "survey");
  const topics = listOf(entities, "topic");
  const ideas = listOf(entities, "idea");
  const smileys = JSON.parse(root.dataset.smileys || "[]");
  const visible = items.filter((item) => !item.pending || staff);
  const shown = visible.filter((item) => !(staff && item.hidden));

  const themesBox = root.querySelector("[data-wall-themes]");
  themesBox.replaceChildren();
  for (const theme of themes) {
    const section = el("section", "theme");
    section.dataset.themeId = theme.id;
    section.dataset.dropTarget = "theme";
    const headingId = `theme-${theme.id}`;
    section.setAttribute("aria-labelledby", headingId);
    const heading = el("h3", "theme__name", theme.name);
    heading.id = headingId;
    section.append(heading);
    const members = shown.filter((item) => item.theme_id === theme.id);
    section.append(el("p", "theme__count", t("Notes: %(count)s", { count: members.length })));
    section.append(itemList(members, { staff }));
    themesBox.append(section);
  }
  root.querySelector("[data-wall-themes-area]").hidden = themes.length === 0 && !staff;

  const boardsBox = root.querySelector("[data-wall-boards]");
  boardsBox.replaceChildren();
  for (const board of boards) {
    const section = el("section", "board");
    section.dataset.boardId = board.id;
    section.dataset.dropTarget = "board";
    const headingId = `board-${board.id}`;
    section.setAttribute("aria-labelledby", headingId);
    const heading = el("h2", "board__title", board.title);
    heading.id = headingId;
    section.append(heading);
    const onBoard = shown.filter((item) => item.board_id === board.id);
    const waiting = items.filter((item) => item.board_id === board.id && item.pending).length;
    const loose = onBoard.filter((item) => !item.theme_id);
    section.append(el("p", "board__count", t("Notes: %(count)s", { count: onBoard.length })));
    if (board.locked) section.append(el("p", "board__locked", t("Locked")));
    if (waiting && !staff) section.append(el("p", "board__waiting", t("%(count)s new, not shown yet", { count: waiting })));
    section.append(itemList(loose, { staff }));
    boardsBox.append(section);
  }

  const votesBox = root.querySelector("[data-wall-votes]");
  votesBox.replaceChildren(...questions.map((question) => questionChart(question, { staff })));
  root.querySelector("[data-wall-votes-area]").hidden = questions.length === 0;
  fill(root, "[data-wall-surveys]", "[data-wall-surveys-area]",
    surveys.map((survey) => surveyChart(survey, { staff, smileys })), surveys.length > 0);
  fill(root, "[data-wall-topics]", "[data-wall-topics-area]", [topicList(topics, { staff })],
    topics.length > 0 && (!workshop || workshop.phase === "mapping"));
  fill(root, "[data-wall-ideas]", "[data-wall-ideas-area]", [ideaList(ideas, themes)], ideas.length > 0);
  const news = reportNews(listOf(entities, "report")[0]);
  fill(root, "[data-wall-report]", "[data-wall-report-area]", news, news.length > 0);
  const phaseLine = root.querySelector("[data-wall-phase]");
  if (phaseLine && workshop) {
    const names = JSON.parse(root.dataset.phaseNames || "{}");
    phaseLine.textContent = workshop.topic
      ? t("%(phase)s · Our topic: %(topic)s", { phase: names[workshop.phase] || "", topic: workshop.topic })
      : names[workshop.phase] || "";
  }
  const explainer = root.querySelector("[data-wall-explainer]");
  if (explainer) explainer.hidden = !(projector && workshop && workshop.projector === "explainer");
  if (projector) applyFocus(root, workshop ? workshop.projector : "wall");

  if (staff) {
    const hidden = items.filter((item) => item.hidden);
    const hiddenBox = root.querySelector("[data-wall-hidden]");
    hiddenBox.replaceChildren();
    for (const item of hidden) {
      const li = el("li", "hidden-note");
      li.append(el("span", "hidden-note__text", item.text || t("A picture")));
      const restore = el("button", "button button--small", t("Show again"));
      restore.type = "button";
      restore.dataset.restoreItem = item.id;
      li.append(restore);
      hiddenBox.append(li);
    }
    root.querySelector("[data-wall-hidden-count]").textContent = t("Hidden notes: %(count)s", { count: hidden.length });
    const waiting = items.filter((item) => item.pending).length;
    const reveal = root.querySelector("[data-wall-reveal]");
    reveal.hidden = waiting === 0;
    reveal.textContent = t("Show %(count)s new notes", { count: waiting });
  }

  if (focusedId) {
    const again = root.querySelector(`[data-item-id="${CSS.escape(focusedId)}"]`);
    if (again) again.focus();
  }
}
