"""Sok Chanthy follows her shop's licence with the number and access code on her receipt: once the
chief signed, she downloads the licence from tracking (nobody without her code can); once it was
handed over, she rates the service, once. A wrong pair is refused like any guess at tracking."""
import pytest
from sqlalchemy import select

from app.accounts.models import Office
from app.cases.models import Case
from app.certificates.services import certificate_of_case, revoke
from app.feedback.models import Feedback
from support import csrf_token_from, licence_through_the_api, user


def receipt_of(case: dict, database) -> dict:
    """The number and access code printed on the counter's receipt of the case."""
    found = database.get(Case, case["id"])
    return {"number": found.number, "access_code": found.access_code}


def rate(client, receipt, rating, comment=None):
    body = {"number": receipt["number"], "code": receipt["access_code"], "rating": rating}
    if comment is not None:
        body["comment"] = comment
    return client.post("/api/v1/public/feedback?lang=en", json=body)


def tracked(client, receipt) -> dict:
    response = client.get(f"/api/v1/public/track?number={receipt['number']}&code={receipt['access_code']}&lang=en")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def tracking_page(client, receipt) -> str:
    response = client.get(f"/track?number={receipt['number']}&code={receipt['access_code']}&lang=en")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post_rating_form(client, receipt, rating, comment=""):
    token = csrf_token_from(tracking_page(client, receipt))
    return client.post(f"/track/{receipt['number']}/feedback?code={receipt['access_code']}&lang=en",
                       data={"rating": rating, "comment": comment, "csrf_token": token})


# --- feedback through the API ------------------------------------------------------------

def test_the_applicant_of_a_handed_over_licence_rates_it_once(client, api, database):
    receipt = receipt_of(licence_through_the_api(api), database)
    assert tracked(client, receipt)["feedback"] == {"may_rate": True, "rating": None, "rated_at": None}

    response = rate(client, receipt, 4, "Quick, but I came twice for the lease.")
    assert response.status_code == 201
    given = database.scalars(select(Feedback).join(Case, Feedback.case_id == Case.id)
                             .where(Case.number == receipt["number"])).one()
    assert response.get_json() == {"number": receipt["number"], "rating": 4,
                                   "comment": "Quick, but I came twice for the lease.",
                                   "rated_at": given.created_at.isoformat()}
    assert (given.rating, given.source, given.service, database.get(Office, given.office_id).code) == (
        4, "tracking", "commercial_licence", "KPS")
    assert tracked(client, receipt)["feedback"] == {"may_rate": False, "rating": 4,
                                                    "rated_at": given.created_at.isoformat()}

    again = rate(client, receipt, 1)
    assert again.status_code == 409
    assert again.get_json()["error"] == (f"Case {receipt['number']} was already rated; thank you. "
                                         "A case is rated once.")
    assert database.scalars(select(Feedback.rating).where(Feedback.case_id == given.case_id)).all() == [4]


def test_a_licence_still_in_the_office_cannot_be_rated_yet(client, api, database):
    receipt = receipt_of(licence_through_the_api(api, until="sign_licence"), database)
    assert tracked(client, receipt)["feedback"] == {"may_rate": False, "rating": None, "rated_at": None}
    response = rate(client, receipt, 5)
    assert response.status_code == 422
    assert response.get_json() == {
        "error": f"Case {receipt['number']} has not ended yet; you can rate the service once it has.",
        "details": {"case": "not ended"}}
    assert database.scalars(select(Feedback)).all() == []


def test_a_rating_with_a_wrong_code_is_404_and_counts_as_a_guess(client, api, database):
    receipt = receipt_of(licence_through_the_api(api), database)
    wrong = {**receipt, "access_code": "AAAAAAAAAA"}
    assert [rate(client, wrong, 5).status_code for _ in range(10)] == [404] * 10
    assert rate(client, wrong, 5).status_code == 429
    assert rate(client, receipt, 5).status_code == 429  # the number is locked for the hour, even with its code
    assert database.scalars(select(Feedback)).all() == []


def test_bad_ratings_say_what_to_fix_and_keep_nothing(client, api, database):
    receipt = receipt_of(licence_through_the_api(api), database)
    words = rate(client, receipt, "five")
    assert (words.status_code, words.get_json()["error"]) == (
        400, "Give the rating as a whole number from 1 (very poor) to 5 (very good).")
    too_high = rate(client, receipt, 9)
    assert (too_high.status_code, too_high.get_json()) == (
        422, {"error": "The rating is from 1 (very poor) to 5 (very good), not 9.", "details": {"rating": "1 to 5"}})
    long = rate(client, receipt, 3, "x" * 2001)
    assert (long.status_code, long.get_json()["error"]) == (422, "The comment is too long: at most 2000 characters.")
    nameless = client.post("/api/v1/public/feedback?lang=en", json={"code": receipt["access_code"], "rating": 5})
    assert nameless.status_code == 400
    assert nameless.get_json()["error"].startswith("Say which case, with the number and access code on its receipt")
    assert database.scalars(select(Feedback)).all() == []


