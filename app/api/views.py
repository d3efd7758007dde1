from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, g, jsonify, request, url_for
from flask_babel import gettext as _

from ..accounts.services import authenticate, change_password, issue_token, record_failed_sign_in
from ..accounts.services import revoke_token as revoke_calling_token
from ..accounts.throttling import sign_in_limits
from ..cases import work_items
from ..cases.queries import Search, visible_case, visible_item
from ..cases.queries import search_cases as find_cases
from ..cases.write_path import start_case as start_new_case
from ..cases.migration import migrate_cases
from ..cases.presenters import case_dict, case_summary, work_item_dict
from ..certificates.services import certificate_summary
from ..db import utcnow
from ..errors import BadRequest
from ..extensions import csrf, db
from ..decisions.services import latest_decisions
from ..inbox.queries import inbox_page, parse_after
from ..incidents import services as incident_services
from ..permissions import INCIDENT_ROLES, Role, case_data_for, may_see_case, role_required
from ..processes.services import decision_deployed, deploy, is_decision_file, latest_versions
from ..supervision import services as supervision
from .auth import Unauthorized, token_required
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def committed(answer: Callable[[], dict], status: int = 200):
    """Commit the request's work and answer with what it wrote, read before the commit: if the commit
    fails, nothing is answered as if it had been written."""
    db.session.flush()  # what the answer reads (the case's version) is what gets committed
    body = answer()
    db.session.commit()
    return jsonify(body), status


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(_("The body must be a JSON object (Content-Type: application/json)."))
    return body


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.post("/token")
@sign_in_limits
def token():
    body = json_body()
    user = authenticate(str(body.get("username", "")), str(body.get("password", "")))
    if user is None:
        record_failed_sign_in(str(body.get("username", "")), request.remote_addr)
        db.session.commit()
        raise Unauthorized(_("The username or password is wrong."))
    value = issue_token(user)
    db.session.commit()
    return jsonify({"token": value})


@bp.delete("/token")
@token_required
def revoke_token():
    revoke_calling_token(g.api_user, token=g.api_token)
    db.session.commit()
    return jsonify({"revoked": True})


@bp.post("/me/password")
@token_required
def change_my_password():
    body = json_body()
    current, new = body.get("current_password"), body.get("new_password")
    if not isinstance(current, str) or not isinstance(new, str):
        raise BadRequest(_("Send {\"current_password\": \"...\", \"new_password\": \"...\"} as strings."))
    change_password(g.api_user, current, new)
    db.session.commit()
    return jsonify({"changed": True, "message": "Your password is changed; every session and API token of yours "
                                                "has ended, this one included. Ask for a new token."})


@bp.get("/processes")
@token_required
def processes():
    return jsonify([d.summary() for d in latest_versions()])


@bp.post("/processes")
@token_required
@role_required(Role.DESIGNER)
def deploy_process():
    filename = request.args.get("filename", "upload.bpmn")
    deployment = deploy([(filename, request.get_data())], actor=g.api_user)[0]
    db.session.commit()
    body = {"key": deployment.definition.key, "version": deployment.definition.version,
            "unchanged": not deployment.created}
    return jsonify(body), 201 if deployment.created else 200


@bp.get("/decisions")
@token_required
def decisions():
    return jsonify([d.summary() for d in latest_decisions()])


@bp.post("/decisions")
@token_required
@role_required(Role.DESIGNER)
def deploy_decision_table():
    """DMN XML as the body; 201 with the new version, 200 when it is exactly the latest one.
    The procedures that evaluate the table are deployed again with it and listed."""
    filename = request.args.get("filename", "upload.dmn")
    filename = filename if is_decision_file(filename) else f"{filename}.dmn"
    body, status = decision_deployed(deploy([(filename, request.get_data())], actor=g.api_user))
    db.session.commit()
    return jsonify(body), status


@bp.post("/cases")
@token_required
def start_case():
    body = json_body()
    process = body.get("process")
    if not isinstance(process, str) or not process:
        raise BadRequest(_("Say which procedure to start: {\"process\": \"commercial_licence\", \"data\": {...}}."))
    channel = body.get("channel", "counter")
    if channel not in ("counter", "phone"):
        raise BadRequest(_("\"channel\" is how the application came to the office: \"counter\" or \"phone\" "
                           "(online applications come through the public portal)."))
    case = start_new_case(process, body.get("data") or {}, g.api_user, g.api_user.office, channel=channel)
    # With its first work, so that the counter can go on to it without reading the case back.
    return committed(lambda: {"id": case.id, "number": case.number, "status": case.status,
                              "access_code": case.access_code,
                              "work_items": [work_item_dict(item) for item in case.open_items]}, 201)


