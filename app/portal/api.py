"""/api/v1/public: what anyone may read or do without an account."""
from flask import Blueprint, jsonify, request

from ..catalogue.presenters import service_dict
from ..catalogue.services import services
from ..errors import BadRequest
from ..extensions import csrf

bp = Blueprint("public_api", __name__, url_prefix="/api/v1/public")
csrf.exempt(bp)

LANGUAGES = ("km", "en")


def requested_language() -> str:
    lang = request.args.get("lang", "km")
    if lang not in LANGUAGES:
        raise BadRequest(f"lang is km (Khmer, the default) or en (English), not '{lang}'.")
    return lang


@bp.get("/services")
def catalogue():
    lang = requested_language()
    return jsonify([service_dict(service, lang) for service in services()])
