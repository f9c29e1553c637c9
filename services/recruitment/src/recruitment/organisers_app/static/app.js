// The organisers' app: sign in with a token, record from a phone, send when there is a signal.
import { FORMS, MESSAGES, today } from "./forms.js";
import { log, queue } from "./queue.js";

const TEXT = {
  title: ["Aplikasi Organiser KSPI", "KSPI Organisers' App"],
  signin: ["Masuk", "Sign in"],
  "signin-help": ["Masukkan token akses federasi Anda. Token hanya disimpan di tab ini.", "Enter your federation's access token. It is kept in this tab only."],
  token: ["Token akses", "Access token"],
  "acting-for": ["Bertindak untuk federasi", "Acting for federation"],
  "signin-button": ["Masuk", "Sign in"],
  "tab-record": ["Catat", "Record"],
  "tab-import": ["Impor CSV", "CSV import"],
  "tab-queue": ["Antrean", "Queue"],
  "tab-records": ["Data federasi", "Federation records"],
  "tab-admin": ["Admin", "Admin"],
  signout: ["Keluar", "Sign out"],
  "record-title": ["Catat", "Record"],
  what: ["Apa yang dicatat?", "What are you recording?"],
  "import-title": ["Impor anggota dari CSV", "Import members from CSV"],
  "import-help": ["Satu baris per anggota, dengan baris judul. Baris yang salah ditolak satu per satu beserta alasannya; baris lainnya tetap didaftarkan.", "One row per member, with a header row. Each wrong line is refused with its reason; the other rows are registered."],
  template: ["Unduh templat CSV", "Download the CSV template"],
  file: ["Berkas CSV", "CSV file"],
  upload: ["Unggah", "Upload"],
  "queue-title": ["Antrean pengiriman", "Sending queue"],
  "queue-help": ["Catatan yang dibuat tanpa sinyal menunggu di sini dan dikirim otomatis saat koneksi kembali.", "Records made without a signal wait here and are sent as soon as the connection returns."],
  "send-now": ["Kirim sekarang", "Send now"],
  waiting: ["Menunggu", "Waiting"],
  sent: ["Terkirim", "Sent"],
  "records-title": ["Data federasi", "Federation records"],
  "recent-members": ["Anggota terbaru", "Recent members"],
  "open-cases": ["Kasus terbuka dan tenggat berikutnya", "Open cases and their next deadline"],
  "plans-due": ["Rencana aksi yang segera jatuh tempo", "Plan items due soon"],
  "admin-title": ["Target periode (Departemen Pengorganisasian KSPI)", "Period targets (KSPI organising department)"],
  "admin-plans": ["Rencana aksi tingkat konfederasi: pilih \"Tambah rencana aksi\" di Catat, lalu \"Seluruh konfederasi\".", "Confederation-wide plan items: choose \"Add an action plan item\" under Record, then \"The whole confederation\"."],
  online: ["Daring", "Online"],
  offline: ["Luring — catatan disimpan di perangkat", "Offline — records are kept on this device"],
  protected: ["dilindungi, dienkripsi", "protected, encrypted"],
  optional: ["opsional", "optional"],
  province: ["Provinsi", "Province"],
  regency: ["Kode kab./kota (2 angka, opsional)", "Regency/city code (2 digits, optional)"],
  choose: ["— pilih —", "— choose —"],
  none: ["— tidak ada —", "— none —"],
  save: ["Simpan", "Save"],
  saved: ["Terkirim dan diterima.", "Sent and accepted."],
  queued: ["Disimpan di perangkat; akan dikirim saat koneksi kembali.", "Saved on this device; it will be sent when the connection returns."],
  refused: ["Ditolak server: periksa kolom yang ditandai.", "Refused by the server: check the marked fields."],
  "bad-token": ["Token tidak dikenal atau sudah dicabut.", "Unknown or revoked token."],
  "viewer-token": ["Token ini hanya untuk dasbor; gunakan token federasi atau admin.", "This token is for dashboards only; use a federation or admin token."],
  "need-signal": ["Butuh koneksi internet.", "Needs an internet connection."],
  "for-whom": ["Untuk", "For"],
  confederation: ["Seluruh konfederasi", "The whole confederation"],
  rows: ["Baris dibaca", "Rows read"],
  registered: ["Terdaftar", "Registered"],
  already: ["Sudah terdaftar", "Already registered"],
  rejected: ["Ditolak", "Rejected"],
  line: ["Baris", "Line"],
  reason: ["Alasan", "Reason"],
  "no-items": ["Tidak ada.", "None."],
  unavailable: ["Belum tersedia.", "Not available yet."],
  deadline: ["Tenggat", "Deadline"],
  "days-left": ["hari kerja lagi", "working days left"],
  "days-late": ["hari kerja terlambat", "working days late"],
  due: ["jatuh tempo", "due"],
  "target-set": ["Target disimpan.", "Target saved."],
  "whole-confederation": ["Seluruh konfederasi", "The whole confederation"],
};

