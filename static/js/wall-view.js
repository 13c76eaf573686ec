// Drawing the wall from the entities `live.js` keeps: boards as flip-chart columns,
// themes as groups, dot votes as bars. Used by the projector (staff) and by the phones'
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
  const most = Math.max(1, ...question.options.map((o) => o.dots));
  const list = el("ul", "vote-chart__options");
  for (const option of question.options) {
    const li = el("li", "vote-chart__option");
    li.append(el("span", "vote-chart__label", option.label));
    const bar = el("span", "vote-chart__bar");
    const fill = el("span", "vote-chart__fill");
    // A width from data, not an inline style attribute (the CSP forbids those): the
    // CSS Object Model is allowed.
    fill.style.width = `${(100 * option.dots) / most}%`;
    bar.append(fill);
    li.append(bar);
    li.append(el("span", "vote-chart__count", t("Dots: %(count)s", { count: option.dots })));
    if (staff && question.open) {
      const add = el("button", "button button--small vote-chart__behalf", t("+1 for someone here"));
      add.type = "button";
      add.dataset.behalfOption = option.id;
      add.append(el("span", "visually-hidden", `: ${option.label}`));
      li.append(add);
    }
    list.append(li);
  }
  box.append(list);
  return box;
}

/** Render the whole wall into `root`; keeps keyboard focus on the same note if it moved. */
export function renderWall(root, entities, { staff = false } = {}) {
  const focusedId = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.itemId : undefined;
  const boards = listOf(entities, "board");
  const themes = listOf(entities, "theme");
  const items = listOf(entities, "item");
  const questions = listOf(entities, "question");
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
