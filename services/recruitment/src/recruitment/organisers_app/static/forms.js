// What the intake accepts, as forms: one definition per record kind. Labels are [Bahasa Indonesia,
// English]; `ref` names a list of GET /api/v1/reference; `path` builds the URL from the values
// (a path field is not sent in the body); `scoped` forms carry the acting federation in the body.

const today = () => new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10); // Asia/Jakarta

const workplace = [
  { name: "sector", type: "select", ref: "sectors", required: true, label: ["Sektor", "Sector"] },
  { name: "workplace_id", type: "text", required: true, max: 128, label: ["ID tempat kerja", "Workplace id"], hint: ["Kode tempat kerja dari federasi, mis. wp-bekasi-0042", "The federation's workplace code, e.g. wp-bekasi-0042"] },
  { name: "region_code", type: "region", required: true, label: ["Wilayah", "Region"] },
];

export const FORMS = [
  {
    id: "member", title: ["Daftarkan anggota", "Register a member"], path: () => "api/v1/members", scoped: true,
    personal: ["full_name", "phone", "nik"],
    fields: [
      { name: "full_name", type: "text", max: 200, protected: true, label: ["Nama lengkap", "Full name"] },
      { name: "phone", type: "tel", protected: true, pattern: "^\\+?[0-9][0-9 \\-]{5,22}$", label: ["Nomor HP", "Phone number"], hint: ["mis. +6281234567890", "e.g. +6281234567890"] },
      { name: "nik", type: "text", protected: true, inputmode: "numeric", pattern: "^[0-9]{16}$", label: ["NIK", "NIK (national ID)"], hint: ["16 angka", "16 digits"] },
      ...workplace,
      { name: "employment_status", type: "select", ref: "employment_statuses", required: true, label: ["Status kerja", "Employment status"] },
      { name: "gender", type: "select", ref: "genders", required: true, label: ["Jenis kelamin", "Gender"] },
      { name: "age_band", type: "select", ref: "age_bands", label: ["Kelompok umur", "Age band"] },
      { name: "recruited_on", type: "date", required: true, past: true, default: today, label: ["Tanggal bergabung", "Joined on"] },
    ],
    done: (body) => [`member_ref ${body.member_ref}`, body.already_registered ? ["sudah terdaftar", "already registered"] : null],
  },
  {
    id: "leave", title: ["Anggota keluar", "A member leaves"], path: (v) => `api/v1/members/${encodeURIComponent(v.member_ref)}/leave`,
    fields: [
      { name: "member_ref", type: "text", required: true, max: 64, path: true, list: "members", label: ["Kode anggota (member_ref)", "Member ref"] },
      { name: "reason", type: "select", ref: "leave_reasons", required: true, label: ["Alasan", "Reason"] },
      { name: "left_on", type: "date", required: true, past: true, default: today, label: ["Tanggal keluar", "Left on"] },
    ],
  },
  {
    id: "unit", title: ["PUK terbentuk", "Union unit (PUK) formed"], path: () => "api/v1/union-units", scoped: true,
    fields: [
      ...workplace,
      { name: "founding_members", type: "number", required: true, min: 1, maxValue: 10000000, label: ["Anggota pendiri", "Founding members"] },
      { name: "women_on_board", type: "number", min: 0, maxValue: 10000000, label: ["Perempuan di pengurus", "Women on the board"] },
      { name: "established_on", type: "date", required: true, past: true, default: today, label: ["Tanggal berdiri", "Established on"] },
    ],
    done: (body) => [`unit_id ${body.unit_id}`],
  },
  {
    id: "violation", title: ["Laporkan pelanggaran", "Report a violation"], path: () => "api/v1/violations", scoped: true,
    fields: [
      ...workplace,
      { name: "category", type: "select", ref: "violation_categories", required: true, label: ["Jenis pelanggaran", "Category"] },
      { name: "workers_affected", type: "number", required: true, min: 1, maxValue: 10000000, label: ["Pekerja terdampak", "Workers affected"] },
      { name: "women_affected", type: "number", min: 0, maxValue: 10000000, label: ["Perempuan terdampak", "Women affected"], atMost: "workers_affected" },
      { name: "reported_on", type: "date", required: true, past: true, default: today, label: ["Tanggal laporan", "Reported on"] },
      { name: "summary", type: "textarea", max: 2000, freeText: true, label: ["Ringkasan", "Summary"], hint: ["Tanpa nama, NIK, nomor HP atau e-mail", "No names, NIK, phone numbers or e-mail addresses"] },
    ],
    done: (body) => [`case_id ${body.case_id}`],
  },
  {
    id: "progress", title: ["Tahap kasus", "Case moves to a stage"], path: (v) => `api/v1/violations/${encodeURIComponent(v.case_id)}/progress`,
    fields: [
      { name: "case_id", type: "text", required: true, max: 128, path: true, list: "cases", label: ["ID kasus", "Case id"] },
      { name: "stage", type: "select", ref: "case_stages", required: true, label: ["Tahap", "Stage"] },
      { name: "changed_on", type: "date", required: true, past: true, default: today, label: ["Tanggal", "Date"] },
    ],
  },
  {
    id: "close", title: ["Kasus selesai", "Case closed"], path: (v) => `api/v1/violations/${encodeURIComponent(v.case_id)}/close`,
    fields: [
      { name: "case_id", type: "text", required: true, max: 128, path: true, list: "cases", label: ["ID kasus", "Case id"] },
      { name: "outcome", type: "select", ref: "case_outcomes", required: true, label: ["Hasil", "Outcome"] },
      { name: "recovered_idr", type: "number", min: 0, maxValue: 1e15, label: ["Uang dipulihkan (Rp)", "Money recovered (IDR)"] },
      { name: "workers_benefited", type: "number", min: 0, maxValue: 10000000, label: ["Pekerja yang mendapat manfaat", "Workers benefited"] },
      { name: "closed_on", type: "date", required: true, past: true, default: today, label: ["Tanggal selesai", "Closed on"] },
    ],
  },
  {
    id: "workplace", title: ["Daftarkan tempat kerja", "Register a workplace"], path: () => "api/v1/workplaces", scoped: true,
    fields: [
      ...workplace,
      { name: "employer", type: "text", required: true, max: 200, freeText: true, label: ["Perusahaan", "Employer"] },
      { name: "workforce", type: "number", required: true, min: 1, maxValue: 10000000, label: ["Jumlah pekerja", "Workforce"] },
      { name: "women_percent", type: "number", min: 0, maxValue: 100, step: "0.1", label: ["Persen perempuan", "Women (%)"] },
      { name: "outsourced_percent", type: "number", min: 0, maxValue: 100, step: "0.1", label: ["Persen alih daya", "Outsourced (%)"] },
      { name: "cba", type: "select", ref: "cba_statuses", required: true, label: ["PKB", "Collective agreement (PKB)"] },
      { name: "cba_expires_on", type: "date", label: ["PKB berakhir", "PKB expires on"] },
    ],
  },
  {
    id: "workplace-update", title: ["Perbarui tempat kerja", "Update a workplace"], scoped: true,
    path: (v) => `api/v1/workplaces/${encodeURIComponent(v.workplace_id)}/updates`, atLeastOne: ["employer", "workforce", "women_percent", "outsourced_percent", "cba", "cba_expires_on"],
    fields: [
      { name: "workplace_id", type: "text", required: true, max: 128, path: true, label: ["ID tempat kerja", "Workplace id"] },
      { name: "changed_on", type: "date", required: true, past: true, default: today, label: ["Tanggal perubahan", "Changed on"] },
      { name: "employer", type: "text", max: 200, freeText: true, label: ["Perusahaan", "Employer"] },
      { name: "workforce", type: "number", min: 1, maxValue: 10000000, label: ["Jumlah pekerja", "Workforce"] },
      { name: "women_percent", type: "number", min: 0, maxValue: 100, step: "0.1", label: ["Persen perempuan", "Women (%)"] },
      { name: "outsourced_percent", type: "number", min: 0, maxValue: 100, step: "0.1", label: ["Persen alih daya", "Outsourced (%)"] },
      { name: "cba", type: "select", ref: "cba_statuses", label: ["PKB", "Collective agreement (PKB)"] },
      { name: "cba_expires_on", type: "date", label: ["PKB berakhir", "PKB expires on"] },
    ],
  },
  {
    id: "plan", title: ["Tambah rencana aksi", "Add an action plan item"], path: () => "api/v1/plan-items", scoped: true, confederationWide: true,
    fields: [
      { name: "period", type: "text", required: true, pattern: "^[0-9]{4}(-S[12]|-Q[1-4])?$", default: () => `${today().slice(0, 4)}-S${today().slice(5, 7) <= "06" ? 1 : 2}`, label: ["Periode", "Period"], hint: ["mis. 2026-S1", "e.g. 2026-S1"] },
      { name: "sector", type: "select", ref: "sectors", required: true, label: ["Sektor", "Sector"] },
      { name: "kind", type: "select", ref: "plan_item_kinds", required: true, label: ["Jenis", "Kind"] },
      { name: "title", type: "text", required: true, max: 200, freeText: true, label: ["Judul", "Title"] },
      { name: "responsible", type: "text", required: true, max: 100, freeText: true, label: ["Penanggung jawab (kantor)", "Responsible (office)"], hint: ["Nama kantor, bukan nama orang", "An office, not a person"] },
      { name: "due_on", type: "date", required: true, label: ["Tenggat", "Due on"] },
      { name: "planned_count", type: "number", min: 0, maxValue: 10000000, label: ["Jumlah direncanakan", "Planned count"] },
      { name: "programme", type: "select", ref: "programmes", label: ["Program", "Programme"] },
    ],
    done: (body) => [`item_id ${body.item_id}`],
  },
  {
    id: "plan-progress", title: ["Kemajuan rencana aksi", "Progress a plan item"], path: (v) => `api/v1/plan-items/${encodeURIComponent(v.item_id)}/progress`,
    fields: [
      { name: "item_id", type: "text", required: true, max: 64, path: true, list: "plans", label: ["ID rencana", "Plan item id"] },
      { name: "status", type: "select", ref: "plan_item_statuses", required: true, label: ["Status", "Status"] },
      { name: "changed_on", type: "date", required: true, past: true, default: today, label: ["Tanggal", "Date"] },
      { name: "note", type: "textarea", max: 1000, freeText: true, label: ["Catatan", "Note"], hint: ["Tanpa nama, NIK, nomor HP atau e-mail", "No names, NIK, phone numbers or e-mail addresses"] },
    ],
  },
  {
    id: "activity", title: ["Kegiatan", "An activity held"], path: () => "api/v1/activities", scoped: true,
    fields: [
      { name: "kind", type: "select", ref: "activity_kinds", required: true, label: ["Jenis kegiatan", "Kind"] },
      { name: "title", type: "text", required: true, max: 200, freeText: true, label: ["Judul", "Title"] },
      { name: "held_on", type: "date", required: true, past: true, default: today, label: ["Tanggal", "Held on"] },
      { name: "days", type: "number", required: true, min: 1, maxValue: 30, default: () => "1", label: ["Jumlah hari", "Days"] },
      { name: "sector", type: "select", ref: "sectors", label: ["Sektor (kosong: beberapa sektor)", "Sector (empty: several)"] },
      { name: "region_code", type: "region", required: true, label: ["Wilayah", "Region"] },
      { name: "participants.female", type: "number", required: true, min: 0, maxValue: 10000000, default: () => "0", label: ["Peserta perempuan", "Women taking part"] },
      { name: "participants.male", type: "number", required: true, min: 0, maxValue: 10000000, default: () => "0", label: ["Peserta laki-laki", "Men taking part"] },
      { name: "participants.unspecified", type: "number", required: true, min: 0, maxValue: 10000000, default: () => "0", label: ["Peserta lainnya", "Others taking part"] },
      { name: "cadres_trained", type: "number", min: 0, maxValue: 10000000, label: ["Kader terlatih", "Cadres trained"] },
      { name: "plan_item_id", type: "text", max: 64, list: "plans", label: ["ID rencana aksi", "Plan item id"] },
      { name: "programme", type: "select", ref: "programmes", label: ["Program", "Programme"] },
    ],
    check: (v) => {
      const p = v.participants || {};
      const total = (p.female || 0) + (p.male || 0) + (p.unspecified || 0);
      const problems = {};
      if (total < 1) problems["participants.female"] = ["Jumlah peserta minimal 1", "At least one participant"];
      if (v.cadres_trained != null && v.cadres_trained > total) problems.cadres_trained = ["Tidak boleh melebihi jumlah peserta", "Cannot exceed the participants"];
      return problems;
    },
    done: (body) => [`activity_id ${body.activity_id}`],
  },
];

// Shown for what organisers type: the rule in words, Bahasa Indonesia first.
export const MESSAGES = {
  required: ["Wajib diisi", "Required"],
  tooLong: (n) => [`Maksimal ${n} karakter`, `At most ${n} characters`],
  pattern: ["Format tidak sesuai", "Not in the expected format"],
  number: ["Harus berupa angka bulat", "Must be a whole number"],
  range: (a, b) => [`Harus antara ${a} dan ${b}`, `Must be between ${a} and ${b}`],
  future: ["Tanggal tidak boleh di masa depan", "The date cannot be in the future"],
  atMost: ["Tidak boleh melebihi pekerja terdampak", "Cannot exceed the workers affected"],
  personal: ["Jangan tulis nomor HP, NIK atau e-mail di sini", "Do not write phone numbers, NIK or e-mail addresses here"],
  atLeastOne: ["Isi minimal satu perubahan", "Fill in at least one change"],
};

export { today };
