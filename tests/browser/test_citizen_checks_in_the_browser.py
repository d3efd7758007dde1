"""On a phone: a citizen checks a licence by its QR code (valid), the chief revokes it and the
check says revoked, an altered code is refused; a citizen takes a ticket at the kiosk, sees it
called on the waiting-room display and rates the service; the holder of a licence downloads it
from tracking and, once it was handed over, rates the service there; someone files an anonymous
complaint to the District Ombudsman and follows it to its outcome. The screenshots go to
docs/screenshots/ for the README."""
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.accounts.models import Office, User
from app.cases.models import Case
from app.cases import work_items
from app.cases.write_path import start_case
from app.certificates.services import certificate_of_case
from app.extensions import db
from app.queue.services import add_counter
from browsing import signed_in
from office_data import APPLICATION, HAND_OVER, INTAKE, REVIEW_APPROVE, SIGN

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


def phone(browser):
    page = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.set_default_timeout(10_000)
    return page


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _user(username):
    return db.session.scalars(select(User).where(User.username == username)).one()


SIGNED = (("dara", "check_documents", INTAKE), ("sokha", "technical_review", REVIEW_APPROVE),
          ("vanna", "sign_licence", SIGN))


def licence_through_the_office(app, steps=SIGNED) -> tuple[int, str, str]:
    """A walk-in licence taken through `steps`: its id, number and access code."""
    with app.app_context():
        dara = _user("dara")
        case = start_case("commercial_licence", APPLICATION, dara, dara.office)
        for username, task, data in steps:
            item = next(i for i in case.open_items if i.task == task)
            work_items.complete(_user(username), item.id, data)
        db.session.commit()
        return case.id, case.number, case.access_code


def signed_licence(app) -> tuple[int, str, str]:
    case_id, _number, _code = licence_through_the_office(app)
    with app.app_context():
        certificate = certificate_of_case(db.session.get(Case, case_id))
        return case_id, certificate.number, certificate.payload


def test_a_certificate_is_checked_revoked_and_an_altered_code_refused_on_a_phone(live_server, browser, tmp_path):
    app, base = live_server
    app.config["PUBLIC_URL"] = base
    case_id, number, payload = signed_licence(app)

    chief = signed_in(browser, base, "vanna")
    pdf = chief.request.get(f"{base}/certificates/case/{case_id}.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "licence.pdf").write_bytes(pdf.body())
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", str(tmp_path / "licence.pdf"),
                    str(SCREENSHOTS / "certificate-pdf")], check=True)

    citizen = phone(browser)
    citizen.goto(f"{base}/certificates/check?p={payload}&lang=en")  # what the QR code opens
    expect(citizen.locator(".verdict-word")).to_have_text("Valid")
    expect(citizen.locator(".verdict")).to_contain_text("Sok Chanthy")
    expect(citizen.locator(".verdict")).to_contain_text("Commercial licence")
    shot(citizen, "certificate-valid")
    citizen.goto(f"{base}/certificates/check?p={payload}&lang=km")
    expect(citizen.locator(".verdict-word")).to_have_text("មានសុពលភាព")
    shot(citizen, "certificate-valid-km")

    chief.goto(f"{base}/cases/{case_id}?lang=en")
    chief.fill("#revoke-reason", "The shop closed; the licence was surrendered.")
    chief.click("text=Revoke the certificate")
    expect(chief.locator(".certificate-panel")).to_contain_text("Revoked: The shop closed")

    citizen.goto(f"{base}/certificates/check?p={payload}&lang=en")
    expect(citizen.locator(".verdict-word")).to_have_text("Revoked")
    expect(citizen.locator(".verdict")).to_contain_text(f"Certificate {number} was revoked on")
    shot(citizen, "certificate-revoked")

    altered = payload[:-6] + ("AAAAAA" if not payload.endswith("AAAAAA") else "BBBBBB")
    citizen.goto(f"{base}/certificates/check?p={altered}&lang=en")
    expect(citizen.locator(".verdict-word")).to_have_text("Not genuine")
    expect(citizen.locator(".verdict")).to_contain_text("forged or was altered")
    shot(citizen, "certificate-altered")

    citizen.goto(f"{base}/certificates/?lang=en")
    citizen.fill("#number", number)
    citizen.click("button[type=submit]")
    expect(citizen.locator(".verdict-word")).to_have_text("Revoked")


def test_a_ticket_taken_at_the_kiosk_is_called_on_the_display_and_rated(live_server, browser):
    app, base = live_server
    with app.app_context():
        kps = db.session.scalars(select(Office).where(Office.code == "KPS")).one()
        add_counter(kps, "Counter 1")
        db.session.commit()

    citizen = phone(browser)
    citizen.goto(f"{base}/queue/KPS/kiosk?lang=en")
    citizen.click("button[value=commercial_licence]")
    number = citizen.locator(".ticket .ticket-number").inner_text()
    assert number == "C001"
    expect(citizen.locator(".ticket")).to_contain_text("1 person waiting")
    shot(citizen, "queue-ticket")

    officer = signed_in(browser, base, "dara")
    officer.goto(f"{base}/queue/counter?lang=en")
    officer.click("text=Call the next ticket")
    expect(officer.locator(".ticket .ticket-number")).to_have_text(number)

    display = browser.new_page(viewport={"width": 1280, "height": 720})
    display.goto(f"{base}/queue/KPS/display?lang=en")
    expect(display.locator("td.ticket-number").first).to_have_text(number)
    assert display.locator("meta[http-equiv=refresh]").get_attribute("content") == "10"
    shot(display, "queue-display")
    citizen.goto(f"{base}/queue/KPS/display?lang=en")
    expect(citizen.locator("td.ticket-number").first).to_have_text(number)

    citizen.goto(f"{base}/feedback/KPS/kiosk?ticket={number}&lang=en")
    citizen.check("input[name=rating][value='5']")
    citizen.fill("#comment", "Quick and polite.")
    citizen.click("text=Send my rating")
    expect(citizen.locator(".flash.info")).to_have_text("Thank you. The office reads every rating.")
    shot(citizen, "queue-rating")


