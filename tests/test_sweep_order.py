"""The sweep fires the most overdue work first: a licence whose review deadline passed a week ago
is escalated before one whose deadline passed this morning, whatever order they were registered in."""
import pytest
import time_machine
from sqlalchemy import select, text

from app.audit.models import AuditEvent
from app.timers.services import due_case_query, sweep

from support import licence_in_review, local


def test_the_most_overdue_case_is_escalated_first(database, kampong_siem):
    # Registered second, but its deadline passed earlier: it started a week before the other.
    later = licence_in_review(kampong_siem, local(2026, 12, 14, 9, 0))
    earlier = licence_in_review(kampong_siem, local(2026, 12, 7, 9, 0))
    assert later.id < earlier.id
    with time_machine.travel(local(2026, 12, 28, 8, 0), tick=False):
        assert sweep().fired >= 2
    fired = list(database.scalars(select(AuditEvent.case_id).where(
        AuditEvent.kind == "timer_fired", AuditEvent.case_id.in_([later.id, earlier.id])).order_by(AuditEvent.id)))
    assert fired == [earlier.id, later.id]


def test_the_sweep_starts_from_the_timers_that_are_due(database):
    """However many cases wait, finding the next due one reads the due end of the timer index."""
    if database.get_bind().dialect.name != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans from its own statistics")
    query = due_case_query({1, 2})
    sql = str(query.compile(database.get_bind(), compile_kwargs={"literal_binds": True}))
    plan = [row[3] for row in database.execute(text("EXPLAIN QUERY PLAN " + sql))]
    assert plan[0] == "SEARCH timer USING INDEX ix_timer_fires_at (fires_at<?)"
