"""Values every template can use: languages, help lines, the quick-exit address."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from elearning.helplines import load_helplines, localised

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


def register(app: Flask) -> None:
    """Install the template context processor and filters."""

    @app.context_processor
    def _globals() -> dict:
        language = str(get_locale())
        return {
            "current_language": language,
            "language_names": LANGUAGE_NAMES,
            "url_for_language": url_for_language,
            "footer_helplines": localised(_helplines(), language, footer_only=True),
            "quick_exit_url": current_app.config["QUICK_EXIT_URL"],
            "nav_links": nav_links,
            "start_url": start_url,
        }

    @app.template_filter("localise")
    def _localise(texts: dict | None) -> str:
        """Pick the current language from a {"nl":..., "fr":..., "en":...} mapping."""
        if not texts:
            return ""
        return texts.get(str(get_locale())) or texts.get("en") or next(iter(texts.values()))


def _helplines() -> tuple[dict, ...]:
    return load_helplines(str(Path(current_app.config["COURSES_PATH"]) / "helplines.yaml"))


def url_for_language(language: str) -> str:
    """Return the current page's address with ?lang= set to `language`."""
    if request.endpoint is None or request.method != "GET":
        return url_for("main.index", lang=language)
    args = request.args.to_dict()
    args.update(request.view_args or {})
    args["lang"] = language
    return url_for(request.endpoint, **args)


# (endpoint, label, who sees it); features register their endpoints as they land.
NAV_ITEMS = (
    ("learn.my_training", _l("My training"), "learner"),
    ("learn.catalog", _l("Courses"), "learner"),
    ("certificates.index", _l("My certificates"), "learner"),
    ("employers.dashboard", _l("My organisation"), "employer"),
    ("admin.index", _l("Administration"), "admin"),
)


def nav_links() -> list[dict]:
    """Return the main navigation links the current user may follow."""
    links = []
    for endpoint, label, audience in NAV_ITEMS:
        if endpoint not in current_app.view_functions:
            continue
        if audience == "admin" and not current_user.is_platform_admin:
            continue
        if audience == "employer" and not any(m.is_employer_admin for m in current_user.memberships):
            continue
        links.append({"url": url_for(endpoint), "label": label, "active": request.endpoint == endpoint})
    return links


def start_url() -> str:
    """Return where a logged-in learner continues their training."""
    for endpoint in ("learn.my_training", "accounts.profile"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("main.index")
