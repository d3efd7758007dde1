"""The inbox comes in pages: soonest deadline first, work without a deadline last, and each
page picks up exactly after the last item of the one before, in the browser and in the API."""
from datetime import timedelta

import time_machine

from app.cases.write_path import start_case
from app.db import utcnow
from app.inbox.queries import inbox_page

from office_data import APPLICATION
from support import TEST_DIAGRAMS, local, user
from app.processes.services import deploy


def deploy_untimed():
    """A procedure whose front-office step has no service standard: its work has no deadline."""
    xml = (TEST_DIAGRAMS / "scripted.bpmn").read_text().replace("SCRIPT", "fee_riel = 1")
    deploy([("scripted.bpmn", xml.encode())])


def registered(office, hours_ago: float):
    with time_machine.travel(utcnow() - timedelta(hours=hours_ago), tick=False):
        return start_case("commercial_licence", APPLICATION, user("dara"), office)


# On a Wednesday afternoon: the four registrations fall on four different working moments, so their
# deadlines differ, whatever day the suite runs (a run near a weekend or holiday made two of them equal).
@time_machine.travel(local(2026, 12, 2, 14, 0), tick=True)
def test_the_counter_sees_the_oldest_deadline_first_and_undated_work_last_page_after_page(database, kampong_siem):
    deploy_untimed()
    # Registered in this order, so due in the reverse order: the earliest registration is due first.
    licences = [registered(kampong_siem, hours) for hours in (1, 30, 5, 70)]
    undated = [start_case("scripted_fee", {}, user("dara"), kampong_siem) for _ in range(2)]
    registered(user("bopha").office, 100)  # Srei Santhor's work is not Kampong Siem's
    by_deadline = sorted(licences, key=lambda case: case.open_items[0].due_at)
    expected = [case.open_items[0].id for case in by_deadline + undated]
    assert [c.number for c in by_deadline] == [licences[i].number for i in (3, 1, 2, 0)]

    first = inbox_page(user("dara"), size=3)
    assert [item.id for item in first.items] == expected[:3]
    assert first.next_after == expected[2]
    second = inbox_page(user("dara"), after=first.next_after, size=3)
    assert [item.id for item in second.items] == expected[3:]
    assert second.next_after is None
    # Continuing after an undated item stays among the undated ones.
    assert [item.id for item in inbox_page(user("dara"), after=expected[4], size=3).items] == expected[5:]
    assert inbox_page(user("sokha")).items == []  # the back office has no work yet


def test_the_api_pages_by_50_with_a_link_to_the_next_page(api, database, kampong_siem):
    deploy_untimed()
    started = [start_case("scripted_fee", {}, user("dara"), kampong_siem) for _ in range(51)]
    ids = [case.open_items[0].id for case in started]
    client = api.as_user("dara")
    first = client.get("/api/v1/inbox")
    assert [item["id"] for item in first.get_json()] == ids[:50]
    assert first.headers["Link"] == f'<http://localhost/api/v1/inbox?after={ids[49]}>; rel="next"'
    second = client.get(f"/api/v1/inbox?after={ids[49]}")
    assert [item["id"] for item in second.get_json()] == ids[50:]
    assert "Link" not in second.headers


def test_a_wrong_after_is_refused_with_what_to_send_instead(api, database):
    client = api.as_user("dara")
    not_a_number = client.get("/api/v1/inbox?after=yesterday")
    assert not_a_number.status_code == 400
    assert not_a_number.get_json()["error"] == ("`after` must be the id of a work item (a whole number), "
                                                "not 'yesterday'.")
    for beyond_any_id in ("99999999999999999999", "2147483648", "²"):
        response = client.get(f"/api/v1/inbox?after={beyond_any_id}")
        assert (response.status_code, response.get_json()["error"]) == (
            400, f"`after` must be the id of a work item (a whole number), not '{beyond_any_id}'.")
    unknown = client.get("/api/v1/inbox?after=987654")
    assert unknown.status_code == 400
    assert unknown.get_json()["error"].startswith("There is no work item 987654 to continue after")


def test_in_the_browser_the_inbox_has_a_next_page_link(client, auth, database, kampong_siem):
    deploy_untimed()
    started = [start_case("scripted_fee", {}, user("dara"), kampong_siem) for _ in range(51)]
    auth.login("dara")
    first = client.get("/").get_data(as_text=True)
    assert first.count('href="/work-items/') == 50
    last_on_first = started[49].open_items[0].id
    assert f'href="/?after={last_on_first}" rel="next">Next 50</a>' in first
    second = client.get(f"/?after={last_on_first}").get_data(as_text=True)
    assert second.count('href="/work-items/') == 1 and 'rel="next"' not in second
    assert 'href="/">First page</a>' in second
