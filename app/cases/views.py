from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit.services import case_history_break
from ..catalogue.services import service_for_process, services
from ..db import utcnow
from ..documents.services import documents_of
from ..errors import BadRequest, Forbidden, NotFound, Rejected
from ..extensions import db
from ..forms.rendering import fields_for
from ..forms.validation import from_form_fields
from ..i18n import riel
from ..payments.services import decide_waiver, fee_state, request_waiver
from ..permissions import may_start, require_may_start, role_title
from ..processes.services import latest_version, latest_versions
from .models import CASE_STATUSES, WORK_ITEM_STATUSES
from .presenters import case_markers, data_by_step, history, history_line
from .queries import STATUSES, Search, lock_case, search_cases, visible_case
from .write_path import start_case

bp = Blueprint("cases", __name__, url_prefix="/cases")
bp.add_app_template_global(data_by_step)


@bp.app_template_filter("role_name")
def role_name(role: str) -> str:
    """A role as staff call it: front_office -> 'Front-office officer' (or its Khmer)."""
    return role_title(role)


bp.add_app_template_filter(history_line, "history_line")


@bp.app_template_filter("case_status")
def case_status(status: str) -> str:
    return CASE_STATUSES.get(status, status)


@bp.app_template_filter("work_status")
def work_status(status: str) -> str:
    return WORK_ITEM_STATUSES.get(status, status)


@bp.get("/<int:case_id>")
@login_required
def show(case_id):
    return _case_page(visible_case(current_user, case_id, for_page=True))


def _case_page(case, status: int = 200, waiver_refused: Rejected | None = None):
    now, events = utcnow(), history(case)
    return render_template("cases/show.html", case=case, history=events, now=now,
                           markers=case_markers(case, now), history_break=case_history_break(case.id, events),
                           documents=documents_of(case), fee=fee_state(case), waiver_refused=waiver_refused,
                           waiver_values=request.form if waiver_refused else {}), status


@bp.post("/<int:case_id>/waivers")
@login_required
def ask_waiver(case_id):
    """The counter asks the chief to reduce or waive the fee, with its legal reason."""
    case = lock_case(visible_case(current_user, case_id).id)
    amount = request.form.get("amount_riel", "").strip().replace(",", "")
    try:
        request_waiver(case, int(amount) if amount.isdigit() else amount, request.form.get("reason", ""),
                       current_user)
    except Rejected as refused:
        db.session.rollback()
        return _case_page(visible_case(current_user, case_id, for_page=True), 422, refused)
    db.session.commit()
    flash(_("The waiver is asked; the chief decides it on this page."), "info")
    return redirect(url_for("cases.show", case_id=case_id), 303)


@bp.post("/<int:case_id>/waivers/<int:waiver_id>")
@login_required
def decide(case_id, waiver_id):
    case = lock_case(visible_case(current_user, case_id).id)
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        raise BadRequest(_("Choose to approve or to refuse the waiver."))
    waiver = decide_waiver(case, waiver_id, decision == "approve", current_user)
    db.session.commit()
    flash(_("Waiver approved: the counter takes %(amount)s.", amount=riel(waiver.amount_riel))
          if waiver.status == "approved" else _("Waiver refused: the counter takes the official fee."), "info")
    return redirect(url_for("cases.show", case_id=case_id), 303)


@bp.get("/")
@login_required
def search():
    found = Search.from_args(request.args)
    cases, more = search_cases(current_user, found)
    return render_template("cases/search.html", search=found, cases=cases, more=more, statuses=STATUSES,
                           processes=latest_versions(), args={k: v for k, v in request.args.items() if k != "page"})


STAFF_CHANNELS = ("counter", "phone")  # online applications come through the portal


@bp.get("/new")
@login_required
def choose():
    definitions = [d for d in latest_versions() if may_start(current_user, d.jurisdiction)]
    if not definitions:
        raise Forbidden(_("You hold no role that registers cases."))
    promises = {service.process_key: service.current for service in services()}
    return render_template("cases/choose.html", definitions=definitions, promises=promises)


@bp.route("/new/<key>", methods=["GET", "POST"])
@login_required
def start(key):
    return registration_page(key)


def registration_page(key: str, on_registered=None, ticket=None):
    """The application form of a procedure: GET shows it; a valid POST starts the case in the
    officer's office, through the channel the officer names (a queue ticket means the counter),
    and calls ``on_registered(case)`` in the same transaction."""
    try:
        definition = latest_version(key)
    except NotFound:
        abort(404)
    require_may_start(current_user, definition.jurisdiction, definition.name)
    form = definition.form(definition.start_form) or {"type": "object", "properties": {}}
    values, errors = {}, {}
    channel = request.form.get("channel", "counter")
    if request.method == "POST":
        data, errors = from_form_fields(form, request.form)
        values = request.form
        channel = "counter" if ticket is not None else request.form.get("channel", "counter")
        if channel not in STAFF_CHANNELS:
            errors["channel"] = _("Say how the application came in: in person or by phone.")
        if not errors:
            try:
                case = start_case(key, data, current_user, current_user.office, channel=channel)
                if on_registered is not None:
                    on_registered(case)
            except Rejected as rejected:
                db.session.rollback()
                errors = rejected.details if isinstance(rejected.details, dict) else {}
            else:
                db.session.commit()
                flash(_("Case %(number)s registered.", number=case.number), "info")
                return redirect(url_for("cases.show", case_id=case.id))
    service = service_for_process(key)
    return render_template("cases/start.html", definition=definition, form=form, ticket=ticket,
                           promise=service.current if service else None,
                           fields=fields_for(form, values, errors), errors=errors,
                           channel=values.get("channel", "counter")), 422 if errors else 200