@bp.get("/cases")
@token_required
def search_cases():
    search = Search.from_args(request.args)
    found, more = find_cases(g.api_user, search)
    return jsonify({"cases": [case_summary(case) for case in found], "page": search.page,
                    "next_page": search.page + 1 if more else None})


@bp.get("/cases/<int:case_id>")
@token_required
def show_case(case_id):
    case = visible_case(g.api_user, case_id)
    return jsonify({**case_dict(case), "certificate": certificate_summary(case)})


@bp.get("/inbox")
@token_required
def inbox():
    page = inbox_page(g.api_user, parse_after(request.args.get("after")))
    response = jsonify([work_item_dict(item) for item in page.items])
    if page.next_after is not None:  # the body stays a plain list; the next page is a link, as on GitHub
        response.headers["Link"] = f'<{url_for("api.inbox", after=page.next_after, _external=True)}>; rel="next"'
    return response


@bp.get("/escalations")
@token_required
def escalations():
    now = utcnow()
    rows = [row for row in supervision.desk(g.api_user, now, soon=timedelta(0)) if row.item.overdue(now)]
    return jsonify([{
        **work_item_dict(row.item, now), "office": row.item.office_id and row.item.case.office.code,
        "late_by_seconds": int((now - row.item.due_at).total_seconds()),
        "working_days_late": row.working_days_late,
        "escalations": [{"id": e.id, "role": e.role, "level": e.escalation_level, "status": e.status,
                         "late_by_seconds_when_raised": e.late_by_seconds} for e in row.escalations],
    } for row in rows])


@bp.get("/work-items/<int:item_id>")
@token_required
def work_item(item_id):
    item = visible_item(g.api_user, item_id)
    return jsonify({**work_item_dict(item), "form_schema": item.case.definition.form(item.form)})


@bp.post("/work-items/<int:item_id>/claim")
@token_required
def claim(item_id):
    item = work_items.claim(g.api_user, item_id)
    return committed(lambda: work_item_dict(item))


@bp.post("/work-items/<int:item_id>/release")
@token_required
def release(item_id):
    item = work_items.release(g.api_user, item_id)
    return committed(lambda: work_item_dict(item))


@bp.post("/work-items/<int:item_id>/complete")
@token_required
def complete(item_id):
    body = json_body()
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise BadRequest(_("\"data\" must be a JSON object of field names and values."))
    seen = body.get("case_version")
    if seen is not None and not isinstance(seen, int):
        raise BadRequest(_("\"case_version\" must be the whole number you read from the case."))
    case = work_items.complete(g.api_user, item_id, data, body.get("comment"), seen)

    def answer():
        if not may_see_case(g.api_user, case):  # the OWSO answering a complaint: its own work item only
            return {"id": case.id, "number": case.number, "status": case.status,
                    "data": case_data_for(g.api_user, case)}
        return case_dict(case)
    return committed(answer)


@bp.get("/incidents")
@token_required
@role_required(*INCIDENT_ROLES)
def incidents():
    return jsonify([incident.as_dict() for incident in incident_services.open_incidents()])


@bp.post("/cases/<int:case_id>/retry")
@token_required
@role_required(*INCIDENT_ROLES)
def retry_case(case_id):
    body = request.get_json(silent=True) if request.get_data() else {}
    if not isinstance(body, dict):
        raise BadRequest(_("The body must be a JSON object, e.g. {\"data\": {\"fee_riel\": 50000}}, or empty."))
    case = incident_services.retry(case_id, g.api_user, body.get("data"))
    db.session.commit()  # a failed retry is kept too: the case history says it was tried
    incident = incident_services.incident_of(case)
    if case.status == "error":
        return jsonify({"error": f"Case {case.number} failed again: {case.error}",
                        "details": incident.as_dict()}), 422
    return jsonify({"id": case.id, "number": case.number, "status": case.status,
                    "process": incident.process, "version": incident.version})


@bp.post("/processes/<key>/migrations")
@token_required
@role_required(Role.DESIGNER)
def migrate_process(key):
    body = json_body()
    to_version, dry_run = body.get("to_version"), body.get("dry_run", True)
    if to_version is not None and (not isinstance(to_version, int) or isinstance(to_version, bool)
                                   or not 1 <= to_version <= 2**31 - 1):
        raise BadRequest(_("\"to_version\" must be a version number such as 2 (leave it out for the latest)."))
    if not isinstance(dry_run, bool):
        raise BadRequest(_("\"dry_run\" must be true (only report) or false (move the cases)."))
    report = migrate_cases(key, to_version, dry_run, g.api_user)
    db.session.commit()
    return jsonify(report.as_dict())
