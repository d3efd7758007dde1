"""Form data is checked with jsonschema against the task's form: every problem of a submission
in one answer, one plain sentence per field, naming the field by its title."""
import keyword
import math
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from jsonschema import Draft202012Validator

from ..engine import reserved_names
from ..errors import BadRequest, Rejected
from .rendering import option_titles
from .translation import localized

FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER
PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
FORMATS = {"date": lazy_gettext("a date written year-month-day, e.g. 2026-12-31"),
           "email": lazy_gettext("an email address, e.g. name@example.com"),
           "date-time": lazy_gettext("a date and time, e.g. 2026-12-31T09:30:00+07:00")}
KINDS = {"integer": lazy_gettext("a whole number"), "number": lazy_gettext("a number"), "string": lazy_gettext("text"),
         "boolean": lazy_gettext("yes or no"), "array": lazy_gettext("a list of choices"),
         "object": lazy_gettext("a group of fields")}


def field_name_problem(name: str) -> str | None:
    """Why a field without a form (or in a form) cannot be called `name`, or None."""
    if not PLAIN_NAME.fullmatch(name):
        return _("'%(name)s' is not a plain name: use letters, digits and _ and start with a letter.", name=name)
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return _("'%(name)s' is a reserved word in scripts; choose another name.", name=name)
    if name in reserved_names():
        return _("'%(name)s' is the name of a script helper; choose another name.", name=name)
    return None


def _title(schema: dict, name: str) -> str:
    return schema.get("properties", {}).get(name, {}).get("title", name)


def _required_message(schema: dict, shown: dict, name: str) -> str:
    """shown: the schema in the reader's language; the English one says whether the hint is a rule."""
    english = schema.get("properties", {}).get(name, {}).get("description", "")
    spec = shown.get("properties", {}).get(name, {})
    title = _title(shown, name)
    hint = spec.get("description", "")
    if not (english.lower().startswith("required when") and name not in schema.get("required", [])):
        hint = ""
    hint = hint[:1].lower() + hint[1:]
    if spec.get("type") == "array":
        return (_("Tick at least one of “%(title)s”: %(hint)s", title=title, hint=hint) if hint
                else _("Tick at least one of “%(title)s”.", title=title))
    if option_titles(spec):
        return (_("Choose “%(title)s”: %(hint)s", title=title, hint=hint) if hint
                else _("Choose “%(title)s”.", title=title))
    return _("Fill in “%(title)s”: %(hint)s", title=title, hint=hint) if hint else _("Fill in “%(title)s”.", title=title)


def _message(schema: dict, name: str, error) -> str:
    title, spec = _title(schema, name), schema.get("properties", {}).get(name, {})
    kind, value = error.validator, error.validator_value
    if kind == "type":
        kind_name = KINDS.get(value if isinstance(value, str) else value[0], value)
        return _("“%(title)s” must be %(kind)s.", title=title, kind=kind_name)
    if kind in ("enum", "const", "oneOf", "anyOf"):
        choices = ", ".join(label for _code, label in option_titles(spec))
        return (_("Choose “%(title)s” from the list: %(choices)s.", title=title, choices=choices) if choices
                else _("“%(title)s” is not one of the choices.", title=title))
    if kind == "format":
        return _("“%(title)s” must be %(format)s.", title=title, format=FORMATS.get(value, value))
    if kind == "maxLength":
        return _("“%(title)s” may be at most %(count)s characters long.", title=title, count=value)
    if kind == "minLength":
        return _("“%(title)s” must be at least %(count)s characters long.", title=title, count=value)
    if kind in ("minimum", "exclusiveMinimum"):
        return _("“%(title)s” must be at least %(limit)s.", title=title,
                 limit=value if kind == "minimum" else value + 1)
    if kind in ("maximum", "exclusiveMaximum"):
        return _("“%(title)s” must be at most %(limit)s.", title=title,
                 limit=value if kind == "maximum" else value - 1)
    if kind == "minItems":
        return (_("Tick at least %(count)s of “%(title)s”.", count=value, title=title) if value > 1
                else _("Tick at least one of “%(title)s”.", title=title))
    if kind == "uniqueItems":
        return _("“%(title)s” lists a choice twice.", title=title)
    return f"“{title}”: {error.message}"


def field_errors(schema: dict, data: dict) -> dict[str, str]:
    """Every problem at once, keyed by field ("_form" for the form as a whole)."""
    errors: dict[str, str] = {}
    fields = schema.get("properties", {})
    for name in sorted(set(data) - set(fields)):
        errors[name] = _("This form has no field '%(name)s'.", name=name)
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    problems = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path])
    # Translating the whole form costs more than checking it: only when there is something to say.
    shown = localized(schema) if problems else schema
    for error in problems:
        if error.validator in ("required", "dependentRequired") and not error.path:
            wanted = error.validator_value
            if error.validator == "dependentRequired":
                wanted = [need for field, needs in wanted.items() if field in data for need in needs]
            for name in wanted:
                if name not in data:
                    errors.setdefault(name, _required_message(schema, shown, name))
            continue
        name = str(error.path[0]) if error.path else "_form"
        if name not in fields and name != "_form":
            continue  # already reported as unknown
        errors.setdefault(name, _message(shown, name, error))
    return errors


def validate_submission(schema: dict | None, data) -> dict:
    """The data, if it fits the form; otherwise Rejected with a message per field. Nothing is changed.
    Without a form, the data's names must be plain identifiers that shadow no script helper."""
    if not isinstance(data, dict):
        raise BadRequest(_("The data must be a JSON object of field names and values."))
    if schema is None:
        errors = {name: problem for name in data if (problem := field_name_problem(name))}
    else:
        errors = field_errors(schema, data)
    if errors:
        raise Rejected(_("Some fields need correcting: %(problems)s", problems=" ".join(errors.values())), errors)
    return dict(data)


def from_form_fields(schema: dict, fields) -> tuple[dict, dict[str, str]]:
    """Turn posted HTML form fields into typed data following the schema, with every problem at once."""
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
                errors[name] = _("“%(title)s” must be a whole number.", title=title)
        elif kind == "number":
            try:
                data[name] = float(raw)
            except ValueError:
                data[name] = math.nan
            if not math.isfinite(data[name]):
                del data[name]
                errors[name] = _("“%(title)s” must be a number.", title=title)
        else:
            data[name] = raw
    for name, message in field_errors(schema, data).items():
        errors.setdefault(name, message)
    return data, errors
