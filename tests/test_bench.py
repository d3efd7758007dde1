"""The benchmark, run by hand, takes minutes and writes the report the issue's figures are read from."""
import json
from pathlib import Path

import pytest

from bench.__main__ import main
from bench.report import render
from bench.world import percentile


def test_a_report_directory_that_cannot_be_made_is_refused_before_the_run(tmp_path, capsys):
    """Refused before anything is measured, not after."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as exit_:
        main(["--out", str(blocker / "results")])
    assert exit_.value.code == 2
    assert f"--out {blocker / 'results'}: cannot create the directory (Not a directory)" in capsys.readouterr().err


def test_a_report_file_that_cannot_be_written_is_refused_before_the_run(tmp_path, capsys):
    """A directory where results.md should be: refused at once, and the directory keeps what it held."""
    (tmp_path / "results.json").write_text("{}")
    (tmp_path / "results.md").mkdir()
    with pytest.raises(SystemExit) as exit_:
        main(["--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert f"--out {tmp_path}: cannot write results.md there (Is a directory)" in capsys.readouterr().err
    assert (tmp_path / "results.json").read_text() == "{}"


def test_the_report_shows_the_memory_growth_as_a_percentage_in_both_tables():
    document = json.loads((Path(__file__).parent.parent / "bench" / "results.json").read_text())
    document["rss_growth_ratio"] = 0.00683
    lines = render(document).splitlines()
    assert "| `rss_growth_ratio` | 0.7% |" in lines
    assert [line.split(" | ")[1] for line in lines if "(`rss_growth_ratio`)" in line] == ["0.7%"]


def test_the_95th_percentile_of_twenty_calls_is_the_nineteenth_slowest_not_the_slowest():
    twenty = [float(n) for n in range(20, 0, -1)]
    assert [percentile(twenty, 95), percentile(twenty[:10], 95), percentile(twenty[:1], 95)] == [19.0, 20.0, 20.0]
    assert percentile([float(n) for n in range(1, 51)], 95) == 48.0


def test_the_profile_shows_where_a_case_goes_through_the_services_and_through_the_api(capsys):
    from bench import profile
    assert profile.main(["--cases", "3"]) == 0
    services = capsys.readouterr().out
    assert profile.main(["--http", "--cases", "3"]) == 0
    api = capsys.readouterr().out
    assert "start_case  app/cases/write_path.py" in services and "complete  app/cases/work_items.py" in services
    assert "app/api/views.py" not in services
    assert "complete  app/api/views.py" in api and "complete  app/cases/work_items.py" in api


def test_a_profile_of_no_cases_is_refused(capsys):
    from bench import profile
    with pytest.raises(SystemExit) as stopped:
        profile.main(["--cases", "0"])
    assert stopped.value.code == 2
    assert "--cases must be at least 1, not 0" in capsys.readouterr().err


def test_one_window_s_engine_in_sqlite_stores_every_step_as_the_app_would_read_it(tmp_path):
    """The reference line beside the services: each case it ran is in its database, compressed as the
    app stores a case's state on SQLite, and reads back as a completed permit."""
    import sqlite3

    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from app.db import CompressedText
    from app.engine import CaseWorkflow
    from bench import throughput
    from bench.world import fresh_database, make_app

    with fresh_database(None, "engine-stored") as url:
        app = make_app(url)
        run = throughput.engine_stored(app, 2, str(tmp_path))
        stored = [state for state, in sqlite3.connect(tmp_path / "engine-stored.sqlite").execute(
            "SELECT state FROM workflow ORDER BY id")]
        procedure, helpers = throughput.counter_procedure(app)
        with app.app_context():
            read = [CaseWorkflow.from_state(CompressedText().process_result_value(state, sqlite_dialect.dialect()),
                                            procedure, helpers) for state in stored]
    assert run["cases"] == 2
    assert [state[:4] for state in stored] == [b"\x28\xb5\x2f\xfd"] * 3  # the warm-up and two cases, zstd frames
    assert [(workflow.completed, workflow.data()["permit_number"]) for workflow in read] == [(True, "CP-0001")] * 3
