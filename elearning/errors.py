"""Friendly error pages in the user's language; the 500 handler rolls back."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import DataError, OperationalError, SQLAlchemyError

from elearning.extensions import db
from elearning.templating import _l

logger = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something was wrong with that request"),
          _l("The form was incomplete or out of date. Go back, reload the page and try again.")),
    403: (_l("You do not have access to this page"),
          _l("This page belongs to another account or needs other rights.")),
    404: (_l("Page not found"), _l("This page does not exist or is no longer available.")),
    413: (_l("This file is too large"), _l("Choose a smaller file and try again.")),
    405: (_l("Something was wrong with that request"), _l("This page cannot be used this way.")),
    429: (_l("Too many attempts"), _l("Please wait a few minutes before trying again.")),
    500: (_l("Something went wrong on our side"),
          _l("Nothing you did caused this. Please try again in a moment.")),
    503: (_l("Relais is briefly unavailable"), _l("Please try again in a moment.")),
}


class RelaisError(Exception):
    """Base class of the domain errors services raise and views translate."""


def render_error(status: int):
    title, message = MESSAGES[status]
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=str(title)), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register(app: Flask) -> None:
    """Attach the error handlers."""
    for status in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(status, lambda exc, status=status: render_error(status))

    @app.errorhandler(OperationalError)
    def _database_unavailable(exc):
        db.session.rollback()
        logger.error("Database unavailable: %s", exc)
        _forget_user()
        return render_error(503)

    @app.errorhandler(DataError)
    def _value_refused_by_database(exc):
        # A value no form should have let through (a NUL byte, a number out of range): the request was wrong.
        db.session.rollback()
        logger.warning("The database refused a value from the request: %s", exc.orig)
        return render_error(400)

    @app.teardown_appcontext  # runs before Flask-SQLAlchemy's own session.remove(), registered earlier
    def _close_session(exc):
        try:
            db.session.remove()
        except SQLAlchemyError as error:  # the database closed the connection under us (a restart)
            logger.warning("Closing the database session failed: %s", error)
            db.session.remove()  # the connection is invalidated now, so closing succeeds

    @app.errorhandler(500)
    def _server_error(exc):
        if isinstance(getattr(exc, "original_exception", None), OperationalError):
            # Raised outside the view (an after-request hook loading the user): still "unavailable".
            return _database_unavailable(exc.original_exception)
        db.session.rollback()
        return render_error(500)


def _forget_user() -> None:
    """Treat the rest of this request as anonymous, so the error page and the after-request hooks do not
    load the user from the database that just failed (which would turn the 503 into a bare 500)."""
    g._login_user = current_app.login_manager.anonymous_user()  # what flask_login's current_user reads
