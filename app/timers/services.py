"""The sweep: fire due timers from the indexed timer table, one case per transaction.

Cases are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several sweepers
never fire the same timer twice; a sweeper that dies mid-case rolls back and the
next sweep picks the timer up again. A case that fails is an incident, never a
reason for the next case's timer to wait.
"""
import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from ..cases.models import Case, Timer
from ..cases.queries import lock_case
from ..cases.write_path import due_timers, fire_due_timers, record_incident
from ..db import utcnow
from ..extensions import db

log = logging.getLogger(__name__)


def due_case_query(skip: set[int]):
    """The next case with a due timer, most overdue first, locked (skipping cases another sweeper holds)."""
    # The plan must start from the due end of the timer index, so the cost follows the timers that are
    # due, not the cases waiting: the status is tested through coalesce() so that no planner (SQLite
    # has no statistics until analysed) starts from the index of running cases instead.
    query = (select(Case).join(Timer, Timer.case_id == Case.id)
             .where(Timer.fires_at < utcnow(), func.coalesce(Case.status, "") == "running")
             .order_by(Timer.fires_at, Case.id).limit(1).with_for_update(of=Case, skip_locked=True))
    if skip:
        query = query.where(Case.id.not_in(skip))
    return query


def _next_due_case(skip: set[int]) -> Case | None:
    return db.session.scalars(due_case_query(skip)).first()


@dataclass
class Sweep:
    fired: int = 0  # timers fired
    failed: int = 0  # cases that became incidents instead


def sweep() -> Sweep:
    """Fire every timer due now, each case in its own transaction: a case that cannot be loaded or
    advanced becomes an incident and the sweep goes on with the next."""
    result, done = Sweep(), set()
    while (case := _next_due_case(done)) is not None:
        case_id = case.id
        done.add(case_id)
        try:
            # None due: another sweeper fired them between our look at the timer table and our lock.
            fired = fire_due_timers(case)
            failed = case.status == "error"
            db.session.commit()
        except StaleDataError:
            # Another sweeper (or an officer) changed the case first; its timers were handled there.
            db.session.rollback()
            continue
        except SQLAlchemyError:
            db.session.rollback()
            raise  # the database itself failed, not this case: the next sweep tries again
        except Exception as exc:
            db.session.rollback()
            _fail(case_id, exc)
            fired, failed = 0, True
        result.fired += fired
        result.failed += failed
    db.session.commit()
    return result


def _fail(case_id: int, exc: Exception) -> None:
    log.exception("the timer sweep could not advance case %s; it is now an incident", case_id)
    case = lock_case(case_id)
    due = due_timers(case)
    record_incident(case, f"The timer sweep could not advance the case ({type(exc).__name__}: {exc})",
                    due[0] if due else None)
    db.session.commit()
