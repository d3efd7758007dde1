"""A designer opens the licence's fee table in the browser (dmn-js), sees its rows, validates
it and deploys it as a new version, which the licence is deployed again to use."""
import pytest
from browsing import signed_in
from playwright.sync_api import expect

from app.decisions.services import latest_decision
from app.processes.services import find_latest_version

pytestmark = pytest.mark.browser


def test_a_designer_edits_the_fee_table_in_the_browser_and_deploys_it(live_server, browser):
    app, base = live_server
    page = signed_in(browser, base, "designer")
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{base}/designer/decisions")
    page.click("text=Commercial licence fee by business activity")
    expect(page.locator('#decision-editor[data-ready="true"]')).to_have_count(1)
    expect(page.locator("#decision-editor .tjs-table")).to_contain_text('"restaurant_or_food_stall"')
    expect(page.locator("#decision-editor .tjs-table")).to_contain_text("150000")

    page.click("#validate")
    expect(page.locator("#status")).to_have_text("No problems found.")
    page.click("#deploy")
    expect(page.locator("#status")).to_have_text(
        "Deployed version 2. Deployed again to use it: commercial_licence version 2.")
    with app.app_context():
        assert latest_decision("commercial_licence_fee").version == 2
        assert find_latest_version("commercial_licence").decisions == {"commercial_licence_fee": 2}
    assert problems == []
