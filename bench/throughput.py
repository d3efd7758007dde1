"""Cases per second: the raw SpiffWorkflow engine, One Window's services, and One Window over
HTTP (one gunicorn worker), on the same procedure, the same steps and the same data, in one run.

The procedure is bpmn/construction_permit.bpmn down its main line: five user tasks (intake,
plan review, site inspection, signature, hand-over) and a script task, with the service-standard
timers of every step. The raw engine serializes after every step, as any persistent use must.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time

from .world import ROOT, Statements, fresh_session, say, user

PERMIT = {"owner_name": "Chhim Vuthy", "owner_id_card_number": "011122233", "owner_phone": "017 222 333",
          "land_title_type": "hard_title", "land_title_number": "KPS-12-0456", "plot_address": "Phum Thmey",
          "plot_commune": "Kampong Siem", "construction_type": "new_building", "building_use": "residential",
          "total_floor_area_m2": 96, "number_of_floors": 2}
# (task, who does it, what they enter)
STEPS = [
    ("check_documents", "dara", {"intake_decision": "accept", "documents_received": ["owner_id_card_copy"],
                                 "fee_paid_riel": 200000}),
    ("review_plans", "sokha", {"plan_review_decision": "proceed_to_inspection", "plan_review_notes": "Plans conform.",
                               "land_use_conforms": True}),
    ("site_inspection", "sokha", {"inspection_date": "2026-12-01", "inspection_result": "compliant",
                                  "inspection_findings": "As drawn."}),
    ("sign_permit", "vanna", {"signature_decision": "sign", "permit_number": "CP-0001",
                              "permit_valid_until": "2027-12-01"}),
    ("hand_over", "dara", {"handed_over_on": "2026-12-02", "received_by": "Chhim Vuthy"}),
]
PROCESS = "construction_permit"
# Who starts the case (the counter) and who works its steps.
API_USERS = sorted({"dara"} | {username for _, username, _ in STEPS})


def with_official_fee(app) -> None:
    """The counter takes the catalogue's fee for this application (the same for every case here)."""
    from app.catalogue.services import fee_due, service_for_process
    with app.app_context():
        found = service_for_process(PROCESS)
        if found is not None:
            STEPS[0][2]["fee_paid_riel"] = fee_due(found.current, PERMIT)


def _stock_engine(service: dict):
    """SpiffWorkflow as it comes: the procedure parsed once, the stock serializer (spec included), a plain
    script engine. `service`: the catalogue entry's values the diagram's timers read."""
    from types import SimpleNamespace

    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    parser = SpiffBpmnParser()  # the procedure, the procedures it calls and its decision tables
    parser.add_bpmn_files([str(path) for path in sorted((ROOT / "bpmn").glob("*.bpmn"))])
    parser.add_dmn_files([str(path) for path in sorted((ROOT / "bpmn").glob("*.dmn"))])
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    # The diagrams' timers call working_days(n) and read service.*: the raw engine gets plain stand-ins.
    engine = PythonScriptEngine(environment=TaskDataEnvironment({"working_days": lambda n: f"P{n}D",
                                                                  "service": SimpleNamespace(**service)}))
    return parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS), serializer, engine


def _timed_cases(one_case, cases: int) -> dict:
    one_case()  # warm-up
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(cases):
        one_case()
    elapsed = time.perf_counter() - started
    return {"cases": cases, "seconds": elapsed, "cases_per_s": cases / elapsed,
            "cpu_ms_per_case": (time.process_time() - cpu) / cases * 1000}


def raw_engine(cases: int, service: dict) -> dict:
    """SpiffWorkflow alone: parse once, then per case run every step and serialize after each."""
    spec, subprocess_specs, serializer, engine = _stock_engine(service)

    def one_case():
        workflow = _started(spec, subprocess_specs, engine)
        serializer.serialize_json(workflow)
        for name, _, data in STEPS:
            _step(workflow, name, data)
            serializer.serialize_json(workflow)
        assert workflow.completed
    return _timed_cases(one_case, cases)


