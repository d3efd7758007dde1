from flask import Blueprint, render_template, request

from ..accounts.services import find_office
from ..errors import DomainError
from ..extensions import db
from ..i18n import public_pages
from . import services as feedback

bp = public_pages(Blueprint("feedback", __name__, url_prefix="/feedback"))


@bp.route("/<office_code>/kiosk", methods=["GET", "POST"])
def kiosk(office_code):
    """The tablet at the counter: the citizen who was just served rates it with their ticket."""
    office = find_office(office_code)
    number = request.values.get("ticket", "")
    error, thanked = None, False
    if request.method == "POST":
        try:
            feedback.rate_ticket(office.code, number, request.form.get("rating"), request.form.get("comment"))
        except DomainError as refused:
            db.session.rollback()
            error = refused
        else:
            db.session.commit()
            thanked = True
    status = error.status if error else 200
    return render_template("feedback/kiosk.html", office=office, number="" if thanked else number, error=error,
                           thanked=thanked), status
