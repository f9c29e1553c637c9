"""The organisers' app (/app) in Debian's Chromium at phone width, against the real broker and store:
record a member and a violation and move the case to mediation (the reporting dashboard moves);
record offline and send once the signal returns (exactly once, even when sent twice); import a CSV
with bad lines. Screenshots of each screen, in Indonesian, are kept in tests/artifacts/.
"""

from __future__ import annotations

import random
import shutil
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from organising_shared.auth import Role, TokenStore
from organising_shared.mongo import make_mongo_client
from organising_shared.periods import jakarta_today, periods_containing
from recruitment.config import RecruitmentSettings
from recruitment.main import create_app as recruitment_app
from reporting.config import ReportingSettings
from reporting.main import create_app as reporting_app
from tests.e2e.serving import free_port, serving
from tests.e2e.test_dashboard_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.integration.helpers import eventually
from tests.log_scan import submitted

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex
PHONE = {"width": 390, "height": 844}
TODAY = jakarta_today()
PERIOD = next(period for period in periods_containing(TODAY) if "-S" in period.code)


def nik() -> str:
    return submitted("3216" + "".join(random.choices("0123456789", k=12)))


def phone() -> str:
    return submitted("+62812" + "".join(random.choices("0123456789", k=8)))


def name() -> str:
    return submitted(f"Uji Organiser {uuid.uuid4().hex[:6]}")


@dataclass
class Stack:
    recruitment: str
    reporting: str
    fspmi_token: str


@pytest.fixture
async def stack(isolated_settings, namespace, infrastructure) -> AsyncIterator[Stack]:
    app_port = free_port()
    base = {**isolated_settings.model_dump(), "admin_token": ADMIN_TOKEN}
    reporting_settings = ReportingSettings(
        **base,
        database=f"{namespace}_reporting",
        consumer_group=f"{namespace}-reporting",
        cors_origins=(f"http://127.0.0.1:{app_port}",),
    )
    mongo = make_mongo_client(infrastructure.mongodb_url)
    try:
        async with serving(reporting_app(reporting_settings)) as reporting:
            recruitment_settings = RecruitmentSettings(**base, database=f"{namespace}_recruitment", reporting_url=reporting)
            store = TokenStore(mongo[recruitment_settings.auth_database]["tokens"])
            fspmi = await store.issue(name="fspmi-organiser", role=Role.FEDERATION, federation="FSPMI")
            async with serving(recruitment_app(recruitment_settings), port=app_port) as recruitment:
                yield Stack(recruitment, reporting, fspmi)
    finally:
        await mongo.close()


@asynccontextmanager
async def phone_page() -> AsyncIterator[tuple[Page, object]]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium is missing: apt-get install -y chromium (make test installs it)")
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="id-ID")
            yield await context.new_page(), context
        finally:
            await browser.close()


async def sign_in(page: Page, stack: Stack, token: str, *, federation: str | None = None) -> None:
    await page.goto(f"{stack.recruitment}/app/")
    await page.get_by_label("Token akses").fill(token)
    await page.get_by_role("button", name="Masuk").click()
    if federation is not None:  # an admin chooses the federation it acts for
        await page.get_by_label("Bertindak untuk federasi").select_option(federation)
        await page.get_by_role("button", name="Masuk").click()
    await expect(page.locator("#tabs")).to_be_visible()


async def choose(page: Page, form_title: str) -> None:
    await page.locator("#form-choice").select_option(label=form_title)


async def fill_member(page: Page, *, workplace: str = "wp-bekasi-0042") -> None:
    await choose(page, "Daftarkan anggota")
    form = page.locator("#record-form")
    await form.get_by_label("Nama lengkap").fill(name())
    await form.get_by_label("Nomor HP").fill(phone())
    await form.get_by_label("NIK").fill(nik())
    await form.get_by_label("Sektor").select_option("metal")
    await form.get_by_label("ID tempat kerja").fill(workplace)
    await form.locator('[name="region_code.province"]').select_option(label="Jawa Barat")
    await form.locator('[name="region_code.regency"]').fill("16")
    await form.get_by_label("Status kerja").select_option("permanent")
    await form.get_by_label("Jenis kelamin").select_option("female")


async def save(page: Page) -> None:
    await page.locator("#record-form").get_by_role("button", name="Simpan").click()


