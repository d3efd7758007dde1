"""Taking the official fee. Write functions flush and audit; the caller commits once."""
from dataclasses import dataclass

import segno
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from ..audit.services import record
from ..catalogue.fees import fee_for, fee_matched
from ..db import next_in_counter, utcnow
from ..errors import Conflict, NotFound, Rejected
from ..extensions import db
from ..i18n import number as grouped
from ..i18n import riel
from ..notifications.services import Message, message_for, notify
from ..permissions import Role, people_holding, require_role
from .models import FeeWaiver, Payment, ReceiptCounter

MAX_REASON_LENGTH = 1000


def fee_due(case) -> int | None:
    """The official fee for the case under the catalogue entry it started with (None: no entry)."""
    if case.service_version is None:
        return None
    return fee_for(case.service_version.fee_rule, case.data, case.definition)


def fee_decided_by(case) -> str | None:
    """Which row of a fee table decided the case's fee (None for a fixed fee or a formula)."""
    if case.service_version is None:
        return None
    return fee_matched(case.service_version.fee_rule, case.data, case.definition)


def payment_for(case) -> Payment | None:
    return db.session.scalars(select(Payment).where(Payment.case_id == case.id)).first()


def waivers_for(case) -> list[FeeWaiver]:
    return list(db.session.scalars(select(FeeWaiver).where(FeeWaiver.case_id == case.id).order_by(FeeWaiver.id)))


def _open_waiver(case, status: str) -> FeeWaiver | None:
    return next((w for w in waivers_for(case) if w.status == status), None)


def approved_waiver(case) -> FeeWaiver | None:
    """The waiver the chief approved: the counter takes its amount instead of the fee."""
    return _open_waiver(case, "approved")


@dataclass(frozen=True)
class FeeState:
    """The fee side of a case as staff see it on the case page."""
    due: int | None  # None: the fee cannot be worked out from the data yet (problem says why)
    problem: str | None
    payment: Payment | None
    waivers: list[FeeWaiver]

    @property
    def pending(self) -> FeeWaiver | None:
        return next((w for w in self.waivers if w.status == "requested"), None)

    @property
    def approved(self) -> FeeWaiver | None:
        return next((w for w in self.waivers if w.status == "approved"), None)

    @property
    def may_ask(self) -> bool:
        """A waiver can be asked while the fee is unpaid and no other one is asked or approved."""
        return (self.payment is None and self.due is not None and self.due > 0
                and self.pending is None and self.approved is None)


def fee_state(case) -> FeeState | None:
    """None when the case has no catalogue entry, so no official fee."""
    if case.service_version is None:
        return None
    try:
        due, problem = fee_due(case), None
    except Rejected as refused:
        due, problem = None, refused.message
    return FeeState(due, problem, payment_for(case), waivers_for(case))


def _next_receipt_number(office) -> str:
    """The office's next receipt number this year, counted in one statement like case numbers:
    simultaneous payments queue on the counter row and a payment that rolls back gives its number back."""
    year = utcnow().year
    number = next_in_counter(db.session, ReceiptCounter, office_id=office.id, year=year)
    return f"{office.code}-R-{year}-{number:06d}"


# What the counter asks before taking a fee, in one statement: the receipt if the fee is already paid, the
# waiver if the chief approved one. Built once.
_PAID_OR_WAIVED = select(
    select(Payment.receipt_number).where(Payment.case_id == bindparam("case_id")).scalar_subquery(),
    select(FeeWaiver.id).where(FeeWaiver.case_id == bindparam("case_id"), FeeWaiver.status == "approved")
    .order_by(FeeWaiver.id).limit(1).scalar_subquery())


def take_fee(case, amount, actor) -> Payment:
    """Record the payment of the published fee (or of the amount an approved waiver allows). Taken while the
    write path holds the case's lock, so no colleague can take the same fee at the same moment."""
    due = fee_due(case)
    if due is None:
        raise Rejected(_("Case %(number)s has no service catalogue entry, so there is no official fee to take.",
                         number=case.number), {"fee_paid_riel": "no published fee"})
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise Rejected(_("The fee paid is a whole number of riel."), {"fee_paid_riel": "a whole number of riel"})
    receipt, waiver_id = db.session.execute(_PAID_OR_WAIVED, {"case_id": case.id}).one()
    if receipt is not None:
        raise Conflict(_("The fee for case %(number)s was already paid: receipt %(receipt)s.",
                         number=case.number, receipt=receipt))
    waiver = db.session.get(FeeWaiver, waiver_id) if waiver_id is not None else None
    allowed = waiver.amount_riel if waiver else due
    if amount != allowed:
        if waiver:
            message = _("The chief approved a reduced fee of %(allowed)s riel for case %(number)s; take exactly "
                        "that, not %(amount)s riel.", allowed=grouped(allowed), number=case.number,
                        amount=grouped(amount))
        else:
            message = _("The official fee for case %(number)s is %(due)s riel (catalogue version %(version)s); "
                        "%(amount)s riel can only be taken under a waiver or reduction that the chief has approved.",
                        number=case.number, due=grouped(due), version=case.service_version.version,
                        amount=grouped(amount))
        raise Rejected(message, {"fee_paid_riel": f"the official fee is {allowed} riel"})
    payment = Payment(case_id=case.id, office_id=case.office_id, receipt_number=_next_receipt_number(case.office),
                      amount_riel=amount, fee_due_riel=due, waiver_id=waiver.id if waiver else None,
                      recorded_by_id=actor.id, recorded_at=utcnow())
    db.session.add(payment)  # written by the write path's one flush
    record("fee_paid", f"Fee of {amount:,} riel paid; official receipt {payment.receipt_number}"
           + (f" (reduced from {due:,} riel by an approved waiver)" if waiver else ""),
           actor=actor, case=case, amount_riel=amount, fee_due_riel=due, receipt_number=payment.receipt_number,
           waiver_id=waiver.id if waiver else None)
    return payment


