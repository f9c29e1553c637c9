// KSPI organising dashboard: reads the live stream (GET /api/v1/live, server-sent events) and
// redraws on every snapshot. The stream is read with fetch() rather than EventSource so that the
// token travels in the Authorization header, never in a URL (URLs end up in logs and history).
"use strict";

const TEXT = {
  id: {
    title: "Dasbor Target Pengorganisasian",
    subtitle: "Kemajuan sektor menuju target, diperbarui langsung",
    sign_out: "Keluar",
    login_title: "Masuk",
    login_help: "Masukkan token akses Anda. Token hanya disimpan di tab ini dan hilang saat tab ditutup.",
    token_label: "Token akses",
    login_button: "Tampilkan dasbor",
    period_label: "Periode",
    federation_label: "Federasi",
    all_federations: "semua",
    show: "Tampilkan",
    suppressed_note: "Sel dengan kurang dari 5 orang disembunyikan.",
    targets_heading: "Target per sektor",
    no_targets: "Belum ada target untuk periode ini.",
    violations_heading: "Ringkasan pelanggaran hak normatif",
    switch_to: "English",
    switch_label: "Switch to English",
    connecting: "Menghubungkan…",
    live: "Langsung",
    reconnecting: "Terputus, menghubungkan ulang…",
    as_of: "Data per",
    token_rejected: "Token ditolak. Periksa token Anda.",
    forbidden: "Token ini tidak boleh melihat data tersebut.",
    bad_request: "Permintaan tidak valid",
    whole_confederation: "Seluruh federasi (KSPI)",
    members_recruited: "Anggota baru",
    union_units_established: "PUK terbentuk",
    cases_resolved: "Kasus diselesaikan",
    achieved: "Tercapai",
    on_track: "Sesuai jalur",
    behind: "Tertinggal",
    of_target: "dari target",
    expected: "Seharusnya sampai hari ini",
    no_target: "tanpa target",
    by_federation: "Rincian per federasi",
    federation: "Federasi",
    suppressed: "<5",
    none: "Belum ada data.",
    short_members_recruited: "Baru",
    short_net_membership: "Bersih",
    short_union_units_established: "PUK",
    short_cases_resolved: "Kasus selesai",
    members_left: "Anggota keluar",
    net_membership: "Pertambahan bersih",
    cases_reported: "Kasus dilaporkan",
    cases_open: "Kasus terbuka",
    cases_closed: "Kasus ditutup",
    workers_affected: "Pekerja terdampak",
    women_affected: "Perempuan terdampak",
    workers_benefited: "Pekerja memperoleh manfaat",
    recovered_idr: "Dana dipulihkan",
    by_category: "Menurut kategori",
    by_stage: "Menurut tahap",
    by_outcome: "Menurut hasil",
    category: "Kategori",
    stage: "Tahap",
    outcome: "Hasil",
    open: "Terbuka",
    closed: "Ditutup",
    count: "Jumlah",
    minimum_wage: "Upah minimum",
    fixed_term_contract: "Kontrak (PKWT)",
    outsourcing: "Alih daya (outsourcing)",
    union_busting: "Pemberangusan serikat",
    holiday_allowance: "THR",
    social_security: "BPJS",
    overtime: "Lembur",
    severance: "Pesangon",
    occupational_safety: "K3",
    other: "Lainnya",
    bipartite: "Bipartit",
    mediation: "Mediasi",
    conciliation: "Konsiliasi",
    arbitration: "Arbitrase",
    labour_inspection: "Pengawasan ketenagakerjaan",
    industrial_court: "PHI",
    supreme_court: "Mahkamah Agung",
    police_report: "Laporan polisi",
    won: "Menang",
    settled: "Damai",
    partially_won: "Menang sebagian",
    lost: "Kalah",
    withdrawn: "Dicabut",
    pace: "Laju",
    pace_actual: "Capaian kumulatif",
    pace_expected: "Laju yang seharusnya",
    behind_since: "Tertinggal sejak",
    pace_chart_label: "Capaian harian kumulatif dibanding laju yang seharusnya",
    plan_heading: "Rencana aksi",
    plan_done_of: "selesai dari",
    plan_items: "kegiatan",
    plan_overdue_count: "terlambat",
    plan_none: "Belum ada kegiatan rencana aksi untuk sektor ini.",
    plan_summary_only: "Token ini hanya melihat ringkasan rencana aksi.",
    overdue: "Terlambat",
    due_on: "Tenggat",
    responsible: "Penanggung jawab",
    planned: "Direncanakan",
    in_progress: "Berjalan",
    done: "Selesai",
    postponed: "Ditunda",
    dropped: "Dibatalkan",
    recruitment_drive: "Perekrutan anggota",
    union_unit_formation: "Pembentukan PUK",
    training: "Pelatihan",
    campaign: "Kampanye",
    advocacy: "Advokasi",
    bargaining: "Perundingan PKB",
    research: "Riset",
    workplaces_heading: "Tempat kerja dan kepadatan serikat",
    workplaces_none: "Belum ada data tempat kerja.",
    unavailable: "Data ini belum tersedia di layanan pelaporan.",
    not_for_token: "Token ini tidak boleh melihat daftar ini; hanya angka gabungan.",
    load_failed: "Gagal memuat data; dicoba lagi pada pembaruan berikutnya.",
    density: "Kepadatan",
    density_overall: "Kepadatan keseluruhan",
    density_by_sector: "Kepadatan per sektor",
    sector: "Sektor",
    employer: "Pemberi kerja",
    workforce: "Jumlah pekerja",
    active_members: "Anggota aktif",
    cba: "PKB",
    cba_none: "Belum ada PKB",
    cba_negotiating: "Dalam perundingan",
    cba_in_force: "Berlaku",
    cba_expiring: "PKB berakhir ≤ 90 hari",
    expires_on: "berakhir",
    cases_heading: "Kasus mendekati atau melewati tenggat",
    cases_none: "Tidak ada kasus terbuka yang mendekati tenggat.",
    case: "Kasus",
    deadline: "Tenggat tahap",
    days_left: "Sisa hari kerja",
    past_deadline: "Lewat tenggat",
    near_deadline: "Mendekati tenggat",
    working_days_over: "hari kerja lewat",
    working_days_left: "hari kerja lagi",
    other_open_cases: "kasus terbuka lain masih dalam tenggat",
    no_deadline: "tanpa tenggat",
  },
  en: {
    title: "Organising Targets Dashboard",
    subtitle: "Each sector's progress toward its targets, updated live",
    sign_out: "Sign out",
    login_title: "Sign in",
    login_help: "Enter your access token. It is kept in this tab only and is gone when the tab closes.",
    token_label: "Access token",
    login_button: "Show dashboard",
    period_label: "Period",
    federation_label: "Federation",
    all_federations: "all",
    show: "Show",
    suppressed_note: "Cells of fewer than 5 people are hidden.",
    targets_heading: "Targets by sector",
    no_targets: "No targets set for this period yet.",
    violations_heading: "Normative-rights violations summary",
    switch_to: "Bahasa Indonesia",
    switch_label: "Ganti ke Bahasa Indonesia",
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Disconnected, reconnecting…",
    as_of: "Figures as of",
    token_rejected: "Token rejected. Check your token.",
    forbidden: "This token may not see those figures.",
    bad_request: "Invalid request",
    whole_confederation: "All federations (KSPI)",
    members_recruited: "New members",
    union_units_established: "Union units (PUK) formed",
    cases_resolved: "Cases resolved",
    achieved: "Achieved",
    on_track: "On track",
    behind: "Behind",
    of_target: "of target",
    expected: "Expected by today",
    no_target: "no target",
    by_federation: "By federation",
    federation: "Federation",
    suppressed: "<5",
    none: "No data yet.",
    short_members_recruited: "New",
    short_net_membership: "Net",
    short_union_units_established: "Units",
    short_cases_resolved: "Resolved",
    members_left: "Members left",
    net_membership: "Net membership",
    cases_reported: "Cases reported",
    cases_open: "Open cases",
    cases_closed: "Closed cases",
    workers_affected: "Workers affected",
    women_affected: "Women affected",
    workers_benefited: "Workers benefited",
    recovered_idr: "Money recovered",
    by_category: "By category",
    by_stage: "By stage",
    by_outcome: "By outcome",
    category: "Category",
    stage: "Stage",
    outcome: "Outcome",
    open: "Open",
    closed: "Closed",
    count: "Count",
    minimum_wage: "Minimum wage",
    fixed_term_contract: "Fixed-term contracts (PKWT)",
    outsourcing: "Outsourcing",
    union_busting: "Union busting",
    holiday_allowance: "Holiday allowance (THR)",
    social_security: "Social security (BPJS)",
    overtime: "Overtime",
    severance: "Severance",
    occupational_safety: "Occupational safety",
    other: "Other",
    bipartite: "Bipartite",
    mediation: "Mediation",
    conciliation: "Conciliation",
    arbitration: "Arbitration",
    labour_inspection: "Labour inspection",
    industrial_court: "Industrial relations court",
    supreme_court: "Supreme Court",
    police_report: "Police report",
    won: "Won",
    settled: "Settled",
    partially_won: "Partially won",
    lost: "Lost",
    withdrawn: "Withdrawn",
    pace: "Pace",
    pace_actual: "Cumulative actual",
    pace_expected: "Expected pace",
    behind_since: "Behind since",
    pace_chart_label: "Cumulative actual by day against the expected pace",
    plan_heading: "Action plan",
    plan_done_of: "done of",
    plan_items: "items",
    plan_overdue_count: "overdue",
    plan_none: "No action plan items for this sector yet.",
    plan_summary_only: "This token sees the action plan summary only.",
    overdue: "Overdue",
    due_on: "Due",
    responsible: "Responsible",
    planned: "Planned",
    in_progress: "In progress",
    done: "Done",
    postponed: "Postponed",
    dropped: "Dropped",
    recruitment_drive: "Recruitment drive",
    union_unit_formation: "Union unit formation",
    training: "Training",
    campaign: "Campaign",
    advocacy: "Advocacy",
    bargaining: "Collective bargaining",
    research: "Research",
    workplaces_heading: "Workplaces and union density",
    workplaces_none: "No workplaces registered yet.",
    unavailable: "This data is not available from the reporting service yet.",
    not_for_token: "This token may not see this list; aggregates only.",
    load_failed: "Could not load this; it is tried again at the next update.",
    density: "Density",
    density_overall: "Overall density",
    density_by_sector: "Density by sector",
    sector: "Sector",
    employer: "Employer",
    workforce: "Workforce",
    active_members: "Active members",
    cba: "CBA (PKB)",
    cba_none: "No CBA",
    cba_negotiating: "Negotiating",
    cba_in_force: "In force",
    cba_expiring: "CBA expires within 90 days",
    expires_on: "expires",
    cases_heading: "Cases near or past their deadline",
    cases_none: "No open case is near its deadline.",
    case: "Case",
    deadline: "Stage deadline",
    days_left: "Working days left",
    past_deadline: "Past deadline",
    near_deadline: "Near deadline",
    working_days_over: "working days over",
    working_days_left: "working days left",
    other_open_cases: "other open cases within their deadline",
    no_deadline: "no deadline",
  },
};

