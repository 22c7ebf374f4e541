"""Test helpers for learn and quizzes: course rows built directly, answers, and a query counter.

Until elearning/content/loader.py lands, courses are inserted as rows shaped like the loader's output
(see the brief in courses/README.md); `demo_course` switches to the loader by itself once it exists.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from elearning.content.models import Course, CourseAsset, CourseVersion, LessonPage, Module, Question
from elearning.extensions import db as _db

FIXTURE_COURSES = Path(__file__).resolve().parent.parent / "fixtures" / "courses"
LANGS = ("nl", "fr", "en")
TYPES = ("single", "multiple", "true_false", "ordering", "scenario")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


def texts(label: str) -> dict[str, str]:
    return {lang: f"{label} ({lang})" for lang in LANGS}


def _choice(choice_id: str, correct: bool) -> dict:
    return {"id": choice_id, "text": texts(f"Choice {choice_id}"), "correct": correct,
            "explanation": texts(f"Why {choice_id}")}


def question_spec(slug: str, kind: str) -> dict:
    """Return a question spec of the given type, shaped like the loader's."""
    spec = {"id": slug, "type": kind, "text": texts(f"Question {slug}"), "explanation": texts(f"Explained {slug}")}
    if kind == "single":
        spec["choices"] = [_choice("a", True), _choice("b", False), _choice("c", False)]
    elif kind == "multiple":
        spec["choices"] = [_choice("a", True), _choice("b", True), _choice("c", False), _choice("d", False)]
    elif kind == "true_false":
        spec["answer"] = True
    elif kind == "ordering":
        spec["steps"] = [{"id": f"step-{n}", "text": texts(f"Step {n}")} for n in range(1, 5)]
    elif kind == "scenario":
        spec["case"] = texts(f"Case {slug}")
        spec["questions"] = [question_spec(f"{slug}-part-1", "single"), question_spec(f"{slug}-part-2", "true_false"),
                             question_spec(f"{slug}-part-3", "ordering")]
    return spec


def build_course(slug: str = "demo-course", *, modules: int = 2, pages: int = 3, bank: int = 5,
                 per_attempt: int = 4, pass_mark: int = 80, max_attempts: int | None = None,
                 retry_wait_minutes: int = 0, course: Course | None = None) -> Course:
    """Insert a course (or a new version of `course`) whose banks cycle through every question type."""
    if course is None:
        course = Course(slug=slug)
        _db.session.add(course)
        _db.session.flush()
    number = (_db.session.scalar(sa.select(sa.func.max(CourseVersion.number)).filter_by(course_id=course.id)) or 0) + 1
    version = CourseVersion(course_id=course.id, number=number, content_hash=f"{course.slug}-{number}",
                            title=texts(f"Course {course.slug}"), description=texts("About this course"),
                            estimated_minutes=30 * modules)
    _db.session.add(version)
    for m in range(1, modules + 1):
        module = Module(course_version=version, slug=f"m{m}", position=m, title=texts(f"Module {m}"),
                        content_note={lang: f"<p>Content note {m} ({lang})</p>" for lang in LANGS},
                        estimated_minutes=30, pass_mark=pass_mark, questions_per_attempt=min(per_attempt, bank),
                        max_attempts=max_attempts, retry_wait_minutes=retry_wait_minutes, page_count=pages)
        _db.session.add(module)
        _db.session.flush()
        _db.session.add_all(LessonPage(module_id=module.id, language=lang, position=p, title=f"Page {p} {lang}",
                                       html=f"<p>Lesson m{m} page {p} in {lang}</p>")
                            for lang in LANGS for p in range(1, pages + 1))
        for q in range(1, bank + 1):
            kind = TYPES[(q - 1) % len(TYPES)]
            _db.session.add(Question(module_id=module.id, slug=f"q{q}-{kind.replace('_', '-')}", position=q,
                                     type=kind, spec=question_spec(f"q{q}-{kind.replace('_', '-')}", kind)))
        _db.session.add(CourseAsset(module_id=module.id, filename="figure.svg", media_type="image/svg+xml",
                                    data=SVG, sha256=hashlib.sha256(SVG).hexdigest()))
    _db.session.flush()
    course.current_version_id = version.id
    _db.session.commit()
    return course


def load_demo_course() -> Course:
    """Load tests/fixtures/courses with the loader when it exists; build the rows directly otherwise."""
    try:
        from elearning.content.loader import load_courses
    except ImportError:
        return build_course()
    if not FIXTURE_COURSES.is_dir():
        return build_course()
    load_courses(FIXTURE_COURSES)
    _db.session.commit()
    return _db.session.scalars(sa.select(Course).where(Course.current_version_id.is_not(None))
                               .order_by(Course.slug)).first()


def modules_of(course: Course) -> list[Module]:
    """Return the modules of the course's current version, in order."""
    return list(_db.session.scalars(sa.select(Module).filter_by(course_version_id=course.current_version_id)
                                    .order_by(Module.position)))


# Answers -------------------------------------------------------------------------------------------------

def right_answer(spec: dict) -> list[str] | dict:
    """Return the fully right answer to a question spec."""
    kind = spec["type"]
    if kind == "scenario":
        return {sub["id"]: right_answer(sub) for sub in spec["questions"]}
    if kind == "true_false":
        return ["true" if spec["answer"] else "false"]
    if kind == "ordering":
        return [step["id"] for step in spec["steps"]]
    return [choice["id"] for choice in spec["choices"] if choice.get("correct")]


def wrong_answer(spec: dict) -> list[str] | dict:
    """Return a valid but wrong answer to a question spec."""
    kind = spec["type"]
    if kind == "scenario":
        return {sub["id"]: wrong_answer(sub) for sub in spec["questions"]}
    if kind == "true_false":
        return ["false" if spec["answer"] else "true"]
    if kind == "ordering":
        return list(reversed(right_answer(spec)))
    return [next(choice["id"] for choice in spec["choices"] if not choice.get("correct"))]


def form_fields(shown, answer_for) -> list[tuple[str, str]]:
    """Return the quiz form's (name, value) pairs answering each shown item with answer_for(item spec)."""
    fields = []
    for question in shown:
        for item in question.items:
            answer = answer_for(item.spec)
            if item.type == "ordering":
                fields += [(f"{item.key}@{step}", str(position)) for position, step in enumerate(answer, 1)]
            else:
                fields += [(item.key, value) for value in answer]
    return fields


# Query counting ------------------------------------------------------------------------------------------


# Fixtures (imported by tests/learn/conftest.py and tests/quizzes/conftest.py) -----------------------------

@pytest.fixture
def course_factory(db):
    """Return build_course: a callable that inserts a course (or a new version) with sensible defaults."""
    return build_course


@pytest.fixture
def demo_course(db):
    """Return the two-module course of every question type."""
    return load_demo_course()


@pytest.fixture
def learner(create_user):
    return create_user(email="learner@example.com")  # .test is refused by the login form


@pytest.fixture
def logged_in(client, auth, learner):
    """Return the client logged in as `learner`."""
    response = auth.login(learner.email)
    assert response.status_code == 302
    return client
