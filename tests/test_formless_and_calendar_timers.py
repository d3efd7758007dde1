"""Work without a form, and timers written as plain ISO 8601 durations."""
import re
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from app.accounts.models import User
from app.cases import work_items
from app.cases.write_path import start_case
from app.processes.services import deploy

from support import TEST_DIAGRAMS, csrf_token_from


def deploy_scripted(timer: str | None = None):
    xml = (TEST_DIAGRAMS / "scripted.bpmn").read_text().replace("SCRIPT", "fee_riel = floor_area * 1000")
    if timer:
        boundary = (f'<bpmn:boundaryEvent id="record_area_deadline" attachedToRef="record_area" cancelActivity="false">'
                    f'<bpmn:timerEventDefinition><bpmn:timeDuration>{timer}</bpmn:timeDuration>'
                    f'</bpmn:timerEventDefinition></bpmn:boundaryEvent>')
        xml = xml.replace('<bpmn:scriptTask id="compute_fee"', boundary + '<bpmn:scriptTask id="compute_fee"')
        xml = xml.replace("<bpmn:flowNodeRef>end</bpmn:flowNodeRef>",
                          "<bpmn:flowNodeRef>end</bpmn:flowNodeRef><bpmn:flowNodeRef>record_area_deadline"
                          "</bpmn:flowNodeRef>")
    deploy([("scripted.bpmn", xml.encode())])


def test_through_the_api_work_without_a_form_takes_any_json_object_into_the_case_data(api, database):
    deploy_scripted()
    started = api.as_user("dara").post("/api/v1/cases", json={"process": "scripted_fee", "data": {}}).get_json()
    item = api.get(f"/api/v1/cases/{started['id']}").get_json()["work_items"][0]
    case = api.post(f"/api/v1/work-items/{item['id']}/complete",
                    json={"data": {"floor_area": 80, "measured_by": {"name": "Dara", "tape": True}}}).get_json()
    assert case["data"]["fee_riel"] == 80000
    assert case["data"]["measured_by"] == {"name": "Dara", "tape": True}
    bad = api.post(f"/api/v1/work-items/{case['work_items'][0]['id']}/complete", json={"data": [1, 2]})
    assert bad.status_code == 400


def test_on_the_page_work_without_a_form_completes_with_a_comment(client, auth, database):
    deploy_scripted()
    dara = database.scalars(select(User).where(User.username == "dara")).one()
    case = start_case("scripted_fee", {}, dara, dara.office)
    auth.login("dara")
    item_url = f"/work-items/{case.open_items[0].id}"
    page = client.get(item_url).get_data(as_text=True)
    assert "<select" not in page and 'name="comment"' in page
    version = re.search(r'name="case_version" value="(\d+)"', page).group(1)
    response = client.post(item_url, data={"csrf_token": csrf_token_from(page), "case_version": version,
                                           "comment": "Measured on site"})
    assert response.status_code == 302
    history = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Measured on site" in history


def test_a_p5d_timer_keeps_its_calendar_meaning_over_a_weekend(database):
    deploy_scripted('"P5D"')
    dara = database.scalars(select(User).where(User.username == "dara")).one()
    friday = datetime(2026, 12, 11, 3, 0, tzinfo=timezone.utc)
    with time_machine.travel(friday, tick=False):
        case = start_case("scripted_fee", {}, dara, dara.office)
    assert case.open_items[0].due_at == friday + timedelta(days=5)


def _area_recorded_after(database, delay: timedelta):
    """A procedure with no published standard whose first step has a five-day deadline, done `delay` after
    it began; the hand-over, without one, a minute later."""
    deploy_scripted('"P5D"')
    dara = database.scalars(select(User).where(User.username == "dara")).one()
    start = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)
    with time_machine.travel(start, tick=False):
        case = start_case("scripted_fee", {}, dara, dara.office)
    with time_machine.travel(start + delay, tick=False):
        work_items.complete(dara, case.open_items[0].id, {"floor_area": 80})
    with time_machine.travel(start + delay + timedelta(minutes=1), tick=False):
        work_items.complete(dara, case.open_items[0].id, {})
    assert (case.status, case.service_standard_days) == ("completed", None)
    return case


def test_without_a_published_standard_a_case_is_on_time_when_its_deadline_did_not_pass(database):
    assert _area_recorded_after(database, timedelta(hours=1)).on_time is True


def test_without_a_published_standard_a_case_done_after_its_deadline_is_late(database):
    assert _area_recorded_after(database, timedelta(days=6)).on_time is False
