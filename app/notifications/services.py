"""Notifications: always shown in the app, also emailed through an outbox when SMTP is configured;
citizens' notifications go through the same outbox by email or by SMS (notifications/sms.py).

``notify`` only writes rows inside the caller's transaction; nothing leaves the machine
until ``send_pending`` (the outbox job, or `flask notifications send`) reads the pending
rows, one at a time, and sends them. A message is locked while it is sent
(FOR UPDATE SKIP LOCKED on PostgreSQL), so two senders never send the same one, and each
result is committed on its own, so a crash loses at most the one message in flight
(which is then sent again: email is delivered at least once).
"""
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, format_datetime, make_msgid, parseaddr

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..audit.services import record
from ..db import utcnow
from ..errors import NotFound
from ..extensions import db
from ..i18n import LANGUAGES, PUBLIC_DEFAULT
from .models import Notification
from .sms import SmsRefused, phone_number, send_sms, sms_configured

log = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 8
# Wait after the 1st, 2nd, ... failed attempt; the 8th failure gives up (about a day in all).
RETRY_MINUTES = (1, 5, 15, 60, 180, 360, 720)
SMTP_TIMEOUT_SECONDS = 10
MAX_ERROR_LENGTH = 500


# --- what a notification says ----------------------------------------------------------

@dataclass(frozen=True)
class Message:
    subject: str
    body: str


# kind -> tell(params, case) -> Message, written in the current language. Each package that notifies
# registers the words of its kinds beside the code that notifies (message_for), so this package needs
# none of theirs.
_TELLERS: dict[str, Callable[[dict, object], Message]] = {}


def message_for(kind: str):
    """Register how notifications of ``kind`` are told: ``tell(params, case) -> Message``, through gettext.

    A notification stores its kind and parameters, not its words: staff read it in their language and a
    citizen gets it in theirs, whenever it is shown or sent."""
    def register(tell):
        _TELLERS[kind] = tell
        return tell
    return register


def told_of(kind: str, params: dict, case=None) -> Message | None:
    """What a notification of ``kind`` with ``params`` says, in the language being written; None for a
    kind without words."""
    tell = _TELLERS.get(kind)
    return _one_line(tell(params, case)) if tell is not None else None


def told(notification: Notification) -> Message:
    """The notification in the language being written (the reader's on a page); a row from before
    notifications kept their parameters shows the words it was recorded with."""
    message = told_of(notification.kind, notification.params, notification.case) if notification.params else None
    return message or Message(notification.subject or "", notification.body or "")


def reader_language(notification: Notification) -> str:
    """Staff: the language they chose (else the office's default). A citizen: the language they applied
    or complained in, as the case recorded it; else Khmer, the public side's default."""
    if notification.user is not None:
        locale = notification.user.locale
        return locale if locale in LANGUAGES else current_app.config["BABEL_DEFAULT_LOCALE"]
    case = notification.case
    language = (case.applicant or {}).get("language") if case is not None else None
    return language if language in LANGUAGES else PUBLIC_DEFAULT


def told_to_reader(notification: Notification) -> Message:
    """What the email or SMS says: in its reader's language, wherever it is sent from."""
    with force_locale(reader_language(notification)):
        return told(notification)


def _one_line(message: Message) -> Message:
    # The subject becomes an email's Subject header: never two lines.
    return Message(" ".join(message.subject.split())[:300], message.body)


def _in_english(kind: str, params: dict, case) -> Message:
    """For the case history, which is recorded once, in English (with the parameters, so that
    cases.presenters.history_line tells it again in the reader's language)."""
    if kind not in _TELLERS:
        raise ValueError(f"notifications of kind {kind!r} have no words: register them with message_for")
    with force_locale("en"):
        return told_of(kind, params, case)


# --- writing ----------------------------------------------------------------------------

def email_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def notify(users, kind: str, params: dict, case=None) -> list[Notification]:
    """Tell each of ``users`` (once each) something of ``kind`` (its words registered with message_for,
    filled in with ``params``), in the app and, when possible, by email.

    Writes rows only (in the caller's transaction); email is queued as "pending" when SMTP is
    configured and the person has an address and an active account, and is sent later by
    ``send_pending``.
    """
    seen, recipients, rows = set(), [], []
    with_email = email_configured()
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        recipients.append(user.username)
        emailed = with_email and bool(user.email) and user.active
        rows.append(Notification(user_id=user.id, case_id=case.id if case is not None else None, kind=kind,
                                 params=params, created_at=utcnow(),
                                 email_status="pending" if emailed else "none", email_attempts=0))
    if not rows:
        return []
    subject = _in_english(kind, params, case).subject
    db.session.add_all(rows)
    db.session.flush()
    record("notified", f"Notified {', '.join(sorted(recipients))}: {subject[:200]}", case=case,
           notification_kind=kind, params=params, recipients=sorted(recipients),
           emailed=sum(row.email_status == "pending" for row in rows))
    return rows


