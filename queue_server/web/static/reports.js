/* Reports page. The supervisor signs in for a bearer token (sessionStorage, dies with the
 * tab); figures come from /api/v1/reports/summary and are drawn as inline SVG, files are
 * fetched with the token and handed to the browser as downloads. */
"use strict";

const store = sessionStorage;
const TOKEN = "motcua.reports.token";
const SVG = "http://www.w3.org/2000/svg";
const COLOURS = { blue: "#1f4e79", green: "#2e8b57", orange: "#e67e22", red: "#c0392b", grey: "#7f8c8d" };
let lastReport = null;
/* The centre's zone (GET /site): dates and times read as its clocks show them, whatever
 * the zone of the computer the supervisor uses. */
let siteZone = "Asia/Ho_Chi_Minh";

I18n.setup({
  app: ["Báo cáo tình hình phục vụ", "Service reports"],
  signout: ["Đăng xuất", "Sign out"],
  signin_title: ["Đăng nhập lãnh đạo / giám sát", "Supervisor sign-in"],
  username: ["Tên đăng nhập", "User name"],
  password: ["Mật khẩu", "Password"],
  signin: ["Đăng nhập", "Sign in"],
  period: ["Kỳ báo cáo", "Period"],
  p_day: ["Ngày", "Day"],
  p_month: ["Tháng", "Month"],
  p_quarter: ["Quý", "Quarter"],
  p_half: ["6 tháng", "Six months"],
  p_year: ["Năm", "Year"],
  p_range: ["Khoảng thời gian", "Date range"],
  from: ["Từ ngày (hoặc một ngày trong kỳ)", "From (or any day in the period)"],
  to: ["Đến ngày", "To"],
  dates: ["Từ {from} đến {to} · lập lúc {at}", "{from} to {to} · made at {at}"],
  due: ["Hạn báo cáo: {due} (ngày làm việc)", "Due: {due} (a working day)"],
  service: ["Dịch vụ", "Service"],
  counter: ["Quầy", "Counter"],
  officer: ["Cán bộ (tên đăng nhập)", "Officer (user name)"],
  all: ["Tất cả", "All"],
  show: ["Xem báo cáo", "Show report"],
  xlsx: ["Tải Excel", "Download Excel"],
  pdf: ["Tải PDF", "Download PDF"],
  store: ["Lưu báo cáo kỳ này", "Store this period's report"],
  stored_ok: ["Đã lưu báo cáo.", "Report stored."],
  c_daily: ["Số lượt theo ngày", "Tickets per day"],
  c_heat: ["Giờ cao điểm (phiếu cấp theo thứ × giờ)", "Peak hours (issued by weekday × hour)"],
  c_times: ["Thời gian chờ và phục vụ theo dịch vụ (phút)", "Wait and service time by service (min)"],
  c_ratings: ["Đánh giá hài lòng", "Satisfaction ratings"],
  c_dossiers: ["Hồ sơ: tiến độ giải quyết", "Dossiers: timeliness"],
  stored: ["Báo cáo đã lưu", "Stored reports"],
  s_period: ["Kỳ", "Period"],
  s_format: ["Định dạng", "Format"],
  s_created: ["Lập lúc", "Created"],
  s_by: ["Người lập", "By"],
  download: ["Tải về", "Download"],
  no_data: ["Không có dữ liệu", "No data"],
  issued: ["Phiếu cấp", "Issued"],
  served: ["Đã phục vụ", "Served"],
  no_show: ["Vắng mặt", "No-show"],
  transferred: ["Chuyển dịch vụ", "Transferred"],
  wait_mean: ["Chờ trung bình (phút)", "Mean wait (min)"],
  wait_p90: ["Chờ P90 (phút)", "Wait p90 (min)"],
  service_mean: ["Phục vụ trung bình (phút)", "Mean service (min)"],
  satisfied: ["Tỷ lệ hài lòng", "Satisfied"],
  very_satisfied: ["Rất hài lòng", "Very satisfied"],
  satisfied_level: ["Hài lòng", "Satisfied"],
  not_satisfied: ["Không hài lòng", "Not satisfied"],
  very_unsatisfied: ["Rất không hài lòng", "Very unsatisfied"],
  EARLY: ["Trước hạn", "Early"],
  ON_TIME: ["Đúng hạn", "On time"],
  LATE: ["Trễ hạn", "Late"],
  overdue: ["Quá hạn, chưa xong", "Overdue, not finished"],
  by_service: ["Theo dịch vụ", "By service"],
  by_counter: ["Theo quầy", "By counter"],
  by_officer: ["Theo cán bộ", "By officer"],
  by_site: ["Theo trung tâm", "By site"],
  name: ["Tên", "Name"],
  total: ["Tổng", "Total"],
  weekdays: ["T2,T3,T4,T5,T6,T7,CN", "Mon,Tue,Wed,Thu,Fri,Sat,Sun"],
  not_allowed: ["Tài khoản này không xem được báo cáo.", "This account cannot read reports."],
});

