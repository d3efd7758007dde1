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


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    error = None
    if request.method == "POST":
        form = request.form
        try:
            user = services.create_user(form.get("username", "").strip(), form.get("password", ""),
                                        form.getlist("roles"), form.get("office", ""), form.get("full_name", ""),
                                        form.get("email") or None, actor=current_user)
        except DomainError as refused:
            db.session.rollback()
            error = refused
        else:
            db.session.commit()
            flash(_("User %(name)s created.", name=user.username), "info")
            return redirect(url_for(".users"))
    return render_template("administration/user.html", user=None, roles=list(Role), offices=_offices(),
                           error=error), error.status if error else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    error = None
    if request.method == "POST":
        form = request.form
        try:
            if form.get("action") == "reset_password":
                services.reset_password(current_user, user_id, form.get("new_password", ""))
                message = _("Password reset; every session and API token of this user has ended.")
            else:
                services.update_user(current_user, user_id, form.get("full_name", ""), form.get("email"),
                                     form.getlist("roles"), form.get("office", ""), form.get("active") == "1")
                message = _("Saved.")
        except DomainError as refused:
            db.session.rollback()
            error = refused
        else:
            db.session.commit()
            flash(message, "info")
            return redirect(url_for(".edit_user", user_id=user_id))
    return render_template("administration/user.html", user=services.user_by_id(user_id), roles=list(Role),
                           offices=_offices(), error=error), error.status if error else 200


@bp.route("/offices", methods=["GET", "POST"])
def offices():
    error = None
    if request.method == "POST":
        form = request.form
        try:
            if form.get("code_existing"):
                services.update_office(current_user, form["code_existing"], form.get("name", ""),
                                       form.get("district", ""))
            else:
                services.create_office(form.get("code", ""), form.get("name", "").strip(), form.get("district"),
                                       actor=current_user)
        except DomainError as refused:
            db.session.rollback()
            error = refused
        else:
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for(".offices"))
    districts = db.session.scalars(select(District).order_by(District.code)).all()
    return render_template("administration/offices.html", offices=_offices(), districts=districts,
                           error=error), error.status if error else 200


@bp.route("/districts", methods=["GET", "POST"])
def districts():
    error = None
    if request.method == "POST":
        form = request.form
        try:
            if form.get("code_existing"):
                services.update_district(current_user, form["code_existing"], form.get("name", ""))
            else:
                services.add_district(current_user, form.get("code", ""), form.get("name", ""))
        except DomainError as refused:
            db.session.rollback()
            error = refused
        else:
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for(".districts"))
    found = db.session.scalars(select(District).order_by(District.code)).all()
    return render_template("administration/districts.html", districts=found, error=error), \
        error.status if error else 200