const METRICS = ["members_recruited", "union_units_established", "cases_resolved"];
const TOKEN_KEY = "organising.dashboard.token";
const LANGUAGE_KEY = "organising.dashboard.language";

// `panels`: the answers of the plan, workplace and case endpoints (panels.js); `revision`: the
// snapshot's record of how far their topics are applied, so they are read again only on news.
const state = { language: localStorage.getItem(LANGUAGE_KEY) || "id", snapshot: null, stream: null, query: null, panels: null, revision: null };
// Overdue items and working days left move with the date, without any event.
const PANEL_REFRESH_MS = 5 * 60 * 1000;

function t(key) {
  return TEXT[state.language][key] ?? TEXT.id[key] ?? key;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function formatNumber(value) {
  if (value === null || value === undefined) return t("suppressed");
  if (typeof value !== "number") return String(value);
  return new Intl.NumberFormat(state.language === "id" ? "id-ID" : "en-GB").format(value);
}

function formatAsOf(iso) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  const text = new Intl.DateTimeFormat(state.language === "id" ? "id-ID" : "en-GB", {
    timeZone: "Asia/Jakarta", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).format(when);
  return `${text} WIB`;
}

function sectorLabel(sector) {
  const labels = state.snapshot?.sector_labels?.[sector];
  return labels ? labels[state.language] : sector;
}

function humanise(key) {
  return t(key) !== key ? t(key) : String(key).replaceAll("_", " ");
}

// ---------- rendering ----------

function render() {
  const snapshot = state.snapshot;
  if (!snapshot) return;
  document.getElementById("as-of").textContent = `${t("as_of")}: ${formatAsOf(snapshot.as_of)}`;
  document.getElementById("suppression-note").hidden = !snapshot.small_cells_suppressed;
  document.getElementById("no-targets").hidden = snapshot.targets.length > 0;
  const sectors = document.getElementById("sectors");
  sectors.replaceChildren(...snapshot.targets.map((row, index) => renderTarget(row, snapshot, snapshot.pace?.[index])));
  document.getElementById("violations").replaceChildren(renderSummary(snapshot.violations));
  document.getElementById("workplaces").replaceChildren(renderWorkplaces());
  document.getElementById("cases").replaceChildren(renderCases());
}

function renderTarget(row, snapshot, pace) {
  const scope = row.federation || t("whole_confederation");
  const card = el("article", { class: "sector", "data-sector": row.sector, "data-federation": row.federation || "" },
    el("h3", {}, sectorLabel(row.sector), el("span", { class: "scope" }, scope)),
    el("div", { class: "metrics" }, METRICS.map((metric) => renderMetric(row, metric, row.metrics[metric], pace))),
    renderPlan(row));
  const breakdown = snapshot.federation_breakdown?.[row.sector];
  if (!row.federation && breakdown && breakdown.length) card.append(renderFederationTable(breakdown));
  return card;
}

function renderMetric(row, metric, figures, pace) {
  const sector = row.sector;
  const percent = figures.percent;
  const width = Math.max(0, Math.min(100, percent ?? 0));
  const expectedShare = figures.target > 0 ? Math.min(100, (figures.expected_to_date * 100) / figures.target) : 0;
  const label = `${humanise(metric)}: ${formatNumber(figures.actual)} ${t("of_target")} ${formatNumber(figures.target)}`;
  return el("div", { class: "metric", "data-metric": metric, "data-status": figures.status },
    el("div", { class: "metric-head" },
      el("span", { class: "metric-name" }, humanise(metric)),
      el("span", { class: `badge ${figures.status}` }, humanise(figures.status))),
    el("p", { class: "numbers" },
      el("strong", { class: "actual", "data-testid": `actual-${sector}-${metric}` }, formatNumber(figures.actual)),
      ` / ${formatNumber(figures.target)}`,
      el("span", { class: "percent" }, percent === null ? t("no_target") : `${formatNumber(percent)}%`)),
    el("div", { class: "bar", role: "progressbar", "aria-label": label, "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(width) },
      el("div", { class: "fill", style: `width:${width}%` }),
      figures.target > 0 ? el("div", { class: "expected-mark", style: `left:${expectedShare}%`, title: `${t("expected")}: ${figures.expected_to_date}` }) : null),
    el("p", { class: "expected" }, `${t("expected")}: ${formatNumber(figures.expected_to_date)}`),
    renderPace(sector, row.federation, metric, pace, figures));
}

// Short headings so the table fits a sector card; the full name is in each heading's title.
const FEDERATION_COLUMNS = ["members_recruited", "net_membership", "union_units_established", "cases_resolved"];

function renderFederationTable(rows) {
  return el("details", { class: "breakdown", open: true },
    el("summary", {}, t("by_federation")),
    el("div", { class: "table-scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("federation")), FEDERATION_COLUMNS.map((key) => el("th", { scope: "col", class: "number", title: humanise(key) }, t(`short_${key}`))))),
      el("tbody", {}, rows.map((row) => el("tr", { "data-federation": row.federation },
        el("th", { scope: "row" }, row.federation),
        FEDERATION_COLUMNS.map((key) => el("td", { class: "number" }, formatNumber(row[key])))))))));
}

function formatRupiah(value) {
  if (value === null || value === undefined) return t("suppressed");
  return new Intl.NumberFormat(state.language === "id" ? "id-ID" : "en-GB", { style: "currency", currency: "IDR", maximumFractionDigits: 0 }).format(value);
}

const VIOLATION_TOTALS = ["cases_reported", "cases_open", "cases_closed", "cases_resolved", "workers_affected", "women_affected", "workers_benefited"];

// Totals, then categories and stages that have cases (an all-zero table says nothing).
function renderSummary(summary) {
  if (!summary) return el("p", { class: "empty" }, t("none"));
  const totals = el("dl", { class: "totals" },
    VIOLATION_TOTALS.flatMap((key) => [el("dt", {}, humanise(key)), el("dd", { "data-total": key }, formatNumber(summary[key]))]),
    el("dt", {}, humanise("recovered_idr")), el("dd", { "data-total": "recovered_idr" }, formatRupiah(summary.recovered_idr)));
  const categories = Object.entries(summary.by_category || {}).filter(([, c]) => c.open || c.closed);
  const stages = Object.entries(summary.by_stage || {}).filter(([, c]) => c.open || c.closed);
  const outcomes = Object.entries(summary.by_outcome || {}).filter(([, count]) => count);
  return el("div", { class: "summary" }, totals,
    countTable("by_category", "category", ["open", "closed", "workers_affected"], categories),
    countTable("by_stage", "stage", ["open", "closed"], stages),
    outcomes.length ? countTable("by_outcome", "outcome", ["count"], outcomes.map(([key, count]) => [key, { count }])) : null);
}

function countTable(title, first, columns, rows) {
  return el("div", { class: "summary-table" }, el("h3", {}, humanise(title)),
    rows.length === 0 ? el("p", { class: "empty" }, t("none")) : el("div", { class: "table-scroll" }, el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, humanise(first)), columns.map((key) => el("th", { scope: "col", class: "number" }, humanise(key))))),
      el("tbody", {}, rows.map(([key, counts]) => el("tr", {},
        el("th", { scope: "row" }, humanise(key)),
        columns.map((column) => el("td", { class: "number" }, formatNumber(counts[column])))))))));
}

