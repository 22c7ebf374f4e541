"""Quiz attempts and the answers recorded for them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearning.accounts.models import utcnow
from elearning.content.models import Module
from elearning.extensions import db
from elearning.learn.models import ModuleProgress


class QuizAttempt(db.Model):
    """One attempt at a module's quiz: the questions drawn, then the score once submitted.

    `module_id` is the Module row of the version the questions were drawn from, so the attempt stays
    gradable after a new version is loaded; `progress_id` ties it to the learner's module across
    versions, which is what attempt numbers, limits and waits count against.
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (sa.UniqueConstraint("progress_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    progress_id: Mapped[int] = mapped_column(sa.ForeignKey("module_progress.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id"), index=True)
    number: Mapped[int]  # 1, 2, ... per learner and module
    # [{"id": question id, "slug": ..., "order": {item slug: [choice or step ids as shown]}}, ...]
    draw: Mapped[list] = mapped_column(sa.JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    score_percent: Mapped[int | None]  # rounded down, so it never shows a pass mark that was not reached
    is_passed: Mapped[bool] = mapped_column(default=False)

    module: Mapped[Module] = relationship()
    progress: Mapped[ModuleProgress] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.id", cascade="all, delete-orphan"
    )

    @property
    def question_ids(self) -> list[int]:
        return [entry["id"] for entry in self.draw]

    def __repr__(self) -> str:
        return f"<QuizAttempt {self.id} user={self.user_id} module={self.module_id} #{self.number}>"


class AttemptAnswer(db.Model):
    """The learner's answer to one gradable item: a question, or one question inside a scenario."""

    __tablename__ = "attempt_answers"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "question_id", "item_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("quiz_attempts.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id"))  # the drawn (top-level) question
    item_slug: Mapped[str] = mapped_column(sa.String(80))  # the question's slug, or the scenario sub-question's
    picked: Mapped[list] = mapped_column(sa.JSON)  # choice ids, ["true"]/["false"], or step ids in order
    is_correct: Mapped[bool]

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")

    def __repr__(self) -> str:
        return f"<AttemptAnswer attempt={self.attempt_id} {self.item_slug} {'right' if self.is_correct else 'wrong'}>"
