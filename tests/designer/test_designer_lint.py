"""The lint finds what the BPMN schema and the engine let through: work no case can reach,
and (as warnings that do not block a deployment) work without a service standard."""
from app.engine import diagram_changes
from app.processes.services import check_diagram

from designer_support import BPMN_DIR, CHECK_DOCUMENTS, LICENCE, flow, licence, small_diagram, timer


FORMS = {path.name: path.read_bytes() for path in (BPMN_DIR.parent / "forms").glob("*.json")}


def problems_of(xml: bytes) -> list:
    return check_diagram(xml, "lint.bpmn", FORMS).problems


def by_severity(problems, severity):
    return sorted(p.element_id for p in problems if p.severity == severity)


def test_a_task_no_flow_leads_to_is_reported_with_everything_after_it():
    xml = small_diagram(
        '<bpmn:startEvent id="start"/><bpmn:userTask id="register" name="Register"/>'
        '<bpmn:userTask id="forgotten" name="Forgotten step"/><bpmn:endEvent id="end"/><bpmn:endEvent id="end_2"/>'
        + timer("register_deadline", "register") + timer("forgotten_deadline", "forgotten")
        + flow("start", "register") + flow("register", "end") + flow("forgotten", "end_2"),
        ["start", "register", "forgotten", "end", "end_2", "register_deadline", "forgotten_deadline"])
    problems = problems_of(xml)
    assert by_severity(problems, "error") == ["end_2", "forgotten", "forgotten_deadline"]
    forgotten = next(p for p in problems if p.element_id == "forgotten")
    assert "'Forgotten step' can never be reached" in forgotten.message and forgotten.line


def test_inside_a_subprocess_only_its_own_start_counts():
    xml = small_diagram(
        '<bpmn:startEvent id="start"/>'
        '<bpmn:subProcess id="review" name="Review">'
        '<bpmn:startEvent id="review_start"/><bpmn:userTask id="check" name="Check"/><bpmn:endEvent id="review_end"/>'
        '<bpmn:userTask id="stray" name="Stray"/>'
        + flow("review_start", "check") + flow("check", "review_end") + flow("stray", "review_end")
        + '</bpmn:subProcess><bpmn:endEvent id="end"/>' + timer("review_deadline", "review")
        + flow("start", "review") + flow("review", "end"),
        ["start", "review", "check", "review_end", "stray", "end", "review_deadline"])
    problems = problems_of(xml)
    assert by_severity(problems, "error") == ["stray"]
    assert by_severity(problems, "warning") == []  # the subprocess's timer is the standard of the work inside


def test_the_contents_of_an_unreachable_subprocess_are_reported_once_through_it():
    xml = small_diagram(
        '<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/>'
        '<bpmn:subProcess id="island"><bpmn:startEvent id="island_start"/><bpmn:endEvent id="island_end"/>'
        + flow("island_start", "island_end") + '</bpmn:subProcess>' + flow("start", "end"),
        ["start", "end", "island"])
    assert by_severity(problems_of(xml), "error") == ["island"]


def test_untimed_work_is_a_warning_but_escalation_follow_ups_are_not():
    xml = small_diagram(
        '<bpmn:startEvent id="start"/><bpmn:userTask id="register" name="Register"/>'
        '<bpmn:userTask id="hand_over" name="Hand over"/><bpmn:userTask id="follow_up" name="Follow up"/>'
        '<bpmn:endEvent id="end"/><bpmn:endEvent id="followed_up"/>' + timer("register_deadline", "register")
        + flow("start", "register") + flow("register", "hand_over") + flow("hand_over", "end")
        + flow("register_deadline", "follow_up") + flow("follow_up", "followed_up"),
        ["start", "register", "hand_over", "follow_up", "end", "followed_up", "register_deadline"])
    problems = problems_of(xml)
    assert by_severity(problems, "error") == []
    [warning] = [p for p in problems if p.severity == "warning"]
    assert warning.element_id == "hand_over" and "no service-standard timer" in warning.message


def test_the_process_library_has_no_unreachable_work_and_names_its_untimed_steps(database):
    # (the licence's call to the shared hand-over and its fee table resolve to their deployed versions)
    problems = problems_of(LICENCE)
    assert by_severity(problems, "error") == []
    assert by_severity(problems, "warning") == ["inform_refusal"]


def test_a_lane_that_is_not_a_role_is_reported_on_the_lane(database):
    problems = problems_of(licence((b'name="owso_chief"', b'name="chief"')))
    [lane] = [p for p in problems if p.element_id == "lane_owso_chief"]
    assert "Lane 'chief' is not a role" in lane.message and lane.severity == "error"


def test_the_changes_between_two_versions_are_read_from_their_xml():
    newer = licence(
        (CHECK_DOCUMENTS, b'name="Check documents, take the fee, give the receipt"'),
        (b"working_days(1)</bpmn:timeDuration>", b"working_days(2)</bpmn:timeDuration>"),
        (b'id="end_issued" name="Licence issued"', b'id="licence_issued" name="Licence issued"'))
    changes = diagram_changes(LICENCE, newer)
    assert [(e.id, old, e.name) for e, old in changes.renamed] == [
        ("check_documents", "Check documents and take the official fee",
         "Check documents, take the fee, give the receipt")]
    assert [(e.id, old, new) for e, old, new in changes.timers] == [
        ("check_documents_deadline", "timeDuration: working_days(1)", "timeDuration: working_days(2)")]
    assert [(e.id, e.kind_label) for e in changes.added] == [("licence_issued", "end event")]
    assert [e.id for e in changes.removed] == ["end_issued"]
    assert not diagram_changes(LICENCE, LICENCE)


def test_an_id_used_twice_is_named_in_plain_words():
    xml = small_diagram('<bpmn:startEvent id="start"/><bpmn:userTask id="register"/><bpmn:endEvent id="register"/>'
                        + flow("start", "register"), ["start", "register"])
    [problem] = problems_of(xml)
    assert problem.message == "The id 'register' is used by 2 elements; every element needs its own id."
    assert (problem.element_id, problem.line) == ("register", 6)
