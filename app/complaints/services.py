"""Complaints to the District Ombudsman from anyone, anonymous or not.

A complaint is a case of the Ombudsman's procedure (bpmn/ombudsman_complaint.bpmn): numbered in
the Ombudsman's series, in the Ombudsman's jurisdiction (app/permissions.py decides who sees
it), started with no account on the channel online, tracked with its number and access code
like any case. When the Ombudsman informs the complainant, the outcome is on tracking and, if
the complainant left a contact, sent to it by SMS or email. Write functions flush; the caller
commits once.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import Office
from ..cases.models import Case
from ..cases.write_path import on_work_completed, start_case
from ..errors import BadRequest, Rejected
from ..extensions import db
from ..forms.translation import localized
from ..i18n import language
from ..notifications.services import Message, message_for, notify_citizen
from ..permissions import Jurisdiction, may_see_item
from ..processes.services import latest_version

PROCESS = "ombudsman_complaint"
DECISION_FORM = "ombudsman_decision.schema.json"
OUTSIDE_MANDATE = "outside_jurisdiction"  # the registration's admissibility when the Ombudsman refers it on
MIN_TEXT, MAX_TEXT = 10, 4000
LIMITS = {"name": 120, "contact": 200, "related_case": 40}


def _start_form() -> dict:
    definition = latest_version(PROCESS)
    return definition.form(definition.start_form)


def categories() -> list[tuple[str, str]]:
    """(code, title in the reader's language) of what a complaint can be about, as the form lists them."""
    return [(option["const"], option["title"])
            for option in localized(_start_form())["properties"]["complaint_subject"]["oneOf"]]


def findings() -> list[tuple[str, str]]:
    """(code, title in the reader's language) of the Ombudsman's findings, as the decision form lists them."""
    return [(option["const"], option["title"])
            for option in localized(latest_version(PROCESS).form(DECISION_FORM))["properties"]["finding"]["oneOf"]]


def offices() -> list[Office]:
    return list(db.session.scalars(select(Office).order_by(Office.name)))


def _optional_text(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(_("“%(name)s” must be text.", name=name))
    value = value.strip()
    if len(value) > LIMITS[name]:
        raise Rejected(_("“%(name)s” is too long: at most %(count)s characters.", name=name, count=LIMITS[name]),
                       {name: f"at most {LIMITS[name]} characters"})
    return value or None


def _office(code) -> Office:
    if not isinstance(code, str):
        raise BadRequest(_('Say which office the complaint is about: {"office": "KPS", ...}.'))
    office = db.session.scalars(select(Office).where(Office.code == code.strip().upper())).first()
    if office is None:
        raise Rejected(_("There is no office with the code %(code)s; choose the office the complaint is about.",
                         code=code.strip()), {"office": "unknown office"})
    return office


def _related_case(number: str | None, office: Office) -> str | None:
    """The OWSO case complained about, if named: it must be one of that office's cases."""
    if number is None:
        return None
    number = number.upper()
    found = db.session.scalars(select(Case.id).where(
        Case.number == number, Case.office_id == office.id, Case.jurisdiction == Jurisdiction.OWSO)).first()
    if found is None:
        raise Rejected(_("%(office)s has no case %(number)s; check the number on your receipt, or leave it out.",
                         office=office.name, number=number), {"related_case": "not a case of that office"})
    return number


def file_complaint(body: dict, idempotency_key: str | None = None) -> Case:
    """Check what the complainant sent, then start the Ombudsman's procedure for it (once per
    idempotency key: the caller answers a replay with the first complaint)."""
    office = _office(body.get("office"))
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise BadRequest(_("“text” must be text: what happened."))
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        raise Rejected(_("Tell the Ombudsman what happened, in a sentence or more."), {"text": "what happened"})
    if len(text) > MAX_TEXT:
        raise Rejected(_("The complaint is too long: at most %(count)s characters.", count=MAX_TEXT),
                       {"text": f"at most {MAX_TEXT} characters"})
    codes = [code for code, _title in categories()]
    category = body.get("category")
    if category not in codes:
        raise Rejected(_("Choose what the complaint is about: one of %(codes)s.", codes=", ".join(codes)),
                       {"category": codes})
    share_identity = body.get("share_identity", False)
    if not isinstance(share_identity, bool):
        raise BadRequest(_("“share_identity” is true or false."))
    name, contact = _optional_text(body, "name"), _optional_text(body, "contact")
    related = _related_case(_optional_text(body, "related_case"), office)
    data = {"complaint_text": text, "complaint_subject": category, "share_identity": share_identity}
    data |= {key: value for key, value in (("complainant_name", name), ("complainant_contact", contact),
                                           ("related_case_number", related)) if value}
    # The language they complained in is the one the Ombudsman writes to them in.
    return start_case(PROCESS, data, None, office, channel="online", applicant={"language": language()},
                      idempotency_key=idempotency_key)


def is_complaint(case: Case) -> bool:
    return case.jurisdiction == Jurisdiction.OMBUDSMAN


# --- the outcome ------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What the Ombudsman decided, as the complainant reads it."""
    admissible: bool
    finding: str | None  # upheld, partly_upheld, not_upheld, resolved_by_conciliation
    finding_text: str
    reasons: str | None
    referred_to: str | None

    def as_dict(self) -> dict:
        return {"admissible": self.admissible, "finding": self.finding, "finding_text": self.finding_text,
                "reasons": self.reasons, "referred_to": self.referred_to}


def outcome(case: Case) -> Outcome | None:
    """Once the complainant was informed (the complaint is closed): the decision; before, nothing."""
    if not is_complaint(case) or case.status != "completed":
        return None
    return _decided(case)


def _decided(case: Case) -> Outcome:
    data = case.data
    if data.get("admissibility") == OUTSIDE_MANDATE:
        return Outcome(False, None, _("Outside the Ombudsman's mandate"), None, data.get("referred_to"))
    options = localized(case.definition.form(DECISION_FORM))["properties"]["finding"]["oneOf"]
    finding = data.get("finding")
    title = next((option["title"] for option in options if option["const"] == finding), finding or "")
    return Outcome(True, finding, title, data.get("decision_reasons"), None)


@on_work_completed
def tell_the_outcome(case: Case, item, actor, data: dict) -> None:
    """Informing the complainant closes the complaint: a complainant who left a contact is told there too."""
    if not is_complaint(case) or item.task != "inform_complainant":
        return
    notify_citizen(case.data.get("complainant_contact"), "complaint_outcome", {"number": case.number}, case=case)


@message_for("complaint_outcome")
def _outcome_told(params: dict, case: Case) -> Message:
    # The decision is read from the closed complaint itself, as its tracking page reads it.
    decided = _decided(case)
    body = " ".join(
        [_("The District Ombudsman closed your complaint %(number)s: %(finding)s.", number=params["number"],
           finding=decided.finding_text)]
        + ([decided.reasons] if decided.reasons else [])
        + ([_("Referred to: %(body)s.", body=decided.referred_to)] if decided.referred_to else [])
        + [_("Follow it on the tracking page with its number and access code.")])
    return Message(_("Your complaint %(number)s: %(finding)s", number=params["number"],
                     finding=decided.finding_text), body)


# --- what the OWSO sees of it -----------------------------------------------------------

@dataclass(frozen=True)
class ForwardedComplaint:
    number: str
    items: list  # the complaint's work the user may see: what the Ombudsman forwarded to them


def forwarded_complaints(user, case: Case) -> list[ForwardedComplaint]:
    """Complaints naming this case, as far as the user may see their work: OWSO staff learn of a
    complaint only through the work the Ombudsman forwards to them (app/permissions.py decides)."""
    if is_complaint(case):
        return []
    complaints = db.session.scalars(select(Case).where(
        Case.jurisdiction == Jurisdiction.OMBUDSMAN, Case.office_id == case.office_id,
        Case.data["related_case_number"].as_string() == case.number).order_by(Case.id))
    found = []
    for complaint in complaints:
        items = [item for item in complaint.work_items if may_see_item(user, item)]
        if items:
            found.append(ForwardedComplaint(complaint.number, items))
    return found
