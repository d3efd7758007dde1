"""What a person does first in the browser tests: sign in through the real form."""
from playwright.sync_api import expect

from support import PASSWORD


def signed_in(browser, base, username):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("header.site .who")).to_be_visible()
    return page
