"""Demo data for a first look in development: never used in production."""

from __future__ import annotations

import sqlalchemy as sa

from elearning.accounts.models import JobRole, User, utcnow
from elearning.dates import local_date
from elearning.employers.models import Membership, Organisation
from elearning.extensions import db

DEMO_PASSWORD = "demo-password"  # noqa: S105 (documented demo accounts, never in production)


def _user(email: str, name: str, *, job_role: str, language: str = "en", admin: bool = False) -> User:
    user = User(email=email, full_name=name, job_role=job_role, language=language,
                is_platform_admin=admin, email_confirmed_at=utcnow())
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    return user


def create_demo_data() -> bool:
    """Create "Demo Company" and the three demo accounts on an empty database; return whether it did."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        return False
    organisation = Organisation(name="Demo Company")
    db.session.add(organisation)
    _user("admin@example.com", "Platform Administrator", job_role=JobRole.OTHER, admin=True)
    employer = _user("employer@example.com", "Sofie Janssens", job_role=JobRole.HR_MANAGER, language="nl")
    learner = _user("learner@example.com", "Amélie Dubois-Çelik", job_role=JobRole.PREVENTION_ADVISER,
                    language="fr")
    db.session.add_all([
        Membership(organisation=organisation, user=employer, job_role=JobRole.HR_MANAGER, is_employer_admin=True),
        Membership(organisation=organisation, user=learner, job_role=JobRole.PREVENTION_ADVISER),
    ])
    db.session.flush()
    create_demo_staff(organisation, employer)
    return True


# The demo organisation's staff: every state the employer dashboard shows, for a newcomer's first look.
# (name, email, job role, language, months ago the modules were passed or None, modules passed, contact person)
DEMO_STAFF = (
    ("Lucas Martin", "lucas.martin", JobRole.HR_MANAGER, "nl", None, 0, False),  # not started
    ("Fatima El Amrani", "fatima.elamrani", JobRole.CPBW_MEMBER, "fr", None, 0, False),  # not started
    ("Jonas Peeters", "jonas.peeters", JobRole.PREVENTION_ADVISER, "nl", 0, 2, False),  # in progress, 2 of 6
    ("Chloé Lambert", "chloe.lambert", JobRole.HR_MANAGER, "fr", 0, 4, False),  # in progress, 4 of 6
    ("Sarah Janssens", "sarah.janssens", JobRole.PREVENTION_ADVISER, "nl", 2, 6, False),  # done
    ("Mehmet Yılmaz", "mehmet.yilmaz", JobRole.CPBW_MEMBER, "en", 5, 6, False),  # done
    ("Anna Kowalska", "anna.kowalska", JobRole.HR_MANAGER, "en", 23, 6, False),  # expires within 60 days
    ("Pieter De Smet", "pieter.desmet", JobRole.HR_MANAGER, "nl", 25, 6, False),  # expired
    ("Julie Dubois", "julie.dubois", JobRole.CPBW_MEMBER, "fr", 0, 1, False),  # overdue (personal due date)
    ("Thomas Maes", "thomas.maes", JobRole.MANAGER, "nl", None, 0, False),  # overdue (awareness, managers)
    ("Nadia Benali", "nadia.benali", JobRole.CONTACT_PERSON, "fr", 1, 6, True),  # contact person, trained
    ("Koen Willems", "koen.willems", JobRole.CONTACT_PERSON, "nl", 0, 3, True),  # contact person, in training
)


def create_demo_staff(organisation: Organisation, employer: User) -> int:
    """Add a dozen staff at every stage to the demo organisation, with their passes, certificates and
    assignments; return how many. Run after the courses and requirements are loaded (else: people only)."""
    from datetime import timedelta

    from elearning.certificates.eligibility import add_months
    from elearning.certificates.models import Requirement
    from elearning.employers.models import Assignment

    now = utcnow()
    today = local_date(now)
    password_hash = _hash_once()  # one scrypt hash for the dozen demo accounts
    requirements = list(db.session.scalars(sa.select(Requirement).where(Requirement.is_active.is_(True))))
    resource = next((r for r in requirements if JobRole.CONTACT_PERSON.value in r.job_roles), None)
    awareness = next((r for r in requirements if r.for_all_roles), None)
    memberships = {}
    for name, local, role, language, _months_ago, _passed, contact in DEMO_STAFF:
        user = User(email=f"{local}@example.com", full_name=name, job_role=role, language=language,
                    password_hash=password_hash, email_confirmed_at=now)
        db.session.add(user)
        memberships[local] = Membership(organisation=organisation, user=user, job_role=role,
                                        is_contact_person=contact)
        db.session.add(memberships[local])
    db.session.flush()
    if resource is not None:
        for role in (JobRole.HR_MANAGER, JobRole.PREVENTION_ADVISER, JobRole.CPBW_MEMBER, JobRole.CONTACT_PERSON):
            db.session.add(Assignment(organisation_id=organisation.id, requirement_id=resource.id, job_role=role,
                                      due_on=today + timedelta(days=45), created_by_id=employer.id))
        db.session.add(Assignment(organisation_id=organisation.id, requirement_id=resource.id,
                                  membership_id=memberships["julie.dubois"].id, due_on=today - timedelta(days=14),
                                  created_by_id=employer.id))
    if awareness is not None:
        db.session.add(Assignment(organisation_id=organisation.id, requirement_id=awareness.id,
                                  job_role=JobRole.MANAGER, due_on=today - timedelta(days=7),
                                  created_by_id=employer.id))
    if resource is not None:
        for _name, local, _role, _language, months_ago, passed, _contact in DEMO_STAFF:
            if months_ago is not None and passed:
                when = add_months(now, -months_ago) - timedelta(days=3)
                _pass_modules(memberships[local].user, resource.modules[:passed], when)
    db.session.flush()
    return len(DEMO_STAFF)


def _hash_once() -> str:
    user = User(password_hash="")
    user.set_password(DEMO_PASSWORD)
    return user.password_hash


def _pass_modules(user: User, refs: list[str], when) -> None:
    """Record passed quizzes at `when` (a day apart), then issue what they earn as of that day."""
    from datetime import timedelta

    from elearning.certificates.services import issue_if_eligible
    from elearning.content.models import Course, CourseVersion, Module
    from elearning.learn.models import ModuleProgress
    from elearning.quizzes.models import QuizAttempt

    for offset, ref in enumerate(refs):
        course_slug, module_slug = ref.split("/", 1)
        module = db.session.scalar(
            sa.select(Module).join(CourseVersion, CourseVersion.id == Module.course_version_id)
            .join(Course, Course.current_version_id == CourseVersion.id)
            .where(Course.slug == course_slug, Module.slug == module_slug))
        if module is None:
            continue
        at = when + timedelta(days=offset)
        progress = ModuleProgress(user_id=user.id, course_id=module.course_version.course_id, module_slug=module.slug,
                                  last_page=module.page_count, started_at=at, updated_at=at, reading_completed_at=at,
                                  passed_at=at)
        db.session.add(progress)
        db.session.flush()
        db.session.add(QuizAttempt(user_id=user.id, progress_id=progress.id, module_id=module.id, number=1, draw=[],
                                   started_at=at, submitted_at=at, score_percent=80 + (7 * offset) % 21,
                                   is_passed=True))
        db.session.flush()
        issue_if_eligible(user, now=at + timedelta(minutes=5))
