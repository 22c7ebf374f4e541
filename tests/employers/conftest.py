"""Employer fixtures: two organisations, their administrators, the fixture course and requirements,
passes and certificates recorded directly, bulk staff, and a query counter."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from elearning.accounts.models import User, utcnow
from elearning.certificates import codes, standing
from elearning.certificates.models import Certificate, Requirement
from elearning.content.models import Course, CourseVersion, Module
from elearning.dates import local_today
from elearning.employers import services
from elearning.employers.models import Membership
from elearning.extensions import db as _db
from elearning.learn.models import ModuleProgress
from elearning.quizzes.models import QuizAttempt
from tests.conftest import PASSWORD

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BASICS, PRACTICE = "demo-course/m1-basics", "demo-course/m2-practice"
CONFIRMED = {"confirmed": "yes"}  # the second post of a removal, from its confirmation page


@pytest.fixture
def org_a(create_organisation):
    return create_organisation("Acme Brussels")


@pytest.fixture
def org_b(create_organisation):
    return create_organisation("Bravo Liège")


@pytest.fixture
def admin_a(create_user, org_a):
    return create_user("hr@acme.example", full_name="Hanne Roels", organisation=org_a, is_employer_admin=True)


@pytest.fixture
def admin_b(create_user, org_b):
    return create_user("hr@bravo.example", full_name="Bruno Lambert", organisation=org_b, is_employer_admin=True)


@pytest.fixture
def platform_admin(create_user):
    return create_user("root@relais.example", full_name="Platform Admin", is_platform_admin=True)


@pytest.fixture
def as_user(client, auth):
    """Return a callable that logs the test client in as `user` (logging out whoever was in first)."""

    def _login(user):
        auth.logout()
        response = auth.login(user.email, PASSWORD)
        assert response.status_code == 302, response.data[:300]
        return client

    return _login


@pytest.fixture
def requirements(db):
    """Load the fixture course and requirements; return {slug: Requirement}."""
    from elearning.certificates.services import load_requirements
    from elearning.content.loader import load_courses

    load_courses(FIXTURES / "courses")
    load_requirements(FIXTURES / "requirements.yaml", FIXTURES / "courses")
    db.session.commit()
    return {row.slug: row for row in db.session.scalars(sa.select(Requirement))}


def module_for(ref: str) -> Module:
    course_slug, module_slug = ref.split("/")
    return _db.session.scalars(
        sa.select(Module).join(CourseVersion, CourseVersion.id == Module.course_version_id)
        .join(Course, Course.current_version_id == CourseVersion.id)
        .where(Course.slug == course_slug, Module.slug == module_slug)).one()


@pytest.fixture
def pass_module(db, requirements):
    """Return a callable recording a passed attempt (and the module's progress) at a given time."""

    def _pass(user: User, ref: str, when: datetime | None = None, score: int = 90) -> QuizAttempt:
        when = when or utcnow()
        module = module_for(ref)
        progress = db.session.scalar(sa.select(ModuleProgress).filter_by(
            user_id=user.id, course_id=module.course_version.course_id, module_slug=module.slug))
        if progress is None:
            progress = ModuleProgress(user_id=user.id, course_id=module.course_version.course_id,
                                      module_slug=module.slug, started_at=when, updated_at=when, passed_at=when)
            db.session.add(progress)
            db.session.flush()
        number = (db.session.scalar(sa.select(sa.func.max(QuizAttempt.number)).filter_by(progress_id=progress.id))
                  or 0) + 1
        attempt = QuizAttempt(user_id=user.id, progress_id=progress.id, module_id=module.id, number=number,
                              draw=[], started_at=when, submitted_at=when, score_percent=score, is_passed=True)
        db.session.add(attempt)
        standing.refresh([user.id])  # what the quiz service does after a pass
        db.session.commit()
        return attempt

    return _pass


@pytest.fixture
def start_module(db, requirements):
    """Return a callable recording that a person opened a module (a lesson page read, nothing passed)."""

    def _start(user: User, ref: str, when: datetime | None = None) -> ModuleProgress:
        when = when or utcnow()
        module = module_for(ref)
        progress = ModuleProgress(user_id=user.id, course_id=module.course_version.course_id,
                                  module_slug=module.slug, last_page=1, started_at=when, updated_at=when)
        db.session.add(progress)
        standing.refresh([user.id])
        db.session.commit()
        return progress

    return _start


@pytest.fixture
def issue_certificate(db, requirements):
    """Return a callable inserting a certificate issued at a given time (no PDF)."""

    def _issue(user: User, slug: str, issued_at: datetime | None = None, *, expires_at: datetime | None = None,
               revoked: bool = False) -> Certificate:
        requirement = requirements[slug]
        issued_at = issued_at or utcnow()
        sequence = (db.session.scalar(sa.select(sa.func.count()).select_from(Certificate).filter_by(
            user_id=user.id, requirement_id=requirement.id)) or 0) + 1
        certificate = Certificate(
            code=codes.new_code(), user_id=user.id, requirement_id=requirement.id, sequence=sequence,
            holder_name=user.full_name, language=user.language, hours=requirement.hours, issued_at=issued_at,
            expires_at=expires_at or issued_at + timedelta(days=30 * requirement.validity_months),
            requirement_snapshot={"slug": requirement.slug, "title": requirement.title,
                                  "description": requirement.description,
                                  "validity_months": requirement.validity_months},
            course_versions=[], modules=[{"ref": ref, "title": {"en": ref}, "passed_at": issued_at.isoformat(),
                                          "score_percent": 90, "attempt_id": 0, "course_version_id": 0}
                                         for ref in requirement.modules],
            revoked_at=utcnow() if revoked else None, revocation_reason="test" if revoked else None)
        db.session.add(certificate)
        standing.refresh([user.id])
        db.session.commit()
        return certificate

    return _issue



@pytest.fixture
def staff(db, org_a, admin_a, create_user, requirements, pass_module, start_module, issue_certificate):
    """One person in each state for "demo-full" (assigned to HR managers and contact persons)."""
    now = utcnow()
    people = {name: create_user(f"{name}@acme.example", full_name=name.title(), organisation=org_a)
              for name in ("nadia", "ivo", "dora", "emma", "xavier", "olga")}
    contact = create_user("carla@acme.example", full_name="Carla", organisation=org_a, job_role="contact_person")
    manager = create_user("max@acme.example", full_name="Max", organisation=org_a, job_role="manager")
    db.session.execute(sa.update(Membership).where(Membership.user_id == contact.id).values(is_contact_person=True))
    full = requirements["demo-full"]
    for role in ("hr_manager", "contact_person"):
        services.assign(org_a, full.id, job_role=role, due_on=local_today() + timedelta(days=30), created_by=admin_a)
    olga = db.session.scalar(sa.select(Membership).filter_by(user_id=people["olga"].id))
    services.assign(org_a, full.id, memberships=[olga], due_on=local_today() - timedelta(days=1), created_by=admin_a)
    db.session.commit()
    start_module(people["ivo"], PRACTICE)
    pass_module(people["ivo"], BASICS)
    issue_certificate(people["dora"], "demo-full", now - timedelta(days=10))
    issue_certificate(people["emma"], "demo-full", now - timedelta(days=700), expires_at=now + timedelta(days=30))
    issue_certificate(people["xavier"], "demo-full", now - timedelta(days=800), expires_at=now - timedelta(days=5))
    issue_certificate(contact, "demo-full", now - timedelta(days=3))
    return {**people, "carla": contact, "max": manager}


def bulk_staff(organisation, count: int, *, job_role: str = "hr_manager", prefix: str = "staff") -> list[int]:
    """Insert `count` users and their memberships with two executemany statements; return the user ids."""
    now = utcnow()
    users = [{"email": f"{prefix}{n}@example.com", "full_name": f"Staff {n:05d}", "password_hash": "x",
              "language": "en", "job_role": job_role, "is_platform_admin": False, "created_at": now,
              "email_confirmed_at": now} for n in range(count)]
    _db.session.execute(sa.insert(User), users)
    ids = list(_db.session.scalars(sa.select(User.id).where(User.email.like(f"{prefix}%@example.com"))))
    _db.session.execute(sa.insert(Membership), [
        {"organisation_id": organisation.id, "user_id": user_id, "job_role": job_role, "is_employer_admin": False,
         "is_contact_person": False, "created_at": now} for user_id in ids])
    _db.session.commit()
    return ids

