from ..extensions import db
from .models import AuditEvent


def record(kind: str, summary: str, actor=None, case=None, **data) -> AuditEvent:
    event = AuditEvent(kind=kind, summary=summary, actor_id=actor.id if actor else None,
                       case_id=case.id if case else None, data=data)
    db.session.add(event)
    return event
