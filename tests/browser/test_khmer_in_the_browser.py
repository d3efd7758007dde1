"""Khmer on screen, in a real Chromium: an officer who reads Khmer sees the inbox in Khmer and a
citizen opening a public page gets Khmer without asking, each drawn with a Khmer OS font (Debian's
fonts-khmeros) rather than boxes or a fallback; one click on the switch gives English. The screenshots
go to docs/screenshots/ for the README."""
from pathlib import Path

import pytest
from browsing import signed_in
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import User
from app.accounts.services import set_language
from app.cases.write_path import start_case
from app.extensions import db
from office_data import APPLICATION

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def fonts_drawing(page, selector: str) -> dict[str, int]:
    """The fonts Chromium actually used for the text of an element, with their glyph counts."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return {font["familyName"]: font["glyphCount"]
            for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}


def test_an_officer_who_reads_khmer_sees_the_inbox_in_khmer_drawn_in_a_khmer_os_font(live_server, browser):
    app, base = live_server
    with app.app_context():
        dara = db.session.scalars(select(User).where(User.username == "dara")).one()
        set_language(dara, "km")
        start_case("commercial_licence", APPLICATION, dara, dara.office)
        db.session.commit()

    page = signed_in(browser, base, "dara")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    expect(page.locator("h1")).to_have_text("ប្រអប់ការងារ")
    expect(page.locator("header.site nav")).to_contain_text("ចាកចេញ")
    row = page.locator("table.list tbody tr").first
    expect(row).to_contain_text("ពិនិត្យឯកសារ និងទទួលកម្រៃសេវាផ្លូវការ")
    expect(row).to_contain_text("មន្ត្រីផ្នែកខាងមុខ")
    expect(row.locator("td").first).to_contain_text("ថ្ងៃទី")  # the deadline, written the Khmer way
    assert list(fonts_drawing(page, "h1")) == ["Khmer OS System"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "staff-inbox-km.png")

    page.click("header.site .languages >> text=English")
    expect(page.locator("h1")).to_have_text("Inbox")
    page.close()


def test_a_citizen_reads_a_public_page_in_khmer_first_and_can_switch_to_english(live_server, browser):
    _, base = live_server
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{base}/performance/")
    expect(page.locator("html")).to_have_attribute("lang", "km")
    heading = page.locator("h1")
    expect(heading).to_have_text("របៀបដែលការិយាល័យយើងបម្រើសេវាជូនលោកអ្នក")
    assert list(fonts_drawing(page, "h1")) == ["Khmer OS System"]
    page.screenshot(path=SCREENSHOTS / "public-performance-km.png", full_page=True)

    page.click("header.site .languages >> text=English")
    expect(heading).to_have_text("How our offices serve you")
    page.goto(f"{base}/performance/")
    expect(heading).to_have_text("How our offices serve you")  # the browser remembers the choice
    page.close()
