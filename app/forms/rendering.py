"""Forms are rendered server-side to plain HTML from their JSON Schema."""
from dataclasses import dataclass

from .translation import localized


@dataclass
class Field:
    name: str
    title: str
    description: str
    widget: str  # text, textarea, select, checkbox, checkboxes, number, date, email
    required: bool
    value: object
    options: list
    error: str | None
    step: str | None = None


def fields_for(schema: dict, values: dict | None = None, errors: dict | None = None) -> list[Field]:
    values, errors = values or {}, errors or {}
    schema = localized(schema)
    required = set(schema.get("required", []))
    fields = []
    for name, spec in schema.get("properties", {}).items():
        kind = spec.get("type")
        options = spec.get("enum") or spec.get("items", {}).get("enum") or []
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
        fields.append(Field(name, spec.get("title", name), spec.get("description", ""), widget,
                            name in required, values.get(name, spec.get("default")), options,
                            errors.get(name), step))
    return fields
