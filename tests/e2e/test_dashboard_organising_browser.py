"""The organising work on the dashboard, in a real headless Chromium (Debian's package) against the
real broker, store and reporting service: a sector's targets with their pace charts and action
plan (one item overdue), the workplaces and density panel, and the cases near or past their stage
deadline, in Bahasa Indonesia and English, at desktop and phone width. Screenshots go to
tests/artifacts/.

The panels read GET /api/v1/plans, /api/v1/workplaces and /api/v1/violations?state=open with the
shapes agreed in the v1 API brief; `test_the_panels_say_so_when_their_endpoints_are_missing`
shows the page without them (404), and runs whatever the service has.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, async_playwright, expect
from starlette.responses import JSONResponse

from organising_shared.deadlines import stage_deadline, working_days_until
from organising_shared.periods import jakarta_today, periods_containing
from reporting.config import ReportingSettings
from reporting.main import create_app
from tests.e2e.serving import serving
from tests.e2e.test_dashboard_browser import CHROMIUM, CHROMIUM_ARGS
from tests.examples import envelope, member_recruited
from tests.integration.helpers import as_json, produce

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex
TODAY = jakarta_today()
PERIOD = next(period for period in periods_containing(TODAY) if "-S" in period.code)
RUN = uuid.uuid4().hex[:8]
WORKPLACE = f"wp-metal-{RUN}"
EMPLOYER = "PT Contoh Komponen Indonesia"
OVERDUE_TITLE = "Rekrutmen kawasan industri Bekasi"
LATE_CASE, NEAR_CASE, CALM_CASE = f"fspmi-late-{RUN}", f"fspmi-near-{RUN}", f"fspmi-calm-{RUN}"
# Routes other branches of issue #15 add; the degradation test answers them 404 again.
PANEL_ROUTES = {"/api/v1/plans", "/api/v1/workplaces", "/api/v1/violations"}


@pytest.fixture
def reporting_settings(isolated_settings, namespace) -> ReportingSettings:
    return ReportingSettings(
        **{**isolated_settings.model_dump(), "admin_token": ADMIN_TOKEN},
        database=f"{namespace}_reporting",
        consumer_group=f"{namespace}-reporting",
    )


def without_panel_routes(app: Any) -> Any:
    """The app as a reporting service without the plan, workplace and case lists answers them: 404.
    (Wrapped rather than edited: the app keeps its included routers as opaque entries.)"""

    async def asgi(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] in PANEL_ROUTES:
            await JSONResponse({"detail": "Not Found"}, status_code=404)(scope, receive, send)
            return
        await app(scope, receive, send)

    return asgi


def _chromium_present() -> None:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium is missing: apt-get install -y chromium (make test installs it)")


def reported_on_for(working_days_left: int) -> str:
    """A `reported_on` whose bipartite deadline is `working_days_left` working days after today."""
    day = TODAY
    while True:
        deadline = stage_deadline("bipartite", day)
        assert deadline is not None
        left = working_days_until(TODAY, deadline)
        if left == working_days_left:
            return day.isoformat()
        assert left > working_days_left, "no reporting day gives that many working days"
        day -= timedelta(days=1)


def recruited(on: str) -> tuple[bytes, bytes]:
    event = member_recruited(sector="metal", workplace_id=WORKPLACE, recruited_on=on)
    return WORKPLACE.encode(), as_json(event)


def plan_item(suffix: str, title: str, kind: str, due_on: str) -> dict:
    data = {
        "item_id": f"plan-fspmi-{RUN}-{suffix}",
        "period": PERIOD.code,
        "sector": "metal",
        "federation": "FSPMI",
        "kind": kind,
        "title": title,
        "responsible": "DPW FSPMI Jawa Barat",
        "due_on": due_on,
    }
    return envelope("ActionPlanItemAdded", data)


def plan_progress(suffix: str, status: str) -> dict:
    return envelope(
        "ActionPlanItemProgressed", {"item_id": f"plan-fspmi-{RUN}-{suffix}", "status": status, "changed_on": TODAY.isoformat()}
    )


def case(case_id: str, reported_on: str) -> dict:
    data = {
        "case_id": case_id,
        "sector": "metal",
        "workplace_id": WORKPLACE,
        "region_code": "32.16",
        "category": "minimum_wage",
        "workers_affected": 12,
        "reported_on": reported_on,
    }
    return envelope("ViolationReported", data)


async def publish_the_organising_work(settings: ReportingSettings, bootstrap: str) -> None:
    topics = settings.topics
    target = {
        "period": PERIOD.code,
        "sector": "metal",
        "members_recruited": 400,
        "union_units_established": 4,
        "cases_resolved": 4,
        "set_by": "admin",
    }
    await produce(bootstrap, topics.targets, [(b"metal", as_json(envelope("SectorTargetSet", target, federation="KSPI")))])
    # Eight members at one registered workplace of 40 workers: density 20 %. Far below a target of
    # 400, so the pace chart shows the sector behind.
    early = min(TODAY, PERIOD.start + timedelta(days=3)).isoformat()
    await produce(bootstrap, topics.membership, [recruited(early) for _ in range(6)] + [recruited(TODAY.isoformat()) for _ in range(2)])
    workplace = {
        "workplace_id": WORKPLACE,
        "sector": "metal",
        "region_code": "32.16",
        "employer": EMPLOYER,
        "workforce": 40,
        "cba": "in_force",
        "cba_expires_on": (TODAY + timedelta(days=30)).isoformat(),
    }
    await produce(bootstrap, topics.workplaces, [(WORKPLACE.encode(), as_json(envelope("WorkplaceRegistered", workplace)))])
    yesterday, later = (TODAY - timedelta(days=1)).isoformat(), (TODAY + timedelta(days=20)).isoformat()
    plans = [
        plan_item("late", OVERDUE_TITLE, "recruitment_drive", yesterday),  # past due, still planned: overdue
        plan_item("train", "Pelatihan organiser dasar", "training", later),
        plan_item("done", "Pembentukan PUK PT Contoh", "union_unit_formation", yesterday),
        plan_progress("train", "in_progress"),
        plan_progress("done", "done"),  # past due but done: not overdue
    ]
    await produce(bootstrap, topics.plans, [(b"metal", as_json(event)) for event in plans])
    cases = [case(LATE_CASE, reported_on_for(-5)), case(NEAR_CASE, reported_on_for(3)), case(CALM_CASE, TODAY.isoformat())]
    await produce(bootstrap, topics.violations, [(WORKPLACE.encode(), as_json(event)) for event in cases])


async def sign_in(page: Page, base: str) -> None:
    await page.goto(f"{base}/dashboard?period={PERIOD.code}")
    await page.get_by_label("Token akses").fill(ADMIN_TOKEN)
    await page.get_by_role("button", name="Tampilkan dasbor").click()


async def fits_the_screen(page: Page) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page is wider than the phone"


async def test_a_sector_with_its_plan_pace_density_and_cases_in_both_languages_and_widths(reporting_settings, infrastructure):
    """Needs the `plans` branch (GET /api/v1/plans: the plan part) and the `workplaces` branch
    (GET /api/v1/workplaces and GET /api/v1/violations: the density and cases parts); the pace
    part is this service's own."""
    _chromium_present()
    ARTIFACTS.mkdir(exist_ok=True)
    bootstrap = infrastructure.kafka_bootstrap_servers
    await publish_the_organising_work(reporting_settings, bootstrap)

    async with serving(create_app(reporting_settings)) as base, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 1100})
            await sign_in(page, base)
            card = page.locator('article.sector[data-sector="metal"]')
            await expect(page.get_by_test_id("actual-metal-members_recruited")).to_have_text("8", timeout=20_000)

            # Pace: the cumulative line against the expected one, behind and saying since when.
            pace = card.locator('figure.pace:has([data-testid="pace-metal-all-members_recruited"])')
            await expect(pace).to_have_attribute("data-behind", "true")
            await expect(pace.locator("polyline.pace-actual")).to_have_count(1)
            await expect(pace.locator("polyline.pace-expected")).to_have_count(1)
            await expect(pace).to_contain_text("Tertinggal sejak")
            await expect(card.locator("svg.pace-chart")).to_have_count(3)

            # The action plan beside the targets: three items, the overdue one first and marked.
            plan = page.get_by_test_id("plan-metal-all")
            await expect(plan.locator("li.plan-item")).to_have_count(3, timeout=20_000)
            overdue = plan.locator('li[data-overdue="true"]')
            await expect(overdue).to_have_count(1)
            await expect(overdue).to_contain_text(OVERDUE_TITLE)
            await expect(overdue.locator(".badge")).to_have_text("Terlambat")
            await expect(plan.locator("li.plan-item").first).to_have_attribute("data-overdue", "true")
            await expect(plan.locator("h4")).to_contain_text("1 selesai dari 3 kegiatan")

            # Workplaces and density: 8 active members of 40 workers, and the PKB expiring soon.
            workplaces = page.get_by_test_id("workplaces-panel")
            await expect(workplaces.locator(f'tr[data-workplace="FSPMI|{WORKPLACE}"]')).to_contain_text(EMPLOYER, timeout=20_000)
            await expect(workplaces.locator('tr[data-sector="metal"]')).to_contain_text("20%")
            await expect(workplaces.locator('[data-cba="expiring_within_90_days"]')).to_have_text("1")

            # Cases: the one past its deadline first, then the one three working days from it.
            cases = page.get_by_test_id("cases-panel")
            await expect(cases.locator(f'tr[data-case="{LATE_CASE}"]')).to_have_attribute("data-urgency", "past", timeout=20_000)
            await expect(cases.locator(f'tr[data-case="{LATE_CASE}"]')).to_contain_text("Lewat tenggat")
            await expect(cases.locator(f'tr[data-case="{NEAR_CASE}"]')).to_contain_text("Mendekati tenggat")
            await expect(cases.locator(f'tr[data-case="{CALM_CASE}"]')).to_have_count(0)
            await expect(cases.locator("tbody tr").first).to_have_attribute("data-case", LATE_CASE)
            await page.screenshot(path=str(ARTIFACTS / "dashboard-organising-id-desktop.png"), full_page=True)

            # Live: the overdue item is done, and the page shows it without reloading.
            await page.evaluate("window.__sameDocument = true")
            await produce(bootstrap, reporting_settings.topics.plans, [(b"metal", as_json(plan_progress("late", "done")))])
            await expect(overdue).to_have_count(0, timeout=20_000)
            await expect(plan.locator("h4")).to_contain_text("2 selesai dari 3 kegiatan")
            assert await page.evaluate("window.__sameDocument === true"), "the page reloaded"
            await produce(bootstrap, reporting_settings.topics.plans, [(b"metal", as_json(plan_progress("late", "in_progress")))])
            await expect(overdue).to_have_count(1, timeout=20_000)

            await page.set_viewport_size({"width": 390, "height": 844})
            await fits_the_screen(page)
            await page.screenshot(path=str(ARTIFACTS / "dashboard-organising-id-phone.png"), full_page=True)

            await page.get_by_role("button", name="Switch to English").click()
            await expect(pace).to_contain_text("Behind since")
            await expect(overdue.locator(".badge")).to_have_text("Overdue")
            await expect(plan.locator("h4")).to_contain_text("Action plan")
            await expect(cases.locator(f'tr[data-case="{LATE_CASE}"]')).to_contain_text("Past deadline")
            await expect(cases.locator(f'tr[data-case="{NEAR_CASE}"]')).to_contain_text("Near deadline")
            await expect(page.locator("h2", has_text="Workplaces and union density")).to_have_count(1)
            await expect(workplaces).to_contain_text("CBA expires within 90 days")
            await fits_the_screen(page)
            await page.screenshot(path=str(ARTIFACTS / "dashboard-organising-en-phone.png"), full_page=True)
            await page.set_viewport_size({"width": 1280, "height": 1100})
            await page.screenshot(path=str(ARTIFACTS / "dashboard-organising-en-desktop.png"), full_page=True)
        finally:
            await browser.close()


