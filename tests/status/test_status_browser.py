"""The status page in a real browser (Playwright driving Debian's Chromium): content, phone width, refresh, no errors.

Chromium is a system package (`apt-get install -y chromium`; `.ci/run` installs it when missing).
Without it this test is skipped and says so, unless CUTOVER_REQUIRE_BROWSER is set (CI), where it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.serve.http import HttpServer, SlackWsgiApp
from bot.status.render import public_pages
from bot.timeline.fire import fire_due
from tests.bot.serve.test_serve_http import IC, MANAGEMENT, roster_with_two_ics, serving

__all__ = ["roster_with_two_ics"]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CUTOVER_REQUIRE_BROWSER"):
            pytest.fail(
                f"CUTOVER_REQUIRE_BROWSER is set but {CHROMIUM} is missing (apt-get install -y chromium)"
            )
        pytest.skip(f"browser test skipped: {CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


def test_the_status_page_reads_on_a_phone_refreshes_itself_and_logs_no_error(
    browser, tmp_path, roster_with_two_ics
):
    with serving(f"sqlite:///{tmp_path / 'cutover.db'}", roster_with_two_ics) as served:
        services = served.runtime.services
        quick = SlackWsgiApp(
            served.runtime.app, served.runtime.database, pages=public_pages(services, refresh_s=1)
        )
        served.run("schedule 2026-12-02 02:00", IC)
        fire_due(services, served.clock.now())
        served.run("go-nogo override checklist not under test", IC)
        served.run("go-nogo approve-override", MANAGEMENT)
        served.run("go-nogo go rehearsed", IC)
        served.run("go-nogo override starting now is agreed with the business", IC)
        served.run("go-nogo approve-override", MANAGEMENT)
        served.run("start", IC)
        fire_due(services, served.clock.now())
        with HttpServer(quick, host="127.0.0.1", port=0) as refreshing:
            server = served.server  # serve's own pages (refreshed every 60 s): the content is checked there
            page = browser.new_page(viewport=PHONE, device_scale_factor=2)
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
            page.goto(server.url + "/status")
            banner = page.locator("#status")
            assert banner.get_attribute("data-status") == "yellow"
            assert "Planned maintenance in progress" in banner.inner_text()
            assert "Maintenance in progress, some features limited" in banner.inner_text()
            assert page.locator("#eta").inner_text() == "2026-12-01 01:58 UTC"
            assert "Flight Planning: Read-only mode" in page.locator("#services").inner_text()
            assert page.locator("#contact a[href^='tel:']").inner_text() == "1-800-NXOP-OPS"
            history = page.locator("#history li").all_inner_texts()
            assert len(history) == 2 and "Planned maintenance in progress" in history[0]
            assert (
                page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            )  # no sideways scroll
            assert float(page.evaluate("getComputedStyle(document.body).fontSize")[:-2]) >= 14
            if os.environ.get("CUTOVER_STATUS_SCREENSHOT"):
                page.screenshot(path=os.environ["CUTOVER_STATUS_SCREENSHOT"], full_page=True)
            page.goto(refreshing.url + "/status")  # the same page, reloading itself every second
            assert page.locator("#status").get_attribute("data-status") == "yellow"
            plan, roster = services.plan, services.roster
            for sid in ("0.1", "0.2", "0.3"):  # a rollback needs something switched first
                who = roster.members_of(plan.steps_by_id[sid].raci.R[0])[0].slack_id
                served.run(f"step start {sid}", who)
                served.run(f"step done {sid}", who)
            served.run("gate approve 1", IC)
            served.run("step start 1A.1", roster.members_of(plan.steps_by_id["1A.1"].raci.R[0])[0].slack_id)
            served.run("rollback R2 connections failing", IC)
            fire_due(services, served.clock.now())
            page.wait_for_selector("#status[data-status='red']", timeout=10_000)  # no reload by the test
            assert "Extended maintenance, please wait" in page.locator("#status").inner_text()
            page.close()
            assert problems == []
