"""Administrators' pages for the service catalogue (/admin/services): list, publish, change.
Every save goes through create_service / change_service, so it is a new version with an audit event."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.models import Office
from ..decisions.services import latest_decisions
from ..errors import Rejected
from ..extensions import db
from ..permissions import Role, require_role
from ..processes.services import latest_versions
from . import services as catalogue
from .fees import FEE_RULES
from .models import DOCUMENT_MODES

bp = Blueprint("catalogue_admin", __name__, url_prefix="/admin/services")

# Empty document rows under the filled ones: a page without JavaScript adds up to this many at a time.
BLANK_DOCUMENT_ROWS = 3


@bp.before_request
@login_required
def administrators_only():
    require_role(current_user, Role.ADMIN, message=_("Only administrators edit the service catalogue."))


@bp.get("/")
def index():
    return render_template("catalogue/admin_index.html", services=catalogue.services(),
                           offices=_offices())


@bp.route("/new", methods=["GET", "POST"])
def new():
    if request.method == "GET":
        return _form(None, _blank_values())
    values = _values_from_form()
    try:
        service = catalogue.create_service(values["key"], values["process_key"], _fields(values), current_user,
                                           values["note"] or _("Published by an administrator"))
    except Rejected as refused:
        db.session.rollback()
        return _form(None, values, refused)
    db.session.commit()
    flash(_("Service %(key)s published (version 1).", key=service.key), "info")
    return redirect(url_for(".edit", key=service.key), 303)


@bp.route("/<key>", methods=["GET", "POST"])
def edit(key):
    service = catalogue.find_service(key)
    if request.method == "GET":
        return _form(service, _values_of(service.current))
    values = _values_from_form()
    try:
        version = catalogue.change_service(service, _fields(values), current_user, values["note"])
    except Rejected as refused:
        db.session.rollback()
        return _form(service, values, refused)
    db.session.commit()
    flash(_("Service %(key)s saved as version %(version)s; cases already started keep their version.",
            key=service.key, version=version.version), "info")
    return redirect(url_for(".edit", key=service.key), 303)


def _offices() -> list[Office]:
    return list(db.session.scalars(select(Office).order_by(Office.code)))


def _form(service, values: dict, refused: Rejected | None = None):
    taken = {s.process_key for s in catalogue.services()}
    procedures = [d for d in latest_versions() if d.key not in taken]
    return render_template("catalogue/admin_service.html", service=service, values=values,
                           refused=refused, problems=(refused.details or {}) if refused else {},
                           procedures=procedures, decisions=latest_decisions(), offices=_offices(),
                           fee_kinds=list(FEE_RULES), modes=DOCUMENT_MODES,
                           blank_rows=BLANK_DOCUMENT_ROWS), 422 if refused else 200


def _blank_values() -> dict:
    return {"key": "", "process_key": "", "name_km": "", "name_en": "", "description_km": "", "description_en": "",
            "fee_kind": "fixed", "fee_riel": "", "fee_expression": "", "fee_decision": "", "fee_output": "",
            "documents": [], "deadline_working_days": "", "legal_basis_km": "", "legal_basis_en": "",
            "offered": {o.id for o in _offices()}, "note": ""}


def _values_of(version) -> dict:
    rule = version.fee_rule
    return {"key": version.service.key, "process_key": version.service.process_key,
            "name_km": version.name_km, "name_en": version.name_en,
            "description_km": version.description_km, "description_en": version.description_en,
            "fee_kind": rule["kind"], "fee_riel": rule.get("riel", ""), "fee_expression": rule.get("expression", ""),
            "fee_decision": rule.get("decision", ""), "fee_output": rule.get("output", ""),
            "documents": [dict(d) for d in version.documents],
            "deadline_working_days": version.deadline_working_days,
            "legal_basis_km": version.legal_basis_km, "legal_basis_en": version.legal_basis_en,
            "offered": {o.id for o in _offices() if version.offered_at(o)}, "note": ""}


def _values_from_form() -> dict:
    """What the administrator typed, as typed, so a refused form comes back as it was sent."""
    form = request.form
    text = {name: form.get(name, "").strip() for name in (
        "key", "process_key", "name_km", "name_en", "description_km", "description_en", "fee_kind", "fee_riel",
        "fee_expression", "fee_decision", "fee_output", "deadline_working_days", "legal_basis_km",
        "legal_basis_en", "note")}
    columns = ("key", "name_en", "name_km", "mode")
    rows = zip(*(form.getlist(f"document_{name}") for name in columns))
    documents = [dict(zip(columns, (cell.strip() for cell in row))) for row in rows]
    documents = [d for d in documents if d["key"] or d["name_en"] or d["name_km"]]  # blank rows are not documents
    offered = {int(i) for i in form.getlist("offered") if i.isdigit()}
    return {**text, "documents": documents, "offered": offered}


def _whole_number(text: str):
    """A typed whole number as an int; anything else is passed on as typed, for the service to refuse."""
    return int(text) if text.isdigit() else text


def _fields(values: dict) -> dict:
    kind = values["fee_kind"]
    if kind == "fixed":
        rule = {"kind": kind, "riel": _whole_number(values["fee_riel"])}
    elif kind == "formula":
        rule = {"kind": kind, "expression": values["fee_expression"]}
    elif kind == "decision":
        rule = {"kind": kind, "decision": values["fee_decision"]}
        if values["fee_output"]:
            rule["output"] = values["fee_output"]
    else:
        rule = {"kind": kind}
    return {"name_km": values["name_km"], "name_en": values["name_en"],
            "description_km": values["description_km"], "description_en": values["description_en"],
            "fee_rule": rule, "documents": values["documents"],
            "deadline_working_days": _whole_number(values["deadline_working_days"]),
            "legal_basis_km": values["legal_basis_km"], "legal_basis_en": values["legal_basis_en"],
            "closed_office_ids": [o.id for o in _offices() if o.id not in values["offered"]]}
