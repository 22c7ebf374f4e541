"""Read attempts and shape them for the quiz and result pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from elearning.accounts.models import utcnow
from elearning.content.models import CourseVersion, Module
from elearning.extensions import db
from elearning.learn.models import ModuleProgress
from elearning.quizzes import grading
from elearning.quizzes.models import AttemptAnswer, QuizAttempt
from elearning.quizzes.services import (
    AttemptsExhausted,
    BankQuestion,
    RetryTooSoon,
    attempts_of,
    check_may_start,
    drawn_questions,
)


@dataclass(frozen=True)
class ShownItem:
    """A gradable item as the learner sees it: `key` names its form fields, `options` are in drawn order."""

    key: str
    spec: dict
    options: list[dict]
    answer: AttemptAnswer | None = None  # on the result page

    @property
    def type(self) -> str:
        return self.spec["type"]

    @property
    def correct_steps(self) -> list[dict]:
        return list(self.spec.get("steps") or [])

    def picked_options(self) -> list[dict]:
        """Return the options the learner picked, in their order (the learner's order for ordering)."""
        by_id = {option["id"]: option for option in self.options}
        return [by_id[i] for i in (self.answer.picked if self.answer else []) if i in by_id]


@dataclass(frozen=True)
class ShownQuestion:
    question: BankQuestion
    items: list[ShownItem] = field(default_factory=list)

    @property
    def spec(self) -> dict:
        return self.question.spec

    @property
    def is_scenario(self) -> bool:
        return self.question.type == "scenario"

    @property
    def is_correct(self) -> bool:
        return all(item.answer is not None and item.answer.is_correct for item in self.items)


@dataclass(frozen=True)
class Standing:
    """Where the learner stands with a module's quiz: attempts used and whether, or when, they may start one."""

    used: int
    max_attempts: int | None
    open_attempt: QuizAttempt | None
    exhausted: bool
    wait_until: datetime | None
    passed: bool

    @property
    def remaining(self) -> int | None:
        return None if self.max_attempts is None else max(self.max_attempts - self.used, 0)

    @property
    def may_start(self) -> bool:
        return self.open_attempt is None and not self.exhausted and self.wait_until is None


@cache
def _own_attempt_statement() -> sa.Select:
    """Build once (at first use, when every model is mapped): building and keying it costs more than running it."""
    return (sa.select(QuizAttempt)
            .where(QuizAttempt.id == sa.bindparam("attempt_id"), QuizAttempt.user_id == sa.bindparam("user_id"))
            .options(joinedload(QuizAttempt.module).joinedload(Module.course_version)
                     .joinedload(CourseVersion.course), joinedload(QuizAttempt.progress)))


def own_attempt(attempt_id: int, user_id: int) -> QuizAttempt | None:
    """Return the attempt when it belongs to the user, with its module, version and course loaded."""
    return db.session.scalars(_own_attempt_statement(), {"attempt_id": attempt_id, "user_id": user_id}).first()


def shown_questions(attempt: QuizAttempt, answers: list[AttemptAnswer] | None = None) -> list[ShownQuestion]:
    """Return the attempt's questions with their choices and steps in the order drawn for it."""
    by_item = {(answer.question_id, answer.item_slug): answer for answer in answers or []}
    orders = {entry["id"]: entry.get("order", {}) for entry in attempt.draw}
    shown = []
    for question in drawn_questions(attempt):
        items = []
        for item in grading.items(question.spec):
            options = {option["id"]: option for option in grading.options(item)}
            order = [i for i in orders[question.id].get(item["id"], []) if i in options] or list(options)
            key = f"{question.slug}/{item['id']}" if question.type == "scenario" else question.slug
            items.append(ShownItem(key, item, [options[i] for i in order], by_item.get((question.id, item["id"]))))
        shown.append(ShownQuestion(question, items))
    return shown


@cache
def _answers_statement() -> sa.Select:
    return sa.select(AttemptAnswer).where(AttemptAnswer.attempt_id == sa.bindparam("attempt_id"))


def result(attempt: QuizAttempt) -> list[ShownQuestion]:
    """Return the attempt's questions with the recorded answer to each item."""
    answers = db.session.scalars(_answers_statement(), {"attempt_id": attempt.id})
    return shown_questions(attempt, list(answers))


def standing(progress: ModuleProgress | None, module: Module, now: datetime | None = None) -> Standing:
    """Return the learner's attempts and whether the module's rules let them start one now."""
    attempts = attempts_of(progress.id) if progress is not None else []
    exhausted, wait_until = False, None
    try:
        check_may_start(module, attempts, now or utcnow())
    except AttemptsExhausted:
        exhausted = True
    except RetryTooSoon as exc:
        wait_until = exc.until
    return Standing(used=sum(a.submitted_at is not None for a in attempts), max_attempts=module.max_attempts,
                    open_attempt=next((a for a in attempts if a.submitted_at is None), None),
                    exhausted=exhausted, wait_until=wait_until,
                    passed=progress is not None and progress.passed_at is not None)

