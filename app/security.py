"""What every response carries to keep pages safe, where a `next` may lead, and the signed session cookie.

The Content-Security-Policy allows only this site's own scripts, styles, fonts and images: no
inline script, no other host, no framing; pages keep working because they load everything
from app/static. Inline styles are allowed (only styles): the diagram modeler and viewer
(bpmn-js) position and colour the shapes they draw with style attributes.
"""
from urllib.parse import urlsplit

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                           "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
                           "form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def local_path(target: str | None, fallback: str) -> str:
    """`target` when it is a path of this site, else `fallback`. Browsers drop tabs and newlines and read
    a backslash as a slash, so '/\\t/evil.example' or '/\\\\evil.example' would lead elsewhere: refused."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(ch) < 0x21 or ord(ch) == 0x7f for ch in target):
        return fallback
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else fallback


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session, unsigned only when the browser sent one: an API call carries its
    token and no cookie, and building the signer to find nothing cost a tenth of its request's frame."""

    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)  # a response with a stricter policy of its own keeps it
        return response
