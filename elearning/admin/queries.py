"""Read organisations for the platform administrators: one aggregate query for the list."""

from __future__ import annotations

import sqlalchemy as sa

from elearning.accounts.models import User, utcnow
from elearning.employers.models import Invitation, Membership, Organisation
from elearning.extensions import db


def organisations() -> list[sa.Row]:
    """Return (organisation, staff count, administrator count, pending invitations) for every organisation."""
    staff = (sa.select(Membership.organisation_id, sa.func.count().label("staff"),
                       sa.func.sum(sa.case((Membership.is_employer_admin.is_(True), 1), else_=0)).label("admins"))
             .group_by(Membership.organisation_id).subquery())
    pending = (sa.select(Invitation.organisation_id, sa.func.count().label("pending"))
               .where(Invitation.accepted_at.is_(None), Invitation.withdrawn_at.is_(None),
                      Invitation.expires_at > utcnow())
               .group_by(Invitation.organisation_id).subquery())
    stmt = (sa.select(Organisation, sa.func.coalesce(staff.c.staff, 0).label("staff"),
                      sa.func.coalesce(staff.c.admins, 0).label("admins"),
                      sa.func.coalesce(pending.c.pending, 0).label("pending"))
            .outerjoin(staff, staff.c.organisation_id == Organisation.id)
            .outerjoin(pending, pending.c.organisation_id == Organisation.id)
            .order_by(Organisation.name))
    return list(db.session.execute(stmt))


def administrators(organisation_id: int) -> list[User]:
    stmt = (sa.select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, Membership.is_employer_admin.is_(True))
            .order_by(User.full_name))
    return list(db.session.scalars(stmt))


def administrator_invitations(organisation_id: int) -> list[Invitation]:
    """Return the administrator invitations that can still be accepted (an expired one is invited again)."""
    stmt = (sa.select(Invitation).where(Invitation.organisation_id == organisation_id,
                                        Invitation.is_employer_admin.is_(True), Invitation.accepted_at.is_(None),
                                        Invitation.withdrawn_at.is_(None), Invitation.expires_at > utcnow())
            .order_by(Invitation.created_at.desc()))
    return list(db.session.scalars(stmt))
