"""Citizens are told by SMS through the office's gateway (a real HTTP server here), with the
same outbox as email: nothing is lost when the gateway is down, a refused message is given up
and said so, and an email address gets an email instead."""
from datetime import datetime, timedelta, timezone

import pytest

from app.audit.models import AuditEvent
from app.notifications.models import Notification
from app.notifications.services import notify_citizen, send_pending
from app.notifications.sms import phone_number
from sms_gateway import SmsGateway

MONDAY_9AM = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
# A licence signed for a case no one applied for online: the citizen reads Khmer, the public default.
READY = {"service": "commercial_licence", "certificate": "KPS-CL-2026-00042", "subject": "Chanthy Mini Mart",
         "number": "KPS-2026-00042", "office": "Kampong Siem OWSO",
         "check_url": "https://owso.example.gov.kh/certificates/?number=KPS-CL-2026-00042"}
READY_KM = "អាជ្ញាបណ្ណពាណិជ្ជកម្ម លេខ KPS-CL-2026-00042 ត្រូវបានចុះហត្ថលេខារួចហើយ"


@pytest.fixture
def gateway(app, monkeypatch):
    server = SmsGateway()
    server.start()
    for key, value in {"SMS_GATEWAY_URL": server.url, "SMS_GATEWAY_TOKEN": "office-token", "SMS_SENDER": "OWSO-KPS",
                       "SMTP_HOST": ""}.items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.stop()


def test_an_sms_leaves_as_one_json_post_with_the_documented_shape(gateway, database):
    notice = notify_citizen("012 345 678", "certificate_issued", READY)
    database.commit()

    assert send_pending(MONDAY_9AM) == (1, 0)

    [request] = gateway.received
    assert request["path"] == "/messages"
    assert request["headers"]["Authorization"] == "Bearer office-token"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["json"] == {"to": "+85512345678", "from": "OWSO-KPS",
                               "text": f"{READY_KM}\nអាជ្ញាបណ្ណពាណិជ្ជកម្ម របស់អ្នកសម្រាប់ Chanthy Mini Mart "
                                       "(សំណុំឯកសារលេខ KPS-2026-00042) ត្រូវបានចុះហត្ថលេខារួចហើយ។ សូមមកទទួលនៅ "
                                       "Kampong Siem OWSO ដោយយកអត្តសញ្ញាណប័ណ្ណមកជាមួយ។ អ្នកណាក៏អាចពិនិត្យវាបាននៅ "
                                       "https://owso.example.gov.kh/certificates/?number=KPS-CL-2026-00042",
                               "reference": f"onewindow-notification-{notice.id}"}
    database.refresh(notice)
    assert (notice.medium, notice.email_status, notice.email_attempts) == ("sms", "sent", 1)
    assert send_pending(MONDAY_9AM + timedelta(minutes=5)) == (0, 0)  # never twice
    assert len(gateway.received) == 1


def test_when_the_gateway_fails_the_sms_waits_and_goes_out_later(gateway, database):
    gateway.status = 503
    notice = notify_citizen("+855 12 345 678", "certificate_issued", READY)
    database.commit()

    assert send_pending(MONDAY_9AM) == (0, 1)
    database.refresh(notice)
    assert (notice.email_status, notice.email_attempts) == ("pending", 1)
    assert notice.email_next_attempt_at == MONDAY_9AM + timedelta(minutes=1)
    assert "the SMS gateway answered 503" in notice.email_last_error

    gateway.status = 200
    assert send_pending(MONDAY_9AM + timedelta(seconds=30)) == (0, 0)  # not due yet
    assert send_pending(MONDAY_9AM + timedelta(minutes=1)) == (1, 0)
    database.refresh(notice)
    assert (notice.email_status, notice.email_attempts) == ("sent", 2)


def test_a_gateway_that_refuses_the_number_is_not_asked_again(gateway, database):
    gateway.status = 400
    notice = notify_citizen("012 345 678", "certificate_issued", READY)
    database.commit()

    assert send_pending(MONDAY_9AM) == (0, 1)
    database.refresh(notice)
    assert notice.email_status == "failed"
    assert "the SMS gateway refused the message: 400" in notice.email_last_error
    assert send_pending(MONDAY_9AM + timedelta(days=1)) == (0, 0)
    assert len(gateway.received) == 1


def test_without_a_gateway_the_sms_is_kept_but_not_queued(app, database, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", "")
    notice = notify_citizen("012 345 678", "certificate_issued", READY)
    assert notice.email_status == "none"


def test_an_email_address_gets_an_email_and_nonsense_gets_nothing(app, database, mail_server):
    notice = notify_citizen("chanthy@example.com", "certificate_issued", READY)
    database.commit()
    assert notify_citizen("call me maybe", "certificate_issued", READY) is None
    assert send_pending(MONDAY_9AM) == (1, 0)
    [message] = mail_server.messages
    assert message["To"] == "chanthy@example.com" and message["Subject"] == READY_KM
    database.refresh(notice)
    assert (notice.medium, notice.email_status) == ("email", "sent")


def test_the_history_says_how_the_citizen_was_told_but_never_the_number(gateway, database):
    notify_citizen("012 345 678", "certificate_issued", READY)
    event = database.query(AuditEvent).filter_by(kind="citizen_notified").one()
    assert event.summary == "Told the applicant by SMS: Commercial licence KPS-CL-2026-00042 is signed"
    assert "345" not in str(event.data)


@pytest.mark.parametrize("typed, e164", [("012 345 678", "+85512345678"), ("+855-97-765-4321", "+855977654321"),
                                         ("0085512345678", "+85512345678"), ("12", None), ("", None)])
def test_phone_numbers_are_written_the_way_gateways_want(typed, e164):
    assert phone_number(typed) == e164
