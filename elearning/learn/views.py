"""My training, the catalog, course and module pages, lesson pages and lesson images."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from elearning.extensions import db
from elearning.learn import queries, services
from elearning.learn.cache import memo
from elearning.templating import current_language
from elearning.typography import french_spaces

bp = Blueprint("learn", __name__, url_prefix="/learn")

ASSET_CACHE_CONTROL = "private, max-age=31536000, immutable"  # assets of a loaded version never change
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@bp.get("/")
@login_required
def my_training():
    """Show the learner's courses, how far they got and where to resume."""
    overviews = queries.course_overviews(current_user.id)
    return render_template("learn/my_training.html", started=[o for o in overviews if o.started],
                           others=[o for o in overviews if not o.started])


@bp.get("/courses")
@login_required
def catalog():
    """List the courses with their description, estimated time and the learner's progress."""
    return render_template("learn/catalog.html", overviews=queries.course_overviews(current_user.id))


@bp.get("/<course_slug>")
@login_required
def course(course_slug: str):
    """Show a course's modules with their status and where to resume."""
    overview = queries.course_overview(course_slug, current_user.id) or abort(404)
    return render_template("learn/course.html", overview=overview)


@bp.get("/<course_slug>/<module_slug>")
@login_required
def module(course_slug: str, module_slug: str):
    """Show a module's content note before its lesson."""
    module = queries.current_module(course_slug, module_slug) or abort(404)
    return render_template("learn/module.html", status=queries.module_status(current_user.id, module))


@bp.get("/<course_slug>/<module_slug>/<int:page>")
@login_required
def lesson(course_slug: str, module_slug: str, page: int):
    """Show one lesson page and remember that the learner read it."""
    place = queries.reading_place(course_slug, module_slug, current_user.id) or abort(404)
    lesson = _rendered_lesson(place.version_id, module_slug, page, current_language()) or abort(404)
    html = render_template("learn/lesson.html", lesson=lesson)  # before a commit expires the user
    if services.record_page_view(current_user.id, place, module_slug, page, lesson.page_count):
        db.session.commit()
    return html


@dataclass(frozen=True)
class RenderedLesson:
    title: str
    body: Markup
    page_count: int


def _rendered_lesson(version_id: int, module_slug: str, page: int, language: str) -> RenderedLesson | None:
    """Return a lesson page's body as HTML, rendered once per version, page and language (content is immutable)."""

    def render() -> RenderedLesson | None:
        module = queries.version_module(version_id, module_slug)
        lesson_page = queries.lesson_page(module.id, page, language) if module is not None else None
        if lesson_page is None:
            return None
        title = french_spaces(lesson_page.title) if language == "fr" else lesson_page.title  # as the body's text
        body = Markup(render_template("learn/_lesson.html", module=module, page=lesson_page,  # noqa: S704 (escaped)
                                      title=title))
        return RenderedLesson(title, body, module.page_count)

    key = (version_id, module_slug, page, language, request.script_root)
    return memo("lessons", maxsize=2048).get(key, render)


@bp.get("/assets/<int:module_id>/<filename>")
@login_required
def asset(module_id: int, filename: str):
    """Serve a lesson image from the database; it never changes, so browsers may keep it."""
    stored = queries.asset(module_id, filename) or abort(404)
    response = Response(stored.data, mimetype=stored.media_type)
    response.set_etag(stored.sha256)
    if stored.media_type == "image/svg+xml":
        response.headers["Content-Security-Policy"] = SVG_CSP
    return response.make_conditional(request)


@bp.after_app_request
def _cache_assets(response: Response) -> Response:
    """Let browsers keep lesson images (security.py marks every logged-in response no-store).

    Registered with the blueprint, before security.register(), so Flask runs it after that hook.
    """
    if request.endpoint == "learn.asset" and response.status_code in (200, 304):
        response.headers["Cache-Control"] = ASSET_CACHE_CONTROL
    return response
