"""The dashboard in a real headless Chromium (Debian's package): it shows every targeted sector and
redraws a figure when a new event reaches Kafka, without reloading the page.

Needs /usr/bin/chromium (`apt-get install -y chromium`; `make test` installs it). Playwright only
drives it: `playwright install` downloads browsers, which this project never does.
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from organising_shared.periods import jakarta_today, periods_containing
from reporting.config import ReportingSettings
from reporting.main import create_app
from tests.e2e.serving import serving
from tests.examples import envelope, member_recruited
from tests.integration.helpers import as_json, produce

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex
TODAY = jakarta_today()
PERIOD = next(period for period in periods_containing(TODAY) if "-S" in period.code)


@pytest.fixture
def reporting_settings(isolated_settings, namespace) -> ReportingSettings:
    return ReportingSettings(
        **{**isolated_settings.model_dump(), "admin_token": ADMIN_TOKEN},
        database=f"{namespace}_reporting",
        consumer_group=f"{namespace}-reporting",
    )


def target_set(sector: str, members: int, units: int, cases: int) -> dict:
    data = {
        "period": PERIOD.code,
        "sector": sector,
        "members_recruited": members,
        "union_units_established": units,
        "cases_resolved": cases,
        "set_by": "admin",
    }
    return envelope("SectorTargetSet", data, federation="KSPI")


def recruited(sector: str, federation: str, **data) -> tuple[bytes, bytes]:
    event = member_recruited(sector=sector, recruited_on=TODAY.isoformat(), **data)
    event["federation"] = federation
    return b"wp-" + sector.encode(), as_json(event)


async def test_dashboard_shows_each_targeted_sector_and_updates_live(reporting_settings, infrastructure):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Chromium is missing: apt-get install -y chromium (make test installs it)")
    ARTIFACTS.mkdir(exist_ok=True)
    bootstrap, topics = infrastructure.kafka_bootstrap_servers, reporting_settings.topics
    targets = {"metal": (40, 4, 6), "garment_textile": (120, 6, 10), "automotive": (60, 3, 4)}
    await produce(bootstrap, topics.targets, [(sector.encode(), as_json(target_set(sector, *t))) for sector, t in targets.items()])
    violation = envelope(
        "ViolationReported",
        {
            "case_id": f"case-{uuid.uuid4().hex[:8]}",
            "sector": "metal",
            "workplace_id": "wp-metal",
            "region_code": "32.16",
            "category": "minimum_wage",
            "workers_affected": 12,
            "reported_on": TODAY.isoformat(),
        },
    )
    await produce(bootstrap, topics.violations, [(b"wp-metal", as_json(violation))])
    await produce(
        bootstrap,
        topics.membership,
        [recruited("metal", "FSPMI") for _ in range(6)]
        + [recruited("garment_textile", "SPN", gender="male", employment_status="outsourced") for _ in range(2)],
    )

    async with serving(create_app(reporting_settings)) as base, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 1100})
            await page.goto(f"{base}/dashboard?period={PERIOD.code}")
            # Signing in: the token goes into the form once and stays in this tab only.
            await page.get_by_label("Token akses").fill(ADMIN_TOKEN)
            await page.get_by_role("button", name="Tampilkan dasbor").click()

            metal = page.get_by_test_id("actual-metal-members_recruited")
            await expect(metal).to_have_text("6", timeout=15_000)
            for sector, label in (("metal", "Logam"), ("garment_textile", "Garmen–Tekstil"), ("automotive", "Otomotif, Mesin & Komponen")):
                card = page.locator(f'article.sector[data-sector="{sector}"]')
                await expect(card).to_have_count(1)
                await expect(card.locator("h3")).to_contain_text(label)
            await expect(page.locator("article.sector")).to_have_count(len(targets))
            await expect(page.locator("#connection")).to_have_text("Langsung")
            await expect(page.locator("#as-of")).to_contain_text("WIB")
            # Status in words, in Bahasa Indonesia: 6 of 40 cannot be "achieved".
            status = page.locator('article[data-sector="metal"] [data-metric="members_recruited"] .badge')
            await expect(status).to_have_text(re.compile("^(Sesuai jalur|Tertinggal)$"))
            await expect(page.locator('article[data-sector="metal"] .breakdown')).to_contain_text("FSPMI")
            await expect(page.locator('#violations [data-total="workers_affected"]')).to_have_text("12")
            await expect(page.locator("#violations")).to_contain_text("Upah minimum")
            await expect(page.locator("#login")).to_be_hidden()
            await page.screenshot(path=str(ARTIFACTS / "dashboard-before.png"), full_page=True)

            # A marker that a reload would wipe out.
            await page.evaluate("window.__sameDocument = true")
            await produce(bootstrap, topics.membership, [recruited("metal", "KEP")])
            await expect(metal).to_have_text("7", timeout=15_000)
            await expect(page.locator('article[data-sector="metal"] .breakdown')).to_contain_text("KEP")
            assert await page.evaluate("window.__sameDocument === true"), "the page reloaded"
            await page.screenshot(path=str(ARTIFACTS / "dashboard-id.png"), full_page=True)

            await page.get_by_role("button", name="Switch to English").click()
            await expect(page.locator('article[data-sector="metal"] h3')).to_contain_text("Metal")
            await expect(page.locator("#connection")).to_have_text("Live")
            await expect(page.locator("html")).to_have_attribute("lang", "en")
            await page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)

            # On an organiser's phone: one column, nothing wider than the screen.
            await page.set_viewport_size({"width": 390, "height": 844})
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            await page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
        finally:
            await browser.close()
