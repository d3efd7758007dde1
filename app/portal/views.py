"""The citizen's pages: plain HTML that works without JavaScript on a phone and prints cleanly."""
import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..catalogue.services import find_service, offices_offering, services
from ..certificates.views import pdf_response
from ..complaints import services as complaints
from ..db import utcnow
from ..documents.services import document_of, documents_of, download, store
from ..errors import DomainError, NotFound
from ..extensions import db
from ..feedback.services import feedback_of_case, rate_case
from ..forms.rendering import fields_for
from ..forms.validation import from_form_fields
from ..i18n import language, public_pages, translated
from ..payments.services import fee_due, payment_for, qr_svg
from ..processes.services import latest_version
from . import services as portal
from .presenters import public_state
from .throttle import complaints_sent, guesses

bp = public_pages(Blueprint("portal", __name__))
# The staff case page says when the Ombudsman forwarded a complaint about the case (cases cannot import complaints).
bp.add_app_template_global(complaints.forwarded_complaints)


@bp.get("/services")
def catalogue():
    return render_template("portal/services.html", services=services())


@bp.get("/services/<key>")
def service(key):
    try:
        found = find_service(key)
    except NotFound:
        abort(404)
    return render_template("portal/service.html", service=found, promise=found.current,
                           offices=offices_offering(found.current))


def _application_form(found):
    definition = latest_version(found.process_key)
    return definition.form(definition.start_form) or {"type": "object", "properties": {}}


@bp.route("/apply/<key>", methods=["GET", "POST"])
def apply(key):
    try:
        found = find_service(key)
    except NotFound:
        abort(404)
    form = _application_form(found)
    promise = found.current
    uploads = [d for d in promise.documents if d["mode"] == "upload"]
    values, errors, message, status = {}, {}, None, 200
    if request.method == "POST":
        values = request.form
        replayed = portal.existing_application(request.form.get("idempotency_key"))
        if replayed is not None:
            return _to_receipt(replayed)
        data, errors = from_form_fields(form, request.form)
        if not errors:
            try:
                case = _apply(found, data, uploads)
            except IntegrityError:  # the same form sent twice at once: the first one stands
                db.session.rollback()
                case = portal.existing_application(request.form.get("idempotency_key"))
                if case is None:
                    raise
                return _to_receipt(case)
            except DomainError as refused:
                db.session.rollback()
                if refused.status not in (413, 415, 422):
                    raise
                message, status = refused.message, refused.status
                errors = refused.details if isinstance(refused.details, dict) else {}
            else:
                db.session.commit()
                return _to_receipt(case)
    if errors and status == 200:
        status = 422
    return render_template("portal/apply.html", service=found, promise=promise, form=form,
                           fields=fields_for(form, values, errors), errors=errors, message=message,
                           offices=offices_offering(promise), uploads=uploads, values=values,
                           idempotency_key=values.get("idempotency_key") or secrets.token_urlsafe(24)), status


def _apply(found, data, uploads):
    files = [(d["key"], request.files.get(f"document_{d['key']}")) for d in uploads]
    files = [(key, f) for key, f in files if f is not None and f.filename]
    contents = [(key, f.filename, f.read()) for key, f in files]
    applicant = {name: request.form.get(f"contact_{name}", "") for name in portal.APPLICANT_FIELDS}
    case = portal.apply_online(found.key, request.form.get("office", ""), applicant, data,
                               request.form.get("idempotency_key") or None)
    for key, filename, content in contents:
        store(case, filename, content, None, key)
    return case


def _to_receipt(case):
    return redirect(url_for("portal.receipt", number=case.number, code=case.access_code), 303)


@bp.get("/receipt/<number>")
@guesses
def receipt(number):
    case, _access = portal.citizen_case(number, request.args.get("code", ""))
    if complaints.is_complaint(case):
        return redirect(url_for("portal.complaint_receipt", number=case.number, code=case.access_code))
    return render_template("portal/receipt.html", case=case, **receipt_context(case))


def receipt_context(case) -> dict:
    """What the printed receipt shows, for the citizen's page and the counter's alike."""
    url = portal.tracking_url(case)
    return {"tracking_url": url, "qr": qr_svg(url), "payment": payment_for(case),
            "fee": fee_due(case) if case.service_version else None}


