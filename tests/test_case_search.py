"""Staff find the cases they may see by name, phone, number, procedure, status and date."""
import time_machine

from app.cases import work_items
from app.cases.queries import Search, search_cases
from app.cases.write_path import start_case

from office_data import APPLICATION, INTAKE
from support import local, open_item, user

BIRTH = {"child_family_name": "Heng", "child_given_name": "Sreyneang", "child_sex": "female",
         "child_date_of_birth": "2026-11-30", "place_of_birth_type": "health_facility",
         "place_of_birth": "Kampong Siem health centre", "mother_name": "Keo Sreymom", "declarant_name": "Heng Dara",
         "declarant_relationship": "father", "declarant_phone": "092 111 222", "residence_village": "Phum Thmey",
         "residence_commune": "Kampong Siem"}


def _register(office, at, process, data, username="dara"):
    with time_machine.travel(at, tick=False):
        return start_case(process, data, user(username), office)


def test_the_counter_finds_an_applicant_by_name_or_phone_newest_first(api, kampong_siem):
    first = _register(kampong_siem, local(2026, 12, 1, 9, 0), "commercial_licence", APPLICATION)
    second = _register(kampong_siem, local(2026, 12, 2, 9, 0), "commercial_licence",
                       {**APPLICATION, "applicant_name": "Lim Sreymom", "applicant_phone": "011 999 000",
                        "business_name": "Sreymom Tailor"})
    third = _register(kampong_siem, local(2026, 12, 3, 9, 0), "commercial_licence", APPLICATION)
    found = api.as_user("dara").get("/api/v1/cases?q=chanthy").get_json()
    assert [c["number"] for c in found["cases"]] == [third.number, first.number]
    assert api.as_user("dara").get("/api/v1/cases?q=011 999").get_json()["cases"][0]["number"] == second.number
    assert api.as_user("bopha").get("/api/v1/cases?q=chanthy").get_json()["cases"] == []  # another office


def test_staff_narrow_by_procedure_status_date_and_number(api, kampong_siem):
    licence = _register(kampong_siem, local(2026, 12, 1, 9, 0), "commercial_licence", APPLICATION)
    birth = _register(kampong_siem, local(2026, 12, 2, 9, 0), "birth_registration", BIRTH)
    with time_machine.travel(local(2026, 12, 1, 10, 0), tick=False):
        work_items.complete(user("dara"), open_item(licence, "check_documents").id, INTAKE)
    dara = api.as_user("dara")
    assert [c["number"] for c in dara.get("/api/v1/cases?process=birth_registration").get_json()["cases"]] == [
        birth.number]
    assert [c["number"] for c in dara.get("/api/v1/cases?status=running&before=2026-12-01").get_json()["cases"]] == [
        licence.number]
    assert [c["number"] for c in dara.get("/api/v1/cases?after=2026-12-02").get_json()["cases"]] == [birth.number]
    assert [c["number"] for c in dara.get(f"/api/v1/cases?number={birth.number.lower()}").get_json()["cases"]] == [
        birth.number]
    assert [c["number"] for c in dara.get("/api/v1/cases?q=Heng Dara").get_json()["cases"]] == [birth.number]


def test_search_pages_fifty_at_a_time(kampong_siem):
    for n in range(3):
        _register(kampong_siem, local(2026, 12, 1, 9, n), "commercial_licence", APPLICATION)
    page_one, more = search_cases(user("dara"), Search(q="Chanthy"), per_page=2)
    page_two, after_two = search_cases(user("dara"), Search(q="Chanthy", page=2), per_page=2)
    assert (len(page_one), more, len(page_two), after_two) == (2, True, 1, False)
    assert page_one[0].started_at > page_one[1].started_at > page_two[0].started_at


def test_a_malformed_search_says_what_to_write(api, database):
    dara = api.as_user("dara")
    assert dara.get("/api/v1/cases?status=lost").get_json() == {
        "error": "'status' is one of running, completed, error.", "details": None}
    assert dara.get("/api/v1/cases?after=1/12/2026").status_code == 400
    assert dara.get("/api/v1/cases?page=0").get_json()["error"] == "'page' is a whole number from 1."
    assert dara.get(f"/api/v1/cases?q={'x' * 201}").status_code == 400


def test_the_search_page_lists_and_links_each_case_and_the_case_page_links_its_open_work(auth, kampong_siem):
    case = _register(kampong_siem, local(2026, 12, 1, 9, 0), "commercial_licence", APPLICATION)
    auth.login("dara")
    page = auth.client.get("/cases/?q=Chanthy").get_data(as_text=True)
    assert f'<a href="/cases/{case.id}">{case.number}</a>' in page
    shown = auth.client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'<a href="/work-items/{open_item(case, "check_documents").id}">' in shown
    assert auth.client.get("/cases/?status=lost").status_code == 400