const say = (error) => toast(I18n.lang === "en" ? error.message : error.vi || error.message, true);
const numbers = () => new Intl.NumberFormat(I18n.lang === "en" ? "en-GB" : "vi-VN", { maximumFractionDigits: 1 });
const show = (value) => (value === null || value === undefined ? "–" : numbers().format(value));
const minutes = (seconds) => (seconds === null || seconds === undefined ? null : Math.round(seconds / 6) / 10);

async function api(path, options = {}) {
  try {
    return await apiFetch(path, { ...options, token: store.getItem(TOKEN) });
  } catch (error) {
    if (error.status === 401) signOut();
    throw error;
  }
}

function query() {
  const form = new FormData(document.getElementById("filters"));
  const params = new URLSearchParams();
  for (const [key, value] of form.entries()) {
    if (value && !(key === "to" && form.get("period") !== "range")) params.set(key, value);
  }
  return params;
}

/* ---------- SVG drawing ---------- */

function node(name, attributes = {}, text = null) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== null) element.textContent = text;
  return element;
}

function canvas(target, width, height) {
  const element = document.getElementById(target);
  element.replaceChildren();
  const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  element.append(svg);
  return svg;
}

function noData(target) {
  const element = document.getElementById(target);
  element.replaceChildren(Object.assign(document.createElement("p"), { className: "no-data", textContent: I18n.t("no_data") }));
}

function legend(svg, x, y, items) {
  let cursor = x;
  for (const [colour, label] of items) {
    svg.append(node("rect", { x: cursor, y, width: 10, height: 10, fill: colour }));
    svg.append(node("text", { x: cursor + 14, y: y + 9, "font-size": 11 }, label));
    cursor += 28 + label.length * 6;
  }
}

function drawDaily(days) {
  if (!days.length) return noData("chart-daily");
  const width = 640, height = 240, left = 36, bottom = 40, top = 24;
  const svg = canvas("chart-daily", width, height);
  const peak = Math.max(1, ...days.map((d) => d.issued));
  const slot = (width - left - 6) / days.length;
  const scale = (value) => ((height - bottom - top) * value) / peak;
  for (const fraction of [0, 0.5, 1]) {
    const y = height - bottom - scale(peak * fraction);
    svg.append(node("line", { x1: left, x2: width, y1: y, y2: y, stroke: "#d7dbe6" }));
    svg.append(node("text", { x: left - 4, y: y + 4, "font-size": 10, "text-anchor": "end" }, show(Math.round(peak * fraction))));
  }
  const every = Math.ceil(days.length / 16);
  days.forEach((day, index) => {
    const x = left + index * slot;
    const bar = Math.max(1, slot / 2 - 1);
    svg.append(node("rect", { x, y: height - bottom - scale(day.issued), width: bar, height: scale(day.issued), fill: COLOURS.blue }));
    svg.append(node("rect", { x: x + bar, y: height - bottom - scale(day.served), width: bar, height: scale(day.served), fill: COLOURS.green }));
    if (index % every === 0) {
      svg.append(node("text", { x: x + bar, y: height - bottom + 14, "font-size": 10, "text-anchor": "middle" }, `${day.day.slice(8)}/${day.day.slice(5, 7)}`));
    }
  });
  legend(svg, left, 4, [[COLOURS.blue, I18n.t("issued")], [COLOURS.green, I18n.t("served")]]);
}

