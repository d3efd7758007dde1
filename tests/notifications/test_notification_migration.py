"""Upgrading an office whose notifications were stored as English words: the kinds One Window wrote
are read back into their facts and from then on told in the reader's language (in English exactly as
they were written); words that do not read back stay as they were, readable."""
from datetime import datetime, timezone

from flask_babel import force_locale
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from app.accounts.models import User
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import Message, told
from support import build_world

BEFORE = "f6b0d4e8a2c9"  # main's head before notifications kept their parameters
CHECK_URL = "https://owso.example.gov.kh/certificates/?number=KPS-CL-2026-00008"
WRITTEN = {  # kind -> (subject, body) as the code before wrote them
    "fee_waiver": ("Fee waiver to decide: case KPS-2026-00003",
                   "Fee waiver asked for case KPS-2026-00003: 50,000 riel instead of 100,000 riel (Sub-decree 18 "
                   "art. 12: fee halved). Approve or refuse it on the case page."),
    "send_back": ("Case KPS-2026-00004 was sent back to the applicant",
                  "Case KPS-2026-00004 (Commercial licence for a small business) waits on the applicant's documents "
                  "or corrections; its deadlines are paused until you record the applicant's response."),
    "reassigned": ("'Review the application' on case KPS-2026-00005 is now yours",
                   "Chea Sreymom gave you 'Review the application' on case KPS-2026-00005: Sokha is on leave"),
    "applicant_answered": ("Case KPS-2026-00007: the applicant answered the send-back",
                           "The applicant of case KPS-2026-00007 answered online: The signed lease is attached.. "
                           "The service clock runs again; check the corrections on the case page."),
    "certificate_issued": ("Commercial licence KPS-CL-2026-00008 is signed",
                           "Your commercial licence for Chanthy Mini Mart (case KPS-2026-00008) is signed. Collect it "
                           f"at Kampong Siem OWSO with your identity card. Anyone can check it at {CHECK_URL}"),
}
ESCALATED = ("Escalated to OWSO chief: 'Review the application' on case KPS-2026-00006 passed its deadline of "
             "2026-11-20 10:00 UTC")
MOMENT = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


def _written(kind, subject, body, user_id=None, address=None):
    db.session.execute(text(
        "INSERT INTO notification (user_id, address, medium, kind, subject, body, created_at, email_status, "
        "email_attempts) VALUES (:user_id, :address, :medium, :kind, :subject, :body, :at, 'none', 0)"),
        {"user_id": user_id, "address": address, "medium": "sms" if address else "email", "kind": kind,
         "subject": subject, "body": body, "at": MOMENT.replace(tzinfo=None)})


def _row(kind, subject=None):
    query = select(Notification).where(Notification.kind == kind)
    if subject is not None:
        query = query.where(Notification.subject == subject)
    return db.session.scalars(query.order_by(Notification.id)).first()


def test_the_notifications_written_in_english_are_told_in_the_readers_language_after_the_upgrade(fresh_app):
    upgrade(revision=BEFORE)
    build_world()
    vanna = db.session.scalars(select(User.id).where(User.username == "vanna")).one()
    for kind, (subject, body) in WRITTEN.items():
        _written(kind, subject, body, *((None, "+85512345678") if kind == "certificate_issued" else (vanna,)))
    _written("escalation", ESCALATED, f"{ESCALATED}. Open the case to follow up: KPS-2026-00006.", vanna)
    _written("escalation", "Case KPS-2026-0007 is overdue", "The technical review was due on Friday.", vanna)
    _written("note", "Staff meeting at 14:00", "In the chief's office.", vanna)
    db.session.commit()

    upgrade()

    for kind, words in WRITTEN.items():
        row = _row(kind)
        assert (row.subject, row.body) == (None, None), kind
        with force_locale("en"):
            assert told(row) == Message(*words), kind
    assert _row("fee_waiver").params == {"number": "KPS-2026-00003", "amount_riel": 50_000,
                                          "fee_due_riel": 100_000, "reason": "Sub-decree 18 art. 12: fee halved"}
    with force_locale("km"):
        assert told(_row("fee_waiver")) == Message(
            "ការលើកលែងកម្រៃសេវាដែលត្រូវសម្រេច៖ សំណុំឯកសារលេខ KPS-2026-00003",
            "សំណើលើកលែងកម្រៃសេវាសម្រាប់សំណុំឯកសារលេខ KPS-2026-00003៖ ៥០,០០០ រៀល ជំនួសឱ្យ ១០០,០០០ រៀល "
            "(Sub-decree 18 art. 12: fee halved)។ សូមអនុម័ត ឬបដិសេធនៅលើទំព័រសំណុំឯកសារ។")
        assert told(_row("reassigned")).subject == (
            "ឥឡូវនេះ 'ពិនិត្យពាក្យស្នើសុំ' លើសំណុំឯកសារលេខ KPS-2026-00005 ជាការងាររបស់អ្នក")

    escalated = db.session.scalars(select(Notification).where(Notification.kind == "escalation")
                                   .order_by(Notification.id)).all()
    assert escalated[0].params == {"role": "owso_chief", "task": "Review the application",
                                   "number": "KPS-2026-00006", "deadline": "2026-11-20T10:00:00+00:00"}
    with force_locale("en"):  # the deadline now in the office's time, as the notifications page shows times
        assert told(escalated[0]).subject == ("Escalated to OWSO chief: 'Review the application' on case "
                                              "KPS-2026-00006 passed its deadline of 2026-11-20 17:00")
    # Words that do not read back as what One Window wrote stay, as they were.
    for row, words in ((escalated[1], ("Case KPS-2026-0007 is overdue", "The technical review was due on Friday.")),
                       (_row("note"), ("Staff meeting at 14:00", "In the chief's office."))):
        assert row.params is None
        with force_locale("km"):
            assert told(row) == Message(*words)

    db.session.remove()
    downgrade(revision=BEFORE)  # an older One Window gets each kind and its facts to read
    subject, body = db.session.execute(text(
        "SELECT subject, body FROM notification WHERE kind = 'send_back'")).one()
    assert (subject, body) == ("send_back", '{"number": "KPS-2026-00004", "procedure": '
                                            '"Commercial licence for a small business"}')
