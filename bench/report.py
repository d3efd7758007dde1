"""bench/results.md from the results document."""
from __future__ import annotations

TARGETS = [
    # key, what, target (text), check(value) -> met?
    ("service_vs_raw", "start + complete through the services vs the raw engine", "≥ 0.5×", lambda v: v >= 0.5),
    ("http_vs_raw", "over HTTP (one gunicorn worker) vs the raw engine", "≥ 0.3×", lambda v: v >= 0.3),
    ("state_bytes_per_case", "SQLite growth per commercial-licence case in review (bytes)", "≤ 8,192",
     lambda v: v <= 8192),
    ("inbox_p95_ms_100k_sqlite", "inbox p95, query and page, SQLite (ms)", "≤ 50", lambda v: v <= 50),
    ("inbox_p95_ms_100k_postgresql", "inbox p95, query and page, PostgreSQL (ms)", "≤ 50", lambda v: v <= 50),
    ("sweep_ms_100k_none_due_sqlite", "sweep p95, none due, SQLite (ms)", "≤ 20", lambda v: v <= 20),
    ("sweep_ms_100k_none_due_postgresql", "sweep p95, none due, PostgreSQL (ms)", "≤ 20", lambda v: v <= 20),
    ("load_errors", "errors in the load runs (2 and 4 workers)", "0", lambda v: v == 0),
    ("reports_p95_ms_100k_sqlite", "slowest report p95 at 100,000 cases, SQLite (ms)", "≤ 500", lambda v: v <= 500),
    ("reports_p95_ms_100k_postgresql", "slowest report p95 at 100,000 cases, PostgreSQL (ms)", "≤ 500",
     lambda v: v <= 500),
    ("rss_growth_ratio", "worker RSS growth from the small to the large count of cases", "≤ 10 %",
     lambda v: v <= 0.10),
]


