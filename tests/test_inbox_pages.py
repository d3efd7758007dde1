"""Staff work the inbox in the browser: register at the counter, open work, fill the form
rendered from its schema, get field-level messages, and see the case page."""
import re
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.cases.models import WorkItem

from support import csrf_token_from
from office_data import APPLICATION


def register(client, auth, data=APPLICATION):
    auth.login("dara")
    form_page = client.get("/cases/new/commercial_licence").get_data(as_text=True)
    return client.post("/cases/new/commercial_licence", data={**data, "csrf_token": csrf_token_from(form_page)})


def test_the_front_office_registers_an_application_at_the_counter(client, auth):
    response = register(client, auth)
    assert response.status_code == 302
    case_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Chanthy Mini Mart" in case_page and "Check documents and take the official fee" in case_page
    assert "History" in case_page and "started" in case_page


def test_a_registration_missing_fields_is_refused_with_a_message_per_field(client, auth):
    bad = {k: v for k, v in APPLICATION.items() if k != "business_name"}
    response = register(client, auth, bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Fill in “Business name”." in html
    assert 'value="Sok Chanthy"' in html  # what was typed is kept


def test_the_inbox_lists_work_and_the_form_is_rendered_from_its_schema(client, auth, database):
    register(client, auth)
    inbox = client.get("/").get_data(as_text=True)
    due = database.scalars(select(WorkItem.due_at).where(WorkItem.status == "open")).first()
    assert due.astimezone(ZoneInfo("Asia/Phnom_Penh")).strftime("%Y-%m-%d %H:%M") in inbox  # office time
    assert "times in Asia/Phnom_Penh" in inbox
    item_url = re.search(r'href="(/work-items/\d+)"', inbox).group(1)
    page = client.get(item_url).get_data(as_text=True)
    assert '<select id="field-intake_decision" name="intake_decision">' in page
    assert 'type="checkbox" name="documents_received" value="id_card_copy"' in page
    assert 'type="number" step="1"' in page  # fee_paid_riel is an integer


def test_submitting_a_work_item_form_advances_the_case_and_errors_change_nothing(client, auth):
    register(client, auth)
    inbox = client.get("/").get_data(as_text=True)
    item_url = re.search(r'href="(/work-items/\d+)"', inbox).group(1)
    page = client.get(item_url).get_data(as_text=True)
    token, version = csrf_token_from(page), re.search(r'name="case_version" value="(\d+)"', page).group(1)

    wrong = client.post(item_url, data={"csrf_token": token, "case_version": version, "fee_paid_riel": "lots"})
    assert wrong.status_code == 422
    assert "must be a whole number" in wrong.get_data(as_text=True)
    assert "Application complete?" not in client.get(item_url).get_data(as_text=True)

    done = client.post(item_url, data={"csrf_token": token, "case_version": version, "intake_decision": "accept",
                                       "documents_received": ["application_form", "id_card_copy"],
                                       "fee_paid_riel": "100000",
                                       "comment": "Paid in cash"})
    assert done.status_code == 302
    assert item_url not in client.get("/").get_data(as_text=True)
    again = client.post(item_url, data={"csrf_token": token, "case_version": version, "intake_decision": "accept"})
    assert again.status_code == 409  # already completed: a clear message, not a crash


def test_claiming_and_releasing_from_the_page(client, auth):
    register(client, auth)
    inbox = client.get("/").get_data(as_text=True)
    item_id = re.search(r'href="/work-items/(\d+)"', inbox).group(1)
    page = client.get(f"/work-items/{item_id}").get_data(as_text=True)
    client.post(f"/work-items/{item_id}/claim", data={"csrf_token": csrf_token_from(page)})
    assert "Held by Dara" in client.get(f"/work-items/{item_id}").get_data(as_text=True)
    client.post(f"/work-items/{item_id}/release", data={"csrf_token": csrf_token_from(page)})
    assert "Not yet taken" in client.get(f"/work-items/{item_id}").get_data(as_text=True)


def test_pages_need_a_sign_in_and_sessions_expire(app, client, auth):
    assert client.get("/").status_code == 302
    auth.login("dara")
    assert client.get("/").status_code == 200
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600
    cookie = client.get_cookie("session")
    assert cookie.expires is not None
