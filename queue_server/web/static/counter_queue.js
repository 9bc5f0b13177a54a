/* Counter console, the officer's view of the queue: what to act on for the current
 * ticket (priority and its check, dossier code, wait, transfers), the next numbers in
 * calling order, and the question "no-show or done?" when "next" is pressed on a
 * visitor who was called but never served. Loaded before counter.js, which calls
 * setWaiting, renderTicketFacts, renderWaitingList and askNext. */
"use strict";

I18n.extend({
  dossier_code: ["Mã hồ sơ", "Dossier code"],
  waited: ["Đã chờ", "Waited"],
  priority_of: ["Ưu tiên: {label}", "Priority: {label}"],
  appointment_of: ["Lịch hẹn {code}: {time} {name}", "Booking {code}: {time} {name}"],
  transfer_from: ["Chuyển từ {service} (quầy {counter}) lúc {time}", "Sent from {service} (counter {counter}) at {time}"],
  transfer_from_nowhere: ["Chuyển từ {service} lúc {time}", "Sent from {service} at {time}"],
  queue_title: ["Số tiếp theo (theo thứ tự gọi)", "Next numbers (in calling order)"],
  col_number: ["Số", "No."],
  col_service: ["Dịch vụ / mã hồ sơ", "Service / dossier"],
  col_priority: ["Ưu tiên", "Priority"],
  col_waited: ["Đã chờ", "Waited"],
  transferred_mark: ["chuyển đến", "transferred"],
  minutes: ["{n} phút", "{n} min"],
  hours_minutes: ["{h} giờ {m} phút", "{h} h {m} min"],
  under_minute: ["dưới 1 phút", "under 1 min"],
  confirm_title: ["Khách chưa được phục vụ?", "Visitor not served yet?"],
  confirm_text: [
    "Số {number} đã được gọi nhưng chưa bắt đầu phục vụ. Trước khi gọi số tiếp theo, "
      + "khách vắng mặt hay đã được phục vụ xong?",
    "Number {number} was called but service never started. Before calling the next "
      + "number: did the visitor not come, or were they served?",
  ],
  confirm_no_show: ["Khách vắng mặt", "Did not come"],
  confirm_done: ["Đã phục vụ xong", "Served"],
  confirm_cancel: ["Quay lại", "Go back"],
});

let waitingTickets = [];
let waitingReadAt = Date.now();
let siteZone = null;

function setWaiting(tickets) {
  waitingTickets = tickets;
  waitingReadAt = Date.now();
}

/* The site's time zone for clock times (the browser's may differ); read once. */
function loadSiteZone() {
  if (siteZone) return;
  siteZone = "Asia/Ho_Chi_Minh";
  apiFetch("/site").then((site) => { siteZone = site.timezone || siteZone; render(); })
    .catch(() => {});
}

function formatWait(seconds) {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1) return I18n.t("under_minute");
  if (minutes < 60) return I18n.t("minutes", { n: minutes });
  return I18n.t("hours_minutes", { h: Math.floor(minutes / 60), m: String(minutes % 60).padStart(2, "0") });
}

function clockTime(iso) {
  return new Date(iso).toLocaleTimeString("vi-VN", {
    timeZone: siteZone || undefined, hour: "2-digit", minute: "2-digit", hour12: false,
  });
}

function priorityLabel(ticket) {
  return I18n.lang === "en" ? ticket.priority_label_en : ticket.priority_label_vi;
}

function renderTicketFacts(ticket) {
  loadSiteZone();
  const facts = document.getElementById("ticket-facts");
  facts.hidden = !ticket;
  if (!ticket) return;
  document.getElementById("fact-priority").hidden = !ticket.priority;
  document.getElementById("fact-priority-label").textContent = ticket.priority
    ? I18n.t("priority_of", { label: priorityLabel(ticket) }) : "";
  document.getElementById("fact-priority-check").textContent = I18n.field(ticket, "priority_check");
  const booking = ticket.appointment;
  const appointment = document.getElementById("fact-appointment");
  appointment.hidden = !booking;
  appointment.textContent = booking ? I18n.t("appointment_of", {
    code: booking.code, time: clockTime(booking.start), name: booking.name ? "— " + booking.name : "",
  }).trim() : "";
  document.getElementById("fact-dossier").hidden = !ticket.dossier_code;
  document.getElementById("fact-dossier-code").textContent = ticket.dossier_code || "";
  document.getElementById("fact-waited").textContent = formatWait(ticket.waited_s || 0);
  const transfers = ticket.transfers || [];
  const list = document.getElementById("fact-transfers");
  list.hidden = !transfers.length;
  list.replaceChildren(...transfers.map((transfer) => {
    const item = document.createElement("li");
    const values = {
      service: I18n.field(transfer, "service_name"), counter: transfer.counter,
      time: transfer.at ? clockTime(transfer.at) : "",
    };
    item.textContent = I18n.t(transfer.counter ? "transfer_from" : "transfer_from_nowhere", values);
    return item;
  }));
}

function renderWaitingList() {
  const elapsed = Math.floor((Date.now() - waitingReadAt) / 1000);
  document.getElementById("queue-empty").hidden = waitingTickets.length > 0;
  document.getElementById("queue-rows").replaceChildren(...waitingTickets.map((ticket) => {
    const row = document.createElement("tr");
    row.dataset.number = ticket.number;
    if (ticket.priority) row.className = "priority";
    const number = document.createElement("td");
    number.className = "number";
    number.textContent = ticket.number;
    const service = document.createElement("td");
    service.textContent = I18n.field(ticket, "service_name");
    if (ticket.transfers && ticket.transfers.length) {
      const mark = document.createElement("span");
      mark.className = "mark";
      mark.textContent = I18n.t("transferred_mark");
      service.append(" ", mark);
    }
    if (ticket.dossier_code) {
      const code = document.createElement("code");
      code.textContent = ticket.dossier_code;
      service.append(document.createElement("br"), code);
    }
    const priority = document.createElement("td");
    priority.textContent = ticket.priority ? priorityLabel(ticket) : "";
    const waited = document.createElement("td");
    waited.className = "waited";
    waited.textContent = formatWait((ticket.waited_s || 0) + elapsed);
    row.append(number, service, priority, waited);
    return row;
  }));
}

/* "Next": a called visitor who was never served is not counted as served silently. */
function askNext() {
  const ticket = desk && desk.current_ticket;
  if (!ticket || ticket.state !== "called") return act("call-next");
  const dialog = document.getElementById("next-confirm");
  document.getElementById("confirm-text").textContent = I18n.t("confirm_text", { number: ticket.number });
  dialog.showModal();
  document.getElementById("confirm-no-show").focus();
  return Promise.resolve();
}

function answerNext(noShow) {
  document.getElementById("next-confirm").close();
  const first = noShow ? act("no-show") : Promise.resolve();
  return first.then(() => act("call-next")).catch(() => {});
}

document.getElementById("confirm-no-show").addEventListener("click", () => answerNext(true));
document.getElementById("confirm-done").addEventListener("click", () => answerNext(false));
document.getElementById("confirm-cancel").addEventListener("click", () => {
  document.getElementById("next-confirm").close();
});
document.getElementById("next-confirm").addEventListener("keydown", (event) => {
  // The console's own shortcuts wait while the question is open.
  event.stopPropagation();
  const key = event.key.toLowerCase();
  if (key === "v") answerNext(true);
  else if (key === "f") answerNext(false);
});
setInterval(() => { if (desk) renderWaitingList(); }, 15000);
