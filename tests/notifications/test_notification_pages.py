"""Stories of staff reading their notifications."""
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import event, select

from app.accounts.models import User
from app.cases.write_path import start_case
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import notify, send_pending

from office_data import APPLICATION

PAGE = "/notifications/"
OVERDUE = "Escalated to OWSO chief: &#39;Review the application&#39; on case {number} passed its deadline"
SIGN = "&#39;Sign the licence&#39; on case KPS-2026-00099 is now yours"


def handed(task):
    return {"task": task, "number": "KPS-2026-00099", "by": "Sreymom", "reason": "-"}


def staff(database, username):
    return database.scalars(select(User).where(User.username == username)).one()


def unread_in_nav(html):
    match = re.search(r'>Notifications(?: <span class="badge" title="unread">(\d+)</span>)?</a>', html)
    assert match, "no Notifications link in the nav"
    return int(match.group(1) or 0)


def two_notices_for_vanna(database):
    dara = staff(database, "dara")
    case = start_case("commercial_licence", APPLICATION, dara, dara.office)
    vanna = staff(database, "vanna")
    [older] = notify([vanna], "escalation", {"role": "owso_chief", "task": "Review the application",
                                             "number": case.number, "deadline": None}, case=case)
    older.created_at -= timedelta(hours=2)
    [newer] = notify([vanna], "reassigned", {"task": "Sign the licence", "number": "KPS-2026-00099", "by": "Sreymom",
                                             "reason": "Sreymom is away."})
    database.commit()
    return case, older, newer


def test_the_nav_counts_unread_and_the_page_shows_newest_first(auth, client, database):
    case, older, newer = two_notices_for_vanna(database)
    auth.login("vanna")

    assert unread_in_nav(client.get("/").get_data(as_text=True)) == 2
    page = client.get(PAGE).get_data(as_text=True)
    assert page.index(SIGN) < page.index(OVERDUE.format(number=case.number))
    assert f"<strong>{OVERDUE.format(number=case.number)}</strong>" in page
    assert f'<a href="/cases/{case.id}">{case.number}</a>' in page

    auth.login("dara")
    assert unread_in_nav(client.get("/").get_data(as_text=True)) == 0
    assert "Nothing for you yet." in client.get(PAGE).get_data(as_text=True)


def test_marking_one_and_then_all_as_read(auth, client, database):
    case, older, newer = two_notices_for_vanna(database)
    auth.login("vanna")

    response = auth.post(f"/notifications/{older.id}/read", form_page=PAGE)

    assert response.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert unread_in_nav(page) == 1
    assert f"<strong>{OVERDUE.format(number=case.number)}</strong>" not in page
    assert OVERDUE.format(number=case.number) in page  # still listed, no longer bold
    assert f"<strong>{SIGN}</strong>" in page

    response = auth.post("/notifications/read", form_page=PAGE)
    assert response.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "1 notification marked as read." in page
    assert unread_in_nav(page) == 0 and "<strong>" not in page.split("<main>")[1]
    database.refresh(newer)
    assert newer.read_at is not None


def test_nobody_reads_someone_elses_notifications(auth, client, database):
    case, older, newer = two_notices_for_vanna(database)
    auth.login("chan")

    assert f"Case {case.number}" not in client.get(PAGE).get_data(as_text=True)
    response = auth.post(f"/notifications/{older.id}/read", form_page=PAGE)

    assert response.status_code == 404
    database.refresh(older)
    assert older.read_at is None


def test_the_page_says_what_happened_to_each_email(auth, client, database, mail_server, smtp_settings):
    vanna = staff(database, "vanna")
    vanna.email = "vanna@example.gov.kh"
    delivered = notify([vanna], "reassigned", handed("Delivered one"))[0]
    database.commit()
    moment = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
    assert send_pending(moment) == (1, 0)
    mail_server.stop()
    waiting = notify([vanna], "reassigned", handed("Waiting one"))[0]
    database.commit()
    assert send_pending(moment) == (0, 1)
    smtp_settings(SMTP_HOST="")
    in_app_only = notify([vanna], "reassigned", handed("In-app one"))[0]
    database.commit()

    auth.login("vanna")
    page = client.get(PAGE).get_data(as_text=True)

    assert "emailed 2026-11-23 09:00" in page  # shown in the office's time (Phnom Penh)
    assert "email pending (attempt 1, last error: ConnectionRefusedError" in page
    assert "next try 2026-11-23 09:01" in page
    assert {delivered.email_status, waiting.email_status, in_app_only.email_status} == {"sent", "pending", "none"}


def test_the_unread_count_in_the_nav_costs_one_query(auth, client, database):
    two_notices_for_vanna(database)
    auth.login("vanna")
    statements = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        client.get("/")
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)

    about_notifications = [s for s in statements if "notification" in s]
    assert len(about_notifications) == 1 and "count(" in about_notifications[0].lower()


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_marking_read_without_the_forms_security_token_changes_nothing(auth, client, database):
    case, older, newer = two_notices_for_vanna(database)
    auth.login("vanna")

    assert client.post("/notifications/read").status_code == 400

    assert database.scalars(select(Notification).where(Notification.read_at.is_not(None))).first() is None
