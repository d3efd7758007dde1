"""The counter's side of the citizen's papers: the printed receipt, and documents scanned or
read by staff."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..cases.queries import visible_case
from ..documents.services import document_of, download, store
from ..errors import BadRequest, NotFound
from ..extensions import db
from ..permissions import Role, role_required
from .views import receipt_context

bp = Blueprint("counter", __name__)


@bp.get("/cases/<int:case_id>/receipt")
@login_required
def receipt(case_id):
    case = visible_case(current_user, case_id)
    return render_template("portal/counter_receipt.html", case=case, **receipt_context(case))


@bp.post("/cases/<int:case_id>/documents")
@login_required
@role_required(Role.FRONT_OFFICE, Role.BACK_OFFICE)
def add_document(case_id):
    case = visible_case(current_user, case_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest(_("Choose the scanned document to add."))
    document = store(case, upload.filename, upload.read(), current_user, request.form.get("document") or None)
    db.session.commit()
    flash(_("%(name)s was added to case %(number)s.", name=document.filename, number=case.number), "info")
    return redirect(url_for("cases.show", case_id=case.id), 303)


@bp.get("/cases/<int:case_id>/documents/<int:document_id>")
@login_required
def document(case_id, document_id):
    found = document_of(visible_case(current_user, case_id), document_id)
    if found is None:
        raise NotFound(_("There is no such document on this case."))
    return download(found)
