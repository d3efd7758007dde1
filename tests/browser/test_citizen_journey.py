"""A citizen on a phone (390x844) reads the catalogue, applies with a PDF, keeps the receipt with its
QR code, follows the case, answers a send-back with a new document and sees the clock run again; in
Khmer and in English. A counter officer registers a walk-in and prints the same receipt. The
screenshots are the README's citizen-journey pictures."""
from pathlib import Path

import pytest
from browsing import signed_in
from playwright.sync_api import expect
from sqlalchemy import select

from app.cases.models import Case
from app.cases.work_items import complete
from app.extensions import db
from app.payments.services import payment_for
from office_data import APPLICATION, INTAKE, REVIEW_SEND_BACK
from support import user

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def server(live_server, tmp_path_factory):
    app, base = live_server
    app.config.update(DOCUMENTS_DIR=str(tmp_path_factory.mktemp("documents")), PUBLIC_URL=base)
    return app, base


def _public_history_at_the_send_back(lang, receipt):
    if lang == "km":
        return ["បានទទួលពាក្យស្នើសុំ", "បានទទួលឯកសារ", f"បានបង់កម្រៃសេវា៖ បង្កាន់ដៃផ្លូវការលេខ {receipt}",
                "ជំហានបានបញ្ចប់៖ ពិនិត្យឯកសារ និងទទួលកម្រៃសេវាផ្លូវការ", "ជំហានបានបញ្ចប់៖ ពិនិត្យពាក្យស្នើសុំ",
                "បានបញ្ជូនត្រឡប់មកអ្នកដើម្បីកែតម្រូវ។ នាឡិកាសេវាបានផ្អាក"]
    return ["Application received", "Document received", f"Fee paid: official receipt {receipt}",
            "Step done: Check documents and take the official fee", "Step done: Review the application",
            "Sent back to you for corrections; the service clock stopped"]


def _fill_application(page, tmp_path):
    page.select_option("#office", "KPS")
    page.fill("#contact_name", "Sok Chanthy")
    page.fill("#contact_phone", "012 345 678")
    for name, value in APPLICATION.items():
        field = page.locator(f"#field-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(str(value))
    lease = tmp_path / "lease.pdf"
    lease.write_bytes(PDF)
    page.set_input_files("#document_premises_title_or_lease", str(lease))


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.mark.parametrize("lang", ["km", "en"])
def test_a_citizen_applies_tracks_and_answers_a_send_back_on_a_phone(server, browser, tmp_path, lang):
    app, base = server
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(10_000)
    page.goto(f"{base}/services" + ("?lang=en" if lang == "en" else ""))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    title = "អាជ្ញាបណ្ណពាណិជ្ជកម្មសម្រាប់អាជីវកម្មខ្នាតតូច" if lang == "km" else "Commercial licence for a small business"
    expect(page.locator("main")).to_contain_text(title)
    _shot(page, f"1-catalogue-{lang}.png")

    page.click(f"text={title}")
    page.click("a.button")
    _fill_application(page, tmp_path)
    _shot(page, f"2-apply-{lang}.png")
    page.click("button[type=submit]")

    expect(page.locator(".receipt svg")).to_be_visible()
    number = page.locator(".receipt dd.code").nth(0).inner_text()
    code = page.locator(".receipt dd.code").nth(1).inner_text()
    _shot(page, f"3-receipt-{lang}.png")

    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.number == number)).one()
        assert (case.channel, case.access_code) == ("online", code)
        complete(user("dara"), next(i for i in case.open_items if i.task == "check_documents").id, INTAKE)
        complete(user("sokha"), next(i for i in case.open_items if i.task == "technical_review").id,
                 REVIEW_SEND_BACK)
        db.session.commit()
        receipt = payment_for(case).receipt_number

    page.click("p.no-print a")
    expect(page.locator("main")).to_contain_text("Bring the signed lease of the shop.")
    # The public history in the page's language, the steps done named as well (from the diagram's names).
    history = [line.split(" — ", 1)[1] for line in page.locator("ul.history li").all_inner_texts()]
    assert history == _public_history_at_the_send_back(lang, receipt)
    _shot(page, f"4-send-back-{lang}.png")
    page.fill("#message", "The signed lease is attached.")
    lease = tmp_path / "signed-lease.pdf"
    lease.write_bytes(PDF + b"% signed\n")
    page.set_input_files("#file", str(lease))
    page.click("form button[type=submit]")
    expect(page.locator("#message")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("signed-lease.pdf")
    _shot(page, f"5-answered-{lang}.png")

    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.number == number)).one()
        assert case.clock_stopped_at is None
        assert [i.task for i in case.open_items] == ["technical_review"]
        db.session.remove()
    page.close()


def test_a_counter_officer_registers_a_walk_in_and_prints_the_receipt(server, browser):
    app, base = server
    page = signed_in(browser, base, "dara")
    page.goto(f"{base}/cases/new/commercial_licence")
    for name, value in APPLICATION.items():
        field = page.locator(f"#field-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(str(value))
    page.click("form.task-form button[type=submit]")
    page.click("text=Print the receipt")
    expect(page.locator(".receipt svg")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header .languages")).to_be_hidden()
    page.set_viewport_size({"width": 800, "height": 1100})
    _shot(page, "6-counter-receipt-print.png")
    number = page.locator(".receipt dd.code").nth(0).inner_text()
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.number == number)).one()
        assert case.channel == "counter" and case.access_code == page.locator(".receipt dd.code").nth(1).inner_text()
    page.close()
