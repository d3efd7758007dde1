"""python -m bench [--full] [--pg-url URL]   (make bench, make bench FULL=1)

Quick by default (under 3 minutes: 10,000 open items, 200 due timers, short load runs);
--full for the national sizes (100,000 open items in one office, 1,000 due timers, 10,000
cases for memory). Every database is new and removed afterwards: SQLite in a temporary
directory, PostgreSQL as a database of its own on --pg-url's server (default: the private
test server of scripts/postgres.sh); PostgreSQL is skipped with a note when it cannot be
reached. Writes bench/results.json and bench/results.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from . import load, reports, scale, throughput
from .report import render
from .world import DEFAULT_PG, ROOT, fresh_database, make_app, pg_reachable, say, stats_ms

HERE = Path(__file__).resolve().parent
QUICK = {"runs": 20, "throughput_cases": 15, "http_cases": 8, "inbox_items": 10_000, "due": 200, "state_cases": 50,
         "load_users": 8, "load_seconds": 12, "load_max_requests": 3_000, "load_seed_cases": 15,
         "memory_small": 100, "memory_large": 500,
         "report_cases": 10_000, "report_runs": 5}
FULL = {"runs": 50, "throughput_cases": 40, "http_cases": 25, "inbox_items": 100_000, "due": 1_000,
        "state_cases": 200, "load_users": 16, "load_seconds": 60, "load_max_requests": 30_000, "load_seed_cases": 40,
        "memory_small": 1_000, "memory_large": 10_000,
        "report_cases": 100_000, "report_runs": 20}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def script_call_ms(runs: int = 2000) -> dict:
    """One call of the sandbox that runs designers' scripts (engine/scripting), a one-line script."""
    from app.engine.scripting import ScriptHelpers, script_engine
    engine = script_engine(ScriptHelpers(working_days=lambda n: f"P{n}D", today=lambda: "2026-12-01"))
    samples = []
    for _ in range(runs):
        context = {"floor_area": 120}
        started = time.perf_counter()
        engine.environment.execute("fee_riel = floor_area * 1000", context)
        samples.append(time.perf_counter() - started)
        assert context["fee_riel"] == 120000
    return stats_ms(samples)


def plain_expression_ms(runs: int = 2000) -> dict:
    """One plain expression (a gateway's condition), which the server answers without a worker."""
    from app.engine.scripting import ScriptHelpers, script_engine
    engine = script_engine(ScriptHelpers(working_days=lambda n: f"P{n}D", today=lambda: "2026-12-01"))
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = engine.environment.evaluate('intake_decision == "accept"', {"intake_decision": "accept"})
        samples.append(time.perf_counter() - started)
        assert answer is True
    return stats_ms(samples)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(memory / 1024 / 1024, 1),
            "platform": platform.platform(), "python": platform.python_version(),
            "load_average": os.getloadavg()}


def commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        # The run's own results files do not make the tree it measured dirty.
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":!bench/results.json", ":!bench/results.md"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return sha + ("+uncommitted changes" if dirty else "") if sha else "unknown"
    except OSError:
        return "unknown"


def versions() -> dict:
    from importlib.metadata import version
    return {name: version(name) for name in ("SpiffWorkflow", "SQLAlchemy", "Flask", "gunicorn", "locust",
                                             "psycopg")}


