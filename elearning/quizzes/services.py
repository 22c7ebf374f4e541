"""Start and submit quiz attempts; callers commit."""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from elearning.accounts.models import User, utcnow
from elearning.content.models import Module, Question
from elearning.errors import RelaisError
from elearning.extensions import db
from elearning.learn.cache import memo
from elearning.learn.services import insert_if_absent, progress_for
from elearning.quizzes import grading
from elearning.quizzes.models import AttemptAnswer, QuizAttempt

logger = logging.getLogger(__name__)
_random = random.SystemRandom()


class QuizError(RelaisError):
    """A quiz action the module's rules or the attempt's state do not allow."""


class AttemptsExhausted(QuizError):  # noqa: N818 (named for the situation, like AttemptClosed in STYLE.md §12)
    """The learner has used every attempt the module allows."""

    def __init__(self, max_attempts: int) -> None:
        super().__init__(max_attempts)
        self.max_attempts = max_attempts


class RetryTooSoon(QuizError):  # noqa: N818 (named for the situation, like AttemptClosed in STYLE.md §12)
    """The learner failed recently and must wait before the next attempt."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until)
        self.until = until


class InvalidAnswers(QuizError):  # noqa: N818 (named for the situation, like AttemptClosed in STYLE.md §12)
    """The submitted answers do not fit the attempt's draw; nothing was recorded."""


def check_may_start(module: Module, attempts: Sequence[QuizAttempt], now: datetime) -> None:
    """Raise AttemptsExhausted or RetryTooSoon when the module's rules forbid a new attempt now."""
    submitted = sorted((a for a in attempts if a.submitted_at is not None), key=lambda a: a.number)
    if module.max_attempts is not None and len(submitted) >= module.max_attempts:
        raise AttemptsExhausted(module.max_attempts)
    last = submitted[-1] if submitted else None
    if last is not None and not last.is_passed and module.retry_wait_minutes:
        until = last.submitted_at + timedelta(minutes=module.retry_wait_minutes)
        if now < until:
            raise RetryTooSoon(until)


@cache
def _attempts_statement() -> sa.Select:
    """Build once: the quiz pages run it on every view, and building it costs more than running it."""
    return sa.select(QuizAttempt).where(QuizAttempt.progress_id == sa.bindparam("progress_id")) \
        .order_by(QuizAttempt.number)


def attempts_of(progress_id: int) -> list[QuizAttempt]:
    """Return the learner's attempts at a module (every version), oldest first."""
    return list(db.session.scalars(_attempts_statement(), {"progress_id": progress_id}))


def draw_questions(bank: Sequence[Question], count: int, seen: set[str], rng: random.Random) -> list[dict]:
    """Draw `count` questions, unseen ones first, and shuffle their order, choices and steps."""
    unseen = [q for q in bank if q.slug not in seen]
    drawn = rng.sample(unseen, min(count, len(unseen)))
    rest = [q for q in bank if q.slug in seen]
    drawn += rng.sample(rest, min(count - len(drawn), len(rest)))
    rng.shuffle(drawn)
    return [{"id": q.id, "slug": q.slug, "order": _shuffled_options(q.spec, rng)} for q in drawn]


def _shuffled_options(spec: grading.Spec, rng: random.Random) -> dict[str, list[str]]:
    order = {}
    for item in grading.items(spec):
        ids = [option["id"] for option in grading.options(item)]
        if ids:
            rng.shuffle(ids)
            order[item["id"]] = ids
    return order


def start_attempt(user: User, module: Module, *, now: datetime | None = None,
                  rng: random.Random | None = None) -> QuizAttempt:
    """Return the learner's open attempt at the module, or draw a new one when the rules allow it."""
    now = now or utcnow()
    progress = progress_for(user, module)
    attempts = attempts_of(progress.id)
    open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    if open_attempt is not None:
        return open_attempt
    check_may_start(module, attempts, now)
    bank = db.session.scalars(sa.select(Question).where(Question.module_id == module.id).order_by(Question.position))
    seen = {entry["slug"] for attempt in attempts for entry in attempt.draw}
    draw = draw_questions(list(bank), module.questions_per_attempt, seen, rng or _random)
    number = attempts[-1].number + 1 if attempts else 1
    # A concurrent start (double click, two tabs) inserts the same number first: then use that attempt.
    insert_if_absent(QuizAttempt, {"user_id": user.id, "progress_id": progress.id, "module_id": module.id,
                                   "number": number, "draw": draw, "started_at": now}, ["progress_id", "number"])
    return db.session.scalars(sa.select(QuizAttempt).filter_by(progress_id=progress.id, number=number)).one()


