"""Guessing access codes is throttled: only wrong pairs (404) count, per address and per case number.
Filing complaints is throttled per address: every complaint sent counts, page and API together."""
import math
import time

from flask import current_app, make_response, request
from flask_babel import ngettext
from flask_limiter import RequestLimit

from ..errors import error_response
from ..extensions import limiter


def _wrong_pair(response) -> bool:
    return response.status_code == 404


def _case_number() -> str:
    number = (request.view_args or {}).get("number") or request.args.get("number")
    if number is None and request.is_json:  # POST /api/v1/public/feedback names the case in its body
        body = request.get_json(silent=True)
        number = body.get("number") if isinstance(body, dict) else None
    return number if isinstance(number, str) else ""


_per_address = limiter.shared_limit(lambda: current_app.config["TRACK_GUESSES_PER_ADDRESS"], scope="track-address",
                                    deduct_when=_wrong_pair)
_per_number = limiter.shared_limit(lambda: current_app.config["TRACK_GUESSES_PER_NUMBER"], scope="track-number",
                                   key_func=lambda: _case_number().strip().upper(), deduct_when=_wrong_pair)


def guesses(view):
    return _per_address(_per_number(view))


def _too_many_complaints(limit: RequestLimit):
    minutes = max(1, math.ceil((limit.window.reset_time - time.time()) / 60))
    # Flask-Limiter adds Retry-After (RATELIMIT_HEADERS_ENABLED).
    return make_response(error_response(ngettext(
        "Too many complaints were sent from this address. Try again in %(count)d minute.",
        "Too many complaints were sent from this address. Try again in %(count)d minutes.",
        minutes, count=minutes), 429))


complaints_sent = limiter.shared_limit(lambda: current_app.config["COMPLAINTS_PER_ADDRESS"], scope="complaints",
                                       methods=["POST"], on_breach=_too_many_complaints)
