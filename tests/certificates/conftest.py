"""Certificate fixtures: the demo course and its requirements loaded, passes recorded at chosen times."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from elearning.accounts.models import utcnow
from elearning.certificates import services
from elearning.certificates.models import Requirement
from elearning.content.loader import load_courses
from elearning.content.models import Course, CourseVersion, Module
from elearning.extensions import db as _db
from elearning.learn.services import progress_for
from elearning.quizzes.models import QuizAttempt

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE_COURSES = FIXTURES / "courses"
FIXTURE_REQUIREMENTS = FIXTURES / "requirements.yaml"
BASICS, PRACTICE = "demo-course/m1-basics", "demo-course/m2-practice"
DEMO_NAME = "Amélie Dubois-Çelik"


@pytest.fixture
def courses(db):
    """Load the fixture course and tests/fixtures/requirements.yaml; return the requirements by id."""
    load_courses(FIXTURE_COURSES)
    services.load_requirements(FIXTURE_REQUIREMENTS, FIXTURE_COURSES)
    db.session.commit()
    return {row.slug: row for row in db.session.scalars(sa.select(Requirement))}


def current_module(ref: str) -> Module:
    """Return the module of the course's current version for "course/module"."""
    course_slug, module_slug = ref.split("/")
    return _db.session.scalars(
        sa.select(Module).join(CourseVersion, CourseVersion.id == Module.course_version_id)
        .join(Course, Course.current_version_id == CourseVersion.id)
        .where(Course.slug == course_slug, Module.slug == module_slug)).one()


@pytest.fixture
def pass_module(db, courses):
    """Return a callable recording a passed attempt at a module ("course/module") at a given time."""

    def _pass(user, ref: str, when: datetime | None = None, score: int = 90, passed: bool = True) -> QuizAttempt:
        when = when or utcnow()
        module = current_module(ref)
        progress = progress_for(user, module)
        number = (db.session.scalar(sa.select(sa.func.max(QuizAttempt.number)).filter_by(progress_id=progress.id))
                  or 0) + 1
        attempt = QuizAttempt(user_id=user.id, progress_id=progress.id, module_id=module.id, number=number,
                              draw=[], started_at=when, submitted_at=when, score_percent=score, is_passed=passed)
        if passed and progress.passed_at is None:
            progress.passed_at = when
        db.session.add(attempt)
        db.session.flush()
        return attempt

    return _pass



@pytest.fixture
def certified(db, create_user, pass_module, fake_pdf):
    """Return a callable making a user who holds a demo-basics certificate (PDF faked), and the certificate."""

    def _make(when: datetime | None = None, **user_options):
        user_options.setdefault("full_name", DEMO_NAME)
        user = create_user(**user_options)
        pass_module(user, BASICS, when)
        [certificate] = services.issue_if_eligible(user, now=when)
        db.session.commit()
        services.render_issued([certificate])
        return user, certificate

    return _make

