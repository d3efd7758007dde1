"""The sweep: fire due timers from the indexed timer table, one case per transaction.

Cases are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several sweepers
never fire the same timer twice; a sweeper that dies mid-case rolls back and the
next sweep picks the timer up again.
"""
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..cases.models import Case, Timer
from ..cases.write_path import fire_due_timers
from ..db import utcnow
from ..extensions import db


def _next_due_case(skip: set[int]) -> Case | None:
    due_cases = select(Timer.case_id).where(Timer.fires_at <= utcnow())
    query = (select(Case).where(Case.id.in_(due_cases), Case.status == "running")
             .order_by(Case.id).limit(1).with_for_update(skip_locked=True))
    if skip:
        query = query.where(Case.id.not_in(skip))
    return db.session.scalars(query).first()


def sweep() -> int:
    """Fire every timer due now; return how many fired."""
    fired, done = 0, set()
    while (case := _next_due_case(done)) is not None:
        done.add(case.id)
        try:
            # None due: another sweeper fired them between our look at the timer table and our lock.
            due = fire_due_timers(case)
            db.session.commit()
        except StaleDataError:
            # Another sweeper (or an officer) changed the case first; its timers were handled there.
            db.session.rollback()
            continue
        fired += due
    db.session.commit()
    return fired
