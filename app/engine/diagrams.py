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


def _safe_parser() -> etree.XMLParser:
    # No DTDs, no entity expansion, no network: a diagram is data, never instructions to the parser.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_blank_text=False)


def read_xml(xml: bytes) -> etree._Element:
    if len(xml) > MAX_DIAGRAM_BYTES:
        raise DiagramError([Problem(f"The diagram is {len(xml) // 1024} KB; the limit is "
                                    f"{MAX_DIAGRAM_BYTES // (1024 * 1024)} MB.")], too_large=True)
    if b"<!DOCTYPE" in xml[:4096].upper() or b"<!ENTITY" in xml.upper():
        raise DiagramError([Problem("The diagram declares a DTD or entities; remove the <!DOCTYPE> "
                                    "(BPMN files never need one).")])
    try:
        root = etree.fromstring(xml, _safe_parser())
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
    schema = VALIDATOR.validator
    if schema.validate(root):
        return []
    problems = []
    for error in schema.error_log:
        message, element_id = _explain(root, error.message)
        problems.append(Problem(message, element_id or _element_at_line(root, error.line), error.line))
    return problems


_BAD_ID = re.compile(r"attribute '(?:id|\{[^}]*\}id)': '([^']*)' is not a valid value of the atomic type 'xs:ID'")


def _explain(root, message: str) -> tuple[str, str | None]:
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
    return f"BPMN schema: {message}", None


def properties_of(element) -> dict:
    props = {}
    for prop in element.findall("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
        if prop.get("name"):
            props[prop.get("name")] = prop.get("value", "")
    return props


def _lanes_by_node(process) -> dict[str, str]:
    lanes = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = lane.get("name") or ""
    return lanes


def summarise(root, process) -> Diagram:
    lanes = _lanes_by_node(process)
    user_tasks, timers, scripts, conditions = [], [], [], []
    start_form = None
    for element in process.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN_NS}}}"):
            continue
        tag = etree.QName(element).localname
        element_id = element.get("id")
        if tag == "userTask":
            props = properties_of(element)
            user_tasks.append(UserTaskInfo(
                element_id, element.get("name") or element_id, lanes.get(element_id),
                props.get("formJsonSchemaFilename") or None, props.get("formUiSchemaFilename") or None,
                props.get("serviceClock") == "stopped", element.sourceline))
        elif tag == "startEvent" and element.getparent() is process:
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
    return Diagram(
        process_id=process.get("id"), name=process.get("name") or process.get("id"),
        properties=properties_of(process), start_form=start_form,
        user_tasks=user_tasks, timers=timers, scripts=scripts, conditions=conditions,
        tree=root)


def _executable_process(root):
    processes = root.findall("bpmn:process", NS)
    ids = [p.get("id") for p in processes]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DiagramError([Problem(f"Two processes share the id '{d}'; every process needs its own id.", d,
                                    processes[ids.index(d)].sourceline) for d in duplicates])
    executable = [p for p in processes if p.get("isExecutable", "false") == "true"] or processes
    if len(executable) != 1:
        raise DiagramError([Problem(f"A diagram holds exactly one procedure; this one has {len(executable)} "
                                    "executable processes.")])
    return executable[0]


def process_identity(xml: bytes) -> tuple[str, str]:
    """The id and name of the diagram's procedure, from safely read XML only (no validation)."""
    process = _executable_process(read_xml(xml))
    if not process.get("id"):
        raise DiagramError([Problem("The process has no id; give it one (it is the procedure's key).",
                                    line=process.sourceline)])
    return process.get("id"), process.get("name") or process.get("id")


def spiff_problems(xml: bytes, filename: str) -> list[Problem]:
    try:
        load_specs(xml, filename)
    except ValidationException as exc:
        line = exc.line_number if isinstance(exc.line_number, int) else None
        return [Problem(f"{exc}", exc.id or None, line)]
    except SpiffWorkflowException as exc:
        return [Problem(str(exc))]
    return []


@lru_cache(maxsize=64)
def load_specs(xml: bytes, filename: str = "diagram.bpmn"):
    """Parse once per distinct diagram; SpiffWorkflow specs are immutable once built."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml, _safe_parser()), filename)
    process = _executable_process(read_xml(xml))
    spec, subprocess_specs = parser.get_spec(process.get("id")), parser.get_subprocess_specs(process.get("id"))
    # SpiffWorkflow gives tasks inside a subprocess the subprocess's lane; the diagram's
    # flowNodeRef says who really does the work (a send-back inside review is the front office's).
    lanes = _lanes_by_node(process)
    for each in (spec, *subprocess_specs.values()):
        for task_spec in each.task_specs.values():
            if task_spec.bpmn_id in lanes:
                task_spec.lane = lanes[task_spec.bpmn_id]
    return spec, subprocess_specs


def parse_diagram(xml: bytes, filename: str = "diagram.bpmn") -> Diagram:
    """Validate a diagram (XML safety, BPMN XSD, SpiffWorkflow parser) and summarise it.

    Raises DiagramError listing every problem found; lint rules live with the caller.
    """
    root = read_xml(xml)
    process = _executable_process(root)  # first: which procedure this is, before how it is written
    problems = xsd_problems(root)
    if problems:
        raise DiagramError(problems)
    problems = spiff_problems(xml, filename)
    if problems:
        raise DiagramError(problems)
    return summarise(root, process)