function drawHeatmap(grid) {
  const busy = [];
  for (let hour = 0; hour < 24; hour++) if (grid.some((day) => day[hour])) busy.push(hour);
  if (!busy.length) return noData("chart-heat");
  const first = Math.min(7, ...busy), last = Math.max(17, ...busy);
  const hours = last - first + 1;
  const width = 640, left = 40, cell = (width - left) / hours, row = 26;
  const svg = canvas("chart-heat", width, 7 * row + 24);
  const peak = Math.max(1, ...grid.flat());
  const names = I18n.t("weekdays").split(",");
  grid.forEach((counts, day) => {
    svg.append(node("text", { x: 0, y: day * row + 17, "font-size": 11 }, names[day]));
    for (let hour = first; hour <= last; hour++) {
      const share = counts[hour] / peak;
      const colour = `rgb(${Math.round(255 - 64 * share)},${Math.round(255 - 204 * share)},${Math.round(255 - 217 * share)})`;
      const x = left + (hour - first) * cell;
      const square = node("rect", { x, y: day * row, width: cell - 2, height: row - 2, fill: colour });
      square.append(node("title", {}, `${names[day]} ${hour}h: ${counts[hour]}`));
      svg.append(square);
      if (counts[hour]) {
        svg.append(node("text", { x: x + cell / 2 - 1, y: day * row + 17, "font-size": 10, "text-anchor": "middle", fill: share > 0.6 ? "#fff" : "#14213d" }, show(counts[hour])));
      }
    }
  });
  for (let hour = first; hour <= last; hour++) {
    svg.append(node("text", { x: left + (hour - first) * cell + cell / 2, y: 7 * row + 16, "font-size": 10, "text-anchor": "middle" }, `${hour}h`));
  }
}

function drawBars(target, rows, series) {
  /* rows: [{label, values: [number|null]}]; series: [[colour, label]] */
  if (!rows.length || rows.every((r) => r.values.every((v) => !v))) return noData(target);
  const left = 190, width = 640, band = 10 * series.length + 10, top = series.length > 1 ? 22 : 4;
  const svg = canvas(target, width, top + rows.length * band + 6);
  const peak = Math.max(1, ...rows.flatMap((r) => r.values.map((v) => v || 0)));
  const scale = (value) => ((width - left - 50) * (value || 0)) / peak;
  rows.forEach((row, index) => {
    const y = top + index * band;
    svg.append(node("text", { x: left - 6, y: y + band / 2 + 3, "font-size": 11, "text-anchor": "end" }, row.label.slice(0, 30)));
    row.values.forEach((value, k) => {
      svg.append(node("rect", { x: left, y: y + k * 10 + 3, width: scale(value), height: 9, fill: series[k][0] }));
      svg.append(node("text", { x: left + scale(value) + 4, y: y + k * 10 + 11, "font-size": 9 }, show(value)));
    });
  });
  if (series.length > 1) legend(svg, 0, 4, series);
}

function drawCharts(report) {
  drawDaily(report.daily);
  drawHeatmap(report.heatmap);
  drawBars(
    "chart-times",
    report.by_service.map((g) => ({ label: g.label, values: [minutes(g.wait.mean_s), minutes(g.wait.p90_s), minutes(g.service.mean_s)] })),
    [[COLOURS.blue, I18n.t("wait_mean")], [COLOURS.red, I18n.t("wait_p90")], [COLOURS.green, I18n.t("service_mean")]],
  );
  const levels = report.totals.rating.levels;
  const levelColours = [COLOURS.green, COLOURS.blue, COLOURS.orange, COLOURS.red];
  const levelKeys = ["very_satisfied", "satisfied", "not_satisfied", "very_unsatisfied"];
  drawBars(
    "chart-ratings",
    levelKeys.map((key) => ({ label: I18n.t(key === "satisfied" ? "satisfied_level" : key), values: [levels[key] || 0] })),
    [[COLOURS.green, ""]],
  );
  document.querySelectorAll("#chart-ratings rect").forEach((bar, index) => bar.setAttribute("fill", levelColours[index % 4]));
  const timeliness = report.dossiers.timeliness;
  drawBars(
    "chart-dossiers",
    [...["EARLY", "ON_TIME", "LATE"].map((key) => ({ label: I18n.t(key), values: [timeliness[key] || 0] })),
      { label: I18n.t("overdue"), values: [report.dossiers.overdue_open] }],
    [[COLOURS.blue, ""]],
  );
}