const state = {
  lang: sessionStorage.getItem("lang") || "id",
  token: sessionStorage.getItem("token"),
  session: JSON.parse(sessionStorage.getItem("session") || "null"),
  federation: sessionStorage.getItem("federation"),
  reference: null,
  config: { reporting_url: "" },
  flushing: false,
};

const $ = (selector) => document.querySelector(selector);
const t = (pair) => (Array.isArray(pair) ? pair[state.lang === "en" ? 1 : 0] : pair);
const text = (key) => t(TEXT[key]);
const api = (path) => new URL(`../${path}`, location.href).href;
const reporting = (path) => `${state.config.reporting_url}/${path}`;

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function label(ref, code) {
  const entry = (state.reference?.[ref] || []).find((item) => item.code === code);
  return entry ? (state.lang === "en" ? entry.label_en : entry.label_id) : code;
}

// -- language and network ------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll("[data-i18n]")) {
    const key = node.dataset.i18n;
    const count = node.querySelector(".count");
    node.textContent = text(key) + (count ? " " : "");
    if (count) node.append(count);
  }
  $("#language").textContent = state.lang === "en" ? "Bahasa Indonesia" : "English";
  $("#language").setAttribute("aria-label", state.lang === "en" ? "Ganti ke Bahasa Indonesia" : "Switch to English");
  showNetwork();
  if (state.session) {
    renderFormChoice();
    renderTargetForm();
    renderQueue();
  }
}

function showNetwork() {
  const online = navigator.onLine;
  $("#network").textContent = text(online ? "online" : "offline");
  $("#network").classList.toggle("offline", !online);
}

// -- sign-in -------------------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const error = $("#signin-error");
  error.textContent = "";
  const token = $("#token").value.trim() || state.token;
  if (!token) {
    error.textContent = t(MESSAGES.required);
    $("#token").setAttribute("aria-invalid", "true");
    return;
  }
  if (!state.session || state.token !== token) {
    let response;
    try {
      response = await fetch(api("api/v1/session"), { headers: { Authorization: `Bearer ${token}` } });
    } catch {
      error.textContent = text("need-signal");
      return;
    }
    if (!response.ok) {
      error.textContent = text("bad-token");
      $("#token").setAttribute("aria-invalid", "true");
      return;
    }
    const session = await response.json();
    if (session.role === "viewer") {
      error.textContent = text("viewer-token");
      return;
    }
    state.token = token;
    state.session = session;
    sessionStorage.setItem("token", token);
    sessionStorage.setItem("session", JSON.stringify(session));
    if (session.role === "admin") {
      const select = $("#acting-federation");
      select.replaceChildren(...session.federations.map((code) => element("option", { value: code, text: code })));
      $("#federation-choice").hidden = false;
      return; // an admin chooses the federation, then signs in again with the same button
    }
  }
  state.federation = state.session.role === "admin" ? $("#acting-federation").value : state.session.federation;
  sessionStorage.setItem("federation", state.federation);
  await enter();
}

async function enter() {
  $("#signin").hidden = true;
  $("#tabs").hidden = false;
  $("#acting").hidden = false;
  $("#acting").textContent = state.federation;
  $('[data-screen="admin"]').hidden = state.session.role !== "admin";
  await loadReference();
  renderFormChoice();
  renderTargetForm();
  show("record");
  await renderQueue();
  flush();
}

