from itertools import groupby

from sqlalchemy import bindparam, select

from ..db import transaction_memo, utcnow
from ..extensions import db
from .chain import Break, chain_break, event_hash
from .models import AuditEvent, AuditHead


def record(kind: str, summary: str, actor=None, case=None, **data) -> None:
    """Append an event to the history, chained to the case's latest one. Written at once, in the order
    things happened, as plain statements: nothing reads the event back as an object in the same call."""
    at = utcnow()  # stamped now, not at flush: the history must keep the order in which things happened
    case_id, actor_id = (case.id if case else None), (actor.id if actor else None)
    previous = _head(case_id) if case_id is not None else None
    digest = event_hash(case_id, at, actor_id, kind, summary, data, previous)
    # On the session's connection: plain statements, which the session need not compare with the objects it holds.
    connection = db.session.connection()
    connection.execute(_INSERT_EVENT, {"at": at, "kind": kind, "summary": summary, "actor_id": actor_id,
                                       "case_id": case_id, "data": data, "hash": digest})
    if case_id is not None:
        if previous is None:
            connection.execute(_INSERT_HEAD, {"case_id": case_id, "hash": digest})
        else:
            connection.execute(_UPDATE_HEAD, {"head_of": case_id, "new_hash": digest})
        _heads()[case_id] = digest


# Built once: a statement costs about as much to build as to run.
_INSERT_EVENT = AuditEvent.__table__.insert()
_INSERT_HEAD = AuditHead.__table__.insert()
_UPDATE_HEAD = (AuditHead.__table__.update().where(AuditHead.__table__.c.case_id == bindparam("head_of"))
                .values(hash=bindparam("new_hash")))
_HEAD = select(AuditHead.hash).where(AuditHead.case_id == bindparam("case_id"))


def remember_head(case_id: int, head: str | None) -> None:
    """The case's latest hash as a caller read it in this transaction (the write path reads it with
    the case it locks), so that recording does not read it again."""
    _heads().setdefault(case_id, head)


def head_column(case_id_column):
    """The case's latest hash as a column of a statement that reads cases (None: no history yet)."""
    return select(AuditHead.hash).where(AuditHead.case_id == case_id_column).scalar_subquery()


def _heads() -> dict:
    # Per transaction: read once, then kept up to date by record().
    return transaction_memo(db.session, "audit_heads")


def _head(case_id: int) -> str | None:
    heads = _heads()
    if case_id not in heads:
        heads[case_id] = db.session.scalar(_HEAD, {"case_id": case_id})
    return heads[case_id]


def case_history_break(case_id: int, events: list[AuditEvent]) -> Break | None:
    """Where the case's history, as the caller read it (every event, in the order recorded), stops
    matching its chain."""
    head = db.session.get(AuditHead, case_id)
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
