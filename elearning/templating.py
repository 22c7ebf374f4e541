"""Values every template can use: languages, help lines, the quick-exit address.

Every page renders the layout, so its helpers do per request only what depends on the request: translations
are looked up once per request, help lines once per language, fixed addresses once per application.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, request, url_for
from flask_babel import LazyString, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from elearning.helplines import load_helplines, localised
from elearning.typography import french_spaces

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


def register(app: Flask) -> None:
    """Install the template context processor and filters."""

    # Flask-Babel's template gettext looks the locale and the catalogue up again on every call (some 30 a page);
    # these read them once per request, with the same newstyle semantics.
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext,
                                 fixed_url=fixed_url)
    app.extensions["relais.urls"] = {}

    @app.context_processor
    def _globals() -> dict:
        language = current_language()
        return {
            "current_language": language,
            "language_names": LANGUAGE_NAMES,
            "language_links": language_links,
            "footer_helplines": _footer_helplines(current_app.config["COURSES_PATH"], language),
            "quick_exit_url": current_app.config["QUICK_EXIT_URL"],
            "nav_links": nav_links,
            "start_url": start_url,
        }

    @app.template_filter("localise")
    def _localise(texts: dict | None) -> str:
        """Pick the current language from a {"nl":..., "fr":..., "en":...} mapping."""
        if not texts:
            return ""
        language = current_language()
        text = texts.get(language)
        if text:
            return french_spaces(text) if language == "fr" else text
        return texts.get("en") or next(iter(texts.values()))


def _babel_state() -> tuple[Locale | None, str, NullTranslations]:
    """Return (locale, language code, translations) of this request, worked out once per locale.

    Flask-Babel keeps the request's Locale in g._flask_babel; force_locale() and refresh() replace that object,
    so a memo tied to it by identity can never serve another language.
    """
    try:
        state = g._flask_babel
        memo = state.relais_memo
        if memo[0] is state.babel_locale:
            return memo
    except (AttributeError, RuntimeError):  # RuntimeError: no application context
        pass
    locale = get_locale()
    memo = (locale, str(locale) if locale is not None else "en", get_translations())
    if locale is not None:
        g._flask_babel.relais_memo = memo  # get_locale() created the namespace
    return memo


def current_language() -> str:
    """Return this request's interface language code ("nl", "fr" or "en")."""
    return _babel_state()[1]


def gettext(string: str, **variables) -> str:
    """Translate like flask_babel.gettext, looking the catalogue up once per request."""
    text = _babel_state()[2].ugettext(string)
    return text % variables if variables else text


def N_(string: str) -> str:  # noqa: N802 (the name pybabel extracts by default)
    """Mark a message for extraction (pybabel's default keyword N_); whoever shows it translates it."""
    return string


def _l(string: str, **variables) -> LazyString:
    """Mark a message for extraction (pybabel -k _l) and translate it when it is rendered, like
    flask_babel.lazy_gettext but through the per-request catalogue above (form labels and choices are rendered
    dozens of times a page, WTForms asks for an option label's length as well as its text)."""
    return LazyString(gettext, string, **variables)


# pass_eval_context, not pass_context: Jinja derives a whole new context for every call of a pass_context
# function made inside a loop or a block that sets variables, and only the autoescape flag is needed here.
@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables) -> str:
    return _format(eval_ctx, _babel_state()[2].ugettext(string), variables)


@pass_eval_context
def _template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _format(eval_ctx, _babel_state()[2].ungettext(singular, plural, num), variables)


def _format(eval_ctx: EvalContext, text: str, variables: dict) -> str:
    """Fill a translated message in, as Jinja's newstyle gettext does (always a format string)."""
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (our catalogue, as Jinja's own gettext; variables get escaped)
    if not variables and "%" not in text:
        return text  # what `text % {}` returns, without formatting most of a page's messages
    return text % variables


@lru_cache(maxsize=16)
def _footer_helplines(courses_path: str, language: str) -> tuple[dict, ...]:
    """Return the footer's help lines in `language` (the YAML file ships with the code: read once)."""
    return tuple(localised(load_helplines(str(Path(courses_path) / "helplines.yaml")), language, footer_only=True))


def fixed_url(endpoint: str, **values) -> str:
    """Return url_for(endpoint, **values), built once per application and script root.

    For addresses that depend on their arguments only, never on the request or the database (navigation, static
    files, a course's and a module's page by slug): url_for costs more than the rest of a navigation link.
    """
    key = (request.script_root, endpoint, *sorted(values.items()))
    urls = current_app.extensions["relais.urls"]
    try:
        return urls[key]
    except KeyError:
        if len(urls) > 256:  # bounded: fixed endpoints and a few course and module pages use this
            urls.clear()
        urls[key] = url = url_for(endpoint, **values)
        return url


def _shown_by_get() -> bool:
    """Whether the language links can lead to this page: a page answering a POST (a form with its errors, a quiz
    with a mistake) is opened again with GET at the same address when some view serves GET there (what was typed
    is lost, the place is not); otherwise they lead home."""
    if request.endpoint is None:
        return False
    if request.method == "GET":
        return True
    try:
        current_app.create_url_adapter(request).match(request.path, method="GET")
    except HTTPException:  # 405: nothing serves GET here (a redirect or a 404 answers no better)
        return False
    return True


def language_links() -> list[tuple[str, str, str]]:
    """Return (code, name, the current page's address in that language) for the language switcher."""
    if not _shown_by_get():
        return [(code, name, url_for("main.index", lang=code)) for code, name in LANGUAGE_NAMES.items()]
    if request.method == "GET":
        args = request.args.to_dict()
        args.update(request.view_args or {})
        args.pop("lang", None)
        here = url_for(request.endpoint, **args)  # once, not once per language
    else:  # the address a GET of this page has (what was posted is not repeated in it)
        here = request.script_root + quote(request.path)
    separator = "&" if "?" in here else "?"
    return [(code, name, f"{here}{separator}lang={code}") for code, name in LANGUAGE_NAMES.items()]


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
    user = current_user._get_current_object()
    view_functions, here = current_app.view_functions, request.endpoint
    for endpoint, label, audience in NAV_ITEMS:
        if endpoint not in view_functions:
            continue
        if audience == "admin" and not user.is_platform_admin:
            continue
        if audience == "employer" and not administers_an_organisation(user):
            continue
        links.append({"url": fixed_url(endpoint), "label": label, "active": here == endpoint})
    return links


def administers_an_organisation(user) -> bool:
    """Return whether the user administers an organisation (the session's user loader reads it with the user)."""
    known = getattr(user, "administers_organisation", None)
    if known is not None:
        return known
    return any(m.is_employer_admin for m in user.memberships)  # a user not loaded by the loader (just logged in)


def start_url() -> str:
    """Return where a logged-in learner continues their training."""
    for endpoint in ("learn.my_training", "accounts.profile"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("main.index")
