"""Demo data for a first look in development: never used in production."""

from __future__ import annotations

import sqlalchemy as sa

from elearning.accounts.models import JobRole, User, utcnow
from elearning.employers.models import Membership, Organisation
from elearning.extensions import db

DEMO_PASSWORD = "demo-password"


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
    return True
