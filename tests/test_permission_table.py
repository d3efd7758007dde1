"""Who may see and do what, as one table: for every role, in its own office, another office of
the district and another district, on a licence and on a complaint to the Ombudsman.

Each answer is checked both ways the permission model gives it: the SQL clause that lists
(inbox, search) and the yes/no for one object (a case page, a work item), and through the API."""
import pytest
from sqlalchemy import select

from app.cases.models import Case, WorkItem
from app.extensions import db
from app.permissions import Role, case_scope, may_see_case, may_see_item, may_work, workable_scope

from support import complaint_awaiting_response, licence_in_review, local, open_item, user

# username: (role, office, sees the licence, sees the complaint, works the review, works the response,
#            sees the response item)
TABLE = {
    "dara": (Role.FRONT_OFFICE, "KPS", True, False, False, False, False),
    "sokha": (Role.BACK_OFFICE, "KPS", True, False, True, False, False),
    "vanna": (Role.OWSO_CHIEF, "KPS", True, False, False, True, True),
    "governor": (Role.DISTRICT_GOVERNOR, "KPS", True, False, False, False, False),
    "ombudsman": (Role.OMBUDSMAN, "KPS", True, True, False, False, True),
    "chanthou": (Role.OMBUDSMAN_SUPERVISOR, "KPS", True, True, False, False, True),
    "designer": (Role.DESIGNER, "KPS", True, False, False, False, False),
    "admin": (Role.ADMIN, "KPS", True, False, False, False, False),
    "bopha": (Role.FRONT_OFFICE, "SRK", False, False, False, False, False),
    "rithy": (Role.BACK_OFFICE, "SRK", False, False, False, False, False),
    "chan": (Role.OWSO_CHIEF, "SRK", False, False, False, False, False),
    "theary": (Role.FRONT_OFFICE, "BTB", False, False, False, False, False),
    "nary": (Role.OMBUDSMAN, "BTB", False, False, False, False, False),
}


@pytest.fixture
def two_cases(kampong_siem):
    licence = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    complaint = complaint_awaiting_response(kampong_siem, local(2026, 12, 7, 9, 30))
    return licence, complaint


def test_the_table_covers_every_role():
    assert {row[0] for row in TABLE.values()} == set(Role)


@pytest.mark.parametrize("username", TABLE)
def test_each_role_sees_and_works_exactly_its_own(two_cases, username):
    licence, complaint = two_cases
    role, office, sees_licence, sees_complaint, works_review, works_response, sees_response = TABLE[username]
    person = user(username)
    assert (person.office.code, role in person.roles) == (office, True)
    review, response = open_item(licence, "technical_review"), open_item(complaint, "owso_chief_response")

    listed_cases = set(db.session.scalars(select(Case.id).where(case_scope(person, Case))))
    listed_work = set(db.session.scalars(select(WorkItem.id).where(WorkItem.status == "open",
                                                                    workable_scope(person, WorkItem))))
    assert (licence.id in listed_cases, may_see_case(person, licence)) == (sees_licence, sees_licence)
    assert (complaint.id in listed_cases, may_see_case(person, complaint)) == (sees_complaint, sees_complaint)
    assert (review.id in listed_work, may_work(person, review)) == (works_review, works_review)
    assert (response.id in listed_work, may_work(person, response)) == (works_response, works_response)
    assert may_see_item(person, response) is sees_response


@pytest.mark.parametrize("username", TABLE)
def test_a_guessed_complaint_id_is_unknown_to_everyone_outside_the_ombudsmans_office(api, two_cases, username):
    _, complaint = two_cases
    answer = api.as_user(username).get(f"/api/v1/cases/{complaint.id}")
    assert answer.status_code == (200 if TABLE[username][3] else 404)
    if answer.status_code == 404:
        assert "Chea Sophal" not in answer.get_data(as_text=True)
