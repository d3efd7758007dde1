"""The counter queue: a citizen takes a ticket, the display shows it called to a counter,
the officer registers the walk-in application from the ticket; the wait shown comes from how
long the last people took at the counters."""
import pytest
import time_machine
from sqlalchemy import select

from app.accounts.models import Office
from app.extensions import db
from app.cases.models import Case
from app.queue.models import QueueTicket
from app.queue.services import add_counter
from office_data import APPLICATION
from support import csrf_token_from, local


@pytest.fixture
def counters(database):
    offices = {o.code: o for o in database.scalars(select(Office))}
    made = [add_counter(offices["KPS"], "Counter 1"), add_counter(offices["KPS"], "Counter 2"),
            add_counter(offices["SRK"], "Counter 1")]
    return [c.code for c in made]


def take(api, service="commercial_licence", who="dara"):
    response = api.as_user(who).post("/api/v1/queue/tickets", json={"service": service})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def call(api, counter, who="dara"):
    return api.as_user(who).post("/api/v1/queue/next", json={"counter": counter})


def test_tickets_are_numbered_per_office_and_day_with_the_services_letter(api, counters):
    with time_machine.travel(local(2026, 12, 7, 8, 0), tick=False):
        numbers = [take(api, s)["number"] for s in ("commercial_licence", "birth_registration", "construction_permit")]
        other_office = take(api, who="bopha")["number"]
    with time_machine.travel(local(2026, 12, 8, 8, 0), tick=False):
        next_day = take(api)["number"]
    assert numbers == ["C001", "B002", "C003"]
    assert other_office == "C001" and next_day == "C001"


def test_the_longest_waiting_ticket_is_called_and_the_counter_finishes_the_one_before(api, counters):
    kps1, kps2, _ = counters
    with time_machine.travel(local(2026, 12, 7, 8, 0), tick=False):
        first, second = take(api), take(api, "birth_registration")
    with time_machine.travel(local(2026, 12, 7, 8, 5), tick=False):
        called = call(api, kps1).get_json()
    assert (called["number"], called["counter"], called["status"]) == (first["number"], kps1, "called")
    with time_machine.travel(local(2026, 12, 7, 8, 12), tick=False):
        assert call(api, kps1).get_json()["number"] == second["number"]
        assert call(api, kps2).get_json() == {"number": None, "counter": kps2, "message": "No one is waiting."}
    served = db.session.get(QueueTicket, first["id"])
    assert served.status == "served" and served.waited_seconds == 300 and served.served_seconds == 420


def test_calling_the_next_ticket_at_another_offices_counter_is_404(api, counters):
    srk1 = counters[2]
    take(api, who="bopha")
    response = call(api, srk1, who="dara")
    assert response.status_code == 404
    assert response.get_json()["error"] == f"There is no counter '{srk1}' in your office."
    assert call(api, "KPS-99").status_code == 404
    missing = api.post("/api/v1/queue/next", json={})
    assert missing.status_code == 400 and "counter" in missing.get_json()["error"]
    assert api.as_user("sokha").post("/api/v1/queue/next", json={"counter": counters[0]}).status_code == 403


def test_an_unknown_service_is_refused_with_the_ones_that_exist(api, counters):
    response = api.as_user("dara").post("/api/v1/queue/tickets", json={"service": "passport"})
    assert response.status_code == 422
    assert response.get_json()["error"] == "There is no service 'passport' to queue for."
    assert "commercial_licence" in response.get_json()["details"]["service"]


