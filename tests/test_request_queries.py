"""What a request costs in SQL statements beyond the work it asks for: the caller is read once, with
their roles and office; an API write answers from what it wrote, so nothing is read back after the
commit; and the case page and the API's case read the same statements whatever the case has been
through and however many people worked on it."""
from datetime import datetime, timedelta, timezone

from app.cases import work_items
from app.cases.write_path import start_case
from app.extensions import db

from office_data import APPLICATION, REVIEW_APPROVE, SIGN
from support import as_a_new_request, licence_in_review, open_item, statements, user


def selects(seen) -> list[str]:
    return [s for s in seen if s.startswith("SELECT")]


def work(seen) -> list[str]:
    """The statements that read or write (the test's transaction brackets each request in a savepoint)."""
    return [s for s in seen if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def two_licences(office):
    """A licence just checked at the counter, and one reviewed, signed (its certificate issued) by two
    more people and now in the hand-over sub-procedure."""
    three_days_ago = datetime.now(timezone.utc) - timedelta(days=3)
    just_checked = licence_in_review(office, three_days_ago)
    far_along = licence_in_review(office, three_days_ago)
    work_items.complete(user("sokha"), open_item(far_along, "technical_review").id, REVIEW_APPROVE)
    work_items.complete(user("vanna"), open_item(far_along, "sign_licence").id, SIGN)
    db.session.flush()
    return just_checked.id, far_along.id


def test_the_case_page_reads_the_same_statements_however_far_the_case_has_gone(database, kampong_siem, auth):
    cases = two_licences(kampong_siem)
    auth.login("vanna")
    counts = []
    for case_id in cases:
        as_a_new_request()
        with statements() as seen:
            response = auth.client.get(f"/cases/{case_id}")
        assert response.status_code == 200
        counts.append(len(selects(seen)))
    # The chief, their session, roles and office; the case with its office, procedure, task state and
    # catalogue entry; its history with who did what, which the chain check reads too (and the head); the
    # calendar; the procedures it calls; its work; documents; payment, waivers (the fee's decision table was
    # read when the fee was taken, once for the procedure version); unread notifications; the certificate;
    # complaints about it.
    assert counts == [14, 14]


def test_the_api_sends_a_case_in_five_statements_however_far_it_has_gone(database, kampong_siem, api):
    cases = two_licences(kampong_siem)
    api.as_user("vanna")
    counts = []
    for case_id in cases:
        as_a_new_request()
        with statements() as seen:
            response = api.get(f"/api/v1/cases/{case_id}")
        assert response.status_code == 200
        counts.append(len(selects(seen)))
    # The token with its user, roles and office; the case with its office and procedure; its work
    # items; its history with the actors' names; its certificate.
    assert counts == [5, 5]


def the_caller(database, username):
    """Who calls, read as a request reads them (with roles and office) before the service is counted."""
    as_a_new_request()
    caller = user(username)
    caller.office  # noqa: B018 (loaded now, as the request's caller statement loads it)
    return caller


def test_an_api_completion_costs_the_completion_the_caller_and_the_history_and_reads_nothing_after_its_commit(
        database, kampong_siem, api):
    by_the_service, by_the_api = (open_item(licence_in_review(kampong_siem, datetime.now(timezone.utc)),
                                            "technical_review").id for _ in range(2))
    api.as_user("sokha")
    sokha = the_caller(database, "sokha")
    with statements() as service:
        work_items.complete(sokha, by_the_service, REVIEW_APPROVE)
        database.commit()
    as_a_new_request()
    with statements() as request:
        response = api.post(f"/api/v1/work-items/{by_the_api}/complete", json={"data": REVIEW_APPROVE})
    assert response.status_code == 200
    assert [item["task"] for item in response.get_json()["work_items"]] == ["sign_licence"]
    # The caller (token, user, roles, office in one statement) and the history the answer carries; the
    # answer is read before the commit, the request's last statement.
    assert len(work(request)) == len(work(service)) + 2
    assert request[-1].startswith("RELEASE SAVEPOINT")


def test_starting_a_case_through_the_api_costs_the_start_and_the_caller(database, kampong_siem, api):
    start_case("commercial_licence", APPLICATION, user("dara"), kampong_siem)  # the procedure's spec is read
    api.as_user("dara")
    dara = the_caller(database, "dara")
    with statements() as service:
        start_case("commercial_licence", APPLICATION, dara, dara.office)
        database.commit()
    as_a_new_request()
    with statements() as request:
        response = api.post("/api/v1/cases", json={"process": "commercial_licence", "data": APPLICATION})
    assert response.status_code == 201
    assert len(work(request)) == len(work(service)) + 1
    assert request[-1].startswith("RELEASE SAVEPOINT")


def test_the_inbox_page_reads_the_same_statements_for_one_waiting_review_or_four(database, kampong_siem, auth):
    now = datetime.now(timezone.utc)
    numbers = [licence_in_review(kampong_siem, now).number]
    auth.login("sokha")
    counts = []
    for more in (0, 3):
        office = user("dara").office
        cases = [licence_in_review(office, now) for _ in range(more)]
        numbers += [case.number for case in cases]
        if cases:  # one of them already taken by sokha, the others waiting for anyone of the back office
            work_items.claim(user("sokha"), open_item(cases[0], "technical_review").id)
        db.session.flush()
        as_a_new_request()
        with statements() as seen:
            response = auth.client.get("/")
        assert response.status_code == 200
        assert all(number in response.get_data(as_text=True) for number in numbers)
        counts.append(len(selects(seen)))
    # Sokha with their session, roles and office; their own work and their role's work (one keyset
    # page each); unread notifications.
    assert counts == [4, 4]
