"""Starting and submitting attempts: the draw, the rules, validation, idempotency and old versions."""

import random
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from elearning.accounts.models import utcnow
from elearning.learn.models import ModuleProgress
from elearning.quizzes import services
from elearning.quizzes.models import AttemptAnswer, QuizAttempt
from elearning.quizzes.services import (
    AttemptsExhausted,
    InvalidAnswers,
    RetryTooSoon,
    drawn_questions,
    start_attempt,
    submit_attempt,
)
from tests.learn.support import modules_of, right_answer, wrong_answer


def _answers(attempt, make=right_answer):
    return {q.slug: make(q.spec) for q in drawn_questions(attempt)}


def _count(db, model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def module(course_factory):
    return modules_of(course_factory(bank=10, per_attempt=4))[0]


def test_start_draws_and_stores_shuffled_order(db, learner, module):
    attempt = start_attempt(learner, module, rng=random.Random(3))
    db.session.commit()
    assert attempt.number == 1 and attempt.module_id == module.id and attempt.submitted_at is None
    assert len(attempt.draw) == 4 and len({entry["slug"] for entry in attempt.draw}) == 4
    questions = {q.id: q for q in drawn_questions(attempt)}
    for entry in attempt.draw:
        spec = questions[entry["id"]].spec
        for item_id, order in entry["order"].items():
            item = spec if item_id == spec["id"] else next(s for s in spec["questions"] if s["id"] == item_id)
            assert sorted(order) == sorted(o["id"] for o in item.get("choices") or item["steps"])


def test_choices_are_really_shuffled(db, learner, course_factory):
    module = modules_of(course_factory("shuffle", bank=5, per_attempt=5))[0]
    orders = set()
    for seed in range(8):
        draw = services.draw_questions(drawn_bank(db, module), 5, set(), random.Random(seed))
        orders.add(tuple(tuple(order) for entry in draw for order in entry["order"].values()))
    assert len(orders) > 1


def drawn_bank(db, module):
    from elearning.content.models import Question

    return list(db.session.scalars(sa.select(Question).filter_by(module_id=module.id)))


def test_open_attempt_is_reused(db, learner, module):
    first = start_attempt(learner, module)
    db.session.commit()
    assert start_attempt(learner, module).id == first.id
    assert _count(db, QuizAttempt) == 1


def test_draw_prefers_questions_not_seen_before(db, learner, module):
    seen = set()
    for _ in range(2):  # 2 x 4 of a bank of 10: the second draw must avoid the first
        attempt = start_attempt(learner, module)
        slugs = {entry["slug"] for entry in attempt.draw}
        assert not slugs & seen
        seen |= slugs
        submit_attempt(attempt, {})
        db.session.commit()
    third = start_attempt(learner, module)  # 2 unseen left: both drawn, 2 more among the seen
    slugs = {entry["slug"] for entry in third.draw}
    bank = {q.slug for q in drawn_bank(db, module)}
    assert bank - seen <= slugs
    assert len(slugs & seen) == 2


def test_max_attempts(db, learner, course_factory):
    module = modules_of(course_factory("limited", max_attempts=2))[0]
    for _ in range(2):
        submit_attempt(start_attempt(learner, module), {})
        db.session.commit()
    with pytest.raises(AttemptsExhausted):
        start_attempt(learner, module)


def test_retry_wait_after_a_failed_attempt(db, learner, course_factory):
    module = modules_of(course_factory("waiting", retry_wait_minutes=30))[0]
    attempt = start_attempt(learner, module)
    submit_attempt(attempt, {})
    db.session.commit()
    with pytest.raises(RetryTooSoon) as caught:
        start_attempt(learner, module)
    assert caught.value.until == attempt.submitted_at + timedelta(minutes=30)
    later = start_attempt(learner, module, now=attempt.submitted_at + timedelta(minutes=31))
    assert later.number == 2


def test_passing_grades_and_records_progress(db, learner, module):
    attempt = start_attempt(learner, module)
    submit_attempt(attempt, _answers(attempt))
    db.session.commit()
    assert (attempt.score_percent, attempt.is_passed) == (100, True)
    answers = db.session.scalars(sa.select(AttemptAnswer).filter_by(attempt_id=attempt.id)).all()
    assert answers and all(answer.is_correct for answer in answers)
    progress = db.session.scalars(sa.select(ModuleProgress)).one()
    assert progress.passed_at == attempt.submitted_at


def test_score_counts_scenario_parts_and_rounds_down(db, learner, course_factory):
    # Bank of five, all drawn: 1 + 1 + 1 + 1 + 3 scenario parts = 7 points.
    module = modules_of(course_factory("scoring", bank=5, per_attempt=5, pass_mark=80))[0]
    attempt = start_attempt(learner, module)
    answers = _answers(attempt)
    scenario = next(q for q in drawn_questions(attempt) if q.type == "scenario")
    answers[scenario.slug][scenario.spec["questions"][0]["id"]] = wrong_answer(scenario.spec["questions"][0])
    submit_attempt(attempt, answers)
    assert attempt.score_percent == 600 // 7  # 85.7 -> 85
    assert attempt.is_passed is True
    rows = db.session.scalars(sa.select(AttemptAnswer).filter_by(attempt_id=attempt.id)).all()
    assert len(rows) == 7 and sum(row.is_correct for row in rows) == 6


def test_empty_submission_scores_zero(db, learner, module):
    attempt = start_attempt(learner, module)
    submit_attempt(attempt, {})
    assert (attempt.score_percent, attempt.is_passed) == (0, False)
    assert not any(row.is_correct for row in attempt.answers)


def test_second_submission_returns_the_first_result(db, learner, module):
    attempt = start_attempt(learner, module)
    submit_attempt(attempt, _answers(attempt, wrong_answer))
    db.session.commit()
    rows = _count(db, AttemptAnswer)
    again = submit_attempt(attempt, _answers(attempt, right_answer))
    db.session.commit()
    assert again is attempt and attempt.score_percent == 0
    assert _count(db, AttemptAnswer) == rows


def test_concurrent_submission_is_graded_once(db, learner, module):
    """Another request claimed the attempt after this one loaded it: this one grades nothing."""
    attempt = start_attempt(learner, module)
    db.session.commit()
    claimed_at = utcnow()
    with db.engine.begin() as other:  # the other request, behind this session's back
        other.execute(sa.update(QuizAttempt).where(QuizAttempt.id == attempt.id)
                      .values(submitted_at=claimed_at, score_percent=50))
    assert attempt.submitted_at is None  # this session has not seen it
    result = submit_attempt(attempt, _answers(attempt))
    db.session.commit()
    assert result.submitted_at == claimed_at and result.score_percent == 50
    assert _count(db, AttemptAnswer) == 0


@pytest.mark.parametrize("tamper", [
    lambda answers, slugs: {**answers, "not-drawn": ["a"]},
    lambda answers, slugs: {**answers, slugs["single"]: ["zzz"]},
    lambda answers, slugs: {**answers, slugs["ordering"]: ["step-1", "step-2"]},
    lambda answers, slugs: {**answers, slugs["ordering"]: ["step-1", "step-1", "step-2", "step-3"]},
    lambda answers, slugs: {**answers, slugs["true_false"]: "true"},
    lambda answers, slugs: {**answers, slugs["scenario"]: ["a"]},
], ids=["not-in-draw", "unknown-choice", "partial-permutation", "repeated-step", "not-a-list", "scenario-shape"])
def test_invalid_answers_change_nothing(db, learner, course_factory, tamper):
    module = modules_of(course_factory("tamper", bank=5, per_attempt=5))[0]
    attempt = start_attempt(learner, module)
    db.session.commit()
    slugs = {q.type: q.slug for q in drawn_questions(attempt)}
    with pytest.raises(InvalidAnswers):
        submit_attempt(attempt, tamper(_answers(attempt), slugs))
    db.session.rollback()
    db.session.refresh(attempt)
    assert attempt.submitted_at is None and _count(db, AttemptAnswer) == 0


def test_attempt_on_an_older_version_stays_gradable(db, learner, course_factory):
    course = course_factory("versioned", bank=5, per_attempt=3)
    old_module = modules_of(course)[0]
    attempt = start_attempt(learner, old_module)
    db.session.commit()
    course_factory(course=course, bank=6, per_attempt=3)  # a new version: new Module and Question rows
    new_module = modules_of(course)[0]
    assert new_module.id != old_module.id
    assert start_attempt(learner, new_module).id == attempt.id  # the open attempt is kept
    submit_attempt(attempt, _answers(attempt))
    db.session.commit()
    assert attempt.is_passed and attempt.module_id == old_module.id
    progress = db.session.scalars(sa.select(ModuleProgress)).one()
    assert progress.passed_at is not None  # and it counts for the module whatever its version
    nxt = start_attempt(learner, new_module)
    assert (nxt.number, nxt.module_id) == (2, new_module.id)


def test_attempts_of_two_learners_are_separate(db, create_user, module):
    one, two = create_user(), create_user()
    assert start_attempt(one, module).id != start_attempt(two, module).id
    assert {a.number for a in db.session.scalars(sa.select(QuizAttempt))} == {1}


def test_racing_submissions_are_graded_once(app, db, learner, module):
    """Two requests submit the same attempt at the same moment (PostgreSQL: real concurrent connections)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a database that serves concurrent connections (TEST_DATABASE_URL=postgresql...)")
    attempt_id = start_attempt(learner, module).id
    db.session.commit()
    barrier, scores, errors = threading.Barrier(2), [], []

    def request(make):
        with app.app_context():  # its own session, like another worker
            try:
                attempt = db.session.get(QuizAttempt, attempt_id)
                answers = _answers(attempt, make)
                barrier.wait()
                scores.append(submit_attempt(attempt, answers).score_percent)
                db.session.commit()
            except Exception as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request, args=(make,)) for make in (right_answer, wrong_answer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(scores) == 2 and scores[0] == scores[1]
    items = sum(len(grading_items(q)) for q in drawn_questions(db.session.get(QuizAttempt, attempt_id)))
    assert _count(db, AttemptAnswer) == items


def test_racing_starts_share_one_attempt(app, db, learner, module):
    """A double click on "Start": both requests end on the same attempt, the loser's insert does nothing."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs a database that serves concurrent connections (TEST_DATABASE_URL=postgresql...)")
    barrier, ids, errors = threading.Barrier(2), [], []
    learner_id, module_id = learner.id, module.id

    def request():
        with app.app_context():
            try:
                user, mod = db.session.get(type(learner), learner_id), db.session.get(type(module), module_id)
                barrier.wait()
                ids.append(start_attempt(user, mod).id)
                db.session.commit()
            except Exception as exc:  # reported below, in the test's thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors and len(ids) == 2 and ids[0] == ids[1]
    assert _count(db, QuizAttempt) == 1


def grading_items(question):
    from elearning.quizzes.grading import items

    return items(question.spec)
