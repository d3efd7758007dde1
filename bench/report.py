"""The Markdown report of one or more bench runs."""
import os
import platform
import sys
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version


def _version(package):
    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def _memory_total() -> str:
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "?"


def _ms(value) -> str:
    return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def _kb(value) -> str:
    return f"{value / 1024:.1f} KiB"


def _clock(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%H:%M:%S.%f")[:-3]


def _name(run) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(run.get("dialect"), run.get("dialect", "?"))


def render(runs: list[dict], args, skipped: list[str], elapsed: float) -> str:
    out = []
    add = out.append
    now = datetime.now(timezone.utc)
    add("# One Window benchmark")
    add("")
    add(f"- Date: {now:%Y-%m-%d %H:%M} UTC")
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    add(f"- Machine: {os.cpu_count()} CPU(s), {_cpu_model()}, {_memory_total()} RAM, {platform.platform()}; "
        f"load average at the end {load} (other work on the machine shows up as noise in the timings)")
    add(f"- Python {platform.python_version()} ({sys.executable}); SQLAlchemy {_version('SQLAlchemy')}, "
        f"SpiffWorkflow {_version('SpiffWorkflow')}, APScheduler {_version('APScheduler')}, "
        f"psycopg {_version('psycopg')}")
    add(f"- Command: `python -m bench {' '.join(sys.argv[1:])}`".rstrip())
    add(f"- Parameters: N = {args.cases} cases, K = {args.lag_timers} timers over {args.window:g} s, sweep interval "
        f"{args.interval:g} s, {args.runs} runs per timed call; wall time {elapsed:.0f} s")
    add("")
    add("Speed targets are measured here, with real clocks, never by timed tests. Every database is new, "
        "migrated with `flask_migrate.upgrade`, and populated by `tests/support.build_world` (offices KPS, "
        "SRK, BTB, their staff and the deployed `bpmn/`) through the app's services.")
    add("")
    for note in skipped:
        add(f"> **{note}**")
        add("")

    good = [run for run in runs if "error" not in run]
    for run in runs:
        if "error" in run:
            add(f"> **{run['database_url']}: the run failed: {run['error']}**")
            add("")
    if len(good) > 1:
        add("## Summary")
        add("")
        add("| | " + " | ".join(_name(r) for r in good) + " |")
        add("|---|" + "---|" * len(good))
        rows = [
            ("timer lag min / median / max", lambda r: "{:.1f} / {:.1f} / {:.1f} s".format(
                r["timer_lag"]["min_s"], r["timer_lag"]["median_s"], r["timer_lag"]["max_s"])
                if r["timer_lag"].get("fired") else "none fired"),
            ("timers fired", lambda r: f"{r['timer_lag']['fired']} of {r['timer_lag']['timers']}"),
        ]
        for label in good[0]["scale"]["sweep"]:
            rows.append((f"sweep(), {label}, none due (median)",
                         lambda r, label=label: _ms(r["scale"]["sweep"][label]["median_ms"])))
        rows += [
            ("due-timer query uses the fires_at index", lambda r: "yes" if r["scale"]["plan_uses_fires_at_index"]
             else "**no**"),
            ("inbox_items(dara), front office, deadlines spread (median)",
             lambda r: _ms(r["scale"]["inbox"]["spread"]["calls"]["inbox_items(dara)"]["median_ms"])),
            ("inbox_items(sokha), back office, deadlines spread (median)",
             lambda r: _ms(r["scale"]["inbox"]["spread"]["calls"]["inbox_items(sokha)"]["median_ms"])),
            ("inbox_items(dara), exact copies: one shared deadline (median)",
             lambda r: _ms(r["scale"]["inbox"]["exact"]["calls"]["inbox_items(dara)"]["median_ms"])),
            ("complete() + commit (median)", lambda r: _ms(r["scale"]["complete"]["median_ms"])),
            ("peak RSS of the bench process", lambda r: f"{r['memory']['peak_rss_mb']:.0f} MiB"),
            ("workflow JSON per case (average, all cases)",
             lambda r: _kb(r["memory"]["all_cases"]["avg_bytes"])),
        ]
        for label, value in rows:
            add(f"| {label} | " + " | ".join(value(r) for r in good) + " |")
        add("")

    for run in good:
        _section(add, run)
    return "\n".join(out).rstrip() + "\n"


def _section(add, run):
    name = _name(run)
    add(f"## {name}")
    add("")
    add(f"- Database: {run['server_version']}, `{run['database_url']}` (created for this run)")
    add(f"- Run time {run['total_s']:.0f} s: " + "; ".join(f"{k} {v:.1f} s" for k, v in run["phases_s"].items()))
    add("")

    lag = run["timer_lag"]
    add(f"### 1. Timer lag with the real APScheduler sweep ({name})")
    add("")
    add(f"`app.timers.scheduler.start_scheduler` with `SWEEP_INTERVAL_SECONDS` = {lag['interval_s']:g} s, in a "
        "background thread of this process, as under `flask run`. The K cases were made by the engine as it is, in "
        "an office of their own (LAG, district KPS-D): each started a commercial licence and completed "
        "`check_documents` inside `time_machine.travel(..., tick=False)` set to the moment from which "
        "`working_days(5)` (the `back_office_processing_deadline` timer) ends a few seconds after the real "
        "now, staggered over the window. No row was written by hand. Due = `Timer.fires_at`, fired = the "
        "`at` of the case's `timer_fired` audit event; lag = fired - due.")
    add("")
    if lag.get("calendar_note"):
        add(f"Note: {lag['calendar_note']}")
        add("")
    add("| case | due (UTC) | fired (UTC) | lag |")
    add("|---|---|---|---|")
    for row in lag["rows"]:
        add(f"| {row['number']} | {_clock(row['due'])} | {_clock(row['fired']) if row['fired'] else 'not fired'} | "
            + (f"{row['lag_s']:.2f} s |" if row["lag_s"] is not None else "— |"))
    add("")
    if lag.get("fired"):
        add(f"**Lag: min {lag['min_s']:.2f} s, median {lag['median_s']:.2f} s, max {lag['max_s']:.2f} s** "
            f"({lag['fired']} of {lag['timers']} timers fired; interval {lag['interval_s']:g} s, so the "
            f"expected lag is between 0 and one interval plus the sweep's own time).")
    else:
        add("**No timer fired within the waiting time.**")
    add("")

    scale = run["scale"]
    n = run["cases"]
    add(f"### 2. Sweep, inbox and write-path cost with N cases ({name})")
    add("")
    add(f"One case was put in review through the services (`start_case` + `complete(check_documents)` as "
        f"dara at KPS: open `{', '.join(scale['seed_review']['open_items'])}`, timers "
        + ", ".join(f"`{k}` {v[:16]}" for k, v in scale["seed_review"]["timers"].items())
        + f"). It was then cloned {n - 1} times with `INSERT ... SELECT` on `case` (new unique "
        "number), `work_item` and `timer` (same fire times, all in the future). That shortcut is sound here "
        "because the sweep and the inbox read only the indexed projection tables, whose rows are exactly what "
        "the write path writes; the clones also carry the seed's full workflow JSON, so `complete()` works on "
        "them like on any case. Then a case at intake (`check_documents` open for the front office) was started "
        f"the same way and cloned {n - 1} times, giving dara (front office, KPS) N open items and sokha (back "
        "office, KPS) N open items."
        + (" `ANALYZE` ran after each bulk change (autovacuum would do it on a live server)."
           if run["dialect"] == "postgresql" else ""))
    add("")
    add("Exact copies share their seed's deadline, which no real office has; so the inbox was measured twice: "
        "first on the exact copies, then after moving each clone's open work items and timers k minutes later "
        "(k = 1 .. N-1 within each set; plain UPDATEs of the projection rows only, which the workflow JSON of "
        "the clones does not follow: only reads were measured on them afterwards, and `complete()` re-projects "
        "from the JSON).")
    add("")
    add("| measure | median | min | max | runs |")
    add("|---|---|---|---|---|")
    for label, s in scale["sweep"].items():
        add(f"| `sweep()`, {label} ({s['timers']} timers), none due | **{_ms(s['median_ms'])}** | "
            f"{_ms(s['min_ms'])} | {_ms(s['max_ms'])} | {s['runs']} |")
    for key in ("spread", "exact"):
        variant = scale["inbox"][key]
        for call, s in variant["calls"].items():
            limit = " (its limit)" if s["returned"] < s["open_items"] else ""
            what = (f"`{call}`: {s['open_items']} open {s['role']} items in the office, returns "
                    f"{s['returned']}{limit}" if s["app_code"] else
                    f"&nbsp;&nbsp;the same query as `inbox_items({s['user']})` with `defer(Case.workflow_state)` "
                    "(comparison only, not app code)")
            add(f"| {what}; {variant['label']} | **{_ms(s['median_ms'])}** | {_ms(s['min_ms'])} | "
                f"{_ms(s['max_ms'])} | {s['runs']} |")
    c = scale["complete"]
    add(f"| `complete()` + commit: {c['by']}, {c['task']} on {c['runs']} distinct cases (then open: "
        f"{', '.join(c['next'])}) | **{_ms(c['median_ms'])}** | {_ms(c['min_ms'])} | {_ms(c['max_ms'])} | "
        f"{c['runs']} |")
    add("")
    add("Each timed call starts with a new transaction and an empty identity map, as a request or a sweep "
        "does; one untimed warm-up call precedes the timed runs of `sweep()` and of each inbox query.")
    add("")
    spread = scale["inbox"]["spread"]
    if spread["loads_workflow_state"]:
        intake = run["memory"]["workflow_json_bytes"]["at intake (check_documents open)"]
        app_call = spread["calls"]["inbox_items(dara)"]
        lean = next((s for s in spread["calls"].values() if not s["app_code"]), None)
        add(f"Observation: the inbox query (`joinedload(WorkItem.case)`) selects `case.workflow_state` too, so "
            f"`inbox_items(dara)` reads about {app_call['returned'] * intake / 1024 / 1024:.0f} MiB of workflow JSON "
            f"for its {app_call['returned']} rows, which the inbox never shows."
            + (f" The same query with `defer(Case.workflow_state)` (measured here for comparison only; not app "
               f"code) takes {_ms(lean['median_ms'])} against {_ms(app_call['median_ms'])}." if lean else ""))
        add("")
    add("The sweep's due-timer query, exactly as `sweep()` sent it (captured from the engine):")
    add("")
    add("```sql")
    add(scale["due_query"].strip())
    add("```")
    add("")
    add("Its plan (" + ("`EXPLAIN QUERY PLAN`" if run["dialect"] == "sqlite" else "`EXPLAIN (ANALYZE, BUFFERS)`")
        + f", {n} cases in the database):")
    add("")
    add("```")
    add(scale["due_query_plan"])
    add("```")
    add("")
    verdict = "uses" if scale["plan_uses_fires_at_index"] else "does **not** use"
    add(f"**The plan {verdict} the fires_at index** ({', '.join(f'`{i}`' for i in scale['fires_at_indexes'])}).")
    add("")
    add("The inbox query as `inbox_items(dara)` sent it:")
    add("")
    add("```sql")
    add(spread["query"].strip())
    add("```")
    add("")
    for key in ("spread", "exact"):
        variant = scale["inbox"][key]
        add(f"Its plan, {variant['label']}:")
        add("")
        add("```")
        add(variant["plan"])
        add("```")
        add("")
    if run["dialect"] == "postgresql":
        add("Execution Time is the database's share; the rest of an `inbox_items()` call is fetching the rows and "
            "building the ORM objects, workflow JSON included.")
        add("")

    mem = run["memory"]
    add(f"### 3. Memory ({name})")
    add("")
    add(f"- Peak RSS of the bench process (`resource.getrusage(RUSAGE_SELF).ru_maxrss`): "
        f"**{mem['peak_rss_mb']:.0f} MiB**; current RSS along the way: "
        + ", ".join(f"{k} {v:.0f} MiB" for k, v in run["rss_mb"].items() if v is not None))
    add(f"- Workflow JSON (`case.workflow_state`), average over all {mem['all_cases']['cases']} cases: "
        f"**{_kb(mem['all_cases']['avg_bytes'])}** per case ({mem['all_cases']['total_bytes'] / 1024 / 1024:.0f} "
        "MiB in all); by stage:")
    for label, size in mem["workflow_json_bytes"].items():
        add(f"  - {label}: {_kb(size)}")
    if mem.get("database_bytes"):
        add(f"- Database size at the end: {mem['database_bytes'] / 1024 / 1024:.0f} MiB")
    add("")
    if run["notes"]:
        add("Notes:")
        for note in run["notes"]:
            add(f"- {note}")
        add("")
