from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..cases import work_items
from ..cases.presenters import history
from ..db import utcnow
from ..documents.services import documents_of
from ..errors import Conflict, Forbidden, Rejected
from ..extensions import db
from ..forms.rendering import fields_for
from ..forms.validation import from_form_fields
from ..i18n import translated
from ..payments.services import approved_waiver, fee_decided_by, fee_due
from ..permissions import case_data_for, may_see_case
from .queries import inbox_page, parse_after

bp = Blueprint("inbox", __name__)


@bp.get("/")
@login_required
def index():
    after = parse_after(request.args.get("after"))
    page = inbox_page(current_user, after)
    return render_template("inbox/index.html", items=page.items, next_after=page.next_after, first_page=after is None,
                           now=utcnow())


def _render_item(item, values=None, errors=None, status=200):
    form = item.case.definition.form(item.form)
    fields = fields_for(form, values or {}, errors or {}) if form else []
    # The OWSO answering a complaint reads what permissions let it: no history, no identity without consent.
    whole_case = may_see_case(current_user, item.case)
    takes_fee = bool(form) and "fee_paid_riel" in form.get("properties", {})
    return render_template("inbox/work_item.html", item=item, case=item.case, form=form, fields=fields,
                           errors=errors or {}, whole_case=whole_case, data=case_data_for(current_user, item.case),
                           history=history(item.case) if whole_case else [], now=utcnow(),
                           fee=fee_due(item.case) if takes_fee else None,
                           fee_row=fee_decided_by(item.case) if takes_fee else None,
                           waiver=approved_waiver(item.case) if takes_fee else None,
                           documents=documents_of(item.case)), status


@bp.get("/work-items/<int:item_id>")
@login_required
def work_item(item_id):
    return _render_item(work_items.workable_item(current_user, item_id))


@bp.post("/work-items/<int:item_id>/claim")
@login_required
def claim(item_id):
    item = work_items.claim(current_user, item_id)
    db.session.commit()
    flash(_("'%(task)s' is now yours.", task=translated(item.name)), "info")
    return redirect(url_for("inbox.work_item", item_id=item_id))


@bp.post("/work-items/<int:item_id>/release")
@login_required
def release(item_id):
    item = work_items.release(current_user, item_id)
    db.session.commit()
    flash(_("'%(task)s' is back in the shared inbox.", task=translated(item.name)), "info")
    return redirect(url_for("inbox.index"))


@bp.post("/work-items/<int:item_id>")
@login_required
def complete(item_id):
    item = work_items.workable_item(current_user, item_id)
    form = item.case.definition.form(item.form)
    data, errors = from_form_fields(form, request.form) if form else ({}, {})
    if errors:
        return _render_item(item, request.form, errors, 422)
    seen_version = request.form.get("case_version", type=int)
    try:
        case = work_items.complete(current_user, item_id, data, request.form.get("comment", "").strip(), seen_version)
    except Rejected as rejected:
        db.session.rollback()
        return _render_item(work_items.workable_item(current_user, item_id), request.form,
                            rejected.details if isinstance(rejected.details, dict) else {}, 422)
    except (Conflict, Forbidden) as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return redirect(url_for("cases.show", case_id=item.case_id)), 303
    db.session.commit()
    if case.status == "error":
        flash(_("Case %(number)s stopped with an error: %(error)s", number=case.number, error=case.error), "error")
    else:
        flash(_("'%(task)s' on case %(number)s is done.", task=translated(item.name), number=case.number), "info")
    return redirect(url_for("inbox.index"))
