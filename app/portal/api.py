"""/api/v1/public: what anyone may read or do without an account."""
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..catalogue.presenters import service_dict
from ..catalogue.services import services
from ..complaints.services import file_complaint
from ..documents.services import store
from ..errors import BadRequest
from ..extensions import csrf, db
from ..feedback.services import rate_case
from ..i18n import public_pages
from . import services as portal
from .presenters import public_view
from .throttle import complaints_sent, guesses

bp = public_pages(Blueprint("public_api", __name__, url_prefix="/api/v1/public"))
csrf.exempt(bp)

LANGUAGES = ("km", "en")


def requested_language() -> str:
    lang = request.args.get("lang", "km")
    if lang not in LANGUAGES:
        raise BadRequest(_("lang is km (Khmer, the default) or en (English), not '%(lang)s'.", lang=lang))
    return lang


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(_("The body must be a JSON object (Content-Type: application/json)."))
    return body


@bp.get("/services")
def catalogue():
    lang = requested_language()
    return jsonify([service_dict(service, lang) for service in services()])


def _receipt(case) -> dict:
    return {"number": case.number, "access_code": case.access_code, "tracking_url": portal.tracking_url(case)}


def _received_once(body: dict, start):
    """Start a case once per idempotency key (the Idempotency-Key header or "idempotency_key"): a replay,
    or the same request sent twice at the same moment, answers 200 with the first receipt."""
    key = request.headers.get("Idempotency-Key") or body.get("idempotency_key")
    replayed = portal.existing_application(key)
    if replayed is not None:
        return jsonify(_receipt(replayed)), 200
    try:
        case = start(portal.checked_idempotency_key(key))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        case = portal.existing_application(key)
        if case is None:
            raise
        return jsonify(_receipt(case)), 200
    return jsonify(_receipt(case)), 201


@bp.post("/applications")
def apply():
    body = _json_body()
    if not isinstance(body.get("service"), str):
        raise BadRequest(_('Say which service: {"service": "commercial_licence", "office": "KPS", "applicant": '
                           '{"name", "phone"}, "data": {...}}.'))
    return _received_once(body, lambda key: portal.apply_online(
        body["service"], body.get("office"), body.get("applicant"), body.get("data") or {}, key))


@bp.post("/applications/<number>/documents")
@guesses
def add_document(number):
    case, _access = portal.citizen_case(number, request.args.get("code", ""))
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest(_("Send the document as multipart/form-data in the field 'file'."))
    document = store(case, upload.filename or "document", upload.read(), None, request.form.get("document") or None)
    db.session.commit()
    return jsonify({"id": document.id, "filename": document.filename, "content_type": document.content_type,
                    "size": document.size, "sha256": document.sha256}), 201


@bp.get("/track")
@guesses
def track():
    case, _access = portal.citizen_case(request.args.get("number", ""), request.args.get("code", ""))
    return jsonify(public_view(case, requested_language()))


@bp.post("/applications/<number>/answer")
@guesses
def answer(number):
    case, _access = portal.citizen_case(number, request.args.get("code", ""))
    body = _json_body()
    portal.answer_send_back(case, body.get("data"))
    db.session.commit()
    return jsonify(public_view(case, requested_language()))


@bp.post("/feedback")
@guesses
def feedback():
    body = _json_body()
    number, code = body.get("number"), body.get("code")
    if not isinstance(number, str) or not isinstance(code, str):
        raise BadRequest('Say which case, with the number and access code on its receipt: {"number": '
                         '"KPS-2026-00001", "code": "...", "rating": 5, "comment": "..."}.')
    case, _access = portal.citizen_case(number, code)
    given = rate_case(case, body.get("rating"), body.get("comment"))
    db.session.commit()
    return jsonify({"number": case.number, "rating": given.rating, "comment": given.comment,
                    "rated_at": given.created_at.isoformat()}), 201


@bp.post("/complaints")
@complaints_sent
def complain():
    body = _json_body()
    return _received_once(body, lambda key: file_complaint(body, key))
