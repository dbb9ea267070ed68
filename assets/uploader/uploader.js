// A resumable clip uploader (tus 1.0 core): the file goes up in chunks, each PATCHed to the app's own
// server, with a progress bar; after a dropped connection it asks where the upload stands (HEAD) and
// carries on, waiting longer between tries. Every text shown is set as text, never as HTML.

const RETRYABLE = new Set([0, 408, 409, 423, 425, 429, 500, 502, 503, 504]);
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 15000, 15000, 15000];

function request(method, url, headers, body, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      let json = null;
      try { json = JSON.parse(xhr.responseText || "null"); } catch (e) { json = null; }
      resolve({ status: xhr.status, header: (n) => xhr.getResponseHeader(n), json });
    };
    xhr.onerror = xhr.ontimeout = xhr.onabort = () => resolve({ status: 0, header: () => null, json: null });
    xhr.send(body === undefined ? null : body);
  });
}

class Refused extends Error {}

// Sizes in megabytes, with a decimal under ten (a short clip is "0.4 of 1.2 MB", not "0 of 1 MB").
function megabytes(n) {
  const mb = n / (1024 * 1024);
  return mb < 10 ? mb.toFixed(1) : String(Math.round(mb));
}

// How often the spoken status says how far an upload has got: every tenth of it, or every ten seconds.
const SAY_EVERY_PERCENT = 10;
const SAY_EVERY_MS = 10000;

