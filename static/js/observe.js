// The professional's reporting form (templates/observe/form.html): a phone or a computer,
// maybe with no connection.
//
// Without this script the form POSTs to its page and the server answers the thanks page.
// With it, the form is read into one request for the JSON API (POST /observe/<key>/reports,
// docs/api.md) and handed to `window.kuulluksiObserveSend(request)`, which by default puts
// it in the device's outbox (static/js/outbox.js, scope "observe") and resolves like
// outbox.js's `sendThroughOutbox`:
//   {sent: true, answer}                  stored (answer.report.number; 201 new, 200 repeat)
//   {sent: false, failed: true, error}    refused ({status, message, field})
//   {sent: false, entry}                  it waits on this device and is sent later
//   {sent: false, entry: null, error}     nothing was stored anywhere (no network)
// `sendNow` sends at once without the outbox (where IndexedDB is not available).
//
// The report's UUID and `written_at` (the moment Send was first pressed) stay the same while
// the same content is sent again after a failure, so a send that did arrive is never stored
// twice. Nothing typed is cleared until the report is stored or safely queued.
//
// The report number is the reporter's only way to follow the report, so it must not be
// lost when the report is only queued: a "receipt" ({uuid, seq, savedAt, path, json,
// number, error}) is kept in localStorage until the person says they have written the
// number down. While the report waits, the receipt holds its content too (as the outbox
// does): if another page of the site sends the outbox and the answer is missed here, the
// same request is sent again when this page opens, and the server, seeing the same UUID and
// content, answers with the stored report's number. Once the number is known the content
// is dropped from the receipt.

import { newUuid } from "./api.js";
import { discard, list as outboxEntries, onChange as onOutboxChange, sendThroughOutbox } from "./outbox.js";
import { t } from "./strings.js";

const SCOPE = "observe";
const API_HEADERS = { "X-Requested-With": "kuulluksi", Accept: "application/json" };
const RECEIPTS_KEY = "kuulluksi-observe-receipts";
const TEXT_FIELDS = ["description", "proposal", "area_detail", "service_detail", "observed_detail", "reporter_name",
  "contact"];
const CHOICE_FIELDS = ["professional_group", "nature", "category", "available", "observed_how"];
const ID_FIELDS = ["unit", "area", "service"];

/** Send a request (see the top of this file) to the server now, without the outbox. */
export async function sendNow(request) {
  let response;
  let payload = null;
  try {
    response = await fetch(request.path, {
      method: request.method || "POST",
      headers: { ...API_HEADERS, "Content-Type": "application/json" },
      body: JSON.stringify(request.json),
      credentials: "same-origin",
      cache: "no-store",
    });
    payload = await response.json();
  } catch (error) {
    if (!response) return { sent: false, entry: null, error: { status: 0, message: "", field: null } };
  }
  if (response.ok && payload && payload.ok === true) return { sent: true, answer: payload };
  const errors = (payload && Array.isArray(payload.errors)) ? payload.errors : [];
  const error = {
    status: response.status,
    message: (payload && typeof payload.error === "string" && payload.error) || "",
    field: errors.length ? errors[0].field : null,
    errors,
  };
  // A fault of ours, of the network in between, or "too many just now": nothing is stored.
  if (response.status >= 500 || response.status === 429 || !payload) return { sent: false, entry: null, error };
  return { sent: false, failed: true, error };
}

if (typeof window.kuulluksiObserveSend !== "function") {
  window.kuulluksiObserveSend = window.indexedDB ? (request) => sendThroughOutbox(SCOPE, request) : sendNow;
}

/** Read the form into the request that files the report. `moment` = {uuid, writtenAt}. */
export function buildRequest(form, moment) {
  const value = (name) => (form.elements[name] ? form.elements[name].value : "");
  const json = { uuid: moment.uuid, written_at: moment.writtenAt, by_team: form.elements.by_team.checked };
  for (const name of ID_FIELDS) json[name] = value(name) ? Number(value(name)) : null;
  for (const name of CHOICE_FIELDS) json[name] = value(name);
  for (const name of TEXT_FIELDS) json[name] = value(name).trim();
  return { method: "POST", path: form.dataset.url, uuid: moment.uuid, kind: "observation", label: json.description,
    json };
}

