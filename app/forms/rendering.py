"""Forms are rendered server-side to plain HTML from their JSON Schema.

Choices are written the JSON Schema way, `"oneOf": [{"const": "owned", "title": "Owned"}, ...]`
(for a list of checkboxes, under `"items"`): staff see the title, the case stores the code.
A plain `"enum"` still works; its codes are then shown as they are.
"""
import json
from dataclasses import dataclass

from flask_babel import gettext as _

from .translation import localized


@dataclass
class Field:
    name: str
    title: str
    description: str
    widget: str  # text, textarea, select, checkbox, checkboxes, number, date, email
    required: bool
    value: object
    options: list[tuple[str, str]]  # (code, title)
    error: str | None
    step: str | None = None


def option_titles(spec: dict) -> list[tuple[object, str]]:
    """The (code, title) choices of a field, or of the items of a list field."""
    spec = spec.get("items", spec) if spec.get("type") == "array" else spec
    choices = spec.get("oneOf") or spec.get("anyOf")
    if choices and all(isinstance(c, dict) and "const" in c for c in choices):
        return [(c["const"], c.get("title", str(c["const"]))) for c in choices]
    return [(code, str(code)) for code in spec.get("enum", [])]


def display_value(spec: dict, value) -> str:
    """A stored value as staff read it: choices by their titles, yes/no for ticks."""
    titles = dict((code, title) for code, title in option_titles(spec) if isinstance(code, (str, int)))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return ", ".join(titles.get(v, str(v)) for v in value)
    if isinstance(value, (str, int)) and value in titles:
        return titles[value]
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def fields_for(schema: dict, values: dict | None = None, errors: dict | None = None) -> list[Field]:
    values, errors = values or {}, errors or {}
    schema = localized(schema)
    required = set(schema.get("required", []))
    fields = []
    for name, spec in schema.get("properties", {}).items():
        kind = spec.get("type")
        options = option_titles(spec)
        step = None
        if kind == "boolean":
            widget = "checkbox"
        elif kind == "array":
            widget = "checkboxes"
        elif options:
            widget = "select"
        elif kind in ("integer", "number"):
            widget, step = "number", "1" if kind == "integer" else "any"
        elif spec.get("format") in ("date", "email"):
            widget = spec["format"]
        elif spec.get("maxLength", 0) >= 500:
            widget = "textarea"
        else:
            widget = "text"
        value = values.getlist(name) if widget == "checkboxes" and hasattr(values, "getlist") else values.get(name)
        fields.append(Field(name, spec.get("title", name), spec.get("description", ""), widget,
                            name in required, value if value is not None else spec.get("default"), options,
                            errors.get(name), step))
    return fields
