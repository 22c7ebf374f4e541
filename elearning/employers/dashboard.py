"""The employer dashboard: one aggregate query per table, scoped by organisation, whatever the staff count.

Queries (each takes the organisation id first): members, assignments, requirements, latest certificates and
module activity (visits and passes since the last certificate). Everything else (which requirement applies to
whom, the earliest due date, each status, filters, counts, the contact-person panel) is computed in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from elearning.accounts.models import JobRole, User, utcnow
from elearning.certificates.models import Certificate, Requirement
from elearning.employers import queries
from elearning.employers.activity import module_activity
from elearning.employers.importing import fold
from elearning.employers.models import Assignment, Membership
from elearning.employers.status import (
    STATES,
    CertificateFacts,
    Progress,
    RequirementStatus,
    State,
    compute_status,
    earliest_due,
)
from elearning.extensions import db

NO_ACTIVITY = (0, False)


@dataclass(frozen=True)
class Filters:
    status: str = ""
    role: str = ""
    search: str = ""

    def keep(self, row: StaffRow) -> bool:
        keep = self.matcher()
        return keep is None or keep(row)

    def matcher(self) -> Callable[[StaffRow], bool] | None:
        """Return a test of one row (the search folded once, not once per row), or None without filters."""
        if not (self.status or self.role or self.search):
            return None
        status, role, search = self.status, self.role, fold(self.search)

        def keep(row: StaffRow) -> bool:
            if role and row.job_role != role:
                return False
            if search and search not in fold(row.full_name):
                return False
            return not status or any(s.state == status for s in row.statuses.values())

        return keep


@dataclass(slots=True)
class StaffRow:
    membership_id: int
    user_id: int
    full_name: str
    email: str
    job_role: str
    is_contact_person: bool
    is_employer_admin: bool
    statuses: dict[int, RequirementStatus]  # requirement id -> status, for the requirements assigned to them


@dataclass(frozen=True)
class ContactPerson:
    membership_id: int
    full_name: str
    certificate: CertificateFacts | None  # a valid certificate of a requirement meant for contact persons

    @property
    def trained(self) -> bool:
        return self.certificate is not None


@dataclass
class Dashboard:
    requirements: list[Requirement]
    rows: list[StaffRow]  # after filters
    staff_count: int
    counts: dict[State, int]  # assignments (person x requirement) per state, for the whole organisation
    contact_persons: list[ContactPerson]
    today: date
    all_rows: list[StaffRow] = field(repr=False, default_factory=list)


def _rows(stmt: sa.Select) -> list[sa.Row]:
    """Run a column select on the session's connection: Core rows, without the ORM's per-row loading."""
    return db.session.connection().execute(stmt).all()


def _members(organisation_id: int, user_id: int | None) -> list[sa.Row]:
    stmt = (sa.select(Membership.id, Membership.user_id, User.full_name, User.email, Membership.job_role,
                      Membership.is_contact_person, Membership.is_employer_admin)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id == organisation_id)
            .order_by(User.full_name, Membership.id))
    if user_id is not None:
        stmt = stmt.where(Membership.user_id == user_id)
    return _rows(stmt)


def _assignments(organisation_id: int) -> list[sa.Row]:
    stmt = (sa.select(Assignment.requirement_id, Assignment.membership_id, Assignment.job_role, Assignment.due_on)
            .where(Assignment.organisation_id == organisation_id))
    return _rows(stmt)


def _requirements(organisation_id: int) -> list[Requirement]:
    """Return the requirements assigned in the organisation and those meant for contact persons, in file order."""
    assigned = sa.select(Assignment.requirement_id).where(Assignment.organisation_id == organisation_id)
    stmt = sa.select(Requirement).where(sa.or_(Requirement.id.in_(assigned), Requirement.is_active.is_(True)))
    return list(db.session.scalars(stmt.order_by(Requirement.position, Requirement.id)))


def _member_ids(organisation_id: int, user_id: int | None) -> sa.Select:
    stmt = sa.select(Membership.user_id).where(Membership.organisation_id == organisation_id)
    return stmt if user_id is None else stmt.where(Membership.user_id == user_id)


def latest_certificates(organisation_id: int, user_id: int | None = None) -> dict[tuple[int, int], CertificateFacts]:
    """Return {(user id, requirement id): latest certificate} of the members, revoked and removed ones left out.

    The latest is picked here rather than by a window function: sorting every member's certificates in the
    database cost more than comparing a few thousand rows once.
    """
    stmt = (sa.select(Certificate.user_id, Certificate.requirement_id, Certificate.issued_at, Certificate.id,
                      Certificate.code, Certificate.expires_at)
            .where(Certificate.user_id.in_(_member_ids(organisation_id, user_id)), Certificate.revoked_at.is_(None),
                   Certificate.holder_removed_at.is_(None)))
    latest: dict[tuple[int, int], CertificateFacts] = {}
    for member_user_id, requirement_id, issued_at, certificate_id, code, expires_at in _rows(stmt):
        key = (member_user_id, requirement_id)
        found = latest.get(key)
        if found is None or (issued_at, certificate_id) > (found.issued_at, found.id):
            latest[key] = CertificateFacts(certificate_id, code, issued_at, expires_at)
    return latest


class AssignmentIndex:
    """The organisation's assignments by person and by job role, to find who must do what quickly."""

    def __init__(self, assignments: list[sa.Row]) -> None:
        self.by_member: dict[int, list[sa.Row]] = defaultdict(list)
        self.by_role: dict[str, list[sa.Row]] = defaultdict(list)
        self._by_role_cache: dict[str, dict[int, date | None]] = {}
        for a in assignments:
            if a.membership_id is not None:
                self.by_member[a.membership_id].append(a)
            else:
                self.by_role[a.job_role].append(a)

    def due_dates(self, membership_id: int, job_role: str) -> dict[int, date | None]:
        """Return {requirement id: earliest due date} of the assignments that reach this person."""
        personal = self.by_member.get(membership_id)
        if not personal and job_role in self._by_role_cache:
            return self._by_role_cache[job_role]
        dates: dict[int, list[date | None]] = defaultdict(list)
        for a in (personal or []) + self.by_role.get(job_role, []):
            dates[a.requirement_id].append(a.due_on)
        result = {requirement_id: earliest_due(values) for requirement_id, values in dates.items()}
        if not personal:
            self._by_role_cache[job_role] = result  # the same for everyone with this role
        return result


