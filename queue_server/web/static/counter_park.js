/* Park and resume ("tạm chờ") on the counter console: the officer sends the visitor at
 * the counter away for a moment with a reason (the counter is free for the next one),
 * and calls a parked visitor back here, by the list or by number, with their number.
 * Runs beside counter.js and uses its api(), act() and desk; refreshes on "deskchange". */
"use strict";

Object.assign(I18n.words, {
  park_title: ["Tạm chờ", "Park a visitor"],
  park_photocopy: ["Đi photo giấy tờ", "Photocopying a paper"],
  park_pay_fee: ["Đi nộp phí, lệ phí", "Paying a fee"],
  park_fill_form: ["Đi điền tờ khai", "Filling in a form"],
  park_other: ["Lý do khác…", "Other reason…"],
  park_other_hint: ["Ghi lý do", "Write the reason"],
  park: ["Cho tạm chờ", "Park"],
  parked_title: ["Đang tạm chờ", "Parked"],
  parked_empty: ["Không có ai đang tạm chờ.", "Nobody is parked."],
  parked_where: ["{reason} · từ quầy {counter} · {minutes} phút", "{reason} · from counter {counter} · {minutes} min"],
  resume_one: ["Mời quay lại", "Call back"],
  resume_number: ["Mời quay lại số này", "Call this number back"],
});
I18n.use(I18n.lang);

let parked = [];

function renderParked() {
  const other = document.getElementById("park-other");
  other.hidden = document.getElementById("park-reason").value !== "";
  other.placeholder = I18n.t("park_other_hint");
  document.getElementById("park").disabled = !(desk && desk.current_ticket);
  document.getElementById("parked-empty").hidden = parked.length > 0;
  document.getElementById("parked").replaceChildren(...parked.map((ticket) => {
    const item = document.createElement("li");
    item.dataset.number = ticket.number;
    const number = document.createElement("b");
    number.textContent = ticket.number;
    const why = document.createElement("span");
    why.className = "parked-why";
    why.textContent = I18n.t("parked_where", {
      reason: I18n.field(ticket, "park_reason"),
      counter: ticket.counter ?? "?",
      minutes: Math.floor(ticket.parked_for_s / 60),
    });
    const back = document.createElement("button");
    back.type = "button";
    back.textContent = I18n.t("resume_one");
    back.addEventListener("click", () => run(act("resume-parked", { ticket_id: ticket.id })));
    item.append(number, why, back);
    return item;
  }));
}

async function loadParked() {
  const id = store.getItem("motcua.counter");
  if (!id) return;
  parked = (await api(`/counters/${id}/parked`)).tickets;
  renderParked();
}

document.getElementById("park-reason").addEventListener("change", () => {
  renderParked();
  if (!document.getElementById("park-other").hidden) document.getElementById("park-other").focus();
});
document.getElementById("park-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const listed = document.getElementById("park-reason").value;
  const other = document.getElementById("park-other");
  const reason = listed || other.value.trim();
  if (!reason) {
    other.focus();
    return;
  }
  run(act("park", { reason }).then(() => { other.value = ""; }));
});
document.getElementById("resume-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("resume-number");
  const number = input.value.trim().toUpperCase();
  if (!number) return;
  run(act("resume-parked", { number }).then(() => { input.value = ""; }));
});
document.addEventListener("deskchange", () => run(loadParked()));
document.addEventListener("langchange", renderParked);
