"""The inbox and the sweep with N cases waiting in one office, the timers fired per second, two
sweepers at once, and what one case costs in the database.

N cases at intake are one case started through the services and cloned (world.clone_case);
each clone's deadline is then moved k minutes later (k = 1..N), so that, as in a real office,
no two items share a deadline. The inbox shown is the front officer's (dara, Kampong Siem),
whose N open check_documents items are all in the one office.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

from .world import Statements, analyze, clone_case, clone_place, fresh_session, moved, say, stats_ms, timed, user


def spread_deadlines(prefix: str) -> None:
    """Clone k's open work and timers k minutes later (projection rows only; reads measure them)."""
    from sqlalchemy import text

    from app.extensions import db
    for table, column in (("work_item", "due_at"), ("timer", "fires_at")):
        shifted = moved(column, clone_place(), "minutes")
        db.session.execute(text(
            f"UPDATE {table} SET {column} = (SELECT {shifted} FROM \"case\" c WHERE c.id = {table}.case_id) "
            f"WHERE case_id IN (SELECT id FROM \"case\" WHERE number LIKE :prefix)"), {"prefix": prefix})
    db.session.commit()


def _login(app, username: str):
    from support import PASSWORD, csrf_token_from
    client = app.test_client()
    page = client.get("/login")
    client.post("/login", data={"username": username, "password": PASSWORD,
                                "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    return client


def inbox_and_sweep(app, n: int, runs: int) -> dict:
    from sqlalchemy import func, select

    from app.cases.write_path import start_case
    from app.cases.models import Timer, WorkItem
    from app.extensions import db
    from app.inbox.queries import inbox_page
    from app.timers.services import sweep
    from office_data import APPLICATION
    result: dict = {"open_items": n}
    with app.app_context():
        dara = user("dara")
        seed = start_case("commercial_licence", APPLICATION, dara, dara.office)
        db.session.commit()
        seed_number = seed.number
        started = time.perf_counter()
        clone_case(seed.id, n - 1, "I")
        spread_deadlines(f"{seed_number}-I%")
        analyze()
        result["populate_s"] = time.perf_counter() - started
        say("%d open items for the front office at KPS in %.0f s", n, result["populate_s"])
        fresh_session()
        open_items = db.session.scalar(select(func.count()).select_from(WorkItem).where(
            WorkItem.status == "open", WorkItem.role == "front_office", WorkItem.office_id == user("dara").office_id))
        assert open_items == n, open_items
        middle = db.session.scalar(select(WorkItem.id).where(WorkItem.status == "open", WorkItem.role == "front_office")
                                   .order_by(WorkItem.due_at, WorkItem.id).offset(n // 2).limit(1))

        def first_page():
            assert len(inbox_page(user("dara")).items) == 50

        def middle_page():
            assert len(inbox_page(user("dara"), after=middle).items) == 50
        result["query_first_page"] = stats_ms(timed(first_page, runs))
        result["query_middle_page"] = stats_ms(timed(middle_page, runs))
        with Statements() as seen:
            first_page()
        result["query_statements"] = seen.count
        db.session.remove()

    # Pages outside our app context: each request has its own, as under gunicorn.
    client = _login(app, "dara")

    def page(url):
        def get():
            response = client.get(url)
            assert response.status_code == 200 and response.get_data().count(b'href="/work-items/') == 50
        return get

    def timed_pages(get):
        get()
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            get()
            samples.append(time.perf_counter() - started)
        return stats_ms(samples)
    result["page_first"] = timed_pages(page("/"))
    result["page_middle"] = timed_pages(page(f"/?after={middle}"))
    say("inbox at %d: query p95 %.1f ms, page p95 %.1f ms", n, result["query_first_page"]["p95_ms"],
        result["page_first"]["p95_ms"])
    result["inbox_p95_ms"] = max(result[k]["p95_ms"] for k in
                                 ("query_first_page", "query_middle_page", "page_first", "page_middle"))
    with app.app_context():
        def none_due():
            assert sweep().fired == 0
        result["sweep_none_due"] = stats_ms(timed(none_due, runs))
        result["timers_waiting"] = db.session.scalar(select(func.count()).select_from(Timer))
        db.session.remove()
        say("sweep with %d cases waiting, none due: p95 %.2f ms", n, result["sweep_none_due"]["p95_ms"])
    return result


def due_cases(app, count: int, tag: str) -> list[int]:
    """`count` cases whose deadline timer is really due: one started 40 days ago, cloned."""
    import time_machine
    from sqlalchemy import select

    from app.cases.write_path import start_case
    from app.cases.models import Case
    from app.db import utcnow
    from app.extensions import db
    from office_data import APPLICATION
    with app.app_context():
        dara = user("dara")
        with time_machine.travel(utcnow() - timedelta(days=40), tick=False):
            seed = start_case("commercial_licence", APPLICATION, dara, dara.office)
        db.session.commit()
        clone_case(seed.id, count - 1, tag)
        analyze()
        ids = [seed.id, *db.session.scalars(select(Case.id).where(Case.number.like(f"{seed.number}-{tag}%")))]
        db.session.remove()
    return ids


def fired_events(app, case_ids: list[int]) -> dict[int, int]:
    from sqlalchemy import func, select

    from app.audit.models import AuditEvent
    from app.extensions import db
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.case_id, func.count()).where(
            AuditEvent.kind == "timer_fired", AuditEvent.case_id.in_(case_ids)).group_by(AuditEvent.case_id)).all()
        db.session.remove()
    return dict(rows)


def timers_fired_per_s(app, count: int) -> dict:
    from app.extensions import db
    from app.timers.services import sweep
    ids = due_cases(app, count, "D")
    with app.app_context():
        started = time.perf_counter()
        fired = sweep().fired
        elapsed = time.perf_counter() - started
        db.session.remove()
    events = fired_events(app, ids)
    say("%d timers fired on %d cases in %.1f s", fired, count, elapsed)
    return {"cases_due": count, "timers_fired": fired, "seconds": elapsed, "timers_per_s": fired / elapsed,
            "cases_per_s": count / elapsed, "cases_fired_once": sum(1 for c in ids if events.get(c) == 1)}


def two_sweepers(app, count: int) -> dict:
    """Two sweepers at once (threads, each its own connection) over `count` due cases."""
    from app.extensions import db
    from app.timers.services import sweep
    ids = due_cases(app, count, "T")
    fired = [0, 0]
    errors = []

    def sweeper(slot):
        try:
            with app.app_context():
                fired[slot] = sweep().fired
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported, never hidden
            errors.append(repr(exc))
    threads = [threading.Thread(target=sweeper, args=(slot,)) for slot in (0, 1)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    events = fired_events(app, ids)
    once = sum(1 for c in ids if events.get(c) == 1)
    say("two sweepers: %s fired, %d of %d cases exactly once, errors %s", fired, once, count, errors)
    return {"cases_due": count, "fired_by_each": fired, "seconds": elapsed, "cases_fired_once": once,
            "cases_fired_twice_or_more": sum(1 for c in ids if events.get(c, 0) > 1),
            "cases_not_fired": sum(1 for c in ids if c not in events), "errors": errors}


def state_bytes_per_case(app, cases_in_review: int) -> dict:
    """SQLite file growth per commercial-licence case put in review through the services: its
    state, projections, history, notifications and their indexes, everything included."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    from app.extensions import db
    from support import licence_in_review

    def size():
        db.session.commit()
        return (db.session.execute(text("PRAGMA page_count")).scalar()
                * db.session.execute(text("PRAGMA page_size")).scalar())
    with app.app_context():
        office = user("dara").office
        licence_in_review(office, datetime.now(timezone.utc))
        before = size()
        for _ in range(cases_in_review):
            licence_in_review(office, datetime.now(timezone.utc))
            db.session.commit()
        growth = size() - before
        tables = dict(db.session.execute(text(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")).all())
        state = db.session.execute(text(
            "SELECT avg(length(workflow_state)) FROM \"case\"")).scalar()
        spec = db.session.execute(text(
            "SELECT length(workflow_spec) FROM process_definition WHERE key = 'commercial_licence'")).scalar()
        db.session.remove()
    return {"cases": cases_in_review, "bytes_per_case": growth / cases_in_review,
            "stored_state_bytes_avg": state, "spec_bytes_once_per_definition": spec,
            "largest_tables_bytes": dict(list(tables.items())[:8])}