def _started(spec, subprocess_specs, engine):
    """A new case of the stock engine, run up to its first user task."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=engine)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(PERMIT)
    workflow.do_engine_steps()
    return workflow


def _step(workflow, name: str, data: dict) -> None:
    """One user task of the stock engine done with `data`, and the engine run on to the next."""
    from SpiffWorkflow.util.task import TaskState
    task = next(t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.bpmn_id == name)
    task.data.update(data)
    task.run()
    workflow.do_engine_steps()


def raw_engine_stored(cases: int, service: dict, directory: str) -> dict:
    """A reference, not a target: the stock engine keeping its cases in SQLite, with nothing of One
    Window's. SpiffWorkflow and sqlite3 alone, the stock serializer, which writes and reads the spec with
    every step: each step reads the case's row, deserializes it, runs, serializes and writes it back, and
    commits (WAL, SQLite's default synchronous=FULL, as the app)."""
    import sqlite3

    spec, subprocess_specs, serializer, engine = _stock_engine(service)
    connection = sqlite3.connect(f"{directory}/raw-stored.sqlite", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE IF NOT EXISTS workflow (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")

    def write(case_id, workflow):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT OR REPLACE INTO workflow (id, state) VALUES (?, ?)",
                           (case_id, serializer.serialize_json(workflow)))
        connection.execute("COMMIT")

    def one_case():
        workflow = _started(spec, subprocess_specs, engine)
        case_id = connection.execute("INSERT INTO workflow (state) VALUES ('')").lastrowid
        write(case_id, workflow)
        for name, _, data in STEPS:
            state, = connection.execute("SELECT state FROM workflow WHERE id = ?", (case_id,)).fetchone()
            workflow = serializer.deserialize_json(state)
            workflow.script_engine = engine
            _step(workflow, name, data)
            write(case_id, workflow)
        assert workflow.completed
    try:
        return _timed_cases(one_case, cases)
    finally:
        connection.close()


def counter_procedure(app):
    """(procedure, helpers): the deployed procedure's specs and the script helpers a case of it started at
    dara's counter gets, as the write path gives them (its office's calendar, the catalogue entry)."""
    from app.calendars.services import office_calendar, script_helpers
    from app.cases.state import procedure_of
    from app.catalogue.services import procedure_and_promise
    with app.app_context():
        office = user("dara").office
        definition, promise = procedure_and_promise(PROCESS, office)
        return procedure_of(definition), script_helpers(office_calendar(office),
                                                        promise.script_view() if promise else None)


def engine_stored(app, cases: int, directory: str) -> dict:
    """A reference, not a target: One Window's engine (app/engine: the case's own task state, the spec
    kept once, the office's script helpers) keeping each case in bare sqlite3, its state compressed as
    the app stores it on SQLite, and nothing else of the services: no ORM, work items, timers, history,
    forms or fees. Each step, in one write transaction: read the row, load the workflow, complete the
    step, write the state back, commit (WAL, synchronous=FULL, as the app). What the services take
    beyond this is their own work per call."""
    import sqlite3

    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from app.db import CompressedText
    from app.engine import CaseWorkflow
    procedure, helpers = counter_procedure(app)
    column, dialect = CompressedText(), sqlite_dialect.dialect()
    connection = sqlite3.connect(f"{directory}/engine-stored.sqlite", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE IF NOT EXISTS workflow (id INTEGER PRIMARY KEY, state BLOB NOT NULL)")

    def one_case():
        workflow = CaseWorkflow.create(procedure, PERMIT, helpers)
        workflow.start()
        case_id = connection.execute("INSERT INTO workflow (state) VALUES (?)",
                                     (column.process_bind_param(workflow.to_state(), dialect),)).lastrowid
        for name, _, data in STEPS:
            connection.execute("BEGIN IMMEDIATE")
            state, = connection.execute("SELECT state FROM workflow WHERE id = ?", (case_id,)).fetchone()
            workflow = CaseWorkflow.from_state(column.process_result_value(state, dialect), procedure, helpers)
            workflow.complete(next(t.task_id for t in workflow.ready_tasks() if t.element_id == name), data)
            connection.execute("UPDATE workflow SET state = ? WHERE id = ?",
                               (column.process_bind_param(workflow.to_state(), dialect), case_id))
            connection.execute("COMMIT")
        assert workflow.completed
    try:
        with app.app_context():  # the script engine's sandbox reads the app's settings
            return _timed_cases(one_case, cases)
    finally:
        connection.close()


def service_case(seen: Statements | None = None, statements: dict[str, list[int]] | None = None) -> None:
    """The same steps through write_path.start_case and work_items.complete, one commit per call as a request
    does (inside an app context); with `seen` and `statements`, each call's count of SQL statements is added
    under its name."""
    from app.cases.work_items import complete
    from app.cases.write_path import start_case
    from app.extensions import db

    def committed(name: str, call):
        """call() and the commit, their statements counted under `name`."""
        before = seen.count if seen is not None else 0
        result = call()
        db.session.commit()
        if statements is not None:
            statements.setdefault(name, []).append(seen.count - before)
        return result
    fresh_session()
    dara = user("dara")
    case = committed("start_case + commit", lambda: start_case(PROCESS, PERMIT, dara, dara.office))
    for name, username, data in STEPS:
        # The caller takes the work item from the case the last call returned, as an API client does.
        item_id = next(item.id for item in case.open_items if item.task == name)
        fresh_session()
        actor = user(username)
        case = committed(f"complete({name}) + commit", lambda: complete(actor, item_id, data))
    fresh_session()


def services(app, cases: int) -> dict:
    """service_case `cases` times, timed, counting the SQL statements of each call."""
    from sqlalchemy import func, select

    from app.cases.models import Case
    from app.engine.sandbox import SANDBOX
    from app.extensions import db

    statements: dict[str, list[int]] = {}

    def completed():
        return db.session.scalar(select(func.count()).select_from(Case).where(Case.status == "completed"))
    # One listener for the whole run, each call's statements the count's difference: a listener added and
    # removed around each call would be timed with it.
    with app.app_context(), Statements() as seen:
        service_case()  # warm-up
        before, worker_calls = completed(), SANDBOX.worker_calls
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(cases):
            service_case(seen, statements)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert completed() - before == cases, f"{completed() - before} of {cases} cases completed"
        worker_calls = SANDBOX.worker_calls - worker_calls
        db.session.remove()
    # The timings include loading the user, as a request loads its signed-in user; the statement counts are
    # the service call's only.
    return {"cases": cases, "seconds": elapsed, "cases_per_s": cases / elapsed,
            "cpu_ms_per_case": cpu / cases * 1000, "sandbox_worker_calls_per_case": worker_calls / cases,
            "statements_per_call": {k: max(v) for k, v in statements.items()},
            "statements_vary": {k: sorted(set(v)) for k, v in statements.items() if len(set(v)) > 1}}


# Where a case's time goes through the services: each part's own time (what it called that is
# another part is counted there), measured in a pass of its own so the headline run is not slowed.
PARTS = [
    ("engine: read the task state", "app.engine.runtime", "CaseWorkflow.from_state"),
    ("engine: run the steps", "app.engine.runtime", "CaseWorkflow._run"),
    ("engine: write the task state", "app.engine.runtime", "CaseWorkflow.to_state"),
    ("engine: project (data, ready work, timers)", "app.engine.runtime", "CaseWorkflow.data"),
    ("engine: project (data, ready work, timers)", "app.engine.runtime", "CaseWorkflow.ready_tasks"),
    ("engine: project (data, ready work, timers)", "app.engine.runtime", "CaseWorkflow.waiting_timers"),
    ("scripts and expressions (sandbox)", "app.engine.sandbox", "Sandbox.run"),
    ("form validation", "app.cases.work_items", "validate_submission"),  # where it is called from
    ("form validation", "app.cases.write_path", "validate_submission"),
    ("history: hash chain", "app.audit.services", "event_hash"),
    ("ORM queries (statements built, rows made into objects)", "sqlalchemy.orm.session", "Session._execute_internal"),
    ("ORM flush (unit of work)", "sqlalchemy.orm.session", "Session.flush"),
    ("commit (SQLite: write-ahead log, fsync)", "sqlalchemy.orm.session", "Session.commit"),
]


def where_time_goes(app, cases: int) -> dict:
    """Milliseconds per case by part; 'SQL statements' is the driver's time executing them, and the rest
    (the app's own code, ORM attribute bookkeeping) is what none of the parts account for."""
    import functools
    import importlib

    from sqlalchemy import event

    from app.extensions import db
    spent: dict[str, float] = {}
    stack: list[list] = []  # [part, started, time of the parts called inside]

    def enter(part):
        stack.append([part, time.perf_counter(), 0.0])

    def leave():
        part, began, inner = stack.pop()
        took = time.perf_counter() - began
        spent[part] = spent.get(part, 0.0) + took - inner
        if stack:
            stack[-1][2] += took

    def timed(part, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            enter(part)
            try:
                return function(*args, **kwargs)
            finally:
                leave()
        return wrapper
    undo = []
    for part, module, name in PARTS:
        owner_name, _, attribute = name.rpartition(".")
        owner = getattr(importlib.import_module(module), owner_name) if owner_name else importlib.import_module(module)
        raw = owner.__dict__[attribute]
        wrapped = (classmethod(timed(part, raw.__func__)) if isinstance(raw, classmethod)
                   else timed(part, raw))
        setattr(owner, attribute, wrapped)
        undo.append((owner, attribute, raw))
    with app.app_context():
        engine = db.engine
    before = lambda *args: enter("SQL statements (driver)")  # noqa: E731
    after = lambda *args: leave()  # noqa: E731
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        started = time.perf_counter()
        run = services(app, cases)
        total = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        for owner, attribute, raw in undo:
            setattr(owner, attribute, raw)
    per_case = (cases + 1)  # services() runs one warm-up case too
    parts = {part: seconds * 1000 / per_case for part, seconds in sorted(spent.items(), key=lambda kv: -kv[1])}
    parts["the rest: the app's own code, ORM attribute bookkeeping"] = total * 1000 / per_case - sum(parts.values())
    return {"cases": cases, "ms_per_case": total * 1000 / per_case, "parts_ms_per_case": parts,
            "cases_per_s_instrumented": run["cases_per_s"]}


def statements_per_page(app) -> dict:
    """SQL statements of the pages staff open most, with a case waiting in review in the office."""
    from sqlalchemy import select

    from app.cases.models import WorkItem
    from app.cases.work_items import complete
    from app.cases.write_path import start_case
    from app.extensions import db
    from support import PASSWORD, csrf_token_from
    with app.app_context():
        dara = user("dara")
        case = start_case(PROCESS, PERMIT, dara, dara.office)
        complete(dara, case.open_items[0].id, STEPS[0][2])
        db.session.commit()
        item_id, case_id = db.session.execute(select(WorkItem.id, WorkItem.case_id).where(
            WorkItem.case_id == case.id, WorkItem.status == "open")).one()
        db.session.remove()
    client = app.test_client()  # requests outside any app context of ours, as in production
    page = client.get("/login")
    client.post("/login", data={"username": "sokha", "password": PASSWORD,
                                "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    token = client.post("/api/v1/token", json={"username": "sokha", "password": PASSWORD}).get_json()["token"]
    api = {"Authorization": f"Bearer {token}"}
    counts = {}
    for label, url, headers in (("inbox page GET /", "/", {}), ("work item page", f"/work-items/{item_id}", {}),
                                ("case page", f"/cases/{case_id}", {}),
                                ("API GET /api/v1/inbox", "/api/v1/inbox", api),
                                ("API GET /api/v1/cases/ID", f"/api/v1/cases/{case_id}", api)):
        client.get(url, headers=headers)  # warm-up
        with Statements(app) as seen:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
        counts[label] = seen.count
    return counts


def api_case(call) -> None:
    """The same steps through the JSON API; `call(method, path under /api/v1, username, body)` answers
    the JSON, whatever carries the requests."""
    case = call("POST", "/cases", "dara", {"process": PROCESS, "data": PERMIT})  # answers its first work
    for name, username, data in STEPS:
        item = next(i for i in case["work_items"] if i["task"] == name)
        case = call("POST", f"/work-items/{item['id']}/complete", username, {"data": data})
    assert case["status"] == "completed", case["status"]


def http(url: str, cases: int, port: int, service: dict) -> dict:
    """The same steps through the JSON API of one gunicorn worker on loopback, in rounds that take turns
    with rounds of the raw engine, measured again here: the ratio compares the two at the same moments of
    the shared machine, as the in-process measures are compared."""
    import requests
    env_server = {"DATABASE_URL": url, "SECRET_KEY": "bench", "SCHEDULER_ENABLED": "0"}
    server = start_gunicorn(env_server, workers=1, port=port)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        from support import PASSWORD
        session = requests.Session()
        tokens = {name: session.post(f"{base}/token", json={"username": name, "password": PASSWORD}).json()["token"]
                  for name in API_USERS}

        def call(method, path, username, body=None):
            response = session.request(method, base + path, json=body,
                                       headers={"Authorization": f"Bearer {tokens[username]}"})
            if response.status_code >= 300:
                raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
            return response.json()

        def over_http(share: int) -> dict:
            """A round; its CPU is the server's (the worker's), not this process's."""
            server_cpu = process_cpu_seconds(server.pid, children=True)
            started = time.perf_counter()
            for _ in range(share):
                api_case(call)
            elapsed = time.perf_counter() - started
            server_cpu = process_cpu_seconds(server.pid, children=True) - server_cpu
            return {"cases": share, "seconds": elapsed, "cases_per_s": share / elapsed,
                    "cpu_ms_per_case": server_cpu / share * 1000}

        api_case(call)  # warm-up
        measured = alternating(cases, ROUNDS, {"raw": lambda n: raw_engine(n, service), "http": over_http})
    finally:
        stop(server)
    over, raw = measured["http"], measured["raw"]
    return {"cases": over["cases"], "seconds": over["seconds"], "cases_per_s": over["cases_per_s"], "workers": 1,
            "rounds": over["rounds"], "requests_per_case": 1 + len(STEPS),
            "server_cpu_ms_per_case": over["cpu_ms_per_case"], "raw_alongside": raw}


def process_cpu_seconds(pid: int, children: bool = False) -> float:
    """CPU time (user + system) the kernel counted for a process, and with children=True for its
    child processes that are still running (gunicorn's workers)."""
    import os
    from pathlib import Path
    ticks = os.sysconf("SC_CLK_TCK")

    def of(one):
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks
    total = of(pid)
    if children:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                        total += of(int(entry.name))
                except (OSError, ValueError):
                    continue
    return total


def start_gunicorn(env: dict, workers: int, port: int, log=None) -> subprocess.Popen:
    import os
    import requests
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--access-logfile", "-" if log else "/dev/null", "--timeout", "120", "wsgi:app"]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log or subprocess.DEVNULL,
                              stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/login", timeout=10).status_code == 200:
                    return server
            except (requests.ConnectionError, requests.Timeout):
                pass
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {server.returncode}")
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 120 s")
    except BaseException:
        stop(server)
        raise


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# The in-process measures take turns, a share of the cases each per round, so that the shared machine's
# slow and fast moments fall on all of them alike; each one's rounds are summed.
ROUNDS = 5


def alternating(cases: int, rounds: int, measures: dict) -> dict:
    rounds_of: dict[str, list[dict]] = {name: [] for name in measures}
    for round_ in range(rounds):
        share = cases // rounds + (round_ < cases % rounds)
        for name, measure in measures.items():
            rounds_of[name].append(measure(share))
    return {name: summed(runs) for name, runs in rounds_of.items()}


def summed(runs: list[dict]) -> dict:
    """One measure's rounds as one run: cases, seconds and CPU added up; statement counts, the most seen."""
    cases, seconds = sum(r["cases"] for r in runs), sum(r["seconds"] for r in runs)
    total = {**runs[0], "cases": cases, "seconds": seconds, "cases_per_s": cases / seconds, "rounds": len(runs),
             "cpu_ms_per_case": sum(r["cpu_ms_per_case"] * r["cases"] for r in runs) / cases}
    if "statements_per_call" in total:
        calls = {call for r in runs for call in r["statements_per_call"]}
        seen = {call: sorted({count for r in runs for count in r["statements_vary"].get(call, [])}
                             | {r["statements_per_call"][call] for r in runs if call in r["statements_per_call"]})
                for call in calls}
        total["statements_per_call"] = {call: max(counts) for call, counts in seen.items()}
        total["statements_vary"] = {call: counts for call, counts in seen.items() if len(counts) > 1}
        total["sandbox_worker_calls_per_case"] = sum(
            r["sandbox_worker_calls_per_case"] * r["cases"] for r in runs) / cases
    return total


def run(url: str, app, sizes: dict, port: int) -> dict:
    from app.catalogue.services import service_for_process
    with app.app_context():
        found = service_for_process(PROCESS)
        entry = found.current.script_view() if found else {}  # what the diagram's timers read of the catalogue
    with_official_fee(app)
    with tempfile.TemporaryDirectory(prefix="onewindow-raw-") as directory:
        measured = alternating(sizes["throughput_cases"], ROUNDS, {
            "raw": lambda n: raw_engine(n, entry),
            "raw_stored": lambda n: raw_engine_stored(n, entry, directory),
            "engine_stored": lambda n: engine_stored(app, n, directory),
            "services": lambda n: services(app, n)})
    raw, stored, service = measured["raw"], measured["raw_stored"], measured["services"]
    engine = measured["engine_stored"]
    say("raw engine: %.1f cases/s; keeping its cases in SQLite: %.1f; One Window's engine so: %.1f; "
        "services: %.1f (%d rounds)", raw["cases_per_s"], stored["cases_per_s"], engine["cases_per_s"],
        service["cases_per_s"], ROUNDS)
    pages = statements_per_page(app)
    over_http = http(url, sizes["http_cases"], port, entry)
    say("HTTP, one gunicorn worker: %.1f cases/s; the raw engine taking turns with it: %.1f",
        over_http["cases_per_s"], over_http["raw_alongside"]["cases_per_s"])
    breakdown = where_time_goes(app, sizes["throughput_cases"])
    return {"raw": raw, "raw_stored": stored, "engine_stored": engine, "services": service, "http": over_http,
            "page_statements": pages,
            "service_vs_raw": service["cases_per_s"] / raw["cases_per_s"],
            "http_vs_raw": over_http["cases_per_s"] / over_http["raw_alongside"]["cases_per_s"],
            "cpu_service_vs_raw": raw["cpu_ms_per_case"] / service["cpu_ms_per_case"],
            "service_vs_raw_stored": service["cases_per_s"] / stored["cases_per_s"],
            "service_vs_engine_stored": service["cases_per_s"] / engine["cases_per_s"],
            "where_time_goes": breakdown}


