"""Officers press the same button at the same moment: exactly one wins, the others are told in a
sentence, and the case stays whole. Real threads, real connections, real commits."""
import threading

from sqlalchemy import func, select

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.accounts.services import issue_token
from app.administration.services import create_user
from app.cases import work_items
from app.cases.write_path import start_case
from app.cases.models import WorkItem
from app.errors import Conflict

from support import PASSWORD
from office_data import APPLICATION, INTAKE
from test_licensing_cases import start_licence


def test_completing_with_a_stale_view_of_the_case_is_a_conflict(api, database):
    started = start_licence(api)
    case = api.get(f"/api/v1/cases/{started['id']}").get_json()
    item_id = case["work_items"][0]["id"]
    first = api.post(f"/api/v1/work-items/{item_id}/complete",
                     json={"data": INTAKE, "case_version": case["case_version"]})
    assert first.status_code == 200
    second = api.post(f"/api/v1/work-items/{item_id}/complete",
                      json={"data": INTAKE, "case_version": case["case_version"]})
    assert second.status_code == 409
    after = api.get(f"/api/v1/cases/{started['id']}").get_json()
    assert [i["task"] for i in after["work_items"]] == ["technical_review"]
    assert [e["kind"] for e in after["history"]].count("work_item_completed") == 1


def test_a_claimed_item_cannot_be_taken_or_completed_by_a_colleague(api, database):
    create_user("kanha", PASSWORD, ["front_office"], "KPS")
    started = start_licence(api)
    item_id = api.get(f"/api/v1/cases/{started['id']}").get_json()["work_items"][0]["id"]
    assert api.post(f"/api/v1/work-items/{item_id}/claim").status_code == 200
    assert api.as_user("kanha").post(f"/api/v1/work-items/{item_id}/claim").status_code == 409
    assert api.post(f"/api/v1/work-items/{item_id}/complete", json={"data": INTAKE}).status_code == 409
    assert api.as_user("dara").post(f"/api/v1/work-items/{item_id}/release").status_code == 200
    assert api.as_user("kanha").post(f"/api/v1/work-items/{item_id}/claim").get_json()["assignee"] == "kanha"


def test_the_loser_of_a_simultaneous_completion_writes_nothing(app, database):
    """Both requests read the case before either writes: the version check stops the second."""
    dara = database.scalars(select(User).where(User.username == "dara")).one()
    case = start_case("commercial_licence", APPLICATION, dara, dara.office)
    database.commit()
    item = case.open_items[0]
    # The first officer's write lands after the second officer loaded the case.
    stale_version = case.version
    work_items.complete(dara, item.id, INTAKE)
    database.commit()
    database.expire_all()
    try:
        work_items.complete(dara, item.id, INTAKE, seen_version=stale_version)
    except Conflict as conflict:
        assert "already completed" in conflict.message or "changed" in conflict.message
    else:
        raise AssertionError("the second completion should have been refused")
    statuses = database.scalars(select(WorkItem.status).where(WorkItem.case_id == case.id)
                                .order_by(WorkItem.id)).all()
    assert statuses == ["completed", "open"]


TRIALS = 3
CLIENTS = 10


def officers(committed, count: int, prefix: str = "officer", office: str = "KPS") -> list[str]:
    """`count` front-office officers of the office, each with an API token."""
    tokens = []
    for n in range(count):
        tokens.append(issue_token(create_user(f"{prefix}{n}", PASSWORD, ["front_office"], office)))
    committed.session.commit()
    return tokens


