/* The booking pages: choose a service, a day and a time, give a phone number; and a
 * booking's own page with its QR and the cancel form. The optional ID number lets the
 * visitor check in by holding the ID card; the server keeps only its keyed hash. Times are the centre's: the
 * slots' ISO strings carry its offset, and are shown as written. */
"use strict";

I18n.setup({
  title: ["Đặt lịch hẹn", "Book an appointment"],
  service: ["Dịch vụ", "Service"],
  day: ["Ngày hẹn", "Day"],
  slot: ["Giờ hẹn", "Time"],
  no_slots: ["Ngày này không còn giờ trống.", "No free time on this day."],
  phone: ["Số điện thoại di động", "Mobile phone number"],
  name: ["Họ tên (không bắt buộc)", "Name (optional)"],
  id_number: ["Số định danh cá nhân (CCCD) — để nhận số bằng thẻ căn cước (không bắt buộc)",
    "Personal ID number (CCCD) — to take your number with the ID card (optional)"],
  id_note: ["Theo Nghị định 13/2023/NĐ-CP, hệ thống không lưu số này: chỉ giữ một mã băm có khóa để nhận ra thẻ của Ông/Bà tại kiosk.",
    "Under Decree 13/2023/NĐ-CP the number is not stored: only a keyed hash is kept, to recognise your card at the kiosk."],
  submit: ["Đặt lịch", "Book"],
  choose_slot: ["Vui lòng chọn giờ hẹn.", "Please choose a time."],
  free: ["còn {n}", "{n} left"],
  done: ["Đã đặt lịch. Mời Ông/Bà đưa mã QR này tại kiosk khi đến.",
    "Booked. Show this QR code at the kiosk when you arrive."],
  window: ["Lấy số tại kiosk từ {early} phút trước đến {late} phút sau giờ hẹn.",
    "Take your number at the kiosk from {early} minutes before to {late} minutes after the time."],
  manage: ["Xem lịch hẹn hoặc hủy", "View or cancel the booking"],
  mine: ["Lịch hẹn của bạn", "Your appointment"],
  show: ["Đưa mã QR này tại kiosk, chọn «Tôi đã đặt lịch».",
    "Show this QR code at the kiosk after touching “I have an appointment”."],
  cancel_phone: ["Hủy lịch: nhập số điện thoại đã đặt", "To cancel, type the phone number you booked with"],
  cancel: ["Hủy lịch hẹn", "Cancel the booking"],
  cancelled: ["Đã hủy lịch hẹn.", "The booking is cancelled."],
  again: ["Đặt lịch khác", "Book another"],
  none: ["Hiện chưa có dịch vụ nhận đặt lịch.", "No service takes bookings at the moment."],
  weekdays: ["CN,T2,T3,T4,T5,T6,T7", "Sun,Mon,Tue,Wed,Thu,Fri,Sat"],
});

const main = document.querySelector(".booking-main");
const errorBox = document.getElementById("error");
let services = [];
let checkIn = { early_min: 15, late_min: 10 };
let chosen = null;
let asked = 0;  /* the latest slots request: an earlier answer arriving late is dropped */

function showError(error) {
  errorBox.hidden = !error;
  if (error) errorBox.textContent = (I18n.lang === "vi" && error.vi) || error.message;
}

