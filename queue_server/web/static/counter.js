/* Counter console. The officer's bearer token lives in sessionStorage: the console
 * talks only to the JSON API, which never reads cookies, so a forged cross-site
 * request has nothing to ride on; the token dies with the tab and expires anyway. */
"use strict";

const store = sessionStorage;
let desk = null; // GET /counters/<id>
let services = []; // snapshot services served here
let allServices = [];
let link = null;
let refreshing = null;

I18n.setup({
  app: ["Quầy giao dịch", "Counter"],
  change: ["Đổi quầy", "Change counter"],
  signout: ["Đăng xuất", "Sign out"],
  offline: ["Mất kết nối máy chủ — đang kết nối lại…", "Connection lost — reconnecting…"],
  signin_title: ["Đăng nhập cán bộ", "Officer sign-in"],
  username: ["Tên đăng nhập", "User name"],
  password: ["Mật khẩu", "Password"],
  signin: ["Đăng nhập", "Sign in"],
  pick_title: ["Chọn quầy làm việc", "Choose your counter"],
  current: ["Đang phục vụ", "Now serving"],
  next: ["Gọi số tiếp theo", "Call next"],
  recall: ["Gọi lại", "Recall"],
  start: ["Bắt đầu phục vụ", "Start serving"],
  finish: ["Hoàn thành", "Finish"],
  no_show: ["Vắng mặt", "No-show"],
  call_number: ["Gọi số này", "Call this number"],
  transfer: ["Chuyển dịch vụ", "Transfer"],
  pause: ["Tạm dừng", "Pause"],
  resume: ["Tiếp tục", "Resume"],
  pause_reason: ["Lý do tạm dừng (ví dụ: nghỉ giải lao)", "Reason (e.g. break)"],
  waiting_title: ["Đang chờ tại quầy này", "Waiting for this counter"],
  shortcuts: [
    "Phím tắt: N gọi tiếp, R gọi lại, S bắt đầu, F hoàn thành, V vắng mặt, G gọi số, "
      + "T chuyển, P tạm dừng/tiếp tục.",
    "Keys: N next, R recall, S start, F finish, V no-show, G call number, T transfer, "
      + "P pause/resume.",
  ],
  counter_title: ["Quầy {n}", "Counter {n}"],
  state_called: ["Đã gọi", "Called"],
  state_serving: ["Đang phục vụ", "Serving"],
  paused: ["Quầy đang tạm dừng: {reason}", "Counter paused: {reason}"],
  empty: ["Không còn người chờ.", "Nobody is waiting."],
  priority: ["ưu tiên {n}", "priority {n}"],
  idle: ["Chưa gọi số", "No ticket called"],
});

function show(section) {
  for (const id of ["signin", "pick", "desk"]) {
    document.getElementById(id).hidden = id !== section;
  }
  document.getElementById("sign-out").hidden = section === "signin";
  document.getElementById("change-counter").hidden = section !== "desk";
}

async function api(path, options = {}) {
  try {
    return await apiFetch(path, { ...options, token: store.getItem("motcua.token") });
  } catch (error) {
    if (error.status === 401) signOut(false);
    else if (error.status === 403 && desk) pickCounter();
    if (error.status) toast(I18n.lang === "en" ? error.message : error.vi || error.message, true);
    throw error;
  }
}

function render() {
  if (!desk) return;
  document.getElementById("desk-title").textContent = desk.name
    || I18n.t("counter_title", { n: desk.number });
  document.getElementById("who").textContent = desk.officer_name || store.getItem("motcua.user") || "";
  const ticket = desk.current_ticket;
  document.getElementById("current-number").textContent = ticket ? ticket.number : "—";
  document.getElementById("current-service").textContent = ticket
    ? I18n.field(ticket, "service_name") : I18n.t("idle");
  document.getElementById("current-state").textContent = ticket
    ? I18n.t("state_" + ticket.state) : "";
  const paused = desk.state === "paused";
  const note = document.getElementById("paused-note");
  note.hidden = !paused;
  note.textContent = I18n.t("paused", { reason: desk.pause_reason || "" });
  document.getElementById("pause").hidden = paused;
  document.getElementById("resume").hidden = !paused;
  document.getElementById("pause-reason").hidden = paused;
  document.getElementById("pause-reason").placeholder = I18n.t("pause_reason");
  document.getElementById("next").disabled = paused;
  for (const id of ["recall", "start", "finish", "no-show"]) {
    document.getElementById(id).disabled = !ticket;
  }
  document.getElementById("waiting").replaceChildren(...services.map((service) => {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = I18n.field(service, "name");
    const count = document.createElement("b");
    count.textContent = service.waiting;
    count.dataset.service = service.code;
    if (service.waiting_priority) {
      count.title = I18n.t("priority", { n: service.waiting_priority });
    }
    item.append(name, count);
    return item;
  }));
  const select = document.getElementById("transfer-service");
  const chosen = select.value;
  select.replaceChildren(...allServices.map((service) => {
    const option = document.createElement("option");
    option.value = service.code;
    option.textContent = I18n.field(service, "name");
    return option;
  }));
  if (chosen) select.value = chosen;
  renderTicketFacts(ticket);
  renderWaitingList();
  tickTimer();
}

