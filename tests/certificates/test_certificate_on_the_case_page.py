"""On the case page the front office finds the certificate to print at hand-over, and the
chief of the office — only the chief — can revoke it there, with a reason."""
from certificate_support import certificate_of, signed_licence


def test_the_front_office_opens_the_pdf_from_the_case_page_but_cannot_revoke(api, auth, client):
    case = signed_licence(api)
    auth.login("dara")
    html = client.get(f"/cases/{case['id']}?lang=en").get_data(as_text=True)
    assert "Open the certificate (PDF) to print at hand-over" in html
    assert "Revoke the certificate" not in html
    pdf = client.get(f"/certificates/case/{case['id']}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    refused = auth.post(f"/certificates/{certificate_of(api, case['id'])['number']}/revoke",
                        {"reason": "no"}, headers={"Accept": "application/json"})
    assert refused.status_code == 403


def test_the_chief_revokes_from_the_case_page_and_the_history_says_why(api, auth, client):
    case = signed_licence(api)
    number = certificate_of(api, case["id"])["number"]
    auth.login("vanna")
    assert "Revoke the certificate" in client.get(f"/cases/{case['id']}?lang=en").get_data(as_text=True)
    response = auth.post(f"/certificates/{number}/revoke", {"reason": "Wrong business name."})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cases/{case['id']}")
    html = client.get(f"/cases/{case['id']}?lang=en").get_data(as_text=True)
    assert "Revoked: Wrong business name." in html and "Revoke the certificate" not in html
    assert certificate_of(api, case["id"])["status"] == "revoked"