def notify_citizen(contact: str | None, kind: str, params: dict, case=None) -> Notification | None:
    """Tell an applicant or complainant (no account) at the contact they gave: an email address is
    emailed, a phone number gets an SMS, in the language they applied in (reader_language). None when
    the contact is neither."""
    contact = (contact or "").strip()
    if "@" in contact:
        medium, address, deliverable = "email", contact[:200], email_configured()
    else:
        medium, address, deliverable = "sms", phone_number(contact), sms_configured()
        if address is None:
            return None
    subject = _in_english(kind, params, case).subject
    row = Notification(user_id=None, address=address, medium=medium, case_id=case.id if case is not None else None,
                       kind=kind, params=params, created_at=utcnow(),
                       email_status="pending" if deliverable else "none", email_attempts=0)
    db.session.add(row)  # flushed with the caller's other writes: nothing here needs its id
    # The history says how, never the address: a complainant's contact stays with the Ombudsman.
    record("citizen_notified", f"Told the {'applicant' if kind != 'complaint_outcome' else 'complainant'} by "
           f"{'SMS' if medium == 'sms' else 'email'}: {subject[:200]}", case=case, notification_kind=kind,
           params=params, medium=medium, queued=deliverable)
    return row


# --- reading (pages) --------------------------------------------------------------------

def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def notifications_for(user, page: int = 1, per_page: int = 50) -> tuple[list[Notification], bool]:
    """One page of the user's notifications, newest first, and whether older ones exist."""
    rows = list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).options(joinedload(Notification.case))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((max(page, 1) - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def mark_read(user, notification_id: int, now: datetime | None = None) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("There is no such notification for you."))
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()
    return notification


def mark_all_read(user, now: datetime | None = None) -> int:
    # The notifications the session holds are marked too: a page drawn after this, in the same session, shows them read.
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow()))
    return result.rowcount


# --- the outbox -------------------------------------------------------------------------

def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.email_status == "pending")) or 0


def send_pending(now: datetime | None = None, batch: int = 50) -> tuple[int, int]:
    """Send up to ``batch`` due pending emails, then as many SMS; return (sent, failed). Commits
    after each message.

    A failed message is retried later (after 1, 5, 15, 60 minutes, ... see RETRY_MINUTES) and
    marked "failed" after MAX_EMAIL_ATTEMPTS (at once when the gateway refuses it for good).
    When the server cannot be reached, the run stops after recording the failure on the message
    it was sending (the others wait for the next run rather than each waiting for the same timeout).
    """
    now = now or utcnow()
    sent = failed = 0
    if email_configured():
        sent, failed = _send_emails(now, batch)
    if sms_configured():
        sms_sent, sms_failed = _send_sms(now, batch)
        sent, failed = sent + sms_sent, failed + sms_failed
    return sent, failed


def _send_emails(now: datetime, batch: int) -> tuple[int, int]:
    sent = failed = 0
    tried: set[int] = set()
    smtp = None
    try:
        while len(tried) < batch:
            notification = _next_due(now, tried, "email")
            if notification is None:
                break
            tried.add(notification.id)
            user = notification.user
            if user is not None and not (user.email and user.active):
                # The address went away after the notification was written: it stays in the app.
                notification.email_status = "none"
                notification.email_next_attempt_at = None
                notification.email_last_error = "not emailed: the account has no email address or is inactive"
                db.session.commit()
                continue
            try:
                message = _message(notification, user)
            except Exception as error:  # noqa: BLE001 (a message that cannot be built never will be)
                _failed(notification, error, now, give_up=True)
                db.session.commit()
                failed += 1
                continue
            try:
                smtp = smtp or _connect()
                smtp.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                _failed(notification, error, now)  # this message was refused; the connection is fine
                db.session.commit()
                failed += 1
                continue
            except Exception as error:  # noqa: BLE001 (unreachable server, TLS, login, disconnect, ...)
                _failed(notification, error, now)
                db.session.commit()
                failed += 1
                smtp = _close(smtp)
                break  # the others wait for the next run instead of each waiting for the same timeout
            _delivered(notification, now)
            sent += 1
    except BaseException:
        db.session.rollback()  # releases the lock on the message in flight; it is sent next time
        raise
    finally:
        _close(smtp)
    return sent, failed


