from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..bounds import int_parameter
from ..extensions import db
from ..i18n import number
from . import services as notifications

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
# A notification in the reader's language: `{% set message = n|told %}`.
bp.add_app_template_filter(notifications.told, "told")
MAX_PAGE = 100_000


@bp.app_context_processor
def unread_notifications():
    """``unread_notification_count()`` for the nav: one COUNT query, only on pages that call it."""
    def unread_notification_count() -> int:
        return notifications.unread_count(current_user) if current_user.is_authenticated else 0
    return {"unread_notification_count": unread_notification_count}


@bp.get("/")
@login_required
def index():
    page = int_parameter(request.args, "page", 1, 1, MAX_PAGE)
    rows, older = notifications.notifications_for(current_user, page)
    return render_template("notifications/index.html", notifications=rows, page=page, older=older,
                           zone=current_user.office.timezone, unread=notifications.unread_count(current_user))


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id):
    notifications.mark_read(current_user, notification_id)
    db.session.commit()
    return redirect(url_for("notifications.index", page=int_parameter(request.form, "page", 1, 1, MAX_PAGE)), 303)


@bp.post("/read")
@login_required
def mark_all_read():
    count = notifications.mark_all_read(current_user)
    db.session.commit()
    flash(ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count,
                   count=number(count)), "info")
    return redirect(url_for("notifications.index"), 303)
