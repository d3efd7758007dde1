import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import record
from ..db import utcnow
from ..errors import NotFound, Rejected
from ..extensions import db
from ..i18n import LANGUAGES
from .models import ApiToken, Office, User

# Compared against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not a password")


def find_office(code: str) -> Office:
    office = db.session.scalars(select(Office).where(Office.code == code)).first()
    if office is None:
        raise NotFound(f"There is no office with the code {code}.")
    return office


def authenticate(username: str, password: str) -> User | None:
    """The user for these credentials, or None; never says which part was wrong."""
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash_token(token),
                            expires_at=utcnow() + timedelta(days=current_app.config["API_TOKEN_DAYS"])))
    record("token_issued", f"API token issued to {user.username}", actor=user)
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    # Every API request asks: the token, its user and their roles in one statement.
    row = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == _hash_token(token)).options(
        joinedload(ApiToken.user).joinedload(User.role_rows))).unique().first()
    if row is None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row.user


def set_language(user: User, locale: str) -> None:
    """The language a staff member reads their pages in, from now on and at every sign-in."""
    if locale not in LANGUAGES:
        raise Rejected(f"One Window speaks {' and '.join(LANGUAGES)}; {locale!r} is not one of them.")
    user.locale = locale
    db.session.flush()
