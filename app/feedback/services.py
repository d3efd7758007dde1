"""Citizens rate the service: once per finished case, or once per ticket at the counter's kiosk."""
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.services import find_office
from ..cases.queries import lock_case
from ..db import utcnow
from ..errors import BadRequest, Conflict, NotFound, Rejected
from ..extensions import db
from ..permissions import Jurisdiction
from ..queue.models import QueueTicket
from ..queue.services import office_day
from .models import Feedback

MAX_COMMENT_LENGTH = 2000


def checked(rating, comment) -> tuple[int, str | None]:
    if isinstance(rating, str) and rating.strip().isdigit():
        rating = int(rating)
    if isinstance(rating, bool) or not isinstance(rating, int):
        raise BadRequest(_("Give the rating as a whole number from 1 (very poor) to 5 (very good)."))
    if not 1 <= rating <= 5:
        raise Rejected(_("The rating is from 1 (very poor) to 5 (very good), not %(rating)s.", rating=rating),
                       {"rating": "1 to 5"})
    if comment is not None and not isinstance(comment, str):
        raise BadRequest(_("The comment must be text."))
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_COMMENT_LENGTH:
        raise Rejected(_("The comment is too long: at most %(count)s characters.", count=MAX_COMMENT_LENGTH),
                       {"comment": f"at most {MAX_COMMENT_LENGTH} characters"})
    return rating, comment


def rate_case(case, rating, comment=None) -> Feedback:
    """The holder of the case's number and code rates it once it has ended."""
    rating, comment = checked(rating, comment)
    case = lock_case(case.id)  # two ratings sent at the same moment: the second one sees the first
    if case.jurisdiction == Jurisdiction.OMBUDSMAN:
        raise Rejected(_("Case %(number)s is a complaint to the District Ombudsman; ratings are for the office's "
                         "services.", number=case.number), {"case": "a complaint"})
    if case.status != "completed":
        raise Rejected(_("Case %(number)s has not ended yet; you can rate the service once it has.",
                         number=case.number), {"case": "not ended"})
    if feedback_of_case(case) is not None:
        raise Conflict(_("Case %(number)s was already rated; thank you. A case is rated once.", number=case.number))
    feedback = Feedback(office_id=case.office_id, case_id=case.id, service=case.definition.key, rating=rating,
                        comment=comment, source="tracking", created_at=utcnow())
    db.session.add(feedback)
    db.session.flush()
    return feedback


def kiosk_ticket(office_code: str, number) -> QueueTicket:
    """Today's ticket of that number at the office, once its holder has been called."""
    office = find_office(office_code)
    if not isinstance(number, str) or not number.strip():
        raise BadRequest(_("Type the number on your ticket, for example C014."))
    ticket = db.session.scalars(select(QueueTicket).where(
        QueueTicket.office_id == office.id, QueueTicket.day == office_day(office),
        QueueTicket.number == number.strip().upper())).first()
    if ticket is None or ticket.status == "waiting":
        raise NotFound(_("Ticket %(number)s has not been served at %(office)s today; rate the service after your "
                         "turn at the counter.", number=number.strip().upper(), office=office.name))
    return ticket


def rate_ticket(office_code: str, number, rating, comment=None) -> Feedback:
    ticket = kiosk_ticket(office_code, number)
    rating, comment = checked(rating, comment)
    if db.session.scalars(select(Feedback.id).where(Feedback.ticket_id == ticket.id)).first() is not None:
        raise Conflict(_("Ticket %(number)s was already rated; thank you.", number=ticket.number))
    feedback = Feedback(office_id=ticket.office_id, ticket_id=ticket.id, service=ticket.service, rating=rating,
                        comment=comment, source="kiosk", created_at=utcnow())
    db.session.add(feedback)
    db.session.flush()
    return feedback


def feedback_of_case(case) -> Feedback | None:
    return db.session.scalars(select(Feedback).where(Feedback.case_id == case.id)).first()
