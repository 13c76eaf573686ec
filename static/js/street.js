// The street note form (templates/street/index.html): one hand, a few seconds, maybe no network.
//
// The form is read into one request for the JSON API (POST /api/street/notes, docs in
// workshop/street_views.py) and handed to `window.kuulluksiStreetSend(request)`. The
// request has the shape of outbox.js's entries, so the offline outbox can take it as it is:
//
//   {method: "POST", path: "/api/street/notes", uuid, kind: "street-note", label,
//    json: {...}}                                   // a note without a photo
//   {..., form: [[name, value], ..., ["image", blob, filename]]}   // with a photo
//
// and it must resolve like outbox.js's `sendThroughOutbox`:
//   {sent: true, answer}                  the server stored it (answer.note; 201 new, 200 repeat)
//   {sent: false, failed: true, error}    the server refused it ({status, message, field})
//   {sent: false, entry}                  it waits on this phone and is sent later
//   {sent: false, entry: null, error}     nothing was stored anywhere (no network)
// Notes go through the phone's outbox (static/js/outbox.js, scope "street"): kept on the
// phone first, sent when there is a connection, one at a time, in order, also after the
// page was closed or the phone restarted. The list below the form shows the notes still
// waiting (read back from the outbox when the page opens) until the server has them.
// `sendNow` sends at once without the outbox (where IndexedDB is not available).
//
// The note's UUID and `written_at` (the moment Save was first pressed) stay the same while
// the same content is sent again after a failure, so a send that did arrive is never
// stored twice. Nothing typed is cleared until the note is stored or safely queued.

import { newUuid } from "./api.js";
import { list as outboxEntries, onChange as onOutboxChange, sendThroughOutbox } from "./outbox.js";
import { t } from "./strings.js";

const API_HEADERS = { "X-Requested-With": "kuulluksi", Accept: "application/json" };
const REMEMBERED = ["area", "workshop_id"]; // a round is usually in one area, for one workshop
const STORAGE_PREFIX = "kuulluksi-street-";

/** Send a request (see the top of this file) to the server now, without the outbox. */
export async function sendNow(request) {
  const headers = { ...API_HEADERS };
  let body;
  if (request.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(request.json);
  } else {
    body = new FormData();
    for (const [name, value, filename] of request.form || []) {
      if (value instanceof Blob) body.append(name, value, filename || "photo");
      else body.append(name, value);
    }
  }
  let response;
  let payload = null;
  try {
    response = await fetch(request.path, { method: request.method || "POST", headers, body, credentials: "same-origin" });
    payload = await response.json();
  } catch (error) {
    if (!response) return { sent: false, entry: null, error: { status: 0, message: "", field: null } };
  }
  if (response.ok && payload && payload.ok === true) return { sent: true, answer: payload };
  const error = {
    status: response.status,
    message: (payload && typeof payload.error === "string" && payload.error) || "",
    field: (payload && Array.isArray(payload.errors) && payload.errors.length && payload.errors[0].field) || null,
  };
  // A fault of ours or of the network in between: nothing is known to be stored.
  if (response.status >= 500 || !payload) return { sent: false, entry: null, error };
  return { sent: false, failed: true, error };
}

if (typeof window.kuulluksiStreetSend !== "function") {
  window.kuulluksiStreetSend = window.indexedDB ? (request) => sendThroughOutbox("street", request) : sendNow;
}

/** Read the form into the request that files the note. `moment` = {uuid, writtenAt}. */
export function buildRequest(form, moment) {
  const fields = {
    uuid: moment.uuid,
    written_at: moment.writtenAt,
    nature: (form.querySelector('input[name="nature"]:checked') || {}).value || "",
    category: form.elements.category.value,
    text: form.elements.text.value.trim(),
    area: form.elements.area.value,
    workshop_id: form.elements.workshop_id.value,
    topic: form.elements.topic.value.trim(),
  };
  const photo = form.elements.image.files[0] || null;
  const request = { method: "POST", path: form.dataset.url, uuid: moment.uuid, kind: "street-note", label: fields.text };
  if (photo) {
    request.form = [...Object.entries(fields), ["image", photo, photo.name || "photo"]];
  } else {
    request.json = { ...fields, workshop_id: fields.workshop_id ? Number(fields.workshop_id) : null };
  }
  return { request, fields, photo };
}

const form = document.querySelector("[data-street-form]");
if (form) start(form);