// ---------- language ----------

function applyLanguage() {
  document.documentElement.lang = state.language;
  document.title = `${t("title")} — KSPI`;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  const button = document.getElementById("language");
  button.textContent = t("switch_to");
  button.setAttribute("aria-label", t("switch_label"));
  setConnection(document.getElementById("connection").dataset.state);
  render();
}

// ---------- the stream ----------

function setConnection(connection) {
  const node = document.getElementById("connection");
  node.dataset.state = connection;
  node.textContent = t(connection);
}

class StreamRejected extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

// Reads text/event-stream from a fetch body; calls onEvent(name, data) per complete event.
async function readEvents(response, onEvent, signal) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (!signal.aborted) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replaceAll("\r\n", "\n");
    let boundary;
    while ((boundary = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) onEvent(name, data.join("\n"));
    }
  }
}

async function followStream(query, token, signal) {
  let delay = 500;
  while (!signal.aborted) {
    try {
      setConnection(state.snapshot ? "reconnecting" : "connecting");
      const response = await fetch(`/api/v1/live?${query}`, { headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" }, signal, cache: "no-store" });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new StreamRejected(response.status, typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail ?? ""));
      }
      delay = 500;
      setConnection("live");
      await readEvents(response, (name, data) => {
        if (name !== "figures") return;
        state.snapshot = JSON.parse(data);
        render();
        const revision = JSON.stringify(state.snapshot.revision ?? null);
        if (revision !== state.revision) {
          state.revision = revision;
          loadPanels();
        }
      }, signal);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof StreamRejected && error.status >= 400 && error.status < 500) return showRejection(error);
    }
    if (signal.aborted) return;
    setConnection("reconnecting");
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

function showRejection(error) {
  if (error.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin(t("token_rejected"));
  } else {
    setConnection("reconnecting");
    document.getElementById("connection").textContent = error.status === 403 ? t("forbidden") : `${t("bad_request")}: ${error.message}`;
  }
}

function start() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return showLogin("");
  document.getElementById("login").hidden = true;
  document.getElementById("board").hidden = false;
  document.getElementById("sign-out").hidden = false;
  const period = document.getElementById("period").value.trim();
  const federation = document.getElementById("federation").value.trim().toUpperCase();
  const query = new URLSearchParams({ period });
  if (federation) query.set("federation", federation);
  history.replaceState(null, "", `?${query}`);
  state.stream?.abort();
  state.stream = new AbortController();
  state.snapshot = null;
  state.query = query;
  state.panels = null;
  state.revision = null;
  document.getElementById("sectors").replaceChildren();
  followStream(query.toString(), token, state.stream.signal);
}

function showLogin(message) {
  state.stream?.abort();
  document.getElementById("board").hidden = true;
  document.getElementById("sign-out").hidden = true;
  document.getElementById("login").hidden = false;
  document.getElementById("login-error").textContent = message;
  document.getElementById("token").focus();
}

function currentSemester() {
  const [year, month] = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Jakarta", year: "numeric", month: "numeric" })
    .formatToParts(new Date()).filter((part) => part.type !== "literal").map((part) => Number(part.value));
  return `${year}-S${month <= 6 ? 1 : 2}`;
}

document.addEventListener("DOMContentLoaded", () => {
  const params = new URLSearchParams(location.search);
  document.getElementById("period").value = params.get("period") || currentSemester();
  document.getElementById("federation").value = params.get("federation") || "";
  document.getElementById("language").addEventListener("click", () => {
    state.language = state.language === "id" ? "en" : "id";
    localStorage.setItem(LANGUAGE_KEY, state.language);
    applyLanguage();
  });
  document.getElementById("login").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value.trim());
    document.getElementById("token").value = "";
    start();
  });
  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    start();
  });
  document.getElementById("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin("");
  });
  applyLanguage();
  start();
  setInterval(() => { if (state.snapshot) loadPanels(); }, PANEL_REFRESH_MS);
});
