import functools
import hashlib
import secrets
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import record
from ..db import utcnow
from ..errors import NotFound, Rejected
from ..extensions import db
from ..i18n import LANGUAGES
from .models import ApiToken, Office, User, UserSession

# Compared against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not a password", method="scrypt")


def find_office(code: str) -> Office:
    office = db.session.scalars(select(Office).where(Office.code == code)).first()
    if office is None:
        raise NotFound(_("There is no office with the code %(code)s.", code=code))
    return office


def authenticate(username: str, password: str) -> User | None:
    """The user for these credentials, or None; never says which part was wrong."""
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def record_failed_sign_in(username: str, address: str | None) -> None:
    record("sign_in_failed", f"Failed sign-in for '{username[:80]}' from {address}", username=username[:80],
           address=address)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- passwords --------------------------------------------------------------------------

MIN_PASSWORD_LENGTH = 10
_COMMON = frozenset(line.strip() for line in (Path(__file__).with_name("common_passwords.txt")
                                              .read_text(encoding="utf-8").splitlines())
                    if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused, as a sentence, or None. Hashing is Werkzeug's scrypt."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("A password needs at least %(count)s characters; a short sentence is easy to remember.",
                 count=MIN_PASSWORD_LENGTH)
    if len(password) > 200:
        return _("A password may have at most 200 characters.")
    plain = password.lower().rstrip("0123456789!@#$%^&*.?_- ")
    if plain in _COMMON or password.lower() in _COMMON or len(set(password)) < 4:
        return _("This password is among the first that guessing tools try; choose another.")
    if username and username.lower() in password.lower():
        return _("A password must not contain the username.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def change_password(user: User, current: str, new: str, keep_session_key: str | None = None) -> None:
    """The user's own change: the current password first; then every other session and every token ends."""
    if not check_password_hash(user.password_hash, current or ""):
        raise Rejected(_("The current password is wrong; nothing was changed."), {"current_password": "wrong"})
    problem = password_problem(new or "", user.username)
    if problem:
        raise Rejected(_("%(problem)s Nothing was changed.", problem=problem), {"new_password": problem})
    user.password_hash = hash_password(new)
    ended = end_sessions(user, keep=keep_session_key)
    revoked = revoke_tokens(user)
    record("password_changed", f"{user.username} changed their password; {ended} other session(s) and "
           f"{revoked} API token(s) ended", actor=user, username=user.username)
    db.session.flush()


# --- sessions ---------------------------------------------------------------------------

def start_session(user: User, address: str | None) -> str:
    """A new signed-in session: the browser keeps the key, the server keeps its hash."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(user_id=user.id, key_hash=_hash_token(key), created_at=now, address=address,
                               expires_at=now + current_app.config["PERMANENT_SESSION_LIFETIME"]))
    record("signed_in", f"{user.username} signed in", actor=user, address=address)
    db.session.flush()
    return key


@functools.cache
def _caller_by_hash(model, hash_column: str, ended_column: str):
    """Every request asks who is calling, by the hash of their token or session key: their office (scopes,
    a page's header, the office's clock) and roles (permissions, User.role_names) come in the same statement,
    built once (building it cost as much as running it). Only a caller still in force is read (not
    ended, unexpired, the account active), and only as the user: the token or session row is never
    needed after this, and making it an object too, with the joins' aliases undone row by row, cost a
    third of the statement."""
    return (select(User).join(model, model.user_id == User.id).join(User.office)
            .where(getattr(model, hash_column) == bindparam("hashed"), getattr(model, ended_column).is_(None),
                   model.expires_at > bindparam("now"), User.active.is_(True))
            .options(contains_eager(User.office)))


def user_for_session(user_id: int, key: str | None) -> User | None:
    """The user of a browser session, while it is open, unexpired and the account active."""
    if not key:
        return None
    user = db.session.scalars(_caller_by_hash(UserSession, "key_hash", "ended_at"),
                              {"hashed": _hash_token(key), "now": utcnow()}).first()
    return user if user is not None and user.id == user_id else None


def end_session(key: str | None) -> None:
    if key:
        db.session.execute(update(UserSession).where(UserSession.key_hash == _hash_token(key),
                                                     UserSession.ended_at.is_(None)).values(ended_at=utcnow()))


def end_sessions(user: User, keep: str | None = None) -> int:
    """End every open session of the user but the one kept; how many ended."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep:
        query = query.where(UserSession.key_hash != _hash_token(keep))
    return db.session.execute(query.values(ended_at=utcnow())).rowcount


# --- API tokens -------------------------------------------------------------------------

def issue_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash_token(token),
                            expires_at=utcnow() + timedelta(days=current_app.config["API_TOKEN_DAYS"])))
    record("token_issued", f"API token issued to {user.username}", actor=user)
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    return db.session.scalars(_caller_by_hash(ApiToken, "token_hash", "revoked_at"),
                              {"hashed": _hash_token(token), "now": utcnow()}).first()


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens still in force, newest first."""
    return list(db.session.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(user: User, token_id: int | None = None, token: str | None = None) -> ApiToken:
    """Revoke one of the user's own tokens, by id (the tokens page) or by value (DELETE /api/v1/token)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    query = query.where(ApiToken.id == token_id) if token is None else query.where(
        ApiToken.token_hash == _hash_token(token))
    row = db.session.scalars(query).first()
    if row is None:
        raise NotFound(_("You have no such API token in force."))
    row.revoked_at = utcnow()
    record("token_revoked", f"{user.username} revoked an API token issued {row.created_at:%Y-%m-%d %H:%M} UTC",
           actor=user, token_id=row.id)
    db.session.flush()
    return row


def revoke_tokens(user: User) -> int:
    return db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                              .values(revoked_at=utcnow())).rowcount


def set_language(user: User, locale: str) -> None:
    """The language a staff member reads their pages in, from now on and at every sign-in."""
    if locale not in LANGUAGES:
        raise Rejected(_("One Window speaks %(languages)s; '%(asked)s' is not one of them.",
                         languages=" and ".join(LANGUAGES), asked=locale))
    user.locale = locale
    db.session.flush()
