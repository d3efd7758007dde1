"""The measurements, run against one fresh database in this process.

Everything that changes a case goes through the app's services (start_case, complete, the
sweep), except the bulk clones of part 2, which are plain INSERT ... SELECT statements on
the case, work_item and timer tables (see clone_case).
"""
from __future__ import annotations

import logging
import os
import resource
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
for _path in (str(ROOT / "tests"), str(ROOT)):  # tests/support.build_world and tests/office_data
    if _path not in sys.path:
        sys.path.insert(0, _path)



def say(message: str, *args) -> None:
    """Progress on stderr (not the logging module: Alembic's fileConfig disables existing loggers)."""
    print(f"{datetime.now():%H:%M:%S} bench: " + (message % args if args else message), file=sys.stderr, flush=True)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _rss_mb() -> float | None:
    """Current resident set size of this process (Linux /proc), in MiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def _stats(samples: list[float]) -> dict:
    return {"runs": len(samples), "median_ms": statistics.median(samples) * 1000,
            "min_ms": min(samples) * 1000, "max_ms": max(samples) * 1000}


class Bench:
    def __init__(self, url: str, cases: int, interval: float, lag_timers: int, window: float, runs: int):
        self.url, self.n, self.interval = url, cases, interval
        self.lag_timers, self.window, self.runs = lag_timers, window, runs
        self.results: dict = {"database_url": url, "cases": cases, "interval_s": interval, "phases_s": {},
                              "rss_mb": {}, "notes": []}

    # ------------------------------------------------------------------ set-up

    def run(self) -> dict:
        os.environ.setdefault("SECRET_KEY", "bench")  # never write instance/secret_key from here
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        from flask_migrate import upgrade

        from app import create_app
        from app.extensions import db
        from support import build_world

        started = time.perf_counter()
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": self.url, "SCHEDULER_ENABLED": False,
                               "SECRET_KEY": "bench", "SWEEP_INTERVAL_SECONDS": self.interval})
        with self.app.app_context():
            self.db = db
            self.results["dialect"] = db.engine.dialect.name
            self.results["server_version"] = self._server_version()
            self.results["rss_mb"]["after start-up"] = _rss_mb()
            with self._phase("migrate (flask_migrate.upgrade)"):
                upgrade()
            for name, logger in logging.root.manager.loggerDict.items():  # Alembic's fileConfig disabled
                if name.startswith("app") and isinstance(logger, logging.Logger):  # them: sweep errors show
                    logger.disabled = False
            with self._phase("build_world (tests/support.py, through the services)"):
                build_world()
                db.session.commit()
            self.results["rss_mb"]["after build_world"] = _rss_mb()
            self.scale()
            self.results["rss_mb"]["after part 2 (scale)"] = _rss_mb()
            self.timer_lag()
            self.results["rss_mb"]["after part 1 (timer lag)"] = _rss_mb()
            self.results["rss_mb"]["at the end"] = _rss_mb()
            self.memory()
            db.session.remove()
            db.engine.dispose()
        self.results["total_s"] = time.perf_counter() - started
        return self.results

    def _server_version(self) -> str:
        from sqlalchemy import text
        if self.db.engine.dialect.name == "sqlite":
            import sqlite3
            return f"SQLite {sqlite3.sqlite_version}"
        with self.db.engine.connect() as conn:
            return "PostgreSQL " + conn.execute(text("SHOW server_version")).scalar()

    class _Phase:
        def __init__(self, bench, name):
            self.bench, self.name = bench, name

        def __enter__(self):
            say("%s ...", self.name)
            self.t = time.perf_counter()

        def __exit__(self, *exc):
            elapsed = time.perf_counter() - self.t
            self.bench.results["phases_s"][self.name] = elapsed
            say("%s: %.1f s", self.name, elapsed)

    def _phase(self, name):
        return self._Phase(self, name)

    def _user(self, username):
        from sqlalchemy import select

        from app.accounts.models import User
        return self.db.session.scalars(select(User).where(User.username == username)).one()

    def _office(self, code):
        from app.accounts.services import find_office
        return find_office(code)

    def _fresh_session(self):
        """Each measured call starts like a request does: a new transaction, an empty identity map."""
        self.db.session.rollback()
        self.db.session.expunge_all()

    # ------------------------------------------------------------------ part 2: scale

    def clone_case(self, seed_id: int, copies: int, tag: str) -> None:
        """Copy a case row `copies` times (new unique numbers), with its work items and timers.

        Plain INSERT ... SELECT on purpose: going through start_case 10,000 times would take
        many minutes. The copies are byte-for-byte the seed's workflow, so they are real cases
        that complete() can work on; the sweep and the inbox only read the indexed projection
        tables (timer, work_item), which hold exactly what the write path would have written.
        """
        from sqlalchemy import inspect, text

        from app.cases.models import Case
        db = self.db
        seed_number = db.session.get(Case, seed_id).number
        prefix = f"{seed_number}-{tag}"
        columns = {table: [c["name"] for c in inspect(db.engine).get_columns(table)]
                   for table in ("case", "work_item", "timer")}
        seq = "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :copies) "

        case_cols = [c for c in columns["case"] if c != "id"]
        picks = ["src.number || :tag || CAST(seq.n AS VARCHAR)" if c == "number" else f'src."{c}"'
                 for c in case_cols]
        db.session.execute(text(
            f'INSERT INTO "case" ({", ".join(chr(34) + c + chr(34) for c in case_cols)}) '
            f"{seq}SELECT {', '.join(picks)} FROM \"case\" src, seq WHERE src.id = :seed"),
            {"copies": copies, "tag": f"-{tag}", "seed": seed_id})

        for table in ("work_item", "timer"):
            cols = [c for c in columns[table] if c not in ("id", "case_id")]
            picks = ["NULL" if c == "escalation_of_id" else f'x."{c}"' for c in cols]
            db.session.execute(text(
                f'INSERT INTO {table} (case_id, {", ".join(chr(34) + c + chr(34) for c in cols)}) '
                f'SELECT c.id, {", ".join(picks)} FROM "case" c JOIN {table} x ON x.case_id = :seed '
                f"WHERE c.number LIKE :prefix"),
                {"seed": seed_id, "prefix": prefix + "%"})
        db.session.commit()

    def _analyze(self):
        from sqlalchemy import text
        if self.db.engine.dialect.name == "postgresql":
            self.db.session.execute(text("ANALYZE"))
            self.db.session.commit()

    def _count(self, model, *where) -> int:
        from sqlalchemy import func, select
        return self.db.session.scalar(select(func.count()).select_from(model).where(*where))

    def scale(self) -> None:
        from sqlalchemy import event, select

        from app.cases import work_items
        from app.cases.models import Case, Timer, WorkItem
        from app.cases.write_path import start_case
        from app.timers.services import sweep
        from office_data import APPLICATION, INTAKE, REVIEW_APPROVE
        db, r = self.db, self.results
        part: dict = {}
        r["scale"] = part

        dara, kps = self._user("dara"), self._office("KPS")
        with self._phase("seed case in review (start_case + complete, through the services)"):
            review = start_case("commercial_licence", APPLICATION, dara, kps)
            work_items.complete(dara, review.open_items[0].id, INTAKE)
            db.session.commit()
        review_id = review.id
        part["seed_ids"] = {"review": review_id}
        part["seed_review"] = {"number": review.number, "open_items": [i.task for i in review.open_items],
                               "timers": {t.element_id: t.fires_at.isoformat() for t in db.session.scalars(
                                   select(Timer).where(Timer.case_id == review_id))}}

        def time_sweep(label):
            samples = []
            for run in range(self.runs + 1):  # the first run warms caches up and is not counted
                self._fresh_session()
                t = time.perf_counter()
                fired = sweep()
                if run:
                    samples.append(time.perf_counter() - t)
                assert fired == 0, f"the sweep fired {fired} timer(s); none should be due"
            part.setdefault("sweep", {})[label] = {
                **_stats(samples), "cases": self._count(Case), "timers": self._count(Timer)}
            say("sweep with %s: median %.2f ms", label, statistics.median(samples) * 1000)

        time_sweep("1 case waiting")

        with self._phase(f"clone the case in review {self.n - 1} times (INSERT ... SELECT)"):
            self.clone_case(review_id, self.n - 1, "R")
            self._analyze()
        time_sweep(f"{self.n} cases waiting")

        # The due-timer query exactly as the sweep sends it, and its plan.
        statements = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))
        self._fresh_session()
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            sweep()
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        statement, parameters = next((s, p) for s, p in statements if "fires_at" in s)
        part["due_query"] = statement
        part["due_query_plan"] = self._explain(statement, parameters)
        indexes = [ix["name"] for ix in __import__("sqlalchemy").inspect(db.engine).get_indexes("timer")
                   if ix["column_names"] == ["fires_at"]]
        part["fires_at_indexes"] = indexes
        part["plan_uses_fires_at_index"] = any(ix in part["due_query_plan"] for ix in indexes)

        # Front-office work: N cases at intake in the same office (check_documents for dara).
        with self._phase("seed case at intake (start_case) and clone it"):
            self._fresh_session()
            dara, kps = self._user("dara"), self._office("KPS")
            intake = start_case("commercial_licence", APPLICATION, dara, kps)
            db.session.commit()
            part["seed_ids"]["intake"] = intake.id
            self.clone_case(intake.id, self.n - 1, "I")
            self._analyze()
        time_sweep(f"{2 * self.n} cases waiting")

        self.measure_inbox("exact", "exact copies (one shared deadline)", capture, statements)
        with self._phase("spread the clones' deadlines (work_item.due_at and timer.fires_at)"):
            self.spread_deadlines()
            self._analyze()
        self.measure_inbox("spread", "deadlines spread (clone k due k min later)", capture, statements)
        time_sweep(f"{2 * self.n} cases waiting, deadlines spread")

        # complete() through the write path, on distinct cases (review clones), commit included.
        self._fresh_session()
        item_ids = list(db.session.scalars(select(WorkItem.id).join(Case).where(
            WorkItem.status == "open", WorkItem.task == "technical_review", Case.number.like("%-R%"))
            .order_by(WorkItem.id).limit(self.runs)))
        samples = []
        for item_id in item_ids:
            self._fresh_session()
            sokha = self._user("sokha")
            t = time.perf_counter()
            work_items.complete(sokha, item_id, REVIEW_APPROVE)
            db.session.commit()
            samples.append(time.perf_counter() - t)
        self._fresh_session()
        after = db.session.get(WorkItem, item_ids[0]).case
        part["complete"] = {**_stats(samples), "task": "technical_review (approve)", "by": "sokha",
                            "next": [i.task for i in after.open_items], "case_id": after.id}
        say("complete(): median %.1f ms", statistics.median(samples) * 1000)

    def spread_deadlines(self) -> None:
        """Move clone n's open work items and timers n minutes later, as distinct cases have distinct deadlines.

        Only projection rows change (the workflow JSON still holds the seed's times; a complete()
        on a clone re-projects from it). Plain UPDATEs, for the inbox and sweep reads only.
        """
        from sqlalchemy import bindparam, select, update

        from app.cases.models import Case, Timer, WorkItem
        db = self.db
        minutes = {}
        for tag in ("R", "I"):
            ids = db.session.scalars(select(Case.id).where(Case.number.like(f"%-{tag}%")).order_by(Case.id)).all()
            minutes.update({case_id: n for n, case_id in enumerate(ids, start=1)})
        for model, column, where in ((WorkItem, "due_at", (WorkItem.status == "open", WorkItem.due_at.is_not(None))),
                                     (Timer, "fires_at", ())):
            rows = db.session.execute(select(model.id, model.case_id, getattr(model, column)).where(
                model.case_id.in_(select(Case.id).where(Case.number.like("%-R%") | Case.number.like("%-I%"))),
                *where)).all()
            table = model.__table__
            db.session.execute(
                update(table).where(table.c.id == bindparam("row_id")).values({column: bindparam("new_value")}),
                [{"row_id": row_id, "new_value": value + timedelta(minutes=minutes[case_id])}
                 for row_id, case_id, value in rows])
        db.session.commit()

    def measure_inbox(self, key: str, label: str, capture, statements) -> None:
        from sqlalchemy import event, select
        from sqlalchemy.orm import defer, joinedload

        from app.cases.models import Case, WorkItem
        from app.inbox.queries import _workable_by, inbox_items
        db = self.db
        variant = {"label": label, "calls": {}}
        self.results["scale"].setdefault("inbox", {})[key] = variant

        self._fresh_session()
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            inbox_items(self._user("dara"))
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        sql, params = next((s, p) for s, p in statements if "work_item" in s)
        variant["query"] = sql
        variant["plan"] = self._explain(sql, params)
        variant["loads_workflow_state"] = "workflow_state" in sql

        def lean_inbox(user, limit=500):
            """For comparison only (not app code): the same query without the workflow JSON column."""
            query = (select(WorkItem).where(WorkItem.status == "open", _workable_by(user))
                     .options(joinedload(WorkItem.case).options(defer(Case.workflow_state)),
                              joinedload(WorkItem.assignee))
                     .order_by(WorkItem.due_at.asc().nulls_last(), WorkItem.id).limit(limit))
            return list(db.session.scalars(query))

        calls = [("dara", "front_office", inbox_items, "inbox_items(dara)"),
                 ("sokha", "back_office", inbox_items, "inbox_items(sokha)")]
        if variant["loads_workflow_state"]:
            calls.append(("dara", "front_office", lean_inbox, "same query, workflow_state deferred"))
        for username, role, function, name in calls:
            samples, shown = [], 0
            for run in range(self.runs + 1):  # the first run warms caches up and is not counted
                self._fresh_session()
                user = self._user(username)
                t = time.perf_counter()
                shown = len(function(user))
                if run:
                    samples.append(time.perf_counter() - t)
            self._fresh_session()
            office_id = self._user(username).office_id
            open_items = self._count(WorkItem, WorkItem.status == "open", WorkItem.role == role,
                                     WorkItem.office_id == office_id)
            variant["calls"][name] = {**_stats(samples), "user": username, "role": role,
                                      "open_items": open_items, "returned": shown,
                                      "app_code": function is inbox_items}
            say("%s, %s: %d of %d open items, median %.1f ms", name, key, shown, open_items,
                statistics.median(samples) * 1000)

    def _explain(self, statement: str, parameters) -> str:
        conn = self.db.session.connection()
        try:
            if self.db.engine.dialect.name == "sqlite":
                rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                depth, lines = {0: -1}, []
                for node, parent, _, detail in rows:
                    depth[node] = depth.get(parent, -1) + 1
                    lines.append("  " * depth[node] + detail)
                return "\n".join(lines)
            rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
            return "\n".join(row[0] for row in rows)
        finally:
            self.db.session.rollback()

    # ------------------------------------------------------------------ part 1: timer lag

    def timer_lag(self) -> None:
        import time_machine
        from sqlalchemy import func, select

        from app.administration.services import create_office, create_user
        from app.audit.models import AuditEvent
        from app.calendars.services import office_calendar, set_office_calendar
        from app.calendars.working_time import add_working_days
        from app.cases import work_items
        from app.cases.models import Timer
        from app.cases.write_path import start_case
        from app.timers.scheduler import start_scheduler
        from office_data import APPLICATION, INTAKE
        from support import PASSWORD
        db, r = self.db, self.results
        part: dict = {"timers": self.lag_timers, "interval_s": self.interval, "window_s": self.window}
        r["timer_lag"] = part
        deadline_element, days = "back_office_processing_deadline", 5  # bpmn/commercial_licence.bpmn

        # An office of its own, so the timers that fire here touch none of the cases of part 2.
        office = create_office("LAG", "Timer-lag bench OWSO", "KPS-D")
        create_user("lagclerk", PASSWORD, ["front_office"], "LAG", full_name="Lag Clerk")
        create_user("lagchief", PASSWORD, ["owso_chief"], "LAG", full_name="Lag Chief")
        db.session.commit()
        clerk = self._user("lagclerk")

        def start_for(calendar, target):
            """The moment from which working_days(5) ends exactly at `target` (same local time of day)."""
            local = target.astimezone(ZoneInfo(calendar.timezone))
            for back in range(days, days + 40):
                start = local - timedelta(days=back)
                if add_working_days(calendar, start, days) == target:
                    return start
            return None

        def review_case(at):
            with time_machine.travel(at, tick=False):
                case = start_case("commercial_licence", APPLICATION, clerk, office)
                work_items.complete(clerk, case.open_items[0].id, INTAKE)
                db.session.commit()
            return case

        # One case first, to learn how long creating one takes (its timers are days away).
        t = time.perf_counter()
        review_case(_now())
        per_case = time.perf_counter() - t
        lead = max(5.0, 2 * per_case * self.lag_timers + 3)
        base = (_now() + timedelta(seconds=lead)).replace(microsecond=0)
        step = self.window / max(1, self.lag_timers - 1)
        targets = [base + timedelta(seconds=round(i * step, 3)) for i in range(self.lag_timers)]

        calendar = office_calendar(office)
        if any(start_for(calendar, target) is None for target in targets):
            today = targets[0].astimezone(ZoneInfo(calendar.timezone))
            set_office_calendar(office, office.timezone, [])
            db.session.commit()
            calendar = office_calendar(office)
            part["calendar_note"] = (
                f"{today:%A %Y-%m-%d} is not a working day in the office's default calendar, so no "
                f"working_days({days}) can end today; the bench office LAG was opened every day of the week "
                "with calendars.services.set_office_calendar before its cases were created.")

        rows = []
        for target in targets:
            start = start_for(calendar, target)
            case = review_case(start)
            fires = {t.element_id: t.fires_at for t in db.session.scalars(
                select(Timer).where(Timer.case_id == case.id))}
            rows.append({"case_id": case.id, "number": case.number, "created_under": start.isoformat(),
                         "target": target, "due": fires[deadline_element]})
            if fires[deadline_element] != target:
                r["notes"].append(f"{case.number}: the deadline timer is due {fires[deadline_element]}, "
                                  f"not at the planned {target}")
        db.session.commit()
        db.session.remove()  # no open transaction (and no SQLite lock) while the sweeper works

        started_at = _now()
        part["created_in_s"] = (started_at - (base - timedelta(seconds=lead))).total_seconds()
        late = [row for row in rows if row["due"] <= started_at]
        if late:
            r["notes"].append(f"{len(late)} timer(s) were already due when the scheduler started; "
                              "raise the lead time")
        scheduler = start_scheduler(self.app)
        part["scheduler_started"] = started_at.isoformat()
        ids = [row["case_id"] for row in rows]
        give_up = max(row["due"] for row in rows) + timedelta(seconds=2 * self.interval + 30)
        say("timer lag: %d timers due %s .. %s, sweep every %s s; waiting", len(rows),
                 rows[0]["due"].strftime("%H:%M:%S"), rows[-1]["due"].strftime("%H:%M:%S"), self.interval)
        try:
            with self._phase("timer lag (real APScheduler sweep)"):
                while True:
                    fired = db.session.scalar(select(func.count(func.distinct(AuditEvent.case_id))).where(
                        AuditEvent.case_id.in_(ids), AuditEvent.kind == "timer_fired"))
                    db.session.rollback()
                    if fired == len(ids) or _now() > give_up:
                        break
                    time.sleep(0.5)
        finally:
            scheduler.shutdown(wait=True)

        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.case_id.in_(ids), AuditEvent.kind == "timer_fired").order_by(AuditEvent.at)).all()
        fired_at = {}
        for event in events:
            if deadline_element in (event.data or {}).get("timers", []):
                fired_at.setdefault(event.case_id, event.at)
        lags = []
        for row in rows:
            at = fired_at.get(row["case_id"])
            row["fired"] = at.isoformat() if at else None
            row["lag_s"] = (at - row["due"]).total_seconds() if at else None
            row["due"], row["target"] = row["due"].isoformat(), row["target"].isoformat()
            if at:
                lags.append(row["lag_s"])
        part["rows"] = rows
        part["fired"] = len(lags)
        if lags:
            part.update(min_s=min(lags), median_s=statistics.median(lags), max_s=max(lags))
        db.session.rollback()

    # ------------------------------------------------------------------ part 3: memory

    def memory(self) -> None:
        from sqlalchemy import LargeBinary, cast, func, select, text

        from app.cases.models import Case
        db, r = self.db, self.results
        sizes = {}
        seeds = r["scale"]["seed_ids"]
        for label, key in (("at intake (check_documents open)", "intake"),
                           ("in review (technical_review open)", "review")):
            sizes[label] = len(db.session.get(Case, seeds[key]).workflow_state.encode())
        done = r["scale"]["complete"]
        sizes["after review approved (sign_licence open)"] = len(
            db.session.get(Case, done["case_id"]).workflow_state.encode())
        lag_cases = db.session.scalars(select(Case).join(Case.office).where(text("office.code = 'LAG'"))).all()
        fired = [c for c in lag_cases if any(i.escalation_level for i in c.open_items)]
        if fired:
            sizes["after its deadline timer fired (escalated)"] = statistics.mean(
                len(c.workflow_state.encode()) for c in fired)
        if db.engine.dialect.name == "sqlite":
            length = func.length(cast(Case.workflow_state, LargeBinary))
        else:
            length = func.octet_length(Case.workflow_state)
        count, average, total = db.session.execute(select(func.count(), func.avg(length), func.sum(length))).one()
        r["memory"] = {"workflow_json_bytes": sizes, "all_cases": {"cases": count, "avg_bytes": float(average),
                                                                  "total_bytes": int(total)},
                       "database_bytes": self._database_size(), "peak_rss_mb": _peak_rss_mb(),
                       "complete_runs": done["runs"]}
        db.session.rollback()

    def _database_size(self) -> int | None:
        from sqlalchemy import make_url, text
        if self.db.engine.dialect.name == "sqlite":
            path = make_url(self.url).database
            return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
        return self.db.session.scalar(text("SELECT pg_database_size(current_database())"))
