import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import BadRequest
from ..extensions import db
from ..permissions import INCIDENT_ROLES, role_required
from . import services

bp = Blueprint("incidents", __name__, url_prefix="/incidents")


@bp.get("/")
@login_required
@role_required(*INCIDENT_ROLES)
def index():
    return render_template("incidents/index.html", incidents=services.open_incidents())


@bp.post("/<int:case_id>/retry")
@login_required
@role_required(*INCIDENT_ROLES)
def retry(case_id):
    corrected = request.form.get("data", "").strip()
    try:
        data = json.loads(corrected) if corrected else None
    except ValueError:
        raise BadRequest(_('Corrected data must be JSON, e.g. {"fee_riel": 50000}.'))
    case = services.retry(case_id, current_user, data)
    db.session.commit()
    if case.status == "error":
        flash(_("Case %(number)s failed again: %(message)s", number=case.number, message=case.error), "error")
    else:
        flash(_("Case %(number)s is moving again.", number=case.number), "info")
    return redirect(url_for("incidents.index"))
