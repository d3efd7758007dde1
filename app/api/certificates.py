"""The certificate calls of the JSON API: the staff PDF and revocation, the public checks."""
from flask import Blueprint, g, jsonify

from ..certificates import services as certificates
from ..certificates.views import pdf_response
from ..extensions import csrf, db
from .auth import token_required
from .views import json_body

bp = Blueprint("certificates_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.get("/cases/<int:case_id>/certificate")
@token_required
def case_certificate(case_id):
    return pdf_response(certificates.for_staff(g.api_user, case_id))


@bp.post("/certificates/<number>/revoke")
@token_required
def revoke(number):
    certificate = certificates.revoke(g.api_user, number, json_body().get("reason"))
    db.session.commit()
    return jsonify(certificates.public_view(certificate))


@bp.get("/public/certificates/<number>")
def public_certificate(number):
    return jsonify(certificates.public_view(certificates.by_number(number)))


@bp.post("/public/certificates/verify")
def verify():
    return jsonify(certificates.verify(json_body().get("payload")).as_dict())


@bp.get("/public/keys")
def public_keys():
    return jsonify({"algorithm": "Ed25519", "payload_format": "OW1.<base64url JSON claims>.<base64url signature "
                    "over the bytes 'OW1.<claims>'>", "keys": certificates.published_keys()})
