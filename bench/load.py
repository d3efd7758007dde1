"""Load: gunicorn with 2 and 4 sync workers on PostgreSQL, the scheduler as its own process
(`flask scheduler run`), and locust headless on loopback driving bench/locustfile.py."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .throughput import start_gunicorn, stop
from .world import ROOT, say


def _seed_work(app, per_office: int) -> None:
    """Some work in every inbox before the run: licences registered at each office."""
    from app.cases.write_path import start_case
    from app.extensions import db
    from office_data import APPLICATION

    from .world import user
    with app.app_context():
        for username in ("dara", "bopha", "theary"):
            clerk = user(username)
            for _ in range(per_office):
                start_case("commercial_licence", APPLICATION, clerk, clerk.office)
            db.session.commit()
        db.session.remove()


def _sign_in(port: int) -> dict[str, str]:
    import requests

    from support import PASSWORD

    from .world import LOAD_STAFF
    return {name: requests.post(f"http://127.0.0.1:{port}/api/v1/token", timeout=60,
                                json={"username": name, "password": PASSWORD}).json()["token"]
            for name, _ in LOAD_STAFF}


def one_run(url: str, workers: int, users: int, seconds: int, max_requests: int, port: int) -> dict:
    env = {"DATABASE_URL": url, "SECRET_KEY": "bench", "SCHEDULER_ENABLED": "0"}
    scheduler = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "scheduler", "run"], cwd=ROOT,
                                 env={**os.environ, **env, "SWEEP_INTERVAL_SECONDS": "5"},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        server = start_gunicorn(env, workers=workers, port=port)
    except BaseException:
        stop(scheduler)
        raise
    out = Path(tempfile.mkdtemp(prefix="onewindow-locust-"))
    try:
        tokens = _sign_in(port)
        command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                   "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
                   "--host", f"http://127.0.0.1:{port}", "--csv", str(out / "run"), "--only-summary",
                   "--stop-timeout", "10", "--loglevel", "WARNING"]
        say("locust: %d users for %d s (at most %d requests) against %d worker(s)", users, seconds, max_requests,
            workers)
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env={**os.environ, "BENCH_MAX_REQUESTS": str(max_requests),
                                               "BENCH_CONFLICTS_FILE": str(out / "conflicts"),
                                               "BENCH_TOKENS": json.dumps(tokens)},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=seconds + 120)
        wall = time.perf_counter() - started
        scheduler_alive = scheduler.poll() is None
    finally:
        stop(server)
        stop(scheduler)
    rows = list(csv.DictReader((out / "run_stats.csv").open()))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    by_name = {r["Name"]: {"requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                           "p50_ms": float(r["50%"]), "p95_ms": float(r["95%"])}
               for r in rows if r["Name"] != "Aggregated"}
    failures = list(csv.DictReader((out / "run_failures.csv").open())) if (out / "run_failures.csv").exists() else []
    conflicts = int((out / "conflicts").read_text()) if (out / "conflicts").exists() else 0
    result = {"workers": workers, "users": users, "seconds": seconds, "wall_s": wall,
              "requests": int(total["Request Count"]), "errors": int(total["Failure Count"]),
              "requests_per_s": float(total["Requests/s"]), "p50_ms": float(total["50%"]),
              "p95_ms": float(total["95%"]), "conflicts_409": conflicts, "by_request": by_name,
              "failures": [{k: f[k] for k in ("Method", "Name", "Error", "Occurrences")} for f in failures][:10],
              "scheduler_running_throughout": scheduler_alive}
    say("%d workers: %.1f requests/s, p50 %.0f ms, p95 %.0f ms, %d errors, %d conflicts", workers,
        result["requests_per_s"], result["p50_ms"], result["p95_ms"], result["errors"], conflicts)
    return result


def run(url: str, app, sizes: dict, port: int) -> dict:
    _seed_work(app, sizes["load_seed_cases"])
    return {f"{workers}_workers": one_run(url, workers, sizes["load_users"], sizes["load_seconds"],
                                          sizes["load_max_requests"], port)
            for workers in (2, 4)}
