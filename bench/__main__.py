"""python -m bench [--database-url URL] [--cases N] [--interval S] [--all]

Without --database-url: a fresh SQLite database in a temporary file.
With a PostgreSQL --database-url: that URL names the server; the bench creates its own fresh
database on it (--pg-database, default onewindow_bench), and drops it afterwards.
--all: SQLite, then PostgreSQL on --pg-url (default: the private test server of
scripts/postgres.sh), each in its own process so that peak RSS is per database; PostgreSQL
is skipped with a note when the server cannot be reached.
The report goes to bench/report.md and to standard output.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from .report import render

HERE = Path(__file__).resolve().parent
DEFAULT_PG = f"postgresql+psycopg://postgres@127.0.0.1:{os.environ.get('ONEWINDOW_PG_PORT', '54329')}/onewindow_test"


def parse(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="sqlite:///new-file.sqlite, or a PostgreSQL server URL")
    parser.add_argument("--all", action="store_true", help="SQLite and PostgreSQL, one after the other")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server for --all (default %(default)s)")
    parser.add_argument("--pg-database", default="onewindow_bench",
                        help="the database the bench creates (and drops) on a PostgreSQL server")
    parser.add_argument("--keep-database", action="store_true", help="do not drop/delete the bench database")
    parser.add_argument("--cases", type=int, default=10_000, help="N: cases waiting, for sweep and inbox")
    parser.add_argument("--interval", type=float, default=15.0, help="sweep interval in seconds (app default 15)")
    parser.add_argument("--lag-timers", type=int, default=8, help="K: timers due during the lag measure")
    parser.add_argument("--window", type=float, default=40.0, help="seconds over which the K timers fall due")
    parser.add_argument("--runs", type=int, default=20, help="repetitions of each timed call (median)")
    parser.add_argument("--report", default=str(HERE / "report.md"), help="where to write the Markdown report")
    parser.add_argument("--json-out", help=argparse.SUPPRESS)  # used by --all for its child processes
    args = parser.parse_args(argv)
    if args.cases < args.runs + 1:
        parser.error(f"--cases must be at least {args.runs + 1} (complete() runs on {args.runs} distinct cases)")
    if args.lag_timers < 1:
        parser.error("--lag-timers must be at least 1")
    return args


@contextmanager
def fresh_database(url: str | None, pg_database: str, keep: bool):
    """Yield the URL of a database nobody else uses, created for this run."""
    from sqlalchemy import create_engine, make_url, text
    if url is None:
        directory = tempfile.mkdtemp(prefix="onewindow-bench-")
        try:
            yield f"sqlite:///{directory}/bench.sqlite"
        finally:
            if not keep:
                shutil.rmtree(directory, ignore_errors=True)
        return
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if not path or path == ":memory:":
            raise SystemExit("bench: give SQLite a file (sqlite:///path/bench.sqlite); the scheduler runs in "
                             "another thread and needs a shared database")
        if os.path.exists(path):
            raise SystemExit(f"bench: {path} exists; the bench needs a new file and will not touch yours")
        try:
            yield url
        finally:
            if not keep:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(path + suffix).unlink(missing_ok=True)
        return
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit(f"bench: SQLite or PostgreSQL only, not {parsed.get_backend_name()}")
    maintenance = parsed.database if parsed.database and parsed.database != pg_database else "postgres"
    admin = create_engine(parsed.set(database=maintenance), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{pg_database}"'))
    try:
        yield parsed.set(database=pg_database).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)'))
        admin.dispose()


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


def run_one(args, url: str | None) -> dict:
    from .measure import Bench
    with fresh_database(url, args.pg_database, args.keep_database) as database_url:
        bench = Bench(database_url, args.cases, args.interval, args.lag_timers, args.window, args.runs)
        results = bench.run()
    from sqlalchemy import make_url
    results["database_url"] = make_url(results["database_url"]).render_as_string(hide_password=True)
    return results


def run_child(args, url: str | None) -> dict:
    """One database in a process of its own (its own peak RSS), results back as JSON."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = out.name
    command = [sys.executable, "-m", "bench", "--cases", str(args.cases), "--interval", str(args.interval),
               "--lag-timers", str(args.lag_timers), "--window", str(args.window), "--runs", str(args.runs),
               "--pg-database", args.pg_database, "--json-out", path]
    if url:
        command += ["--database-url", url]
    if args.keep_database:
        command.append("--keep-database")
    try:
        completed = subprocess.run(command, cwd=HERE.parent)
        if completed.returncode != 0:
            return {"error": f"{' '.join(command)} exited with {completed.returncode}", "database_url": url or "sqlite"}
        return json.loads(Path(path).read_text())
    finally:
        Path(path).unlink(missing_ok=True)


def main(argv=None) -> int:
    args = parse(argv)
    started = time.perf_counter()
    if args.json_out:  # a child of --all
        Path(args.json_out).write_text(json.dumps(run_one(args, args.database_url), default=str))
        return 0
    runs, skipped = [], []
    if args.all:
        runs.append(run_child(args, None))
        why = pg_reachable(args.pg_url)
        if why is None:
            runs.append(run_child(args, args.pg_url))
        else:
            skipped.append(f"PostgreSQL skipped: {args.pg_url} is not reachable ({why}). "
                           "Start it with scripts/postgres.sh start.")
    else:
        runs.append(json.loads(json.dumps(run_one(args, args.database_url), default=str)))
    report = render(runs, args, skipped, time.perf_counter() - started)
    Path(args.report).write_text(report)
    print(report)
    print(f"(written to {args.report})", file=sys.stderr)
    return 0 if all("error" not in run for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
