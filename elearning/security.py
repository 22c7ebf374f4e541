"""Security headers, safe redirects and access decorators."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, session
from flask_login import current_user

from elearning import i18n

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def register(app: Flask) -> None:
    """Install the security headers and the ?lang= handling on every response."""
    app.before_request(i18n.remember_requested_language)

    @app.after_request
    def _set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if session.get("_user_id") is not None and "Cache-Control" not in response.headers:
            # Pages of a logged-in learner stay out of shared caches and the back-forward cache. The session
            # says who is logged in without loading the user, which would fail while the database is down.
            response.headers["Cache-Control"] = "no-store"
        return response


def is_safe_next(target: str | None) -> bool:
    """Return whether `target` is a local path we may redirect to after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(ch) < 32 for ch in target)


def admin_required(view):
    """Allow only platform administrators (403 for everyone else, login for anonymous users)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            from elearning.extensions import login_manager

            return login_manager.unauthorized()
        if not current_user.is_platform_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def employer_required(view):
    """Allow only employer administrators of the organisation in the URL; pass it to the view as `organisation`.

    The view's `org_id` argument is replaced by the Organisation; when the URL has none (the navigation link),
    the first organisation the user administers is used. Anonymous users are sent to log in; everyone else gets
    403, whether the organisation exists or not, so ids reveal nothing.
    """

    @wraps(view)
    def wrapper(*args, org_id: int | None = None, **kwargs):
        from elearning.employers.queries import administered_organisation
        from elearning.extensions import login_manager

        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        organisation = administered_organisation(current_user.id, org_id)
        if organisation is None:
            abort(403)
        return view(*args, organisation=organisation, **kwargs)

    return wrapper


def scoped_or_404(model, object_id: int, organisation_id: int):
    """Return the `model` row with this id if it belongs to the organisation, else abort with 404.

    Another organisation's row answers exactly like a missing one, so ids reveal nothing.
    """
    import sqlalchemy as sa

    from elearning.extensions import db

    row = db.session.scalar(sa.select(model).where(model.id == object_id, model.organisation_id == organisation_id))
    if row is None:
        abort(404)
    return row