function start(form) {
  const labels = JSON.parse(form.dataset.labels);
  const status = form.querySelector("[data-status]");
  const error = form.querySelector("[data-error]");
  const counter = form.querySelector("[data-counter]");
  const preview = form.querySelector("[data-preview]");
  const removePhoto = form.querySelector("[data-remove-photo]");
  const list = document.querySelector("[data-own-list]");
  const empty = document.querySelector("[data-own-empty]");
  const save = form.querySelector('button[type="submit"]');
  let moment = null; // {uuid, writtenAt, signature} of the note being sent, kept across retries
  let sending = false;
  let previewUrl = null;

  for (const name of REMEMBERED) {
    const kept = readStored(name);
    const select = form.elements[name];
    if (kept && [...select.options].some((option) => option.value === kept)) select.value = kept;
  }

  const count = () => {
    const left = Number(counter.dataset.max) - form.elements.text.value.length;
    counter.textContent = t("%(count)s characters left", { count: left });
  };
  form.elements.text.addEventListener("input", count);
  count();

  form.elements.image.addEventListener("change", () => showPhoto(form.elements.image.files[0]));
  removePhoto.addEventListener("click", () => {
    form.elements.image.value = "";
    showPhoto(null);
    form.elements.image.focus();
  });

  function showPhoto(file) {
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = file ? URL.createObjectURL(file) : null;
    preview.hidden = !file;
    removePhoto.hidden = !file;
    if (file) preview.src = previewUrl;
    else preview.removeAttribute("src");
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    clearErrors();
    const missing = firstMissing();
    if (missing) {
      showError(missing.field, missing.message);
      return;
    }
    const signature = contentSignature();
    if (!moment || moment.signature !== signature) {
      moment = { uuid: newUuid(), writtenAt: new Date().toISOString(), signature };
    }
    const { request, fields, photo } = buildRequest(form, moment);
    sending = true;
    save.setAttribute("aria-disabled", "true");
    say(t("Saving…"));
    let outcome;
    try {
      outcome = await window.kuulluksiStreetSend(request);
    } catch (failure) {
      console.error(failure);
      outcome = { sent: false, entry: null, error: { status: 0, message: "", field: null } };
    } finally {
      sending = false;
      save.removeAttribute("aria-disabled");
    }
    if (outcome.sent) {
      addToList(outcome.answer.note, false);
      done(t("Saved. It is in your list below."), "saved");
    } else if (outcome.failed) {
      say("");
      const { message, field } = outcome.error || {};
      showError(field, message || t("Something went wrong. Your text is still here: try again."));
    } else if (outcome.entry) {
      addToList(localNote(fields, photo), true, outcome.entry.seq);
      done(t("Saved on this phone. It will be sent when there is a connection."), "queued");
    } else {
      say("");
      showError(null, t("No connection right now. Your text is still here: try again in a moment."));
    }
  });

  function firstMissing() {
    if (!form.querySelector('input[name="nature"]:checked')) return { field: "nature", message: t("Choose the nature first.") };
    if (!form.elements.category.value) return { field: "category", message: t("Choose the category first.") };
    if (!form.elements.text.value.trim()) return { field: "text", message: t("Write what you met first.") };
    return null;
  }

  function contentSignature() {
    const photo = form.elements.image.files[0];
    const { fields } = buildRequest(form, { uuid: "", writtenAt: "" });
    return JSON.stringify([fields, photo ? [photo.name, photo.size, photo.lastModified] : null]);
  }

  /** The note is stored or queued: remember the area and workshop, clear the rest. */
  function done(text, kind) {
    for (const name of REMEMBERED) writeStored(name, form.elements[name].value);
    const keep = Object.fromEntries(REMEMBERED.map((name) => [name, form.elements[name].value]));
    form.reset();
    for (const [name, value] of Object.entries(keep)) form.elements[name].value = value;
    showPhoto(null);
    count();
    moment = null;
    say(text, kind);
    const first = form.querySelector('input[name="nature"]');
    first.focus();
    first.closest("section").scrollIntoView({ block: "start" });
  }

  function say(text, kind = "") {
    status.textContent = text;
    if (kind) status.dataset.kind = kind;
    else delete status.dataset.kind;
  }

  function clearErrors() {
    error.textContent = "";
    for (const place of form.querySelectorAll("[data-error-for]")) place.textContent = "";
    for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  }

  /** Show a message beside its field (and move there), or above the Save button. */
  function showError(field, message) {
    const place = field && form.querySelector(`[data-error-for="${field}"]`);
    if (!place) {
      error.textContent = message;
      return;
    }
    place.textContent = message;
    error.textContent = message; // the alert region announces it wherever the field is
    if (field === "image") form.querySelector("[data-more]").open = true;
    const input = field === "nature" ? form.querySelector('input[name="nature"]') : form.elements[field];
    if (input && input.focus) {
      if (field !== "nature") input.setAttribute("aria-invalid", "true");
      if (input.closest("details")) input.closest("details").open = true;
      input.focus();
    }
  }

  // Notes still waiting on this phone (from before a reload or a restart), and the moment
  // each one reaches the server or is refused.
  outboxEntries("street").then((entries) => {
    for (const entry of entries) {
      const fields = entry.json ? { ...entry.json } : Object.fromEntries(
        (entry.form || []).filter(([, value]) => !(value instanceof Blob)));
      const blob = (entry.form || []).find(([, value]) => value instanceof Blob);
      const url = blob ? URL.createObjectURL(blob[1]) : null;
      addToList({ ...fields, id: null, image: url ? { thumb_url: url, url, local: true } : null }, true, entry.seq);
    }
  }).catch(() => {}); // no IndexedDB: nothing can be waiting
  onOutboxChange((event) => {
    if (event.scope !== "street") return;
    const waiting = list.querySelector(`[data-outbox-seq="${event.seq}"]`);
    if (!waiting) return;
    if (event.type === "sent" && event.answer && event.answer.note) {
      waiting.remove();
      addToList(event.answer.note, false);
    } else if (event.type === "failed") {
      const reason = waiting.querySelector(".street-note__waiting");
      if (reason) reason.textContent = t("Could not be sent: %(reason)s", { reason: (event.error || {}).message || "" });
    }
  });

  /** What a queued note will look like once stored (it has no id or photo URL yet). */
  function localNote(fields, photo) {
    return { ...fields, id: null, workshop_id: fields.workshop_id ? Number(fields.workshop_id) : null,
      image: photo ? { thumb_url: previewUrl, url: previewUrl, local: true } : null };
  }

  function addToList(note, waiting, seq = null) {
    const item = document.createElement("li");
    if (note.id) item.id = `note-${note.id}`;
    if (seq !== null) item.dataset.outboxSeq = seq;
    const previous = (note.id ? document.getElementById(`note-${note.id}`) : null)
      || (seq !== null ? list.querySelector(`[data-outbox-seq="${seq}"]`) : null);
    item.append(card(note, waiting));
    if (previous) previous.replaceWith(item); // a repeat: the same note, not a second one
    else list.prepend(item);
    if (note.image && note.image.local) previewUrl = null; // the list keeps the picture's URL now
    empty.hidden = true;
  }

  /** The same card as templates/street/_note.html renders. */
  function card(note, waiting) {
    const article = document.createElement("article");
    article.className = `street-note street-note--${note.nature}`;
    const meta = element("p", "street-note__meta");
    const time = element("time");
    time.dateTime = note.written_at;
    time.textContent = formatTime(note.written_at);
    meta.append(time, element("span", "street-note__nature", labels.nature[note.nature] || note.nature),
      element("span", "street-note__category", labels.category[note.category] || note.category));
    if (note.area) meta.append(element("span", "street-note__area", note.area));
    if (waiting) meta.append(element("span", "street-note__waiting", t("Waiting to be sent")));
    const text = element("p", "street-note__text", note.text);
    if (note.id) {
      time.id = `note-${note.id}-time`;
      text.id = `note-${note.id}-text`;
      article.setAttribute("aria-labelledby", time.id);
    }
    article.append(meta, text);
    const workshop = note.workshop_id ? optionText(form.elements.workshop_id, String(note.workshop_id)) : "";
    const about = [];
    if (workshop) about.push(t("Workshop: %(title)s", { title: workshop }));
    if (note.topic) about.push(t("Topic: %(topic)s", { topic: note.topic }));
    if (about.length) article.append(element("p", "street-note__for", about.join(" · ")));
    if (note.image) {
      const link = element("a", "street-note__photo");
      link.href = note.image.url;
      const img = document.createElement("img");
      img.src = note.image.thumb_url;
      img.alt = t("Photo of the street note, opens large");
      link.append(img);
      article.append(link);
    }
    return article;
  }
}

function element(tag, className = "", text = null) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== null) node.textContent = text;
  return node;
}

function optionText(select, value) {
  const option = [...select.options].find((candidate) => candidate.value === value);
  return option ? option.textContent : "";
}

function formatTime(iso) {
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "short", timeStyle: "short" })
      .format(new Date(iso));
  } catch (error) {
    return iso;
  }
}

function readStored(name) {
  try {
    return window.localStorage.getItem(STORAGE_PREFIX + name);
  } catch (error) {
    return null; // storage switched off: nothing remembered, nothing broken
  }
}

function writeStored(name, value) {
  try {
    window.localStorage.setItem(STORAGE_PREFIX + name, value);
  } catch (error) {
    // as above
  }
}