def request_waiver(case, amount, reason: str, actor) -> FeeWaiver:
    require_role(actor, Role.FRONT_OFFICE, message=_("Only a front-office officer asks for a fee waiver."))
    if actor.office_id != case.office_id:
        raise NotFound(_("There is no case %(number)s in your office.", number=case.number))
    due = fee_due(case)
    if due is None:
        raise Rejected(_("Case %(number)s has no published fee to waive.", number=case.number), {})
    problems = {}
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount < due:
        problems["amount_riel"] = _("The reduced fee is a whole number of riel from 0 to less than %(due)s.",
                                    due=grouped(due))
    reason = (reason or "").strip()
    if len(reason) < 10:
        problems["reason"] = _("Give the legal reason for the waiver (the article or decision that allows it).")
    elif len(reason) > MAX_REASON_LENGTH:
        problems["reason"] = _("The legal reason may be at most %(limit)s characters.", limit=MAX_REASON_LENGTH)
    if problems:
        raise Rejected(_("The waiver was not asked: %(problems)s", problems=" ".join(problems.values())), problems)
    if payment_for(case) is not None:
        raise Conflict(_("The fee for case %(number)s is already paid.", number=case.number))
    if _open_waiver(case, "requested") or _open_waiver(case, "approved"):
        raise Conflict(_("Case %(number)s already has a waiver asked or approved.", number=case.number))
    waiver = FeeWaiver(case_id=case.id, office_id=case.office_id, fee_due_riel=due, amount_riel=amount,
                       reason=reason, requested_by_id=actor.id, requested_at=utcnow())
    db.session.add(waiver)
    db.session.flush()
    summary = f"Fee waiver asked for case {case.number}: {amount:,} riel instead of {due:,} riel ({reason})"
    record("fee_waiver_requested", summary, actor=actor, case=case, waiver_id=waiver.id, amount_riel=amount,
           fee_due_riel=due, reason=reason)
    notify(people_holding(Role.OWSO_CHIEF, case.office), "fee_waiver",
           {"number": case.number, "amount_riel": amount, "fee_due_riel": due, "reason": reason}, case=case)
    return waiver


@message_for("fee_waiver")
def _waiver_to_decide(params: dict, case) -> Message:
    return Message(
        _("Fee waiver to decide: case %(number)s", number=params["number"]),
        _("Fee waiver asked for case %(number)s: %(amount)s instead of %(due)s (%(reason)s). Approve or refuse "
          "it on the case page.", number=params["number"], amount=riel(params["amount_riel"]),
          due=riel(params["fee_due_riel"]), reason=params["reason"]))


def decide_waiver(case, waiver_id: int, approve: bool, actor) -> FeeWaiver:
    waiver = db.session.get(FeeWaiver, waiver_id)
    if waiver is None or waiver.case_id != case.id or waiver.office_id != actor.office_id:
        raise NotFound(_("There is no fee waiver %(id)s on case %(number)s in your office.", id=waiver_id,
                         number=case.number))
    require_role(actor, Role.OWSO_CHIEF, message=_("Only the OWSO chief approves or refuses a fee waiver."))
    if waiver.status != "requested":
        raise Conflict(_("This waiver was already approved.") if waiver.status == "approved"
                       else _("This waiver was already refused."))
    waiver.status = "approved" if approve else "refused"
    waiver.decided_by_id, waiver.decided_at = actor.id, utcnow()
    record(f"fee_waiver_{waiver.status}", f"Fee waiver for case {case.number} {waiver.status} by the chief: "
           f"{waiver.amount_riel:,} riel instead of {waiver.fee_due_riel:,} riel", actor=actor, case=case,
           waiver_id=waiver.id, amount_riel=waiver.amount_riel, fee_due_riel=waiver.fee_due_riel,
           reason=waiver.reason)
    db.session.flush()
    return waiver


def qr_svg(url: str) -> str:
    """The QR code of an address as inline SVG: it prints sharp and weighs a few KB."""
    return segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
