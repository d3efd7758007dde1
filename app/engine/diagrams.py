"""Reading BPMN diagrams safely and summarising what One Window needs from them."""
import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_DIAGRAM_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    message: str
    element_id: str | None = None
    line: int | None = None
    severity: str = "error"

    def as_dict(self) -> dict:
        return {"message": self.message, "element_id": self.element_id, "line": self.line,
                "severity": self.severity}


class DiagramError(Exception):
    def __init__(self, problems: list[Problem], too_large: bool = False):
        self.problems = problems
        self.too_large = too_large
        super().__init__("; ".join(p.message for p in problems))


@dataclass(frozen=True)
class TimerInfo:
    id: str
    attached_to: str | None
    kind: str  # timeDuration, timeDate or timeCycle
    expression: str
    interrupting: bool
    line: int | None


@dataclass(frozen=True)
class UserTaskInfo:
    id: str
    name: str
    lane: str | None
    form: str | None
    ui_form: str | None
    clock_stopped: bool
    line: int | None


@dataclass(frozen=True)
class CallInfo:
    id: str
    name: str
    called: str
    line: int | None
    process: str  # the process the call activity sits in


@dataclass(frozen=True)
class RuleTaskInfo:
    id: str
    name: str
    decision: str | None
    line: int | None


@dataclass(frozen=True)
class SpecSources:
    """Everything a procedure's engine spec is built from: its diagram, the diagrams of the
    procedures it calls, and the decision tables its business-rule tasks evaluate."""
    filename: str
    xml: bytes
    called: tuple[tuple[str, bytes], ...] = ()
    decisions: tuple[tuple[str, bytes], ...] = ()


@dataclass
class Diagram:
    process_id: str
    name: str
    properties: dict
    start_form: str | None
    user_tasks: list[UserTaskInfo]
    timers: list[TimerInfo]
    scripts: list[tuple[str, str, int | None]]  # (element id, source, line)
    conditions: list[tuple[str, str, int | None]]
    tree: etree._Element = field(repr=False)
    processes: list[str] = field(default_factory=list)  # every executable process in the file, entry first
    collaboration: str | None = None  # set when the pools run side by side, exchanging messages
    calls: list[CallInfo] = field(default_factory=list)  # every call activity, in whichever process
    rule_tasks: list[RuleTaskInfo] = field(default_factory=list)

    def external_calls(self) -> list[CallInfo]:
        """Call activities naming a process that another diagram holds."""
        return [call for call in self.calls if call.called not in self.processes]


def safe_parser() -> etree.XMLParser:
    # No DTDs, no entity expansion, no network: a diagram is data, never instructions to the parser.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_blank_text=False)


def check_xml_safety(xml: bytes, what: str = "diagram", kind: str = "BPMN") -> None:
    if len(xml) > MAX_DIAGRAM_BYTES:
        raise DiagramError([Problem(f"The {what} is {len(xml) // 1024} KB; the limit is "
                                    f"{MAX_DIAGRAM_BYTES // (1024 * 1024)} MB.")], too_large=True)
    if b"<!DOCTYPE" in xml[:4096].upper() or b"<!ENTITY" in xml.upper():
        raise DiagramError([Problem(f"The {what} declares a DTD or entities; remove the <!DOCTYPE> "
                                    f"({kind} files never need one).")])


def read_xml(xml: bytes) -> etree._Element:
    check_xml_safety(xml)
    try:
        root = etree.fromstring(xml, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise DiagramError([Problem(f"The file is not well-formed XML: {exc.msg}", line=exc.lineno)])
    if root.getroottree().docinfo.doctype:
        raise DiagramError([Problem("The diagram declares a DTD; remove the <!DOCTYPE>.")])
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise DiagramError([Problem("This is not a BPMN 2.0 file: the root element must be "
                                    "bpmn:definitions.", line=root.sourceline)])
    return root


def _element_at_line(root, line) -> str | None:
    if line is None:
        return None
    for element in root.iter():
        if element.sourceline == line and isinstance(element.tag, str):
            element_id = element.get("id")
            if element_id:
                return element_id
            parent = element.getparent()
            while parent is not None and not parent.get("id"):
                parent = parent.getparent()
            return parent.get("id") if parent is not None else None
    return None


def xsd_problems(root) -> list[Problem]:
    return xsd_problems_with(VALIDATOR.validator, root, "BPMN schema")


def xsd_problems_with(schema, root, label: str) -> list[Problem]:
    if schema.validate(root):
        return []
    problems = []
    for error in schema.error_log:
        message, element_id = _explain(root, error.message, label)
        problems.append(Problem(message, element_id or _element_at_line(root, error.line), error.line))
    return problems


_BAD_ID = re.compile(r"attribute '(?:id|\{[^}]*\}id)': '([^']*)' is not a valid value of the atomic type 'xs:ID'")


def _explain(root, message: str, label: str) -> tuple[str, str | None]:
    """The XSD's words (and the element they are about), except where a designer would not
    recognise the mistake in them."""
    bad_id = _BAD_ID.search(message)
    if bad_id:
        value = bad_id.group(1)
        uses = sum(1 for element in root.iter() if isinstance(element.tag, str) and element.get("id") == value)
        if uses > 1:
            return f"The id '{value}' is used by {uses} elements; every element needs its own id.", value
        return (f"'{value}' is not a valid id: start with a letter or '_', and use only letters, digits, "
                "'_', '-' and '.'."), None
    return f"{label}: {message}", None


def properties_of(element) -> dict:
    props = {}
    for prop in element.findall("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
        if prop.get("name"):
            props[prop.get("name")] = prop.get("value", "")
    return props


def _lanes_by_node(root) -> dict[str, str]:
    lanes = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = lane.get("name") or ""
    return lanes


def _bpmn_tag(element) -> str | None:
    if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN_NS}}}"):
        return None
    return etree.QName(element).localname


