"""Administrators' pages (/admin): users, offices and districts. Every change is audited."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import District, Office, User
from ..errors import DomainError
from ..extensions import db
from ..permissions import Role, require_role
from . import services

bp = Blueprint("administration", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def administrators_only():
    require_role(current_user, Role.ADMIN, message=_("Only administrators manage accounts, offices and districts."))


def _offices():
    return db.session.scalars(select(Office).order_by(Office.code)).all()


@bp.get("/users")
def users():
    people = db.session.scalars(select(User).options(selectinload(User.office)).order_by(User.username)).all()
    return render_template("administration/users.html", users=people)


def _submitted(change, back_to: str):
    """A form's change: saved, said and sent back to `back_to`; or refused, nothing kept, the error
    returned for the page to show. `change()` returns the sentence to show once it is saved."""
    try:
        message = change()
    except DomainError as refused:
        db.session.rollback()
        return refused, None
    db.session.commit()
    flash(message, "info")
    return None, redirect(back_to)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    error = None
    if request.method == "POST":
        form = request.form

        def create():
            user = services.create_user(form.get("username", "").strip(), form.get("password", ""),
                                        form.getlist("roles"), form.get("office", ""), form.get("full_name", ""),
                                        form.get("email") or None, actor=current_user)
            return _("User %(name)s created.", name=user.username)
        error, done = _submitted(create, url_for(".users"))
        if done:
            return done
    return render_template("administration/user.html", user=None, roles=list(Role), offices=_offices(),
                           error=error), error.status if error else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    error = None
    if request.method == "POST":
        form = request.form

        def change():
            if form.get("action") == "reset_password":
                services.reset_password(current_user, user_id, form.get("new_password", ""))
                return _("Password reset; every session and API token of this user has ended.")
            services.update_user(current_user, user_id, form.get("full_name", ""), form.get("email"),
                                 form.getlist("roles"), form.get("office", ""), form.get("active") == "1")
            return _("Saved.")
        error, done = _submitted(change, url_for(".edit_user", user_id=user_id))
        if done:
            return done
    return render_template("administration/user.html", user=services.user_by_id(user_id), roles=list(Role),
                           offices=_offices(), error=error), error.status if error else 200


@bp.route("/offices", methods=["GET", "POST"])
def offices():
    error = None
    if request.method == "POST":
        form = request.form

        def change():
            if form.get("code_existing"):
                services.update_office(current_user, form["code_existing"], form.get("name", ""),
                                       form.get("district", ""))
            else:
                services.create_office(form.get("code", ""), form.get("name", "").strip(), form.get("district"),
                                       actor=current_user)
            return _("Saved.")
        error, done = _submitted(change, url_for(".offices"))
        if done:
            return done
    districts = db.session.scalars(select(District).order_by(District.code)).all()
    return render_template("administration/offices.html", offices=_offices(), districts=districts,
                           error=error), error.status if error else 200


@bp.route("/districts", methods=["GET", "POST"])
def districts():
    error = None
    if request.method == "POST":
        form = request.form

        def change():
            if form.get("code_existing"):
                services.update_district(current_user, form["code_existing"], form.get("name", ""))
            else:
                services.add_district(current_user, form.get("code", ""), form.get("name", ""))
            return _("Saved.")
        error, done = _submitted(change, url_for(".districts"))
        if done:
            return done
    found = db.session.scalars(select(District).order_by(District.code)).all()
    return render_template("administration/districts.html", districts=found, error=error), \
        error.status if error else 200