@dataclass(frozen=True)
class BankQuestion:
    """A question of a loaded bank as the quiz pages and grading read it (bank questions never change)."""

    id: int
    slug: str
    type: str
    spec: dict


def _bank_questions(ids: list[int]) -> dict[int, BankQuestion]:
    rows = db.session.execute(sa.select(Question.id, Question.slug, Question.type, Question.spec)
                              .where(Question.id.in_(ids)))
    return {row.id: BankQuestion(row.id, row.slug, row.type, row.spec) for row in rows}


def drawn_questions(attempt: QuizAttempt) -> list[BankQuestion]:
    """Return the attempt's questions (from the version it was drawn from) in the drawn order.

    Kept in memory by question id, so a quiz page reads no question once the bank has been shown.
    """
    by_id = memo("questions", maxsize=8192).get_many(attempt.question_ids, _bank_questions)
    return [by_id[question_id] for question_id in attempt.question_ids]


def _validate(questions: Sequence[BankQuestion], answers: Mapping[str, object]) -> None:
    slugs = {question.slug: question for question in questions}
    unknown = set(answers) - set(slugs)
    if unknown:
        raise InvalidAnswers(f"answers for questions not in this attempt: {sorted(unknown)}")
    try:
        for slug, answer in answers.items():
            grading.validate(slugs[slug].spec, answer)
    except grading.InvalidAnswer as exc:
        raise InvalidAnswers(str(exc)) from exc


def _claim(attempt: QuizAttempt, now: datetime) -> bool:
    """Mark the attempt submitted unless another request already did; return whether this one did.

    The WHERE clause makes the database decide: of two concurrent submissions only one UPDATE matches.
    """
    stmt = (sa.update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
            .values(submitted_at=now)
            .execution_options(synchronize_session=False))
    if db.session.execute(stmt).rowcount != 1:
        return False
    set_committed_value(attempt, "submitted_at", now)
    return True


def submit_attempt(attempt: QuizAttempt, answers: Mapping[str, grading.Answer], *,
                   now: datetime | None = None) -> QuizAttempt:
    """Grade and record the answers once; a repeated submission changes nothing and returns the result.

    `answers` maps question slugs of the draw to answers (see grading); missing ones earn no points.
    Raises InvalidAnswers, before writing anything, when an answer does not fit the draw.
    """
    if attempt.submitted_at is not None:
        return attempt
    questions = drawn_questions(attempt)
    _validate(questions, answers)
    module, progress = attempt.module, attempt.progress  # loaded before writing, so nothing flushes midway
    now = now or utcnow()
    if not _claim(attempt, now):
        db.session.refresh(attempt)
        return attempt
    rows, points, total = [], 0, 0
    for question in questions:
        answer = answers.get(question.slug, {} if question.type == "scenario" else [])
        verdict = grading.grade(question.spec, answer)
        points, total = points + verdict.points, total + verdict.max_points
        for item_slug, item_verdict in (dict(verdict.parts) or {question.slug: verdict}).items():
            picked = answer.get(item_slug, []) if question.type == "scenario" else answer
            rows.append({"attempt_id": attempt.id, "question_id": question.id, "item_slug": item_slug,
                         "picked": list(picked), "is_correct": item_verdict.correct})
    if rows:
        db.session.execute(sa.insert(AttemptAnswer), rows)  # one executemany, whatever the number of questions
    db.session.expire(attempt, ["answers"])
    attempt.score_percent = points * 100 // total if total else 0
    attempt.is_passed = total > 0 and attempt.score_percent >= module.pass_mark
    if attempt.is_passed and progress.passed_at is None:
        progress.passed_at = now
    db.session.flush()
    logger.info("Attempt %s graded: %s%%", attempt.id, attempt.score_percent)
    return attempt
