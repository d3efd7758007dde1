"""What the citizen does without an account: apply, track with number + access code, answer a
send-back. Write functions flush; the caller commits once."""
import hmac
import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import Office
from ..audit.models import AuditEvent
from ..calendars.services import office_calendar
from ..calendars.working_time import working_days_between
from ..cases.models import Case
from ..cases.work_items import answer_for_applicant
from ..cases.write_path import start_case
from ..catalogue.services import find_service
from ..certificates.models import Certificate
from ..certificates.services import certificate_of_case, office_today
from ..complaints.services import is_complaint
from ..db import utcnow
from ..errors import Conflict, NotFound, Rejected
from ..extensions import db
from ..forms.validation import field_errors
from ..i18n import language, translated
from ..notifications.services import Message, message_for, notify
from ..permissions import CitizenAccess, Role, people_holding

APPLICANT_FIELDS = {"name": 120, "phone": 20, "email": 200}


def citizen_case(number: str, code: str) -> tuple[Case, CitizenAccess]:
    """The case for a right number + access code pair; one answer (404) for every wrong pair."""
    case = db.session.scalars(select(Case).where(Case.number == (number or "").strip().upper())).first()
    given = (code or "").strip().upper().replace("-", "").replace(" ", "")
    if case is None or case.access_code is None or not hmac.compare_digest(case.access_code, given):
        raise NotFound(_("No application has this number and access code. Check both on your receipt."))
    return case, CitizenAccess(case.id)


def tracking_url(case: Case) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return base + url_for("portal.track", number=case.number, code=case.access_code)


def certificate_pdf_url(case: Case) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return base + url_for("portal.certificate", number=case.number, code=case.access_code)


@dataclass(frozen=True)
class HeldCertificate:
    """The case's certificate as its holder sees it on tracking."""
    certificate: Certificate
    status: str  # valid, expired, revoked

    @property
    def downloadable(self) -> bool:
        return self.status != "revoked"


def held_certificate(case: Case) -> HeldCertificate | None:
    certificate = certificate_of_case(case)
    if certificate is None:
        return None
    return HeldCertificate(certificate, certificate.status(office_today(case.office)))


def certificate_for_download(case: Case) -> Certificate:
    """Only the holder of the number and code reaches this; a revoked certificate is not handed out again."""
    held = held_certificate(case)
    if held is None:
        raise NotFound(_("No certificate has been issued for application %(number)s yet.", number=case.number))
    if not held.downloadable:
        raise Conflict(_("Certificate %(number)s was revoked, so it can no longer be downloaded: %(reason)s",
                         number=held.certificate.number, reason=held.certificate.revocation_reason or ""))
    return held.certificate


def _applicant(applicant) -> dict:
    if not isinstance(applicant, dict):
        raise Rejected(_("Say who applies: your name and phone number."), {"applicant": "name and phone"})
    problems, clean = {}, {}
    for name, limit in APPLICANT_FIELDS.items():
        value = applicant.get(name)
        if value in (None, "") and name == "email":
            continue
        if not isinstance(value, str) or not value.strip():
            problems[name] = _("Give your %(what)s.", what=_("name") if name == "name" else _("phone number"))
        elif len(value) > limit:
            problems[name] = _("At most %(limit)s characters.", limit=limit)
        else:
            clean[name] = value.strip()
    if problems:
        raise Rejected(_("Some of your details need correcting."), problems)
    return clean


def checked_idempotency_key(key) -> str | None:
    """The client's key for sending the same application or complaint again safely, if it gave one."""
    if key is None or key == "":
        return None
    if not isinstance(key, str) or not 8 <= len(key) <= 100:
        raise Rejected(_("The idempotency key is 8 to 100 characters."), {"idempotency_key": "8 to 100 characters"})
    return key


def existing_application(idempotency_key: str | None) -> Case | None:
    """The application or complaint already received with this key (a replay)."""
    if not isinstance(idempotency_key, str) or not idempotency_key:
        return None
    return db.session.scalars(select(Case).where(Case.idempotency_key == idempotency_key)).first()


