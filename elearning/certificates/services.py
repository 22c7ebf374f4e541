"""Load requirements, issue certificates exactly once, store their PDFs, revoke; callers commit."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from elearning.accounts.models import User, utcnow
from elearning.certificates import codes, queries, standing
from elearning.certificates.eligibility import Decision, add_months
from elearning.certificates.models import Certificate, CertificatePdf, Requirement, RequirementStanding
from elearning.certificates.requirements import read_requirements
from elearning.config import LANGUAGES
from elearning.content.problems import Problem
from elearning.errors import RelaisError
from elearning.extensions import db

logger = logging.getLogger(__name__)

ISSUER = "Relais"
CODE_ATTEMPTS = 5  # a fresh code is drawn when one collides (45 random bits: practically never)


class RequirementsInvalid(RelaisError):  # noqa: N818 (reads as the state of the file, like CourseInvalid)
    """requirements.yaml has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the requirements file")


class AlreadyRevoked(RelaisError):  # noqa: N818 (named for the situation, like AttemptClosed in STYLE.md §12)
    """The certificate was revoked before."""


@dataclass(frozen=True)
class RequirementLoadReport:
    """What loading did to one requirement: created, updated, unchanged or retired (gone from the file)."""

    slug: str
    state: str


def load_requirements(path: str | Path, courses_path: str | Path | None = None) -> list[RequirementLoadReport]:
    """Check the requirements file and store each requirement's current definition; raise RequirementsInvalid."""
    result = read_requirements(path, courses_path)
    if result.problems:
        raise RequirementsInvalid(result.problems)
    rows = {row.slug: row for row in db.session.scalars(sa.select(Requirement))}
    reports = []
    for position, spec in enumerate(result.requirements):
        row = rows.pop(spec.slug, None)
        definition = {"title": spec.title, "description": spec.description, "modules": list(spec.modules),
                      "job_roles": list(spec.job_roles), "for_all_roles": spec.for_all_roles,
                      "validity_months": spec.validity_months, "hours": spec.hours,
                      "definition_hash": spec.definition_hash, "position": position, "is_active": True}
        if row is None:
            db.session.add(Requirement(slug=spec.slug, **definition))
            reports.append(RequirementLoadReport(spec.slug, "created"))
        elif any(getattr(row, key) != value for key, value in definition.items()):
            for key, value in definition.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            reports.append(RequirementLoadReport(spec.slug, "updated"))
        else:
            reports.append(RequirementLoadReport(spec.slug, "unchanged"))
    for row in rows.values():  # removed from the file: kept for its certificates, no longer issued
        if row.is_active:
            row.is_active, row.updated_at = False, utcnow()
            reports.append(RequirementLoadReport(row.slug, "retired"))
    db.session.flush()
    for report in reports:
        if report.state != "unchanged":
            logger.info("Requirement %s %s", report.slug, report.state)
    if any(report.state != "unchanged" for report in reports):
        standing.refresh_everyone()  # modules or validity may have changed: every count with them
    return reports


def issue_if_eligible(user: User, *, now: datetime | None = None) -> list[Certificate]:
    """Issue each certificate the learner's passed modules have just earned, once; return the new ones.

    Call it in the transaction that records a passing attempt: it flushes, never commits, and brings the
    learner's standing on every requirement (standing.py) up to date with the pass and what it earned.
    Issuing twice for the same fulfilment is impossible: a repeated call finds the valid certificate, and a
    concurrent one loses on the unique (user, requirement, sequence) constraint inside a savepoint, which
    leaves the surrounding transaction intact.
    """
    now = now or utcnow()
    issued = _issue_due(user, now)
    standing.refresh([user.id], now=now)
    return issued


def _issue_due(user: User, now: datetime) -> list[Certificate]:
    requirements = queries.applicable_requirements(user)
    if not requirements:
        return []
    passes = queries.passes_of(user.id, {ref for requirement in requirements for ref in requirement.modules})
    certificates = queries.certificates_of(user.id)
    issued = []
    for requirement in requirements:
        decision = queries.decision_for(requirement, passes, certificates, now)
        if decision.due:
            sequence = sum(c.requirement_id == requirement.id for c in certificates) + 1
            certificate = _issue(user, requirement, decision, sequence, now)
            if certificate is not None:
                issued.append(certificate)
    return issued


def _snapshot(requirement: Requirement, decision: Decision) -> dict:
    counted = [decision.counted[ref] for ref in requirement.modules]
    versions = {}
    for item in counted:
        versions[item.course_version_id] = {"course": item.ref.split("/", 1)[0], "title": item.course_title,
                                            "version": item.course_version_number,
                                            "version_id": item.course_version_id}
    return {
        "requirement_snapshot": {"slug": requirement.slug, "title": requirement.title,
                                 "description": requirement.description,
                                 "validity_months": requirement.validity_months},
        "course_versions": sorted(versions.values(), key=lambda v: (v["course"], v["version"])),
        "modules": [{"ref": item.ref, "title": item.module_title,
                     "passed_at": item.passed_at.isoformat(timespec="seconds"),
                     "score_percent": item.score_percent, "attempt_id": item.attempt_id,
                     "course_version_id": item.course_version_id} for item in counted],
    }


