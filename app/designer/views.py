"""The designer area (/designer), and the diagram XML behind a case page."""
import io

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from ..cases.migration import migrate_cases
from ..cases.queries import visible_case
from ..engine import MAX_DIAGRAM_BYTES
from ..errors import DomainError, NotFound, Rejected, error_response
from ..extensions import db
from ..forms.rendering import fields_for
from ..i18n import number, translated
from ..permissions import WORKFLOW_ROLES
from ..decisions.services import latest_decisions
from ..processes.services import callers_of, decision_deployed, form_library, procedure_version
from . import services as designer

bp = Blueprint("designer", __name__, url_prefix="/designer")
case_diagrams = Blueprint("case_diagrams", __name__)


@bp.before_request
@login_required
def designers_only():
    designer.require_designer(current_user)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    # Raised by Werkzeug (MAX_CONTENT_LENGTH) before any view runs: say what the limits are.
    size = (f"{request.content_length / (1024 * 1024):.0f} MB" if request.content_length  # unknown when chunked
            else f"over {current_app.config['MAX_CONTENT_LENGTH'] // (1024 * 1024)} MB")
    return error_response(f"The upload is {size}; a diagram may be at most {MAX_DIAGRAM_BYTES // (1024 * 1024)} MB. "
                          "Nothing was saved.", 413)


def _xml(xml: bytes, download_name: str | None = None):
    response = send_file(io.BytesIO(xml), mimetype="application/xml", as_attachment=download_name is not None,
                         download_name=download_name)
    # A diagram opened in its own tab must not run whatever XHTML someone put into it.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- procedures ----------------------------------------------------------------------------

@bp.get("/")
def index():
    return _index()


def _index(error: DomainError | None = None):
    """The procedure list, with the reason a new procedure or an import was refused."""
    return render_template("designer/index.html", procedures=designer.procedures(),
                           error=error), error.status if error else 200


@bp.post("/procedures")
def create():
    try:
        draft = designer.new_procedure(request.form.get("key", ""), request.form.get("name", ""), current_user)
    except DomainError as refused:
        db.session.rollback()
        return _index(refused)
    db.session.commit()
    flash(_("Draft of %(procedure)s created from the template: edit it, validate, save, then deploy.",
            procedure=draft.name), "info")
    return redirect(url_for(".edit_draft", key=draft.key))


@bp.post("/import")
def import_file():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _index(Rejected(_("Choose a .bpmn file to import.")))
    try:
        draft, problems = designer.import_draft(upload.filename, upload.read(), current_user)
    except DomainError as refused:
        db.session.rollback()
        return _index(refused)
    db.session.commit()
    errors = sum(1 for p in problems if p["severity"] == "error")
    if errors:
        flash(ngettext("%(file)s is now the draft of %(procedure)s; %(count)s problem to fix before deploying.",
                       "%(file)s is now the draft of %(procedure)s; %(count)s problems to fix before deploying.",
                       errors, file=upload.filename, procedure=draft.name, count=number(errors)), "info")
    else:
        flash(_("%(file)s is now the draft of %(procedure)s.", file=upload.filename, procedure=draft.name), "info")
    return redirect(url_for(".edit_draft", key=draft.key))


@bp.get("/procedures/<key>")
def show(key):
    return render_template("designer/procedure.html", procedure=designer.procedure(key),
                           versions=designer.version_history(key), callers=callers_of(key))


def _modeler(key: str, name: str, xml_url: str, source: str, problems=None, status: int = 200):
    return render_template("designer/modeler.html", key=key, name=name, xml_url=xml_url, source=source,
                           roles=WORKFLOW_ROLES, forms=sorted(form_library()), problems=problems or [],
                           has_draft=designer.find_draft(key) is not None), status


@bp.get("/procedures/<key>/versions/<int:number>")
def edit_version(key, number):
    definition = procedure_version(key, number)
    return _modeler(key, definition.name, url_for(".version_xml", key=key, number=number), f"version {number}")


@bp.get("/procedures/<key>/draft")
def edit_draft(key):
    return _modeler(key, designer.draft(key).name, url_for(".draft_xml", key=key), "draft")


@bp.get("/procedures/<key>/versions/<int:number>/xml")
def version_xml(key, number):
    return _xml(procedure_version(key, number).bpmn_xml)


@bp.get("/procedures/<key>/versions/<int:number>/download")
def download_version(key, number):
    return _xml(procedure_version(key, number).bpmn_xml, f"{key}-v{number}.bpmn")


@bp.get("/procedures/<key>/draft/xml")
def draft_xml(key):
    return _xml(designer.draft(key).bpmn_xml)


@bp.get("/procedures/<key>/draft/download")
def download_draft(key):
    return _xml(designer.draft(key).bpmn_xml, f"{key}-draft.bpmn")


@bp.post("/procedures/<key>/draft/xml")
def save_draft(key):
    _, problems = designer.save_draft(key, request.get_data(), current_user)
    db.session.commit()
    return jsonify({"saved": True, "problems": problems})


@bp.post("/procedures/<key>/validate")
def validate(key):
    return jsonify({"problems": designer.validate(request.get_data(), key)})


