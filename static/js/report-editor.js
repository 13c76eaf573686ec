// The report editor's extras: a live preview of the section being written (rendered and
// sanitised by the server, exactly as the report will show it), and reading aloud.
// Everything works without this file: the form saves, and the preview shows after saving.
import { request } from "./api.js";
import { setUpReadingAloud } from "./speech.js";

setUpReadingAloud();

const form = document.querySelector("[data-preview-url]");
const preview = document.querySelector("[data-preview]");
if (form && preview) {
  const body = form.querySelector("textarea[name=body]");
  let timer = null;
  let asked = 0;
  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++asked;
      try {
        const answer = await request(form.dataset.previewUrl, "POST", "", { json: { body: body.value } });
        // An older answer arriving after a newer one must not replace it.
        if (mine === asked) preview.innerHTML = answer.html;  // sanitised by the server (nh3)
      } catch (error) {
        // No preview now (offline, too long): the text itself is safe in the box.
      }
    }, 400);
  });
}
