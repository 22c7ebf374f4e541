"""The quiz in the test client: start, answer, result, retries and every refused request."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import refresh
from werkzeug.datastructures import MultiDict

from elearning.learn.models import ModuleProgress
from elearning.quizzes import queries
from elearning.quizzes.models import AttemptAnswer, QuizAttempt
from tests.learn.support import form_fields, right_answer, wrong_answer


def _start(client, course="demo-course", module="m1"):
    response = client.post(f"/quiz/{course}/{module}")
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/quiz/attempts/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def _submit(client, attempt_id, fields):
    return client.post(f"/quiz/attempts/{attempt_id}", data=MultiDict(fields))


def _attempt(db, attempt_id):
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt_id)


def _fields(db, attempt_id, answer_for=right_answer):
    return form_fields(queries.shown_questions(_attempt(db, attempt_id)), answer_for)


def _answer_rows(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(AttemptAnswer))


@pytest.fixture
def full_bank(course_factory):
    """A course whose quiz shows all five question types in every attempt."""
    return course_factory(bank=5, per_attempt=5)


def test_intro_explains_the_rules(logged_in, course_factory):
    course_factory(bank=6, per_attempt=4, max_attempts=3, retry_wait_minutes=15)
    page = logged_in.get("/quiz/demo-course/m1").get_data(as_text=True)
    assert "4 questions" in page and "80% or more" in page
    assert "Attempts used: 0 of 3." in page and "15 minutes" in page
    assert 'action="/quiz/demo-course/m1"' in page and "Start the quiz" in page


def test_the_title_follows_each_language_s_punctuation(logged_in, course_factory):
    course_factory()
    refresh()  # the test's app context outlives requests, and Flask-Babel caches the locale on it
    french = logged_in.get("/quiz/demo-course/m1?lang=fr").get_data(as_text=True)
    assert re.search(r"<h1>Quiz\u00a0: \S", french)  # French puts a space before the colon
    refresh()
    english = logged_in.get("/quiz/demo-course/m1?lang=en").get_data(as_text=True)
    assert re.search(r"<h1>Quiz: \S", english)


def test_quiz_form_shows_every_type_accessibly(db, logged_in, full_bank):
    attempt_id = _start(logged_in)
    page = logged_in.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    assert page.count("<form method=\"post\" action=\"/quiz/attempts/") == 1
    assert page.count("<fieldset") == 5 + 3  # five questions, the scenario's three parts nested
    assert page.count("<legend>") == page.count("<fieldset")
    assert 'type="radio"' in page and 'type="checkbox"' in page and "<select" in page
    assert 'class="case-box"' in page
    assert "style=" not in page and "<script>" not in page
    ids = re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', page)
    assert ids and all(f'for="{control_id}"' in page for control_id in ids)
    shown = queries.shown_questions(_attempt(db, attempt_id))
    ordering = next(item for q in shown for item in q.items if item.type == "ordering")
    rendered = re.findall(rf'name="{re.escape(ordering.key)}@([^"]+)"', page)
    assert rendered == [step["id"] for step in ordering.options]  # in the drawn (shuffled) order
    for described in re.findall(r'<fieldset[^>]* aria-describedby="([^"]+)"', page):  # the hint of a multiple choice
        assert all(f'id="{part}"' in page for part in described.split())
    assert re.search(r'<fieldset[^>]* aria-describedby="[^"]*hint"', page)


def test_pass_journey_with_prg_and_next_module(db, logged_in, full_bank):
    attempt_id = _start(logged_in)
    response = _submit(logged_in, attempt_id, _fields(db, attempt_id))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/quiz/attempts/{attempt_id}/result"
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your score: 100%" in page and "You passed this module." in page
    assert 'href="/learn/demo-course/m2">Next module: Module 2 (en)' in page
    assert page.count("verdict-right") == 5 + 3 and "verdict-wrong" not in page
    assert "Why a (en)" in page and "Explained q1-single (en)" in page  # per-choice and question explanations
    assert "Try again" not in page
    assert logged_in.get(f"/quiz/attempts/{attempt_id}").headers["Location"].endswith("/result")
    course = logged_in.get("/learn/demo-course").get_data(as_text=True)
    assert "Passed" in course and '<progress id="progress-demo-course" max="2" value="1">' in course


def test_fail_offers_a_new_draw(db, logged_in, full_bank):
    attempt_id = _start(logged_in)
    _submit(logged_in, attempt_id, _fields(db, attempt_id, wrong_answer))
    page = logged_in.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Your score: 0%" in page and "You did not pass this time." in page
    assert "Your answer" in page and "Correct answer" in page and "Correct order:" in page
    assert 'action="/quiz/demo-course/m1"' in page and "Try again" in page
    second = _start(logged_in)
    assert second != attempt_id and _attempt(db, second).number == 2


def test_wait_time_is_shown(db, logged_in, course_factory):
    course_factory(retry_wait_minutes=60)
    attempt_id = _start(logged_in)
    _submit(logged_in, attempt_id, _fields(db, attempt_id, wrong_answer))
    page = logged_in.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "You can try again from" in page and "Try again</button>" not in page
    response = logged_in.post("/quiz/demo-course/m1")
    assert response.headers["Location"] == "/quiz/demo-course/m1"
    assert "You can try again from" in logged_in.get("/quiz/demo-course/m1").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1


def test_exhausted_attempts(db, logged_in, course_factory):
    course_factory(max_attempts=1)
    attempt_id = _start(logged_in)
    _submit(logged_in, attempt_id, _fields(db, attempt_id, wrong_answer))
    page = logged_in.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "You have used all the attempts this quiz allows." in page
    assert logged_in.post("/quiz/demo-course/m1").headers["Location"] == "/quiz/demo-course/m1"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1


def test_starting_twice_reopens_the_same_attempt(logged_in, course_factory):
    course_factory()
    assert _start(logged_in) == _start(logged_in)


def test_double_submission_shows_the_same_result(db, logged_in, full_bank):
    attempt_id = _start(logged_in)
    first = _submit(logged_in, attempt_id, _fields(db, attempt_id, wrong_answer))
    rows = _answer_rows(db)
    second = _submit(logged_in, attempt_id, _fields(db, attempt_id, right_answer))
    assert second.headers["Location"] == first.headers["Location"]
    assert _answer_rows(db) == rows
    assert _attempt(db, attempt_id).score_percent == 0
    assert "already submitted" in logged_in.get(second.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("method,suffix", [("get", ""), ("post", ""), ("get", "/result")])
def test_another_learners_attempt_is_404(db, client, auth, create_user, course_factory, method, suffix):
    course_factory()
    auth.login(create_user(email="owner@example.com").email)
    attempt_id = _start(client)
    auth.logout()
    auth.login(create_user(email="other@example.com").email)
    response = getattr(client, method)(f"/quiz/attempts/{attempt_id}{suffix}")
    assert response.status_code == 404
    assert _attempt(db, attempt_id).submitted_at is None


def _tamper_unknown_field(fields, shown):
    return [*fields, ("not-a-question", "a")]


def _tamper_unknown_choice(fields, shown):
    single = next(item for q in shown for item in q.items if item.type == "single" and "/" not in item.key)
    return [(k, v) for k, v in fields if k != single.key] + [(single.key, "no-such-choice")]


def _tamper_two_radios(fields, shown):
    single = next(item for q in shown for item in q.items if item.type == "true_false" and "/" not in item.key)
    return [(k, v) for k, v in fields if k != single.key] + [(single.key, "true"), (single.key, "false")]


def _tamper_position(value):
    def _tamper(fields, shown):
        name = next(k for k, _ in fields if "@" in k)
        return [(k, value if k == name else v) for k, v in fields]
    return _tamper


@pytest.mark.parametrize("tamper", [_tamper_unknown_field, _tamper_unknown_choice, _tamper_two_radios,
                                    _tamper_position("9"), _tamper_position("x"), _tamper_position("0")],
                         ids=["unknown-field", "unknown-choice", "two-radios", "position-9", "position-x",
                              "position-0"])
def test_malformed_form_is_400_and_changes_nothing(db, logged_in, full_bank, tamper):
    attempt_id = _start(logged_in)
    shown = queries.shown_questions(_attempt(db, attempt_id))
    response = _submit(logged_in, attempt_id, tamper(_fields(db, attempt_id), shown))
    assert response.status_code == 400
    attempt = _attempt(db, attempt_id)
    assert attempt.submitted_at is None and attempt.score_percent is None and _answer_rows(db) == 0


def test_repeated_position_is_shown_again_with_answers_kept(db, logged_in, full_bank):
    attempt_id = _start(logged_in)
    fields = _fields(db, attempt_id)
    steps = [k for k, _ in fields if "@" in k and "/" not in k]
    fields = [(k, "1" if k in steps[:2] else v) for k, v in fields]
    response = _submit(logged_in, attempt_id, fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Give each step its own position, from 1 to 4." in page
    assert page.count(" checked") >= 3  # the learner's other answers are still ticked
    assert _attempt(db, attempt_id).submitted_at is None and _answer_rows(db) == 0


def test_unanswered_questions_earn_nothing(db, logged_in, full_bank):
    attempt_id = _start(logged_in)
    fields = [(k, v) for k, v in _fields(db, attempt_id) if "@" not in k]  # no ordering answered
    assert _submit(logged_in, attempt_id, fields).status_code == 302
    attempt = _attempt(db, attempt_id)
    assert attempt.score_percent == 500 // 7 and attempt.is_passed is False  # 5 of 7 points


def test_a_sheet_with_no_answer_is_not_submitted(db, logged_in, full_bank):
    """An accidental click on "Submit" must not spend an attempt on an empty sheet."""
    attempt_id = _start(logged_in)
    response = _submit(logged_in, attempt_id, [])
    assert response.status_code == 400
    assert "You have not answered any question yet. Nothing was submitted." in response.get_data(as_text=True)
    assert _attempt(db, attempt_id).submitted_at is None


@pytest.mark.settings(WTF_CSRF_ENABLED=True)
def test_csrf_is_required(db, client, create_user, course_factory):
    course_factory()
    user = create_user(email="csrf@example.com")
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert client.post("/quiz/demo-course/m1").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0


def test_result_uses_the_learners_language(db, client, auth, create_user, full_bank):
    auth.login(create_user(email="nl@example.com", language="nl").email)
    attempt_id = _start(client)
    _submit(client, attempt_id, _fields(db, attempt_id))
    page = client.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Explained q1-single (nl)" in page and "(en)</" not in page


def test_demo_course_quiz_can_be_passed(db, logged_in, demo_course):
    """Every question type of the demo course (the loader's fixture once it exists) goes through the form."""
    from tests.learn.support import modules_of

    module = modules_of(demo_course)[0]
    attempt_id = _start(logged_in, demo_course.slug, module.slug)
    assert logged_in.get(f"/quiz/attempts/{attempt_id}").status_code == 200
    _submit(logged_in, attempt_id, _fields(db, attempt_id))
    assert _attempt(db, attempt_id).is_passed
    progress = db.session.scalars(sa.select(ModuleProgress)).one()
    assert progress.passed_at is not None


def test_passing_the_last_required_module_issues_the_certificate(db, logged_in, full_bank, monkeypatch):
    from elearning.certificates import pdf
    from elearning.certificates.models import Certificate, Requirement

    monkeypatch.setattr(pdf, "render_pdf", lambda certificate, language, **_: b"%PDF-fake")
    db.session.add(Requirement(slug="basics", title={"en": "Basics"}, description={"en": "Basics"},
                               modules=["demo-course/m1"], job_roles=[], for_all_roles=True, validity_months=36,
                               hours=1.0, definition_hash="x"))
    db.session.commit()
    attempt_id = _start(logged_in)
    response = _submit(logged_in, attempt_id, _fields(db, attempt_id))
    assert "You have earned a certificate" in logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
    _submit(logged_in, attempt_id, _fields(db, attempt_id))  # a repeated submission issues nothing more
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
