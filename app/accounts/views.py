from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import Rejected
from ..extensions import db
from ..security import local_path
from ..i18n import chosen_language
from .services import (authenticate, change_password, end_session, record_failed_sign_in, revoke_token,
                       set_language, start_session, tokens_of)
from .throttling import sign_in_limits

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    # Only local paths, so the login page cannot be used to bounce people elsewhere.
    return local_path(target, url_for("inbox.index"))


@bp.before_app_request
def keep_language_choice():
    """A staff member who switches language keeps it on their account, at every sign-in after."""
    chosen = chosen_language()
    if chosen and current_user.is_authenticated and current_user.locale != chosen:
        set_language(current_user, chosen)
        db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits
def login():
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = authenticate(username, request.form.get("password", ""))
        if user is None:
            record_failed_sign_in(username, request.remote_addr)
            db.session.commit()
            flash(_("The username or password is wrong."), "error")
            return render_template("accounts/login.html"), 401
        session.permanent = True
        session["session_key"] = start_session(user, request.remote_addr)
        login_user(user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html")


@bp.post("/logout")
@login_required
def logout():
    end_session(session.get("session_key"))
    db.session.commit()
    logout_user()
    session.pop("session_key", None)
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    errors = {}
    if request.method == "POST":
        if request.form.get("new_password") != request.form.get("confirm_password"):
            errors = {"confirm_password": _("The two new passwords differ; type the same one twice.")}
        else:
            try:
                change_password(current_user, request.form.get("current_password", ""),
                                request.form.get("new_password", ""), keep_session_key=session.get("session_key"))
            except Rejected as refused:
                db.session.rollback()
                errors = {"form": refused.message}
            else:
                db.session.commit()
                flash(_("Your password is changed. Every other session and every API token of yours has ended."),
                      "info")
                return redirect(url_for("accounts.tokens"))
    return render_template("accounts/password.html", errors=errors), 422 if errors else 200


@bp.get("/account/tokens")
@login_required
def tokens():
    return render_template("accounts/tokens.html", tokens=tokens_of(current_user))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id):
    revoke_token(current_user, token_id=token_id)
    db.session.commit()
    flash(_("The token is revoked: nothing signed with it is accepted any more."), "info")
    return redirect(url_for("accounts.tokens"), 303)
