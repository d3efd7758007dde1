"""Bounds on what any request may carry, checked at the door so nothing out of range reaches a
case, a query or the database: JSON size and depth, text without NUL bytes or lone
surrogates, finite numbers, ids within the database's integer range, page and year numbers.
"""
import json
import re

from flask import Flask, current_app, has_app_context, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from .errors import BadRequest, TooLarge

# PostgreSQL's integer columns end at 2^31 - 1 (SQLite's at 2^63 - 1): the smaller bound holds
# on both, so an id past it is simply not there (404), never an overflow in the driver.
ID_MAX = 2**31 - 1
JSON_MAX_BYTES = 256 * 1024  # defaults of the JSON_MAX_BYTES and JSON_MAX_DEPTH settings
JSON_MAX_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: an id the database cannot hold matches no route (404)."""

    def __init__(self, map, fixed_digits=0, min=0, max=ID_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _refuse_constant(name: str):
    raise BadRequest(_("%(name)s is not a number JSON allows; send a finite number.", name=name))


def _text_problem(text: str, where: str) -> str | None:
    if "\x00" in text:
        return _("Text at %(where)s contains a NUL byte (\\u0000).", where=where)
    if _SURROGATE.search(text):
        return _("Text at %(where)s is not valid Unicode (a lone surrogate such as \\ud800).", where=where)
    return None


def _bad_text(text: str) -> bool:
    return "\x00" in text or _SURROGATE.search(text) is not None


def _too_deep(max_depth: int) -> str:
    return _("The JSON is nested too deeply: at most %(count)s levels are allowed.", count=max_depth)


def _json_too_large(max_bytes: int) -> str:
    return _("The request body is too large: JSON bodies may be at most %(size)s KB.", size=max_bytes // 1024)


def check_value(value, max_depth: int) -> None:
    """Walk parsed JSON without recursion: refuse deep nesting and text the database or a page cannot hold."""
    stack = [(value, "", 1)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, (dict, list)) and depth > max_depth:
            raise BadRequest(_too_deep(max_depth))
        if isinstance(node, dict):
            for key, child in node.items():
                if _bad_text(key):
                    raise BadRequest(_text_problem(key, _("a name in %(where)s", where=where or _("the top level"))))
                stack.append((child, f"{where}.{key}" if where else key, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(node))
        elif isinstance(node, str) and _bad_text(node):
            raise BadRequest(_text_problem(node, where or _("the top level")))


def loads_bounded(text: str | bytes) -> object:
    """Parse JSON within the app's bounds, or raise BadRequest/TooLarge saying what to fix."""
    config = current_app.config if has_app_context() else {}
    max_bytes, max_depth = config.get("JSON_MAX_BYTES", JSON_MAX_BYTES), config.get("JSON_MAX_DEPTH", JSON_MAX_DEPTH)
    if len(text) > max_bytes:
        raise TooLarge(_json_too_large(max_bytes))
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise BadRequest(_too_deep(max_depth)) from None
    except ValueError as exc:
        raise BadRequest(_("This is not valid JSON: %(reason)s.", reason=exc)) from None
    check_value(value, max_depth)
    return value


class BoundedJSONProvider(DefaultJSONProvider):
    """request.get_json() parses within the bounds; answers are dumped as before."""

    def loads(self, s, **kwargs):
        if kwargs:  # the signed session cookie (tagged JSON), not a request body
            return super().loads(s, **kwargs)
        return loads_bounded(s)


def int_parameter(source, name: str, default: int, lowest: int, highest: int) -> int:
    """A whole-number query or form parameter within its range, or a 400 that says the range."""
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d{1,12}", raw.strip()) or not lowest <= int(raw) <= highest:
        raise BadRequest(_("%(name)s must be a whole number from %(lowest)s to %(highest)s.", name=name,
                           lowest=lowest, highest=highest))
    return int(raw)


def _check_request() -> None:
    """Page forms are held to the form memory limit (Werkzeug applies it to multipart forms only).
    Paths, query strings and forms: a NUL byte is never meant, and PostgreSQL cannot store one."""
    form_limit = current_app.config["MAX_FORM_MEMORY_SIZE"]
    if request.mimetype == "application/x-www-form-urlencoded" and (request.content_length or 0) > form_limit:
        raise RequestEntityTooLarge()
    fields = [*(request.view_args or {}).items(), *request.args.items(multi=True)]
    if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += request.form.items(multi=True)
    for name, value in fields:
        if isinstance(value, str) and "\x00" in value:
            raise BadRequest(_("The value of %(name)s contains a NUL byte; remove it and try again.", name=name))


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.json = BoundedJSONProvider(app)
    app.before_request(_check_request)
