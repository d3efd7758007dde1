"""Most of what a diagram evaluates is plain (a gateway's `decision == "accept"`, a timer's
`working_days(5)`, a script setting `outcome = "approved"`): the server answers those itself, exactly
as the sandbox's worker would, and sends everything else, and every failure, to a worker."""
import pytest

from app.engine.sandbox import Sandbox, ScriptError


@pytest.fixture
def sandbox():
    box = Sandbox(cpu_seconds=1.0, memory_mb=64)
    yield box
    box.configure(1.0, 64)  # ends its idle workers


def working_days(n):
    return f"P{n}D"


SERVICE = {"service": ("namespace", {"key": "construction_permit", "deadline_working_days": 30})}


@pytest.mark.parametrize("mode, source, context, answer", [
    ("eval", 'intake_decision == "accept"', {"intake_decision": "accept"}, True),
    ("eval", 'plan_review_decision == "send_back"', {"plan_review_decision": "proceed_to_inspection"}, False),
    ("eval", "total_floor_area_m2 <= 100 and not exempt", {"total_floor_area_m2": 96, "exempt": False}, True),
    ("eval", '"kiosk" in channel_note', {"channel_note": "registered at the kiosk"}, True),
    ("eval", "150000", {}, 150000),
    ("eval", "working_days(service.deadline_working_days - 5)", {}, "P25D"),
    ("eval", '"late" if days > 5 else "on time"', {"days": 7}, "late"),
    ("exec", 'processing_outcome = "approved"', {"fee": 1}, {"fee": 1, "processing_outcome": "approved"}),
])
def test_a_plain_expression_is_answered_without_a_worker(sandbox, mode, source, context, answer):
    assert sandbox.run(mode, source, dict(context), None, {"working_days": working_days}, SERVICE) == answer
    assert sandbox.worker_calls == 0


def test_an_expression_that_is_not_plain_goes_to_a_worker(sandbox):
    assert sandbox.run("eval", "sum(fees) * 2", {"fees": [1, 2]}, None, {}) == 6
    assert sandbox.worker_calls == 1


def test_a_plain_expression_that_fails_gets_the_workers_words(sandbox):
    with pytest.raises(ScriptError) as failed:
        sandbox.run("eval", 'intake_decison == "accept"', {"intake_decision": "accept"}, None, {})
    assert str(failed.value) == "NameError: name 'intake_decison' is not defined"
    assert sandbox.worker_calls == 1


def test_a_helper_that_refuses_is_reported_by_name(sandbox):
    def refuse(n):
        raise ValueError("a timer counts at most 2500 working days; this one asked for more")
    with pytest.raises(ScriptError) as failed:
        sandbox.run("eval", "working_days(days)", {"days": 10**6}, None, {"working_days": refuse})
    assert str(failed.value) == "working_days(): a timer counts at most 2500 working days; this one asked for more"


@pytest.mark.parametrize("source, refusal", [
    ("floor_area.__class__", '"__class__" is an invalid attribute name because it starts with "_".'),
    ("__import__", '"__import__" is an invalid variable name because it starts with "_"'),
])
def test_what_reaches_past_plain_data_is_refused_by_the_worker(sandbox, source, refusal):
    with pytest.raises(ScriptError) as failed:
        sandbox.run("eval", source, {"floor_area": 120}, None, {})
    assert refusal in str(failed.value)
    assert sandbox.worker_calls == 1


def test_arithmetic_that_can_grow_without_bound_keeps_its_budget(sandbox):
    with pytest.raises(ScriptError) as failed:
        sandbox.run("eval", "floor_area ** 10 ** 10", {"floor_area": 120}, None, {})
    assert str(failed.value) == "the script ran past its CPU budget of 1 s and was stopped"
    assert sandbox.worker_calls == 1
