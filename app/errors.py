"""Domain errors and the one handler that answers JSON to API clients and HTML to people."""
import functools

import click
from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .extensions import db


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, details=None):
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(DomainError):
    status = 400


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Rejected(DomainError):
    """Well-formed input that the office's rules refuse (invalid form data, a broken diagram)."""
    status = 422


class TooLarge(DomainError):
    status = 413


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(message: str, status: int, details=None):
    if wants_json():
        return jsonify({"error": message, "details": details}), status
    return render_template("error.html", message=message, status=status, details=details), status


def _too_large_message(app: Flask) -> str:
    if request.is_json:
        return _("The request body is too large: JSON bodies may be at most %(size)s KB.",
                 size=app.config["JSON_MAX_BYTES"] // 1024)
    upload_limit = app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length <= upload_limit:
        return _("The form is too large: its fields may hold at most %(size)s KB in all.",
                 size=app.config["MAX_FORM_MEMORY_SIZE"] // 1000)
    return _("The upload is too large: the limit is %(size)s MB.", size=upload_limit // (1024 * 1024))


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return error_response(error.message, error.status, error.details)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:  # an answer prepared where the error was raised (the sign-in throttle)
            return error.response
        messages = {
            400: _("The request could not be understood."),
            401: _("Sign in first."),
            403: _("You may not do this."),
            404: _("There is nothing here."),
            405: _("This address does not accept that method."),
            429: _("Too many wrong case numbers or access codes from here or for this case; wait an hour, "
                   "then try again with the pair printed on your receipt."),
        }
        message = messages.get(error.code, error.description)
        if error.code == 413:
            message = _too_large_message(app)
        if error.code == 400 and error.description and "CSRF" in error.description:
            message = _("The form expired or was sent without its security token; reload the page and try again.")
        return error_response(message, error.code)

    @app.errorhandler(StaleDataError)
    def lost_race(error):
        db.session.rollback()
        return error_response(_("Someone else changed this case at the same moment; nothing of yours was "
                                "saved. Reload it and try again."), 409)

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):
        db.session.rollback()
        if "locked" not in str(error.orig):
            raise error
        return error_response(_("The case is busy with another change; nothing was saved. Try again."), 409)

    if app.testing:
        return  # let tests see real tracebacks

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unexpected error")
        return error_response(_("Something went wrong on our side; nothing was changed. Try again."), 500)


def cli_errors(command):
    """Show a domain error as a CLI error (exit code 1) with nothing written."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DomainError as error:
            db.session.rollback()
            lines = [error.message]
            if isinstance(error.details, list):
                lines += [f"  - {d.get('file') or ''} {d.get('element_id') or ''} line {d.get('line') or '?'}: "
                          f"{d['message']}" for d in error.details]
            elif isinstance(error.details, dict):
                lines += [f"  - {k}: {v}" for k, v in error.details.items()]
            raise click.ClickException("\n".join(lines))
    return wrapper
