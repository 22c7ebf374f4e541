"""A learner's progress through a module, kept across course versions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from elearning.accounts.models import utcnow
from elearning.extensions import db


class ModuleProgress(db.Model):
    """How far a learner got in a module: pages read, reading finished, quiz passed.

    Keyed by the course (whose row outlives its versions) and the module's slug (stable forever, see
    courses/README.md), not by a Module row: each course version has its own Module rows, and a new
    version must not reset what the learner has read or passed.
    """

    __tablename__ = "module_progress"
    __table_args__ = (sa.UniqueConstraint("user_id", "course_id", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    last_page: Mapped[int | None]  # 1-based; None until a lesson page is viewed
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    reading_completed_at: Mapped[datetime | None]
    passed_at: Mapped[datetime | None]  # first passed attempt, on whichever version

    def __repr__(self) -> str:
        return f"<ModuleProgress user={self.user_id} course={self.course_id} {self.module_slug}>"
