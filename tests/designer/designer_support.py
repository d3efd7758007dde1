"""What the designer stories share: a signed-in designer's browser, and diagrams to give it."""
import re
from pathlib import Path

from sqlalchemy import func, select

from app.processes.models import ProcessDefinition

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
LICENCE = (BPMN_DIR / "commercial_licence.bpmn").read_bytes()
CHECK_DOCUMENTS = b'name="Check documents and take the official fee"'


def licence(*replacements: tuple[bytes, bytes]) -> bytes:
    """The commercial licence diagram with some text replaced (each replacement must apply)."""
    xml = LICENCE
    for old, new in replacements:
        assert old in xml, old
        xml = xml.replace(old, new)
    return xml


class DesignerBrowser:
    """A designer signed in through the login form, posting XML the way the modeler does."""

    def __init__(self, client, auth, username="designer"):
        self.client = client
        response = auth.login(username)
        assert response.status_code == 302, response.get_data(as_text=True)

    def token(self) -> str:
        page = self.client.get("/designer/").get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def post_xml(self, url: str, xml: bytes):
        return self.client.post(url, data=xml, headers={
            "Content-Type": "application/xml", "Accept": "application/json", "X-CSRFToken": self.token()})

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.token(), **(data or {})}, **kwargs)

    def validate(self, key: str, xml: bytes) -> list[dict]:
        response = self.post_xml(f"/designer/procedures/{key}/validate", xml)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["problems"]

    def deploy(self, key: str, xml: bytes | None = None):
        return self.post_form(f"/designer/procedures/{key}/deploy", {"xml": xml.decode()} if xml else {})


def versions_of(database, key: str) -> int:
    return database.scalar(select(func.count()).select_from(ProcessDefinition).where(ProcessDefinition.key == key))


def small_diagram(body: str, lane_nodes: list[str], process_id: str = "lint_check") -> bytes:
    """A one-lane (front office) procedure without layout, around the given flow elements."""
    refs = "".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in lane_nodes)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="https://one-window.example/test">
  <bpmn:process id="{process_id}" name="Lint check" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_front_office" name="front_office">{refs}</bpmn:lane></bpmn:laneSet>
    {body}
  </bpmn:process>
</bpmn:definitions>
""".encode()


def timer(event_id: str, attached_to: str, days: int = 5) -> str:
    return (f'<bpmn:boundaryEvent id="{event_id}" cancelActivity="false" attachedToRef="{attached_to}">'
            f'<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">working_days({days})'
            '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>')


def flow(source: str, target: str) -> str:
    return f'<bpmn:sequenceFlow id="flow_{source}_{target}" sourceRef="{source}" targetRef="{target}" />'