TRACKING_WORDS = {
    "en": {"finished": "Finished", "valid": "Valid",
           "rated": "You rated the service 4 of 5. Thank you: the office reads every rating."},
    "km": {"finished": "បានបញ្ចប់", "valid": "មានសុពលភាព",
           "rated": "អ្នកបានវាយតម្លៃសេវា ៤ លើ ៥។ សូមអរគុណ៖ ការិយាល័យអានរាល់ការវាយតម្លៃ។"},
}


@pytest.mark.parametrize("lang", ["en", "km"])
def test_the_holder_downloads_the_licence_and_rates_the_service_from_tracking(live_server, browser, lang):
    app, base = live_server
    app.config["PUBLIC_URL"] = base
    words = TRACKING_WORDS[lang]
    suffix = "" if lang == "en" else "-km"
    _case_id, number, code = licence_through_the_office(app, SIGNED + (("dara", "hand_over", HAND_OVER),))

    citizen = phone(browser)
    citizen.goto(f"{base}/track?number={number}&code={code}&lang={lang}")
    expect(citizen.locator(".status")).to_have_text(words["finished"])
    expect(citizen.locator("section.certificate")).to_contain_text(words["valid"])
    download = citizen.locator("section.certificate a.button")
    pdf = citizen.request.get(base + download.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    shot(citizen, f"tracking-finished{suffix}")

    citizen.check("input[name=rating][value='4']")
    citizen.fill("#comment", "Quick, but I came twice for the lease.")
    citizen.click("form.rating-form button[type=submit]")
    expect(citizen.locator(".rated")).to_have_text(words["rated"])
    expect(citizen.locator("input[name=rating]")).to_have_count(0)
    shot(citizen, f"tracking-rated{suffix}")


OMBUDSMAN_STEPS = (
    ("ombudsman", "register_complaint", {"admissibility": "admissible", "complaint_category": "informal_payment",
                                         "acknowledged_on": "2026-12-02"}),
    ("vanna", "owso_chief_response", {"owso_position": "disputes_the_facts",
                                      "owso_response": "The counter took only the published fee."}),
    ("ombudsman", "investigate_complaint", {"investigation_methods": ["reviewed_case_file"],
                                            "investigation_findings": "The receipts show the published fee only."}),
    ("ombudsman", "decide_complaint", {"finding": "not_upheld",
                                       "decision_reasons": "The receipts show that only the published fee was paid."}),
    ("ombudsman", "inform_complainant", {"informed_on": "2026-12-20", "informed_how": "letter",
                                         "complainant_satisfied": "not_known"}),
)


# What the complainant reads, in each language (the complaint form's Khmer is the catalogue's).
COMPLAINT_WORDS = {
    "en": {"received": "Your complaint was received", "follow": "Follow your complaint", "complaint": "Complaint {}",
           "finished": "Finished", "finding": "Not upheld"},
    "km": {"received": "បណ្តឹងរបស់អ្នកត្រូវបានទទួល", "follow": "តាមដានបណ្តឹងរបស់អ្នក", "complaint": "បណ្តឹងលេខ {}",
           "finished": "បានបញ្ចប់", "finding": "មិនមានមូលដ្ឋាន"},
}


@pytest.mark.parametrize("lang", ["en", "km"])
def test_an_anonymous_complaint_is_filed_and_followed_to_its_outcome_on_a_phone(live_server, browser, lang):
    app, base = live_server
    app.config["PUBLIC_URL"] = base
    words = COMPLAINT_WORDS[lang]
    suffix = "" if lang == "en" else "-km"
    citizen = phone(browser)
    citizen.goto(f"{base}/services?lang={lang}")
    citizen.click("footer a[href='/complain']")
    expect(citizen.locator("html")).to_have_attribute("lang", lang)
    citizen.select_option("#office", "KPS")
    citizen.select_option("#category", "money_asked_beyond_the_official_fee")
    citizen.fill("#text", "At counter 2 I was asked for 20,000 riel more than the posted fee, without a receipt.")
    shot(citizen, f"complaint-form{suffix}")
    citizen.click("form.complaint-form button[type=submit]")
    expect(citizen.locator("h1")).to_have_text(words["received"])
    number = citizen.locator("dd.code").nth(0).inner_text()
    code = citizen.locator("dd.code").nth(1).inner_text()
    assert number.startswith("OMB-KPS-") and len(code) == 10
    shot(citizen, f"complaint-received{suffix}")

    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.number == number)).one()
        assert (case.channel, case.data.get("complainant_name"), case.data.get("complainant_contact")) == (
            "online", None, None)
        for username, task, data in OMBUDSMAN_STEPS:
            item = next(i for i in case.open_items if i.task == task)
            work_items.complete(_user(username), item.id, data)
        db.session.commit()

    citizen.get_by_role("link", name=words["follow"]).click()
    expect(citizen.locator("h1")).to_have_text(words["complaint"].format(number))
    expect(citizen.locator(".status").first).to_have_text(words["finished"])
    expect(citizen.locator("section.outcome")).to_contain_text(words["finding"])
    expect(citizen.locator("section.outcome")).to_contain_text("only the published fee was paid")
    expect(citizen.locator("input[name=rating]")).to_have_count(0)
    shot(citizen, f"complaint-outcome{suffix}")
