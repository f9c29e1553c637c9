// The dashboard's pace charts and its three panels read from their own endpoints: the action plan
// beside each sector's targets (GET /api/v1/plans), workplaces and union density
// (GET /api/v1/workplaces) and open cases near or past their stage deadline
// (GET /api/v1/violations?state=open). Uses t(), el(), humanise(), formatNumber() and state from
// dashboard.js, loaded before this file. An endpoint this reporting service does not have yet
// (404) shows an empty state, never an error.
"use strict";

// A case this many working days or fewer from its stage deadline is "near" it: the notification
// rule of issue #15 warns at the same distance.
const NEAR_DEADLINE_WORKING_DAYS = 5;
// Open cases are read in pages of the list's largest size, at most this many pages.
const CASE_PAGE_SIZE = 500;
const MAX_CASE_PAGES = 20;

function formatDay(iso, withYear = true) {
  if (!iso) return "—";
  const when = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(when.getTime())) return iso;
  const options = { timeZone: "UTC", day: "numeric", month: "short" };
  if (withYear) options.year = "numeric";
  return new Intl.DateTimeFormat(state.language === "id" ? "id-ID" : "en-GB", options).format(when);
}

function formatShare(value) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(state.language === "id" ? "id-ID" : "en-GB", { style: "percent", maximumFractionDigits: 1 }).format(value);
}

// ---------- fetching ----------

function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== "") query.set(name, value);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

// {status: "ok", body} | {status: "missing"} (no such endpoint here yet) | {status: "forbidden"} | {status: "error"}
async function readPanel(url, token) {
  try {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" }, cache: "no-store" });
    if (response.status === 404) return { status: "missing" };
    if (response.status === 403) return { status: "forbidden" };
    if (!response.ok) return { status: "error" };
    return { status: "ok", body: await response.json() };
  } catch {
    return { status: "error" };
  }
}

// Every page of the open cases (the list is paged with `after`/`next_after`).
async function readOpenCases(base, token) {
  const cases = [];
  let after = null;
  for (let page = 0; page < MAX_CASE_PAGES; page += 1) {
    const result = await readPanel(withQuery("/api/v1/violations", { ...base, state: "open", limit: CASE_PAGE_SIZE, after }), token);
    if (result.status !== "ok") return result;
    if (!Array.isArray(result.body.cases)) return { status: "forbidden" }; // aggregates only for this role
    cases.push(...result.body.cases);
    after = result.body.next_after;
    if (!after) break;
  }
  return { status: "ok", body: { cases } };
}

// Reads the three panels again; only the newest call's answers are drawn.
async function loadPanels() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token || !state.query) return;
  const call = (state.panelCall = (state.panelCall || 0) + 1);
  const period = state.query.get("period");
  const federation = state.query.get("federation");
  const [plans, workplaces, cases] = await Promise.all([
    readPanel(withQuery("/api/v1/plans", { period, federation }), token),
    readPanel(withQuery("/api/v1/workplaces", { federation }), token),
    readOpenCases({ federation }, token),
  ]);
  if (call !== state.panelCall) return;
  state.panels = { plans, workplaces, cases };
  render();
}

// ---------- the pace chart (inline SVG: three lines need no chart library) ----------

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  for (const child of children.flat()) if (child) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// The first day of the current run of days below the expected line (null when not behind now).
function behindSince(actual, expected) {
  const last = actual.length - 1;
  if (last < 0 || actual[last] >= expected[last]) return null;
  let day = last;
  while (day > 0 && actual[day - 1] < expected[day - 1]) day -= 1;
  return day;
}

function addDays(iso, days) {
  const when = new Date(`${iso}T00:00:00Z`);
  when.setUTCDate(when.getUTCDate() + days);
  return when.toISOString().slice(0, 10);
}