function makeUploader(root) {
  const ui = {
    config: {},
    setTrigger: () => {},
    busy: false,
    saidPercent: 0,
    saidAt: 0,
    input: root.querySelector("input[type=file]"),
    label: root.querySelector(".label"),
    hint: root.querySelector(".hint"),
    box: root.querySelector(".progress"),
    bar: root.querySelector("progress"),
    status: root.querySelector(".status"),
    error: root.querySelector(".error"),
  };
  const t = (key, fallback) => (ui.config.text && ui.config.text[key]) || fallback;
  const auth = () => ({ Authorization: "Bearer " + ui.config.token, "Tus-Resumable": "1.0.0" });
  // The status stays on the page, empty between uploads: a live region must be there before it speaks.
  const fail = (message) => {
    ui.status.textContent = "";
    ui.error.textContent = message;
    ui.error.hidden = false;
    ui.box.hidden = true;
  };
  // The bar moves with every chunk; the status (read out by screen readers) only now and then.
  const show = (done, total, file) => {
    ui.bar.value = total ? (100 * done) / total : 0;
    const percent = Math.floor(ui.bar.value);
    const now = Date.now();
    const first = done === 0 || done === total;
    if (!first && percent < ui.saidPercent + SAY_EVERY_PERCENT && now - ui.saidAt < SAY_EVERY_MS) return;
    ui.saidPercent = percent;
    ui.saidAt = now;
    ui.status.textContent = t("sending", "Sending")
      + ` “${file.name}”: ${percent}% (${megabytes(done)} of ${megabytes(total)} MB)`;
  };
  const messageOf = (answer, fallback) => (answer.json && answer.json.message) || fallback;

  async function withRetries(step) {
    for (let attempt = 0; ; attempt++) {
      const answer = await step();
      if (!RETRYABLE.has(answer.status)) return answer;
      if (attempt >= BACKOFF_MS.length) throw new Refused(t("dropped", "The connection dropped."));
      ui.status.textContent = t("reconnecting", "The connection dropped. Trying again…");
      await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt]));
    }
  }

  async function where(location) {
    const answer = await withRetries(() => request("HEAD", location, auth()));
    if (answer.status !== 200) return null;
    return {
      offset: Number(answer.header("Upload-Offset")),
      state: answer.header("Verp-Upload-State"),
      clip: answer.header("Verp-Clip-Id"),
    };
  }

  async function create(file) {
    const meta = "filename " + btoa(String.fromCharCode(...new TextEncoder().encode(file.name)));
    const headers = { ...auth(), "Upload-Length": String(file.size), "Upload-Metadata": meta };
    const answer = await withRetries(() => request("POST", ui.config.endpoint, headers));
    if (answer.status !== 201) throw new Refused(messageOf(answer, t("failed", "The upload failed.")));
    return answer.header("Location");
  }

  async function outcome(location) {
    // The last chunk arrived but its answer was lost: ask until the clip is made (or refused).
    for (let attempt = 0; attempt < 120; attempt++) {
      const answer = await withRetries(() => request("GET", location, auth()));
      const state = answer.json && answer.json.state;
      if (state === "done") return answer.json.clip_id;
      if (state === "failed" || answer.status >= 400) throw new Refused(messageOf(answer, t("failed", "")));
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Refused(t("failed", "The upload failed."));
  }

  async function send(file) {
    const remembered = `verp-upload:${ui.config.person}:${file.name}:${file.size}:${file.lastModified}`;
    let location = localStorage.getItem(remembered);
    let here = location ? await where(location) : null;
    // Only an upload still arriving (or being checked) is resumed; one the server finished with, a
    // failure or a clip, is over: the same file chosen again goes up anew.
    if (here && here.state !== "receiving" && here.state !== "finishing") here = null;
    if (!here) {
      location = await create(file);
      localStorage.setItem(remembered, location);
      here = { offset: 0, state: "receiving" };
    }
    let offset = here.offset;
    let attempt = 0;
    while (here.state === "receiving" && offset < file.size) {
      const chunk = file.slice(offset, offset + ui.config.chunkBytes);
      const headers = { ...auth(), "Upload-Offset": String(offset),
                        "Content-Type": "application/offset+octet-stream" };
      const start = offset;
      const answer = await request("PATCH", location, headers, chunk, (n) => show(start + n, file.size, file));
      if (answer.status === 204) {
        offset = Number(answer.header("Upload-Offset"));
        here = { offset, state: answer.header("Verp-Upload-State"), clip: answer.header("Verp-Clip-Id") };
        attempt = 0;
        if (offset >= file.size) ui.status.textContent = t("checking", "Checking the clip…");
        continue;
      }
      if (!RETRYABLE.has(answer.status)) throw new Refused(messageOf(answer, t("failed", "")));
      if (attempt >= BACKOFF_MS.length) throw new Refused(t("dropped", "The connection dropped."));
      ui.status.textContent = t("reconnecting", "The connection dropped. Trying again…");
      await new Promise((r) => setTimeout(r, BACKOFF_MS[attempt++]));
      here = await where(location);
      if (!here) throw new Refused(t("failed", "The upload failed."));
      offset = here.offset;
    }
    const clip = here.state === "done" ? here.clip : await outcome(location);
    localStorage.removeItem(remembered);
    return clip;
  }

  ui.input.addEventListener("change", async () => {
    const file = ui.input.files && ui.input.files[0];
    if (!file || ui.busy) return;
    ui.error.hidden = true;
    if (file.size > ui.config.maxBytes) {
      fail(t("tooLarge", "This file is too large."));
      ui.input.value = "";
      return;
    }
    ui.busy = true;
    ui.box.hidden = false;
    show(0, file.size, file);
    ui.input.disabled = true;  // the focus goes with it: back to the chooser once the upload ends
    try {
      const clip = await send(file);
      ui.box.hidden = true;
      ui.status.textContent = "";
      ui.setTrigger("done", clip);
    } catch (e) {
      fail(e instanceof Refused && e.message ? e.message : t("failed", "The upload failed."));
    } finally {
      ui.busy = false;
      ui.input.disabled = false;
      ui.input.value = "";
      const lost = !document.activeElement || document.activeElement === document.body;
      if (lost) ui.input.focus();  // unless the person has moved on meanwhile
    }
  });
  return ui;
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  // Streamlit may call this again on every page run (with a fresh token): keep one uploader per
  // element, so a run in the middle of an upload never interrupts it.
  const root = parentElement.querySelector(".verp-uploader");
  if (!root.__verpUploader) root.__verpUploader = makeUploader(root);
  const ui = root.__verpUploader;
  ui.config = data ? JSON.parse(new TextDecoder().decode(data)) : {};  // JSON text, as UTF-8 bytes
  ui.setTrigger = setTriggerValue;
  ui.label.textContent = ui.config.text.label;
  ui.input.setAttribute("aria-label", ui.config.text.label);  // named before and after the text arrives
  ui.hint.textContent = ui.config.text.hint;
  ui.input.accept = ui.config.accept;
}