def apply_online(service_key: str, office_code: str, applicant, data, idempotency_key: str | None) -> Case:
    service = find_service(service_key)
    office = db.session.scalars(select(Office).where(Office.code == (office_code or ""))).first()
    if office is None:
        raise Rejected(_("Choose one of the offices that offer this service."), {"office": "unknown office"})
    # The language they applied in is the one the office writes to them in (notifications.reader_language).
    applicant = {**_applicant(applicant), "language": language()}
    return start_case(service.process_key, data, None, office, channel="online", applicant=applicant,
                      idempotency_key=checked_idempotency_key(idempotency_key))


# --- what the citizen reads ---------------------------------------------------------------

@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    text: str


def _public_event(event: AuditEvent, names: dict, complaint: bool) -> str | None:
    data = event.data or {}
    texts = {
        "case_started": lambda: _("Complaint received") if complaint else _("Application received"),
        "fee_paid": lambda: _("Fee paid: official receipt %(receipt)s", receipt=data.get("receipt_number")),
        "document_added": lambda: _("Document received"),
        "clock_stopped": lambda: _("Sent back to you for corrections; the service clock stopped"),
        "applicant_answered": lambda: _("Your corrections were received"),
        "clock_resumed": lambda: _("Processing resumed; the service clock runs again"),
        "work_item_completed": lambda: _("Step done: %(step)s", step=translated(names.get(data.get("work_item")))),
        "case_completed": lambda: _("Finished"),
        "certificate_issued": lambda: _("Certificate issued"),
    }
    text = texts.get(event.kind)
    return text() if text else None


def public_history(case: Case) -> list[PublicEvent]:
    """What happened and when, in the order it was recorded, without staff names or internal notes."""
    names = {item.id: item.name for item in case.work_items}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                .order_by(AuditEvent.id))
    complaint = is_complaint(case)
    return [PublicEvent(e.at, text) for e in events if (text := _public_event(e, names, complaint))]


def waiting_on_applicant(case: Case):
    return next((item for item in case.open_items if item.clock_stopped), None)


def status_words(case: Case) -> str:
    if case.status == "completed":
        return _("Finished")
    if waiting_on_applicant(case):
        return _("Waiting for you: the office asked for corrections")
    return _("Being processed")


def late_by_working_days(case: Case, now: datetime) -> int:
    """Whole working days past the promised date (0: on time); a stopped clock is not lateness."""
    if case.promised_at is None:
        return 0
    end = case.completed_at or case.clock_stopped_at or now
    if end <= case.promised_at:
        return 0
    return math.ceil(working_days_between(office_calendar(case.office), case.promised_at, end))


def answer_send_back(case: Case, data) -> Case:
    """The applicant's answer completes the waiting step; the clock resumes; the front office is told."""
    item = waiting_on_applicant(case)
    if item is None:
        raise Rejected(_("Your application is not waiting for corrections."), {})
    if not isinstance(data, dict):
        raise Rejected(_("Send your answer as fields and values."), {})
    message = data.get("message")
    if not isinstance(message, str) or not message.strip() or len(message) > 1000:
        raise Rejected(_("Write what you corrected or brought (at most 1,000 characters)."),
                       {"message": "required, at most 1000 characters"})
    form = case.definition.form(case.definition.start_form) or {"properties": {}}
    corrected = {k: v for k, v in data.items() if k != "message"}
    unknown = sorted(set(corrected) - set(form.get("properties", {})))
    if unknown:
        raise Rejected(_("These are not fields of your application: %(fields)s.", fields=", ".join(unknown)),
                       {name: "not a field of the application" for name in unknown})
    problems = {k: v for k, v in field_errors({**form, "required": []}, corrected).items()}
    if problems:
        raise Rejected(_("Some corrections need fixing: %(problems)s", problems=" ".join(problems.values())),
                       problems)
    answer = {**corrected, "corrections_outcome": "corrections_received",
              "corrections_date": utcnow().astimezone(ZoneInfo(case.office.timezone)).date().isoformat(),
              "corrections_notes": message.strip()}
    answer_for_applicant(item, answer)
    notify(people_holding(Role.FRONT_OFFICE, case.office), "applicant_answered",
           {"number": case.number, "message": message.strip()[:200]}, case=case)
    return case


@message_for("applicant_answered")
def _applicant_answered(params: dict, case) -> Message:
    return Message(
        _("Case %(number)s: the applicant answered the send-back", number=params["number"]),
        _("The applicant of case %(number)s answered online: %(message)s. The service clock runs again; check "
          "the corrections on the case page.", number=params["number"], message=params["message"]))