def contact_requirements(requirements: list[Requirement]) -> list[Requirement]:
    """Return the requirements meant for contact persons in particular (any requirement if none is)."""
    specific = [r for r in requirements if not r.for_all_roles and JobRole.CONTACT_PERSON.value in r.job_roles]
    return specific or requirements


class StatusTable:
    """Work out each member's status on the requirements that reach them, from the dashboard's query results.

    Most people share a status (same requirement, due date and progress, no certificate): each of those is
    computed once and shared between rows (a RequirementStatus is immutable).
    """

    def __init__(self, requirements: list[Requirement], certificates: dict[tuple[int, int], CertificateFacts],
                 activity: dict[tuple[int, int], tuple[int, bool]], today: date) -> None:
        self.totals = {r.id: len(r.modules) for r in requirements}
        self.certificates, self.activity, self.today = certificates, activity, today
        self._shared: dict[tuple, RequirementStatus] = {}
        self._progress: dict[tuple, Progress] = {}  # a handful of distinct ones

    def statuses(self, user_id: int, due_dates: dict[int, date | None]) -> dict[int, RequirementStatus]:
        """Return {requirement id: status} of one person, given the earliest due date of each requirement."""
        statuses = {}
        for requirement_id, due_on in due_dates.items():
            key = (user_id, requirement_id)
            passed, started = self.activity.get(key, NO_ACTIVITY)
            certificate = self.certificates.get(key)
            if certificate is None:
                same = (requirement_id, passed, started, due_on)
                status = self._shared.get(same)
                if status is None:
                    progress = Progress(passed, self.totals[requirement_id], started)
                    status = self._shared[same] = compute_status(progress, None, due_on, self.today)
            else:
                progress = self._progress.get(counted := (passed, self.totals[requirement_id], started))
                if progress is None:
                    progress = self._progress[counted] = Progress(*counted)
                status = compute_status(progress, certificate, due_on, self.today)
            statuses[requirement_id] = status
        return statuses


def build(organisation_id: int, filters: Filters = Filters(), *, now: datetime | None = None,
          user_id: int | None = None) -> Dashboard:
    """Return the dashboard of an organisation (or of one of its members): five queries, whatever its size."""
    now = now or utcnow()
    today = now.date()
    members = _members(organisation_id, user_id)
    assignments = AssignmentIndex(_assignments(organisation_id))
    requirements = _requirements(organisation_id)
    certificates = latest_certificates(organisation_id, user_id)
    table = StatusTable(requirements, certificates, module_activity(organisation_id, requirements, now, user_id),
                        today)
    counts = {state: 0 for state in STATES}
    rows, contacts = [], []
    assigned_ids: set[int] = set()
    for membership_id, member_user_id, full_name, email, job_role, is_contact, is_admin in members:
        statuses = table.statuses(member_user_id, assignments.due_dates(membership_id, job_role))
        for status in statuses.values():
            counts[status.state] += 1
        row = StaffRow(membership_id, member_user_id, full_name, email, job_role, is_contact, is_admin, statuses)
        rows.append(row)
        if is_contact:
            contacts.append(row)
        assigned_ids.update(statuses)
    keep = filters.matcher()
    return Dashboard(requirements=[r for r in requirements if r.id in assigned_ids],
                     rows=rows if keep is None else [row for row in rows if keep(row)], staff_count=len(rows),
                     counts=counts, contact_persons=_contact_persons(contacts, requirements, certificates, today),
                     today=today, all_rows=rows)


def _contact_persons(contacts: list[StaffRow], requirements: list[Requirement],
                     certificates: dict[tuple[int, int], CertificateFacts], today: date) -> list[ContactPerson]:
    wanted = [r.id for r in contact_requirements([r for r in requirements if r.is_active])]
    people = []
    for row in contacts:
        valid = [c for requirement_id in wanted if (c := certificates.get((row.user_id, requirement_id))) is not None
                 and (c.expires_at is None or c.expires_at.date() > today)]
        people.append(ContactPerson(row.membership_id, row.full_name,
                                    max(valid, key=lambda c: c.expires_at, default=None)))
    return people


@dataclass(frozen=True)
class PersonRecord:
    """Everything an employer administrator may see of one member (and what the member sees they can see)."""

    row: StaffRow
    requirements: list[Requirement]  # assigned to them
    modules: dict[str, queries.ModuleResult]
    module_titles: dict[str, dict]
    certificates: list[Certificate]
    now: datetime


def person_record(organisation_id: int, membership: Membership, *, now: datetime | None = None) -> PersonRecord:
    """Return one member's record as their employer sees it, in a fixed number of queries."""
    now = now or utcnow()
    board = build(organisation_id, now=now, user_id=membership.user_id)
    refs = {ref for requirement in board.requirements for ref in requirement.modules}
    return PersonRecord(row=board.all_rows[0], requirements=board.requirements,
                        modules=queries.module_results(organisation_id, membership.user_id),
                        module_titles=queries.module_titles(refs),
                        certificates=queries.certificates_of(organisation_id, membership.user_id), now=now)
