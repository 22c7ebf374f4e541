"""Write checked courses into the database as immutable versions (services flush, the caller commits)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

from elearning.config import LANGUAGES
from elearning.content.checker import CourseContent, ModuleContent, read_courses
from elearning.content.markdown import render_markdown
from elearning.content.models import Course, CourseAsset, CourseVersion, LessonPage, Module, Question
from elearning.content.problems import Problem
from elearning.errors import RelaisError
from elearning.extensions import db

logger = logging.getLogger(__name__)


class CourseInvalid(RelaisError):  # noqa: N818 (reads as the state of the files, like NotEligible)
    """The course files have problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the course files")


@dataclass(frozen=True)
class LoadReport:
    """What loading did to one course: the version now current, and whether it was created."""

    slug: str
    version: int
    created: bool


def asset_url(module_id: int, filename: str) -> str:
    """Return the URL the learn blueprint serves a module's image at."""
    return f"/learn/assets/{module_id}/{quote(filename)}"


def load_courses(path: str | Path) -> list[LoadReport]:
    """Check the courses under `path` and add a new version of each changed one; raise CourseInvalid first."""
    folder = read_courses(path)
    if folder.problems:
        raise CourseInvalid(folder.problems)
    return [_load_course(course, folder.helplines) for course in folder.courses]


def _load_course(content: CourseContent, helplines: list[dict]) -> LoadReport:
    course = db.session.scalar(sa.select(Course).where(Course.slug == content.slug))
    if course is None:
        course = Course(slug=content.slug)
        db.session.add(course)
        db.session.flush()
    same = db.session.scalar(sa.select(CourseVersion).where(CourseVersion.course_id == course.id,
                                                            CourseVersion.content_hash == content.content_hash))
    if same is not None:
        if course.current_version_id != same.id:  # the files went back to an earlier version
            course.current_version = same
            db.session.flush()
        return LoadReport(content.slug, same.number, created=False)
    latest = db.session.scalar(sa.select(sa.func.max(CourseVersion.number))
                               .where(CourseVersion.course_id == course.id))
    version = CourseVersion(course=course, number=(latest or 0) + 1, content_hash=content.content_hash,
                            title=content.title, description=content.description,
                            estimated_minutes=content.estimated_minutes)
    db.session.add(version)
    for position, module in enumerate(content.modules, start=1):
        _add_module(version, position, module, helplines)
    course.current_version = version
    db.session.flush()
    logger.info("Loaded course %s version %s", content.slug, version.number)
    return LoadReport(content.slug, version.number, created=True)


def _add_module(version: CourseVersion, position: int, content: ModuleContent, helplines: list[dict]) -> None:
    module = Module(
        course_version=version, slug=content.slug, position=position, title=content.title,
        content_note={language: render_markdown(content.content_note[language], language) for language in LANGUAGES},
        estimated_minutes=content.estimated_minutes, pass_mark=content.pass_mark,
        questions_per_attempt=content.questions_per_attempt, max_attempts=content.max_attempts,
        retry_wait_minutes=content.retry_wait_minutes, page_count=content.page_count,
    )
    db.session.add(module)
    db.session.flush()  # the module id is part of its image URLs
    alts = {asset.filename: asset.alt for asset in content.assets}
    db.session.add_all(
        CourseAsset(module_id=module.id, filename=asset.filename, media_type=asset.media_type, data=asset.data,
                    sha256=hashlib.sha256(asset.data).hexdigest())
        for asset in content.assets
    )
    for language, lesson in content.lessons.items():
        pages = lesson.render(alts, lambda filename: asset_url(module.id, filename), helplines)
        db.session.add_all(LessonPage(module_id=module.id, language=language, position=number, title=title, html=html)
                           for number, (title, html) in enumerate(pages, start=1))
    db.session.add_all(Question(module_id=module.id, slug=spec["id"], position=number, type=spec["type"], spec=spec)
                       for number, spec in enumerate(content.questions, start=1))
