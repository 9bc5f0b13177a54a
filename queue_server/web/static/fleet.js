/* The fleet page keeps itself current: it follows device events on the stream and
 * re-reads the table every 30 s, because a device that falls silent sends no event.
 * The table comes rendered from the server (same words as the first load). */
"use strict";

(function () {
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  const section = document.getElementById("fleet");
  if (!section) return;
  const stateLabel = document.getElementById("link-state");
  /* Vietnamese, then English in the page's small grey type (like every label here). */
  const STATES = {
    connecting: ["Đang kết nối…", "Connecting…"],
    live: ["Trực tiếp", "Live"],
    reconnecting: ["Đang kết nối lại…", "Reconnecting…"],
    offline: ["Mất kết nối máy chủ", "Server unreachable"],
  };
  const REFETCH_MS = 30000;
  let queued = null;

  /* Swap in the current table; the event id it was read at (the stream resumes there). */
  async function reload() {
    const response = await fetch(section.dataset.liveUrl, {
      cache: "no-store", credentials: "same-origin", headers: { Accept: "text/html" },
    });
    if (response.redirected) {
      window.location.reload(); // the session ended: back to the sign-in page
      throw new Error("signed out");
    }
    if (!response.ok) throw new Error(response.statusText);
    const holder = document.createElement("div");
    holder.innerHTML = await response.text();
    const fresh = holder.querySelector("#fleet-live");
    document.getElementById("fleet-live").replaceWith(fresh);
    document.body.dataset.refreshed = String(Date.now());
    return Number(fresh.dataset.lastEventId);
  }

  function reloadSoon() {
    clearTimeout(queued);
    queued = setTimeout(() => reload().catch(() => {}), 150);
  }

  const link = new LiveLink({
    kinds: [EVENT_KINDS.named.DEVICES_HEALTH, EVENT_KINDS.named.CONFIG_DEVICE],
    resync: reload,
    onEvent: reloadSoon,
    onState: (state) => {
      document.body.dataset.link = state;
      stateLabel.dataset.state = state;
      const english = Object.assign(document.createElement("span"), { className: "en", textContent: STATES[state][1] });
      stateLabel.replaceChildren(STATES[state][0] + " ", english);
    },
  });
  link.start();
  setInterval(() => reload().catch(() => {}), REFETCH_MS);
})();
