"""The words of the shipped diagrams that staff read on their pages, for the translation catalogue.

`make translations-extract` calls `extract_bpmn` (babel.cfg) on bpmn/*.bpmn: a procedure's name, its
required documents and description, and the name of every task someone works. Pages show them with the
`translated` filter, so a procedure deployed from the designer reads in English until it is translated.
"""
from lxml import etree

from ..engine.diagrams import BPMN_NS

_SHOWN_ELEMENTS = {"process", "userTask", "manualTask"}
_SHOWN_PROPERTIES = {"required_documents", "description"}


def extract_bpmn(fileobj, keywords, comment_tags, options):
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for element in etree.parse(fileobj, parser).iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element)
        if name.namespace == BPMN_NS and name.localname in _SHOWN_ELEMENTS and element.get("name"):
            yield element.sourceline, None, element.get("name"), [f"BPMN {name.localname} {element.get('id')}"]
        elif name.localname == "property" and element.get("name") in _SHOWN_PROPERTIES and element.get("value"):
            yield element.sourceline, None, element.get("value"), [f"BPMN property {element.get('name')}"]