function signOut() {
  sessionStorage.clear();
  location.reload();
}

async function loadReference() {
  if (state.reference) return;
  try {
    const response = await fetch(api("api/v1/reference"));
    if (response.ok) state.reference = await response.json();
  } catch {
    state.reference = null; // offline and not cached yet: selects show codes only
  }
  state.reference ||= {};
}

function show(screen) {
  for (const node of document.querySelectorAll(".screen")) node.hidden = node.id !== screen;
  for (const button of document.querySelectorAll("nav [data-screen]")) {
    if (button.dataset.screen === screen) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  if (screen === "records") renderRecords();
  if (screen === "queue") renderQueue();
}

// -- forms ---------------------------------------------------------------------------------------

function renderFormChoice() {
  const select = $("#form-choice");
  const chosen = select.value || "member";
  select.replaceChildren(...FORMS.map((form) => element("option", { value: form.id, text: t(form.title) })));
  select.value = chosen;
  renderForm(FORMS.find((form) => form.id === select.value));
}

function options(ref, required) {
  const list = state.reference?.[ref] || [];
  const first = element("option", { value: "", text: text(required ? "choose" : "none") });
  return [first, ...list.map((item) => element("option", { value: item.code, text: state.lang === "en" ? item.label_en : item.label_id }))];
}

function fieldControl(form, field) {
  const id = `f-${form.id}-${field.name.replace(".", "-")}`;
  const wrapper = element("div", { class: "field", "data-field": field.name });
  const caption = element("label", { for: id, text: t(field.label) });
  if (field.protected) caption.append(element("span", { class: "protected", text: `(${text("protected")})` }));
  else if (!field.required) caption.append(element("span", { class: "optional", text: `(${text("optional")})` }));
  wrapper.append(caption);
  let control;
  if (field.type === "select") {
    control = element("select", { id, name: field.name });
    control.append(...options(field.ref, field.required));
  } else if (field.type === "textarea") {
    control = element("textarea", { id, name: field.name, maxlength: field.max });
  } else if (field.type === "region") {
    control = element("div", { class: "region" });
    const province = element("select", { id, name: `${field.name}.province`, "aria-label": text("province") });
    province.append(...options("provinces", true));
    const regency = element("input", { name: `${field.name}.regency`, inputmode: "numeric", maxlength: 2, placeholder: "16", "aria-label": text("regency") });
    control.append(province, regency);
  } else {
    const type = field.type === "number" ? "number" : field.type;
    control = element("input", { id, name: field.name, type, inputmode: field.inputmode, step: field.step, autocomplete: field.protected ? "off" : undefined, list: field.list ? `list-${field.list}` : undefined });
    if (field.default) control.value = field.default();
  }
  wrapper.append(control);
  if (field.hint) wrapper.append(element("p", { class: "hint", text: t(field.hint) }));
  wrapper.append(element("p", { class: "field-error", id: `${id}-error`, role: "alert" }));
  return wrapper;
}

function renderForm(form) {
  const node = $("#record-form");
  node.replaceChildren();
  node.dataset.form = form.id;
  if (form.confederationWide && state.session?.role === "admin") {
    const whom = { name: "__scope", type: "select", ref: "__scope", required: true, label: TEXT["for-whom"] };
    const wrapper = fieldControl(form, whom);
    const select = wrapper.querySelector("select");
    select.replaceChildren(
      element("option", { value: state.federation, text: state.federation }),
      element("option", { value: "__confederation", text: text("confederation") }),
    );
    node.append(wrapper);
  }
  for (const field of form.fields) node.append(fieldControl(form, field));
  node.append(element("button", { type: "submit", class: "primary", text: text("save") }));
  $("#record-result").textContent = "";
}

function readValues(form, node) {
  const values = {};
  for (const field of form.fields) {
    let raw;
    if (field.type === "region") {
      const province = node.querySelector(`[name="${field.name}.province"]`).value;
      const regency = node.querySelector(`[name="${field.name}.regency"]`).value.trim();
      raw = province ? (regency ? `${province}.${regency}` : province) : "";
    } else {
      raw = node.querySelector(`[name="${field.name}"]`).value.trim();
    }
    if (raw === "") continue;
    const value = field.type === "number" ? Number(raw) : raw;
    const [head, tail] = field.name.split(".");
    if (tail) (values[head] ||= {})[tail] = value;
    else values[head] = value;
  }
  return values;
}

const PERSONAL = [/(\+62|\b0)8[0-9][0-9 \-]{6,14}[0-9]/, /\b[0-9]{16}\b/, /[^\s@]+@[^\s@]+\.[^\s@]+/];

function validate(form, values) {
  const problems = {};
  const get = (name) => name.split(".").reduce((value, part) => (value == null ? undefined : value[part]), values);
  for (const field of form.fields) {
    const value = get(field.name);
    if (value === undefined) {
      if (field.required) problems[field.name] = MESSAGES.required;
      continue;
    }
    if (field.type === "number") {
      if (!Number.isFinite(value) || (!field.step && !Number.isInteger(value))) problems[field.name] = MESSAGES.number;
      else if ((field.min !== undefined && value < field.min) || (field.maxValue !== undefined && value > field.maxValue)) problems[field.name] = MESSAGES.range(field.min ?? 0, field.maxValue);
      else if (field.atMost && values[field.atMost] !== undefined && value > values[field.atMost]) problems[field.name] = MESSAGES.atMost;
    } else if (typeof value === "string") {
      if (field.max && value.length > field.max) problems[field.name] = MESSAGES.tooLong(field.max);
      else if (field.pattern && !new RegExp(field.pattern).test(value)) problems[field.name] = MESSAGES.pattern;
      else if (field.type === "region" && !/^[0-9]{2}(\.[0-9]{2})?$/.test(value)) problems[field.name] = MESSAGES.pattern;
      else if (field.past && value > today()) problems[field.name] = MESSAGES.future;
      else if (field.freeText && PERSONAL.some((pattern) => pattern.test(value))) problems[field.name] = MESSAGES.personal;
    }
  }
  if (form.atLeastOne && !form.atLeastOne.some((name) => values[name] !== undefined)) problems[form.atLeastOne[0]] = MESSAGES.atLeastOne;
  return { ...problems, ...(form.check ? form.check(values) : {}) };
}

function showProblems(node, problems) {
  for (const wrapper of node.querySelectorAll(".field")) {
    const message = problems[wrapper.dataset.field];
    wrapper.querySelector(".field-error").textContent = message ? t(message) : "";
    for (const control of wrapper.querySelectorAll("input, select, textarea")) {
      if (message) control.setAttribute("aria-invalid", "true");
      else control.removeAttribute("aria-invalid");
    }
  }
  const first = node.querySelector('[aria-invalid="true"]');
  if (first) first.focus();
}

// The server's problem details (RFC 9457) next to the fields they name: `body.sector` → sector.
function serverProblems(problem) {
  const problems = {};
  for (const item of problem?.errors || []) {
    const field = String(item.field || "").replace(/^body\./, "").replace(/^path\./, "");
    problems[field] = [`Ditolak server: ${item.reason}`, `Refused by the server: ${item.reason}`];
  }
  if (!Object.keys(problems).length && problem?.detail) problems.__form = [problem.detail, problem.detail];
  return problems;
}

async function submitRecord(event) {
  event.preventDefault();
  const node = event.target;
  const form = FORMS.find((candidate) => candidate.id === node.dataset.form);
  const values = readValues(form, node);
  const problems = validate(form, values);
  showProblems(node, problems);
  if (Object.keys(problems).length) return;
  const body = { ...values };
  for (const field of form.fields) if (field.path) delete body[field.name];
  if (form.scoped) {
    const scope = node.querySelector('[name="__scope"]')?.value;
    if (scope !== "__confederation") body.federation = state.federation;
  }
  const item = {
    key: crypto.randomUUID(), // the Idempotency-Key: the same record, however often sent, registers once
    form: form.id,
    path: form.path(values),
    body,
    personal: (form.personal || []).some((name) => body[name] !== undefined),
    created_at: new Date().toISOString(),
  };
  await queue.add(item);
  await renderQueue();
  const outcome = navigator.onLine ? await deliver(item) : { state: "waiting" };
  const result = $("#record-result");
  if (outcome.state === "sent") {
    result.className = "ok";
    const done = form.done ? form.done(outcome.body).filter(Boolean).map(t).join(" · ") : "";
    result.textContent = `${text("saved")} ${done}`;
    renderForm(form);
    $("#record-result").className = "ok";
    $("#record-result").textContent = `${text("saved")} ${done}`;
  } else if (outcome.state === "rejected") {
    result.className = "error";
    result.textContent = text("refused");
    const found = serverProblems(outcome.problem);
    showProblems(node, found);
    if (found.__form) result.textContent = `${text("refused")} ${t(found.__form)}`;
  } else {
    renderForm(form);
    $("#record-result").className = "";
    $("#record-result").textContent = text("queued");
  }
}

// -- sending -------------------------------------------------------------------------------------

async function send(item) {
  let response;
  try {
    response = await fetch(api(item.path), {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${state.token}`, "Idempotency-Key": item.key },
      body: JSON.stringify(item.body),
    });
  } catch {
    return { state: "waiting" }; // no signal: it stays queued
  }
  const body = await response.json().catch(() => ({}));
  if (response.ok) return { state: "sent", body };
  // Transient: the service or the store is away, or the token needs signing in again.
  if (response.status >= 500 || response.status === 429 || response.status === 408 || response.status === 401) return { state: "waiting" };
  return { state: "rejected", problem: body };
}

// Sends one queued record and settles it: nothing personal stays on the device once answered.
async function deliver(item) {
  const outcome = await send(item);
  if (outcome.state === "waiting") return outcome;
  await queue.remove(item.key);
  const form = FORMS.find((candidate) => candidate.id === item.form);
  const reasons = outcome.state === "rejected" ? (outcome.problem?.errors || []).map((error) => `${error.field}: ${error.reason}`) : [];
  if (outcome.state === "rejected" && !reasons.length && outcome.problem?.detail) reasons.push(outcome.problem.detail);
  await log.add({
    key: item.key,
    form: item.form,
    state: outcome.state,
    created_at: item.created_at,
    sent_at: new Date().toISOString(),
    result: outcome.state === "sent" && form?.done ? form.done(outcome.body).filter((part) => typeof part === "string") : [],
    reasons,
  });
  await renderQueue();
  return outcome;
}

async function flush() {
  if (state.flushing || !state.token) return;
  state.flushing = true;
  try {
    for (const item of await queue.all()) {
      const outcome = await deliver(item);
      if (outcome.state === "waiting") break; // still no signal: try again later, in order
    }
  } finally {
    state.flushing = false;
  }
}

async function renderQueue() {
  const waiting = await queue.all();
  $("#queue-count").textContent = String(waiting.length);
  const title = (id) => t(FORMS.find((form) => form.id === id)?.title || id);
  $("#waiting-list").replaceChildren(
    ...(waiting.length
      ? waiting.map((item) => element("li", { "data-key": item.key }, element("div", { text: title(item.form) }), element("div", { class: "meta", text: new Date(item.created_at).toLocaleString(state.lang === "en" ? "en-GB" : "id-ID") })))
      : [element("li", { class: "meta", text: text("no-items") })]),
  );
  const entries = await log.all();
  $("#sent-list").replaceChildren(
    ...(entries.length
      ? entries.map((entry) =>
          element(
            "li",
            { class: entry.state === "rejected" ? "rejected" : "", "data-state": entry.state },
            element("div", { text: `${title(entry.form)} — ${entry.state === "sent" ? text("saved") : text("rejected")}` }),
            element("div", { class: "meta", text: [...entry.result, ...entry.reasons].join(" · ") }),
          ),
        )
      : [element("li", { class: "meta", text: text("no-items") })]),
  );
}

// -- CSV import ----------------------------------------------------------------------------------

async function importCsv(event) {
  event.preventDefault();
  const file = $("#import-file").files[0];
  const error = $("#import-error");
  const result = $("#import-result");
  error.textContent = "";
  result.replaceChildren();
  if (!file) {
    error.textContent = t(MESSAGES.required);
    return;
  }
  const data = new FormData();
  data.append("file", file);
  let response;
  try {
    response = await fetch(api(`api/v1/members/import?federation=${encodeURIComponent(state.federation)}`), {
      method: "POST",
      headers: { Authorization: `Bearer ${state.token}`, "Idempotency-Key": crypto.randomUUID() },
      body: data,
    });
  } catch {
    error.textContent = text("need-signal");
    return;
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    error.textContent = (body.errors || []).map((item) => `${item.field}: ${item.reason}`).join("; ") || body.detail || response.statusText;
    return;
  }
  const figure = (key, value) => element("div", { "data-figure": key }, element("b", { text: String(value) }), element("span", { text: text(key) }));
  result.append(element("div", { class: "summary" }, figure("rows", body.rows), figure("registered", body.registered), figure("already", body.already_registered), figure("rejected", body.rejected.length)));
  if (body.rejected.length) {
    const rows = body.rejected.map((line) => element("tr", { "data-line": line.line }, element("td", { text: String(line.line) }), element("td", { text: line.reason })));
    result.append(element("table", { id: "rejected-lines" }, element("thead", {}, element("tr", {}, element("th", { text: text("line") }), element("th", { text: text("reason") }))), element("tbody", {}, ...rows)));
  }
}

// -- the federation's records --------------------------------------------------------------------

async function getJson(url) {
  try {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${state.token}` } });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

function list(node, items, render) {
  node.replaceChildren(...(items === null ? [element("li", { class: "meta", text: text("unavailable") })] : items.length ? items.map(render) : [element("li", { class: "meta", text: text("no-items") })]));
}

async function renderRecords() {
  const federation = encodeURIComponent(state.federation);
  const [members, cases, plans] = await Promise.all([
    getJson(api(`api/v1/members?federation=${federation}&limit=20`)),
    getJson(reporting(`api/v1/violations?state=open&federation=${federation}`)),
    getJson(api(`api/v1/plan-items?federation=${federation}`)),
  ]);
  const memberItems = members ? [...(members.items || [])].reverse() : null;
  list($("#members-list"), memberItems, (member) =>
    element("li", {}, element("div", { text: member.member_ref }), element("div", { class: "meta", text: `${label("sectors", member.sector)} · ${member.workplace_id} · ${member.recruited_on}${member.left_on ? ` → ${member.left_on}` : ""}` })),
  );
  const datalist = (id, values) => {
    const node = document.getElementById(`list-${id}`) || document.body.appendChild(element("datalist", { id: `list-${id}` }));
    node.replaceChildren(...values.map((value) => element("option", { value })));
  };
  if (memberItems) datalist("members", memberItems.map((member) => member.member_ref));
  const openCases = cases ? [...(cases.cases || [])].sort((a, b) => String(a.deadline || "9999").localeCompare(String(b.deadline || "9999"))) : null;
  list($("#cases-list"), openCases, (item) => {
    const late = item.working_days_left != null && item.working_days_left < 0;
    const when = item.deadline
      ? `${text("deadline")} ${item.deadline} (${late ? `${-item.working_days_left} ${text("days-late")}` : `${item.working_days_left} ${text("days-left")}`})`
      : "";
    return element("li", { class: late ? "late" : "", "data-case": item.case_id }, element("div", { text: `${item.case_id} · ${label("case_stages", item.stage)}` }), element("div", { class: "meta", text: `${label("violation_categories", item.category)} · ${when}` }));
  });
  if (openCases) datalist("cases", openCases.map((item) => item.case_id));
  const horizon = new Date(Date.now() + 37 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  const planItems = plans ? (plans.items || []).filter((item) => !["done", "dropped"].includes(item.status) && item.due_on <= horizon).sort((a, b) => a.due_on.localeCompare(b.due_on)) : null;
  list($("#plans-list"), planItems, (item) =>
    element("li", { class: item.due_on < today() ? "late" : "" }, element("div", { text: item.title }), element("div", { class: "meta", text: `${item.item_id} · ${label("plan_item_statuses", item.status)} · ${text("due")} ${item.due_on}` })),
  );
  if (plans) datalist("plans", (plans.items || []).map((item) => item.item_id));
}

// -- admin: targets ------------------------------------------------------------------------------

const TARGET_FORM = {
  id: "target",
  fields: [
    { name: "period", type: "text", required: true, pattern: "^[0-9]{4}(-S[12]|-Q[1-4])?$", default: () => `${today().slice(0, 4)}-S${today().slice(5, 7) <= "06" ? 1 : 2}`, label: ["Periode", "Period"], hint: ["mis. 2026-S1", "e.g. 2026-S1"] },
    { name: "sector", type: "select", ref: "sectors", required: true, label: ["Sektor", "Sector"] },
    { name: "federation", type: "select", ref: "federations", label: ["Federasi (kosong: seluruh konfederasi)", "Federation (empty: the whole confederation)"] },
    { name: "members_recruited", type: "number", required: true, min: 0, maxValue: 10000000, label: ["Target anggota baru", "Members recruited"] },
    { name: "union_units_established", type: "number", required: true, min: 0, maxValue: 10000000, label: ["Target PUK terbentuk", "Union units established"] },
    { name: "cases_resolved", type: "number", required: true, min: 0, maxValue: 10000000, label: ["Target kasus terselesaikan", "Cases resolved"] },
  ],
};

function renderTargetForm() {
  const node = $("#target-form");
  node.replaceChildren(...TARGET_FORM.fields.map((field) => fieldControl(TARGET_FORM, field)), element("button", { type: "submit", class: "primary", text: text("save") }));
}

async function submitTarget(event) {
  event.preventDefault();
  const node = event.target;
  const values = readValues(TARGET_FORM, node);
  const problems = validate(TARGET_FORM, values);
  showProblems(node, problems);
  if (Object.keys(problems).length) return;
  const { period, sector, ...body } = values;
  const result = $("#target-result");
  let response;
  try {
    response = await fetch(reporting(`api/v1/targets/${encodeURIComponent(period)}/${encodeURIComponent(sector)}`), {
      method: "PUT",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${state.token}` },
      body: JSON.stringify(body),
    });
  } catch {
    result.className = "error";
    result.textContent = text("need-signal");
    return;
  }
  if (response.ok) {
    result.className = "ok";
    result.textContent = text("target-set");
  } else {
    const problem = await response.json().catch(() => ({}));
    result.className = "error";
    showProblems(node, serverProblems(problem));
    result.textContent = `${text("refused")} ${problem.detail || ""}`;
  }
}

// -- start ---------------------------------------------------------------------------------------

async function start() {
  try {
    const response = await fetch("config.json");
    if (response.ok) state.config = await response.json();
  } catch {
    /* offline before the first visit cached it: records still work, reporting reads do not */
  }
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js", { scope: "./" }).catch(() => undefined);
  $("#signin-form").addEventListener("submit", signIn);
  $("#record-form").addEventListener("submit", submitRecord);
  $("#import-form").addEventListener("submit", importCsv);
  $("#target-form").addEventListener("submit", submitTarget);
  $("#form-choice").addEventListener("change", () => renderForm(FORMS.find((form) => form.id === $("#form-choice").value)));
  $("#signout").addEventListener("click", signOut);
  $("#send-now").addEventListener("click", flush);
  for (const button of document.querySelectorAll("nav [data-screen]")) button.addEventListener("click", () => show(button.dataset.screen));
  $("#language").addEventListener("click", () => {
    state.lang = state.lang === "en" ? "id" : "en";
    sessionStorage.setItem("lang", state.lang);
    applyLanguage();
  });
  window.addEventListener("online", () => {
    showNetwork();
    flush();
  });
  window.addEventListener("offline", showNetwork);
  setInterval(flush, 30_000);
  applyLanguage();
  if (state.token && state.session && state.federation) await enter();
}

// For tests and for a person at the console: send whatever waits, now.
window.organisingApp = { flush, deliver, queue };

start();