async def test_the_panels_say_so_when_their_endpoints_are_missing(reporting_settings, infrastructure):
    """A reporting service without the plan, workplace and case lists (404): the targets and pace
    still show, and each panel says the data is not available, in both languages."""
    _chromium_present()
    ARTIFACTS.mkdir(exist_ok=True)
    bootstrap = infrastructure.kafka_bootstrap_servers
    await publish_the_organising_work(reporting_settings, bootstrap)
    app = without_panel_routes(create_app(reporting_settings))

    async with serving(app) as base, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})
            await sign_in(page, base)
            await expect(page.get_by_test_id("actual-metal-members_recruited")).to_have_text("8", timeout=20_000)
            await expect(page.get_by_test_id("pace-metal-all-members_recruited")).to_have_count(1)
            unavailable = "Data ini belum tersedia di layanan pelaporan."
            await expect(page.get_by_test_id("plan-metal-all")).to_contain_text(unavailable)
            await expect(page.get_by_test_id("workplaces-panel")).to_have_text(unavailable)
            await expect(page.get_by_test_id("cases-panel")).to_have_text(unavailable)
            await expect(page.locator("#connection")).to_have_text("Langsung")
            await fits_the_screen(page)
            await page.screenshot(path=str(ARTIFACTS / "dashboard-organising-missing-id-phone.png"), full_page=True)

            await page.get_by_role("button", name="Switch to English").click()
            unavailable = "This data is not available from the reporting service yet."
            await expect(page.get_by_test_id("workplaces-panel")).to_have_text(unavailable)
            await expect(page.get_by_test_id("cases-panel")).to_have_text(unavailable)
            await expect(page.get_by_test_id("plan-metal-all")).to_contain_text(unavailable)
            await page.screenshot(path=str(ARTIFACTS / "dashboard-organising-missing-en-phone.png"), full_page=True)
        finally:
            await browser.close()
