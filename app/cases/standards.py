"""How a finished case measured against its service standard, recorded once when it ends."""
from datetime import datetime, timedelta

from ..calendars.working_time import ONE_DAY, working_time_between
from .models import Case


def overdue_from(items) -> datetime | None:
    """When the case is overdue from: the earliest deadline among its work that is still open or was
    done after its deadline (work created after its deadline counts from its creation). Open work not
    yet due makes it a moment to come, which closing that work in time takes back. None: never late."""
    return min((max(item.due_at, item.created_at) for item in items
                if item.due_at is not None and (item.closed_at is None or item.closed_at > item.due_at)),
               default=None)


def record_pause(case: Case, calendar, resumed_at: datetime) -> None:
    case.paused_working_seconds += int(working_time_between(calendar, case.clock_stopped_at, resumed_at)
                                       .total_seconds())


def record_finish(case: Case, calendar, now: datetime) -> None:
    """On time: within the published working days, the stopped clock excluded; for a procedure
    without a published standard, when none of its deadlines passed before its work was done."""
    paused = timedelta(seconds=case.paused_working_seconds)
    if case.clock_stopped_at is not None:
        paused += working_time_between(calendar, case.clock_stopped_at, now)
    taken = max(working_time_between(calendar, case.started_at, now) - paused, timedelta(0))
    case.working_days_taken = taken / ONE_DAY
    if case.service_standard_days is not None:
        case.on_time = case.working_days_taken <= case.service_standard_days
    else:  # its work is all closed now, so it was late if it ever was overdue (overdue_from, set just before)
        case.on_time = case.overdue_from is None or case.overdue_from > now
