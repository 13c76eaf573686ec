// Talking to the JSON API (docs/api.md): one function, one error type.
//
// Every write carries X-Requested-With, which the server requires so that a page on
// another site cannot post in a participant's name. Errors come back in the API's one
// shape and are thrown as ApiError with the server's message in the user's language.

export class ApiError extends Error {
  constructor(status, message, errors = []) {
    super(message);
    this.status = status;
    this.errors = errors;
  }

  /** The field the server named as wrong, if any ("uuid": that id was used for something else). */
  get field() {
    return this.errors.length ? this.errors[0].field : undefined;
  }
}

/** Call the workshop's API: `request("POST", "/items", {json})` or `{form: FormData}`. */
export async function request(base, method, path, { json, form } = {}) {
  const headers = { "X-Requested-With": "kuulluksi", Accept: "application/json" };
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  let response;
  try {
    response = await fetch(base + path, { method, headers, body, credentials: "same-origin" });
  } catch (error) {
    throw new ApiError(0, "", []); // no network: the caller says so in the user's language
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch (error) {
    payload = null;
  }
  if (!response.ok || !payload || payload.ok !== true) {
    throw new ApiError(response.status, (payload && payload.error) || "", (payload && payload.errors) || []);
  }
  payload.status = response.status;
  return payload;
}

/** A random (version 4) UUID. crypto.randomUUID needs HTTPS, which a laptop on a
 *  drop-in centre's Wi-Fi does not have; getRandomValues works everywhere. */
export function newUuid() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