@bp.post("/procedures/<key>/deploy")
def deploy(key):
    """Deploy the modeler's XML (form field xml) or, without it, the saved draft."""
    # browsers send the newlines of a form field as CRLF; keep the XML as the modeler wrote it
    xml = request.form.get("xml", "").replace("\r\n", "\n").encode() or None
    try:
        deployment = designer.deploy_draft(key, xml, current_user)
    except Rejected as refused:
        db.session.rollback()
        if xml is not None:
            designer.save_draft(key, xml, current_user)  # keep the designer's work to fix it
            db.session.commit()
        return _modeler(key, designer.draft(key).name, url_for(".draft_xml", key=key), "draft",
                        refused.details, refused.status)
    db.session.commit()
    definition = deployment.definition
    if deployment.created:
        flash(_("Deployed %(procedure)s version %(version)s. New cases use it; cases already running stay on "
                "their version.", procedure=translated(definition.name), version=number(definition.version)), "info")
    else:
        flash(_("Nothing to deploy: version %(version)s is already exactly this diagram.",
                version=number(definition.version)), "info")
    return redirect(url_for(".show", key=key))


# --- forms ---------------------------------------------------------------------------------

@bp.get("/forms")
def forms():
    return render_template("designer/forms.html", forms=designer.forms())


@bp.get("/forms/new")
def new_form():
    filename = request.args.get("filename", "").strip()
    designer.new_form_text(filename)
    return redirect(url_for(".edit_form", filename=filename))


@bp.route("/forms/<filename>", methods=["GET", "POST"])
def edit_form(filename):
    designer.check_form_name(filename)
    status, problems = 200, []
    if request.method == "GET":
        try:
            text = designer.form_text(filename)
        except NotFound:
            text = designer.new_form_text(filename)
    else:
        text = request.form.get("schema", "")
        if request.form.get("action") == "save":
            try:
                designer.save_form(filename, text, current_user)
            except Rejected as refused:
                db.session.rollback()
                status = refused.status
            else:
                db.session.commit()
                flash(_("Form %(file)s saved. Diagrams deployed from now on use this version.", file=filename), "info")
                return redirect(url_for(".edit_form", filename=filename))
    schema, problems = designer.check_form(filename, text)
    return render_template("designer/form.html", filename=filename, text=text, schema=schema, problems=problems,
                           fields=fields_for(schema) if schema else []), status


@bp.post("/forms/preview")
def preview_form():
    """The form as staff will see it, as an HTML fragment for the editor's live preview."""
    schema, problems = designer.check_form(request.form.get("filename", ""), request.form.get("schema", ""))
    return render_template("designer/_form_preview.html", schema=schema, problems=problems,
                           fields=fields_for(schema) if schema else []), 200 if schema else 422


# --- decision tables -------------------------------------------------------------------------

@bp.get("/decisions")
def decisions():
    tables = [(d, designer.users_of_decision(d.key)) for d in latest_decisions()]
    return render_template("designer/decisions.html", tables=tables)


@bp.get("/decisions/<key>")
def edit_decision(key):
    return render_template("designer/decision.html", decision=designer.decision_table(key),
                           users=designer.users_of_decision(key))


@bp.get("/decisions/<key>/xml")
def decision_xml(key):
    return _xml(designer.decision_table(key).dmn_xml)


@bp.post("/decisions/<key>/validate")
def validate_decision(key):
    return jsonify({"problems": designer.validate_decision(key, request.get_data())})


@bp.post("/decisions/<key>/deploy")
def deploy_decision(key):
    """Validation on save: the edited table is deployed as its next version, or refused (422)
    with its problems and nothing changed."""
    body, status = decision_deployed(designer.deploy_decision(key, request.get_data(), current_user))
    db.session.commit()
    return jsonify(body), status


# --- a case's diagram ------------------------------------------------------------------------

@case_diagrams.get("/cases/<int:case_id>/diagram.bpmn")
@login_required
def case_diagram(case_id):
    return _xml(visible_case(current_user, case_id).definition.bpmn_xml)


@case_diagrams.get("/cases/<int:case_id>/sub-procedures/<key>/diagram.bpmn")
@login_required
def sub_procedure_diagram(case_id, key):
    """The version of a sub-procedure the case's procedure calls (the one the case runs)."""
    definition = visible_case(current_user, case_id).definition
    if key not in (definition.calls or {}):
        raise NotFound(_("%(procedure)s calls no sub-procedure '%(key)s'.", procedure=definition.name, key=key))
    return _xml(procedure_version(key, definition.calls[key]).bpmn_xml)


@bp.get("/procedures/<key>/migrate")
def migration(key):
    """What a move of the running cases to a version would do (a dry run), with the button to do it."""
    to_version = request.args.get("to", type=int)
    report = migrate_cases(key, to_version, dry_run=True, actor=current_user)
    return render_template("designer/migrate.html", key=key, report=report,
                           versions=designer.version_history(key))


@bp.post("/procedures/<key>/migrate")
def migrate(key):
    report = migrate_cases(key, request.form.get("to", type=int), dry_run=False, actor=current_user)
    db.session.commit()
    flash(_("%(moved)s case(s) moved to version %(version)s; %(blocked)s could not move.",
            moved=len(report.movable), version=report.to_version, blocked=len(report.blocked)), "info")
    return redirect(url_for("designer.migration", key=key, to=report.to_version))
