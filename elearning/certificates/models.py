"""Training requirements, the certificates issued for them and their stored PDF files."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elearning.accounts.models import User, utcnow
from elearning.extensions import db

VALID, EXPIRED, REVOKED, HOLDER_REMOVED = "valid", "expired", "revoked", "holder_removed"


class Requirement(db.Model):
    """A training requirement from courses/requirements.yaml, by its stable id, with its current definition."""

    __tablename__ = "requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)  # order in the file
    title: Mapped[dict] = mapped_column(sa.JSON)  # {"nl": ..., "fr": ..., "en": ...}
    description: Mapped[dict] = mapped_column(sa.JSON)
    modules: Mapped[list] = mapped_column(sa.JSON)  # ["course-slug/module-slug", ...]
    job_roles: Mapped[list] = mapped_column(sa.JSON)  # JobRole values; ignored when for_all_roles
    for_all_roles: Mapped[bool] = mapped_column(default=False)
    validity_months: Mapped[int]
    hours: Mapped[float]
    definition_hash: Mapped[str] = mapped_column(sa.String(64))
    is_active: Mapped[bool] = mapped_column(default=True)  # False once removed from the file
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def applies_to(self, job_roles: set[str]) -> bool:
        """Return whether the requirement applies to someone with any of these job roles."""
        return self.is_active and (self.for_all_roles or bool(job_roles & set(self.job_roles)))

    def __repr__(self) -> str:
        return f"<Requirement {self.slug}>"


class Certificate(db.Model):
    """One issued certificate: an official record, written once at issue time (only revocation changes it).

    Holder data is copied here so the record survives the account; `sequence` counts the holder's
    certificates for the requirement (1, 2, ...) and the unique constraint on it makes a second issue for
    the same fulfilment impossible, whatever the timing.
    """

    __tablename__ = "certificates"
    __table_args__ = (sa.UniqueConstraint("user_id", "requirement_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    requirement_id: Mapped[int] = mapped_column(sa.ForeignKey("requirements.id"), index=True)
    sequence: Mapped[int]
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(2))  # the language it was issued in
    # {"slug", "title": {lang: ...}, "description": {lang: ...}, "validity_months"} as it was at issue time
    requirement_snapshot: Mapped[dict] = mapped_column(sa.JSON)
    # [{"course", "title": {lang: ...}, "version", "version_id"}, ...]
    course_versions: Mapped[list] = mapped_column(sa.JSON)
    # [{"ref", "title": {lang: ...}, "passed_at": ISO date-time, "score_percent", "attempt_id",
    #   "course_version_id"}, ...] in the requirement's order
    modules: Mapped[list] = mapped_column(sa.JSON)
    hours: Mapped[float]
    issuer: Mapped[str] = mapped_column(sa.String(80), default="Relais")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str | None] = mapped_column(sa.Text)
    holder_removed_at: Mapped[datetime | None]  # the holder deleted their account; name blanked

    requirement: Mapped[Requirement] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    pdfs: Mapped[list[CertificatePdf]] = relationship(
        back_populates="certificate", order_by="CertificatePdf.language", cascade="all, delete-orphan"
    )

    def status(self, now: datetime) -> str:
        """Return valid, expired, revoked or holder_removed."""
        if self.holder_removed_at is not None:
            return HOLDER_REMOVED
        if self.revoked_at is not None:
            return REVOKED
        return VALID if now < self.expires_at else EXPIRED

    def __repr__(self) -> str:
        return f"<Certificate {self.code} user={self.user_id} requirement={self.requirement_id}>"


class CertificatePdf(db.Model):
    """One language version of a certificate's PDF, rendered once and served from these bytes ever after.

    `data` is None only after the holder removed the record; the hash stays, so a copy an employer filed
    can still be checked against it.
    """

    __tablename__ = "certificate_pdfs"
    __table_args__ = (sa.UniqueConstraint("certificate_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificates.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    data: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    certificate: Mapped[Certificate] = relationship(back_populates="pdfs")

    def __repr__(self) -> str:
        return f"<CertificatePdf {self.certificate_id} {self.language} {self.sha256[:12]}>"


class RequirementStanding(db.Model):
    """Where a person stands on one requirement: derived rows the dashboard reads instead of every pass.

    `certificates.standing.refresh` rewrites a person's rows whenever their progress, passes or certificates
    change (the services call it), so an employer's dashboard reads one row per person and requirement. A
    person with nothing toward a requirement has no row. The counts hold as long as `passes_from` is inside
    the requirement's validity window; a row whose oldest counted pass left the window is refreshed on read.
    """

    __tablename__ = "requirement_standings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    requirement_id: Mapped[int] = mapped_column(sa.ForeignKey("requirements.id", ondelete="CASCADE"),
                                                primary_key=True)
    passed_modules: Mapped[int] = mapped_column(default=0)  # passed in the window, after the last certificate
    passes_from: Mapped[datetime | None] = mapped_column(index=True)  # the oldest of those passes
    opened_at: Mapped[datetime | None]  # the latest visit of one of its modules after the last certificate
    # The latest certificate neither revoked nor removed (expired ones too), copied from `certificates`:
    certificate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id", ondelete="SET NULL"))
    certificate_code: Mapped[str | None] = mapped_column(sa.String(16))
    certificate_issued_at: Mapped[datetime | None]
    certificate_expires_at: Mapped[datetime | None]
    expires_on: Mapped[date | None]  # certificate_expires_at's date, for comparisons with a day in SQL
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
