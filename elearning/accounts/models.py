"""Users and their credentials."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from elearning.extensions import db


def utcnow() -> datetime:
    """Return the current time in UTC (stored without tzinfo so SQLite and PostgreSQL agree)."""
    return datetime.now(UTC).replace(tzinfo=None)


class JobRole(enum.StrEnum):
    """What a person does for well-being at work; training requirements apply by job role."""

    HR_MANAGER = "hr_manager"
    PREVENTION_ADVISER = "prevention_adviser"
    CPBW_MEMBER = "cpbw_member"
    EXTERNAL_PREVENTION = "external_prevention"
    CONTACT_PERSON = "contact_person"
    MANAGER = "manager"
    OTHER = "other"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    language: Mapped[str] = mapped_column(sa.String(2), default="en")
    job_role: Mapped[str] = mapped_column(sa.String(32), default=JobRole.OTHER.value)
    is_platform_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    email_confirmed_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password (scrypt; the test suite configures a cheaper method)."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Return whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