async def members_of(stack: Stack, federation: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=stack.recruitment, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as http:
        response = await http.get("/api/v1/members", params={"federation": federation, "limit": 500})
        response.raise_for_status()
        return response.json()["items"]


async def test_an_organiser_records_a_member_and_a_case_and_the_dashboard_moves(stack):
    async with phone_page() as (page, _context):
        # KSPI's organising department sets the period's target for the metal sector in the app.
        await sign_in(page, stack, ADMIN_TOKEN, federation="FSPMI")
        await page.get_by_role("button", name="Admin").click()
        targets = page.locator("#target-form")
        await targets.get_by_label("Periode").fill(PERIOD.code)
        await targets.get_by_label("Sektor").select_option("metal")
        await targets.get_by_label("Target anggota baru").fill("40")
        await targets.get_by_label("Target PUK terbentuk").fill("2")
        await targets.get_by_label("Target kasus terselesaikan").fill("3")
        await targets.get_by_role("button", name="Simpan").click()
        await expect(page.locator("#target-result")).to_have_text("Target disimpan.")
        await page.screenshot(path=str(ARTIFACTS / "app-admin-targets.png"), full_page=True)
        await page.get_by_role("button", name="Keluar").click()

        await page.screenshot(path=str(ARTIFACTS / "app-signin.png"), full_page=True)
        await sign_in(page, stack, stack.fspmi_token)
        await expect(page.locator("#acting")).to_have_text("FSPMI")

        # Validation in the page, next to the field, in Bahasa Indonesia.
        await choose(page, "Daftarkan anggota")
        await page.locator("#record-form").get_by_label("NIK").fill("12345")
        await save(page)
        await expect(page.locator('#record-form [data-field="nik"] .field-error')).to_have_text("Format tidak sesuai")
        await expect(page.locator('#record-form [data-field="sector"] .field-error')).to_have_text("Wajib diisi")
        await page.screenshot(path=str(ARTIFACTS / "app-member-form-errors.png"), full_page=True)

        await fill_member(page)
        await page.screenshot(path=str(ARTIFACTS / "app-member-form.png"), full_page=True)
        await save(page)
        await expect(page.locator("#record-result")).to_contain_text("Terkirim dan diterima.")

        await choose(page, "Laporkan pelanggaran")
        form = page.locator("#record-form")
        await form.get_by_label("Sektor").select_option("metal")
        await form.get_by_label("ID tempat kerja").fill("wp-bekasi-0042")
        await form.locator('[name="region_code.province"]').select_option(label="Jawa Barat")
        await form.get_by_label("Jenis pelanggaran").select_option("union_busting")
        await form.get_by_label("Pekerja terdampak").fill("40")
        await form.get_by_label("Perempuan terdampak").fill("12")
        await form.get_by_label("Ringkasan").fill("Pengurus PUK dimutasi setelah pembentukan")
        await page.screenshot(path=str(ARTIFACTS / "app-violation-form.png"), full_page=True)
        await save(page)
        result = page.locator("#record-result")
        await expect(result).to_contain_text("case_id case-fspmi-")
        case_id = (await result.text_content()).split("case_id ", 1)[1].split()[0]

        await choose(page, "Tahap kasus")
        form = page.locator("#record-form")
        await form.get_by_label("ID kasus").fill(case_id)
        await form.get_by_label("Tahap").select_option("mediation")
        await save(page)
        await expect(page.locator("#record-result")).to_contain_text("Terkirim dan diterima.")

        await page.get_by_role("button", name="Antrean").click()
        await expect(page.locator("#queue-count")).to_have_text("0")
        await expect(page.locator('#sent-list [data-state="sent"]')).to_have_count(3)
        await page.screenshot(path=str(ARTIFACTS / "app-queue.png"), full_page=True)

        await page.get_by_role("button", name="Data federasi").click()
        await expect(page.locator("#members-list li")).to_have_count(1)
        await expect(page.locator(f'#cases-list [data-case="{case_id}"]')).to_contain_text("Mediasi", timeout=20_000)
        await page.screenshot(path=str(ARTIFACTS / "app-records.png"), full_page=True)

        # The reporting dashboard has moved: one member in metal, the case in mediation.
        dashboard = await page.context.new_page()
        await dashboard.goto(f"{stack.reporting}/dashboard?period={PERIOD.code}")
        await dashboard.get_by_label("Token akses").fill(ADMIN_TOKEN)
        await dashboard.get_by_role("button", name="Tampilkan dasbor").click()
        await expect(dashboard.get_by_test_id("actual-metal-members_recruited")).to_have_text("1", timeout=20_000)
        await expect(dashboard.locator("#violations")).to_contain_text("Mediasi", timeout=20_000)
        await dashboard.screenshot(path=str(ARTIFACTS / "app-dashboard-after.png"), full_page=True)
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the app is wider than a phone"


async def test_records_made_offline_are_sent_once_when_the_signal_returns(stack):
    async with phone_page() as (page, context):
        await sign_in(page, stack, stack.fspmi_token)
        await context.set_offline(True)
        await expect(page.locator("#network")).to_contain_text("Luring")
        for workplace in ("wp-gate-1", "wp-gate-2"):
            await fill_member(page, workplace=workplace)
            await save(page)
            await expect(page.locator("#record-result")).to_have_text("Disimpan di perangkat; akan dikirim saat koneksi kembali.")
        await expect(page.locator("#queue-count")).to_have_text("2")
        first = await page.evaluate("window.organisingApp.queue.all().then((items) => items[0])")
        await page.get_by_role("button", name="Antrean").click()
        await expect(page.locator("#waiting-list li[data-key]")).to_have_count(2)
        await page.screenshot(path=str(ARTIFACTS / "app-offline-queue.png"), full_page=True)
        assert await members_of(stack, "FSPMI") == []

        await context.set_offline(False)
        await expect(page.locator("#queue-count")).to_have_text("0", timeout=20_000)
        await expect(page.locator('#sent-list [data-state="sent"]')).to_have_count(2)
        assert sorted(member["workplace_id"] for member in await members_of(stack, "FSPMI")) == ["wp-gate-1", "wp-gate-2"]
        # Nothing personal stays on the device once a record was accepted.
        stored = await page.evaluate("window.organisingApp.queue.all()")
        assert stored == []

        # The same record sent twice (its answer lost, the queue replayed) registers once.
        await page.evaluate("(item) => window.organisingApp.queue.add(item)", first)
        await page.evaluate("(item) => Promise.all([window.organisingApp.deliver(item), window.organisingApp.deliver(item)])", first)
        await expect(page.locator("#queue-count")).to_have_text("0")
        await eventually(lambda: _count_is(stack, 2), timeout=5, what="still exactly two members")
        assert len(await members_of(stack, "FSPMI")) == 2


async def _count_is(stack: Stack, expected: int) -> bool:
    return len(await members_of(stack, "FSPMI")) == expected


async def test_a_csv_upload_lists_each_bad_line_with_its_reason(stack):
    header = "sector,workplace_id,region_code,employment_status,gender,recruited_on,full_name,nik"
    day = TODAY.isoformat()
    lines = [
        header,
        f"metal,wp-csv-1,32.16,permanent,female,{day},{name()},{nik()}",
        f"mining,wp-csv-2,32.16,permanent,male,{day},{name()},{nik()}",  # line 3: no such sector
        f"metal,wp-csv-3,32.16,daily,male,{day},{name()},{nik()}",
        f"metal,wp-csv-4,32.16,permanent,male,{day},{name()},12345",  # line 5: not a NIK
    ]
    async with phone_page() as (page, _context):
        await sign_in(page, stack, stack.fspmi_token)
        await page.get_by_role("button", name="Impor CSV").click()
        template = page.get_by_role("link", name="Unduh templat CSV")
        await expect(template).to_have_attribute("href", "template.csv")
        await page.locator("#import-file").set_input_files(
            {"name": "anggota.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}
        )
        await page.get_by_role("button", name="Unggah").click()
        await expect(page.locator('[data-figure="registered"] b')).to_have_text("2")
        await expect(page.locator("#rejected-lines tbody tr")).to_have_count(2)
        await expect(page.locator('#rejected-lines [data-line="3"]')).to_contain_text("sector")
        await expect(page.locator('#rejected-lines [data-line="5"]')).to_contain_text("nik")
        await page.screenshot(path=str(ARTIFACTS / "app-csv-import.png"), full_page=True)

    async with httpx.AsyncClient(base_url=stack.recruitment) as http:
        response = await http.get("/app/template.csv")
    assert response.status_code == 200
    rows = response.content.decode("utf-8-sig").strip().splitlines()
    assert rows[0].startswith("sector,workplace_id,region_code,employment_status,gender,recruited_on")
    assert len(rows) == 2