@bp.get("/track")
@guesses
def track():
    number, code = request.args.get("number", ""), request.args.get("code", "")
    if not number and not code:
        return render_template("portal/track_form.html")
    case, _access = portal.citizen_case(number, code)
    return _tracking_page(case, code)


def _tracking_page(case, code, errors=None, message=None, status=200, rating_refused=None):
    waiting = portal.waiting_on_applicant(case)
    return render_template("portal/track.html", case=case, code=code, state=public_state(case),
                           status_text=portal.status_words(case), waiting=waiting,
                           late=portal.late_by_working_days(case, utcnow()), history=portal.public_history(case),
                           documents=documents_of(case), errors=errors or {}, message=message,
                           held=portal.held_certificate(case), feedback=feedback_of_case(case),
                           rating_refused=rating_refused,
                           complaint=complaints.is_complaint(case), outcome=complaints.outcome(case),
                           service_name=case.service_version.name(language()) if case.service_version
                           else translated(case.definition.name)), status


@bp.post("/track/<number>/answer")
@guesses
def answer(number):
    code = request.args.get("code", "")
    case, _access = portal.citizen_case(number, code)
    try:
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            store(case, upload.filename, upload.read(), None, request.form.get("document") or None)
        portal.answer_send_back(case, {"message": request.form.get("message", "")})
    except DomainError as refused:
        db.session.rollback()
        if refused.status not in (413, 415, 422):
            raise
        case, _access = portal.citizen_case(number, code)
        return _tracking_page(case, code, refused.details if isinstance(refused.details, dict) else {},
                              refused.message, refused.status)
    db.session.commit()
    return redirect(url_for("portal.track", number=case.number, code=code), 303)


@bp.get("/track/<number>/documents/<int:document_id>")
@guesses
def document(number, document_id):
    case, _access = portal.citizen_case(number, request.args.get("code", ""))
    found = document_of(case, document_id)
    if found is None:
        raise NotFound(_("There is no such document on your application."))
    return download(found)



@bp.post("/track/<number>/feedback")
@guesses
def feedback(number):
    code = request.args.get("code", "")
    case, _access = portal.citizen_case(number, code)
    try:
        rate_case(case, request.form.get("rating"), request.form.get("comment"))
    except DomainError as refused:
        db.session.rollback()
        case, _access = portal.citizen_case(number, code)
        return _tracking_page(case, code, status=refused.status, rating_refused=refused.message)
    db.session.commit()
    return redirect(url_for("portal.track", number=case.number, code=code), 303)


@bp.get("/track/<number>/certificate.pdf")
@guesses
def certificate(number):
    case, _access = portal.citizen_case(number, request.args.get("code", ""))
    return pdf_response(portal.certificate_for_download(case))


# --- complaints to the District Ombudsman ---------------------------------------------------

@bp.route("/complain", methods=["GET", "POST"])
@complaints_sent
def complain():
    values, errors, message, status = {}, {}, None, 200
    if request.method == "POST":
        values = request.form
        key = request.form.get("idempotency_key")
        case = portal.existing_application(key)  # the same form sent again: the first complaint stands
        if case is None:
            body = {name: request.form.get(name) or None for name in ("office", "category", "text", "name",
                                                                      "contact", "related_case")}
            body["share_identity"] = request.form.get("share_identity") == "yes"
            try:
                case = complaints.file_complaint(body, portal.checked_idempotency_key(key))
                db.session.commit()
            except IntegrityError:  # sent twice at the same moment
                db.session.rollback()
                case = portal.existing_application(key)
                if case is None:
                    raise
            except DomainError as refused:
                db.session.rollback()
                message, status = refused.message, refused.status
                errors = refused.details if isinstance(refused.details, dict) else {}
        if case is not None:
            return redirect(url_for("portal.complaint_receipt", number=case.number, code=case.access_code), 303)
    return render_template("portal/complain.html", offices=complaints.offices(), categories=complaints.categories(),
                           values=values, errors=errors, message=message,
                           idempotency_key=values.get("idempotency_key") or secrets.token_urlsafe(24)), status


@bp.get("/complaints/<number>")
@guesses
def complaint_receipt(number):
    case, _access = portal.citizen_case(number, request.args.get("code", ""))
    if not complaints.is_complaint(case):
        return redirect(url_for("portal.receipt", number=case.number, code=case.access_code))
    url = portal.tracking_url(case)
    return render_template("portal/complaint_received.html", case=case, tracking_url=url, qr=qr_svg(url))
