"""Read requirements, a learner's passes and certificates, and who may see a certificate."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, selectinload, undefer

from elearning.accounts.models import User
from elearning.certificates import codes
from elearning.certificates.eligibility import Decision, Held, Pass, evaluate
from elearning.certificates.models import VALID, Certificate, CertificatePdf, Requirement
from elearning.config import LANGUAGES
from elearning.content.models import Course, CourseVersion, Module
from elearning.employers.models import Membership
from elearning.extensions import db
from elearning.quizzes.models import QuizAttempt


def job_roles_of(user: User) -> set[str]:
    """Return the learner's job roles: those of their memberships, else the one in their profile."""
    roles = {membership.job_role for membership in user.memberships}
    return roles or {user.job_role}


def active_requirements() -> list[Requirement]:
    """Return the requirements currently in requirements.yaml, in file order."""
    stmt = sa.select(Requirement).where(Requirement.is_active).order_by(Requirement.position, Requirement.slug)
    return list(db.session.scalars(stmt))


def applicable_requirements(user: User) -> list[Requirement]:
    """Return the active requirements that apply to the learner's job role."""
    roles = job_roles_of(user)
    return [requirement for requirement in active_requirements() if requirement.applies_to(roles)]


def passes_of(user_id: int, refs: Iterable[str]) -> list[Pass]:
    """Return the learner's passed attempts at the given modules ("course/module"), on any course version."""
    refs = set(refs)
    if not refs:
        return []
    course_slugs = {ref.split("/", 1)[0] for ref in refs}
    module_slugs = {ref.split("/", 1)[1] for ref in refs}
    stmt = (sa.select(QuizAttempt.id, QuizAttempt.submitted_at, QuizAttempt.score_percent, Module.slug,
                      Module.title, Course.slug.label("course_slug"), CourseVersion.id.label("version_id"),
                      CourseVersion.number, CourseVersion.title.label("course_title"))
            .join(Module, Module.id == QuizAttempt.module_id)
            .join(CourseVersion, CourseVersion.id == Module.course_version_id)
            .join(Course, Course.id == CourseVersion.course_id)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.is_passed, QuizAttempt.submitted_at.is_not(None),
                   Course.slug.in_(course_slugs), Module.slug.in_(module_slugs)))
    passes = []
    for row in db.session.execute(stmt):
        ref = f"{row.course_slug}/{row.slug}"
        if ref in refs:
            passes.append(Pass(ref=ref, passed_at=row.submitted_at, score_percent=row.score_percent or 0,
                               attempt_id=row.id, module_title=row.title, course_title=row.course_title,
                               course_version_id=row.version_id, course_version_number=row.number))
    return passes


