"""A form in the reader's language.

Forms are JSON Schema files written in English. Their words a person reads (the form's and each
field's `title` and `description`, and the `title` of each option under `oneOf`/`anyOf`) are collected
into the translation catalogue by `make translations-extract` (babel.cfg runs `extract_forms` on
forms/*.json), so Khmer lives beside every other string of One Window and one translator sees it all.
`localized` returns the schema with those words translated; codes (`enum`, `const`, property names)
never change, so data stays the same in every language.
"""
import json

from flask_babel import gettext

_WORDS = ("title", "description")
_OPTIONS = ("oneOf", "anyOf")


def localized(schema: dict | None) -> dict | None:
    """The schema with its titles and descriptions in the request's language (a copy; the original is kept)."""
    if schema is None:
        return None
    return _translate(schema)


def _translate(node):
    if isinstance(node, list):
        return [_translate(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {key: gettext(value) if key in _WORDS and isinstance(value, str) and value else _translate(value)
            for key, value in node.items()}


def _words(node, path: str):
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _words(item, f"{path}[{index}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in _WORDS and isinstance(value, str) and value:
                yield value, f"{path}.{key}" if path else key
            elif key not in ("enum", "const", "default", "examples", "required"):
                yield from _words(value, f"{path}.{key}" if path else key)


def extract_forms(fileobj, keywords, comment_tags, options):
    """Babel extractor: every title and description of a form file, with where it sits as a comment."""
    for text, where in _words(json.load(fileobj), ""):
        yield 1, None, text, [f"form {where}"]