def summarise(root, entry) -> Diagram:
    """What One Window needs from every executable process of the diagram (the entry first)."""
    lanes = _lanes_by_node(root)
    processes = [entry] + [p for p in executable_processes(root) if p is not entry]
    user_tasks, timers, scripts, conditions, calls, rule_tasks = [], [], [], [], [], []
    start_form = None
    for process, element in ((p, e) for p in processes for e in p.iter()):
        tag = _bpmn_tag(element)
        element_id = element.get("id")
        if tag == "userTask":
            props = properties_of(element)
            user_tasks.append(UserTaskInfo(
                element_id, element.get("name") or element_id, lanes.get(element_id),
                props.get("formJsonSchemaFilename") or None, props.get("formUiSchemaFilename") or None,
                props.get("serviceClock") == "stopped", element.sourceline))
        elif tag == "startEvent" and element.getparent() is entry:
            start_form = properties_of(element).get("formJsonSchemaFilename") or start_form
        elif tag == "timerEventDefinition":
            event = element.getparent()
            for kind in ("timeDuration", "timeDate", "timeCycle"):
                body = element.find(f"bpmn:{kind}", NS)
                if body is not None:
                    timers.append(TimerInfo(event.get("id"), event.get("attachedToRef"), kind,
                                            (body.text or "").strip(),
                                            event.get("cancelActivity", "true") != "false", body.sourceline))
        elif tag == "scriptTask":
            script = element.find("bpmn:script", NS)
            scripts.append((element_id, (script.text or "") if script is not None else "", element.sourceline))
        elif tag == "conditionExpression":
            conditions.append((element.getparent().get("id"), (element.text or "").strip(), element.sourceline))
        elif tag == "callActivity":
            calls.append(CallInfo(element_id, element.get("name") or element_id, element.get("calledElement") or "",
                                  element.sourceline, process.get("id")))
        elif tag == "businessRuleTask":
            ref = element.find("bpmn:extensionElements/spiffworkflow:calledDecisionId", NS)
            rule_tasks.append(RuleTaskInfo(element_id, element.get("name") or element_id,
                                           (ref.text or "").strip() or None if ref is not None else None,
                                           element.sourceline))
    return Diagram(
        process_id=entry.get("id"), name=entry.get("name") or entry.get("id"),
        properties=properties_of(entry), start_form=start_form,
        user_tasks=user_tasks, timers=timers, scripts=scripts, conditions=conditions,
        tree=root, processes=[p.get("id") for p in processes], collaboration=collaboration_of(root),
        calls=calls, rule_tasks=rule_tasks)


def executable_processes(root) -> list:
    processes = root.findall("bpmn:process", NS)
    ids = [p.get("id") for p in processes]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DiagramError([Problem(f"Two processes share the id '{d}'; every process needs its own id.", d,
                                    processes[ids.index(d)].sourceline) for d in duplicates])
    return [p for p in processes if p.get("isExecutable", "false") == "true"] or processes


