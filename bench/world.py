"""Fresh databases, the app on them, and the tools every part of the bench shares."""
from __future__ import annotations

import functools
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (str(ROOT / "tests"), str(ROOT)):  # tests/support.build_world and tests/office_data
    if _path not in sys.path:
        sys.path.insert(0, _path)

from support import fresh_database  # noqa: E402  (the tests' own, on the path just set)

# The officers of the load run (tests/support.STAFF): (username, role); virtual users share them.
LOAD_STAFF = [("dara", "front_office"), ("bopha", "front_office"), ("theary", "front_office"),
              ("sokha", "back_office"), ("rithy", "back_office"), ("piseth", "back_office"),
              ("vanna", "owso_chief"), ("chan", "owso_chief")]
DEFAULT_PG = f"postgresql+psycopg://postgres@127.0.0.1:{os.environ.get('ONEWINDOW_PG_PORT', '54329')}/postgres"


def say(message: str, *args) -> None:
    """Progress on stderr (not logging: Alembic's fileConfig disables existing loggers)."""
    print(f"{datetime.now():%H:%M:%S} bench: " + (message % args if args else message), file=sys.stderr, flush=True)


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(samples: list[float], p: int) -> float:
    """Nearest rank: the smallest sample at least p% of the samples do not exceed (of 20, the 95th
    is the 19th; of 10 or fewer, the largest)."""
    ordered = sorted(samples)
    return ordered[max(0, -(-p * len(ordered) // 100) - 1)]


def stats_ms(samples: list[float]) -> dict:
    """Seconds in, milliseconds out."""
    return {"runs": len(samples), "p50_ms": statistics.median(samples) * 1000,
            "p95_ms": percentile(samples, 95) * 1000, "max_ms": max(samples) * 1000}


def pg_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    from sqlalchemy import create_engine, make_url, text
    try:
        engine = create_engine(make_url(url), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means: skip with a note
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def make_app(url: str):
    """The app on `url`, migrated, with the tests' world (offices, staff, bpmn/ deployed) built
    through its services."""
    import logging
    os.environ.setdefault("SECRET_KEY", "bench")
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from support import build_world
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        build_world()
        db.session.commit()
        db.session.remove()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return app


def user(username: str):
    """The user as a request reads its caller: with the office, in one statement built once (accounts.services)."""
    from app.extensions import db
    return db.session.scalars(_user_statement(), {"username": username}).one()


@functools.cache
def _user_statement():
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import joinedload

    from app.accounts.models import User
    return select(User).where(User.username == bindparam("username")).options(joinedload(User.office))


def fresh_session() -> None:
    """Each measured call starts as a request does: a new transaction, an empty identity map."""
    from app.extensions import db
    db.session.rollback()
    db.session.expunge_all()


class Statements:
    """Counts the SQL statements the app sends while in the with-block (inside an app context, or
    for `app` when given)."""

    def __init__(self, app=None):
        self.count, self.app = 0, app

    def __enter__(self):
        from sqlalchemy import event

        from app.extensions import db
        if self.app is not None:
            with self.app.app_context():
                self.engine = db.engine
        else:
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def _seen(self, *args):
        self.count += 1

    def __exit__(self, *exc):
        from sqlalchemy import event
        event.remove(self.engine, "before_cursor_execute", self._seen)


def timed(function, runs: int, warm_up: int = 1) -> list[float]:
    samples = []
    for run in range(warm_up + runs):
        fresh_session()
        started = time.perf_counter()
        function()
        if run >= warm_up:
            samples.append(time.perf_counter() - started)
    return samples


def clone_case(seed_id: int, copies: int, tag: str) -> None:
    """Copy a case `copies` times (new unique numbers) with its work items and timers.

    Plain INSERT ... SELECT: going through start_case 100,000 times would take most of an hour.
    The copies carry the seed's own task state, so they are real cases the write path can work
    on; the inbox and the sweep read only the projection tables (work_item, timer), which hold
    exactly what the write path wrote for the seed.
    """
    from sqlalchemy import text

    from app.extensions import db
    columns = {table: list(db.metadata.tables[table].columns.keys()) for table in ("case", "work_item", "timer")}
    seq = "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < :copies) "
    case_cols = [c for c in columns["case"] if c != "id"]
    picks = ["src.number || :tag || CAST(seq.n AS VARCHAR)" if c == "number" else f'src."{c}"' for c in case_cols]
    db.session.execute(text(
        f'INSERT INTO "case" ({", ".join(chr(34) + c + chr(34) for c in case_cols)}) '
        f"{seq}SELECT {', '.join(picks)} FROM \"case\" src, seq WHERE src.id = :seed"),
        {"copies": copies, "tag": f"-{tag}", "seed": seed_id})
    number = db.session.execute(text('SELECT number FROM "case" WHERE id = :id'), {"id": seed_id}).scalar()
    for table in ("work_item", "timer"):
        cols = [c for c in columns[table] if c not in ("id", "case_id")]
        picks = ["NULL" if c == "escalation_of_id" else f'x."{c}"' for c in cols]
        db.session.execute(text(
            f'INSERT INTO {table} (case_id, {", ".join(chr(34) + c + chr(34) for c in cols)}) '
            f'SELECT c.id, {", ".join(picks)} FROM "case" c JOIN {table} x ON x.case_id = :seed '
            f"WHERE c.number LIKE :prefix"), {"seed": seed_id, "prefix": f"{number}-{tag}%"})
    db.session.commit()


def clone_place() -> str:
    """SQL: the place of the case row aliased `c` among the clones numbered LIKE :prefix (0 for the first)."""
    from app.extensions import db
    own_id = "CAST(c.id AS INTEGER)" if db.engine.dialect.name == "sqlite" else "c.id"
    return f"({own_id} - (SELECT min(id) FROM \"case\" WHERE number LIKE :prefix))"


def moved(column: str, amount: str, unit: str) -> str:
    """SQL: the timestamp `column` moved by the SQL number `amount` (negative: earlier) of `unit`,
    "days" or "minutes", on either database."""
    from app.extensions import db
    if db.engine.dialect.name == "sqlite":
        return f"datetime({column}, ({amount}) || ' {unit}')"
    return f"{column} + make_interval({'mins' if unit == 'minutes' else unit} => {amount})"


def analyze() -> None:
    """Fresh statistics for both planners; on PostgreSQL also the visibility map that index-only
    scans need, as autovacuum would have written it after a load this size, and a checkpoint: the
    load's pages are written out before anything is timed, not during it (without it, a checkpoint
    that the load's write-ahead log set off ran through the report timings)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from app.extensions import db
    if db.engine.dialect.name == "postgresql":
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
            try:
                connection.execute(text("CHECKPOINT"))
            except DBAPIError as exc:  # a --pg-url role without pg_checkpoint (or superuser)
                say("no CHECKPOINT after the load (%s): a checkpoint may fall on the timings",
                    str(exc.orig).splitlines()[0])
        return
    db.session.execute(text("ANALYZE"))
    db.session.commit()
