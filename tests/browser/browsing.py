"""What a person does first in the browser tests: sign in through the real form."""
from playwright.sync_api import expect

from support import PASSWORD


_REFUSED: dict[int, list[str]] = {}


def csp_violations(page) -> list[str]:
    """What the browser refused to load or run on this page under the Content-Security-Policy, so far."""
    return _REFUSED[id(page)]


def signed_in(browser, base, username):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(10_000)
    refused = _REFUSED.setdefault(id(page), [])
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("header.site .who")).to_be_visible()
    return page
