from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..bounds import ID_MAX, int_parameter
from ..db import utcnow
from ..errors import BadRequest
from ..extensions import db
from ..i18n import local_time, translated
from ..permissions import Role
from ..security import local_path
from . import services

bp = Blueprint("supervision", __name__, url_prefix="/supervision")


@bp.get("/")
@login_required
def desk():
    services.require_supervisor(current_user)
    now = utcnow()
    rows = services.desk(current_user, now)
    district = current_user.has_role(Role.DISTRICT_GOVERNOR)
    return render_template("supervision/desk.html", rows=rows, groups=services.grouped(rows), now=now,
                           district=district, officers=services.officers_for(rows),
                           ombudsman=current_user.has_role(Role.OMBUDSMAN_SUPERVISOR),
                           rates=services.on_time_rates(current_user, now) if district else [],
                           complaints=services.complaint_counts(current_user, now) if district else [])


def _back():
    return redirect(local_path(request.form.get("next"), url_for("supervision.desk")))


@bp.post("/work-items/<int:item_id>/reassign")
@login_required
def reassign(item_id):
    item = services.reassign(current_user, item_id, int_parameter(request.form, "officer", 0, 0, ID_MAX),
                             request.form.get("reason"))
    db.session.commit()
    flash(_("'%(task)s' on case %(number)s is now with %(name)s.", task=translated(item.name), number=item.case.number,
            name=item.assignee.display_name), "info")
    return _back()


@bp.post("/work-items/<int:item_id>/extend")
@login_required
def extend(item_id):
    raw = request.form.get("new_due", "")
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise BadRequest(_("Give the new deadline as a date (YYYY-MM-DD)."))
    item = services.extend_deadline(current_user, item_id, _end_of_day(day, current_user.office.timezone),
                                    request.form.get("reason"))
    db.session.commit()
    flash(_("'%(task)s' on case %(number)s is now due %(time)s.", task=translated(item.name), number=item.case.number,
            time=local_time(item.due_at)), "info")
    return _back()


@bp.post("/cases/<int:case_id>/notes")
@login_required
def note(case_id):
    case = services.add_note(current_user, case_id, request.form.get("text"))
    db.session.commit()
    flash(_("Note added to case %(number)s.", number=case.number), "info")
    return _back()


def _end_of_day(day, timezone: str) -> datetime:
    # A deadline given as a date means the end of that working day in the office's timezone.
    return datetime.combine(day, time(17, 0), ZoneInfo(timezone))