function dayLabel(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const weekday = I18n.t("weekdays").split(",")[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${weekday} ${String(d).padStart(2, "0")}/${String(m).padStart(2, "0")}`;
}

function hhmm(iso) {
  return iso.slice(11, 16);
}

function days(service) {
  const out = [];
  const last = Date.parse(service.last_day + "T00:00:00Z");
  for (let t = Date.parse(service.first_day + "T00:00:00Z"); t <= last; t += 86400000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

function fillServices() {
  const select = document.getElementById("service");
  const keep = select.value;
  select.replaceChildren(...services.map((s) => new Option(I18n.field(s, "name"), s.code)));
  if (keep) select.value = keep;
  if (!services.length) showError({ message: I18n.t("none") });
}

function fillDays() {
  const select = document.getElementById("day");
  const service = services.find((s) => s.code === document.getElementById("service").value);
  const keep = select.value;
  select.replaceChildren(...(service ? days(service) : []).map((d) => new Option(dayLabel(d), d)));
  if (keep && [...select.options].some((o) => o.value === keep)) select.value = keep;
}

async function loadSlots() {
  const service = document.getElementById("service").value;
  const day = document.getElementById("day").value;
  const box = document.getElementById("slots");
  const before = chosen;
  chosen = null;
  box.replaceChildren();
  if (!service || !day) return;
  const mine = ++asked;
  try {
    const data = await apiFetch(`/appointments/slots?service=${encodeURIComponent(service)}&date=${day}`);
    if (mine !== asked) return;
    box.replaceChildren(...data.slots.map((slot) => {
      const button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "radio");
      button.setAttribute("aria-checked", "false");
      button.disabled = slot.free < 1;
      button.dataset.start = slot.start;
      button.append(hhmm(slot.start));
      const small = document.createElement("small");
      small.textContent = I18n.t("free", { n: slot.free });
      button.append(small);
      const choose = () => {
        box.querySelectorAll("button").forEach((b) => b.setAttribute("aria-checked", "false"));
        button.setAttribute("aria-checked", "true");
        chosen = slot.start;
        showError(null);
      };
      button.addEventListener("click", choose);
      if (slot.start === before && slot.free > 0) queueMicrotask(choose);
      return button;
    }));
    document.getElementById("no-slots").hidden = data.slots.some((s) => s.free > 0);
  } catch (error) {
    showError(error);
  }
}

async function book(event) {
  event.preventDefault();
  if (!chosen) return showError({ message: I18n.t("choose_slot"), vi: I18n.t("choose_slot") });
  const body = {
    service: document.getElementById("service").value,
    start: chosen,
    phone: document.getElementById("phone").value,
  };
  const name = document.getElementById("name").value.trim();
  if (name) body.name = name;
  const idNumber = document.getElementById("id_number").value.replace(/\s/g, "");
  if (idNumber) body.id_number = idNumber;
  try {
    const booking = await apiFetch("/appointments", { method: "POST", body });
    document.getElementById("book").hidden = true;
    document.getElementById("done").hidden = false;
    document.getElementById("qr").src = `/hen/${booking.code}/qr.svg`;
    document.getElementById("code").textContent = booking.code;
    document.getElementById("when").textContent = `${hhmm(booking.start)} ${dayLabel(booking.start.slice(0, 10))}`;
    document.getElementById("what").textContent = I18n.field(booking, "service_name");
    document.getElementById("manage").href = booking.cancel_url;
    document.getElementById("window").textContent = I18n.t("window", {
      early: checkIn.early_min, late: checkIn.late_min,
    });
  } catch (error) {
    showError(error);
    if (error.status === 409) loadSlots();
  }
}

async function cancel(event) {
  event.preventDefault();
  try {
    await apiFetch("/appointments/cancel", {
      method: "POST",
      body: { code: main.dataset.code, phone: document.getElementById("phone").value },
    });
    showError(null);
    document.getElementById("cancelled").hidden = false;
  } catch (error) {
    showError(error);
  }
}

async function start() {
  if (main.dataset.code) {
    document.getElementById("cancel").addEventListener("submit", cancel);
    return;
  }
  document.getElementById("book").addEventListener("submit", book);
  document.getElementById("service").addEventListener("change", () => { fillDays(); loadSlots(); });
  document.getElementById("day").addEventListener("change", loadSlots);
  document.addEventListener("langchange", () => { fillServices(); fillDays(); loadSlots(); });
  try {
    ({ services, check_in: checkIn } = await apiFetch("/appointments/services"));
  } catch (error) {
    return showError(error);
  }
  fillServices();
  fillDays();
  loadSlots();
}

start();