/* ---------- cards and tables ---------- */

function drawCards(report) {
  const t = report.totals;
  const share = t.rating.satisfied_percent;
  const cards = [
    ["issued", t.issued], ["served", t.served], ["no_show", t.no_show], ["transferred", t.transferred],
    ["wait_mean", minutes(t.wait.mean_s)], ["wait_p90", minutes(t.wait.p90_s)],
    ["service_mean", minutes(t.service.mean_s)], ["satisfied", share === null ? null : Math.round(share * 10) / 10],
  ];
  document.getElementById("cards").replaceChildren(...cards.map(([key, value]) => {
    const card = document.createElement("div");
    card.className = "card";
    card.append(
      Object.assign(document.createElement("div"), { className: "value", textContent: show(value) + (key === "satisfied" && value !== null ? " %" : "") }),
      Object.assign(document.createElement("div"), { className: "label", textContent: I18n.t(key) }),
    );
    return card;
  }));
}

function cell(tag, text, className = "") {
  return Object.assign(document.createElement(tag), { textContent: text, className });
}

function drawTables(report) {
  const sections = [];
  for (const dimension of ["service", "counter", "officer", "site"]) {
    const columns = report.columns[dimension];
    const groups = report[`by_${dimension}`];
    sections.push(cell("h2", I18n.t(`by_${dimension}`)));
    if (!groups.length) {
      sections.push(cell("p", I18n.t("no_data"), "no-data"));
      continue;
    }
    const table = document.createElement("table");
    const head = document.createElement("tr");
    head.append(cell("th", I18n.t("name")), ...columns.map((c) => cell("th", I18n.field(c, "label"))));
    table.append(Object.assign(document.createElement("thead"), {}), document.createElement("tbody"));
    table.tHead.append(head);
    report.rows[dimension].forEach((values, index) => {
      const row = document.createElement("tr");
      row.append(cell("td", groups[index].label), ...columns.map((c) => cell("td", show(values[c.key]))));
      table.tBodies[0].append(row);
    });
    if (dimension === "service" || dimension === "site") {
      const row = document.createElement("tr");
      row.className = "total";
      row.append(cell("td", I18n.t("total")), ...columns.map((c) => cell("td", show(report.rows.totals[c.key]))));
      table.tBodies[0].append(row);
    }
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    wrap.append(table);
    sections.push(wrap);
  }
  document.getElementById("tables").replaceChildren(...sections);
}

const day = (iso) => iso.split("-").reverse().join("/");
const localTime = (iso) => new Date(iso).toLocaleString(I18n.lang === "en" ? "en-GB" : "vi-VN", {
  timeZone: siteZone, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false,
});

function render() {
  if (!lastReport) return;
  const period = lastReport.period;
  document.getElementById("report-title").textContent = `${lastReport.site} · ${I18n.field(period, "label")}`;
  const dates = I18n.t("dates", { from: day(period.from), to: day(period.to), at: localTime(lastReport.generated_at) });
  document.getElementById("report-dates").textContent = period.due ? `${dates} · ${I18n.t("due", { due: day(period.due) })}` : dates;
  drawCards(lastReport);
  drawCharts(lastReport);
  drawTables(lastReport);
}

/* ---------- files ---------- */

