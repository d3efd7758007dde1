"""Where a case's time goes, as pyinstrument's call tree, for finding why a ratio is missed:
`make profile` (the services) or `make profile HTTP=1` (the JSON API through Flask's test client:
the request layers without gunicorn or sockets). The same procedure, steps and data as the
throughput measure, on a fresh SQLite database. Nothing here is timed for the report.

    python -m bench.profile [--http] [--cases N] [--html FILE]
"""
from __future__ import annotations

import argparse
import sys

from . import throughput
from .world import fresh_database, make_app, say


def _api_caller(app):
    """call(method, path, username, body) through the test client, each user with their own token."""
    from support import PASSWORD
    client = app.test_client()
    tokens = {name: client.post("/api/v1/token", json={"username": name, "password": PASSWORD}).get_json()["token"]
              for name in throughput.API_USERS}

    def call(method, path, username, body=None):
        response = client.open(f"/api/v1{path}", method=method, json=body,
                               headers={"Authorization": f"Bearer {tokens[username]}"})
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return response.get_json()
    return call


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--http", action="store_true", help="through the JSON API instead of the services")
    parser.add_argument("--cases", type=int, default=30, help="cases profiled, after one warm-up (default 30)")
    parser.add_argument("--html", metavar="FILE", help="also write pyinstrument's interactive page there")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error(f"--cases must be at least 1, not {args.cases}")
    from pyinstrument import Profiler

    with fresh_database(None, "profile") as url:
        app = make_app(url)
        throughput.with_official_fee(app)
        if args.http:
            call = _api_caller(app)

            def run(cases):
                for _ in range(cases):
                    throughput.api_case(call)
        else:
            def run(cases):
                with app.app_context():
                    for _ in range(cases):
                        throughput.service_case()
        run(1)  # warm-up: caches, compiled statements, the sandbox worker
        say("profiling %d case(s) through %s", args.cases, "the JSON API" if args.http else "the services")
        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
        run(args.cases)
        profiler.stop()
    print(profiler.output_text(unicode=True, show_all=False))
    if args.html:
        profiler.write_html(args.html)
        say("interactive profile in %s", args.html)
    return 0


if __name__ == "__main__":
    sys.exit(main())
