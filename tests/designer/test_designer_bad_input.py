"""Bad diagrams get a clear answer from every door (validate, save, deploy, import, the API):
nothing is deployed, nothing unreadable is stored, and the server carries on."""
from io import BytesIO

import pytest
from sqlalchemy import func, select

from app.designer.models import ProcessDraft
from app.engine import MAX_DIAGRAM_BYTES
from app.processes.models import ProcessDefinition

from designer_support import LICENCE, DesignerBrowser, licence

DEFINITIONS = LICENCE[LICENCE.index(b"<bpmn:definitions"):LICENCE.index(b">", LICENCE.index(b"<bpmn:definitions")) + 1]
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
""" + LICENCE[LICENCE.index(b"<bpmn:definitions"):].replace(b'name="Check documents and take the official fee"',
                                                              b'name="&lol9;"')
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
""" + LICENCE[LICENCE.index(b"<bpmn:definitions"):].replace(b'name="Check documents and take the official fee"',
                                                              b'name="&secret;"')
TWO_PROCESSES = LICENCE.replace(b"<bpmndi:BPMNDiagram",
                                b'<bpmn:process id="commercial_licence" name="A copy" isExecutable="true">'
                                b'<bpmn:startEvent id="copy_start"/></bpmn:process><bpmndi:BPMNDiagram', 1)

UNREADABLE = {
    "malformed XML": (LICENCE[:5000], "not well-formed XML"),
    "an XML bomb": (BILLION_LAUGHS, "declares a DTD or entities"),
    "an external entity": (EXTERNAL_ENTITY, "declares a DTD or entities"),
    "two processes with the same id": (TWO_PROCESSES, "Two processes share the id 'commercial_licence'"),
}
SCRIPTS = {
    "import os": (b'processing_outcome = "approved"</bpmn:script>', b"import os</bpmn:script>",
                  "imports are not allowed"),
    "open()": (b'processing_outcome = "approved"</bpmn:script>',
               b"processing_outcome = open('/etc/passwd').read()</bpmn:script>", "open() is not available"),
}


@pytest.fixture
def designer(client, auth):
    return DesignerBrowser(client, auth)


def stored(database):
    return (database.scalar(select(func.count()).select_from(ProcessDefinition)),
            database.scalar(select(func.count()).select_from(ProcessDraft)))


def assert_unharmed(designer, client):
    assert client.get("/designer/").status_code == 200
    assert [p for p in designer.validate("commercial_licence", LICENCE) if p["severity"] == "error"] == []


@pytest.mark.parametrize("what", UNREADABLE)
def test_an_unreadable_diagram_is_refused_at_every_door(designer, client, api, database, what):
    xml, message = UNREADABLE[what]
    before = stored(database)

    problems = designer.validate("commercial_licence", xml)
    assert problems and message in problems[0]["message"] and problems[0]["severity"] == "error"

    saved = designer.post_xml("/designer/procedures/commercial_licence/draft/xml", xml)
    assert saved.status_code == 422 and message in saved.get_json()["details"][0]["message"]
    assert "cannot be read" in saved.get_json()["error"]

    deployed = designer.deploy("commercial_licence", xml)
    assert deployed.status_code == 422 and message in deployed.get_data(as_text=True).replace("&#39;", "'")

    upload = {"file": (BytesIO(xml), "upload.bpmn")}
    imported = designer.post_form("/designer/import", upload, content_type="multipart/form-data")
    assert imported.status_code == 422 and message in imported.get_data(as_text=True).replace("&#39;", "'")

    refused = api.as_user("designer").post("/api/v1/processes", data=xml, content_type="application/xml")
    assert refused.status_code == 422 and message in refused.get_json()["details"][0]["message"]

    for response in (saved, deployed, imported, refused):
        assert b"root:" not in response.data and b"lollol" not in response.data
    assert stored(database) == before
    assert_unharmed(designer, client)


@pytest.mark.parametrize("what", SCRIPTS)
def test_a_script_reaching_outside_the_sandbox_is_named_and_never_deployed(designer, client, api, database, what):
    old, new, message = SCRIPTS[what]
    xml = licence((old, new))
    [problem] = [p for p in designer.validate("commercial_licence", xml) if p["severity"] == "error"]
    assert problem["element_id"] == "mark_approved" and message in problem["message"] and problem["line"]

    # a draft may hold the mistake while the designer works on it; a deployment may not
    saved = designer.post_xml("/designer/procedures/commercial_licence/draft/xml", xml)
    assert saved.status_code == 200 and message in saved.get_json()["problems"][0]["message"]
    assert designer.deploy("commercial_licence").status_code == 422
    assert designer.deploy("commercial_licence", xml).status_code == 422
    refused = api.as_user("designer").post("/api/v1/processes", data=xml, content_type="application/xml")
    assert refused.status_code == 422 and refused.get_json()["details"][0]["element_id"] == "mark_approved"
    assert database.scalar(select(func.count()).select_from(ProcessDefinition)
                           .where(ProcessDefinition.key == "commercial_licence")) == 1
    assert_unharmed(designer, client)


def test_a_50_mb_upload_gets_a_clear_413_and_nothing_else(designer, client, api, database):
    huge = b"<" * (50 * 1024 * 1024)
    before = stored(database)

    imported = designer.post_form("/designer/import", {"file": (BytesIO(huge), "huge.bpmn")},
                                  content_type="multipart/form-data")
    assert imported.status_code == 413
    assert "The upload is 50 MB; a diagram may be at most 5 MB" in imported.get_data(as_text=True)

    saved = designer.post_xml("/designer/procedures/commercial_licence/draft/xml", huge)
    assert saved.status_code == 413 and "at most 5 MB" in saved.get_json()["error"]

    refused = api.as_user("designer").post("/api/v1/processes", data=huge, content_type="application/xml")
    assert refused.status_code == 413 and "too large" in refused.get_json()["error"]

    assert stored(database) == before
    assert_unharmed(designer, client)


def test_a_diagram_over_5_mb_but_under_the_request_limit_is_refused_with_its_size(designer, client, api, database):
    padding = b"<!-- " + b"x" * (MAX_DIAGRAM_BYTES - len(LICENCE) + 1024) + b" -->"
    big = LICENCE.replace(b"</bpmn:definitions>", padding + b"</bpmn:definitions>")
    before = stored(database)

    imported = designer.post_form("/designer/import", {"file": (BytesIO(big), "big.bpmn")},
                                  content_type="multipart/form-data")
    assert imported.status_code == 413 and "a diagram may be at most 5 MB" in imported.get_data(as_text=True)
    for response in (designer.post_xml("/designer/procedures/commercial_licence/validate", big),
                     designer.post_xml("/designer/procedures/commercial_licence/draft/xml", big),
                     api.as_user("designer").post("/api/v1/processes", data=big, content_type="application/xml")):
        assert response.status_code == 413 and "the limit is 5 MB" in response.get_json()["error"]

    assert stored(database) == before
    assert_unharmed(designer, client)
