"""Each write reads what it needs once: the case it locks comes with its office, procedure, catalogue
entry, task state and work, and is not read again; the case the API sends back names everyone who
worked on it without a query per person."""
import re
from datetime import datetime, timezone

from app.cases import work_items
from app.extensions import db

from office_data import REVIEW_APPROVE
from support import as_a_new_request, licence_in_review, licence_through_the_api, open_item, statements, user


def reads_of(seen, table: str) -> list[str]:
    """The statements that read rows of the table (the ORM names its columns table.column)."""
    return [s for s in seen if re.match(rf'SELECT "?{table}"?\.', s)]


def test_completing_a_review_reads_the_case_once(database, kampong_siem):
    case = licence_in_review(kampong_siem, datetime.now(timezone.utc))
    item_id = open_item(case, "technical_review").id
    database.expunge_all()  # as a new request: nothing read yet
    sokha = user("sokha")
    with statements() as seen:
        work_items.complete(sokha, item_id, REVIEW_APPROVE)
        database.flush()
    assert len(reads_of(seen, "case")) == 1
    assert len(reads_of(seen, "work_item")) == 1
    assert reads_of(seen, "process_definition") == reads_of(seen, "office") == reads_of(seen, "service") == []
    assert len([s for s in seen if s.startswith('UPDATE "case"')]) == 1


def test_the_case_the_api_sends_back_costs_the_same_however_many_people_worked_on_it(database, api):
    by_two = licence_through_the_api(api, until="check_documents")  # dara registered and checked it
    by_three = licence_through_the_api(api, until="technical_review")  # and sokha reviewed it
    api.as_user("vanna")
    counts = []
    for case in (by_two, by_three):
        database.expunge_all()
        with statements() as seen:
            response = api.get(f"/api/v1/cases/{case['id']}")
        assert response.status_code == 200
        counts.append(len([s for s in seen if s.startswith("SELECT")]))
    assert {e["actor"] for e in api.get(f"/api/v1/cases/{by_three['id']}").get_json()["history"]} >= {"dara",
                                                                                                       "sokha"}
    assert counts[0] == counts[1]


# Each write's statements, from the lock to the flush: the same for every licence after the office's
# first (which also makes the office's signing key and reads the fee table its procedure version pins).
# A statement more here is one more for every case.
STATEMENTS_PER_STEP = {"start_case": 8, "check_documents": 14, "technical_review": 9, "sign_licence": 16,
                       "hand_over": 9}


def licence_counting_statements(office) -> dict[str, int]:
    """A commercial licence from the counter to hand-over, each step as a new request; the statements
    of each service call."""
    from app.cases.write_path import start_case
    from office_data import APPLICATION, HAND_OVER, INTAKE, SIGN
    counts = {}
    as_a_new_request()
    dara = user("dara")
    with statements() as seen:
        case = start_case("commercial_licence", APPLICATION, dara, office)
        db.session.flush()
    counts["start_case"] = len(seen)
    for username, task, data in (("dara", "check_documents", INTAKE), ("sokha", "technical_review", REVIEW_APPROVE),
                                 ("vanna", "sign_licence", SIGN), ("dara", "hand_over", HAND_OVER)):
        item_id = open_item(case, task).id
        as_a_new_request()
        officer = user(username)
        with statements() as seen:
            case = work_items.complete(officer, item_id, data)
            db.session.flush()
        counts[task] = len(seen)
    assert case.status == "completed"
    return counts


def test_every_step_of_a_licence_costs_a_fixed_number_of_statements(database, kampong_siem):
    licence_counting_statements(kampong_siem)  # the office's first: its signing key is made too
    assert licence_counting_statements(kampong_siem) == STATEMENTS_PER_STEP


def test_what_a_completion_wrote_is_read_after_its_commit_without_asking_the_database_again(database, kampong_siem):
    case = licence_in_review(kampong_siem, datetime.now(timezone.utc))
    item_id = open_item(case, "technical_review").id
    database.expunge_all()  # as a new request
    sokha = user("sokha")
    case = work_items.complete(sokha, item_id, REVIEW_APPROVE)
    database.commit()
    with statements() as seen:
        shown = (case.number, case.version, case.data["review_decision"],
                 sorted(item.task for item in case.open_items), case.office.code, sokha.display_name)
    assert seen == []
    assert shown[2:] == ("approve", ["sign_licence"], "KPS", "Sokha")
