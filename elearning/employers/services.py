"""Organisations, their people and invitations; callers commit (and send the emails after committing)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from elearning import mail
from elearning.accounts.models import User, utcnow
from elearning.accounts.services import find_user_by_email, normalise_email
from elearning.dates import local_date
from elearning.employers.importing import ImportRow
from elearning.employers.models import Assignment, Invitation, Membership, Organisation
from elearning.errors import RelaisError
from elearning.extensions import db
from elearning.templating import _l

logger = logging.getLogger(__name__)

INVITATION_MAX_AGE_DAYS = 14
ANALYZE_AFTER_ROWS = 500  # a staff import this large refreshes the planner's statistics (PostgreSQL)


class EmployerError(RelaisError):
    """An action on an organisation or its people that is not possible."""


class OrganisationExists(EmployerError):
    """Another organisation already has this name."""


class AlreadyMember(EmployerError):
    """The address belongs to someone already in the organisation."""


class AlreadyInvited(EmployerError):
    """A pending invitation to this address exists; resend it instead."""


class LastAdministrator(EmployerError):
    """The organisation would be left without an employer administrator."""


class InvitationUnusable(EmployerError):
    """The invitation link is unknown, expired, withdrawn or already used; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WrongAccount(EmployerError):
    """The logged-in account's address is not the one invited."""


class EmailTaken(EmployerError):
    """An account exists for the invited address: its owner should log in to accept."""


def external_url(endpoint: str, **values) -> str:
    """Return an absolute link on BASE_URL, with or without a request (emails from the CLI need it too)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["BASE_URL"].rstrip("/") + path


# Organisations -------------------------------------------------------------------------------------------

def create_organisation(name: str, *, admin_email: str, admin_name: str, admin_language: str,
                        invited_by: User | None) -> tuple[Organisation, Invitation, str]:
    """Create an organisation and invite its first employer administrator; return the invitation's token."""
    name = " ".join(name.split())
    if db.session.scalar(sa.select(Organisation.id).where(sa.func.lower(Organisation.name) == name.lower())):
        raise OrganisationExists(name)
    organisation = Organisation(name=name)
    db.session.add(organisation)
    db.session.flush()
    invitation, token = invite(organisation, email=admin_email, full_name=admin_name, job_role="hr_manager",
                               language=admin_language, invited_by=invited_by, is_employer_admin=True)
    return organisation, invitation, token


# Invitations ---------------------------------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _hash(token)


def _expiry():
    days = current_app.config.get("INVITATION_MAX_AGE_DAYS", INVITATION_MAX_AGE_DAYS)
    return utcnow() + timedelta(days=days)


def member_emails(organisation_id: int) -> set[str]:
    stmt = (sa.select(User.email).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id))
    return set(db.session.scalars(stmt))


def pending_emails(organisation_id: int) -> set[str]:
    stmt = sa.select(Invitation.email).where(Invitation.organisation_id == organisation_id,
                                             Invitation.accepted_at.is_(None), Invitation.withdrawn_at.is_(None),
                                             Invitation.expires_at > utcnow())
    return set(db.session.scalars(stmt))


@dataclass(frozen=True)
class KnownAddresses:
    """The addresses of an organisation's members and of its pending invitations."""

    members: set[str]
    pending: set[str]

    @classmethod
    def of(cls, organisation_id: int) -> KnownAddresses:
        return cls(member_emails(organisation_id), pending_emails(organisation_id))


def invite(organisation: Organisation, *, email: str, full_name: str, job_role: str, language: str,
           invited_by: User | None, is_employer_admin: bool = False, known: KnownAddresses | None = None,
           flush: bool = True) -> tuple[Invitation, str]:
    """Record an invitation to `email`; return it with the link's token (only its hash is stored).

    `known` (read once for a whole file, and kept up to date here) saves reading every address again per row.
    """
    email = normalise_email(email)
    known = known or KnownAddresses.of(organisation.id)
    if email in known.members:
        raise AlreadyMember(email)
    if email in known.pending:
        raise AlreadyInvited(email)
    token, token_hash = _new_token()
    invitation = Invitation(organisation_id=organisation.id, email=email, full_name=" ".join(full_name.split()),
                            job_role=job_role, language=language, is_employer_admin=is_employer_admin,
                            token_hash=token_hash, invited_by_id=invited_by.id if invited_by else None,
                            sent_at=utcnow(), expires_at=_expiry())
    invitation.organisation = organisation
    db.session.add(invitation)
    known.pending.add(email)
    if flush:
        db.session.flush()
    return invitation, token


def import_invitations(organisation: Organisation, rows: list[ImportRow],
                       invited_by: User) -> list[tuple[Invitation, str]]:
    """Invite every row of a checked file in one go; the caller commits all of them or none."""
    known = KnownAddresses.of(organisation.id)
    created = [invite(organisation, email=row.email, full_name=row.full_name, job_role=row.job_role,
                      language=row.language, invited_by=invited_by, known=known, flush=False) for row in rows]
    db.session.flush()
    if len(created) >= ANALYZE_AFTER_ROWS and db.session.get_bind().dialect.name == "postgresql":
        # Right after a bulk load PostgreSQL plans with the statistics of the table as it was before (autovacuum
        # analyses it a minute or so later), and a big file can change its size many times over: after the
        # bench's bulk load the dashboard's plans took 8.5 s instead of 0.25 s until ANALYZE (docs/performance.md).
        # ANALYZE counts this transaction's own rows and only locks out other ANALYZEs and schema changes.
        db.session.execute(sa.text("ANALYZE invitations"))
    return created


