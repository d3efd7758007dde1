from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..api.auth import token_required
from ..errors import BadRequest, DomainError
from ..extensions import csrf, db
from ..i18n import public_pages
from ..permissions import may_revoke_certificate
from . import services as certificates
from .kinds import KINDS
from .rendering import pdf_of

bp = public_pages(Blueprint("certificates", __name__, url_prefix="/certificates"))
api = Blueprint("certificates_api", __name__, url_prefix="/api/v1")
csrf.exempt(api)


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object (Content-Type: application/json).")
    return body


def _pdf_response(certificate):
    body = pdf_of(certificate)
    db.session.commit()
    return body, 200, {"Content-Type": "application/pdf",
                       "Content-Disposition": f'inline; filename="{certificate.number}.pdf"'}


@bp.app_template_global()
def certificate_for(case):
    return certificates.certificate_of_case(case)


bp.add_app_template_global(may_revoke_certificate)


# --- the public verification page (what the QR code opens) ------------------------------

@bp.get("/")
def check_number():
    number = request.args.get("number", "").strip()
    if not number:
        return render_template("certificates/check.html", result=None, number="", kinds=KINDS)
    try:
        certificate = certificates.by_number(number)
    except DomainError as error:
        result = certificates.Verification(False, "unknown", error.message)
        return render_template("certificates/check.html", result=result, number=number, kinds=KINDS), 404
    view = certificates.public_view(certificate)
    result = certificates.Verification(view["status"] == "valid", view["status"], "", view, certificate)
    return render_template("certificates/check.html", result=result, number=number, kinds=KINDS)


@bp.get("/check")
def check_payload():
    payload = request.args.get("p", "")
    if not payload.strip():
        return redirect(url_for("certificates.check_number"))
    return render_template("certificates/check.html", result=certificates.verify(payload), number="", kinds=KINDS)


# --- staff pages ------------------------------------------------------------------------

@bp.get("/case/<int:case_id>.pdf")
@login_required
def case_pdf(case_id):
    return _pdf_response(certificates.for_staff(current_user, case_id))


@bp.post("/<number>/revoke")
@login_required
def revoke_page(number):
    certificate = certificates.revoke(current_user, number, request.form.get("reason", ""))
    db.session.commit()
    flash(f"Certificate {certificate.number} is revoked; anyone who checks it now sees why.", "info")
    return redirect(url_for("cases.show", case_id=certificate.case_id), 303)


# --- JSON API ---------------------------------------------------------------------------

@api.get("/cases/<int:case_id>/certificate")
@token_required
def case_certificate(case_id):
    return _pdf_response(certificates.for_staff(g.api_user, case_id))


@api.post("/certificates/<number>/revoke")
@token_required
def revoke(number):
    certificate = certificates.revoke(g.api_user, number, _json_object().get("reason"))
    db.session.commit()
    return jsonify(certificates.public_view(certificate))


@api.get("/public/certificates/<number>")
def public_certificate(number):
    return jsonify(certificates.public_view(certificates.by_number(number)))


@api.post("/public/certificates/verify")
def verify():
    return jsonify(certificates.verify(_json_object().get("payload")).as_dict())


@api.get("/public/keys")
def public_keys():
    return jsonify({"algorithm": "Ed25519", "payload_format": "OW1.<base64url JSON claims>.<base64url signature "
                    "over the bytes 'OW1.<claims>'>", "keys": certificates.published_keys()})