def _n(value, digits=1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _headline(key: str, value) -> str:
    """A top-level figure as both tables show it: the memory growth as a percentage (to two decimals it
    would read 0.01 for 0.7 %)."""
    return f"{value:.1%}" if key == "rss_growth_ratio" and value is not None else _n(value, 2)


def render(doc: dict) -> str:
    d = doc["details"]
    sizes = d["sizes"]
    m = doc["machine"]
    lines = ["# One Window benchmark", ""]
    add = lines.append
    add(f"- Date: {doc['date']}; commit `{doc['commit']}`; mode **{d['mode']}** "
        f"(`make bench{' FULL=1' if d['mode'] == 'full' else ''}`), wall time {d['wall_s']:.0f} s")
    add(f"- Machine: {m['cpus']} CPU(s), {m['cpu']}, {m['memory_gib']} GiB RAM, {m['platform']}, Python {m['python']}; "
        f"load average at the end {' / '.join(f'{x:.2f}' for x in m['load_average'])} (the machine is shared: "
        "other work shows up as noise)")
    add(f"- Versions: {', '.join(f'{k} {v}' for k, v in doc['versions'].items())}")
    if d["mode"] != "full":
        add(f"- Quick mode: the `*_100k_*` figures are measured at {sizes['inbox_items']:,} open items, "
            f"the memory figures after {sizes['memory_small']:,} and {sizes['memory_large']:,} cases; "
            "`make bench FULL=1` measures the national sizes.")
    if d.get("sizes_changed"):
        add(f"- Sizes changed on the command line: {', '.join(d['sizes_changed'])} (all sizes: {d['sizes']})")
    for note in d["notes"]:
        add(f"- Note: {note}")
    add("")
    add("Targets are measured here with real clocks, never in timed tests.")
    add("")
    add("## Targets")
    add("")
    add("| measure | value | target | met |")
    add("|---|---|---|---|")
    for key, what, target, check in TARGETS:
        value = doc.get(key)
        add(f"| {what} (`{key}`) | {_headline(key, value)} | {target} | "
            f"{'—' if value is None else ('yes' if check(value) else '**no**')} |")
    add("")
    add("## Headline numbers (results.json, top level)")
    add("")
    add("| key | value |")
    add("|---|---|")
    for key, value in doc.items():
        if key in ("machine", "date", "commit", "versions", "details"):
            continue
        add(f"| `{key}` | {_headline(key, value)} |")
    add("")

    t = d.get("throughput")
    if t:
        add("## Throughput: raw engine, services, HTTP")
        add("")
        add("bpmn/construction_permit.bpmn down its main line: five user tasks (check documents, plan review, "
            "site inspection, signature, hand-over), a script task, the service-standard timers of every step. "
            "Raw: SpiffWorkflow alone, parsed once, `serialize_json` (spec included, as the stock serializer "
            "writes it) after every step. Services: `start_case` and `complete` with a commit each, a new "
            "session each call. The raw engine, the references and the services took turns, in "
            f"{t['services'].get('rounds', 1)} rounds of a share of the cases each, so that the shared machine's slow "
            "and fast moments fall on all of them alike. HTTP: the JSON API, one gunicorn sync worker on loopback, "
            "SQLite, in rounds that took turns with the raw engine's, measured again beside it: HTTP is "
            "compared with that raw engine. The reference lines are not targets; each step of theirs reads "
            "the case's row, loads the workflow, runs the step, writes the state back and commits. The stock "
            "engine in SQLite: SpiffWorkflow and sqlite3 alone, the stock serializer (spec written and read "
            "with every step). One Window's engine in SQLite: app/engine's task state (spec kept once, "
            "compressed as the app stores it) in bare sqlite3, with none of the services' own work (ORM, work "
            "items, timers, history, forms, fees): the services' distance from it is that work.")
        add("")
        add("| | cases | cases/s | vs raw | CPU per case |")
        add("|---|---|---|---|---|")
        add(f"| raw engine | {t['raw']['cases']} | {_n(t['raw']['cases_per_s'])} | 1 | "
            f"{_n(t['raw'].get('cpu_ms_per_case'))} ms |")
        for key, what in (("raw_stored", "the stock engine keeping its cases in SQLite (reference)"),
                          ("engine_stored", "One Window's engine keeping its task state in SQLite (reference)")):
            if t.get(key):
                add(f"| {what} | {t[key]['cases']} | {_n(t[key]['cases_per_s'])} | "
                    f"{_n(t[key]['cases_per_s'] / t['raw']['cases_per_s'], 2)}× | "
                    f"{_n(t[key].get('cpu_ms_per_case'))} ms |")
        add(f"| services | {t['services']['cases']} | {_n(t['services']['cases_per_s'])} | "
            f"{_n(t['service_vs_raw'], 2)}× | {_n(t['services'].get('cpu_ms_per_case'))} ms |")
        beside = t["http"]["raw_alongside"]
        add(f"| raw engine, taking turns with HTTP | {beside['cases']} | {_n(beside['cases_per_s'])} | "
            f"{_n(beside['cases_per_s'] / t['raw']['cases_per_s'], 2)}× | {_n(beside.get('cpu_ms_per_case'))} ms |")
        add(f"| HTTP, 1 worker ({t['http']['requests_per_case']} requests per case) | {t['http']['cases']} | "
            f"{_n(t['http']['cases_per_s'])} | {_n(t['http_vs_raw'], 2)}× of the line above | "
            f"{_n(t['http'].get('server_cpu_ms_per_case'))} ms in the worker |")
        add("")
        add("CPU per case is this process's own time (the server's worker for HTTP), as the kernel counts it: "
            "on a shared machine it moves less than the wall-clock rates. Scripts and expressions that went "
            "to a sandbox worker process: "
            f"{_n(t['services'].get('sandbox_worker_calls_per_case'), 1)} per case (plain ones are answered "
            "in the server, see app/engine/sandbox.py).")
        add("")
        w = t.get("where_time_goes")
        if w:
            add(f"Where a case's time goes through the services ({w['cases']} cases in a pass of their own, "
                f"{_n(w['ms_per_case'])} ms per case with the timers in place): each part's own time, what it "
                "calls that is another part counted there.")
            add("")
            add("| part | ms per case | share |")
            add("|---|---|---|")
            for part, ms in w["parts_ms_per_case"].items():
                add(f"| {part} | {_n(ms)} | {ms / w['ms_per_case']:.0%} |")
            add("")
        add("SQL statements per call (the most seen over all cases; the same for every case unless listed "
            "under 'varies'):")
        add("")
        add("| call | statements |")
        add("|---|---|")
        for call, count in {**t["services"]["statements_per_call"], **t["page_statements"]}.items():
            add(f"| {call} | {count} |")
        for call, seen in t["services"]["statements_vary"].items():
            add(f"| varies: {call} | {seen} |")
        add("")

    s = d.get("state")
    if s:
        add("## Database growth per case (SQLite)")
        add("")
        add(f"{s['cases']} commercial-licence cases registered and checked through the services (each then "
            "waits in technical review): the file grew by "
            f"**{_n(s['bytes_per_case'], 0)} bytes per case**, everything included (state, work items, timers, "
            f"history, notifications, indexes). The stored task state averages "
            f"{_n(s['stored_state_bytes_avg'], 0)} bytes (zstd); the procedure's spec, "
            f"{_n(s['spec_bytes_once_per_definition'], 0)} bytes, is stored once per process definition.")
        add("")
        add("Largest tables and indexes at the end (bytes): " + ", ".join(
            f"{k} {_n(v)}" for k, v in s["largest_tables_bytes"].items()))
        add("")

    for db in ("sqlite", "postgresql"):
        sc = d.get(f"scale_{db}")
        if not sc:
            continue
        add(f"## Inbox and sweep at {sc['open_items']:,} open items in one office ({db})")
        add("")
        add(f"Populated in {sc['populate_s']:.0f} s. Each timed call begins with a new transaction and an empty "
            f"identity map; {sc['query_first_page']['runs']} runs after one warm-up.")
        add("")
        add("| measure | p50 | p95 | max |")
        add("|---|---|---|---|")
        for key, what in (("query_first_page", "`inbox_page(dara)`: first page of 50"),
                          ("query_middle_page", "`inbox_page(dara, after=...)`: a page in the middle"),
                          ("page_first", "`GET /` as dara (HTML inbox page, rendered)"),
                          ("page_middle", "`GET /?after=...` (a page in the middle)"),
                          ("sweep_none_due", f"`sweep()`, {sc['timers_waiting']:,} timers waiting, none due")):
            r = sc[key]
            add(f"| {what} | {r['p50_ms']:.2f} ms | {r['p95_ms']:.2f} ms | {r['max_ms']:.2f} ms |")
        add("")
        add(f"The inbox query sends {sc['query_statements']} SQL statement(s) per page.")
        add("")
        f = d.get(f"fired_{db}")
        if f:
            add(f"Timers firing: {f['cases_due']:,} cases with their deadline timer due: one `sweep()` fired "
                f"{f['timers_fired']:,} timers in {f['seconds']:.1f} s: **{f['timers_per_s']:.0f} timers/s** "
                f"({f['cases_per_s']:.0f} cases/s); {f['cases_fired_once']:,} of {f['cases_due']:,} cases fired "
                "exactly once.")
            add("")
        two = d.get(f"two_sweepers_{db}")
        if two:
            add(f"Two sweepers at once over {two['cases_due']:,} due cases: they fired {two['fired_by_each']} "
                f"timers in {two['seconds']:.1f} s; **{two['cases_fired_once']:,} of {two['cases_due']:,} cases "
                f"fired exactly once**, {two['cases_fired_twice_or_more']} twice or more, {two['cases_not_fired']} "
                f"not at all; errors: {two['errors'] or 'none'}.")
            add("")

    load = d.get("load")
    if load:
        add("## Load: gunicorn on PostgreSQL with a scheduler process")
        add("")
        add("`gunicorn wsgi:app` (sync workers) on 127.0.0.1, `flask scheduler run` beside it (sweep every 5 s), "
            "locust headless (bench/locustfile.py): officers of three offices read their inbox, claim and "
            "complete work (intake, review, signature, hand-over, escalation follow-ups) and register new "
            "applications. A 409 on a claim (another officer took it first) is counted as a conflict, not an "
            "error.")
        add("")
        add("| workers | users | seconds | requests | requests/s | p50 | p95 | errors | conflicts (409) |")
        add("|---|---|---|---|---|---|---|---|---|")
        for run in load.values():
            add(f"| {run['workers']} | {run['users']} | {run['seconds']} | {run['requests']:,} | "
                f"{run['requests_per_s']:.1f} | {run['p50_ms']:.0f} ms | {run['p95_ms']:.0f} ms | {run['errors']} | "
                f"{run['conflicts_409']} |")
        add("")
        for run in load.values():
            add(f"{run['workers']} workers, by request: " + "; ".join(
                f"{name} {r['requests']} (p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms"
                f"{', ' + str(r['failures']) + ' failed' if r['failures'] else ''})" for name, r in
                run["by_request"].items()) + ("" if run["scheduler_running_throughout"] else
                                               " **The scheduler process had stopped.**"))
            for failure in run["failures"]:
                add(f"- failure: {failure}")
            add("")

    mem = d.get("memory")
    if mem:
        add("## Memory")
        add("")
        add(f"One process registers a licence and checks its documents through the services, one session and "
            f"one commit per call: RSS **{mem['after_small']:.1f} MiB after {mem['small']:,} cases**, "
            f"**{mem['after_large']:.1f} MiB after {mem['large']:,}** "
            f"({(mem['after_large'] / mem['after_small'] - 1):+.1%}).")
        add("")
    for kind in ("sqlite", "postgresql"):
        r = d.get(f"reports_{kind}")
        if not r:
            continue
        add(f"## Reports at {r['cases']:,} cases ({'SQLite' if kind == 'sqlite' else 'PostgreSQL'})")
        add("")
        add("Half the cases finished, half open, one in a hundred a complaint, spread over the last year (three real "
            "cases played through the services, cloned and moved back in time; bench/reports.py). Each report "
            f"for this quarter across every office, {d['sizes']['report_runs']} calls each, a fresh session per call; "
            f"populated in {r['populate_s']:.0f} s; the quarter held {r['check']['licences_started']:,} licences "
            f"started and {r['check']['complaints_received']:,} complaints.")
        add("")
        add("| report | p50 | p95 | slowest |")
        add("|---|---|---|---|")
        for name, value in r.items():
            if isinstance(value, dict) and "p95_ms" in value:
                add(f"| {name.replace('_', ' ')} | {value['p50_ms']:.0f} ms | {value['p95_ms']:.0f} ms "
                    f"| {value['max_ms']:.0f} ms |")
        add("")
    script = d.get("script")
    if script:
        add("## Script call")
        add("")
        add(f"One call of the designers' script sandbox (app/engine/scripting, `fee_riel = floor_area * 1000`, "
            f"run by a worker process): p50 {script['p50_ms']:.3f} ms, p95 {script['p95_ms']:.3f} ms over "
            f"{script['runs']} calls.")
        plain = d.get("plain_expression")
        if plain:
            add(f"A plain expression (`intake_decision == \"accept\"`, answered in the server): p50 "
                f"{plain['p50_ms']:.4f} ms, p95 {plain['p95_ms']:.4f} ms over {plain['runs']} calls.")
        add("")
    missing = [key for key, value in doc.items() if value is None]
    if missing:
        add("## Not measured in this run")
        add("")
        add(f"{', '.join(f'`{key}`' for key in missing)}: null in results.json; the notes at the top say which "
            "part did not run and why.")
        add("")
    return "\n".join(lines)
