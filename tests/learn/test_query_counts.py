"""Pages read a fixed number of queries, however large the course or the question bank."""

import re

import pytest
import sqlalchemy as sa
from flask import g
from werkzeug.datastructures import MultiDict

from elearning.extensions import db as _db
from elearning.learn.models import ModuleProgress
from tests.conftest import count_queries
from tests.learn.support import form_fields, right_answer

SMALL = {"modules": 1, "pages": 2, "bank": 5, "per_attempt": 5}
LARGE = {"modules": 8, "pages": 10, "bank": 40, "per_attempt": 25}


def _fresh_request_state() -> None:
    """Start the next request as production does: empty session, user not cached (the tests' app context is shared)."""
    _db.session.remove()
    g.pop("_login_user", None)


def _queries(client, path: str) -> int:
    _fresh_request_state()
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def _quiz_counts(db, client, slug: str) -> dict[str, int]:
    from elearning.quizzes import queries
    from elearning.quizzes.models import QuizAttempt

    response = client.post(f"/quiz/{slug}/m1")
    attempt_id = int(re.search(r"(\d+)$", response.headers["Location"]).group(1))
    counts = {"take": _queries(client, f"/quiz/attempts/{attempt_id}")}
    fields = form_fields(queries.shown_questions(db.session.get(QuizAttempt, attempt_id)), right_answer)
    _fresh_request_state()
    with count_queries() as statements:
        assert client.post(f"/quiz/attempts/{attempt_id}", data=MultiDict(fields)).status_code == 302
    counts["submit"] = len(statements)
    counts["result"] = _queries(client, f"/quiz/attempts/{attempt_id}/result")
    return counts


def _page_counts(db, client, slug: str) -> dict[str, int]:
    client.get(f"/learn/{slug}/m1/1")  # the first view creates the progress row; count the next ones
    counts = {name: _queries(client, path) for name, path in {
        "lesson": f"/learn/{slug}/m1/2",
        "module": f"/learn/{slug}/m1",
        "course": f"/learn/{slug}",
        "catalog": "/learn/courses",
        "my_training": "/learn/",
        "intro": f"/quiz/{slug}/m1",
    }.items()}
    return counts | _quiz_counts(db, client, slug)


@pytest.fixture
def count_pages(db, logged_in, course_factory):
    def _count(slug, sizes):
        course_factory(slug, **sizes)
        return _page_counts(db, logged_in, slug)
    return _count


def test_page_queries_do_not_grow_with_the_course(db, count_pages):
    small = count_pages("small-course", SMALL)
    db.session.expunge_all()
    large = count_pages("large-course", LARGE)
    assert small == large
    # Loose caps: the layout (user, navigation) adds a few queries of its own on every page.
    assert large["lesson"] <= 8 and large["course"] <= 6 and large["take"] <= 5 and large["result"] <= 8


def test_catalog_queries_do_not_grow_with_the_number_of_courses(db, logged_in, course_factory):
    course_factory("only-course", modules=2)
    logged_in.get("/learn/only-course/m1/1")
    one = _queries(logged_in, "/learn/courses"), _queries(logged_in, "/learn/")
    for n in range(5):
        course_factory(f"course-{n}", modules=4)
        logged_in.get(f"/learn/course-{n}/m1/1")
    assert (_queries(logged_in, "/learn/courses"), _queries(logged_in, "/learn/")) == one


# Exact counts once the in-memory content memos are warm (learn/cache.py), as on a server after its first views.
# On every page: the user (Flask-Login), with the navigation's "administers an organisation?" check in the
# same query.
LAYOUT = 1


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")]


@pytest.fixture
def commits(db):
    """Collect the commits sent to the database while the test runs."""
    seen: list[int] = []
    listener = lambda connection: seen.append(1)  # noqa: E731
    sa.event.listen(db.engine, "commit", listener)
    yield seen
    sa.event.remove(db.engine, "commit", listener)


def _statements(client, path: str) -> list[str]:
    _fresh_request_state()
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return statements


def test_lesson_page_queries(db, logged_in, course_factory):
    course_factory(pages=3)
    visit = 2 if db.engine.dialect.name == "postgresql" else 1  # PostgreSQL first locks the learner's row
    first = _statements(logged_in, "/learn/demo-course/m1/1")  # renders the page body: module and page
    # + INSERT of the progress row, + the visit upserted into each requirement's standing (one statement)
    assert len(first) == LAYOUT + 1 + 2 + 1 + visit and len(_writes(first)) == 2
    again = _statements(logged_in, "/learn/demo-course/m1/2")  # advancing: one guarded UPDATE, the upsert
    assert len(again) == LAYOUT + 1 + 2 + 1 + visit and _writes(again)[0].lstrip().upper().startswith("UPDATE")
    # The course's current version and the learner's progress in one query; the body comes from memory.
    assert len(_statements(logged_in, "/learn/demo-course/m1/2")) == LAYOUT + 1


def test_rereading_a_page_writes_nothing(db, logged_in, course_factory, commits):
    course_factory(pages=3)
    logged_in.get("/learn/demo-course/m1/2")
    commits.clear()
    for page in (2, 1):  # the same page again, then an earlier one
        statements = _statements(logged_in, f"/learn/demo-course/m1/{page}")
        assert _writes(statements) == [] and commits == []
    (progress,) = db.session.scalars(sa.select(ModuleProgress)).all()
    assert progress.last_page == 2  # the furthest page read stays where to resume


def test_quiz_page_queries(logged_in, course_factory):
    course_factory(bank=10, per_attempt=8)
    attempt_id = _start(logged_in, "demo-course")
    assert len(_statements(logged_in, f"/quiz/attempts/{attempt_id}")) == LAYOUT + 1 + 1  # + the bank's questions
    assert len(_statements(logged_in, f"/quiz/attempts/{attempt_id}")) == LAYOUT + 1  # the attempt (module joined)


def test_result_page_queries(db, logged_in, course_factory):
    from elearning.quizzes import queries
    from elearning.quizzes.models import QuizAttempt

    course_factory(bank=10, per_attempt=8)
    attempt_id = _start(logged_in, "demo-course")
    fields = form_fields(queries.shown_questions(db.session.get(QuizAttempt, attempt_id)), right_answer)
    assert logged_in.post(f"/quiz/attempts/{attempt_id}", data=MultiDict(fields)).status_code == 302
    path = f"/quiz/attempts/{attempt_id}/result"
    assert len(_statements(logged_in, path)) == LAYOUT + 3 + 1  # + the version's modules, for "next module"
    # The attempt (module joined), its answers, the learner's attempts at the module (for "try again").
    assert len(_statements(logged_in, path)) == LAYOUT + 3


def _start(client, slug: str) -> int:
    response = client.post(f"/quiz/{slug}/m1")
    return int(re.search(r"(\d+)$", response.headers["Location"]).group(1))
