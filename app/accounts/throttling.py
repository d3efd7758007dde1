"""Repeated failed sign-ins are slowed down, per account and per address (Flask-Limiter).

Only failures count (a 401); once an account or an address has used up its failures, every
attempt, the right password included, is refused with 429 until the window passes. The window
is short (15 minutes by default), so nobody can lock a colleague out for long.
"""
import math
import time

from flask import Flask, current_app, make_response, request
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from ..audit.services import record
from ..errors import error_response
from ..extensions import db, limiter


def _username() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    name = body.get("username") if isinstance(body, dict) else request.form.get("username")
    return str(name or "").strip().lower()[:80]


def init_app(app: Flask) -> None:
    app.register_error_handler(RateLimitExceeded, _refused)


def _refused(error: RateLimitExceeded):
    limit = limiter.current_limit
    minutes = max(1, math.ceil((limit.reset_at - time.time()) / 60)) if limit else 15
    record("sign_in_throttled", f"Sign-in refused for '{_username()}' from {get_remote_address()}: too many failed "
           f"attempts", username=_username(), address=get_remote_address(), limit=str(error.limit.limit))
    db.session.commit()
    response = make_response(error_response(
        f"Too many failed sign-ins for this account or from this address. Try again in {minutes} "
        f"minute{'' if minutes == 1 else 's'}.", 429))
    response.headers["Retry-After"] = str(minutes * 60)
    return response


def _failed(response) -> bool:
    return response.status_code == 401


def sign_in_limits(view):
    """Both limits on a sign-in route (the login page's POST and POST /api/v1/token)."""
    # Shared: failures on the page and through the API count together.
    per_address = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], scope="sign-in-address",
                                       key_func=get_remote_address, methods=["POST"], deduct_when=_failed)
    per_account = limiter.shared_limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], scope="sign-in-account",
                                       key_func=lambda: f"account:{_username()}", methods=["POST"],
                                       deduct_when=_failed)
    return per_address(per_account(view))