def memory(url: str, sizes: dict) -> dict:
    say("memory: a worker processing %d cases", sizes["memory_large"])
    out = subprocess.run([sys.executable, "-m", "bench.memory", url, str(sizes["memory_small"]),
                          str(sizes["memory_large"])], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def sqlite_part(sizes: dict, results: dict) -> None:
    from sqlalchemy import create_engine
    with fresh_database(None, "throughput") as url:
        app = make_app(url)
        results["throughput"] = throughput.run(url, app, sizes, free_port())
        create_engine(url).dispose()
    with fresh_database(None, "state") as url:
        results["state"] = scale.state_bytes_per_case(make_app(url), sizes["state_cases"])
        say("state: %.0f bytes per case in review", results["state"]["bytes_per_case"])
    with fresh_database(None, "scale") as url:
        app = make_app(url)
        results["scale_sqlite"] = scale.inbox_and_sweep(app, sizes["inbox_items"], sizes["runs"])
        results["fired_sqlite"] = scale.timers_fired_per_s(app, sizes["due"])
    with fresh_database(None, "reports") as url:
        results["reports_sqlite"] = reports.run(make_app(url), sizes["report_cases"], sizes["report_runs"])


def memory_part(sizes: dict, results: dict) -> None:
    with fresh_database(None, "memory") as url:
        make_app(url)
        results["memory"] = memory(url, sizes)


def postgresql_part(sizes: dict, results: dict, pg_url: str) -> None:
    with fresh_database(pg_url, "onewindow_bench_scale") as url:
        app = make_app(url)
        results["scale_postgresql"] = scale.inbox_and_sweep(app, sizes["inbox_items"], sizes["runs"])
        results["fired_postgresql"] = scale.timers_fired_per_s(app, sizes["due"])
        results["two_sweepers_postgresql"] = scale.two_sweepers(app, sizes["due"])
        with app.app_context():
            from app.extensions import db
            db.engine.dispose()
    with fresh_database(pg_url, "onewindow_bench_reports") as url:
        app = make_app(url)
        results["reports_postgresql"] = reports.run(app, sizes["report_cases"], sizes["report_runs"])
        with app.app_context():
            from app.extensions import db
            db.engine.dispose()
    with fresh_database(pg_url, "onewindow_bench_load") as url:
        app = make_app(url)
        results["load"] = load.run(url, app, sizes, free_port())
        with app.app_context():
            from app.extensions import db
            db.engine.dispose()


def headline(results: dict) -> dict:
    """The top-level numbers of results.json (None where a part did not run)."""
    def get(*path):
        value = results
        for key in path:
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value
    before, after = get("memory", "after_small"), get("memory", "after_large")
    return {
        "raw_cases_per_s": get("throughput", "raw", "cases_per_s"),
        "service_cases_per_s": get("throughput", "services", "cases_per_s"),
        "http_cases_per_s": get("throughput", "http", "cases_per_s"),
        "service_vs_raw": get("throughput", "service_vs_raw"),
        "service_vs_raw_cpu": get("throughput", "cpu_service_vs_raw"),
        "raw_stored_cases_per_s": get("throughput", "raw_stored", "cases_per_s"),
        "service_vs_raw_stored": get("throughput", "service_vs_raw_stored"),
        "engine_stored_cases_per_s": get("throughput", "engine_stored", "cases_per_s"),
        "service_vs_engine_stored": get("throughput", "service_vs_engine_stored"),
        "http_vs_raw": get("throughput", "http_vs_raw"),
        "state_bytes_per_case": get("state", "bytes_per_case"),
        "inbox_p95_ms_100k_sqlite": get("scale_sqlite", "inbox_p95_ms"),
        "inbox_p95_ms_100k_postgresql": get("scale_postgresql", "inbox_p95_ms"),
        "sweep_ms_100k_none_due_sqlite": get("scale_sqlite", "sweep_none_due", "p95_ms"),
        "sweep_ms_100k_none_due_postgresql": get("scale_postgresql", "sweep_none_due", "p95_ms"),
        "timers_fired_per_s_sqlite": get("fired_sqlite", "timers_per_s"),
        "timers_fired_per_s_postgresql": get("fired_postgresql", "timers_per_s"),
        "two_sweepers_cases_fired_exactly_once": get("two_sweepers_postgresql", "cases_fired_once"),
        "load_requests_per_s_2_workers": get("load", "2_workers", "requests_per_s"),
        "load_requests_per_s_4_workers": get("load", "4_workers", "requests_per_s"),
        "load_errors": (None if get("load") is None else
                        sum(run["errors"] for run in results["load"].values())),
        "rss_mib_after_1k_cases": before,
        "rss_mib_after_10k_cases": after,
        "rss_growth_ratio": (after / before - 1) if before and after else None,
        "script_call_ms": get("script", "p50_ms"),
        "plain_expression_call_ms": get("plain_expression", "p50_ms"),
        "reports_p95_ms_100k_sqlite": get("reports_sqlite", "slowest_p95_ms"),
        "reports_p95_ms_100k_postgresql": get("reports_postgresql", "slowest_p95_ms"),
    }


REPORT_FILES = ("results.json", "results.md")


def unwritable(path: Path) -> str | None:
    """Why `path` cannot be written, or None; an existing file is left as it is, a new one is not left behind."""
    existed = path.exists()
    try:
        with path.open("a"):
            pass
    except OSError as exc:
        return exc.strerror
    if not existed:
        path.unlink()
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the national sizes (100,000 open items...)")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server (default %(default)s)")
    parser.add_argument("--out", default=str(HERE), help="directory for results.json and results.md")
    parser.add_argument("--set", action="append", default=[], metavar="SIZE=N",
                        help=f"change one size (recorded in the report): {', '.join(QUICK)}")
    args = parser.parse_args(argv)
    sizes = dict(FULL if args.full else QUICK)
    for change in args.set:
        key, _, value = change.partition("=")
        if key not in sizes or not value.isdigit():
            parser.error(f"--set {change}: use one of {', '.join(sizes)} with a whole number")
        sizes[key] = int(value)
    started = time.perf_counter()
    results: dict = {"mode": "full" if args.full else "quick", "sizes": sizes, "notes": [],
                     "sizes_changed": args.set}
    out = Path(args.out)
    try:  # before the run, not after it: a report that cannot be written must not cost the measurements
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"--out {args.out}: cannot create the directory ({exc.strerror})")
    for name in REPORT_FILES:
        if (why := unwritable(out / name)) is not None:
            parser.error(f"--out {args.out}: cannot write {name} there ({why})")

    def save() -> dict:
        """Written after each part, so a run cut short still leaves what it measured."""
        results["wall_s"] = time.perf_counter() - started
        document = {"machine": machine(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "commit": commit(), "versions": versions(), **headline(results), "details": results}
        (out / "results.json").write_text(json.dumps(document, indent=1, default=str) + "\n")
        (out / "results.md").write_text(render(document))
        return document

    results["script"] = script_call_ms()
    results["plain_expression"] = plain_expression_ms()
    sqlite_part(sizes, results)
    save()
    why = pg_reachable(args.pg_url)
    if why is None:
        postgresql_part(sizes, results, args.pg_url)
    else:
        results["notes"].append(f"PostgreSQL skipped: {args.pg_url} is not reachable ({why}); "
                                "start it with scripts/postgres.sh start.")
    save()
    memory_part(sizes, results)
    document = save()
    print(render(document))
    say("written to %s/results.json and results.md in %.0f s", out, results["wall_s"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