def at_once(app, calls) -> list[tuple[int, dict]]:
    """Send every (url, token, body) at the same moment from its own thread; answers in call order."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def send(index, url, token, body):
        client = app.test_client()
        barrier.wait()
        response = client.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
        answers[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=send, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def new_licence(committed) -> tuple[int, int]:
    dara = committed.session.scalars(select(User).where(User.username == "dara")).one()
    case = start_case("commercial_licence", APPLICATION, dara, dara.office)
    committed.session.commit()
    ids = case.id, case.open_items[0].id
    committed.session.remove()
    return ids


def case_story(committed, case_id) -> tuple[str, list[tuple[str, str]], list[str]]:
    from app.cases.models import Case
    committed.session.remove()
    case = committed.session.get(Case, case_id)
    items = [(i.task, i.status) for i in case.work_items]
    kinds = list(committed.session.scalars(select(AuditEvent.kind).where(AuditEvent.case_id == case_id)
                                           .order_by(AuditEvent.id)))
    return case.status, items, kinds


def test_ten_officers_completing_the_same_intake_at_once_one_wins(app, committed):
    with app.app_context():
        tokens = officers(committed, CLIENTS)
        for _ in range(TRIALS):
            case_id, item_id = new_licence(committed)
            answers = at_once(app, [(f"/api/v1/work-items/{item_id}/complete", t, {"data": INTAKE})
                                    for t in tokens])
            assert sorted(status for status, _ in answers) == [200] + [409] * (CLIENTS - 1)
            refusals = {body["error"] for status, body in answers if status == 409}
            assert refusals == {f"'Check documents and take the official fee' on case {answers_case(answers)} was "
                                "already completed."}
            status, items, kinds = case_story(committed, case_id)
            assert status == "running"
            assert items == [("check_documents", "completed"), ("technical_review", "open")]
            assert kinds.count("work_item_completed") == 1
            assert "case_failed" not in kinds


def answers_case(answers) -> str:
    return next(body["number"] for status, body in answers if status == 200)


def test_ten_officers_taking_the_same_work_at_once_one_gets_it(app, committed):
    with app.app_context():
        tokens = officers(committed, CLIENTS)
        for _ in range(TRIALS):
            case_id, item_id = new_licence(committed)
            answers = at_once(app, [(f"/api/v1/work-items/{item_id}/claim", t, {}) for t in tokens])
            assert sorted(status for status, _ in answers) == [200] + [409] * (CLIENTS - 1)
            holder = next(body["assignee"] for status, body in answers if status == 200)
            refusals = {body["error"] for status, body in answers if status == 409}
            assert refusals == {f"'Check documents and take the official fee' is held by {holder}; ask them or "
                                "the chief to release it."}
            status, items, kinds = case_story(committed, case_id)
            assert (status, items) == ("running", [("check_documents", "open")])
            assert kinds.count("work_item_claimed") == 1


def test_an_officer_releasing_from_ten_tabs_at_once_releases_once(app, committed):
    with app.app_context():
        token = officers(committed, 1)[0]
        for _ in range(TRIALS):
            case_id, item_id = new_licence(committed)
            assert at_once(app, [(f"/api/v1/work-items/{item_id}/claim", token, {})])[0][0] == 200
            answers = at_once(app, [(f"/api/v1/work-items/{item_id}/release", token, {})] * CLIENTS)
            assert sorted(status for status, _ in answers) == [200] + [409] * (CLIENTS - 1)
            assert {body["error"] for status, body in answers if status == 409} == {
                "'Check documents and take the official fee' is not held by you."}
            _, _, kinds = case_story(committed, case_id)
            assert kinds.count("work_item_released") == 1


def test_half_the_office_claims_while_the_other_half_completes_one_action_lands(app, committed):
    with app.app_context():
        tokens = officers(committed, CLIENTS)
        for _ in range(TRIALS):
            case_id, item_id = new_licence(committed)
            calls = [(f"/api/v1/work-items/{item_id}/claim", t, {}) for t in tokens[:CLIENTS // 2]]
            calls += [(f"/api/v1/work-items/{item_id}/complete", t, {"data": INTAKE}) for t in tokens[CLIENTS // 2:]]
            answers = at_once(app, calls)
            assert sorted(status for status, _ in answers) == [200] + [409] * (CLIENTS - 1)
            status, items, kinds = case_story(committed, case_id)
            assert status == "running"
            assert kinds.count("work_item_claimed") + kinds.count("work_item_completed") == 1
            assert "case_failed" not in kinds


def test_work_the_engine_no_longer_waits_for_is_refused_and_the_case_keeps_running(database):
    """Were the work list ever behind the engine, completing is a conflict, never an error on the case."""
    from app.calendars.services import office_calendar, script_helpers
    from app.cases.state import load_workflow, store_workflow
    dara = database.scalars(select(User).where(User.username == "dara")).one()
    case = start_case("commercial_licence", APPLICATION, dara, dara.office)
    item = case.open_items[0]
    workflow = load_workflow(case, script_helpers(office_calendar(case.office), case.service_version.script_view()))
    workflow.complete(item.task_id, INTAKE)
    store_workflow(case, workflow)  # the engine moved on; the work item was not re-projected
    try:
        work_items.complete(dara, item.id, INTAKE)
    except Conflict as conflict:
        assert conflict.message == (f"'Check documents and take the official fee' on case {case.number} was "
                                    "already done; reload the case.")
    else:
        raise AssertionError("completing work the engine no longer waits for must be refused")
    assert case.status == "running" and case.error is None


def test_a_new_office_opening_with_twenty_counters_at_once_numbers_them_one_to_twenty(app, committed):
    """The first cases of the year in an office: no counter row exists yet when all twenty arrive."""
    from app.administration.services import create_office
    from app.db import utcnow
    with app.app_context():
        create_office("KPS-N", "Kampong Siem North OWSO", "KPS-D")
        tokens = officers(committed, 20, prefix="counter", office="KPS-N")
        answers = at_once(app, [("/api/v1/cases", t, {"process": "commercial_licence", "data": APPLICATION})
                                for t in tokens])
        assert [status for status, _ in answers] == [201] * 20
        year = utcnow().year
        assert sorted(body["number"] for _, body in answers) == [f"KPS-N-{year}-{n:05d}" for n in range(1, 21)]
