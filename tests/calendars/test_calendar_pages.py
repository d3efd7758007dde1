"""Stories of the administrator keeping the offices' calendars on the web pages."""
import io
from datetime import date

from sqlalchemy import func, select

from app.accounts.services import find_office
from app.audit.models import AuditEvent
from app.calendars.models import Holiday
from app.calendars.services import add_holiday, office_calendar

SRK_PAGE = "/admin/calendars/SRK"


def days_off(database, office_code=None):
    scope = Holiday.office_id.is_(None) if office_code is None else Holiday.office_id == find_office(office_code).id
    return {h.day: h.name for h in database.scalars(select(Holiday).where(scope))}


def audit_kinds(database):
    return list(database.scalars(select(AuditEvent.kind).order_by(AuditEvent.id.desc()).limit(1)))


def test_only_administrators_see_or_change_calendars(auth, client, database):
    assert client.get("/admin/calendars/").status_code == 302  # to the login page

    auth.login("vanna")
    assert client.get("/admin/calendars/").status_code == 403
    assert "Holidays" not in client.get("/").get_data(as_text=True)
    refused = auth.post(f"{SRK_PAGE}/holidays", {"day": "2026-12-24", "name": "Party", "scope": "national"})
    assert refused.status_code == 403
    assert days_off(database) == {}


def test_the_administrator_finds_every_office_and_its_working_week(auth, client):
    auth.login("admin")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/admin/calendars/"' in home

    index = client.get("/admin/calendars/").get_data(as_text=True)
    assert "KPS" in index and "SRK" in index and "BTB" in index
    assert "Saturday, Sunday" in index and "Asia/Phnom_Penh" in index

    page = client.get(SRK_PAGE).get_data(as_text=True)
    assert "Srei Santhor OWSO" in page
    assert 'name="closed" value="5" checked' in page and 'name="closed" value="6" checked' in page
    assert 'name="closed" value="0" >' in page


def test_an_office_that_works_on_saturdays_changes_its_week(auth, client, database):
    auth.login("admin")

    response = auth.post(f"{SRK_PAGE}/settings", {"timezone": "Asia/Phnom_Penh", "closed": ["6"]}, form_page=SRK_PAGE)

    assert response.status_code == 303
    srk = find_office("SRK")
    assert srk.weekend_days == "6"
    assert office_calendar(srk).weekend == {6}
    event = database.scalars(select(AuditEvent).where(AuditEvent.kind == "office_calendar_changed")).one()
    assert event.actor.username == "admin"
    assert event.data["before"]["weekend_days"] == "5,6" and event.data["after"]["weekend_days"] == "6"
    assert "The calendar of SRK is saved." in client.get(SRK_PAGE).get_data(as_text=True)


def test_a_week_without_a_working_day_or_an_unknown_timezone_is_refused(auth, client, database):
    auth.login("admin")

    every_day = auth.post(f"{SRK_PAGE}/settings", {"timezone": "Asia/Phnom_Penh", "closed": [str(d) for d in range(7)]},
                          form_page=SRK_PAGE)
    assert every_day.status_code == 422
    assert "An office must work at least one day a week" in every_day.get_data(as_text=True)

    typo = auth.post(f"{SRK_PAGE}/settings", {"timezone": "Asia/Phnom Penh", "closed": ["5", "6"]}, form_page=SRK_PAGE)
    assert typo.status_code == 422
    page = typo.get_data(as_text=True)
    assert "&#39;Asia/Phnom Penh&#39; is not a timezone name" in page
    assert 'value="Asia/Phnom Penh"' in page  # what was typed stays in the field to correct

    srk = find_office("SRK")
    assert (srk.timezone, srk.weekend_days) == ("Asia/Phnom_Penh", "5,6")
    assert database.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.kind == "office_calendar_changed")) == 0

    moved = auth.post(f"{SRK_PAGE}/settings", {"timezone": "Asia/Bangkok", "closed": ["5", "6"]}, form_page=SRK_PAGE)
    assert moved.status_code == 303 and find_office("SRK").timezone == "Asia/Bangkok"


def test_a_national_holiday_added_at_one_office_closes_every_office(auth, client, database):
    auth.login("admin")

    response = auth.post(f"{SRK_PAGE}/holidays", {"day": "2026-12-10", "name": "Human Rights Day", "scope": "national"},
                         form_page=SRK_PAGE)

    assert response.status_code == 303
    assert days_off(database) == {date(2026, 12, 10): "Human Rights Day"}
    kps_page = client.get("/admin/calendars/KPS?year=2026").get_data(as_text=True)
    assert "Human Rights Day" in kps_page and "every office (national holiday)" in kps_page
    assert date(2026, 12, 10) in office_calendar(find_office("BTB")).holidays
    assert audit_kinds(database) == ["holiday_added"]


