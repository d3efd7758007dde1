from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..i18n import chosen_language
from .services import authenticate, set_language

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    # Only local paths, so the login page cannot be used to bounce people elsewhere.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.index")


@bp.before_app_request
def keep_language_choice():
    """A staff member who switches language keeps it on their account, at every sign-in after."""
    chosen = chosen_language()
    if chosen and current_user.is_authenticated and current_user.locale != chosen:
        set_language(current_user, chosen)
        db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = authenticate(request.form.get("username", "").strip(), request.form.get("password", ""))
        if user is None:
            flash(_("The username or password is wrong."), "error")
            return render_template("accounts/login.html"), 401
        session.permanent = True
        login_user(user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html")


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    return redirect(url_for("accounts.login"))
