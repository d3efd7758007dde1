"""Form data is checked with jsonschema against the task's form; errors are per field."""
from flask_babel import gettext as _
from jsonschema import Draft202012Validator

from ..errors import BadRequest, Rejected
from .translation import localized

FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER


def field_errors(schema: dict, data: dict) -> dict[str, str]:
    errors: dict[str, str] = {}
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    titles = {name: spec.get("title", name) for name, spec in localized(schema).get("properties", {}).items()}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        if error.validator == "required":
            for name in error.validator_value:
                if name not in (error.instance or {}):
                    errors.setdefault(name, _("%(field)s is required.", field=titles.get(name, name)))
            continue
        name = str(error.path[0]) if error.path else "_form"
        errors.setdefault(name, _("%(field)s: %(problem)s", field=titles.get(name, name), problem=error.message))
    return errors


def validate_submission(schema: dict | None, data) -> dict:
    """The data, if it fits the form; otherwise Rejected with a message per field. Nothing is changed."""
    if not isinstance(data, dict):
        raise BadRequest(_("The data must be a JSON object of field names and values."))
    if schema is None:
        return dict(data)
    errors = field_errors(schema, data)
    if errors:
        raise Rejected(_("Some fields need correcting: %(problems)s", problems=" ".join(errors.values())), errors)
    return dict(data)


def from_form_fields(schema: dict, fields) -> tuple[dict, dict[str, str]]:
    """Turn posted HTML form fields into typed data following the schema."""
    data, errors = {}, {}
    for name, spec in localized(schema).get("properties", {}).items():
        kind = spec.get("type")
        title = spec.get("title", name)
        if kind == "boolean":
            data[name] = fields.get(name) in ("on", "true", "1", "yes")
            continue
        if kind == "array":
            values = fields.getlist(name)
            if values:
                data[name] = values
            continue
        raw = (fields.get(name) or "").strip()
        if raw == "":
            continue
        if kind == "integer":
            try:
                data[name] = int(raw)
            except ValueError:
                errors[name] = _("%(field)s must be a whole number.", field=title)
        elif kind == "number":
            try:
                data[name] = float(raw)
            except ValueError:
                errors[name] = _("%(field)s must be a number.", field=title)
        else:
            data[name] = raw
    return data, errors
