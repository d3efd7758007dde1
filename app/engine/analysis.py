"""Reading the shape of a diagram: what can be reached, which work has a deadline, what changed."""
import re
from dataclasses import dataclass, field

from lxml import etree

from .diagrams import BPMN_NS, NS, Diagram, entry_process, executable_processes, read_xml

FLOW_NODES = {
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
    "exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway",
}
CONTAINERS = {"subProcess", "transaction", "adHocSubProcess"}


@dataclass(frozen=True)
class Element:
    id: str
    name: str
    kind: str  # the BPMN tag: userTask, boundaryEvent...
    line: int | None

    @property
    def kind_label(self) -> str:
        """userTask -> "user task", for people reading a list of changes."""
        return re.sub(r"(?<!^)([A-Z])", r" \1", self.kind).lower()


def _kind(element) -> str | None:
    if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{BPMN_NS}}}"):
        return None
    return etree.QName(element).localname


def _element(node) -> Element:
    return Element(node.get("id"), node.get("name") or "", _kind(node), node.sourceline)


def _processes(diagram: Diagram) -> list:
    """The diagram's executable processes, the entry process first."""
    found = {p.get("id"): p for p in diagram.tree.findall("bpmn:process", NS)}
    return [found[i] for i in diagram.processes or [diagram.process_id]]


def _flow_nodes(container) -> dict:
    return {child.get("id"): child for child in container if _kind(child) in FLOW_NODES}


def _has_timer(event) -> bool:
    return event.find("bpmn:timerEventDefinition", NS) is not None


def _link_name(event) -> str | None:
    link = event.find("bpmn:linkEventDefinition", NS)
    return link.get("name") if link is not None else None


def lanes(diagram: Diagram) -> list[Element]:
    return [_element(lane) for process in _processes(diagram) for lane in process.iter(f"{{{BPMN_NS}}}lane")]


def unreachable_elements(diagram: Diagram) -> list[Element]:
    """Flow nodes no token can reach, in document order.

    A node is reached from its container's start events along sequence flows; a boundary
    event through the activity it is attached to; a node inside a subprocess only when the
    subprocess itself is reached (the contents of an unreachable subprocess are not listed
    again: fixing the subprocess fixes them).
    """
    unreachable = []
    for process in _processes(diagram):
        _walk(process, unreachable)
    return unreachable


def _walk(container, unreachable: list[Element]) -> None:
    nodes = _flow_nodes(container)
    following: dict[str, list[str]] = {}
    for flow in container.findall("bpmn:sequenceFlow", NS):
        following.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    catches: dict[str, list[str]] = {}
    for node_id, node in nodes.items():
        if _kind(node) == "boundaryEvent":
            following.setdefault(node.get("attachedToRef"), []).append(node_id)
        elif _kind(node) == "intermediateCatchEvent" and _link_name(node):
            catches.setdefault(_link_name(node), []).append(node_id)
    for node_id, node in nodes.items():
        if _kind(node) == "intermediateThrowEvent" and _link_name(node):
            following.setdefault(node_id, []).extend(catches.get(_link_name(node), []))

    # Event subprocesses start on their trigger; without any start event BPMN starts every
    # node that has no incoming flow.
    entries = [i for i, n in nodes.items() if _kind(n) == "startEvent" or n.get("triggeredByEvent") == "true"]
    if not entries:
        targets = {t for ts in following.values() for t in ts}
        entries = [i for i, n in nodes.items() if i not in targets and _kind(n) != "boundaryEvent"]
    reached, queue = set(), list(entries)
    while queue:
        node_id = queue.pop()
        if node_id in reached or node_id not in nodes:
            continue
        reached.add(node_id)
        queue.extend(following.get(node_id, []))
    for node_id, node in nodes.items():
        if node_id not in reached:
            unreachable.append(_element(node))
        elif _kind(node) in CONTAINERS:
            _walk(node, unreachable)


def untimed_user_tasks(diagram: Diagram) -> list[Element]:
    """User tasks with no service-standard timer on them or on a subprocess around them.

    Escalation follow-ups are left out: they sit after a timer, which is their reason to exist.
    """
    processes = _processes(diagram)
    timed = {event.get("attachedToRef") for process in processes
             for event in process.iter(f"{{{BPMN_NS}}}boundaryEvent") if _has_timer(event)}
    # a process called from a timed call activity of this diagram runs under that deadline
    timed_processes = {call.get("calledElement") for process in processes
                       for call in process.iter(f"{{{BPMN_NS}}}callActivity") if call.get("id") in timed}
    untimed = []
    for process in processes:
        for task in process.iter(f"{{{BPMN_NS}}}userTask"):
            enclosing = [task] + [a for a in task.iterancestors() if _kind(a) in CONTAINERS]
            if (process.get("id") in timed_processes or any(element.get("id") in timed for element in enclosing)
                    or _follows_a_timer(task)):
                continue
            untimed.append(_element(task))
    return untimed


def _follows_a_timer(task) -> bool:
    """True if walking back from the task reaches a timer event before any other user task."""
    container = task.getparent()
    nodes = _flow_nodes(container)
    preceding: dict[str, list[str]] = {}
    for flow in container.findall("bpmn:sequenceFlow", NS):
        preceding.setdefault(flow.get("targetRef"), []).append(flow.get("sourceRef"))
    seen, queue = set(), list(preceding.get(task.get("id"), []))
    while queue:
        node_id = queue.pop()
        node = nodes.get(node_id)
        if node_id in seen or node is None:
            continue
        seen.add(node_id)
        if _kind(node) in ("boundaryEvent", "intermediateCatchEvent") and _has_timer(node):
            return True
        if _kind(node) != "userTask":
            queue.extend(preceding.get(node_id, []))
    return False


@dataclass
class DiagramChanges:
    """What a new version changed in the flow, element by element (compared by id)."""
    added: list[Element] = field(default_factory=list)
    removed: list[Element] = field(default_factory=list)
    renamed: list[tuple[Element, str]] = field(default_factory=list)  # (new element, old name)
    timers: list[tuple[Element, str, str]] = field(default_factory=list)  # (timer, old, new expression)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.renamed or self.timers)


def _timer_expression(event) -> str | None:
    definition = event.find("bpmn:timerEventDefinition", NS)
    if definition is None:
        return None
    for kind in ("timeDuration", "timeDate", "timeCycle"):
        body = definition.find(f"bpmn:{kind}", NS)
        if body is not None:
            return f"{kind}: {(body.text or '').strip()}"
    return ""


def _elements_of(xml: bytes) -> dict[str, tuple[Element, str | None]]:
    root = read_xml(xml)
    entry = entry_process(root)
    processes = [entry] + [p for p in executable_processes(root) if p is not entry]
    return {node.get("id"): (_element(node), _timer_expression(node))
            for process in processes for node in process.iter() if _kind(node) in FLOW_NODES}


def diagram_changes(old_xml: bytes, new_xml: bytes) -> DiagramChanges:
    old, new = _elements_of(old_xml), _elements_of(new_xml)
    changes = DiagramChanges(
        added=[element for key, (element, _) in new.items() if key not in old],
        removed=[element for key, (element, _) in old.items() if key not in new])
    for key in new.keys() & old.keys():
        (element, timer), (before, old_timer) = new[key], old[key]
        if element.name != before.name:
            changes.renamed.append((element, before.name))
        if timer != old_timer:
            changes.timers.append((element, old_timer or "none", timer or "none"))
    changes.renamed.sort(key=lambda change: change[0].line or 0)
    changes.timers.sort(key=lambda change: change[0].line or 0)
    return changes
