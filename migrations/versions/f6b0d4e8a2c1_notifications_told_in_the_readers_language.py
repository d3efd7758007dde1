"""notifications keep their kind and parameters, told in the reader's language

Revision ID: f6b0d4e8a2c1
Revises: f6b0d4e8a2c9
Create Date: 2026-12-02 01:50:00

Notifications stored their words in English when they were written. From now on a row keeps what it
is (kind + params) and app/notifications tells it in the reader's language. Existing rows of the kinds
One Window writes are read back into their parameters (from the English words their code wrote);
a row whose words do not read back keeps them (params stays NULL and the words are shown as they are).
"""
import json
import re

from alembic import op
import sqlalchemy as sa


revision = 'f6b0d4e8a2c1'
down_revision = 'f6b0d4e8a2c9'
branch_labels = None
depends_on = None

# The English role titles and certificate titles the old words named (permissions.ROLE_TITLES,
# certificates.kinds) as they were when this was written.
ROLES = {"Front-office officer": "front_office", "Back-office officer": "back_office", "OWSO chief": "owso_chief",
         "District Governor": "district_governor", "District Ombudsman": "ombudsman",
         "Ombudsman supervisor": "ombudsman_supervisor"}
CERTIFICATES = {"Commercial licence": "commercial_licence", "Construction permit": "construction_permit",
                "Birth certificate": "birth_registration"}
NUMBER = r"(?P<number>[A-Z0-9][A-Z0-9-]*)"


def _match(pattern: str, text: str | None):
    return re.fullmatch(pattern, text or "", re.DOTALL)


def _riel(text: str) -> int:
    return int(text.replace(",", ""))


def _fee_waiver(subject, body, case_id):
    words = _match(rf"Fee waiver asked for case {NUMBER}: (?P<amount>[\d,]+) riel instead of (?P<due>[\d,]+) "
                   r"riel \((?P<reason>.*)\)\. Approve or refuse it on the case page\.", body)
    if words and subject == f"Fee waiver to decide: case {words['number']}":
        return {"number": words["number"], "amount_riel": _riel(words["amount"]), "fee_due_riel": _riel(words["due"]),
                "reason": words["reason"]}
    return None


def _send_back(subject, body, case_id):
    words = _match(rf"Case {NUMBER} \((?P<procedure>.*)\) waits on the applicant's documents or corrections; its "
                   r"deadlines are paused until you record the applicant's response\.", body)
    if words and subject == f"Case {words['number']} was sent back to the applicant":
        return {"number": words["number"], "procedure": words["procedure"]}
    return None


def _applicant_answered(subject, body, case_id):
    words = _match(rf"The applicant of case {NUMBER} answered online: (?P<message>.*)\. The service clock runs "
                   r"again; check the corrections on the case page\.", body)
    if words and subject == f"Case {words['number']}: the applicant answered the send-back":
        return {"number": words["number"], "message": words["message"]}
    return None


def _reassigned(subject, body, case_id):
    about = _match(rf"'(?P<task>.*)' on case {NUMBER} is now yours", subject)
    if about is None:
        return None
    given = f" gave you '{about['task']}' on case {about['number']}: "
    by, found, reason = (body or "").partition(given)
    if not found or not by:
        return None
    return {"task": about["task"], "number": about["number"], "by": by, "reason": reason}


def _escalation(subject, body, case_id):
    words = _match(rf"Escalated to (?P<role>[^:]+): '(?P<task>.*)' on case {NUMBER} passed its deadline"
                   r"(?: of (?P<deadline>\d{4}-\d\d-\d\d \d\d:\d\d) UTC)?", subject)
    if words is None or words["role"] not in ROLES:
        return None
    deadline = f"{words['deadline'].replace(' ', 'T')}:00+00:00" if words["deadline"] else None
    return {"role": ROLES[words["role"]], "task": words["task"], "number": words["number"], "deadline": deadline}


def _certificate_issued(subject, body, case_id):
    about = _match(r"(?P<title>.+) (?P<certificate>\S+) is signed", subject)
    words = _match(rf"Your .+ for (?P<subject>.*) \(case {NUMBER}\) is signed\. Collect it at (?P<office>.*) with "
                   r"your identity card\. Anyone can check it at (?P<url>\S+)", body)
    if about is None or words is None or about["title"] not in CERTIFICATES:
        return None
    return {"service": CERTIFICATES[about["title"]], "certificate": about["certificate"],
            "subject": words["subject"], "number": words["number"], "office": words["office"],
            "check_url": words["url"]}


def _complaint_outcome(subject, body, case_id):
    # Told again from the closed complaint itself: only its number is needed.
    words = _match(rf"Your complaint {NUMBER}: .*", subject)
    return {"number": words["number"]} if words and case_id is not None else None


READERS = {"fee_waiver": _fee_waiver, "send_back": _send_back, "applicant_answered": _applicant_answered,
           "reassigned": _reassigned, "escalation": _escalation, "certificate_issued": _certificate_issued,
           "complaint_outcome": _complaint_outcome}

notification = sa.table("notification", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                        sa.column("case_id", sa.Integer), sa.column("subject", sa.String),
                        sa.column("body", sa.Text), sa.column("params", sa.JSON))


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('params', sa.JSON(), nullable=True))
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=True)
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=True)
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(sa.select(notification.c.id, notification.c.kind, notification.c.case_id,
                                      notification.c.subject, notification.c.body)
                            .where(notification.c.id > last, notification.c.kind.in_(list(READERS)))
                            .order_by(notification.c.id).limit(1000)).all()
        if not rows:
            break
        for row in rows:
            params = READERS[row.kind](row.subject, row.body, row.case_id)
            if params is not None:
                bind.execute(notification.update().where(notification.c.id == row.id)
                             .values(params=params, subject=None, body=None))
        last = rows[-1].id


def downgrade():
    # The words are told by the application now; an older one gets the kind and its parameters to read.
    bind = op.get_bind()
    for row in bind.execute(sa.select(notification.c.id, notification.c.kind, notification.c.params)
                            .where(notification.c.params.is_not(None))).all():
        bind.execute(notification.update().where(notification.c.id == row.id).values(
            subject=row.kind, body=json.dumps(row.params, ensure_ascii=False)))
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('subject', existing_type=sa.String(length=300), nullable=False)
        batch_op.drop_column('params')
