"""Read organisations, their people and invitations; every query takes the organisation id first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from elearning.accounts.models import User
from elearning.certificates.models import Certificate, Requirement
from elearning.content.models import Course, CourseVersion, Module
from elearning.employers.models import Assignment, Invitation, Membership, Organisation
from elearning.extensions import db
from elearning.quizzes.models import QuizAttempt


def administered_organisation(user_id: int, organisation_id: int | None) -> Organisation | None:
    """Return the organisation (or, without an id, the first one by name) the user administers, else None."""
    stmt = (sa.select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user_id, Membership.is_employer_admin.is_(True))
            .order_by(Organisation.name).limit(1))
    if organisation_id is not None:
        stmt = stmt.where(Organisation.id == organisation_id)
    return db.session.scalar(stmt)


def administered_organisations(user_id: int) -> list[Organisation]:
    """Return every organisation the user administers, by name."""
    stmt = (sa.select(Organisation).join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user_id, Membership.is_employer_admin.is_(True))
            .order_by(Organisation.name))
    return list(db.session.scalars(stmt))


def invitations(organisation_id: int, *, include_closed: bool = False) -> list[Invitation]:
    """Return the organisation's invitations not accepted yet (newest first); closed ones too when asked."""
    stmt = sa.select(Invitation).where(Invitation.organisation_id == organisation_id)
    if not include_closed:
        stmt = stmt.where(Invitation.accepted_at.is_(None), Invitation.withdrawn_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Invitation.created_at.desc(), Invitation.id.desc())))


def member(organisation_id: int, membership_id: int) -> Membership | None:
    """Return one membership of the organisation with its user loaded."""
    stmt = (sa.select(Membership).options(joinedload(Membership.user))
            .where(Membership.organisation_id == organisation_id, Membership.id == membership_id))
    return db.session.scalar(stmt)


def member_choices(organisation_id: int) -> list[tuple[int, str]]:
    """Return (membership id, "name <email>") for every member, by name: one query."""
    stmt = (sa.select(Membership.id, User.full_name, User.email).join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id == organisation_id).order_by(User.full_name, User.id))
    return [(row.id, f"{row.full_name} <{row.email}>") for row in db.session.execute(stmt)]


def memberships_of(user_id: int) -> list[Membership]:
    """Return the user's memberships with their organisations, by organisation name."""
    stmt = (sa.select(Membership).join(Organisation, Organisation.id == Membership.organisation_id)
            .options(joinedload(Membership.organisation))
            .where(Membership.user_id == user_id).order_by(Organisation.name))
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class ModuleResult:
    """What an employer sees of one module: when it was last passed and the best passing score (no answers)."""

    ref: str
    passed_at: datetime
    best_score: int


def module_results(organisation_id: int, user_id: int) -> dict[str, ModuleResult]:
    """Return {"course/module": result} of a member's passed quizzes: one aggregate query."""
    stmt = (sa.select(Course.slug, Module.slug, sa.func.max(QuizAttempt.submitted_at),
                      sa.func.max(QuizAttempt.score_percent))
            .join(Module, Module.id == QuizAttempt.module_id)
            .join(CourseVersion, CourseVersion.id == Module.course_version_id)
            .join(Course, Course.id == CourseVersion.course_id)
            .join(Membership, sa.and_(Membership.user_id == QuizAttempt.user_id,
                                      Membership.organisation_id == organisation_id))
            .where(QuizAttempt.user_id == user_id, QuizAttempt.is_passed.is_(True))
            .group_by(Course.slug, Module.slug))
    return {f"{course}/{module}": ModuleResult(f"{course}/{module}", passed_at, score)
            for course, module, passed_at, score in db.session.execute(stmt)}


def module_titles(refs: set[str]) -> dict[str, dict]:
    """Return {"course/module": title per language} from the courses' current versions."""
    stmt = (sa.select(Course.slug, Module.slug, Module.title)
            .join(CourseVersion, CourseVersion.id == Module.course_version_id)
            .join(Course, Course.current_version_id == CourseVersion.id))
    titles = {f"{course}/{module}": title for course, module, title in db.session.execute(stmt)}
    return {ref: titles[ref] for ref in refs if ref in titles}


def certificates_of(organisation_id: int, user_id: int) -> list[Certificate]:
    """Return a member's certificates, newest first (all states; a removed holder's are not theirs any more)."""
    stmt = (sa.select(Certificate).options(joinedload(Certificate.requirement))
            .join(Membership, sa.and_(Membership.user_id == Certificate.user_id,
                                      Membership.organisation_id == organisation_id))
            .where(Certificate.user_id == user_id, Certificate.holder_removed_at.is_(None))
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    return list(db.session.scalars(stmt))


def active_requirements() -> list[Requirement]:
    return list(db.session.scalars(sa.select(Requirement).where(Requirement.is_active.is_(True))
                                   .order_by(Requirement.position, Requirement.id)))


def assignments(organisation_id: int) -> list[Assignment]:
    """Return the organisation's assignments with their person and requirement, by requirement."""
    stmt = (sa.select(Assignment).options(joinedload(Assignment.membership).joinedload(Membership.user),
                                          joinedload(Assignment.requirement))
            .where(Assignment.organisation_id == organisation_id)
            .order_by(Assignment.requirement_id, Assignment.job_role, Assignment.id))
    return list(db.session.scalars(stmt))
