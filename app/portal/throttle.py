"""Guessing access codes is throttled: only wrong pairs (404) count, per address and per case number."""
from flask import current_app, request

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
