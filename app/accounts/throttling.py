"""Repeated failed sign-ins are slowed down, per account and per address (Flask-Limiter).

Only failures count (a 401); once an account or an address has used up its failures, every
attempt, the right password included, is refused with 429 until the window passes. The window
is short (15 minutes by default), so nobody can lock a colleague out for long.
"""
import math
import time

from flask import current_app, make_response, request
from flask_babel import ngettext
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address

from ..audit.services import record
from ..errors import error_response
from ..extensions import db, limiter


def _username() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    name = body.get("username") if isinstance(body, dict) else request.form.get("username")
    return str(name or "").strip().lower()[:80]


def _refused(limit: RequestLimit):
    """The sign-in limits' own answer; the citizen-side limits keep the generic 429."""
    minutes = max(1, math.ceil((limit.window.reset_time - time.time()) / 60))
    record("sign_in_throttled", f"Sign-in refused for '{_username()}' from {get_remote_address()}: too many failed "
           f"attempts", username=_username(), address=get_remote_address(), limit=str(limit.limit))
    db.session.commit()
    response = make_response(error_response(ngettext(
        "Too many failed sign-ins for this account or from this address. Try again in %(num)d minute.",
        "Too many failed sign-ins for this account or from this address. Try again in %(num)d minutes.",
        minutes), 429))
    response.headers["Retry-After"] = str(minutes * 60)
    return response


def _failed(response) -> bool:
    return response.status_code == 401


def sign_in_limits(view):
    """Both limits on a sign-in route (the login page's POST and POST /api/v1/token)."""
    # Shared: failures on the page and through the API count together.
    per_address = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], scope="sign-in-address",
                                       key_func=get_remote_address, methods=["POST"], deduct_when=_failed,
                                       on_breach=_refused)
    per_account = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], scope="sign-in-account",
                                       key_func=lambda: f"account:{_username()}", methods=["POST"],
                                       deduct_when=_failed, on_breach=_refused)
    return per_address(per_account(view))
