"""The chief reads the reports in a real browser: the charts are drawn, the heatmap puts a count on
the step where the new application waits, and nothing the page needs is refused by the browser."""
import pytest
from browsing import signed_in
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import User
from app.cases.write_path import start_case
from app.extensions import db
from office_data import APPLICATION

pytestmark = pytest.mark.browser


def test_the_chief_sees_the_charts_and_where_the_new_application_waits(live_server, browser):
    app, base = live_server
    with app.app_context():
        dara = db.session.scalars(select(User).where(User.username == "dara")).one()
        start_case("commercial_licence", APPLICATION, dara, dara.office)
        db.session.commit()

    page = signed_in(browser, base, "vanna")
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{base}/reports/?from=2026-10-01&to=2026-12-31")
    expect(page.locator("svg.chart")).to_have_count(1)
    expect(page.locator("table.report tbody tr").first).to_contain_text("Commercial licence for a small business")

    page.click("text=Where cases wait")
    badge = page.locator('.djs-overlay-container .ow-heat-badge')
    expect(badge).to_have_text("1")
    expect(page.locator('.djs-shape.ow-heat-waiting[data-element-id="check_documents"]')).to_be_visible()
    assert problems == []
