"""Khmer and English: which language a page speaks, and dates and numbers the way a reader of it writes them.

The language of a request, first match wins:
  1. `?lang=km|en` on any address (the switch in every page's header; also the public API);
  2. a signed-in staff member's or an API token holder's own preference (User.locale, saved when they switch);
  3. the choice remembered in this browser's session (a citizen who switched);
  4. Khmer on public pages (blueprints passed to `public_pages`), otherwise BABEL_DEFAULT_LOCALE (en).
Outside a request (CLI, scheduler) the default language is written: the log and the terminal stay in English;
a message sent from there (notifications' email and SMS) is written in its reader's language (force_locale).
"""
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import get_day_names
from babel.numbers import format_decimal
from flask import Blueprint, Flask, g, has_request_context, request, session
from flask_babel import get_locale, gettext, refresh
from flask_login import current_user
from markupsafe import Markup

from .extensions import babel

LANGUAGES = {"km": "ខ្មែរ", "en": "English"}
PUBLIC_DEFAULT = "km"

_public_blueprints: set[str] = set()

# Babel's km data writes Western digits; Khmer administrative writing uses Khmer numerals.
_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
_PATTERNS = {
    "en": {"datetime": "yyyy-MM-dd HH:mm", "date": "d MMMM y"},
    "km": {"datetime": "'ថ្ងៃទី' d 'ខែ'MMMM 'ឆ្នាំ' y 'ម៉ោង' HH:mm", "date": "'ថ្ងៃទី' d 'ខែ'MMMM 'ឆ្នាំ' y"},
}


def public_pages(blueprint: Blueprint) -> Blueprint:
    """Mark a blueprint as the citizen's side: its pages speak Khmer unless the reader chose English."""
    _public_blueprints.add(blueprint.name)
    return blueprint


def select_locale() -> str | None:
    if not has_request_context():
        return None  # a CLI command or the scheduler: the default language
    if chosen_language():
        return chosen_language()
    reader = _reader()
    if reader.is_authenticated and reader.locale in LANGUAGES:
        return reader.locale
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if request.blueprint in _public_blueprints:
        return PUBLIC_DEFAULT
    return None  # Flask-Babel falls back to BABEL_DEFAULT_LOCALE


def _reader():
    """Who reads this answer: the API token's holder or the signed-in person, as permissions.acting_user
    says (permissions sits above accounts, which imports this module)."""
    return g.get("api_user") or current_user


def language() -> str:
    """The language code being written in ('km' or 'en'): this request's, or outside a request the default
    or the one forced for a message (an email goes out in its reader's language)."""
    locale = get_locale()
    return locale.language if locale else "en"


def chosen_language() -> str | None:
    """The language this request asked for with `?lang=`, if it is one we speak."""
    chosen = request.args.get("lang")
    return chosen if chosen in LANGUAGES else None


def _start_request() -> None:
    # Flask-Babel caches the language on `g`, which outlives a request when an app context was already
    # pushed (a CLI command or a test making several requests); each request decides afresh.
    refresh()
    # Staff also keep their choice on their account (accounts.views saves it); the session covers everyone.
    if chosen_language():
        session["lang"] = chosen_language()


def _digits(text: str) -> str:
    return text.translate(_KHMER_DIGITS) if language() == "km" else text


def number(value) -> str:
    """A count or an amount, grouped the reader's way: 100,000 or ១០០,០០០."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = Decimal(value)
    return _digits(format_decimal(value, locale=language()))


def riel(value) -> str:
    """An amount in riel: '100,000 riel' / '១០០,០០០ រៀល'."""
    return gettext("%(amount)s riel", amount=number(value)) if value is not None else ""


def _office_zone() -> ZoneInfo:
    reader = _reader() if has_request_context() else None
    zone = reader.office.timezone if reader is not None and reader.is_authenticated else None
    return ZoneInfo(zone or "Asia/Phnom_Penh")


def local_time(moment: datetime | None) -> str:
    """A time as the office reads it: in the signed-in user's office timezone (public pages: Cambodia's)."""
    if moment is None:
        return ""
    code = language()
    text = babel_format_datetime(moment.astimezone(_office_zone()), _PATTERNS[code]["datetime"], locale=code)
    return _digits(text)


def local_date(day: date | datetime | None) -> str:
    """A calendar day: '9 December 2026' / 'ថ្ងៃទី ៩ ខែធ្នូ ឆ្នាំ ២០២៦'."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(_office_zone()).date()
    code = language()
    return _digits(babel_format_date(day, _PATTERNS[code]["date"], locale=code))


def translated(text: str | None) -> str:
    """Text that comes from data rather than code (a procedure's or a task's name from its diagram),
    in the reader's language when the catalogue has it (make translations-extract collects bpmn/)."""
    return gettext(text) if text else ""


def weekday_name(day: int) -> str:
    """0 -> 'Monday' / 'ច័ន្ទ' (Monday=0, as Python counts)."""
    return get_day_names("wide", locale=language())[day]


def year(value: int) -> str:
    """A year, without the grouping a number gets: 2026 / ២០២៦."""
    return _digits(str(value))


def language_links() -> Markup:
    """The switch in every page's header: the other languages, each a link to this page in it."""
    links = []
    for code, name in LANGUAGES.items():
        if code != language():
            url = f"{request.path}?{urlencode({**request.args.to_dict(), 'lang': code})}"
            links.append(Markup('<a href="{}" lang="{}" hreflang="{}">{}</a>').format(url, code, code, name))
    return Markup(" ").join(links)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_start_request)
    for name, function in (("local_time", local_time), ("local_date", local_date), ("number", number),
                           ("riel", riel), ("translated", translated), ("weekday_name", weekday_name),
                           ("year", year)):
        app.add_template_filter(function, name)
    app.jinja_env.globals.update(language=language, language_links=language_links, LANGUAGES=LANGUAGES)