def resend(invitation: Invitation) -> str:
    """Give a pending or expired invitation a new link and a new expiry; the old link stops working."""
    if invitation.accepted_at is not None or invitation.withdrawn_at is not None:
        raise InvitationUnusable(invitation.state(utcnow()))
    token, invitation.token_hash = _new_token()
    invitation.sent_at = utcnow()
    invitation.expires_at = _expiry()
    return token


def withdraw(invitation: Invitation) -> None:
    """Withdraw an invitation that has not been accepted; its link stops working."""
    if invitation.accepted_at is not None:
        raise InvitationUnusable("accepted")
    if invitation.withdrawn_at is None:
        invitation.withdrawn_at = utcnow()


def send_invitation(invitation: Invitation, token: str) -> None:
    """Email the invitation, with its link, in the invitee's language."""
    mail.send_template(invitation.email, invitation.language, _l("Your invitation to Relais"),
                       "email/invitation.txt", invitation=invitation, organisation=invitation.organisation,
                       url=external_url("employers.accept_invitation", token=token),
                       expires_on=local_date(invitation.expires_at))


def invitation_for_token(token: str) -> Invitation:
    """Return the pending invitation a link's token names; raise InvitationUnusable otherwise."""
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.token_hash == _hash(token)))
    if invitation is None:
        raise InvitationUnusable("unknown")
    state = invitation.state(utcnow())
    if state != "pending":
        raise InvitationUnusable(state)
    return invitation


def accept_with_account(invitation: Invitation, user: User) -> Membership:
    """Join the organisation with the logged-in account, whose address must be the invited one."""
    if normalise_email(user.email) != invitation.email:
        raise WrongAccount(invitation.email)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the link in the invitation proves the address
    return _join(invitation, user)


def accept_with_new_account(invitation: Invitation, *, full_name: str, password: str, language: str) -> User:
    """Create a confirmed account for the invited address and join the organisation."""
    if find_user_by_email(invitation.email) is not None:
        raise EmailTaken(invitation.email)
    user = User(email=invitation.email, full_name=" ".join(full_name.split()), language=language,
                job_role=invitation.job_role, email_confirmed_at=utcnow())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    _join(invitation, user)
    return user


def _join(invitation: Invitation, user: User) -> Membership:
    membership = db.session.scalar(sa.select(Membership).filter_by(organisation_id=invitation.organisation_id,
                                                                   user_id=user.id))
    if membership is None:
        membership = Membership(organisation_id=invitation.organisation_id, user_id=user.id,
                                job_role=invitation.job_role)
        db.session.add(membership)
    membership.is_employer_admin = membership.is_employer_admin or invitation.is_employer_admin
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    db.session.flush()
    return membership


# People --------------------------------------------------------------------------------------------------

def _admin_count(organisation_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(
        Membership.organisation_id == organisation_id, Membership.is_employer_admin.is_(True)))


def update_member(membership: Membership, *, job_role: str, is_contact_person: bool,
                  is_employer_admin: bool) -> None:
    """Change a person's job role, contact-person designation and administrator right."""
    if membership.is_employer_admin and not is_employer_admin and _admin_count(membership.organisation_id) <= 1:
        raise LastAdministrator(membership.organisation_id)
    membership.job_role = job_role
    membership.is_contact_person = is_contact_person
    membership.is_employer_admin = is_employer_admin


def remove_member(membership: Membership) -> None:
    """Take a person out of the organisation; their account, progress and certificates stay theirs."""
    if membership.is_employer_admin and _admin_count(membership.organisation_id) <= 1:
        raise LastAdministrator(membership.organisation_id)
    db.session.delete(membership)
    db.session.flush()


# Assignments ---------------------------------------------------------------------------------------------

def assign(organisation: Organisation, requirement_id: int, *, job_role: str | None = None,
           memberships: list[Membership] = (), due_on: date | None, created_by: User | None) -> list[Assignment]:
    """Assign a requirement to everyone with a job role or to chosen people; an existing one gets the new due date."""
    if any(m.organisation_id != organisation.id for m in memberships):
        raise EmployerError("membership of another organisation")
    existing = db.session.scalars(sa.select(Assignment).where(Assignment.organisation_id == organisation.id,
                                                              Assignment.requirement_id == requirement_id))
    by_target = {(a.membership_id, a.job_role): a for a in existing}
    targets = [(None, job_role)] if job_role else [(m.id, None) for m in memberships]
    result = []
    for membership_id, role in targets:
        assignment = by_target.get((membership_id, role))
        if assignment is None:
            assignment = Assignment(organisation_id=organisation.id, requirement_id=requirement_id,
                                    membership_id=membership_id, job_role=role,
                                    created_by_id=created_by.id if created_by else None)
            db.session.add(assignment)
        assignment.due_on = due_on
        result.append(assignment)
    db.session.flush()
    return result


def unassign(assignment: Assignment) -> None:
    db.session.delete(assignment)
    db.session.flush()


def promote_member(organisation: Organisation, email: str) -> Membership:
    """Make an existing member an employer administrator (platform administrators, e.g. when none is left)."""
    membership = db.session.scalar(sa.select(Membership).join(User, User.id == Membership.user_id).where(
        Membership.organisation_id == organisation.id, User.email == normalise_email(email)))
    if membership is None:
        raise EmployerError("not a member")
    membership.is_employer_admin = True
    return membership
