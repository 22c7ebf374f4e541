"""Language negotiation: the user's profile, then the session (?lang= sets it), then Accept-Language."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel import Locale
from babel import dates as babel_dates
from flask import Flask, current_app, request, session
from flask_login import current_user

from elearning.certificates import wording
from elearning.certificates.wording import LOCALES
from elearning.config import LANGUAGES
from elearning.dates import BRUSSELS, local_moment
from elearning.templating import current_language


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


def register(app: Flask) -> None:
    """Replace Flask-Babel's date filters (run after babel.init_app, which installs them) and add `percent`."""
    app.jinja_env.filters.update(dateformat=format_date, datetimeformat=format_datetime, percent=format_percent)


def _babel_locale() -> Locale:
    """Belgian conventions, as on the certificate: day before month in English too (en_GB, not en_US)."""
    return _parsed_locale(current_language())


@cache
def _parsed_locale(language: str) -> Locale:
    """Return the Babel Locale for an interface language (parsing the identifier costs more than the formatting)."""
    return Locale.parse(LOCALES.get(language, LOCALES["en"]))


def format_date(value: date | datetime, format: str = "medium") -> str:  # noqa: A002 (Flask-Babel's name)
    """Write a date (or the local date of a moment) in the current language, e.g. 27 Nov 2026, 27 nov. 2026."""
    if isinstance(value, datetime):
        value = local_moment(value).date()
    return babel_dates.format_date(value, format=format, locale=_babel_locale())


def format_datetime(value: datetime, format: str = "medium") -> str:  # noqa: A002
    """Write a moment in local time in the current language, e.g. 27 Nov 2026, 14:05:00."""
    return babel_dates.format_datetime(local_moment(value), format=format, tzinfo=BRUSSELS, locale=_babel_locale())


def format_percent(value: int) -> str:
    """Write a score in the current language as the certificate does: 92% (nl, en), 92 % (fr)."""
    return wording.percent(value, current_language())
