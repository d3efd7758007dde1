"""Work-item commands: claim, release and complete, each bumping the case version and recording
the event; completing hands the case to the engine write path."""
from flask_babel import gettext as _

from ..accounts.models import User
from ..audit.services import record
from ..db import utcnow
from ..engine import StepNotWaiting
from ..errors import Conflict, Forbidden
from ..forms.validation import validate_submission
from ..i18n import translated
from ..payments.services import take_fee
from ..processes.models import ProcessDefinition
from .models import Case, WorkItem
from .queries import lock_case, visible_item
from .write_path import advance, completion_listeners, record_change


def workable_item(user: User, item_id: int, with_state: bool = False) -> WorkItem:
    """The work item, its case locked, if the user may work it: 404 for another office's, 403 for
    another role's, 409 if it is no longer open."""
    item = visible_item(user, item_id, lock=True, with_state=with_state)
    if item.role not in user.roles:
        raise Forbidden(_("'%(task)s' is work for the %(role)s role, which you do not hold.", task=translated(item.name),
                          role=item.role))
    if item.status != "open":
        raise Conflict(_("'%(task)s' on case %(number)s was already %(status)s.", task=translated(item.name),
                         number=item.case.number, status=item.status))
    return item


def claim(user: User, item_id: int) -> WorkItem:
    item = workable_item(user, item_id)
    if item.assignee_id not in (None, user.id):
        raise Conflict(_("'%(task)s' is held by %(name)s; ask them or the chief to release it.",
                         task=translated(item.name), name=item.assignee.display_name))
    if item.assignee_id is None:
        item.assignee, item.claimed_at = user, utcnow()
        record_change(item.case, user, "work_item_claimed", f"{user.display_name} took '{item.name}'",
                      work_item=item.id)
    return item


def release(user: User, item_id: int) -> WorkItem:
    item = workable_item(user, item_id)
    if item.assignee_id != user.id:
        raise Conflict(_("'%(task)s' is not held by you.", task=translated(item.name)))
    item.assignee, item.claimed_at = None, None
    record_change(item.case, user, "work_item_released", f"{user.display_name} released '{item.name}'",
                  work_item=item.id)
    return item


def complete(user: User, item_id: int, data: dict, comment: str | None = None,
             seen_version: int | None = None) -> Case:
    item = workable_item(user, item_id, with_state=True)
    case = item.case
    if seen_version is not None and seen_version != case.version:
        raise Conflict(_("Case %(number)s changed while you were working on it; reload and check before "
                         "submitting again.", number=case.number))
    if item.assignee_id not in (None, user.id):
        raise Conflict(_("'%(task)s' is held by %(name)s.", task=translated(item.name), name=item.assignee.display_name))
    definition: ProcessDefinition = case.definition
    form = definition.form(item.form)
    data = validate_submission(form, data)
    if data.get("fee_paid_riel") is not None:
        data["fee_receipt_number"] = take_fee(case, data["fee_paid_riel"], user).receipt_number
    before = {key: case.data.get(key) for key in data}
    item.comment = comment or None
    # Cause before effect: the completion is recorded before what it sets off (next work, case complete).
    record("work_item_completed", f"{user.display_name} completed '{item.name}'"
           + (f": {comment}" if comment else ""), actor=user, case=case, work_item=item.id, task=item.task,
           before=before, after=data)
    try:
        advance(case, user, lambda wf: wf.complete(item.task_id, data), completed_item=item)
    except StepNotWaiting:
        raise Conflict(_("'%(task)s' on case %(number)s was already done; reload the case.", task=translated(item.name),
                         number=case.number))
    for listener in completion_listeners():
        listener(case, item, user, data)
    return case


def answer_for_applicant(item: WorkItem, data: dict) -> Case:
    """The applicant answers, online, the step that waits on them; no officer acts, the case advances."""
    case = lock_case(item.case_id)
    if item.status != "open":
        raise Conflict(_("Case %(number)s is no longer waiting for this answer; reload the page.", number=case.number))
    # Cause before effect, as for an officer's completion: the answer, then the clock resuming.
    record("applicant_answered", f"The applicant answered '{item.name}' online", case=case, work_item=item.id,
           task=item.task, after=data)
    try:
        advance(case, None, lambda wf: wf.complete(item.task_id, data), completed_item=item)
    except StepNotWaiting:
        raise Conflict(_("Case %(number)s is no longer waiting for this answer; reload the page.", number=case.number))
    return case
