"""The chief signs a licence and One Window issues its certificate: a PDF in Khmer and
English whose QR code carries a payload signed by the office's key. Anyone can check it —
valid, revoked (with the date), expired, unknown — and a forged or altered code is refused."""
import base64
import json
import subprocess

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from sqlalchemy import select

from app.cases.models import Case
from app.certificates.kinds import KINDS
from app.certificates.models import Certificate
from app.certificates.services import issue
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import Message, told_to_reader
from certificate_support import certificate_of, licence_at_signature, signed_licence, work
from office_data import SIGN
from support import local, user

pytestmark = pytest.mark.usefixtures("licence_year")


def b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_the_chiefs_signature_issues_the_certificate_and_records_it(api):
    case = signed_licence(api)
    certificate = certificate_of(api, case["id"])
    year, sequence = case["number"].split("-")[1:]
    assert certificate["number"] == f"KPS-CL-{year}-{sequence}"
    assert certificate["status"] == "valid"
    assert certificate["payload"].startswith("OW1.")
    kinds = [event["kind"] for event in case["history"]]
    # The certificate is issued with the chief's completion, and the applicant is told.
    assert kinds[-3:] == ["work_item_completed", "certificate_issued", "citizen_notified"]
    assert case["history"][-1]["summary"] == f"Told the applicant by SMS: Commercial licence {certificate['number']} is signed"
    issued = case["history"][-2]
    assert issued["actor"] == "vanna"
    assert issued["summary"] == (f"Commercial licence {certificate['number']} issued to Sok Chanthy, "
                                 "valid until 2027-11-30")


def test_a_walk_in_applicant_is_told_by_sms_in_khmer_though_the_chief_signed_in_english(api, auth, client,
                                                                                       database):
    # Registered at the counter: no language recorded for the applicant, so Khmer, the public default.
    case = signed_licence(api)
    certificate = certificate_of(api, case["id"])["number"]
    [sms] = database.scalars(select(Notification).where(Notification.case_id == case["id"])).all()
    assert (sms.medium, sms.address) == ("sms", "+85512345678")
    assert told_to_reader(sms) == Message(
        f"អាជ្ញាបណ្ណពាណិជ្ជកម្ម លេខ {certificate} ត្រូវបានចុះហត្ថលេខារួចហើយ",
        f"អាជ្ញាបណ្ណពាណិជ្ជកម្ម របស់អ្នកសម្រាប់ Chanthy Mini Mart (សំណុំឯកសារលេខ {case['number']}) "
        "ត្រូវបានចុះហត្ថលេខារួចហើយ។ សូមមកទទួលនៅ Kampong Siem OWSO ដោយយកអត្តសញ្ញាណប័ណ្ណមកជាមួយ។ "
        f"អ្នកណាក៏អាចពិនិត្យវាបាននៅ http://127.0.0.1:5000/certificates/?number={certificate}")
    # The case history, read in Khmer, says so in Khmer (it is recorded in English).
    auth.login("vanna")
    page = client.get(f"/cases/{case['id']}?lang=km").get_data(as_text=True)
    assert (f" · បានជូនដំណឹងដល់អ្នកស្នើសុំតាមសារ SMS៖ អាជ្ញាបណ្ណពាណិជ្ជកម្ម លេខ {certificate} "
            "ត្រូវបានចុះហត្ថលេខារួចហើយ</li>") in page
    assert (f" · Vanna · អាជ្ញាបណ្ណពាណិជ្ជកម្ម លេខ {certificate} ត្រូវបានចេញជូន Sok Chanthy "
            "មានសុពលភាពរហូតដល់ថ្ងៃទី ៣០ ខែវិច្ឆិកា ឆ្នាំ ២០២៧</li>") in page


def test_a_case_signed_once_keeps_its_one_certificate_and_the_applicant_is_told_once(api):
    case = signed_licence(api)
    first = certificate_of(api, case["id"])
    signed = db.session.get(Case, case["id"])
    again = issue(signed, KINDS["commercial_licence"], user("vanna"))
    assert (again.number, again.payload) == (first["number"], first["payload"])
    assert len(db.session.scalars(select(Certificate).where(Certificate.case_id == case["id"])).all()) == 1
    assert len(db.session.scalars(select(Notification).where(Notification.case_id == case["id"],
                                                             Notification.kind == "certificate_issued")).all()) == 1


