"""Stories of the outbox: emails leave through the office's real mail server, and an outage
loses nothing."""
import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from app.accounts.models import User
from app.administration.services import create_user
from app.audit.models import AuditEvent
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import MAX_EMAIL_ATTEMPTS, notify, outbox_job, send_pending

from smtp_helpers import OFFICE_SENDER
from support import PASSWORD

MONDAY_9AM = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 09:00 in Phnom Penh
OVERDUE = ("Escalated to OWSO chief: 'Review the application' on case KPS-2026-00007 passed its deadline of "
           "2026-11-20 17:00")


def chief_with_email(username="sreymom", email="sreymom@example.gov.kh"):
    return create_user(username, PASSWORD, ["owso_chief"], "KPS", full_name="Chea Sreymom", email=email)


def overdue_notice(database, user) -> Notification:
    [row] = notify([user], "escalation", {"role": "owso_chief", "task": "Review the application",
                                          "number": "KPS-2026-00007", "deadline": "2026-11-20T10:00:00+00:00"})
    database.commit()  # the case write path commits; the outbox sends later
    return row


def test_a_pending_email_is_delivered_with_its_subject_to_its_person(mail_server, database):
    notice = overdue_notice(database, chief_with_email())

    assert send_pending(MONDAY_9AM) == (1, 0)

    assert mail_server.recipients == [["sreymom@example.gov.kh"]]
    [message] = mail_server.messages
    assert message["Subject"] == OVERDUE
    assert message["To"].addresses[0].addr_spec == "sreymom@example.gov.kh"
    assert message["To"].addresses[0].display_name == "Chea Sreymom"
    assert message["From"] == OFFICE_SENDER
    assert message.get_content().splitlines() == [
        f"{OVERDUE}. Open the case to follow up: KPS-2026-00007.", "", "-- ",
        "One Window. You can also read this under Notifications when you sign in."]
    database.refresh(notice)
    assert (notice.email_status, notice.email_attempts, notice.email_sent_at) == ("sent", 1, MONDAY_9AM)
    assert notice.read_at is None  # emailed is not read

    assert send_pending(MONDAY_9AM + timedelta(hours=1)) == (0, 0)  # never twice
    assert len(mail_server.messages) == 1


def test_when_the_mail_server_is_down_nothing_is_lost_and_it_goes_out_when_the_server_returns(mail_server, database):
    mail_server.stop()
    notice = overdue_notice(database, chief_with_email())

    assert send_pending(MONDAY_9AM) == (0, 1)

    database.refresh(notice)
    assert notice.email_status == "pending"
    assert notice.email_attempts == 1
    assert "Connection refused" in notice.email_last_error
    assert notice.email_next_attempt_at == MONDAY_9AM + timedelta(minutes=1)
    assert send_pending(MONDAY_9AM + timedelta(seconds=30)) == (0, 0)  # not before its retry time

    mail_server.start()
    assert send_pending(MONDAY_9AM + timedelta(minutes=2)) == (1, 0)

    database.refresh(notice)
    assert (notice.email_status, notice.email_attempts) == ("sent", 2)
    assert [m["Subject"] for m in mail_server.messages] == [OVERDUE]


def test_after_the_last_attempt_the_email_is_failed_and_still_shown(mail_server, auth, client, database):
    mail_server.stop()
    notice = overdue_notice(database, chief_with_email())
    moment, waits = MONDAY_9AM, []

    for attempt in range(1, MAX_EMAIL_ATTEMPTS + 1):
        assert send_pending(moment) == (0, 1), f"attempt {attempt}"
        database.refresh(notice)
        if notice.email_next_attempt_at:
            waits.append(int((notice.email_next_attempt_at - moment) / timedelta(minutes=1)))
            moment = notice.email_next_attempt_at

    assert waits == [1, 5, 15, 60, 180, 360, 720]
    assert (notice.email_status, notice.email_attempts, notice.email_next_attempt_at) == ("failed", 8, None)
    mail_server.start()
    assert send_pending(moment + timedelta(days=7)) == (0, 0)
    assert mail_server.messages == []
    given_up = database.scalars(select(AuditEvent).where(AuditEvent.kind == "notification_email_failed")).one()
    assert "sreymom" in given_up.summary and "8 attempt(s)" in given_up.summary

    auth.login("sreymom")
    page = client.get("/notifications/").get_data(as_text=True)
    assert "on case KPS-2026-00007 passed its deadline of 2026-11-20 17:00" in page
    assert "email failed" in page and "after 8 attempts" in page and "Connection refused" in page


