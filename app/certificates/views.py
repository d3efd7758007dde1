from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import DomainError
from ..extensions import db
from ..i18n import public_pages
from ..permissions import may_revoke_certificate
from . import services as certificates
from .kinds import KINDS
from .rendering import pdf_of

bp = public_pages(Blueprint("certificates", __name__, url_prefix="/certificates"))


def pdf_response(certificate):
    body = pdf_of(certificate)
    db.session.commit()
    return body, 200, {"Content-Type": "application/pdf",
                       "Content-Disposition": f'inline; filename="{certificate.number}.pdf"'}


@bp.app_template_global()
def certificate_for(case):
    return certificates.certificate_of_case(case)


bp.add_app_template_global(may_revoke_certificate)


# --- the public verification page (what the QR code opens) ------------------------------

@bp.get("/")
def check_number():
    number = request.args.get("number", "").strip()
    if not number:
        return render_template("certificates/check.html", result=None, number="", kinds=KINDS)
    try:
        certificate = certificates.by_number(number)
    except DomainError as error:
        result = certificates.Verification(False, "unknown", error.message)
        return render_template("certificates/check.html", result=result, number=number, kinds=KINDS), 404
    view = certificates.public_view(certificate)
    result = certificates.Verification(view["status"] == "valid", view["status"], "", view, certificate)
    return render_template("certificates/check.html", result=result, number=number, kinds=KINDS)


@bp.get("/check")
def check_payload():
    payload = request.args.get("p", "")
    if not payload.strip():
        return redirect(url_for("certificates.check_number"))
    return render_template("certificates/check.html", result=certificates.verify(payload), number="", kinds=KINDS)


# --- staff pages ------------------------------------------------------------------------

@bp.get("/case/<int:case_id>.pdf")
@login_required
def case_pdf(case_id):
    return pdf_response(certificates.for_staff(current_user, case_id))


@bp.post("/<number>/revoke")
@login_required
def revoke_page(number):
    certificate = certificates.revoke(current_user, number, request.form.get("reason", ""))
    db.session.commit()
    flash(_("Certificate %(number)s is revoked; anyone who checks it now sees why.", number=certificate.number), "info")
    return redirect(url_for("cases.show", case_id=certificate.case_id), 303)