function tickTimer() {
  const ticket = desk && desk.current_ticket;
  const element = document.getElementById("timer");
  if (!ticket || !ticket.called_at) {
    element.textContent = "";
    return;
  }
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(ticket.called_at)) / 1000));
  const minutes = Math.floor(seconds / 60);
  element.textContent = `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

async function resync() {
  const id = store.getItem("motcua.counter");
  const [state, snapshot, queue] = await Promise.all([
    api("/counters/" + id), api("/queue"), api(`/counters/${id}/waiting`),
  ]);
  desk = state;
  setWaiting(queue.tickets);
  allServices = snapshot.services;
  services = snapshot.services.filter((service) => state.services.includes(service.code));
  render();
  document.dispatchEvent(new CustomEvent("deskchange")); // the console's other panels follow
  return snapshot.last_event_id;
}

function refreshSoon() {
  if (refreshing) return;
  refreshing = setTimeout(() => {
    refreshing = null;
    resync().catch(() => {});
  }, 200);
}

async function act(action, body) {
  const id = store.getItem("motcua.counter");
  const result = await api(`/counters/${id}/${action}`, { method: "POST", body: body || {} });
  if (action === "call-next" && result === null) toast(I18n.t("empty"));
  await resync();
  return result;
}

function openDesk() {
  show("desk");
  document.getElementById("who").textContent = store.getItem("motcua.user") || "";
  if (link) {
    link.start();
    return;
  }
  link = new LiveLink({
    resync,
    onEvent: () => refreshSoon(),
    onState: (state) => {
      document.body.dataset.link = state;
      document.getElementById("banner").hidden = !["reconnecting", "offline"].includes(state);
    },
  });
  link.start();
}

async function pickCounter() {
  if (link) link.stop();
  desk = null;
  store.removeItem("motcua.counter");
  show("pick");
  const { counters } = await api("/counters");
  document.getElementById("counter-list").replaceChildren(...counters.map((counter) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = counter.name || I18n.t("counter_title", { n: counter.number });
    button.dataset.counter = counter.number;
    button.addEventListener("click", async () => {
      await api(`/counters/${counter.id}/sign-in`, { method: "POST", body: {} });
      store.setItem("motcua.counter", String(counter.id));
      openDesk();
    });
    return button;
  }));
}

async function signOut(tellServer = true) {
  const token = store.getItem("motcua.token");
  const counter = store.getItem("motcua.counter");
  if (tellServer && token) {
    // Free the counter first, so the next officer can sign in there.
    if (counter) {
      await apiFetch(`/counters/${counter}/sign-out`, { method: "POST", body: {}, token })
        .catch(() => {});
    }
    apiFetch("/auth/token", { method: "DELETE", token }).catch(() => {});
  }
  store.clear();
  if (link) link.stop();
  desk = null;
  show("signin");
}

document.getElementById("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const result = await apiFetch("/auth/token", {
      method: "POST",
      body: { username: form.get("username"), password: form.get("password") },
    });
    store.setItem("motcua.token", result.token);
    store.setItem("motcua.user", form.get("username"));
    event.target.reset();
    await pickCounter();
  } catch (error) {
    toast(I18n.lang === "en" ? error.message : error.vi || error.message, true);
  }
});

const run = (promise) => promise.catch(() => {});
const actions = {
  n: () => run(askNext()),
  r: () => run(act("recall")),
  s: () => run(act("start")),
  f: () => run(act("finish")),
  v: () => run(act("no-show")),
  g: () => document.getElementById("call-number").focus(),
  t: () => document.getElementById("transfer-service").focus(),
  p: () => (desk && desk.state === "paused"
    ? run(act("resume")) : document.getElementById("pause-reason").focus()),
};
document.getElementById("next").addEventListener("click", actions.n);
document.getElementById("recall").addEventListener("click", actions.r);
document.getElementById("start").addEventListener("click", actions.s);
document.getElementById("finish").addEventListener("click", actions.f);
document.getElementById("no-show").addEventListener("click", actions.v);
document.getElementById("resume").addEventListener("click", () => run(act("resume")));
document.getElementById("call-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("call-number");
  run(act("call", { number: input.value.trim().toUpperCase() }).then(() => { input.value = ""; }));
});
document.getElementById("transfer-form").addEventListener("submit", (event) => {
  event.preventDefault();
  run(act("transfer", { service: document.getElementById("transfer-service").value }));
});
document.getElementById("pause-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("pause-reason");
  if (!input.value.trim()) {
    input.focus();
    return;
  }
  run(act("pause", { reason: input.value.trim() }).then(() => { input.value = ""; }));
});
document.getElementById("sign-out").addEventListener("click", () => signOut());
document.getElementById("change-counter").addEventListener("click", () => run(pickCounter()));
document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
  if (typing || event.ctrlKey || event.altKey || event.metaKey || !desk) return;
  const action = actions[event.key.toLowerCase()];
  if (action && !document.getElementById("desk").hidden) {
    event.preventDefault();
    action();
  }
});
document.addEventListener("langchange", render);
setInterval(tickTimer, 1000);

if (!store.getItem("motcua.token")) show("signin");
else if (!store.getItem("motcua.counter")) run(pickCounter());
else openDesk();
