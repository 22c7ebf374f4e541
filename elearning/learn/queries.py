"""Read courses and a learner's progress, in a fixed number of queries whatever the course size."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from elearning.content.models import Course, CourseAsset, CourseVersion, LessonPage, Module
from elearning.extensions import db
from elearning.learn.cache import memo
from elearning.learn.models import ModuleProgress

NOT_STARTED, IN_PROGRESS, PASSED = "not_started", "in_progress", "passed"


@dataclass(frozen=True)
class ModuleStatus:
    """A module of the current version with the learner's progress on it (on any version)."""

    module: Module
    progress: ModuleProgress | None

    @property
    def state(self) -> str:
        if self.progress is None:
            return NOT_STARTED
        return PASSED if self.progress.passed_at is not None else IN_PROGRESS

    @property
    def resume(self) -> tuple[str, dict]:
        """Return (endpoint, arguments) of where the learner continues this module."""
        args = {"course_slug": self.module.course_version.course.slug, "module_slug": self.module.slug}
        progress = self.progress
        if progress is not None and progress.passed_at is None and progress.reading_completed_at is not None:
            return "quizzes.intro", args
        if progress is not None and progress.passed_at is None and progress.last_page:
            return "learn.lesson", {**args, "page": min(progress.last_page, self.module.page_count)}
        return "learn.module", args


@dataclass(frozen=True)
class CourseOverview:
    """A course's current version and the learner's status on each of its modules."""

    version: CourseVersion
    modules: list[ModuleStatus]

    @property
    def course(self) -> Course:
        return self.version.course

    @property
    def passed(self) -> int:
        return sum(status.state == PASSED for status in self.modules)

    @property
    def started(self) -> bool:
        return any(status.state != NOT_STARTED for status in self.modules)

    @property
    def completed(self) -> bool:
        return bool(self.modules) and self.passed == len(self.modules)

    @property
    def next_module(self) -> ModuleStatus | None:
        """Return the first module not passed yet (where to resume), or None when all are passed."""
        return next((status for status in self.modules if status.state != PASSED), None)


def _current_versions() -> sa.Select:
    return (sa.select(CourseVersion)
            .join(Course, Course.current_version_id == CourseVersion.id)
            .options(joinedload(CourseVersion.course), selectinload(CourseVersion.modules)))


def _progress_map(user_id: int, course_ids: list[int]) -> dict[tuple[int, str], ModuleProgress]:
    rows = db.session.scalars(sa.select(ModuleProgress).where(ModuleProgress.user_id == user_id,
                                                              ModuleProgress.course_id.in_(course_ids)))
    return {(row.course_id, row.module_slug): row for row in rows}


def _overviews(versions: list[CourseVersion], user_id: int) -> list[CourseOverview]:
    progress = _progress_map(user_id, [version.course_id for version in versions]) if versions else {}
    return [CourseOverview(version, [ModuleStatus(module, progress.get((version.course_id, module.slug)))
                                     for module in version.modules])
            for version in versions]


def course_overviews(user_id: int) -> list[CourseOverview]:
    """Return every course that has a current version, with the learner's progress (three queries)."""
    versions = list(db.session.scalars(_current_versions().order_by(Course.slug)))
    return _overviews(versions, user_id)


def course_overview(course_slug: str, user_id: int) -> CourseOverview | None:
    """Return one course's current version with the learner's progress, or None (three queries)."""
    version = db.session.scalar(_current_versions().where(Course.slug == course_slug))
    return _overviews([version], user_id)[0] if version is not None else None


def current_module(course_slug: str, module_slug: str) -> Module | None:
    """Return the module of the course's current version, with its version and course loaded."""
    stmt = (sa.select(Module)
            .join(CourseVersion, CourseVersion.id == Module.course_version_id)
            .join(Course, Course.current_version_id == CourseVersion.id)
            .where(Course.slug == course_slug, Module.slug == module_slug)
            .options(joinedload(Module.course_version).joinedload(CourseVersion.course)))
    return db.session.scalar(stmt)


@cache
def _reading_place_statement() -> sa.Select:
    """Build once: every lesson view runs it, and building and keying a statement costs more than running it."""
    courses, progress = Course.__table__.c, ModuleProgress.__table__.c
    learner_on_module = sa.and_(progress.course_id == courses.id, progress.user_id == sa.bindparam("user_id"),
                                progress.module_slug == sa.bindparam("module_slug"))
    return (sa.select(courses.id.label("course_id"), courses.slug.label("course_slug"),
                      courses.current_version_id.label("version_id"),
                      progress.id.label("progress_id"), progress.last_page, progress.reading_completed_at,
                      progress.updated_at)
            .select_from(Course.__table__.outerjoin(ModuleProgress.__table__, learner_on_module))
            .where(courses.slug == sa.bindparam("course_slug"), courses.current_version_id.is_not(None)))


def reading_place(course_slug: str, module_slug: str, user_id: int) -> sa.Row | None:
    """Return the course's id and current version id with the learner's progress on the module (one query).

    The row's progress_id is None until the learner opens the module; None means no such course (or no
    current version).
    """
    params = {"course_slug": course_slug, "module_slug": module_slug, "user_id": user_id}
    return db.session.execute(_reading_place_statement(), params).first()


def version_module(version_id: int, module_slug: str) -> Module | None:
    """Return a module of a given course version, with its version and course loaded."""
    stmt = (sa.select(Module).where(Module.course_version_id == version_id, Module.slug == module_slug)
            .options(joinedload(Module.course_version).joinedload(CourseVersion.course)))
    return db.session.scalar(stmt)


def module_status(user_id: int, module: Module) -> ModuleStatus:
    """Return the module with the learner's progress on it."""
    progress = db.session.scalar(sa.select(ModuleProgress).filter_by(
        user_id=user_id, course_id=module.course_version.course_id, module_slug=module.slug))
    return ModuleStatus(module, progress)


@dataclass(frozen=True)
class ModuleHeading:
    """A module's slug and titles, as a link to it shows them."""

    slug: str
    title: dict


def _module_headings(version_id: int) -> tuple[ModuleHeading, ...]:
    rows = db.session.execute(sa.select(Module.slug, Module.title)
                              .where(Module.course_version_id == version_id).order_by(Module.position))
    return tuple(ModuleHeading(row.slug, row.title) for row in rows)


def next_module(version_id: int | None, module_slug: str) -> ModuleHeading | None:
    """Return the module after `module_slug` in a course version (None after the last, or without a version).

    Pass the course's current version id. A version's modules never change, so they are kept in memory.
    """
    if version_id is None:
        return None
    headings = memo("modules").get(version_id, lambda: _module_headings(version_id))
    slugs = [heading.slug for heading in headings]
    if module_slug not in slugs:
        return None
    index = slugs.index(module_slug) + 1
    return headings[index] if index < len(headings) else None


def lesson_page(module_id: int, position: int, language: str) -> LessonPage | None:
    """Return the lesson page in the learner's language (English when that one is missing)."""
    pages = db.session.scalars(sa.select(LessonPage).where(
        LessonPage.module_id == module_id, LessonPage.position == position,
        LessonPage.language.in_({language, "en"})))
    by_language = {page.language: page for page in pages}
    return by_language.get(language) or by_language.get("en")


def asset(module_id: int, filename: str) -> CourseAsset | None:
    """Return a module's stored image by file name."""
    return db.session.scalar(sa.select(CourseAsset).filter_by(module_id=module_id, filename=filename))
