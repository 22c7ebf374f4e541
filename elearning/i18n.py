"""Language negotiation: the user's profile, then the session (?lang= sets it), then Accept-Language."""

from __future__ import annotations

from flask import current_app, request, session
from flask_login import current_user

from elearning.config import LANGUAGES


def select_locale() -> str:
    """Return the interface language for this request."""
    requested = request.args.get("lang")
    if requested in LANGUAGES:
        return requested
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(LANGUAGES) or current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_requested_language() -> None:
    """Store ?lang= in the session and, for a logged-in user, in their profile."""
    requested = request.args.get("lang")
    if requested not in LANGUAGES:
        return
    session["lang"] = requested
    if current_user.is_authenticated and current_user.language != requested:
        from elearning.extensions import db

        current_user.language = requested
        db.session.commit()
