"""The employer dashboard: one aggregate query per table, scoped by organisation, whatever the staff count.

Queries (each takes the organisation id first): members, assignments, requirements, latest certificates,
passed modules, started modules. Everything else (which requirement applies to whom, the earliest due date,
each status, filters, counts, the contact-person panel) is computed in Python from those rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from elearning.accounts.models import JobRole, User, utcnow
from elearning.certificates.eligibility import add_months
from elearning.certificates.models import Certificate, Requirement
from elearning.content.models import Course, CourseVersion, Module
from elearning.employers import queries
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
from elearning.learn.models import ModuleProgress
from elearning.quizzes.models import QuizAttempt


@dataclass(frozen=True)
class Filters:
    status: str = ""
    role: str = ""
    search: str = ""

    def keep(self, row: StaffRow) -> bool:
        if self.role and row.job_role != self.role:
            return False
        if self.search and fold(self.search) not in fold(row.full_name):
            return False
        return not self.status or any(s.state == self.status for s in row.statuses.values())


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


def _members(organisation_id: int, user_id: int | None) -> list[sa.Row]:
    stmt = (sa.select(Membership.id, Membership.user_id, User.full_name, User.email, Membership.job_role,
                      Membership.is_contact_person, Membership.is_employer_admin)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id == organisation_id)
            .order_by(User.full_name, Membership.id))
    if user_id is not None:
        stmt = stmt.where(Membership.user_id == user_id)
    return list(db.session.execute(stmt))


def _assignments(organisation_id: int) -> list[sa.Row]:
    stmt = (sa.select(Assignment.requirement_id, Assignment.membership_id, Assignment.job_role, Assignment.due_on)
            .where(Assignment.organisation_id == organisation_id))
    return list(db.session.execute(stmt))


def _requirements(organisation_id: int) -> list[Requirement]:
    """Return the requirements assigned in the organisation and those meant for contact persons, in file order."""
    assigned = sa.select(Assignment.requirement_id).where(Assignment.organisation_id == organisation_id)
    stmt = sa.select(Requirement).where(sa.or_(Requirement.id.in_(assigned), Requirement.is_active.is_(True)))
    return list(db.session.scalars(stmt.order_by(Requirement.position, Requirement.id)))


def _member_ids(organisation_id: int, user_id: int | None) -> sa.Select:
    stmt = sa.select(Membership.user_id).where(Membership.organisation_id == organisation_id)
    return stmt if user_id is None else stmt.where(Membership.user_id == user_id)


def latest_certificates(organisation_id: int, user_id: int | None = None) -> dict[tuple[int, int], CertificateFacts]:
    """Return {(user id, requirement id): latest certificate} of the members, revoked and removed ones left out."""
    ranked = (sa.select(Certificate.id, Certificate.code, Certificate.user_id, Certificate.requirement_id,
                        Certificate.issued_at, Certificate.expires_at,
                        sa.func.row_number().over(partition_by=(Certificate.user_id, Certificate.requirement_id),
                                                  order_by=(Certificate.issued_at.desc(), Certificate.id.desc()))
                        .label("rank"))
              .where(Certificate.user_id.in_(_member_ids(organisation_id, user_id)), Certificate.revoked_at.is_(None),
                     Certificate.holder_removed_at.is_(None))
              .subquery())
    rows = db.session.execute(sa.select(ranked).where(ranked.c.rank == 1))
    return {(r.user_id, r.requirement_id): CertificateFacts(r.id, r.code, r.issued_at, r.expires_at) for r in rows}


def _module_refs(requirements: list[Requirement], now: datetime):
    """Return a small table of (requirement id, ref, course slug, module slug, window start), or None.

    Built as a UNION ALL of literal rows: SQLite has no named VALUES lists; a requirement lists a few modules.
    """
    rows = [sa.select(sa.literal(r.id, sa.Integer).label("requirement_id"), sa.literal(ref).label("ref"),
                      sa.literal(ref.split("/", 1)[0]).label("course_slug"),
                      sa.literal(ref.split("/", 1)[1]).label("module_slug"),
                      sa.literal(add_months(now, -r.validity_months), sa.DateTime).label("window_start"))
            for r in requirements for ref in r.modules if "/" in ref]
    if not rows:
        return None
    return sa.union_all(*rows).subquery("requirement_modules")


def _last_issued(organisation_id: int, user_id: int | None):
    """Every certificate counts here, revoked too: passes before it were used for it (see eligibility.py)."""
    return (sa.select(Certificate.user_id, Certificate.requirement_id,
                      sa.func.max(Certificate.issued_at).label("issued_at"))
            .where(Certificate.user_id.in_(_member_ids(organisation_id, user_id)))
            .group_by(Certificate.user_id, Certificate.requirement_id).subquery())


def passed_modules(organisation_id: int, requirements: list[Requirement], now: datetime,
                   user_id: int | None = None) -> dict[tuple[int, int], int]:
    """Return {(user id, requirement id): modules passed that count toward the next certificate}."""
    refs = _module_refs(requirements, now)
    if refs is None:
        return {}
    last = _last_issued(organisation_id, user_id)
    stmt = (sa.select(QuizAttempt.user_id, refs.c.requirement_id, sa.func.count(sa.distinct(refs.c.ref)))
            .join(Membership, sa.and_(Membership.user_id == QuizAttempt.user_id,
                                      Membership.organisation_id == organisation_id))
            .join(Module, Module.id == QuizAttempt.module_id)
            .join(CourseVersion, CourseVersion.id == Module.course_version_id)
            .join(Course, Course.id == CourseVersion.course_id)
            .join(refs, sa.and_(refs.c.course_slug == Course.slug, refs.c.module_slug == Module.slug))
            .outerjoin(last, sa.and_(last.c.user_id == QuizAttempt.user_id,
                                     last.c.requirement_id == refs.c.requirement_id))
            .where(QuizAttempt.is_passed.is_(True), QuizAttempt.submitted_at >= refs.c.window_start,
                   sa.or_(last.c.issued_at.is_(None), QuizAttempt.submitted_at > last.c.issued_at))
            .group_by(QuizAttempt.user_id, refs.c.requirement_id))
    if user_id is not None:
        stmt = stmt.where(QuizAttempt.user_id == user_id)
    return {(user_id, requirement_id): count for user_id, requirement_id, count in db.session.execute(stmt)}


def started_modules(organisation_id: int, requirements: list[Requirement], now: datetime,
                    user_id: int | None = None) -> set[tuple[int, int]]:
    """Return {(user id, requirement id)} where the person opened one of its modules since their last certificate."""
    refs = _module_refs(requirements, now)
    if refs is None:
        return set()
    last = _last_issued(organisation_id, user_id)
    stmt = (sa.select(ModuleProgress.user_id, refs.c.requirement_id).distinct()
            .join(Membership, sa.and_(Membership.user_id == ModuleProgress.user_id,
                                      Membership.organisation_id == organisation_id))
            .join(Course, Course.id == ModuleProgress.course_id)
            .join(refs, sa.and_(refs.c.course_slug == Course.slug, refs.c.module_slug == ModuleProgress.module_slug))
            .outerjoin(last, sa.and_(last.c.user_id == ModuleProgress.user_id,
                                     last.c.requirement_id == refs.c.requirement_id))
            .where(ModuleProgress.updated_at >= refs.c.window_start,
                   sa.or_(last.c.issued_at.is_(None), ModuleProgress.updated_at > last.c.issued_at)))
    if user_id is not None:
        stmt = stmt.where(ModuleProgress.user_id == user_id)
    return {(user_id, requirement_id) for user_id, requirement_id in db.session.execute(stmt)}


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


def build(organisation_id: int, filters: Filters = Filters(), *, now: datetime | None = None,
          user_id: int | None = None) -> Dashboard:
    """Return the dashboard of an organisation (or of one of its members): six queries, whatever its size."""
    now = now or utcnow()
    today = now.date()
    members = _members(organisation_id, user_id)
    assignments = AssignmentIndex(_assignments(organisation_id))
    requirements = _requirements(organisation_id)
    certificates = latest_certificates(organisation_id, user_id)
    passed = passed_modules(organisation_id, requirements, now, user_id)
    started = started_modules(organisation_id, requirements, now, user_id)
    totals = {r.id: len(r.modules) for r in requirements}
    rows = []
    assigned_ids: set[int] = set()
    for membership_id, member_user_id, full_name, email, job_role, is_contact, is_admin in members:
        statuses = {}
        for requirement_id, due_on in assignments.due_dates(membership_id, job_role).items():
            key = (member_user_id, requirement_id)
            progress = Progress(passed.get(key, 0), totals[requirement_id], key in started)
            statuses[requirement_id] = compute_status(progress, certificates.get(key), due_on, today)
        rows.append(StaffRow(membership_id, member_user_id, full_name, email, job_role, is_contact, is_admin,
                             statuses))
        assigned_ids.update(statuses)
    counts = {state: 0 for state in STATES}
    for row in rows:
        for status in row.statuses.values():
            counts[status.state] += 1
    return Dashboard(requirements=[r for r in requirements if r.id in assigned_ids],
                     rows=[row for row in rows if filters.keep(row)], staff_count=len(rows), counts=counts,
                     contact_persons=_contact_persons(members, requirements, certificates, today), today=today,
                     all_rows=rows)


def _contact_persons(members: list[sa.Row], requirements: list[Requirement],
                     certificates: dict[tuple[int, int], CertificateFacts], today: date) -> list[ContactPerson]:
    wanted = contact_requirements([r for r in requirements if r.is_active])
    people = []
    for m in members:
        if not m.is_contact_person:
            continue
        valid = [c for r in wanted if (c := certificates.get((m.user_id, r.id))) is not None
                 and (c.expires_at is None or c.expires_at.date() > today)]
        people.append(ContactPerson(m.id, m.full_name, max(valid, key=lambda c: c.expires_at, default=None)))
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