async function download(path) {
  const response = await fetch("/api/v1" + path, { headers: { Authorization: "Bearer " + store.getItem(TOKEN) }, cache: "no-store" });
  if (!response.ok) {
    const data = await response.json().catch(() => ({}));
    return toast(I18n.lang === "en" ? data.error?.message : data.error?.message_vi || response.statusText, true);
  }
  const name = (response.headers.get("Content-Disposition") || "").match(/filename="?([^";]+)"?/);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name ? name[1] : "bao-cao";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

async function loadStored() {
  const { reports } = await api("/reports/stored");
  document.getElementById("stored-list").replaceChildren(...reports.map((r) => {
    const row = document.createElement("tr");
    const button = cell("button", I18n.t("download"));
    button.type = "button";
    button.addEventListener("click", () => download(`/reports/stored/${r.id}`));
    const action = document.createElement("td");
    action.append(button);
    row.append(cell("td", `${I18n.t("p_" + r.kind)}: ${day(r.from)} – ${day(r.to)}`), cell("td", r.format.toUpperCase()),
      cell("td", localTime(r.created_at)), cell("td", r.created_by), action);
    return row;
  }));
}

/* ---------- flow ---------- */

async function showReport() {
  try {
    lastReport = await api("/reports/summary?" + query().toString());
    render();
  } catch (error) {
    if (error.status) say(error);
  }
}

async function fillFilters() {
  const [{ services }, { counters }] = await Promise.all([api("/services"), api("/counters")]);
  const serviceSelect = document.querySelector("select[name=service]");
  for (const s of services) serviceSelect.append(new Option(`${s.prefix} · ${I18n.field(s, "name")}`, s.code));
  const counterSelect = document.querySelector("select[name=counter]");
  for (const c of counters) counterSelect.append(new Option(c.name, c.number));
}

async function enter() {
  try {
    await loadStored();
  } catch (error) {
    if (error.status === 403) toast(I18n.t("not_allowed"), true);
    signOut();
    return;
  }
  document.getElementById("signin").hidden = true;
  document.getElementById("board").hidden = false;
  document.getElementById("sign-out").hidden = false;
  document.getElementById("who").textContent = store.getItem("motcua.reports.user") || "";
  await fillFilters();
  await showReport();
}

function signOut() {
  store.removeItem(TOKEN);
  document.getElementById("board").hidden = true;
  document.getElementById("sign-out").hidden = true;
  document.getElementById("signin").hidden = false;
  document.getElementById("who").textContent = "";
}

document.getElementById("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const result = await apiFetch("/auth/token", { method: "POST", body: { username: form.get("username"), password: form.get("password") } });
    store.setItem(TOKEN, result.token);
    store.setItem("motcua.reports.user", form.get("username"));
    event.target.reset();
    await enter();
  } catch (error) {
    say(error);
  }
});

document.getElementById("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  showReport();
});
document.querySelector("select[name=period]").addEventListener("change", (event) => {
  document.getElementById("to-field").hidden = event.target.value !== "range";
});
document.querySelectorAll("[data-export]").forEach((button) => {
  button.addEventListener("click", () => {
    const params = query();
    params.set("format", button.dataset.export);
    download("/reports/export?" + params.toString());
  });
});
document.getElementById("store").addEventListener("click", async () => {
  const params = query();
  const body = { period: params.get("period"), from: params.get("from") };
  if (params.get("to")) body.to = params.get("to");
  try {
    for (const format of ["xlsx", "pdf"]) await api("/reports/stored", { method: "POST", body: { ...body, format } });
    toast(I18n.t("stored_ok"));
    await loadStored();
  } catch (error) {
    if (error.status) say(error);
  }
});
document.getElementById("sign-out").addEventListener("click", signOut);
document.addEventListener("langchange", render);

async function start() {
  try {
    siteZone = (await apiFetch("/site")).timezone || siteZone;
  } catch (error) {
    /* the default zone until the server answers */
  }
  document.querySelector("input[name=from]").value = new Date().toLocaleDateString("sv-SE", { timeZone: siteZone });
  if (store.getItem(TOKEN)) enter();
  else signOut();
}
start();