def test_returning_the_file_to_the_back_office_issues_nothing(api):
    case_id = licence_at_signature(api)
    work(api, "vanna", "sign_licence", {"signature_decision": "return", "chief_remarks": "Check the lease."}, case_id)
    assert certificate_of(api, case_id) is None
    response = api.get(f"/api/v1/cases/{case_id}/certificate")
    assert response.status_code == 404
    assert "has no certificate yet" in response.get_json()["error"]


def test_the_published_key_alone_verifies_the_payload_offline(api, client):
    case = signed_licence(api)
    payload = certificate_of(api, case["id"])["payload"]
    published = client.get("/api/v1/public/keys").get_json()
    prefix, body, signature = payload.split(".")
    claims = json.loads(b64decode(body))
    key = next(k for k in published["keys"] if k["key_id"] == claims["k"])
    assert key["office"] == "KPS" and key["algorithm"] == "Ed25519" and key["retired_at"] is None
    # What an inspector's phone does with no connection: the raw public key and the signed bytes.
    Ed25519PublicKey.from_public_bytes(b64decode(key["public_key"])).verify(
        b64decode(signature), f"{prefix}.{body}".encode())
    assert claims == {"n": certificate_of(api, case["id"])["number"], "s": "commercial_licence",
                      "h": "Sok Chanthy", "b": "Chanthy Mini Mart", "o": "KPS",
                      "i": claims["i"], "v": "2027-11-30", "k": key["key_id"]}


def test_a_valid_certificate_is_revoked_by_the_chief_and_then_checks_as_revoked(api, client):
    case = signed_licence(api)
    certificate = certificate_of(api, case["id"])
    verify = lambda: client.post("/api/v1/public/certificates/verify", json={"payload": certificate["payload"]})
    first = verify().get_json()
    assert (first["valid"], first["status"]) == (True, "valid")
    assert first["certificate"]["holder"] == "Sok Chanthy"
    assert first["certificate"]["service_name"] == "Commercial licence"

    with time_machine.travel(local(2026, 12, 3, 10, 0), tick=False):
        revoked = api.as_user("vanna").post(f"/api/v1/certificates/{certificate['number']}/revoke",
                                            json={"reason": "The shop closed; the licence was surrendered."})
    assert revoked.status_code == 200, revoked.get_json()
    after = verify().get_json()
    assert (after["valid"], after["status"]) == (False, "revoked")
    assert after["message"] == (f"Certificate {certificate['number']} was revoked on 2026-12-03: "
                                "The shop closed; the licence was surrendered.")
    status = client.get(f"/api/v1/public/certificates/{certificate['number']}").get_json()
    assert (status["status"], status["revoked_on"]) == ("revoked", "2026-12-03")
    history = api.get(f"/api/v1/cases/{case['id']}").get_json()["history"]
    assert history[-1]["kind"] == "certificate_revoked" and history[-1]["actor"] == "vanna"
    assert history[-1]["data"]["reason"] == "The shop closed; the licence was surrendered."


def test_an_altered_or_forged_payload_is_said_plainly_to_be_not_genuine(api, client):
    case = signed_licence(api)
    payload = certificate_of(api, case["id"])["payload"]
    prefix, body, signature = payload.split(".")
    claims = json.loads(b64decode(body))
    claims["v"] = "2099-12-31"  # someone stretches the validity
    altered_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for forged in (f"{prefix}.{altered_body}.{signature}", payload[:-4] + "AAAA", f"{prefix}.{body}.{body}"):
        answer = client.post("/api/v1/public/certificates/verify", json={"payload": forged})
        assert answer.status_code == 200
        assert answer.get_json() == {
            "valid": False, "status": "invalid", "certificate": None,
            "message": "This code was not signed by a One Window office: the certificate is forged or was altered."}
    not_ours = client.post("/api/v1/public/certificates/verify", json={"payload": "https://example.com/x"}).get_json()
    assert not_ours["status"] == "invalid" and "not a One Window certificate code" in not_ours["message"]
    missing = client.post("/api/v1/public/certificates/verify", json={"code": payload})
    assert missing.status_code == 400 and "payload" in missing.get_json()["error"]


