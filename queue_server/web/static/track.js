/* One ticket's place in the queue, live. Only this ticket's facts, from /track. */
"use strict";

const token = document.querySelector(".track-main").dataset.token;
let ticket = null;
let refreshing = null;

I18n.setup({
  title: ["Số thứ tự của bạn", "Your ticket"],
  offline: ["Đang kết nối lại…", "Reconnecting…"],
  ahead: ["Số người phía trước", "People ahead"],
  wait: ["Thời gian chờ dự kiến", "Estimated wait"],
  note: ["Trang tự cập nhật. Khi đến lượt, mời Ông/Bà đến quầy được gọi.",
    "This page updates by itself. When your number is called, please go to the counter."],
  waiting: ["Đang chờ", "Waiting"],
  called: ["Mời Ông/Bà đến quầy {counter}", "Please go to counter {counter}"],
  serving: ["Đang được phục vụ tại quầy {counter}", "Being served at counter {counter}"],
  finished: ["Đã hoàn thành. Cảm ơn Ông/Bà!", "Done. Thank you!"],
  no_show: ["Đã qua lượt (vắng mặt)", "Missed (not present)"],
  transferred: ["Đã chuyển sang dịch vụ khác", "Moved to another service"],
  cancelled: ["Đã hủy", "Cancelled"],
  parked: ["Đang tạm chờ — quay lại quầy {counter} khi xong",
    "On hold — come back to counter {counter} when you are ready"],
  minutes: ["{n} phút", "{n} min"],
  unknown: ["Không tìm thấy số thứ tự này.", "This ticket was not found."],
});

function render() {
  if (!ticket) return;
  document.getElementById("number").textContent = ticket.number;
  document.getElementById("service").textContent = I18n.field(ticket, "service_name");
  const state = document.getElementById("state");
  state.textContent = I18n.t(ticket.state, { counter: ticket.counter ?? "" });
  state.className = "state " + ticket.state;
  const waiting = ticket.state === "waiting";
  document.getElementById("facts").hidden = !waiting;
  document.getElementById("ahead").textContent = ticket.ahead;
  document.getElementById("wait").textContent = I18n.t("minutes", {
    n: Math.max(1, Math.round(ticket.estimated_wait_s / 60)),
  });
}

async function load() {
  try {
    ticket = await apiFetch("/track/" + encodeURIComponent(token));
  } catch (error) {
    if (error.status === 404) {
      const message = document.getElementById("error");
      message.textContent = I18n.t("unknown");
      message.hidden = false;
      document.getElementById("number").textContent = "–";
      return null;
    }
    throw error;
  }
  render();
  return null;
}

/* Any change of the queue may move this ticket: refetch, at most a few times a second. */
function refreshSoon() {
  if (refreshing) return;
  refreshing = setTimeout(() => {
    refreshing = null;
    load().catch(() => {});
  }, 150);
}

document.addEventListener("langchange", render);
const link = new LiveLink({
  resync: load,
  onEvent: (kind, data) => {
    const service = data.service || (data.ticket && data.ticket.service);
    if (!ticket || !service || service === ticket.service || kind === EVENT_KINDS.named.TICKET_TRANSFERRED) {
      refreshSoon();
    }
  },
  onState: (state) => {
    document.getElementById("banner").hidden = !["reconnecting", "offline"].includes(state);
    if (state === "live") refreshSoon();
  },
});
link.start();