def test_a_refused_address_does_not_hold_up_the_others(mail_server, database):
    gone = overdue_notice(database, chief_with_email("moved", "moved@gone.example"))
    here = overdue_notice(database, chief_with_email())

    assert send_pending(MONDAY_9AM) == (1, 1)

    database.refresh(gone), database.refresh(here)
    assert (gone.email_status, gone.email_attempts) == ("pending", 1)
    assert "550" in gone.email_last_error and "No such mailbox" in gone.email_last_error
    assert here.email_status == "sent"
    assert mail_server.recipients == [["sreymom@example.gov.kh"]]


def test_an_address_removed_before_sending_leaves_the_notification_in_the_app(mail_server, database):
    sreymom = chief_with_email()
    notice = overdue_notice(database, sreymom)
    sreymom.email = None
    database.commit()

    assert send_pending(MONDAY_9AM) == (0, 0)

    database.refresh(notice)
    assert notice.email_status == "none" and "no email address" in notice.email_last_error
    assert mail_server.messages == []


def test_without_a_mail_server_configured_the_outbox_sends_nothing(smtp_settings, runner, database):
    smtp_settings(SMTP_HOST="")
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0
    assert "Neither email (SMTP_HOST) nor SMS (SMS_GATEWAY_URL) is configured" in result.output


def test_the_send_command_prints_what_it_did(mail_server, runner, database):
    overdue_notice(database, chief_with_email())

    result = runner.invoke(args=["notifications", "send"])

    assert result.exit_code == 0, result.output
    assert "1 message(s) sent, 0 failed (retried later); 0 still pending." in result.output
    assert len(mail_server.messages) == 1


def test_the_scheduled_job_sends_and_logs_failures_without_raising(app, mail_server, database, caplog, monkeypatch):
    # Alembic's fileConfig (migrations/env.py, run by the app fixture) disables loggers that exist already.
    monkeypatch.setattr(logging.getLogger("app.notifications.services"), "disabled", False)
    overdue_notice(database, chief_with_email())
    outbox_job(app)
    assert len(mail_server.messages) == 1

    mail_server.stop()
    overdue_notice(database, chief_with_email("kosal", "kosal@example.gov.kh"))
    with caplog.at_level(logging.WARNING, logger="app.notifications.services"):
        outbox_job(app)
    assert "1 email(s) could not be sent" in caplog.text


def test_an_email_another_sender_is_sending_is_skipped(app, mail_server):
    """Two outbox processes on PostgreSQL: a message locked by one is invisible to the other."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks (FOR UPDATE SKIP LOCKED) are a PostgreSQL feature")
        with db.engine.begin() as setup:
            dara = setup.execute(select(User.id).where(User.username == "dara")).scalar_one()
            setup.execute(text("UPDATE \"user\" SET email = 'dara@example.gov.kh' WHERE id = :id"), {"id": dara})
            notice_id = setup.execute(Notification.__table__.insert().values(
                user_id=dara, kind="escalation", subject="Locked elsewhere", body="-", created_at=MONDAY_9AM,
                email_status="pending", email_attempts=0).returning(Notification.id)).scalar_one()
        other_sender = db.engine.connect()
        try:
            other_sender.begin()
            other_sender.execute(select(Notification.id).where(Notification.id == notice_id).with_for_update())

            assert send_pending(MONDAY_9AM) == (0, 0)
            assert mail_server.messages == []

            other_sender.rollback()  # the other sender died: its lock goes, the message is still pending
            assert send_pending(MONDAY_9AM) == (1, 0)
            assert [m["Subject"] for m in mail_server.messages] == ["Locked elsewhere"]
        finally:
            other_sender.close()
            db.session.remove()
            with db.engine.begin() as cleanup:
                cleanup.execute(Notification.__table__.delete().where(Notification.id == notice_id))
                cleanup.execute(text("UPDATE \"user\" SET email = NULL WHERE id = :id"), {"id": dara})
