from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user

from ..extensions import db
from .services import authenticate

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    # Only local paths, so the login page cannot be used to bounce people elsewhere.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        user = authenticate(request.form.get("username", "").strip(), request.form.get("password", ""))
        if user is None:
            flash("The username or password is wrong.", "error")
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
