"""Anyone complains to the District Ombudsman about an office, with or without their name: the
complaint runs the Ombudsman's procedure in the Ombudsman's own series; the office learns of it only
through the work the Ombudsman forwards, never with the complainant's identity unless they agreed;
the complainant follows it with its number and code and is told the outcome, on tracking and at
the contact they left. Flooding the form is throttled; script in a complaint stays text."""
import re

import time_machine
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.cases.models import Case
from app.db import utcnow
from app.feedback.models import Feedback
from app.notifications.models import Notification
from app.notifications.services import Message, told_to_reader
from support import csrf_token_from

COMPLAINT = {"office": "KPS", "category": "money_asked_beyond_the_official_fee",
             "text": "The officer at counter 2 asked me for 20,000 riel more than the published fee."}
REGISTERED = {"admissibility": "admissible", "complaint_category": "informal_payment", "acknowledged_on": "2026-12-02"}
OWSO_ANSWER = {"owso_position": "partly_accepts_the_facts", "owso_response": "The officer was reminded of the fee."}
INVESTIGATED = {"investigation_methods": ["interviewed_complainant", "interviewed_owso_staff"],
                "investigation_findings": "Two other applicants were asked for the same extra money."}
UPHELD = {"finding": "upheld", "decision_reasons": "The extra payment has no basis in the published fee.",
          "recommendation": "Return the 20,000 riel and post the fee at every counter."}
ACTED = {"recommendation_status": "implemented", "action_taken": "The money was returned; the fee is posted."}
INFORMED = {"informed_on": "2026-12-20", "informed_how": "email", "complainant_satisfied": "satisfied"}


def complain(client, lang="en", **changes):
    return client.post(f"/api/v1/public/complaints?lang={lang}", json={**COMPLAINT, **changes})


def filed(client, lang="en", **changes) -> dict:
    response = complain(client, lang, **changes)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def inbox_of(api, username):
    return api.as_user(username).get("/api/v1/inbox").get_json()


