from itertools import groupby

from sqlalchemy import select
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Session

from ..db import utcnow
from ..extensions import db
from .chain import Break, chain_break, event_hash
from .models import AuditEvent, AuditHead


def record(kind: str, summary: str, actor=None, case=None, **data) -> AuditEvent:
    # Stamped now, not at flush: the history must keep the order in which things happened.
    event = AuditEvent(at=utcnow(), kind=kind, summary=summary, actor_id=actor.id if actor else None,
                       case_id=case.id if case else None, data=data)
    head = None
    if case is not None:
        heads = db.session.info.setdefault("audit_heads", {})
        head = heads.get(case.id) or db.session.get(AuditHead, case.id) or AuditHead(case_id=case.id)
        heads[case.id] = head  # read once per transaction: the session itself keeps objects only weakly
        db.session.add(head)
    event.hash = event_hash(event.case_id, event.at, event.actor_id, kind, summary, data,
                            head.hash if head else None)
    if head is not None:
        head.hash = event.hash
    db.session.add(event)
    return event


@listens_for(Session, "after_transaction_end")
def _forget_heads(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("audit_heads", None)


@listens_for(Session, "after_soft_rollback")
def _forget_heads_rolled_back(session, previous_transaction) -> None:
    session.info.pop("audit_heads", None)  # a savepoint's rollback too: what it wrote is gone


def case_history_break(case_id: int) -> Break | None:
    head = db.session.get(AuditHead, case_id)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.id))
    return chain_break(case_id, events, head.hash if head else None)


def history_breaks():
    """Every case whose history no longer matches its chain, reading the table once, in order."""
    heads = dict(db.session.execute(select(AuditHead.case_id, AuditHead.hash)).all())
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.case_id.is_(None), AuditEvent.case_id,
                                                            AuditEvent.id).execution_options(yield_per=2000))
    for case_id, case_events in groupby(events, key=lambda e: e.case_id):
        found = chain_break(case_id, case_events, heads.pop(case_id, None))
        if found:
            yield found
    for case_id, head in heads.items():
        yield Break(case_id, None, "its history was removed")
