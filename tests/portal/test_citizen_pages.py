"""The citizen's pages work without JavaScript on a slow link: plain forms, small pages, Khmer first."""
import io
import re

from sqlalchemy import select

from app.cases.models import Case
from app.documents.models import Document
from citizen import HTML_NAMED_PDF, PDF
from office_data import APPLICATION
from support import csrf_token_from

LIMIT = 60 * 1024


def _form(client, extra=None, files=None):
    page = client.get("/apply/commercial_licence").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    data = {**APPLICATION, "csrf_token": csrf_token_from(page), "idempotency_key": key, "office": "KPS",
            "contact_name": "Sok Chanthy", "contact_phone": "012 345 678", **(extra or {})}
    for name, (content, filename) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return data


def test_the_catalogue_speaks_khmer_first_and_every_page_stays_small(client):
    page = client.get("/services")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'lang="km"' in html
    assert "អាជ្ញាបណ្ណពាណិជ្ជកម្មសម្រាប់អាជីវកម្មខ្នាតតូច" in html
    assert "<script" not in html
    for url in ("/services", "/services/commercial_licence", "/apply/commercial_licence", "/track",
                "/services?lang=en"):
        assert len(client.get(url).data) < LIMIT, url
    english = client.get("/services/commercial_licence?lang=en").get_data(as_text=True)
    assert "Commercial licence for a small business" in english
    assert "free of charge" in client.get("/services/birth_registration?lang=en").get_data(as_text=True)
    assert "show it at the counter" in english and "sign when you collect" in english


def test_applying_on_the_page_with_a_pdf_gives_a_printable_receipt_with_a_qr_code(client, database):
    response = client.post("/apply/commercial_licence?lang=en", content_type="multipart/form-data",
                           data=_form(client, files={"document_premises_title_or_lease": (PDF, "lease.pdf")}))
    assert response.status_code == 303
    receipt = client.get(response.headers["Location"] + "&lang=en")
    html = receipt.get_data(as_text=True)
    case = database.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case.channel == "online" and case.number in html and case.access_code in html
    assert "<svg" in html and "@media print" in html and len(receipt.data) < LIMIT
    assert [d.document_key for d in database.scalars(select(Document).where(Document.case_id == case.id))] == [
        "premises_title_or_lease"]


def test_sending_the_same_page_twice_makes_one_case(client, database):
    form = _form(client)
    first = client.post("/apply/commercial_licence", data=form)
    again = client.post("/apply/commercial_licence", data=form)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert len(database.scalars(select(Case).where(Case.idempotency_key == form["idempotency_key"])).all()) == 1


def test_a_disguised_upload_on_the_page_is_refused_and_no_case_is_made(client, database):
    form = _form(client, files={"document_id_card_copy": (HTML_NAMED_PDF, "id.pdf")})
    response = client.post("/apply/commercial_licence?lang=en", content_type="multipart/form-data", data=form)
    assert response.status_code == 415
    assert "id.pdf is not a PDF, JPEG or PNG file" in response.get_data(as_text=True)
    assert database.scalars(select(Case).where(Case.idempotency_key == form["idempotency_key"])).first() is None


def test_the_tracking_page_and_a_wrong_pair(client, database):
    response = client.post("/apply/commercial_licence", data=_form(client))
    case = database.scalars(select(Case).order_by(Case.id.desc())).first()
    page = client.get(f"/track?number={case.number}&code={case.access_code}&lang=en").get_data(as_text=True)
    assert "Being processed" in page and "Application received" in page
    wrong = client.get(f"/track?number={case.number}&code=WRONGCODE2&lang=en")
    assert wrong.status_code == 404
    assert "No application has this number and access code" in wrong.get_data(as_text=True)


def test_the_counter_prints_the_same_receipt_for_a_walk_in(client, auth, database):
    auth.login("dara")
    form_page = client.get("/cases/new/commercial_licence").get_data(as_text=True)
    registered = client.post("/cases/new/commercial_licence",
                             data={**APPLICATION, "csrf_token": csrf_token_from(form_page)})
    case_url = registered.headers["Location"]
    case = database.scalars(select(Case).order_by(Case.id.desc())).first()
    assert "Print the receipt" in client.get(case_url).get_data(as_text=True)
    receipt = client.get(f"/cases/{case.id}/receipt").get_data(as_text=True)
    assert case.number in receipt and case.access_code in receipt and "<svg" in receipt
    assert "100,000 riel" in receipt