const form = document.querySelector("[data-observe-form]");
if (form) start(form);

function start(form) {
  const formPart = document.querySelector("[data-form-part]");
  const thanks = document.querySelector("[data-thanks]");
  const thanksNumber = thanks.querySelector("[data-number]");
  const copied = thanks.querySelector("[data-copied]");
  const summary = document.querySelector("[data-error-summary]");
  const summaryList = summary.querySelector("[data-error-list]");
  const receiptsBox = document.querySelector("[data-receipts]");
  const receiptList = receiptsBox.querySelector("[data-receipt-list]");
  const status = form.querySelector("[data-status]");
  const send = form.querySelector('button[type="submit"]');
  const proposal = form.querySelector("[data-proposal]");
  const fieldNames = JSON.parse(form.dataset.fieldNames);
  let moment = null; // {uuid, writtenAt, signature} of the report being sent, kept across retries
  let sending = false;

  // The proposal's question follows the nature: a positive phenomenon is to be spread.
  const proposalLabel = proposal.querySelector('[data-label-for="proposal"]');
  const followNature = () => {
    const positive = form.elements.nature.value === "positive";
    proposalLabel.textContent = positive ? proposal.dataset.labelPositive : proposal.dataset.labelDefault;
  };
  for (const radio of form.querySelectorAll('input[name="nature"]')) radio.addEventListener("change", followNature);
  followNature();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    clearErrors();
    const missing = missingFields();
    if (missing.length) {
      showErrors(missing);
      return;
    }
    const signature = JSON.stringify(buildRequest(form, { uuid: "", writtenAt: "" }).json);
    if (!moment || moment.signature !== signature) {
      moment = { uuid: newUuid(), writtenAt: new Date().toISOString(), signature };
    }
    const request = buildRequest(form, moment);
    sending = true;
    send.setAttribute("aria-disabled", "true");
    say(t("Sending…"));
    let outcome;
    try {
      outcome = await window.kuulluksiObserveSend(request);
    } catch (failure) {
      console.error(failure);
      outcome = { sent: false, entry: null, error: { status: 0, message: "", field: null } };
    } finally {
      sending = false;
      send.removeAttribute("aria-disabled");
    }
    if (outcome.sent) {
      say("");
      showThanks(outcome.answer.report.number);
    } else if (outcome.failed) {
      say("");
      // The text is still in the form: no second copy waits in the outbox's failed list.
      if (outcome.entry) discard(outcome.entry.seq).catch(() => {});
      const error = outcome.error || {};
      const errors = Array.isArray(error.errors) && error.errors.length ? error.errors
        : [{ field: error.field, message: error.message || t("Something went wrong. Your text is still here: try again.") }];
      showErrors(errors);
    } else if (outcome.entry) {
      // Synchronously, before the outbox can announce that it was sent (see the top).
      addReceipt({ uuid: moment.uuid, seq: outcome.entry.seq, savedAt: moment.writtenAt, path: request.path,
        json: request.json, number: null, error: null });
      resetForm();
      say(t("Saved on this device. It will be sent when there is a connection, and its number will appear here."),
        "queued");
      receiptsBox.scrollIntoView({ block: "start" });
    } else {
      say(t("No connection right now. Your text is still here: try again in a moment."), "error");
    }
  });

  function missingFields() {
    const missing = [];
    if (!form.elements.unit.value) missing.push({ field: "unit", message: t("Choose your work unit.") });
    if (!form.elements.nature.value) missing.push({ field: "nature", message: t("Choose the nature of the phenomenon.") });
    if (!form.elements.description.value.trim()) {
      missing.push({ field: "description", message: t("Describe the phenomenon first.") });
    }
    return missing;
  }

  function say(text, kind = "") {
    status.textContent = text;
    if (kind) status.dataset.kind = kind;
    else delete status.dataset.kind;
  }

  function clearErrors() {
    for (const place of form.querySelectorAll("[data-error-for]")) place.textContent = "";
    for (const invalid of form.querySelectorAll("[aria-invalid]")) invalid.removeAttribute("aria-invalid");
    for (const field of form.querySelectorAll(".field--invalid")) field.classList.remove("field--invalid");
    for (const group of form.querySelectorAll(".observe-choices--invalid")) group.classList.remove("observe-choices--invalid");
    summaryList.replaceChildren();
    summary.hidden = true;
  }

  /** Each message beside its field, and all of them in the summary above the form, which
   *  gets the focus: its links lead to the fields. */
  function showErrors(errors) {
    for (const { field, message } of errors) {
      const place = field && form.querySelector(`[data-error-for="${field}"]`);
      const item = document.createElement("li");
      if (place) {
        place.textContent = message;
        const group = place.closest("fieldset");
        const holder = group || place.closest(".field");
        if (group) group.classList.add("observe-choices--invalid");
        else if (holder) holder.classList.add("field--invalid");
        const control = group || form.querySelector(`#observe-${field}`);
        if (control) control.setAttribute("aria-invalid", "true");
        const link = document.createElement("a");
        link.href = `#observe-${field}`;
        link.textContent = t("%(field)s: %(message)s", { field: fieldNames[field] || field, message });
        item.append(link);
      } else {
        item.textContent = message;
      }
      summaryList.append(item);
    }
    summary.hidden = false;
    summary.focus();
  }

  function resetForm() {
    form.reset();
    clearErrors();
    followNature();
    moment = null;
  }

  // -- the thanks ----------------------------------------------------------------------------

  function showThanks(number) {
    resetForm();
    thanksNumber.textContent = number;
    copied.textContent = "";
    formPart.hidden = true;
    thanks.hidden = false;
    window.scrollTo(0, 0);
    thanks.focus();
  }

  thanks.querySelector("[data-new-report]").addEventListener("click", () => {
    thanks.hidden = true;
    thanksNumber.textContent = "";
    formPart.hidden = false;
    say("");
    window.scrollTo(0, 0);
    form.elements.unit.focus();
  });

  thanks.querySelector("[data-copy-number]").addEventListener("click", () => {
    copyNumber(thanksNumber, copied);
  });

  // -- receipts: reports waiting on this device, and their numbers once sent -----------------

  function addReceipt(receipt) {
    writeReceipts([...readReceipts(), receipt]);
    renderReceipts();
  }

  function updateReceipt(seq, changes) {
    const receipts = readReceipts();
    const found = receipts.find((receipt) => receipt.seq === seq);
    if (!found) return null;
    Object.assign(found, changes);
    if (found.number) {
      // Sent: what was written is on the server now; only the number is kept here.
      delete found.json;
      delete found.path;
    }
    writeReceipts(receipts);
    renderReceipts();
    return found;
  }

  function removeReceipt(seq) {
    writeReceipts(readReceipts().filter((receipt) => receipt.seq !== seq));
    renderReceipts();
  }

  function renderReceipts() {
    const receipts = readReceipts();
    receiptList.replaceChildren(...receipts.map(receiptItem));
    receiptsBox.hidden = receipts.length === 0;
  }

  function receiptItem(receipt) {
    const item = document.createElement("li");
    item.className = "observe-receipt";
    const date = formatDate(receipt.savedAt);
    if (receipt.number) {
      item.append(element("p", "", t("Your report of %(date)s was received. Its number is:", { date })));
      const number = element("p", "observe-number");
      const strong = element("strong", "", receipt.number);
      number.append(strong);
      const note = element("p", "observe-copied");
      note.setAttribute("role", "status");
      const actions = element("p", "actions");
      actions.append(
        button(t("Copy the number"), "button--quiet", () => copyNumber(strong, note)),
        button(t("I have written the number down"), "", () => removeReceipt(receipt.seq)),
      );
      item.append(number, actions, note);
    } else if (receipt.error) {
      item.append(element("p", "", t("Your report of %(date)s could not be sent: %(reason)s",
        { date, reason: receipt.error })));
      const actions = element("p", "actions");
      actions.append(button(t("Put it back in the form"), "", () => putBack(receipt)));
      item.append(actions);
    } else {
      item.append(element("p", "", t("Your report of %(date)s is saved on this device. It will be sent when there is a connection, and its number will appear here.", { date })));
    }
    return item;
  }

  /** A refused report back in the form, to be corrected and sent as a new one. */
  async function putBack(receipt) {
    let removed = true;
    try {
      removed = await discard(receipt.seq);
    } catch (error) {
      removed = true; // no outbox to take it from
    }
    if (!removed) {
      say(t("It is being sent right now. Try again in a moment."));
      return;
    }
    fill(receipt.json || {});
    removeReceipt(receipt.seq);
    say(t("The report is back in the form. Check it and send it again."));
    form.elements.unit.focus();
  }

  function fill(json) {
    resetForm();
    for (const name of [...ID_FIELDS, ...CHOICE_FIELDS, ...TEXT_FIELDS]) {
      const value = json[name] === null || json[name] === undefined ? "" : String(json[name]);
      const control = form.elements[name];
      if (!control) continue;
      if (control instanceof RadioNodeList) {
        for (const radio of control) radio.checked = radio.value === value;
      } else {
        control.value = value;
      }
    }
    form.elements.by_team.checked = Boolean(json.by_team);
    followNature();
  }

  onOutboxChange((event) => {
    if (event.scope !== SCOPE) return;
    if (event.type === "sent" && event.answer && event.answer.report) {
      if (updateReceipt(event.seq, { number: event.answer.report.number, error: null })) {
        say(t("Your report was received. Its number is %(number)s.", { number: event.answer.report.number }));
      }
    } else if (event.type === "failed") {
      updateReceipt(event.seq, { error: (event.error || {}).message || t("Something went wrong.") });
    }
  });

  reconcile().catch((error) => console.error(error)).finally(renderReceipts);

  /** On opening the page: what became of the reports that were waiting here. */
  async function reconcile() {
    renderReceipts();
    const waiting = readReceipts().filter((receipt) => !receipt.number && !receipt.error);
    if (!waiting.length) return;
    let entries = null;
    try {
      entries = await outboxEntries(SCOPE);
    } catch (error) {
      entries = null; // no IndexedDB: nothing known; try the server
    }
    for (const receipt of waiting) {
      const entry = entries && entries.find((candidate) => candidate.seq === receipt.seq && candidate.uuid === receipt.uuid);
      if (entry && entry.state === "failed") {
        updateReceipt(receipt.seq, { error: (entry.error || {}).message || t("Something went wrong.") });
      } else if (!entry && receipt.json) {
        // Sent from another page, whose answer this page did not hear: ask again (idempotent).
        const outcome = await sendNow({ method: "POST", path: receipt.path, json: receipt.json });
        if (outcome.sent) updateReceipt(receipt.seq, { number: outcome.answer.report.number, error: null });
        else if (outcome.failed) updateReceipt(receipt.seq, { error: outcome.error.message || t("Something went wrong.") });
      }
    }
  }
}

