"""Administrators' pages for office calendars: timezone, working week, holidays and closures."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..accounts.models import Office
from ..accounts.services import find_office
from ..bounds import int_parameter
from ..errors import NotFound, Rejected
from ..extensions import db
from ..i18n import local_date, number
from ..permissions import Role, require_role
from . import services as calendars
from .models import Holiday

bp = Blueprint("calendars", __name__, url_prefix="/admin/calendars")


@bp.before_request
@login_required
def admins_only():
    require_role(current_user, Role.ADMIN, message=_("Only administrators manage office calendars."))


@bp.get("/")
def index():
    offices = db.session.scalars(select(Office).order_by(Office.code)).all()
    closures = dict(db.session.execute(
        select(Holiday.office_id, func.count()).where(Holiday.office_id.is_not(None)).group_by(Holiday.office_id)
    ).all())
    national = db.session.scalar(select(func.count()).select_from(Holiday).where(Holiday.office_id.is_(None)))
    return render_template("calendars/index.html", offices=offices, closures=closures, national=national,
                           weekend_of=calendars.weekend_of)


@bp.get("/<code>")
def office(code):
    return _render_office(_office(code))


@bp.post("/<code>/settings")
def settings(code):
    office = _office(code)
    try:
        calendars.set_office_calendar(office, request.form.get("timezone", ""),
                                      request.form.getlist("closed"), actor=current_user)
    except Rejected as rejected:
        return _refused(office, "settings", rejected)
    db.session.commit()
    flash(_("The calendar of %(office)s is saved.", office=office.code), "info")
    return redirect(url_for("calendars.office", code=office.code), 303)


@bp.post("/<code>/holidays")
def add_holiday(code):
    office = _office(code)
    scope = office if request.form.get("scope") == "office" else None
    try:
        holiday = calendars.add_holiday(request.form.get("day", ""), request.form.get("name", ""), scope,
                                        actor=current_user)
    except Rejected as rejected:
        return _refused(office, "add", rejected)
    db.session.commit()
    if scope:
        flash(_("%(day)s %(name)s added as a closure of %(office)s.", day=local_date(holiday.day), name=holiday.name,
                office=office.code), "info")
    else:
        flash(_("%(day)s %(name)s added as a national holiday (every office).", day=local_date(holiday.day),
                name=holiday.name), "info")
    return redirect(url_for("calendars.office", code=office.code, year=holiday.day.year), 303)


@bp.post("/<code>/holidays/<int:holiday_id>/remove")
def remove_holiday(code, holiday_id):
    office = _office(code)
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None or holiday.office_id not in (None, office.id):
        raise NotFound(_("That holiday is not in this office's calendar (any more)."))
    calendars.remove_holiday(holiday.id, actor=current_user)
    db.session.commit()
    if holiday.office_id is None:
        flash(_("%(day)s %(name)s removed for every office.", day=local_date(holiday.day), name=holiday.name), "info")
    else:
        flash(_("%(day)s %(name)s removed from %(office)s.", day=local_date(holiday.day), name=holiday.name,
                office=office.code), "info")
    return redirect(url_for("calendars.office", code=office.code, year=holiday.day.year), 303)


@bp.post("/<code>/upload")
def upload(code):
    office = _office(code)
    scope = office if request.form.get("scope") == "office" else None
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise Rejected(_("Choose a holiday file (CSV or .ics) to upload."))
        added, updated = calendars.import_holiday_file(upload.filename, upload.read(), scope, actor=current_user)
    except Rejected as rejected:
        return _refused(office, "upload", rejected)
    db.session.commit()
    if scope:
        flash(_("%(file)s: %(added)s added, %(renamed)s renamed as closures of %(office)s.", file=upload.filename,
                added=number(added), renamed=number(updated), office=office.code), "info")
    else:
        flash(_("%(file)s: %(added)s added, %(renamed)s renamed as national holidays.", file=upload.filename,
                added=number(added), renamed=number(updated)), "info")
    return redirect(url_for("calendars.office", code=office.code), 303)


def _office(code: str) -> Office:
    return find_office(code.upper())


def _refused(office: Office, form: str, rejected: Rejected):
    db.session.rollback()
    return _render_office(office, status=422, failed=form, message=rejected.message,
                          problems=rejected.details if isinstance(rejected.details, dict) else {},
                          values=request.form)


def _render_office(office: Office, status: int = 200, failed: str | None = None, message: str | None = None,
                   problems: dict | None = None, values=None):
    this_year = datetime.now(ZoneInfo(office.timezone)).year
    year = int_parameter(request.args, "year", this_year, 1900, 2200)
    years = sorted(set(calendars.holiday_years(office)) | {this_year, year})
    days = sorted([(h, "national") for h in calendars.holidays_for(None, year)]
                  + [(h, "office") for h in calendars.holidays_for(office, year)],
                  key=lambda pair: (pair[0].day, pair[1]))
    return render_template(
        "calendars/office.html", office=office, year=year, years=years, days=days,
        closed=calendars.weekend_of(office),
        timezones=[tz for tz in calendars.known_timezones() if tz.startswith("Asia/")] + ["UTC"],
        failed=failed, message=message, problems=problems or {}, values=values or {},
    ), status