def test_a_certificate_past_its_validity_checks_as_expired(api, client):
    with time_machine.travel(local(2026, 11, 2, 9, 0), tick=False):
        case = signed_licence(api, signature={**SIGN, "licence_valid_until": "2026-11-30"})
        certificate = certificate_of(api, case["id"])  # with the token of that day: tokens last 30 days
    with time_machine.travel(local(2026, 11, 30, 16, 0), tick=False):
        assert client.get(f"/api/v1/public/certificates/{certificate['number']}").get_json()["status"] == "valid"
    with time_machine.travel(local(2026, 12, 1, 8, 0), tick=False):
        answer = client.post("/api/v1/public/certificates/verify", json={"payload": certificate["payload"]})
    assert answer.get_json()["status"] == "expired"
    assert answer.get_json()["message"] == f"Certificate {certificate['number']} expired on 2026-11-30."


def test_an_unknown_number_is_404_with_what_to_check(client):
    response = client.get("/api/v1/public/certificates/KPS-CL-2026-99999")
    assert response.status_code == 404
    assert response.get_json()["error"] == ("There is no certificate numbered 'KPS-CL-2026-99999'. "
                                            "Check the number printed on it.")


def test_only_the_issuing_offices_chief_may_revoke(api):
    number = certificate_of(api, signed_licence(api)["id"])["number"]
    url = f"/api/v1/certificates/{number}/revoke"
    front_office = api.as_user("dara").post(url, json={"reason": "mistake"})
    assert front_office.status_code == 403
    assert front_office.get_json()["error"] == "Only the chief of the issuing office may revoke a certificate."
    other_office = api.as_user("chan").post(url, json={"reason": "mistake"})
    assert other_office.status_code == 404
    no_reason = api.as_user("vanna").post(url, json={"reason": "  "})
    assert no_reason.status_code == 400 and "Say why" in no_reason.get_json()["error"]
    assert api.post(url, json={"reason": "Issued to the wrong owner."}).status_code == 200
    again = api.post(url, json={"reason": "Issued to the wrong owner."})
    assert again.status_code == 409 and "already revoked" in again.get_json()["error"]


def test_after_a_key_rotation_old_certificates_still_verify_and_new_ones_use_the_new_key(api, client, runner):
    old = certificate_of(api, signed_licence(api)["id"])
    result = runner.invoke(args=["certificates", "rotate-key", "KPS"])
    assert result.exit_code == 0, result.output
    new = certificate_of(api, signed_licence(api)["id"])
    old_kid = json.loads(b64decode(old["payload"].split(".")[1]))["k"]
    new_kid = json.loads(b64decode(new["payload"].split(".")[1]))["k"]
    assert old_kid != new_kid and new_kid in result.output
    keys = {k["key_id"]: k for k in client.get("/api/v1/public/keys").get_json()["keys"]}
    assert keys[old_kid]["retired_at"] is not None and keys[new_kid]["retired_at"] is None
    for certificate in (old, new):
        assert client.post("/api/v1/public/certificates/verify",
                           json={"payload": certificate["payload"]}).get_json()["status"] == "valid"


