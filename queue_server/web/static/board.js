/* Hall board: a tile per counter, the last calls, ticker and clock; never stale. */
"use strict";

const site = new URLSearchParams(location.search).get("site");
const siteQuery = site ? "?site=" + encodeURIComponent(site) : "";
const tiles = new Map(); // counter number -> {element, ticket}
let calls = []; // newest first: {id, number, counter, returning}
let timezone = "Asia/Ho_Chi_Minh";
const voice = new AnnouncementQueue();

function tileFor(counter) {
  let tile = tiles.get(counter.number);
  if (!tile) {
    const element = document.getElementById("tile-template").content.firstElementChild
      .cloneNode(true);
    element.querySelector(".counter-no").textContent = counter.number;
    element.dataset.counter = counter.number;
    document.getElementById("tiles").append(element);
    tile = { element, ticket: null };
    tiles.set(counter.number, tile);
  }
  return tile;
}

function showTicket(tile, ticket) {
  tile.ticket = ticket || null;
  tile.element.classList.toggle("idle", !ticket);
  tile.element.querySelector(".tile-number").textContent = ticket ? ticket.number : "—";
  tile.element.querySelector(".tile-service").textContent = ticket ? ticket.service_name_vi : "";
}

function showPause(tile, paused, reason) {
  tile.element.classList.toggle("paused", paused);
  if (paused) {
    tile.element.querySelector(".tile-number").textContent = "Tạm dừng";
    tile.element.querySelector(".tile-service").textContent = reason || "";
  }
}

function renderCalls() {
  const list = document.getElementById("calls");
  list.replaceChildren(...calls.slice(0, 10).map((call) => {
    const item = document.createElement("li");
    const number = document.createElement("b");
    number.textContent = call.number;
    const where = document.createElement("span");
    // A parked visitor called back is told to return: "Mời quay lại quầy N".
    where.textContent = (call.returning ? "Mời quay lại quầy " : "Quầy ") + call.counter;
    item.classList.toggle("returning", call.returning);
    item.append(number, where);
    return item;
  }));
}

function asCall(id, kind, data) {
  return {
    id,
    number: data.ticket.number,
    counter: data.counter,
    returning: kind === EVENT_KINDS.named.TICKET_RESUMED,
  };
}

/** Show a call once (a replay may bring it again); true if it was new. */
function addCall(id, kind, data) {
  if (calls.some((call) => call.id === id)) return false;
  calls.unshift(asCall(id, kind, data));
  calls.sort((a, b) => b.id - a.id);
  calls = calls.slice(0, 10);
  renderCalls();
  return true;
}

function highlight(tile) {
  tile.element.classList.remove("fresh");
  void tile.element.offsetWidth; // restart the animation
  tile.element.classList.add("fresh");
}

function showSite(info) {
  document.getElementById("centre-name").textContent = info.name_vi;
  document.getElementById("centre-name-en").textContent = info.name_en || "";
  timezone = info.timezone || timezone;
  const parts = [info.ticker_vi, info.ticker_en, info.hotline && "Đường dây nóng / Hotline: "
    + info.hotline].filter(Boolean);
  document.getElementById("ticker").textContent = parts.join("   •   ");
}

async function resync() {
  const [info, snapshot, recent] = await Promise.all([
    apiFetch("/site" + siteQuery),
    apiFetch("/queue" + siteQuery),
    apiFetch("/events/recent-calls" + siteQuery),
  ]);
  showSite(info);
  const container = document.getElementById("tiles");
  const count = snapshot.counters.length;
  container.style.setProperty("--columns", count <= 4 ? 2 : count <= 9 ? 3 : 4);
  for (const counter of snapshot.counters) {
    const tile = tileFor(counter);
    showTicket(tile, counter.current_ticket);
    showPause(tile, counter.state === "paused", counter.pause_reason);
  }
  calls = recent.calls.map((call) => asCall(call.id, call.kind, call));
  renderCalls();
  return snapshot.last_event_id;
}

function onEvent(kind, data, id) {
  const tile = data.counter ? tiles.get(data.counter) : null;
  if (EVENT_KINDS.call.includes(kind)) {
    if (tile) {
      showPause(tile, false);
      showTicket(tile, data.ticket);
      highlight(tile);
    }
    if (addCall(id, kind, data) && data.announcement) voice.add(data.announcement);
  } else if (EVENT_KINDS.clearing.includes(kind)) {
    if (tile && data.ticket && tile.ticket && tile.ticket.id === data.ticket.id) {
      showTicket(tile, null);
    }
  } else if (kind === EVENT_KINDS.named.COUNTER_PAUSED && tile) {
    showPause(tile, true, data.reason);
  } else if (kind === EVENT_KINDS.named.COUNTER_RESUMED && tile) {
    showPause(tile, false);
    showTicket(tile, tile.ticket);
  } else if (kind === EVENT_KINDS.named.CONFIG_CHANGED) {
    apiFetch("/site" + siteQuery).then(showSite).catch(() => {});
  }
}

function tick() {
  const now = new Date();
  document.getElementById("clock").textContent = now.toLocaleTimeString("vi-VN", {
    timeZone: timezone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });
  document.getElementById("date").textContent = now.toLocaleDateString("vi-VN", {
    timeZone: timezone, weekday: "long", day: "2-digit", month: "2-digit", year: "numeric",
  });
}

tick();
setInterval(tick, 1000);
const link = new LiveLink({
  query: site ? "site=" + encodeURIComponent(site) : "",
  resync,
  onEvent,
  onState: (state) => {
    document.getElementById("link-mark").hidden = state !== "offline";
    document.body.dataset.link = state;
  },
});
link.start();
