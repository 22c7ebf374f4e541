"""Organisations, their people, invitations, assignments and the reminders sent about them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearning.accounts.models import JobRole, User, utcnow
from elearning.extensions import db


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class Membership(db.Model):
    """A person's place in an organisation: job role and whether they administer it."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "user_id"),
                      sa.Index("ix_memberships_organisation_id_contact", "organisation_id", "is_contact_person"))

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    job_role: Mapped[str] = mapped_column(sa.String(32), default=JobRole.OTHER.value)
    is_employer_admin: Mapped[bool] = mapped_column(default=False)
    is_contact_person: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")

    def __repr__(self) -> str:
        return f"<Membership org={self.organisation_id} user={self.user_id} {self.job_role}>"


class Invitation(db.Model):
    """An emailed invitation to join an organisation; only a hash of its link's token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    job_role: Mapped[str] = mapped_column(sa.String(32))
    language: Mapped[str] = mapped_column(sa.String(2))
    is_employer_admin: Mapped[bool] = mapped_column(default=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()

    def state(self, now: datetime) -> str:
        """Return pending, accepted, withdrawn or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "expired" if now >= self.expires_at else "pending"

    def __repr__(self) -> str:
        return f"<Invitation {self.id} org={self.organisation_id} {self.email}>"


class Assignment(db.Model):
    """A training requirement an organisation asks of one person or of everyone with a job role."""

    __tablename__ = "assignments"
    __table_args__ = (
        sa.CheckConstraint("(membership_id IS NULL) <> (job_role IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int] = mapped_column(sa.ForeignKey("requirements.id", ondelete="CASCADE"), index=True)
    membership_id: Mapped[int | None] = mapped_column(sa.ForeignKey("memberships.id", ondelete="CASCADE"), index=True)
    job_role: Mapped[str | None] = mapped_column(sa.String(32))
    due_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    membership: Mapped[Membership | None] = relationship()
    requirement: Mapped[Requirement] = relationship()  # noqa: F821 (certificates.models)

    def __repr__(self) -> str:
        target = f"member={self.membership_id}" if self.membership_id else f"role={self.job_role}"
        return f"<Assignment {self.id} org={self.organisation_id} req={self.requirement_id} {target}>"


class SentReminder(db.Model):
    """One reminder email sent: the unique key makes `reminders send` idempotent."""

    __tablename__ = "sent_reminders"
    __table_args__ = (sa.UniqueConstraint("kind", "user_id", "subject", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(80))  # what it is about, e.g. "assignment:3" or "certificate:7"
    period: Mapped[str] = mapped_column(sa.String(20))  # e.g. the due date, "60", or an ISO week
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SentReminder {self.kind} user={self.user_id} {self.subject} {self.period}>"
