"""Stories of the office telling its people about work: in the app always, by email when it can."""
from sqlalchemy import select

from app.accounts.models import User
from app.administration.services import create_user
from app.audit.models import AuditEvent
from app.cases.write_path import start_case
from app.notifications.services import notify, told

from office_data import APPLICATION
from support import PASSWORD

OVERDUE = {"role": "owso_chief", "task": "Review the application", "number": "KPS-2026-00007", "deadline": None}


def person(username, email=None, roles=("owso_chief",), office="KPS"):
    return create_user(username, PASSWORD, list(roles), office, full_name=username.title(), email=email)


def staff(database, username):
    return database.scalars(select(User).where(User.username == username)).one()


def test_everyone_told_gets_one_notification_in_the_app(smtp_settings, database):
    vanna, governor = staff(database, "vanna"), staff(database, "governor")
    dara = staff(database, "dara")
    case = start_case("commercial_licence", APPLICATION, dara, dara.office)

    rows = notify([vanna, governor, vanna], "escalation", {"role": "owso_chief", "task": "Review the application",
                                                          "number": case.number, "deadline": None}, case=case)

    assert sorted(row.user.username for row in rows) == ["governor", "vanna"]
    assert {row.email_status for row in rows} == {"none"}  # no mail server configured
    assert all(row.case_id == case.id and row.read_at is None for row in rows)
    event = database.scalars(select(AuditEvent).where(AuditEvent.kind == "notified")).one()
    assert event.case_id == case.id
    assert event.data["recipients"] == ["governor", "vanna"] and event.data["emailed"] == 0
    assert event.summary == (f"Notified governor, vanna: Escalated to OWSO chief: 'Review the application' on "
                             f"case {case.number} passed its deadline")


def test_with_a_mail_server_only_people_with_an_address_get_an_email_queued(smtp_settings, database):
    smtp_settings(SMTP_HOST="mail.example.gov.kh", SMTP_PORT=587)
    sreymom = person("sreymom", "sreymom@example.gov.kh")
    no_address = person("kosal")
    left = person("sothea", "sothea@example.gov.kh")
    left.active = False

    rows = notify([sreymom, no_address, left], "escalation", OVERDUE)

    assert {row.user.username: row.email_status for row in rows} == {
        "sreymom": "pending", "kosal": "none", "sothea": "none"}
    assert all(row.email_attempts == 0 and row.email_next_attempt_at is None for row in rows)


def test_notify_never_sends_anything_itself(mail_server, database):
    sreymom = person("sreymom", "sreymom@example.gov.kh")

    [row] = notify([sreymom], "reassigned", {"task": "Sign the licence", "number": "KPS-2026-00008",
                                             "by": "Vanna", "reason": "Vanna is away this week."})
    database.commit()

    assert row.email_status == "pending"
    assert mail_server.messages == []


def test_a_subject_stays_on_one_line(smtp_settings, database):
    [row] = notify([staff(database, "vanna")], "reassigned", {
        "task": "Overdue:\r\nBcc: everyone@example.org", "number": "KPS-2026-00007", "by": "Dara", "reason": "-"})
    assert told(row).subject == "'Overdue: Bcc: everyone@example.org' on case KPS-2026-00007 is now yours"


def test_nobody_to_tell_writes_nothing(smtp_settings, database):
    assert notify([], "escalation", OVERDUE) == []
    assert database.scalars(select(AuditEvent).where(AuditEvent.kind == "notified")).first() is None
