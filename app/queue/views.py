from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..accounts.services import find_office
from ..cases.views import registration_page
from ..extensions import db
from ..i18n import public_pages
from ..permissions import Role, role_required
from . import services as queue

bp = Blueprint("queue", __name__, url_prefix="/queue")
public = public_pages(Blueprint("queue_public", __name__, url_prefix="/queue"))

DISPLAY_REFRESH_SECONDS = 10


# --- the front office at its counter ----------------------------------------------------

@bp.get("/counter")
@login_required
@role_required(Role.FRONT_OFFICE)
def counter():
    counters = queue.counters_of(current_user.office)
    chosen = request.args.get("counter") or session.get("queue_counter") or (counters[0].code if counters else "")
    state = queue.queue_state(current_user.office.code)
    serving = next((row for row in state.now_serving if row["counter"] == chosen), None)
    ticket = queue.serving_at(chosen) if serving and serving["number"] else None
    return render_template("queue/counter.html", counters=counters, chosen=chosen, state=state, ticket=ticket,
                           services=queue.queue_services())


@bp.post("/counter/next")
@login_required
@role_required(Role.FRONT_OFFICE)
def call_next():
    code = request.form.get("counter", "")
    ticket = queue.call_next(current_user, code)
    db.session.commit()
    session["queue_counter"] = code
    if ticket is None:
        flash("No one is waiting.", "info")
    return redirect(url_for("queue.counter", counter=code), 303)


@bp.post("/tickets/<int:ticket_id>/finish")
@login_required
@role_required(Role.FRONT_OFFICE)
def finish(ticket_id):
    ticket = queue.finish(queue.ticket_in_office(current_user, ticket_id))
    db.session.commit()
    return redirect(url_for("queue.counter", counter=ticket.counter.code if ticket.counter else None), 303)


@bp.route("/tickets/<int:ticket_id>/register", methods=["GET", "POST"])
@login_required
@role_required(Role.FRONT_OFFICE)
def register(ticket_id):
    ticket = queue.ticket_in_office(current_user, ticket_id)
    return registration_page(ticket.service, on_registered=lambda case: queue.finish(ticket, case), ticket=ticket)


# --- the public side: a kiosk that gives tickets, the display that calls them -----------

@public.route("/<office_code>/kiosk", methods=["GET", "POST"])
def kiosk(office_code):
    office = find_office(office_code)
    ticket = None
    if request.method == "POST":
        ticket = queue.issue_ticket(office, request.form.get("service", ""))
        db.session.commit()
    return render_template("queue/kiosk.html", office=office, services=queue.queue_services(), ticket=ticket,
                           state=queue.queue_state(office.code))


@public.get("/<office_code>/display")
def display(office_code):
    return render_template("queue/display.html", state=queue.queue_state(office_code),
                           refresh=DISPLAY_REFRESH_SECONDS)
