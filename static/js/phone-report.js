// The phone's report screen (phase 3): read the report (or listen to it), add a sentence or
// suggest a change, comment in a comment round and agree (+1) with others' comments, and
// see management's answer, readers' feedback and what has happened since ("has anything
// changed?").
//
// The report's news arrives as the live entity "report"; when it changes, the text is
// fetched again (GET /report) and kept on the phone, so it can be read offline. Every write
// goes through the outbox like everything else the phone sends. Section texts and the
// answer are HTML sanitised by the server (nh3); everything else is set as text.

import { newUuid, request } from "./api.js";
import { listOf } from "./live.js";
import { setUpReadingAloud } from "./speech.js";
import { t } from "./strings.js";

/** The report screen inside the phone page `root`; `write`, `sent` and `say` are the phone's own. */
export function reportScreen({ root, base, code, live, write, sent, say }) {
  const area = root.querySelector('[data-screen="report"]');
  const content = area.querySelector("[data-report-content]");
  const empty = area.querySelector("[data-report-empty]");
  const storageKey = `kuulluksi-report-${code}`;
  let view = readKept();
  let fetchedFor = null; // the news the text was last fetched for
  let editing = null; // {sectionId, mode: "add" | "change" | "comment"}

  function readKept() {
    try {
      return JSON.parse(localStorage.getItem(storageKey) || "null");
    } catch (error) {
      return null;
    }
  }

  function news() {
    return listOf(live.entities, "report")[0] || null;
  }

  async function load() {
    try {
      view = (await request(base, "GET", "/report")).report;
      try {
        localStorage.setItem(storageKey, JSON.stringify(view));
      } catch (error) {
        // A full phone keeps no copy: the screen still shows what was fetched.
      }
    } catch (error) {
      // Offline: the copy kept on the phone is shown.
    }
    render();
  }

  function roundOpen() {
    return Boolean(view && view.round && view.round.open);
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function actionButton(text, onClick, className = "button button--quiet") {
    const node = el("button", className, text);
    node.type = "button";
    node.addEventListener("click", onClick);
    return node;
  }

  function speakButton(title, words) {
    const node = el("button", "button button--quiet", t("Read aloud"));
    node.type = "button";
    node.hidden = true;
    node.dataset.speak = "";
    node.dataset.text = words;
    node.dataset.lang = document.documentElement.lang;
    node.dataset.label = t("Read aloud");
    node.dataset.stopLabel = t("Stop reading");
    node.append(el("span", "visually-hidden", `: ${title}`));
    return node;
  }

  function renderNews(into) {
    const roundInfo = view.round;
    if (roundInfo && roundInfo.open) {
      into.append(el("p", "report-news report-news--round", roundInfo.closes_at
        ? t("Comment round %(number)s is open until %(date)s.", { number: roundInfo.number,
          date: new Date(roundInfo.closes_at).toLocaleString(document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" }) })
        : t("Comment round %(number)s is open.", { number: roundInfo.number })));
    }
    const answer = view.answer;
    if (answer) {
      const box = el("section", "card report-answer");
      box.setAttribute("aria-labelledby", "report-answer-heading");
      const heading = el("h2", "", t("Management has answered"));
      heading.id = "report-answer-heading";
      box.append(heading);
      if (answer.by) box.append(el("p", "muted", t("Answered by: %(by)s", { by: answer.by })));
      const text = el("div", "report-text");
      text.innerHTML = answer.text_html || ""; // sanitised by the server
      box.append(text);
      const ideas = el("ul", "report-answer__ideas");
      for (const idea of answer.ideas || []) {
        if (!idea.action && !idea.schedule) continue;
        const item = el("li");
        item.append(el("strong", "", idea.statement));
        if (idea.action) item.append(el("p", "", idea.action));
        if (idea.schedule) item.append(el("p", "muted", t("When: %(when)s", { when: idea.schedule })));
        ideas.append(item);
      }
      if (ideas.children.length) box.append(ideas);
      into.append(box);
    }
    const targets = view.follow_up || [];
    if (targets.length) {
      const box = el("section", "card report-follow-up");
      box.append(el("h2", "", t("Has anything changed?")));
      const list = el("ul", "report-follow-up__list");
      for (const target of targets) {
        const item = el("li");
        item.append(el("strong", "", target.target), el("span", "badge", ` ${target.status_label}`));
        const latest = (target.updates || [])[0];
        if (latest && latest.note) item.append(el("p", "", latest.note));
        list.append(item);
      }
      box.append(list);
      into.append(box);
    }
    const feedback = view.feedback || [];
    if (feedback.length) {
      const box = el("section", "card report-feedback");
      box.append(el("h2", "", t("What readers said")));
      const list = el("ul");
      for (const entry of feedback) list.append(el("li", "", entry.text));
      box.append(list);
      into.append(box);
    }
  }

  function commentsFor(sectionId) {
    const number = view.round ? view.round.number : null;
    return (view.comments || []).filter((comment) => comment.section_id === sectionId
      && (!roundOpen() || comment.round === number));
  }

  function renderComment(comment) {
    const item = el("li", "report-comment");
    item.append(el("p", "", comment.text));
    if (comment.status && comment.status !== "open") {
      const reply = el("p", "report-comment__reply", comment.status === "addressed"
        ? t("Taken into account.") : t("Not taken into account."));
      if (comment.reply) reply.append(" ", comment.reply);
      item.append(reply);
    }
    if (roundOpen() && !comment.mine) {
      const agree = actionButton(t("+1 I agree (%(count)s)", { count: comment.agree_count || 0 }), async () => {
        // Straight to the server, not through the outbox: a +1 only counts while the round
        // is open and the person sees the count change at once; kept for later it could
        // arrive after the round closed. Offline, the person is told and can tap again.
        agree.disabled = true;
        try {
          await request(base, comment.agreed_by_me ? "DELETE" : "PUT", `/report/comments/${comment.id}/agree`);
          await load();
        } catch (error) {
          agree.disabled = false;
          say(error.status === 0 ? t("No connection right now. Wait a moment.") : error.message);
        }
      }, "button button--small button--quiet");
      agree.setAttribute("aria-pressed", comment.agreed_by_me ? "true" : "false");
      item.append(agree);
    } else if (comment.agree_count) {
      item.append(el("p", "muted", t("Agreeing: %(count)s", { count: comment.agree_count })));
    }
    return item;
  }

  function writeForm(section) {
    const form = el("form", "report-form");
    form.noValidate = true;
    const mode = editing.mode;
    let chosen = null;
    if (mode === "change") {
      const group = el("fieldset", "report-form__sentences");
      group.append(el("legend", "", t("Which sentence do you want to change?")));
      section.sentences.forEach((sentence, index) => {
        const label = el("label", "choice-tile");
        const input = el("input");
        input.type = "radio";
        input.name = `sentence-${section.id}`;
        input.value = String(index);
        input.addEventListener("change", () => {
          chosen = sentence;
          text.value = sentence;
          text.focus();
        });
        label.append(input, el("span", "", sentence));
        group.append(label);
      });
      form.append(group);
    }
    const id = `report-text-${section.id}`;
    const label = el("label", "field__label", {
      add: t("Your sentence"), change: t("The sentence as it should be"), comment: t("Your comment"),
    }[mode]);
    label.htmlFor = id;
    const text = el("textarea", "field__input");
    text.id = id;
    text.rows = 4;
    text.maxLength = 1000;
    const error = el("p", "field__error");
    error.setAttribute("role", "alert");
    const send = el("button", "button", t("Send"));
    send.type = "submit";
    const cancel = actionButton(t("Cancel"), () => { editing = null; render(); });
    const buttons = el("div", "actions");
    buttons.append(send, cancel);
    form.append(label, text, error, buttons);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      if (mode === "change" && chosen === null) {
        error.textContent = t("Choose the sentence first.");
        return;
      }
      if (!text.value.trim()) {
        error.textContent = t("Write something first.");
        text.focus();
        return;
      }
      form.dataset.uuid = form.dataset.uuid || newUuid();
      const isComment = mode === "comment";
      const json = isComment
        ? { uuid: form.dataset.uuid, section_id: section.id, text: text.value }
        : { uuid: form.dataset.uuid, section_id: section.id, kind: mode, quote: chosen || "", text: text.value };
      send.disabled = true;
      try {
        const result = await write({ method: "POST", path: `${base}/report/${isComment ? "comments" : "suggestions"}`,
          json, uuid: json.uuid, label: text.value, kind: isComment ? "comment" : "suggestion" });
        if (result.error) {
          if (result.status === 409 && result.field === "uuid") delete form.dataset.uuid;
          error.textContent = result.error;
          return;
        }
        editing = null;
        await sent(isComment ? t("Thank you! Your comment was sent.")
          : t("Thank you! The facilitator reads your suggestion and answers it here."), result.sent);
      } finally {
        send.disabled = false;
      }
    });
    setTimeout(() => (mode === "change" ? form.querySelector("input") : text).focus(), 0);
    return form;
  }

  function renderSection(section) {
    const card = el("article", "card report-section");
    card.setAttribute("aria-labelledby", `report-section-${section.id}`);
    const heading = el("h2", "", section.title);
    heading.id = `report-section-${section.id}`;
    const text = el("div", "report-text");
    text.innerHTML = section.html; // sanitised by the server
    const buttons = el("div", "actions");
    buttons.append(speakButton(section.title, section.speech));
    if (roundOpen()) {
      buttons.append(actionButton(t("Comment"), () => { editing = { sectionId: section.id, mode: "comment" }; render(); }));
    } else if (!["answer", "follow_up"].includes(section.kind)) {
      buttons.append(actionButton(t("Add a sentence"), () => { editing = { sectionId: section.id, mode: "add" }; render(); }));
      if (section.sentences.length) {
        buttons.append(actionButton(t("Suggest a change"), () => { editing = { sectionId: section.id, mode: "change" }; render(); }));
      }
    }
    card.append(heading, text, buttons);
    if (editing && editing.sectionId === section.id) card.append(writeForm(section));
    const comments = commentsFor(section.id);
    if (comments.length) {
      const list = el("ul", "report-comments");
      list.setAttribute("aria-label", t("Comments"));
      list.append(...comments.map(renderComment));
      card.append(list);
    }
    return card;
  }

  function renderSuggestions(into) {
    const mine = view.suggestions || [];
    if (!mine.length) return;
    const box = el("section", "card report-mine");
    box.append(el("h2", "", t("My suggestions")));
    const list = el("ul");
    for (const suggestion of mine) {
      const item = el("li");
      item.append(el("p", "", suggestion.text));
      const state = { open: t("Waiting for the facilitator."), accepted: t("Accepted: it is in the report."),
        declined: t("Not taken.") }[suggestion.status];
      const line = el("p", "muted", state);
      if (suggestion.status === "declined" && suggestion.reason) line.append(" ", suggestion.reason);
      item.append(line);
      list.append(item);
    }
    box.append(list);
    into.append(box);
  }

  function render() {
    empty.hidden = Boolean(view);
    content.replaceChildren();
    if (!view) return;
    renderNews(content);
    const sections = roundOpen() && view.round_sections.length ? view.round_sections : view.sections;
    for (const section of sections) content.append(renderSection(section));
    renderSuggestions(content);
    setUpReadingAloud(content);
  }

  return {
    /** Whether the workshop has a report the phone can show. */
    exists: () => Boolean(news()),
    /** The "one thing to do now" the report offers, or null. */
    step: () => {
      const state = news();
      if (!state) return null;
      if (state.round && state.round.open) return t("Comment on the report");
      return null;
    },
    /** The screen was opened: fetch the text afresh (the copy on the phone shows meanwhile). */
    open: () => {
      const state = news();
      fetchedFor = state ? JSON.stringify(state) : null;
      load();
    },
    /** Called when the live state changed: fetch the text again if the report's news did. */
    refresh: (visible) => {
      const state = news();
      const marker = state ? JSON.stringify(state) : null;
      if (visible && marker !== fetchedFor) {
        fetchedFor = marker;
        load();
      } else if (visible) {
        render();
      }
    },
  };
}