def _issue(user: User, requirement: Requirement, decision: Decision, sequence: int,
           now: datetime) -> Certificate | None:
    snapshot = _snapshot(requirement, decision)
    for _ in range(CODE_ATTEMPTS):
        certificate = Certificate(
            code=codes.new_code(), user_id=user.id, requirement_id=requirement.id, sequence=sequence,
            holder_name=user.full_name, language=user.language if user.language in LANGUAGES else "en",
            hours=requirement.hours, issuer=ISSUER, issued_at=now,
            expires_at=add_months(now, requirement.validity_months), **snapshot)
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
                db.session.flush()
        except IntegrityError:
            taken = sa.select(Certificate.id).filter_by(user_id=user.id, requirement_id=requirement.id,
                                                        sequence=sequence)
            if db.session.scalar(taken) is not None:
                logger.info("Certificate %s #%s for user %s was issued concurrently", requirement.slug,
                            sequence, user.id)
                return None
            continue  # the code was taken: draw another
        logger.info("Issued certificate %s (%s #%s) to user %s", certificate.code, requirement.slug, sequence,
                    user.id)
        return certificate
    raise RuntimeError("could not draw an unused certificate code")


def render_issued(certificates: Iterable[Certificate]) -> int:
    """Render and store each certificate in every language not stored yet, so a download never renders; return
    how many language versions failed.

    Call it after the passing attempt has committed: rendering takes about a tenth of a second per language,
    which must not hold the database's write lock. Each version commits on its own, so one failure loses no
    other; it is logged, and the missing version is rendered on its first download, or by
    `flask certificates render-missing`.
    """
    failed = 0
    for certificate in certificates:
        stored = {row.language for row in certificate.pdfs}
        code = certificate.code  # a failed version's rollback expires the certificate
        missing = [language for language in LANGUAGES if language not in stored]
        for language in sorted(missing, key=lambda language: language != certificate.language):  # its own first
            try:
                _store(certificate, language)
                db.session.commit()
            except sa.exc.OperationalError as error:  # the database went away (a restart): no bug to trace
                db.session.rollback()
                failed += 1
                logger.warning("Could not store certificate %s in %s, the database is unavailable: %s",
                               code, language, error.orig or error)
            except Exception:
                db.session.rollback()
                failed += 1
                logger.exception("Could not render certificate %s in %s", code, language)
    return failed


def pdf_for(certificate: Certificate, language: str) -> CertificatePdf:
    """Return the stored PDF of a language version; render and store it if it is missing (older data)."""
    stored = queries.stored_pdf(certificate.id, language)
    if stored is None:
        logger.warning("Certificate %s had no stored PDF in %s: rendering it now", certificate.code, language)
        stored = _store(certificate, language)
    return stored


def _store(certificate: Certificate, language: str) -> CertificatePdf:
    """Render a language version and store it (in a savepoint); flush, never commit."""
    from elearning.certificates import pdf  # WeasyPrint loads only when a PDF is needed

    data = pdf.render_pdf(certificate, language)
    stored = CertificatePdf(certificate_id=certificate.id, language=language, data=data,
                            sha256=hashlib.sha256(data).hexdigest(), size=len(data), created_at=utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(stored)
            db.session.flush()
    except IntegrityError:  # another request stored this language first: serve that one
        stored = queries.stored_pdf(certificate.id, language)
        if stored is None:
            raise
    db.session.expire(certificate, ["pdfs"])
    logger.info("Stored certificate %s in %s (sha256 %s)", certificate.code, language, stored.sha256)
    return stored


def revoke(certificate: Certificate, admin: User, reason: str, *, now: datetime | None = None) -> None:
    """Revoke a certificate with a reason; raise AlreadyRevoked the second time."""
    if certificate.revoked_at is not None:
        raise AlreadyRevoked(certificate.code)
    certificate.revoked_at = now or utcnow()
    certificate.revoked_by_id = admin.id
    certificate.revocation_reason = reason.strip()
    db.session.flush()
    standing.refresh([certificate.user_id], now=certificate.revoked_at)
    logger.info("Certificate %s revoked by user %s", certificate.code, admin.id)


def forget_holder(user: User, *, now: datetime | None = None) -> int:
    """Blank the holder's data on their certificates before the account is deleted; return how many.

    The certificates then verify as "the holder removed this record". The hashes of the issued PDFs stay,
    so a copy an employer filed can still be matched; the bytes, the name, pass dates and scores go.
    """
    now = now or utcnow()
    certificates = queries.certificates_of(user.id)
    for certificate in certificates:
        certificate.holder_name = ""
        certificate.holder_removed_at = now
        certificate.user_id = None
        certificate.modules = [{"ref": m["ref"], "title": m["title"]} for m in certificate.modules]
    db.session.execute(sa.delete(RequirementStanding).where(RequirementStanding.user_id == user.id))
    if certificates:
        db.session.execute(sa.update(CertificatePdf)
                           .where(CertificatePdf.certificate_id.in_([c.id for c in certificates]))
                           .values(data=None).execution_options(synchronize_session=False))
    db.session.flush()
    return len(certificates)