def _called_here(root) -> set[str]:
    return {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity")}


def _started_by_message(process) -> bool:
    starts = process.findall("bpmn:startEvent", NS)
    return bool(starts) and all(s.find("bpmn:messageEventDefinition", NS) is not None for s in starts)


def entry_process(root):
    """The process a case starts in. With several executable processes it is the one marked with
    the property entryProcess = true, or else the only one that no call activity calls and no
    message starts (the others are its sub-procedures or the pools it exchanges messages with)."""
    executable = executable_processes(root)
    if len(executable) == 1:
        return executable[0]
    marked = [p for p in executable if properties_of(p).get("entryProcess") == "true"]
    if len(marked) == 1:
        return marked[0]
    if len(marked) > 1:
        raise DiagramError([Problem(f"Processes {', '.join(p.get('id') for p in marked)} are all marked as the "
                                    "entry process (entryProcess = true); mark only the one a case starts in.",
                                    marked[1].get("id"), marked[1].sourceline)])
    called = _called_here(root)
    candidates = [p for p in executable if p.get("id") not in called and not _started_by_message(p)]
    if len(candidates) == 1:
        return candidates[0]
    ids = ", ".join(p.get("id") for p in (candidates or executable))
    raise DiagramError([Problem(f"This diagram holds {len(executable)} executable processes and does not say which "
                                f"one a case starts in ({ids}): give that process the property entryProcess = true, "
                                "call the others from it, or start them by a message.")])


def collaboration_of(root) -> str | None:
    """The collaboration to run when its pools run side by side: two or more executable processes
    take part and are not one another's sub-procedures."""
    collaboration = root.find("bpmn:collaboration", NS)
    if collaboration is None:
        return None
    executable = {p.get("id") for p in executable_processes(root)} - _called_here(root)
    pools = {p.get("processRef") for p in collaboration.findall("bpmn:participant", NS)} & executable
    return collaboration.get("id") if len(pools) > 1 else None


def process_identity(xml: bytes) -> tuple[str, str]:
    """The id and name of the diagram's procedure, from safely read XML only (no validation)."""
    process = entry_process(read_xml(xml))
    if not process.get("id"):
        raise DiagramError([Problem("The process has no id; give it one (it is the procedure's key).",
                                    line=process.sourceline)])
    return process.get("id"), process.get("name") or process.get("id")


def spiff_problems(sources: SpecSources) -> list[Problem]:
    try:
        load_specs(sources)
    except ValidationException as exc:
        line = exc.line_number if isinstance(exc.line_number, int) else None
        return [Problem(str(exc).strip(), exc.id or None, line)]
    except SpiffWorkflowException as exc:
        return [Problem(str(exc).strip())]
    return []


@lru_cache(maxsize=64)
def load_specs(sources: SpecSources):
    """Parse once per distinct set of sources; SpiffWorkflow specs are immutable once built."""
    parser = SpiffBpmnParser()
    for filename, dmn in sources.decisions:
        parser.add_dmn_xml(etree.fromstring(dmn, safe_parser()), filename)
    root = etree.fromstring(sources.xml, safe_parser())
    roots = [root] + [etree.fromstring(xml, safe_parser()) for _, xml in sources.called]
    parser.add_bpmn_xml(root, sources.filename)
    for (filename, _), called in zip(sources.called, roots[1:]):
        parser.add_bpmn_xml(called, filename)
    entry, collaboration = entry_process(root).get("id"), collaboration_of(root)
    if collaboration:
        spec, subprocess_specs = parser.get_collaboration(collaboration)
    else:
        spec, subprocess_specs = parser.get_spec(entry), parser.get_subprocess_specs(entry)
    # SpiffWorkflow gives tasks inside a subprocess the subprocess's lane; the diagram's
    # flowNodeRef says who really does the work (a send-back inside review is the front office's).
    lanes_of = {}
    for each in roots:
        lanes = _lanes_by_node(each)
        containers = [*each.findall("bpmn:process", NS), *each.iter(f"{{{BPMN_NS}}}subProcess"),
                      *each.iter(f"{{{BPMN_NS}}}transaction"), *each.iter(f"{{{BPMN_NS}}}adHocSubProcess")]
        lanes_of.update({container.get("id"): lanes for container in containers})
    for each in (spec, *subprocess_specs.values()):
        lanes = lanes_of.get(each.name, {})
        for task_spec in each.task_specs.values():
            if task_spec.bpmn_id in lanes:
                task_spec.lane = lanes[task_spec.bpmn_id]
    return spec, subprocess_specs


def outline(xml: bytes) -> Diagram:
    """Read a diagram safely, check it against the BPMN XSD and summarise it (no engine parse:
    what it calls is resolved by the caller, then checked with spiff_problems)."""
    root = read_xml(xml)
    entry = entry_process(root)  # first: which procedure this is, before how it is written
    problems = xsd_problems(root)
    if problems:
        raise DiagramError(problems)
    return summarise(root, entry)


def parse_diagram(xml: bytes, filename: str = "diagram.bpmn") -> Diagram:
    """Validate a self-contained diagram (XML safety, BPMN XSD, SpiffWorkflow parser) and summarise it.

    Raises DiagramError listing every problem found; lint rules live with the caller.
    """
    diagram = outline(xml)
    problems = spiff_problems(SpecSources(filename, xml))
    if problems:
        raise DiagramError(problems)
    return diagram
