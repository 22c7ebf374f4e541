"""A learner's own data: everything we hold about them as JSON, and deleting their account; callers commit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from elearning.accounts.models import User, utcnow
from elearning.certificates.models import Certificate
from elearning.content.models import Course, CourseVersion, Module
from elearning.employers.models import Invitation, Membership, Organisation, SentReminder
from elearning.employers.services import EmployerError
from elearning.extensions import db
from elearning.learn.models import ModuleProgress
from elearning.quizzes.models import QuizAttempt


class WrongPassword(EmployerError):
    """The password given to confirm the deletion is not the account's."""


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _row(obj: Any, fields: tuple[str, ...]) -> dict:
    return {name: _iso(getattr(obj, name)) for name in fields}


def export_user_data(user: User) -> dict:
    """Return everything Relais holds about the user, their own quiz answers included."""
    return {
        "exported_at": _iso(utcnow()),
        "account": _row(user, ("email", "full_name", "language", "job_role", "is_platform_admin", "created_at",
                               "last_login_at", "email_confirmed_at")),
        "organisations": _organisations(user.id),
        "module_progress": _progress(user.id),
        "quiz_attempts": _attempts(user.id),
        "certificates": _certificates(user.id),
        "invitations": [_row(i, ("email", "full_name", "job_role", "language", "created_at", "sent_at",
                                 "expires_at", "accepted_at", "withdrawn_at"))
                        for i in db.session.scalars(sa.select(Invitation).where(_invitations_of(user)))],
        "reminders": [_row(r, ("kind", "subject", "period", "sent_at"))
                      for r in db.session.scalars(sa.select(SentReminder).filter_by(user_id=user.id))],
    }


def _organisations(user_id: int) -> list[dict]:
    stmt = (sa.select(Organisation.name, Membership)
            .join(Membership, Membership.organisation_id == Organisation.id).where(Membership.user_id == user_id))
    return [{"organisation": name, **_row(m, ("job_role", "is_contact_person", "is_employer_admin", "created_at"))}
            for name, m in db.session.execute(stmt)]


def _progress(user_id: int) -> list[dict]:
    stmt = (sa.select(Course.slug, ModuleProgress).join(Course, Course.id == ModuleProgress.course_id)
            .where(ModuleProgress.user_id == user_id).order_by(ModuleProgress.id))
    return [{"course": slug, **_row(p, ("module_slug", "last_page", "started_at", "updated_at",
                                        "reading_completed_at", "passed_at"))}
            for slug, p in db.session.execute(stmt)]


def _attempts(user_id: int) -> list[dict]:
    stmt = (sa.select(Course.slug, Module.slug, QuizAttempt).join(Module, Module.id == QuizAttempt.module_id)
            .join(CourseVersion, CourseVersion.id == Module.course_version_id)
            .join(Course, Course.id == CourseVersion.course_id)
            .where(QuizAttempt.user_id == user_id).options(selectinload(QuizAttempt.answers))
            .order_by(QuizAttempt.id))
    return [{"course": course, "module": module,
             **_row(a, ("number", "started_at", "submitted_at", "score_percent", "is_passed")),
             "answers": [{"item": answer.item_slug, "picked": answer.picked, "correct": answer.is_correct}
                         for answer in a.answers]}
            for course, module, a in db.session.execute(stmt)]


def _certificates(user_id: int) -> list[dict]:
    stmt = sa.select(Certificate).where(Certificate.user_id == user_id).order_by(Certificate.issued_at)
    return [{**_row(c, ("code", "holder_name", "language", "hours", "issued_at", "expires_at", "revoked_at",
                        "revocation_reason")),
             "requirement": c.requirement_snapshot.get("slug"), "modules": c.modules}
            for c in db.session.scalars(stmt)]


def _invitations_of(user: User):
    return sa.or_(Invitation.accepted_by_id == user.id, Invitation.email == user.email)


def delete_account(user: User, password: str) -> None:
    """Delete the account and everything personal; certificates stay, verifying as "holder removed the record"."""
    from elearning.certificates.services import forget_holder

    if not user.check_password(password):
        raise WrongPassword
    forget_holder(user)
    db.session.execute(sa.delete(Invitation).where(_invitations_of(user)).execution_options(
        synchronize_session=False))
    db.session.delete(user)  # memberships with it; progress, attempts, answers, reminders by ON DELETE CASCADE
    db.session.flush()


def sole_administrator_of(user_id: int) -> list[str]:
    """Return the organisations the user is the only employer administrator of."""
    admins = (sa.select(Membership.organisation_id).where(Membership.is_employer_admin.is_(True))
              .group_by(Membership.organisation_id).having(sa.func.count() == 1).subquery())
    stmt = (sa.select(Organisation.name).join(Membership, Membership.organisation_id == Organisation.id)
            .join(admins, admins.c.organisation_id == Organisation.id)
            .where(Membership.user_id == user_id, Membership.is_employer_admin.is_(True)))
    return list(db.session.scalars(stmt))
