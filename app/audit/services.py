from ..db import utcnow
from ..extensions import db
from .models import AuditEvent


def record(kind: str, summary: str, actor=None, case=None, **data) -> AuditEvent:
    # Stamped now, not at flush: the history must keep the order in which things happened.
    event = AuditEvent(at=utcnow(), kind=kind, summary=summary, actor_id=actor.id if actor else None,
                       case_id=case.id if case else None, data=data)
    db.session.add(event)
    return event