def _send_sms(now: datetime, batch: int) -> tuple[int, int]:
    sent = failed = 0
    tried: set[int] = set()
    try:
        while len(tried) < batch:
            notification = _next_due(now, tried, "sms")
            if notification is None:
                break
            tried.add(notification.id)
            try:
                text = _sms_text(notification)
            except Exception as error:  # noqa: BLE001 (a message that cannot be written never will be)
                _failed(notification, error, now, give_up=True)
                db.session.commit()
                failed += 1
                continue
            try:
                send_sms(notification.address, text, f"onewindow-notification-{notification.id}")
            except SmsRefused as error:
                _failed(notification, error, now, give_up=True)
                db.session.commit()
                failed += 1
                continue
            except Exception as error:  # noqa: BLE001 (gateway down, timeout, 5xx: try again later)
                _failed(notification, error, now)
                db.session.commit()
                failed += 1
                break
            _delivered(notification, now)
            sent += 1
    except BaseException:
        db.session.rollback()
        raise
    return sent, failed


def _sms_text(notification: Notification) -> str:
    message = told_to_reader(notification)
    return f"{message.subject}\n{message.body}"[:640]


def _delivered(notification: Notification, now: datetime) -> None:
    notification.email_status = "sent"
    notification.email_sent_at = now
    notification.email_next_attempt_at = None
    notification.email_attempts += 1
    db.session.commit()


def outbox_job(app: Flask) -> None:
    """The scheduler's job: send due emails in the app context, log (never raise) failures."""
    with app.app_context():
        try:
            sent, failed = send_pending()
        except Exception:
            db.session.rollback()
            log.exception("notification outbox failed; the next run retries")
            return
        if sent:
            log.info("notification outbox sent %d email(s)", sent)
        if failed:
            log.warning("notification outbox: %d email(s) could not be sent; they are retried later", failed)


def _next_due(now: datetime, skip: set[int], medium: str) -> Notification | None:
    query = (select(Notification)
             .where(Notification.email_status == "pending", Notification.medium == medium,
                    or_(Notification.email_next_attempt_at.is_(None), Notification.email_next_attempt_at <= now))
             .order_by(Notification.id).limit(1).with_for_update(skip_locked=True, of=Notification))
    if skip:
        query = query.where(Notification.id.not_in(skip))
    return db.session.scalars(query).first()


def _failed(notification: Notification, error: Exception, now: datetime, give_up: bool = False) -> None:
    notification.email_attempts += 1
    notification.email_last_error = _describe(error)
    if give_up or notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
        notification.email_status = "failed"
        notification.email_next_attempt_at = None
        record("notification_email_failed",
               f"{'SMS' if notification.medium == 'sms' else 'Email'} '{_history_subject(notification)[:120]}' to "
               f"{notification.user.username if notification.user else 'the citizen'} given up after "
               f"{notification.email_attempts} attempt(s): {notification.email_last_error}",
               case=notification.case, notification_id=notification.id)
    else:
        wait = RETRY_MINUTES[min(notification.email_attempts, len(RETRY_MINUTES)) - 1]
        notification.email_next_attempt_at = now + timedelta(minutes=wait)
    log.warning("email for notification %s failed (attempt %d): %s", notification.id,
                notification.email_attempts, notification.email_last_error)


def _history_subject(notification: Notification) -> str:
    """The subject as the case history records it: in English (or the kind, when it cannot be written)."""
    try:
        with force_locale("en"):
            return told(notification).subject
    except Exception:  # noqa: BLE001 (the message that could not be built is being given up)
        return notification.kind


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{address} refused: {code} {_text(reply)}"
                         for address, (code, reply) in error.recipients.items())
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"the mail server answered {error.smtp_code} {_text(error.smtp_error)}"
    elif isinstance(error, TimeoutError):
        text = f"no answer from the mail server within {SMTP_TIMEOUT_SECONDS} s"
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:MAX_ERROR_LENGTH]


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=SMTP_TIMEOUT_SECONDS)
    try:
        smtp.ehlo()
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
            smtp.ehlo()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    except BaseException:
        _close(smtp)
        raise
    return smtp


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return None
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
    return None


def _message(notification: Notification, user: User | None) -> EmailMessage:
    sender = current_app.config["MAIL_FROM"]
    with force_locale(reader_language(notification)):
        told_now = told(notification)
        footer = (_("One Window. You can also read this under Notifications when you sign in.") if user else
                  _("One Window. Follow your case on the tracking page with its number and access code."))
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((user.display_name, user.email)) if user else notification.address
    message["Subject"] = told_now.subject
    message["Date"] = format_datetime(notification.created_at)
    # make_msgid() without a domain asks DNS for this machine's name, which can hang.
    domain = parseaddr(sender)[1].rpartition("@")[2] or "onewindow.invalid"
    message["Message-ID"] = make_msgid(f"notification-{notification.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(f"{told_now.body}\n\n-- \n{footer}\n")
    return message
