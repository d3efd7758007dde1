"""A citizen applies online from a phone, sends the documents, follows the case with the number and
access code from the receipt, and answers a send-back; the office sees the same case."""
import re

from sqlalchemy import select

from app.cases.models import Case
from app.cases.work_items import complete
from app.documents.models import Document
from citizen import CONTACT, HTML_NAMED_PDF, PDF, apply, track, upload
from office_data import INTAKE, REVIEW_SEND_BACK
from support import open_item, user


def test_an_online_application_gets_a_receipt_and_lands_in_the_front_offices_inbox(client, api, database):
    response = apply(client, key="form-8f2a7c1e")
    assert response.status_code == 201
    receipt = response.get_json()
    assert re.fullmatch(r"KPS-\d{4}-\d{5}", receipt["number"]) and len(receipt["access_code"]) == 10
    assert receipt["tracking_url"] == (f"http://127.0.0.1:5000/track?number={receipt['number']}"
                                       f"&code={receipt['access_code']}")
    case = database.scalars(select(Case).where(Case.number == receipt["number"])).one()
    # Applied in English (citizen.apply asks for it): the office writes to them in English.
    assert (case.channel, case.applicant, case.started_by_id) == ("online", {**CONTACT, "language": "en"}, None)
    inbox = api.as_user("dara").get("/api/v1/inbox").get_json()
    assert [i["task"] for i in inbox if i["case_number"] == receipt["number"]] == ["check_documents"]