function copyNumber(source, note) {
  const number = source.textContent.trim();
  const selectIt = () => {
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    note.textContent = t("Copying did not work. The number is selected: copy it, or write it down.");
  };
  if (!navigator.clipboard || !navigator.clipboard.writeText) {
    selectIt();
    return;
  }
  navigator.clipboard.writeText(number).then(() => { note.textContent = t("The number was copied."); }, selectIt);
}

function element(tag, className = "", text = null) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== null) node.textContent = text;
  return node;
}

function button(text, variant, onClick) {
  const node = element("button", `button button--small ${variant}`.trim(), text);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

function formatDate(iso) {
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: "short", timeStyle: "short" })
      .format(new Date(iso));
  } catch (error) {
    return iso;
  }
}

function readReceipts() {
  try {
    const kept = JSON.parse(window.localStorage.getItem(RECEIPTS_KEY) || "[]");
    return Array.isArray(kept) ? kept : [];
  } catch (error) {
    return []; // storage switched off or spoilt: nothing remembered
  }
}

function writeReceipts(receipts) {
  try {
    if (receipts.length) window.localStorage.setItem(RECEIPTS_KEY, JSON.stringify(receipts));
    else window.localStorage.removeItem(RECEIPTS_KEY);
  } catch (error) {
    // Storage switched off: the outbox still sends the report; its number cannot be kept.
  }
}