def test_an_offices_own_closure_shows_only_on_its_page(auth, client, database):
    auth.login("admin")

    auth.post(f"{SRK_PAGE}/holidays", {"day": "2026-12-03", "name": "Staff training", "scope": "office"},
              form_page=SRK_PAGE)

    assert days_off(database, "SRK") == {date(2026, 12, 3): "Staff training"}
    assert "Staff training" in client.get(f"{SRK_PAGE}?year=2026").get_data(as_text=True)
    assert "Staff training" not in client.get("/admin/calendars/KPS?year=2026").get_data(as_text=True)
    assert date(2026, 12, 3) not in office_calendar(find_office("KPS")).holidays


def test_the_same_day_twice_or_a_day_without_a_name_is_refused(auth, client, database):
    add_holiday(date(2026, 11, 9), "Independence Day")
    auth.login("admin")

    twice = auth.post(f"{SRK_PAGE}/holidays", {"day": "2026-11-09", "name": "Independence", "scope": "national"},
                      form_page=SRK_PAGE)
    assert twice.status_code == 422
    assert "2026-11-09 is already in the list (Independence Day)" in twice.get_data(as_text=True)

    nameless = auth.post(f"{SRK_PAGE}/holidays", {"day": "2026-11-10", "name": "  ", "scope": "office"},
                         form_page=SRK_PAGE)
    assert nameless.status_code == 422
    assert "Give the holiday a name" in nameless.get_data(as_text=True)
    assert days_off(database) == {date(2026, 11, 9): "Independence Day"} and days_off(database, "SRK") == {}


def test_removing_days_off(auth, client, database):
    national = add_holiday(date(2026, 11, 9), "Independence Day")
    kps_closure = add_holiday(date(2026, 12, 3), "Office move", find_office("KPS"))
    auth.login("admin")

    # KPS's closure cannot be removed through another office's page.
    wrong_office = auth.post(f"{SRK_PAGE}/holidays/{kps_closure.id}/remove", form_page=SRK_PAGE)
    assert wrong_office.status_code == 404

    page = client.get(f"{SRK_PAGE}?year=2026").get_data(as_text=True)
    assert "Remove for every office" in page
    removed = auth.post(f"{SRK_PAGE}/holidays/{national.id}/remove", form_page=SRK_PAGE)
    assert removed.status_code == 303
    assert days_off(database) == {}
    assert days_off(database, "KPS") == {date(2026, 12, 3): "Office move"}
    assert audit_kinds(database) == ["holiday_removed"]


def test_uploading_a_holiday_file(auth, client, database):
    auth.login("admin")
    csv = "date,name\n2027-01-01,International New Year Day\n2027-01-07,Victory over Genocide Day\n".encode()

    response = auth.post(f"{SRK_PAGE}/upload", {"scope": "national", "file": (io.BytesIO(csv), "2027.csv")},
                         form_page=SRK_PAGE)

    assert response.status_code == 303
    assert len(days_off(database)) == 2
    assert "2027.csv: 2 added, 0 renamed as national holidays." in client.get(SRK_PAGE).get_data(as_text=True)

    again = auth.post(f"{SRK_PAGE}/upload", {"scope": "national", "file": (io.BytesIO(csv), "2027.csv")},
                      form_page=SRK_PAGE)
    assert again.status_code == 303
    assert "2027.csv: 0 added, 0 renamed" in client.get(SRK_PAGE).get_data(as_text=True)
    assert len(days_off(database)) == 2


def test_a_bad_upload_imports_nothing_and_says_what_to_fix(auth, client, database):
    auth.login("admin")
    csv = b"date,name\n2027-01-01,New Year\n07/01/2027,Victory Day\n"

    response = auth.post(f"{SRK_PAGE}/upload", {"scope": "office", "file": (io.BytesIO(csv), "closures.csv")},
                         form_page=SRK_PAGE)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported from closures.csv" in page
    assert "line 3: &#39;07/01/2027&#39; is not a date (use YYYY-MM-DD)" in page
    assert days_off(database, "SRK") == {} and days_off(database) == {}

    empty = auth.post(f"{SRK_PAGE}/upload", {"scope": "office"}, form_page=SRK_PAGE)
    assert empty.status_code == 422 and "Choose a holiday file" in empty.get_data(as_text=True)


def test_a_form_without_its_security_token_changes_nothing(auth, client, database):
    auth.login("admin")

    response = client.post(f"{SRK_PAGE}/holidays", data={"day": "2026-12-24", "name": "Party", "scope": "national"})

    assert response.status_code == 400
    assert days_off(database) == {}