def test_replaying_the_same_application_makes_one_case(client, database):
    first = apply(client, key="form-replayed-1")
    again = apply(client, key="form-replayed-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert database.scalars(select(Case).where(Case.idempotency_key == "form-replayed-1")).all() != []
    assert len(database.scalars(select(Case).where(Case.idempotency_key == "form-replayed-1")).all()) == 1


def test_an_office_that_does_not_offer_the_service_is_refused(client, database):
    from app.catalogue.services import change_service, find_service
    from app.accounts.services import find_office
    change_service(find_service("commercial_licence"), {"closed_office_ids": [find_office("BTB").id]},
                   user("admin"), "No licensing in Battambang City yet")
    response = apply(client, office="BTB", key="form-btb-0001")
    assert response.status_code == 422
    assert response.get_json()["details"] == {"office": "does not offer this service"}
    assert database.scalars(select(Case).where(Case.idempotency_key == "form-btb-0001")).first() is None


def test_a_pdf_is_stored_once_by_its_hash_and_served_so_it_cannot_run(client, app, database):
    receipt = apply(client).get_json()
    first = upload(client, receipt)
    second = upload(client, receipt, name="lease-again.pdf")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json()["sha256"] == second.get_json()["sha256"]
    stored = [p for p in (__import__("pathlib").Path(app.config["DOCUMENTS_DIR"])).rglob("*") if p.is_file()
              and p.name == first.get_json()["sha256"]]
    assert len(stored) == 1 and stored[0].read_bytes() == PDF
    served = client.get(f"/track/{receipt['number']}/documents/{first.get_json()['id']}?code={receipt['access_code']}")
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["Content-Disposition"] == "attachment; filename=lease.pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_an_html_file_named_pdf_is_refused_and_nothing_is_stored(client, app, database):
    receipt = apply(client).get_json()
    response = upload(client, receipt, content=HTML_NAMED_PDF, name="lease.pdf", lang="km")
    assert response.status_code == 415
    assert response.get_json()["error"] == ("lease.pdf មិនមែនជាឯកសារ PDF, JPEG ឬ PNG ទេ (ទោះបីឈ្មោះវាបង្ហាញយ៉ាងណាក៏ដោយ)។ "
                                            "សូមស្កេន ឬរក្សាទុកឯកសារជាទម្រង់មួយក្នុងចំណោមទម្រង់ទាំងនោះ។")
    response = upload(client, receipt, content=HTML_NAMED_PDF, name="lease.pdf", lang="en")
    assert response.status_code == 415
    assert response.get_json()["error"] == ("lease.pdf is not a PDF, JPEG or PNG file (whatever its name says); "
                                            "scan or save the document as one of those.")
    assert database.scalars(select(Document)).all() == []


def test_an_oversized_upload_is_refused_with_the_limit(client, app, database):
    receipt = apply(client).get_json()
    app.config["DOCUMENT_MAX_BYTES"] = 1024 * 1024
    try:
        response = upload(client, receipt, content=PDF + b"0" * (1024 * 1024))
    finally:
        app.config["DOCUMENT_MAX_BYTES"] = 10 * 1024 * 1024
    assert response.status_code == 413
    assert response.get_json()["error"] == "lease.pdf is 1.0 MB; a document may be at most 1 MB."
    assert database.scalars(select(Document)).all() == []


def test_tracking_shows_the_status_the_promise_and_a_history_without_staff_names(client, database):
    receipt = apply(client).get_json()
    case = database.scalars(select(Case).where(Case.number == receipt["number"])).one()
    complete(user("dara"), open_item(case, "check_documents").id, INTAKE)
    view = track(client, receipt).get_json()
    assert view["status"] == "in_progress" and view["status_text"] == "Being processed"
    assert view["current_steps"] == ["Review the application"]
    assert track(client, receipt, lang="km").get_json()["current_steps"] == ["ពិនិត្យពាក្យស្នើសុំ"]
    assert view["promised_date"] == case.promised_at.isoformat() and view["late_working_days"] == 0
    assert [e["what"] for e in view["history"]] == [
        "Application received", f"Fee paid: official receipt {case.data['fee_receipt_number']}",
        "Step done: Check documents and take the official fee"]
    assert "Dara" not in str(view)


def test_a_wrong_pair_is_404_and_guessing_is_throttled_per_case_number(client, app, database):
    receipt = apply(client).get_json()
    wrong = {**receipt, "access_code": "AAAAAAAAAA"}
    statuses = [track(client, wrong).status_code for _ in range(10)]
    assert statuses == [404] * 10
    assert track(client, wrong).status_code == 429
    assert track(client, receipt).status_code == 429  # the number is locked for the hour, even with its code
    other = apply(client).get_json()
    assert track(client, other).status_code == 200


def test_guessing_many_numbers_from_one_address_is_throttled(client, database):
    statuses = [client.get(f"/api/v1/public/track?number=KPS-2026-{n:05d}&code=AAAAAAAAAA").status_code
                for n in range(1, 22)]
    assert statuses == [404] * 20 + [429]
    refused = client.get("/api/v1/public/track?number=KPS-2026-00099&code=A").get_json()["error"]
    assert refused.startswith("មានការបញ្ចូលលេខសំណុំឯកសារ ឬលេខកូដចូលមើលខុសច្រើនដងពេក។ សូមរង់ចាំមួយម៉ោង")
    assert "wait an hour" in client.get("/api/v1/public/track?number=KPS-2026-00099&code=A&lang=en").get_json()["error"]


def test_a_send_back_is_answered_online_the_clock_resumes_and_the_front_office_is_told(client, database):
    receipt = apply(client).get_json()
    case = database.scalars(select(Case).where(Case.number == receipt["number"])).one()
    complete(user("dara"), open_item(case, "check_documents").id, INTAKE)
    complete(user("sokha"), open_item(case, "technical_review").id, REVIEW_SEND_BACK)
    view = track(client, receipt).get_json()
    assert view["status"] == "waiting_on_applicant"
    assert view["corrections_requested"] == "Bring the signed lease of the shop."
    assert upload(client, receipt).status_code == 201
    answered = client.post(f"/api/v1/public/applications/{receipt['number']}/answer"
                           f"?code={receipt['access_code']}&lang=en",
                           json={"data": {"message": "Signed lease uploaded.", "business_address": "House 14"}})
    assert answered.status_code == 200
    view = answered.get_json()
    assert view["status"] == "in_progress" and view["current_steps"] == ["Review the application"]
    assert [e["what"] for e in view["history"]][-5:] == [
        "Step done: Review the application", "Sent back to you for corrections; the service clock stopped",
        "Document received", "Your corrections were received", "Processing resumed; the service clock runs again"]
    database.refresh(case)
    assert case.clock_stopped_at is None and case.data["business_address"] == "House 14"
    from app.notifications.models import Notification
    told = database.scalars(select(Notification).where(Notification.case_id == case.id,
                                                       Notification.kind == "applicant_answered")).all()
    assert {n.user.username for n in told} == {"dara"}


def test_script_in_a_field_is_shown_as_text_on_the_public_and_staff_pages(client, auth, database):
    from office_data import APPLICATION
    receipt = apply(client, data={**APPLICATION, "business_name": "<script>alert(1)</script>"}).get_json()
    case = database.scalars(select(Case).where(Case.number == receipt["number"])).one()
    auth.login("dara")
    staff = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in staff and "&lt;script&gt;alert(1)&lt;/script&gt;" in staff
