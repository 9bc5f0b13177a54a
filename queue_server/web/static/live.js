/* The live link every page uses: read a snapshot, then stream events after it.
 *
 * Each (re)connection first loads the snapshot (so the page is correct even after
 * a server restart), then opens the event stream with ?since=<snapshot's
 * last_event_id>, so nothing between the two is lost. A dropped stream, a
 * "resync" event or 30 s without any sign of life start the cycle again with
 * capped back-off. The page learns the link state through onState.
 */
"use strict";

// The kinds come from the server's contract (device_kit/contract/events.py),
// written into every page by the base template.
const EVENT_KINDS = JSON.parse(document.getElementById("event-kinds").textContent);

class LiveLink {
  /**
   * @param {object} options
   * @param {() => Promise<number|null>} options.resync loads the page state; returns the
   *   event id to stream after (null: live events only)
   * @param {(kind: string, data: object, id: number) => void} options.onEvent
   * @param {(state: "connecting"|"live"|"reconnecting"|"offline") => void} options.onState
   *   ("reconnecting": the stream dropped; "offline": silent for silenceMs)
   * @param {string} [options.query] extra query string for /api/v1/events
   * @param {number} [options.silenceMs] no sign of life for this long means offline
   * @param {string[]} [options.kinds] the event kinds to follow (default: the floor's)
   */
  constructor(options) {
    this.options = { query: "", silenceMs: 30000, kinds: EVENT_KINDS.floor, ...options };
    this.source = null;
    this.lastHeard = Date.now();
    this.backoff = 500;
    this.state = null;
    this.generation = 0;
    setInterval(() => this.watch(), 1000);
  }

  setState(state) {
    if (state !== this.state) {
      this.state = state;
      this.options.onState(state);
    }
  }

  heard() {
    this.lastHeard = Date.now();
    this.backoff = 500;
    this.setState("live");
  }

  watch() {
    if (Date.now() - this.lastHeard > this.options.silenceMs) {
      this.setState("offline");
      if (this.source) this.restart();
    }
  }

  async start() {
    this.stop();
    const generation = ++this.generation;
    if (this.state === null) this.setState("connecting");
    let since;
    try {
      since = await this.options.resync();
    } catch (error) {
      if (this.state !== "offline") this.setState("reconnecting");
      this.retryLater(generation);
      return;
    }
    if (generation !== this.generation) return;
    const params = new URLSearchParams(this.options.query);
    if (since !== null && since !== undefined) params.set("since", String(since));
    const source = new EventSource("/api/v1/events?" + params.toString());
    this.source = source;
    source.onopen = () => this.heard();
    source.onerror = () => {
      if (this.source === source) this.restart();
    };
    source.addEventListener("heartbeat", () => this.heard());
    source.addEventListener("resync", () => this.restart());
    for (const kind of this.options.kinds) {
      source.addEventListener(kind, (message) => {
        this.heard();
        this.options.onEvent(kind, JSON.parse(message.data), Number(message.lastEventId));
      });
    }
  }

  /* Close the stream and cancel pending retries (start() begins again). */
  stop() {
    if (this.source) this.source.close();
    this.source = null;
    this.generation++;
  }

  restart() {
    if (this.source) this.source.close();
    this.source = null;
    if (this.state !== "offline") this.setState("reconnecting");
    this.retryLater(++this.generation);
  }

  retryLater(generation) {
    this.generation = generation;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, 5000);
    setTimeout(() => {
      if (generation === this.generation) this.start();
    }, wait);
  }
}

/* JSON from the API; errors carry the server's Vietnamese and English messages. */
async function apiFetch(path, { method = "GET", body, token } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = "Bearer " + token;
  const response = await fetch("/api/v1" + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((data.error && data.error.message) || response.statusText);
    error.status = response.status;
    error.vi = data.error && data.error.message_vi;
    throw error;
  }
  return data;
}