def test_the_estimated_wait_comes_from_recent_service_times_and_open_counters(api, client, counters):
    kps1, kps2, _ = counters
    with time_machine.travel(local(2026, 12, 7, 8, 0), tick=False):
        before_anyone = client.get("/api/v1/public/queue?office=KPS").get_json()
        for _ in range(5):
            take(api)
        assert client.get("/api/v1/public/queue?office=KPS").get_json()["estimated_wait_minutes"] == 50
    with time_machine.travel(local(2026, 12, 7, 8, 0), tick=False):
        call(api, kps1)
    with time_machine.travel(local(2026, 12, 7, 8, 6), tick=False):
        call(api, kps1)  # the first took 6 minutes
    with time_machine.travel(local(2026, 12, 7, 8, 16), tick=False):
        call(api, kps1)  # the second 10
        state = client.get("/api/v1/public/queue?office=KPS").get_json()
    assert before_anyone == {"office": "KPS", "waiting": 0, "estimated_wait_minutes": 0, "mean_service_minutes": 10.0,
                             "now_serving": [{"counter": kps1, "counter_name": "Counter 1", "number": None,
                                              "service": None},
                                             {"counter": kps2, "counter_name": "Counter 2", "number": None,
                                              "service": None}]}
    assert state["waiting"] == 2 and state["mean_service_minutes"] == 8.0
    assert state["now_serving"][0]["number"] == "C003"
    assert state["estimated_wait_minutes"] == 16  # 2 people x 8 minutes at one open counter
    with time_machine.travel(local(2026, 12, 7, 8, 17), tick=False):
        call(api, kps2)
        state = client.get("/api/v1/public/queue?office=KPS").get_json()
    assert (state["waiting"], state["estimated_wait_minutes"]) == (1, 4)  # 1 x 8 minutes over two counters


def test_the_public_queue_needs_a_known_office(client):
    assert client.get("/api/v1/public/queue").status_code == 400
    assert client.get("/api/v1/public/queue?office=NOPE").status_code == 404


def test_a_walk_in_case_registered_from_a_ticket_records_the_ticket(api, auth, client, counters):
    kps1 = counters[0]
    with time_machine.travel(local(2026, 12, 7, 8, 0), tick=False):
        ticket = take(api)
        auth.login("dara")
    with time_machine.travel(local(2026, 12, 7, 8, 20), tick=False):
        auth.post("/queue/counter/next", {"counter": kps1}, form_page="/queue/counter")
        page = client.get(f"/queue/counter?counter={kps1}&lang=en").get_data(as_text=True)
        assert ticket["number"] in page and "Register the application" in page
    with time_machine.travel(local(2026, 12, 7, 8, 32), tick=False):
        response = auth.post(f"/queue/tickets/{ticket['id']}/register", APPLICATION,
                             form_page=f"/queue/tickets/{ticket['id']}/register")
    assert response.status_code == 302
    row = db.session.get(QueueTicket, ticket["id"])
    case = db.session.get(Case, row.case_id)
    assert case.channel == "counter" and case.data["business_name"] == "Chanthy Mini Mart"
    assert (row.status, row.waited_seconds, row.served_seconds) == ("served", 20 * 60, 12 * 60)


def test_a_case_records_how_it_came_in(api):
    phoned = api.as_user("dara").post("/api/v1/cases", json={"process": "commercial_licence", "data": APPLICATION,
                                                             "channel": "phone"})
    assert phoned.status_code == 201
    assert api.get(f"/api/v1/cases/{phoned.get_json()['id']}").get_json()["channel"] == "phone"
    walked_in = api.post("/api/v1/cases", json={"process": "commercial_licence", "data": APPLICATION}).get_json()
    assert api.get(f"/api/v1/cases/{walked_in['id']}").get_json()["channel"] == "counter"
    wrong = api.post("/api/v1/cases", json={"process": "commercial_licence", "data": APPLICATION, "channel": "fax"})
    assert wrong.status_code == 400 and "counter" in wrong.get_json()["error"]


def test_the_display_refreshes_itself_and_shows_each_counter(api, client, counters):
    take(api)
    call(api, counters[1])
    html = client.get("/queue/KPS/display?lang=en").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="10">' in html
    assert "<script" not in html
    assert '<td>Counter 2</td><td class="ticket-number">C001</td>' in html
    khmer = client.get("/queue/KPS/display?lang=km").get_data(as_text=True)
    assert "កំពុងបម្រើ" in khmer


def test_a_kiosk_gives_a_ticket_with_the_wait(client, counters):
    page = client.get("/queue/KPS/kiosk?lang=en")
    response = client.post("/queue/KPS/kiosk", data={"service": "birth_registration",
                                                     "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<p class="ticket-number">B001</p>' in html and "1 person waiting" in html