# --- feedback on the tracking page -------------------------------------------------------

def test_the_tracking_page_of_a_finished_case_takes_one_rating(client, api, database):
    receipt = receipt_of(licence_through_the_api(api), database)
    html = tracking_page(client, receipt)
    assert "How was the service?" in html and 'name="rating" value="5"' in html
    token = csrf_token_from(html)

    response = post_rating_form(client, receipt, "5", "<script>alert('x')</script> Polite staff.")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/track?number={receipt['number']}&code={receipt['access_code']}"
    html = tracking_page(client, receipt)
    assert "You rated the service 5 of 5. Thank you: the office reads every rating." in html
    assert 'name="rating"' not in html
    assert database.scalars(select(Feedback.comment)).one() == "<script>alert('x')</script> Polite staff."

    again = client.post(f"/track/{receipt['number']}/feedback?code={receipt['access_code']}&lang=en",
                        data={"rating": "1", "csrf_token": token})
    assert again.status_code == 409
    assert f"Case {receipt['number']} was already rated; thank you. A case is rated once." in again.get_data(
        as_text=True)


def test_a_refused_rating_on_the_page_says_why_and_keeps_the_form(client, api, database):
    receipt = receipt_of(licence_through_the_api(api), database)
    response = post_rating_form(client, receipt, "")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Give the rating as a whole number from 1 (very poor) to 5 (very good)." in html
    assert 'name="rating" value="5"' in html
    assert database.scalars(select(Feedback)).all() == []


def test_a_case_in_progress_shows_no_rating_form(client, api, database):
    receipt = receipt_of(licence_through_the_api(api, until="technical_review"), database)
    html = tracking_page(client, receipt)
    assert "Rate the service" not in html and 'name="rating"' not in html


# --- the certificate from tracking -------------------------------------------------------

@pytest.mark.usefixtures("licence_year")
def test_once_signed_the_holder_downloads_the_licence_from_tracking(client, api, database):
    signed = licence_through_the_api(api, until="sign_licence")
    receipt = receipt_of(signed, database)
    number = certificate_of_case(database.get(Case, signed["id"])).number
    pdf_path = f"/track/{receipt['number']}/certificate.pdf?code={receipt['access_code']}"
    assert tracked(client, receipt)["certificate"] == {"number": number, "status": "valid",
                                                       "pdf_url": f"http://127.0.0.1:5000{pdf_path}"}
    html = tracking_page(client, receipt)
    assert f"Certificate {number}" in html and "Download the certificate (PDF)" in html
    assert pdf_path.replace("&", "&amp;") in html

    pdf = client.get(pdf_path)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    staff_copy = api.as_user("dara").get(f"/api/v1/cases/{signed['id']}/certificate")
    assert pdf.data.startswith(b"%PDF-") and pdf.data == staff_copy.data


def test_nobody_without_the_code_gets_the_certificate(client, api, database):
    receipt = receipt_of(licence_through_the_api(api, until="sign_licence"), database)
    other = receipt_of(licence_through_the_api(api, until="check_documents"), database)
    assert client.get(f"/track/{receipt['number']}/certificate.pdf?code=AAAAAAAAAA").status_code == 404
    assert client.get(f"/track/{receipt['number']}/certificate.pdf?code={other['access_code']}").status_code == 404
    assert client.get(f"/track/{receipt['number']}/certificate.pdf").status_code == 404


def test_before_signing_there_is_no_certificate_to_download(client, api, database):
    receipt = receipt_of(licence_through_the_api(api, until="technical_review"), database)
    assert tracked(client, receipt)["certificate"] is None
    assert "Your certificate" not in tracking_page(client, receipt)
    response = client.get(f"/track/{receipt['number']}/certificate.pdf?code={receipt['access_code']}&lang=en")
    assert response.status_code == 404
    assert f"No certificate has been issued for application {receipt['number']} yet." in response.get_data(
        as_text=True)


def test_a_revoked_licence_is_shown_as_revoked_and_no_longer_handed_out(client, api, database):
    signed = licence_through_the_api(api, until="sign_licence")
    receipt = receipt_of(signed, database)
    certificate = certificate_of_case(database.get(Case, signed["id"]))
    revoke(user("vanna"), certificate.number, "The shop closed; the licence was surrendered.")
    assert tracked(client, receipt)["certificate"] == {"number": certificate.number, "status": "revoked",
                                                       "pdf_url": None}
    html = tracking_page(client, receipt)
    assert "Revoked on" in html and "The shop closed; the licence was surrendered." in html
    assert "Download the certificate (PDF)" not in html
    response = client.get(f"/track/{receipt['number']}/certificate.pdf?code={receipt['access_code']}&lang=en")
    assert response.status_code == 409
    assert (f"Certificate {certificate.number} was revoked, so it can no longer be downloaded: The shop closed; "
            "the licence was surrendered.") in response.get_data(as_text=True)