def certificates_of(user_id: int) -> list[Certificate]:
    """Return the learner's certificates, newest first, with their stored language versions (not the bytes)."""
    stmt = (sa.select(Certificate).where(Certificate.user_id == user_id)
            .options(selectinload(Certificate.pdfs), selectinload(Certificate.requirement))
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    return list(db.session.scalars(stmt))


def held(certificate: Certificate) -> Held:
    """Return what eligibility needs to know about a certificate."""
    return Held(certificate.issued_at, certificate.expires_at, certificate.revoked_at)


def decision_for(requirement: Requirement, passes: list[Pass], certificates: list[Certificate],
                 now: datetime) -> Decision:
    """Return where the learner stands on the requirement, given their passes and certificates."""
    mine = [held(c) for c in certificates if c.requirement_id == requirement.id]
    return evaluate(requirement.modules, requirement.validity_months, passes, mine, now)


@dataclass(frozen=True)
class RequirementStatus:
    """A requirement that applies to the learner, with their progress and current certificate."""

    requirement: Requirement
    decision: Decision
    current: Certificate | None  # the certificate valid now
    module_titles: dict[str, dict]  # ref -> title per language, from the current course versions

    @property
    def total(self) -> int:
        return len(self.requirement.modules)

    @property
    def passed(self) -> int:
        return self.total if self.current is not None else len(self.decision.counted)

    def module_done(self, ref: str) -> bool:
        return self.current is not None or ref in self.decision.counted


def current_module_titles(refs: Iterable[str]) -> dict[str, dict]:
    """Return the titles of the given modules in their course's current version (one query)."""
    refs = set(refs)
    if not refs:
        return {}
    stmt = (sa.select(Course.slug, Module.slug, Module.title)
            .join(CourseVersion, CourseVersion.course_id == Course.id)
            .join(Module, Module.course_version_id == CourseVersion.id)
            .where(Course.current_version_id == CourseVersion.id,
                   Course.slug.in_({ref.split("/", 1)[0] for ref in refs})))
    return {f"{course}/{module}": title for course, module, title in db.session.execute(stmt)
            if f"{course}/{module}" in refs}


def requirement_statuses(user: User, certificates: list[Certificate], now: datetime) -> list[RequirementStatus]:
    """Return each requirement that applies to the learner with their progress on it (four queries)."""
    requirements = applicable_requirements(user)
    refs = {ref for requirement in requirements for ref in requirement.modules}
    passes = passes_of(user.id, refs)
    titles = current_module_titles(refs)
    statuses = []
    for requirement in requirements:
        current = next((c for c in certificates
                        if c.requirement_id == requirement.id and c.status(now) == VALID), None)
        statuses.append(RequirementStatus(requirement, decision_for(requirement, passes, certificates, now),
                                          current, titles))
    return statuses


def certificate_by_code(text: str | None) -> Certificate | None:
    """Return the certificate with this code as typed (any case, dashes optional), or None (one query)."""
    code = codes.normalise(text)
    if code is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


@cache
def _verify_statement() -> sa.Select:
    """Build (once) the verification page's query, bound to :code."""
    return (sa.select(Certificate).where(Certificate.code == sa.bindparam("code"))
            .options(joinedload(Certificate.pdfs)))


def certificate_to_verify(text: str | None) -> Certificate | None:
    """Return the certificate with this code as typed, with its stored language versions (not the bytes), in
    one query."""
    code = codes.normalise(text)
    if code is None:
        return None
    return db.session.execute(_verify_statement(), {"code": code}).unique().scalar_one_or_none()


@cache
def _download_statement() -> sa.Select:
    """Build (once: aliasing costs more than running the query) the download's query, bound to :user_id, :code
    and :language.

    A user may download a certificate they hold, or as an employer administrator of an organisation the holder
    belongs to; a removed holder's certificate has no user, so nobody may.
    """
    admin, holder = aliased(Membership), aliased(Membership)
    user_id = sa.bindparam("user_id")
    employer = (sa.select(admin.id)
                .join(holder, holder.organisation_id == admin.organisation_id)
                .where(admin.user_id == user_id, admin.is_employer_admin, holder.user_id == Certificate.user_id)
                .exists())
    return (sa.select(Certificate.id.label("certificate_id"), Certificate.code,
                      sa.or_(Certificate.user_id == user_id, employer).label("allowed"),
                      CertificatePdf.data, CertificatePdf.sha256)
            .outerjoin(CertificatePdf, sa.and_(CertificatePdf.certificate_id == Certificate.id,
                                               CertificatePdf.language == sa.bindparam("language")))
            .where(Certificate.code == sa.bindparam("code"), Certificate.revoked_at.is_(None)))


def download_of(user: User, text: str | None, language: str) -> sa.Row | None:
    """Return (certificate_id, code, allowed, data, sha256) for a download, in one query; None if no such
    certificate is valid for download (unknown code or language, revoked).

    `allowed` says whether `user` may have it; `data` and `sha256` are the stored PDF in `language`, or None
    when that version was never stored.
    """
    code = codes.normalise(text)
    if code is None or language not in LANGUAGES or not user.is_authenticated:
        return None
    parameters = {"user_id": user.id, "code": code, "language": language}
    return db.session.execute(_download_statement(), parameters).first()


def certificates_missing_pdfs() -> list[Certificate]:
    """Return the certificates that can still be downloaded (not revoked, holder not removed) but lack a stored
    language version, with the versions they have."""
    stored = (sa.select(sa.func.count(CertificatePdf.id)).where(CertificatePdf.certificate_id == Certificate.id)
              .scalar_subquery())
    stmt = (sa.select(Certificate)
            .where(Certificate.revoked_at.is_(None), Certificate.holder_removed_at.is_(None), stored < len(LANGUAGES))
            .options(selectinload(Certificate.pdfs)).order_by(Certificate.id))
    return list(db.session.scalars(stmt))


def stored_pdf(certificate_id: int, language: str) -> CertificatePdf | None:
    """Return the stored PDF of one language version, bytes included."""
    stmt = (sa.select(CertificatePdf).filter_by(certificate_id=certificate_id, language=language)
            .options(undefer(CertificatePdf.data)))
    return db.session.scalar(stmt)


def matching_pdf(certificate: Certificate, data: bytes) -> CertificatePdf | None:
    """Return the issued language version that `data` is byte for byte, or None."""
    digest = hashlib.sha256(data).hexdigest()
    return next((stored for stored in certificate.pdfs if stored.sha256 == digest), None)