def test_the_qr_code_opens_the_public_check_page_with_holder_and_service(api, client):
    certificate = certificate_of(api, signed_licence(api)["id"])
    page = client.get(f"/certificates/check?p={certificate['payload']}&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'class="verdict-word">Valid<' in html
    assert "Sok Chanthy" in html and "Commercial licence" in html and "Chanthy Mini Mart" in html
    by_number = client.get(f"/certificates/?number={certificate['number']}&lang=en").get_data(as_text=True)
    assert 'class="verdict-word">Valid<' in by_number
    unknown = client.get("/certificates/?number=KPS-CL-2026-99999&lang=en")
    assert unknown.status_code == 404 and 'class="verdict-word">Unknown<' in unknown.get_data(as_text=True)


def test_the_check_page_speaks_khmer_to_the_public_unless_asked_otherwise(api, app):
    certificate = certificate_of(api, signed_licence(api)["id"])
    citizen = app.test_client()
    html = citizen.get(f"/certificates/check?p={certificate['payload']}").get_data(as_text=True)
    assert 'class="verdict-word">មានសុពលភាព<' in html
    assert "អាជ្ញាបណ្ណពាណិជ្ជកម្ម" in html
    assert f"វិញ្ញាបនបត្រ {certificate['number']} ពិតប្រាកដ និងមានសុពលភាព។" in html


def test_script_in_a_holders_name_is_shown_as_text_on_the_check_page(api, client):
    from office_data import APPLICATION
    case = signed_licence(api, application={**APPLICATION, "applicant_name": "<script>alert(1)</script>"})
    certificate = certificate_of(api, case["id"])
    html = client.get(f"/certificates/check?p={certificate['payload']}&lang=en").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_pdf_carries_the_facts_and_a_qr_code_that_verifies(api, client, tmp_path):
    case = signed_licence(api)
    certificate = certificate_of(api, case["id"])
    response = api.as_user("dara").get(f"/api/v1/cases/{case['id']}/certificate")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for fact in (certificate["number"], "KPS-CL-2026-001", "Sok Chanthy", "Chanthy Mini Mart", "2027-11-30",
                 "Kampong Siem OWSO", "Vanna", "Commercial licence"):
        assert fact in text, fact
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "+Khmer-OS " in fonts and "+Khmer-OS-Muol-Light" in fonts  # embedded, not substituted
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert scanned == f"http://127.0.0.1:5000/certificates/check?p={certificate['payload']}"
    # A second download is the same document, not a new rendering.
    assert api.get(f"/api/v1/cases/{case['id']}/certificate").data == response.data
    assert api.as_user("bopha").get(f"/api/v1/cases/{case['id']}/certificate").status_code == 404


def ink_width_of_first_line(png) -> int:
    """Pixel width of the first line of text on a page (the kingdom's name, centred at the top)."""
    from PIL import Image
    image = Image.open(png).convert("L")
    width, height = image.size
    pixels = image.load()
    rows = [any(pixels[x, y] < 128 for x in range(width)) for y in range(height)]
    top = rows.index(True)
    bottom = next(y for y in range(top, height) if not rows[y])
    columns = [x for x in range(width) if any(pixels[x, y] < 128 for y in range(top, bottom))]
    return columns[-1] - columns[0]


def test_khmer_on_the_certificate_is_shaped_not_drawn_letter_by_letter(api, app, tmp_path):
    """ព្រះរាជាណាចក្រកម្ពុជា has subscript consonants and vowels that shaping stacks onto their
    base letters. The same page with each code point laid out alone (what a renderer without
    shaping draws: every sign on its own dotted circle) is much wider."""
    import re

    from app.certificates.rendering import certificate_html, html_to_pdf
    from app.certificates.services import by_number
    case = signed_licence(api)
    number = certificate_of(api, case["id"])["number"]
    shaped = tmp_path / "shaped.pdf"
    shaped.write_bytes(api.get(f"/api/v1/cases/{case['id']}/certificate").data)
    with app.test_request_context():
        html = certificate_html(by_number(number))
    unshaped_html = re.sub("[\u1780-\u17ff]", lambda m: f'<span style="display:inline-block">{m[0]}</span>',
                           html.split("<body>", 1)[1])
    unshaped = tmp_path / "unshaped.pdf"
    unshaped.write_bytes(html_to_pdf(html.split("<body>", 1)[0] + "<body>" + unshaped_html))
    assert "Pages:           1" in subprocess.run(["pdfinfo", str(shaped)], capture_output=True, text=True).stdout
    for pdf in (shaped, unshaped):
        subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", "-f", "1", str(pdf),
                        str(pdf.with_suffix(""))], check=True)
    shaped_width = ink_width_of_first_line(shaped.with_suffix(".png"))
    unshaped_width = ink_width_of_first_line(unshaped.with_suffix(".png"))
    assert shaped_width < 0.8 * unshaped_width, (shaped_width, unshaped_width)
