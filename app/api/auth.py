import functools

from flask import g, request
from flask_babel import gettext as _

from ..accounts.services import user_for_token
from ..errors import DomainError


class Unauthorized(DomainError):
    status = 401


def token_required(view):
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, token = header.partition(" ")[::2]
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(_("Send your API token as 'Authorization: Bearer TOKEN' (POST /api/v1/token)."))
        user = user_for_token(token.strip())
        if user is None:
            raise Unauthorized(_("The API token is unknown or expired; ask for a new one at POST /api/v1/token."))
        g.api_user, g.api_token = user, token.strip()
        return view(*args, **kwargs)
    return wrapper
