"""Friendly error pages in the user's language; the 500 handler rolls back."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError

from elearning.extensions import db

logger = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something was wrong with that request"),
          _l("The form was incomplete or out of date. Go back, reload the page and try again.")),
    403: (_l("You do not have access to this page"),
          _l("This page belongs to another account or needs other rights.")),
    404: (_l("Page not found"), _l("This page does not exist or is no longer available.")),
    405: (_l("Something was wrong with that request"), _l("This page cannot be used this way.")),
    429: (_l("Too many attempts"), _l("Please wait a few minutes before trying again.")),
    500: (_l("Something went wrong on our side"),
          _l("Nothing you did caused this. Please try again in a moment.")),
    503: (_l("Relais is briefly unavailable"), _l("Please try again in a moment.")),
}


class RelaisError(Exception):
    """Base class of the domain errors services raise and views translate."""


def _render(status: int):
    title, message = MESSAGES[status]
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=str(title)), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    """Attach the error handlers."""
    for status in (400, 403, 404, 405, 429):
        app.register_error_handler(status, lambda exc, status=status: _render(status))

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc):
        db.session.rollback()
        logger.error("Database unavailable: %s", exc)
        return _render(503)

    @app.errorhandler(500)
    def _server_error(exc):
        db.session.rollback()
        return _render(500)