def work(api, username, task, number, data):
    [item] = [i for i in inbox_of(api, username) if i["task"] == task and i["case_number"] == number]
    response = api.post(f"/api/v1/work-items/{item['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()
    return item


def tracked(client, receipt) -> dict:
    response = client.get(f"/api/v1/public/track?number={receipt['number']}&code={receipt['access_code']}&lang=en")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def case_of(database, receipt) -> Case:
    return database.scalars(select(Case).where(Case.number == receipt["number"])).one()


def a_licence(api) -> dict:
    started = api.as_user("dara").post("/api/v1/cases", json={"process": "commercial_licence", "data": {
        "applicant_name": "Sok Chanthy", "applicant_id_card_number": "010203040", "applicant_phone": "012 345 678",
        "business_name": "Chanthy Mini Mart", "business_activity": "grocery_or_mini_mart",
        "business_address": "House 12, Street 3", "business_commune": "Kampong Siem", "premises": "rented"}})
    assert started.status_code == 201, started.get_json()
    return started.get_json()


# --- filing -----------------------------------------------------------------------------

def test_an_anonymous_complaint_gets_a_number_in_the_ombudsmans_series_and_a_code(client, api, database):
    receipt = filed(client)
    assert re.fullmatch(rf"OMB-KPS-{utcnow().year}-\d{{5}}", receipt["number"])
    assert re.fullmatch(r"[A-Z0-9]{10}", receipt["access_code"])
    assert receipt["tracking_url"] == (f"http://127.0.0.1:5000/track?number={receipt['number']}"
                                       f"&code={receipt['access_code']}")
    case = case_of(database, receipt)
    assert (case.channel, case.jurisdiction, case.definition.key, case.started_by_id, case.applicant) == (
        "online", "ombudsman", "ombudsman_complaint", None, {"language": "en"})
    assert case.data == {"complaint_text": COMPLAINT["text"], "complaint_subject": COMPLAINT["category"],
                         "share_identity": False}
    assert [i["task"] for i in inbox_of(api, "ombudsman") if i["case_number"] == receipt["number"]] == [
        "register_complaint"]
    view = tracked(client, receipt)
    assert (view["status"], view["service"], view["current_steps"]) == (
        "in_progress", "Complaint to the District Ombudsman", ["Register and acknowledge the complaint"])
    assert view["complaint"] == {"category": "money_asked_beyond_the_official_fee", "outcome": None}
    assert [e["what"] for e in view["history"]] == ["Complaint received"]
    receipt_page = client.get(f"/receipt/{receipt['number']}?code={receipt['access_code']}")
    assert (receipt_page.status_code, receipt_page.headers["Location"]) == (
        302, f"/complaints/{receipt['number']}?code={receipt['access_code']}")


def test_the_office_sees_nothing_of_a_complaint_the_ombudsman_has_not_forwarded(client, api, database):
    licence = a_licence(api)
    receipt = filed(client, related_case=licence["number"], name="Chea Sophal", contact="017 222 333")
    case = case_of(database, receipt)
    for username in ("dara", "sokha", "vanna", "governor"):
        assert [i for i in inbox_of(api, username) if i["case_number"] == receipt["number"]] == []
        assert api.get(f"/api/v1/cases/{case.id}").status_code == 404
    staff = api.as_user("vanna").get(f"/api/v1/cases/{licence['id']}").get_json()
    assert "complaint" not in str(staff).lower()


def test_once_forwarded_the_chief_answers_it_without_knowing_who_complained(client, api, auth, database):
    licence = a_licence(api)
    receipt = filed(client, related_case=licence["number"], name="Chea Sophal", contact="017 222 333")
    auth.login("vanna")
    assert "names this case" not in auth.client.get(f"/cases/{licence['id']}?lang=en").get_data(as_text=True)

    work(api, "ombudsman", "register_complaint", receipt["number"], REGISTERED)
    [response] = [i for i in inbox_of(api, "vanna") if i["case_number"] == receipt["number"]]
    assert response["task"] == "owso_chief_response"
    page = auth.client.get(f"/work-items/{response['id']}?lang=en").get_data(as_text=True)
    assert "20,000 riel more than the published fee" in page
    assert "Chea Sophal" not in page and "017 222 333" not in page

    licence_page = auth.client.get(f"/cases/{licence['id']}?lang=en").get_data(as_text=True)
    assert "A complaint to the District Ombudsman names this case" in licence_page
    assert f"{receipt['number']}: " in licence_page and f"/work-items/{response['id']}" in licence_page
    auth.login("dara")
    assert "names this case" not in auth.client.get(f"/cases/{licence['id']}?lang=en").get_data(as_text=True)


def test_a_complainant_who_agreed_is_named_to_the_office(client, api, auth):
    receipt = filed(client, name="Chea Sophal", contact="017 222 333", share_identity=True)
    work(api, "ombudsman", "register_complaint", receipt["number"], REGISTERED)
    [response] = [i for i in inbox_of(api, "vanna") if i["case_number"] == receipt["number"]]
    auth.login("vanna")
    page = auth.client.get(f"/work-items/{response['id']}?lang=en").get_data(as_text=True)
    assert "Chea Sophal" in page and "017 222 333" in page


# --- following it to the outcome ---------------------------------------------------------

def test_the_complainant_follows_it_to_the_outcome_and_is_told_at_the_contact_given(client, api, database):
    receipt = filed(client, contact="sophal@example.org")
    number = receipt["number"]
    work(api, "ombudsman", "register_complaint", number, REGISTERED)
    work(api, "vanna", "owso_chief_response", number, OWSO_ANSWER)
    work(api, "ombudsman", "investigate_complaint", number, INVESTIGATED)
    work(api, "ombudsman", "decide_complaint", number, UPHELD)
    assert tracked(client, receipt)["complaint"]["outcome"] is None  # decided, but not yet told
    work(api, "vanna", "act_on_recommendation", number, ACTED)
    assert database.scalars(select(Notification).where(Notification.kind == "complaint_outcome")).all() == []
    work(api, "ombudsman", "inform_complainant", number, INFORMED)

    view = tracked(client, receipt)
    assert view["status"] == "completed"
    assert view["complaint"]["outcome"] == {
        "admissible": True, "finding": "upheld", "finding_text": "Upheld",
        "reasons": "The extra payment has no basis in the published fee.", "referred_to": None}
    assert view["feedback"] == {"may_rate": False, "rating": None, "rated_at": None}
    page = client.get(f"/track?number={number}&code={receipt['access_code']}&lang=en").get_data(as_text=True)
    assert f"Complaint {number}" in page and "The Ombudsman’s decision" in page and "Upheld" in page
    assert "The extra payment has no basis in the published fee." in page and 'name="rating"' not in page

    [told] = database.scalars(select(Notification).where(Notification.kind == "complaint_outcome")).all()
    assert (told.medium, told.address, told.user_id, told.case_id) == (
        "email", "sophal@example.org", None, case_of(database, receipt).id)
    assert told_to_reader(told) == Message(  # complained in English, told in English
        f"Your complaint {number}: Upheld",
        f"The District Ombudsman closed your complaint {number}: Upheld. The extra payment has no basis in the "
        "published fee. Follow it on the tracking page with its number and access code.")


def test_a_complainant_who_wrote_in_khmer_is_told_the_outcome_in_khmer(client, api, database):
    receipt = filed(client, lang="km", contact="012 888 999")
    number = receipt["number"]
    for username, task, data in (("ombudsman", "register_complaint", REGISTERED),
                                 ("vanna", "owso_chief_response", OWSO_ANSWER),
                                 ("ombudsman", "investigate_complaint", INVESTIGATED),
                                 ("ombudsman", "decide_complaint", UPHELD), ("vanna", "act_on_recommendation", ACTED),
                                 ("ombudsman", "inform_complainant", INFORMED)):
        work(api, username, task, number, data)

    [told] = database.scalars(select(Notification).where(Notification.kind == "complaint_outcome")).all()
    assert (told.medium, told.address) == ("sms", "+85512888999")
    assert told_to_reader(told) == Message(
        f"បណ្តឹងលេខ {number} របស់អ្នក៖ មានមូលដ្ឋាន",
        f"ការិយាល័យប្រជាពលរដ្ឋស្រុកបានបិទបណ្តឹងលេខ {number} របស់អ្នក៖ មានមូលដ្ឋាន។ The extra payment has no basis "
        "in the published fee. សូមតាមដាននៅលើទំព័រតាមដាន ដោយប្រើលេខ និងលេខកូដចូលមើលរបស់វា។")
    # The Ombudsman's own history stays in the one language it is recorded in.
    event = database.scalars(select(AuditEvent).where(AuditEvent.kind == "citizen_notified",
                                                      AuditEvent.case_id == told.case_id)).one()
    assert event.summary == f"Told the complainant by SMS: Your complaint {number}: Upheld"


def test_a_complaint_outside_the_mandate_is_referred_and_an_anonymous_complainant_reads_it_on_tracking(
        client, api, database):
    receipt = filed(client)
    work(api, "ombudsman", "register_complaint", receipt["number"], {
        "admissibility": "outside_jurisdiction", "complaint_category": "other", "acknowledged_on": "2026-12-02",
        "referred_to": "The Provincial Department of Land Management"})
    work(api, "ombudsman", "inform_complainant", receipt["number"], {**INFORMED, "informed_how": "could_not_reach",
                                                                      "complainant_satisfied": "not_known"})
    assert tracked(client, receipt)["complaint"]["outcome"] == {
        "admissible": False, "finding": None, "finding_text": "Outside the Ombudsman's mandate", "reasons": None,
        "referred_to": "The Provincial Department of Land Management"}
    assert database.scalars(select(Notification).where(Notification.case_id == case_of(database, receipt).id)
                            ).all() == []


def test_a_complaint_is_not_rated_as_a_service_of_the_office(client, api, database):
    receipt = filed(client)
    work(api, "ombudsman", "register_complaint", receipt["number"], {
        "admissibility": "outside_jurisdiction", "complaint_category": "other", "acknowledged_on": "2026-12-02"})
    work(api, "ombudsman", "inform_complainant", receipt["number"], INFORMED)
    rating = client.post("/api/v1/public/feedback?lang=en",
                         json={"number": receipt["number"], "code": receipt["access_code"], "rating": 1})
    assert rating.status_code == 422
    assert rating.get_json()["error"] == (f"Case {receipt['number']} is a complaint to the District Ombudsman; "
                                          "ratings are for the office's services.")
    assert database.scalars(select(Feedback)).all() == []


# --- bad input --------------------------------------------------------------------------

def test_bad_complaints_are_refused_with_what_to_fix_and_nothing_is_started(client, api, database):
    licence_elsewhere = api.as_user("bopha").post("/api/v1/cases", json={"process": "commercial_licence", "data": {
        "applicant_name": "Keo Dara", "applicant_id_card_number": "090807060", "applicant_phone": "011 222 333",
        "business_name": "Keo Shop", "business_activity": "grocery_or_mini_mart", "business_address": "Road 5",
        "business_commune": "Srei Santhor", "premises": "owned"}}).get_json()
    refusals = [
        (complain(client, category="bribery"), 422, "Choose what the complaint is about: one of "
         "delay_beyond_the_published_deadline, money_asked_beyond_the_official_fee, rude_or_unfair_treatment, "
         "refusal_or_decision_disputed, wrong_or_missing_information, other."),
        (complain(client, text="bad"), 422, "Tell the Ombudsman what happened, in a sentence or more."),
        (complain(client, text="x" * 4001), 422, "The complaint is too long: at most 4000 characters."),
        (complain(client, office="NOPE"), 422,
         "There is no office with the code NOPE; choose the office the complaint is about."),
        (complain(client, office=7), 400, 'Say which office the complaint is about: {"office": "KPS", ...}.'),
        (complain(client, share_identity="yes"), 400, "“share_identity” is true or false."),
        (complain(client, contact=["017 222 333"]), 400, "“contact” must be text."),
        (complain(client, related_case="KPS-2026-99999"), 422,
         "Kampong Siem OWSO has no case KPS-2026-99999; check the number on your receipt, or leave it out."),
        (complain(client, related_case=licence_elsewhere["number"]), 422,
         f"Kampong Siem OWSO has no case {licence_elsewhere['number']}; check the number on your receipt, "
         "or leave it out."),
    ]
    assert [(r.status_code, r.get_json()["error"]) for r, _status, _error in refusals] == [
        (status, error) for _r, status, error in refusals]
    assert database.scalars(select(Case.id).where(Case.jurisdiction == "ombudsman")).all() == []


def test_script_in_a_complaint_is_shown_as_text_wherever_it_is_read(client, api, auth, database):
    receipt = filed(client, text="<script>alert('owned')</script> The officer shouted at me.",
                    name="<b>Chea</b>", share_identity=True)
    escaped = "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; The officer shouted at me."
    [registration] = [i for i in inbox_of(api, "ombudsman") if i["case_number"] == receipt["number"]]
    auth.login("ombudsman")
    pages = [auth.client.get(f"/work-items/{registration['id']}?lang=en"),
             auth.client.get(f"/cases/{case_of(database, receipt).id}?lang=en")]
    work(api, "ombudsman", "register_complaint", receipt["number"], REGISTERED)
    [response] = [i for i in inbox_of(api, "vanna") if i["case_number"] == receipt["number"]]
    auth.login("vanna")
    pages.append(auth.client.get(f"/work-items/{response['id']}?lang=en"))
    for page in pages:
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and escaped in html and "&lt;b&gt;Chea&lt;/b&gt;" in html
        assert "<script>alert('owned')</script>" not in html and "<b>Chea</b>" not in html


def test_flooding_the_complaint_form_is_throttled_page_and_api_together(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "COMPLAINTS_PER_ADDRESS", "3 per hour")
    with time_machine.travel(utcnow(), tick=False):
        token = csrf_token_from(client.get("/complain?lang=en").get_data(as_text=True))
        statuses = [complain(client).status_code, complain(client).status_code]
        page = client.post("/complain?lang=en", data={**COMPLAINT, "csrf_token": token})
        statuses += [page.status_code, complain(client).status_code]
        assert statuses == [201, 201, 303, 429]
        refused = complain(client)
        assert refused.get_json()["error"] == ("Too many complaints were sent from this address. "
                                               "Try again in 60 minutes.")
        assert refused.headers["Retry-After"] == "3600"
        assert client.get("/complain?lang=en").status_code == 200  # reading the form is never throttled


def test_a_complaint_sent_twice_with_its_key_is_received_once(client, database):
    first = client.post("/api/v1/public/complaints?lang=en", json=COMPLAINT,
                        headers={"Idempotency-Key": "complaint-7f3a9c21"})
    again = client.post("/api/v1/public/complaints?lang=en", json=COMPLAINT,
                        headers={"Idempotency-Key": "complaint-7f3a9c21"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert database.scalars(select(Case.number).where(Case.jurisdiction == "ombudsman")).all() == [
        first.get_json()["number"]]
    short = client.post("/api/v1/public/complaints?lang=en", json={**COMPLAINT, "idempotency_key": "short"})
    assert (short.status_code, short.get_json()["error"]) == (422, "The idempotency key is 8 to 100 characters.")


# --- the public page --------------------------------------------------------------------

def test_the_complaint_page_files_an_anonymous_complaint_and_gives_the_number_and_code(client, database):
    form = client.get("/complain?lang=en").get_data(as_text=True)
    assert '<option value="money_asked_beyond_the_official_fee" >Money asked beyond the official fee</option>' in form
    assert '<option value="KPS" >Kampong Siem OWSO</option>' in form
    response = client.post("/complain?lang=en", data={**COMPLAINT, "csrf_token": csrf_token_from(form)})
    assert response.status_code == 303
    case = database.scalars(select(Case).where(Case.jurisdiction == "ombudsman")).one()
    assert response.headers["Location"] == f"/complaints/{case.number}?code={case.access_code}"
    assert case.data == {"complaint_text": COMPLAINT["text"], "complaint_subject": COMPLAINT["category"],
                         "share_identity": False}
    receipt = client.get(response.headers["Location"] + "&lang=en").get_data(as_text=True)
    assert "Your complaint was received" in receipt
    assert f'<dd class="code">{case.number}</dd>' in receipt and f'<dd class="code">{case.access_code}</dd>' in receipt

    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    again = client.post("/complain?lang=en", data={**COMPLAINT, "csrf_token": csrf_token_from(form),
                                                   "idempotency_key": key})
    resent = client.post("/complain?lang=en", data={**COMPLAINT, "csrf_token": csrf_token_from(form),
                                                    "idempotency_key": key})
    assert (again.status_code, resent.status_code) == (303, 303)
    assert again.headers["Location"] == resent.headers["Location"] != response.headers["Location"]
    assert len(database.scalars(select(Case.id).where(Case.jurisdiction == "ombudsman")).all()) == 2


def test_a_refused_complaint_on_the_page_keeps_what_was_written(client, database):
    form = client.get("/complain?lang=en").get_data(as_text=True)
    response = client.post("/complain?lang=en", data={**COMPLAINT, "category": "", "csrf_token": csrf_token_from(form)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose what the complaint is about: one of" in html and COMPLAINT["text"] in html
    assert database.scalars(select(Case.id).where(Case.jurisdiction == "ombudsman")).all() == []