function renderPace(sector, federation, metric, pace, figures) {
  if (!pace || !pace.metrics?.[metric]) return null;
  const { actual, expected } = pace.metrics[metric];
  const days = expected.length;
  const width = 320, height = 120, left = 34, right = 8, top = 8, bottom = 20;
  const top_value = Math.max(1, ...expected, ...actual);
  const x = (day) => left + (days > 1 ? (day * (width - left - right)) / (days - 1) : 0);
  const y = (value) => top + (height - top - bottom) * (1 - value / top_value);
  const line = (values) => values.map((value, day) => `${x(day).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
  const since = behindSince(actual, expected);
  const today = actual.length - 1;

  // The gap between the two lines on the days the sector was behind, shaded, so a falling-behind
  // shows as a red wedge opening under the expected line.
  const gaps = [];
  let run = null;
  for (let day = 0; day <= today; day += 1) {
    if (actual[day] < expected[day]) (run ??= []).push(day);
    else if (run) { gaps.push(run); run = null; }
  }
  if (run) gaps.push(run);
  const shaded = gaps.map((days_) => svg("polygon", {
    class: "pace-gap",
    points: `${days_.map((day) => `${x(day).toFixed(1)},${y(actual[day]).toFixed(1)}`).join(" ")} ${days_.slice().reverse().map((day) => `${x(day).toFixed(1)},${y(expected[day]).toFixed(1)}`).join(" ")}`,
  }));

  const status = figures.status;
  const label = `${t("pace_chart_label")} — ${humanise(metric)}: ${t("pace_actual")} ${formatNumber(actual[today] ?? 0)}, ${t("pace_expected")} ${formatNumber(expected[Math.max(0, today)] ?? 0)}`;
  const chart = svg("svg", { class: "pace-chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label, "data-testid": `pace-${sector}-${federation || "all"}-${metric}` },
    svg("title", {}, label),
    svg("line", { class: "pace-axis", x1: left, y1: y(0), x2: width - right, y2: y(0) }),
    svg("line", { class: "pace-axis", x1: left, y1: top, x2: left, y2: y(0) }),
    svg("text", { class: "pace-label", x: left - 4, y: y(top_value) + 4, "text-anchor": "end" }, formatNumber(top_value)),
    svg("text", { class: "pace-label", x: left - 4, y: y(0), "text-anchor": "end" }, "0"),
    svg("text", { class: "pace-label", x: left, y: height - 4 }, formatDay(pace.start, false)),
    svg("text", { class: "pace-label", x: width - right, y: height - 4, "text-anchor": "end" }, formatDay(pace.end, false)),
    shaded,
    svg("polyline", { class: "pace-expected", points: line(expected) }),
    today >= 0 ? svg("polyline", { class: `pace-actual ${status}`, points: line(actual) }) : null,
    today >= 0 ? svg("circle", { class: `pace-today ${status}`, cx: x(today), cy: y(actual[today]), r: 3 }) : null);
  return el("figure", { class: "pace", "data-behind": since !== null ? "true" : "false" },
    chart,
    el("figcaption", { class: "pace-legend" },
      el("span", { class: `swatch actual ${status}` }), t("pace_actual"), " ",
      el("span", { class: "swatch expected" }), t("pace_expected"),
      since !== null ? el("strong", { class: "behind-since" }, ` · ${t("behind_since")} ${formatDay(addDays(pace.start, since))}`) : null));
}

// ---------- the action plan beside a sector's targets ----------

const STATUS_ORDER = ["planned", "in_progress", "postponed", "done", "dropped"];

function renderPlan(row) {
  const result = state.panels?.plans;
  const box = el("section", { class: "plan", "data-testid": `plan-${row.sector}-${row.federation || "all"}` });
  box.append(el("h4", {}, t("plan_heading")));
  if (!result) return box;
  if (result.status !== "ok") {
    box.append(el("p", { class: "empty" }, t(result.status === "missing" ? "unavailable" : result.status === "forbidden" ? "not_for_token" : "load_failed")));
    return box;
  }
  // A confederation-wide target shows the whole sector's plan; a federation's target its own items.
  const mine = (entry) => entry.sector === row.sector && (!row.federation || entry.federation === row.federation);
  const summary = (result.body.summary || []).filter(mine);
  const totals = summary.reduce((sum, entry) => ({ planned: sum.planned + entry.planned, done: sum.done + entry.done, overdue: sum.overdue + entry.overdue }), { planned: 0, done: 0, overdue: 0 });
  const items = (result.body.items || []).filter(mine)
    .sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.due_on.localeCompare(b.due_on) || a.item_id.localeCompare(b.item_id));
  if (totals.planned === 0 && items.length === 0) {
    box.append(el("p", { class: "empty" }, t("plan_none")));
    return box;
  }
  box.querySelector("h4").append(el("span", { class: "plan-count" },
    `${formatNumber(totals.done)} ${t("plan_done_of")} ${formatNumber(totals.planned)} ${t("plan_items")}`,
    totals.overdue ? el("strong", { class: "overdue-count" }, ` · ${formatNumber(totals.overdue)} ${t("plan_overdue_count")}`) : null));
  if (items.length === 0) {
    box.append(el("p", { class: "empty" }, t("plan_summary_only")));
    return box;
  }
  box.append(el("ul", { class: "plan-items" }, items.map((item) => el("li", {
    class: `plan-item${item.overdue ? " overdue" : ""}`, "data-item-id": item.item_id, "data-overdue": item.overdue ? "true" : "false", "data-status": item.status,
  },
  el("div", { class: "plan-title" },
    item.overdue ? el("span", { class: "badge behind" }, t("overdue")) : el("span", { class: `badge plan-status ${item.status}` }, humanise(item.status)),
    " ", item.title),
  el("div", { class: "plan-meta" },
    `${humanise(item.kind)} · ${t("due_on")} ${formatDay(item.due_on)}`,
    item.overdue ? ` · ${humanise(item.status)}` : "",
    ` · ${item.federation || "KSPI"}`,
    item.planned_count ? ` · ${formatNumber(item.planned_count)}` : "")))));
  return box;
}

// ---------- workplaces and density ----------

const CBA_COUNTS = ["none", "negotiating", "in_force", "expiring_within_90_days"];

function panelState(result, emptyKey) {
  if (!result) return el("p", { class: "empty" }, t("connecting"));
  if (result.status === "missing") return el("p", { class: "empty", "data-empty": "unavailable" }, t("unavailable"));
  if (result.status === "forbidden") return el("p", { class: "empty", "data-empty": "forbidden" }, t("not_for_token"));
  if (result.status !== "ok") return el("p", { class: "empty" }, t("load_failed"));
  return emptyKey ? el("p", { class: "empty", "data-empty": "none" }, t(emptyKey)) : null;
}

function cbaLabel(key) {
  return key === "expiring_within_90_days" ? t("cba_expiring") : t(`cba_${key}`);
}

function densityBar(share) {
  const width = share === null || share === undefined ? 0 : Math.max(0, Math.min(100, share * 100));
  return el("div", { class: "bar density-bar", role: "presentation" }, el("div", { class: "fill", style: `width:${width}%` }));
}

function renderWorkplaces() {
  const result = state.panels?.workplaces;
  if (result?.status !== "ok") return panelState(result);
  const body = result.body;
  const workplaces = body.workplaces || [];
  const density = body.density || {};
  const bySector = density.by_sector || [];
  if (workplaces.length === 0 && bySector.length === 0) return panelState(result, "workplaces_none");
  const overall = density.overall || {};
  const cba = body.cba || {};
  const head = el("dl", { class: "totals" },
    el("dt", {}, t("density_overall")), el("dd", { "data-total": "density" }, formatShare(overall.density)),
    el("dt", {}, t("active_members")), el("dd", {}, formatNumber(overall.active_members)),
    el("dt", {}, t("workforce")), el("dd", {}, formatNumber(overall.workforce)),
    CBA_COUNTS.flatMap((key) => [el("dt", {}, cbaLabel(key)), el("dd", { "data-cba": key }, formatNumber(cba[key] ?? 0))]));
  const sectors = el("div", { class: "summary-table" }, el("h3", {}, t("density_by_sector")),
    el("div", { class: "table-scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("sector")), el("th", { scope: "col", class: "number" }, t("active_members")),
        el("th", { scope: "col", class: "number" }, t("workforce")), el("th", { scope: "col" }, t("density")))),
      el("tbody", {}, bySector.map((row) => el("tr", { "data-sector": row.sector },
        el("th", { scope: "row" }, sectorLabel(row.sector)),
        el("td", { class: "number" }, formatNumber(row.active_members)),
        el("td", { class: "number" }, formatNumber(row.workforce)),
        el("td", { class: "density-cell" }, el("span", { class: "density-value" }, formatShare(row.density)), densityBar(row.density))))))));
  const list = workplaces.length === 0 ? null : el("div", { class: "summary-table wide" }, el("h3", {}, t("workplaces_heading")),
    el("div", { class: "table-scroll" }, el("table", { class: "workplaces" },
      el("thead", {}, el("tr", {}, [t("employer"), t("sector"), t("federation")].map((text) => el("th", { scope: "col" }, text)),
        [t("workforce"), t("active_members"), t("density")].map((text) => el("th", { scope: "col", class: "number" }, text)),
        el("th", { scope: "col" }, t("cba")))),
      el("tbody", {}, workplaces.map((row) => el("tr", { "data-workplace": `${row.federation}|${row.workplace_id}`, class: row.cba_expires_within_90_days ? "expiring" : null },
        el("th", { scope: "row" }, row.employer || row.workplace_id),
        el("td", { "data-label": t("sector") }, sectorLabel(row.sector)),
        el("td", { "data-label": t("federation") }, row.federation),
        el("td", { class: "number", "data-label": t("workforce") }, formatNumber(row.workforce)),
        el("td", { class: "number", "data-label": t("active_members") }, formatNumber(row.active_members)),
        el("td", { class: "number", "data-label": t("density") }, formatShare(row.density)),
        el("td", { "data-label": t("cba") }, t(`cba_${row.cba}`) !== `cba_${row.cba}` ? t(`cba_${row.cba}`) : row.cba,
          row.cba_expires_within_90_days ? el("span", { class: "badge behind" }, `${t("expires_on")} ${formatDay(row.cba_expires_on)}`) : null)))))));
  return el("div", { class: "summary" }, head, sectors, list);
}

// ---------- cases near or past their stage deadline ----------

function caseUrgency(row) {
  if (row.overdue) return "past";
  if (row.deadline && row.working_days_left !== null && row.working_days_left !== undefined && row.working_days_left <= NEAR_DEADLINE_WORKING_DAYS) return "near";
  return null;
}

function renderCases() {
  const result = state.panels?.cases;
  if (result?.status !== "ok") return panelState(result);
  const open = result.body.cases || [];
  const urgent = open.map((row) => ({ row, urgency: caseUrgency(row) })).filter((entry) => entry.urgency)
    .sort((a, b) => (a.row.working_days_left ?? 0) - (b.row.working_days_left ?? 0) || a.row.case_id.localeCompare(b.row.case_id));
  const others = open.length - urgent.length;
  const footer = others > 0 ? el("p", { class: "muted" }, `${formatNumber(others)} ${t("other_open_cases")}`) : null;
  if (urgent.length === 0) return el("div", {}, panelState(result, "cases_none"), footer);
  return el("div", {}, el("div", { class: "table-scroll" }, el("table", { class: "cases" },
    el("thead", {}, el("tr", {}, [t("case"), t("federation"), t("sector"), t("stage"), t("deadline"), t("days_left")].map((text) => el("th", { scope: "col" }, text)))),
    el("tbody", {}, urgent.map(({ row, urgency }) => el("tr", { "data-case": row.case_id, "data-urgency": urgency, class: urgency },
      el("th", { scope: "row" }, row.case_id),
      el("td", { "data-label": t("federation") }, row.federation),
      el("td", { "data-label": t("sector") }, sectorLabel(row.sector)),
      el("td", { "data-label": t("stage") }, humanise(row.stage)),
      el("td", { "data-label": t("deadline") }, formatDay(row.deadline)),
      el("td", { class: "urgency" },
        el("span", { class: `badge ${urgency === "past" ? "behind" : "near"}` }, t(urgency === "past" ? "past_deadline" : "near_deadline")), " ",
        row.working_days_left < 0
          ? `${formatNumber(-row.working_days_left)} ${t("working_days_over")}`
          : `${formatNumber(row.working_days_left)} ${t("working_days_left")}`)))))), footer);
}
