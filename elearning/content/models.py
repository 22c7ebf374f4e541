"""Loaded course content: immutable versions of the files in courses/."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearning.accounts.models import utcnow
from elearning.extensions import db


class Course(db.Model):
    """A course by its stable id; its content lives in versions."""

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("course_versions.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    current_version: Mapped[CourseVersion | None] = relationship(foreign_keys=[current_version_id], post_update=True)

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class CourseVersion(db.Model):
    """One loaded state of a course, never changed after loading."""

    __tablename__ = "course_versions"
    __table_args__ = (sa.UniqueConstraint("course_id", "number"), sa.UniqueConstraint("course_id", "content_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[dict] = mapped_column(sa.JSON)  # {"nl": ..., "fr": ..., "en": ...}
    description: Mapped[dict] = mapped_column(sa.JSON)
    estimated_minutes: Mapped[int]
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship(foreign_keys=[course_id])
    modules: Mapped[list[Module]] = relationship(
        back_populates="course_version", order_by="Module.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<CourseVersion {self.course_id} v{self.number}>"


class Module(db.Model):
    __tablename__ = "modules"
    __table_args__ = (sa.UniqueConstraint("course_version_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(sa.ForeignKey("course_versions.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int]
    title: Mapped[dict] = mapped_column(sa.JSON)
    content_note: Mapped[dict] = mapped_column(sa.JSON)  # sanitised HTML per language
    estimated_minutes: Mapped[int]
    pass_mark: Mapped[int]
    questions_per_attempt: Mapped[int]
    max_attempts: Mapped[int | None]
    retry_wait_minutes: Mapped[int] = mapped_column(default=0)
    page_count: Mapped[int]

    course_version: Mapped[CourseVersion] = relationship(back_populates="modules")

    def __repr__(self) -> str:
        return f"<Module {self.slug} of version {self.course_version_id}>"


class LessonPage(db.Model):
    """One lesson page in one language, with its HTML rendered and sanitised at load time."""

    __tablename__ = "lesson_pages"
    __table_args__ = (sa.UniqueConstraint("module_id", "language", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    position: Mapped[int]  # 1-based
    title: Mapped[str] = mapped_column(sa.String(300))
    html: Mapped[str] = mapped_column(sa.Text)

    def __repr__(self) -> str:
        return f"<LessonPage module={self.module_id} {self.language} {self.position}>"


class Question(db.Model):
    """A question of a module's bank; `spec` holds its texts in every language, choices and answers."""

    __tablename__ = "questions"
    __table_args__ = (sa.UniqueConstraint("module_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int]
    type: Mapped[str] = mapped_column(sa.String(20))
    spec: Mapped[dict] = mapped_column(sa.JSON)

    def __repr__(self) -> str:
        return f"<Question {self.slug} ({self.type})>"


class CourseAsset(db.Model):
    """An image a lesson shows, stored in the database so app servers need no shared disk."""

    __tablename__ = "course_assets"
    __table_args__ = (sa.UniqueConstraint("module_id", "filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    media_type: Mapped[str] = mapped_column(sa.String(40))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    sha256: Mapped[str] = mapped_column(sa.String(64))
