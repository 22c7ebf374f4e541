"""The employer dashboard, scoped by organisation, in a fixed number of queries whatever the staff count.

What each person did toward each requirement comes from `requirement_standings` (certificates/standing.py),
one row per person and requirement, kept up to date by the services. Two ways to read it:
- `build_page`, for the dashboard page: the database works out each state (SQL that mirrors
  status.compute_status), counts, filters and pages; Python computes the statuses of one page of people;
- `build`, for the exports, reminders and one person's record: every member, statuses computed in Python.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from elearning.accounts.models import JobRole, User, utcnow
from elearning.certificates import standing
from elearning.certificates.eligibility import add_months
from elearning.certificates.models import Certificate, Requirement
from elearning.dates import local_date
from elearning.employers import queries
from elearning.employers.importing import fold
from elearning.employers.models import Assignment, Membership
from elearning.employers.status import (
    EXPIRING_DAYS,
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
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Filters:
    status: str = ""
    role: str = ""
    search: str = ""
    contacts: bool = False  # only the designated contact persons

    def keep(self, row: StaffRow) -> bool:
        keep = self.matcher()
        return keep is None or keep(row)

    def matcher(self) -> Callable[[StaffRow], bool] | None:
        """Return a test of one row (the search folded once, not once per row), or None without filters."""
        if not (self.status or self.role or self.search or self.contacts):
            return None
        status, role, search, contacts = self.status, self.role, fold(self.search), self.contacts

        def keep(row: StaffRow) -> bool:
            if role and row.job_role != role:
                return False
            if contacts and not row.is_contact_person:
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
    counts: dict[State, int]  # people with a requirement in each state (the state's filter lists them)
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


def member_ids(organisation_id: int, user_id: int | None) -> sa.Select:
    stmt = sa.select(Membership.user_id).where(Membership.organisation_id == organisation_id)
    return stmt if user_id is None else stmt.where(Membership.user_id == user_id)


Activity = dict[tuple[int, int], tuple[int, bool]]  # (user id, requirement id): (modules passed, opened one)
Certificates = dict[tuple[int, int], CertificateFacts]  # (user id, requirement id): latest certificate


def standings(members: sa.Select, requirements: list[Requirement], now: datetime) -> tuple[Activity, Certificates]:
    """Return the activity and latest certificates of `members` (a select of user ids) on the requirements.

    Read from `requirement_standings` (one row per person and requirement, see certificates/standing.py); the
    rows of people whose oldest counted pass has left its validity window since they were written are worked
    out again here, from their passes, without writing (so a report for another date reads right too).
    """
    windows = {r.id: add_months(now, -r.validity_months) for r in requirements}
    table = standing.standings
    stmt = (sa.select(table.c.user_id, table.c.requirement_id, table.c.passed_modules, table.c.opened_at,
                      table.c.passes_from, table.c.certificate_id, table.c.certificate_code,
                      table.c.certificate_issued_at, table.c.certificate_expires_at)
            .where(table.c.user_id.in_(members)))
    rows = _rows(stmt)
    stale = {row.user_id for row in rows if row.passes_from is not None and row.requirement_id in windows
             and row.passes_from < windows[row.requirement_id]}
    if stale:
        rows = [row for row in rows if row.user_id not in stale] + standing.rows_for(stale, now)
    activity: Activity = {}
    certificates: Certificates = {}
    for row in rows:
        if row.requirement_id in windows:
            _read_standing(row, windows[row.requirement_id], activity, certificates)
    return activity, certificates


def _read_standing(row: sa.Row, window: datetime, activity: Activity, certificates: Certificates) -> None:
    """Add one standing row (see certificates/standing.py) to `activity` and `certificates`; the last visit counts
    only inside the requirement's validity window, which starts at `window` now."""
    key = (row.user_id, row.requirement_id)
    started = row.opened_at is not None and row.opened_at >= window
    if row.passed_modules or started:
        activity[key] = (row.passed_modules, started)
    if row.certificate_id is not None:
        certificates[key] = CertificateFacts(row.certificate_id, row.certificate_code, row.certificate_issued_at,
                                             row.certificate_expires_at)


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
    """Return the whole dashboard of an organisation (or of one of its members): four queries, whatever its
    size (members, assignments, requirements, standings)."""
    now = now or utcnow()
    today = local_date(now)  # due dates and expiries are Brussels days
    members = _members(organisation_id, user_id)
    assignments = AssignmentIndex(_assignments(organisation_id))
    requirements = _requirements(organisation_id)
    activity, certificates = standings(member_ids(organisation_id, user_id), requirements, now)
    table = StatusTable(requirements, certificates, activity, today)
    counts = {state: 0 for state in STATES}
    rows, contacts = [], []
    assigned_ids: set[int] = set()
    for membership_id, member_user_id, full_name, email, job_role, is_contact, is_admin in members:
        statuses = table.statuses(member_user_id, assignments.due_dates(membership_id, job_role))
        for state in {status.state for status in statuses.values()}:
            counts[state] += 1
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


@dataclass
class DashboardPage:
    """One page of the staff list, with the counts and contact persons of the whole organisation."""

    requirements: list[Requirement]  # those assigned to somebody, in file order
    rows: list[StaffRow]  # this page's people, after filters
    matching: int  # people who pass the filters
    staff_count: int
    counts: dict[State, int]  # people with a requirement in each state (the state's filter lists them)
    contact_persons: list[ContactPerson]  # the first few: those not trained first, then by name
    contacts_designated: int  # every contact person of the organisation
    contacts_trained: int
    today: date
    page: int
    pages: int
    refreshed: int = 0  # people whose standing was out of date and was rewritten: the caller commits


def build_page(organisation_id: int, filters: Filters = Filters(), page: int = 1, page_size: int = 50, *,
               contacts_shown: int = 10, now: datetime | None = None) -> DashboardPage:
    """Return one page of the dashboard: the database counts, filters and pages; Python works on one page.

    Seven queries whatever the organisation's size (two more with filters, for how many pass them):
    requirements, stale standings (refreshed when found, see certificates/standing.py; the caller commits),
    counts per state, the page of people, their statuses, the first `contacts_shown` contact persons with how
    many there are and are trained, and those first ones' certificates. A page past the last shows the last.
    The statements are built once per shape (see _statements): building them cost more than running most of them.
    """
    now = now or utcnow()
    today = local_date(now)  # due dates and expiries are Brussels days
    page = min(max(page, 1), MAX_PAGE)  # a bigger one would overflow the database's integers: it is past the last
    requirements = _requirements(organisation_id)
    windows = {r.id: add_months(now, -r.validity_months) for r in requirements}
    sql = _statements(tuple(windows), bool(filters.role), bool(filters.status), bool(filters.search),
                      filters.contacts)
    params = {"organisation_id": organisation_id, "today": today,
              "expiring_until": today + timedelta(days=EXPIRING_DAYS), "role": filters.role,
              "status": filters.status, "search_ids": _search(organisation_id, filters.search),
              "latest_window": max(windows.values(), default=now), "limit": page_size,
              "offset": (page - 1) * page_size, **{f"window_{rid}": at for rid, at in windows.items()}}
    stale = sorted(set(_run(sql.stale, params).scalars())) if windows else []
    if stale:
        standing.refresh(stale, now=now)
    counts = {state: 0 for state in STATES}
    assigned = set()
    for requirement_id, state, people in _run(sql.counts, params):
        if state is None:
            assigned.add(requirement_id)
        else:
            counts[State(state)] = people
    found = _run(sql.people, params).all()
    if found and sql.matching is None:
        staff_count = matching = found[0].staff_count
    else:
        staff_count = _run(sql.staff_count, params).scalar_one()
        matching = _run(sql.matching, params).scalar_one() if sql.matching is not None else staff_count
    pages = max((matching + page_size - 1) // page_size, 1)
    page = min(page, pages)
    if not found and matching:  # past the last page: show the last one
        found = _run(sql.people, {**params, "offset": (page - 1) * page_size}).all()
    reach, activity, certificates = _page_facts(sql, {**params, "membership_ids": [row.id for row in found]},
                                                windows)
    table = StatusTable(requirements, certificates, activity, today)
    rows = [StaffRow(row.id, row.user_id, row.full_name, row.email, row.job_role, row.is_contact_person,
                     row.is_employer_admin, table.statuses(row.user_id, reach.get(row.id, {}))) for row in found]
    params["wanted"] = [r.id for r in contact_requirements([r for r in requirements if r.is_active])]
    first = _run(sql.contacts_first, {**params, "shown": contacts_shown}).all()
    contacts = _contact_persons_of(_run(sql.contacts, {**params, "contact_ids": [row.id for row in first]})
                                   ) if first else []
    return DashboardPage(requirements=[r for r in requirements if r.id in assigned], rows=rows, matching=matching,
                         staff_count=staff_count, counts=counts, contact_persons=contacts,
                         contacts_designated=first[0].designated if first else 0,
                         contacts_trained=first[0].trained_count if first else 0, today=today,
                         page=page, pages=pages, refreshed=len(stale))


def _run(statement: sa.Executable, params: dict) -> sa.CursorResult:
    return db.session.connection().execute(statement, params)


def _search(organisation_id: int, search: str) -> list[int]:
    """Return the members whose name contains `search`, accents and case folded (importing.fold) as SQL cannot."""
    if not search:
        return []
    folded = fold(search)
    names = _rows(sa.select(Membership.id, User.full_name).join(User, User.id == Membership.user_id)
                  .where(Membership.organisation_id == organisation_id))
    return [membership_id for membership_id, name in names if folded in fold(name)]


@dataclass(frozen=True)
class PageStatements:
    stale: sa.Select
    counts: sa.Select
    people: sa.Select
    staff_count: sa.Select
    matching: sa.Select | None  # None without filters: everybody matches
    page_facts: sa.Select
    contacts_first: sa.Select
    contacts: sa.Select


@functools.lru_cache(maxsize=64)
def _statements(requirement_ids: tuple[int, ...], role: bool, status: bool, search: bool,
                only_contacts: bool = False) -> PageStatements:
    """Return build_page's statements for these requirements and filters, with bound parameters for the rest:
    organisation_id, today, expiring_until, window_<requirement id>, latest_window, role, status, search_ids,
    limit, offset, membership_ids (page_facts), wanted and shown (contacts_first), wanted and contact_ids
    (contacts)."""
    organisation_id = sa.bindparam("organisation_id", type_=sa.Integer)
    windows = {rid: sa.bindparam(f"window_{rid}", type_=sa.DateTime) for rid in requirement_ids}
    s = standing.standings
    # Driven by the index on passes_from (no DISTINCT, no IN on user_id, which would make SQLite walk every
    # member's rows instead: 5 ms instead of 0.01 ms for 5,000 staff).
    stale = (sa.select(s.c.user_id)
             .where(s.c.passes_from < sa.bindparam("latest_window", type_=sa.DateTime),
                    s.c.passes_from < standing.window_of(s.c.requirement_id, windows),
                    sa.exists().where(Membership.user_id == s.c.user_id,
                                      Membership.organisation_id == organisation_id)))

    state_rows = _states(_reach(organisation_id).subquery("reach"), windows)
    states = state_rows.subquery("states")
    # People per state (the number beside a state is how many people its filter lists), and which requirements
    # reach anybody (rows with no state): one pass over the states, kept by the database for both.
    each = state_rows.cte("each_state").prefix_with("MATERIALIZED")
    counts = sa.union_all(
        sa.select(sa.null().label("requirement_id"), each.c.state, sa.func.count(each.c.membership_id.distinct()))
        .group_by(each.c.state),
        sa.select(each.c.requirement_id, sa.null(), sa.literal_column("0")).group_by(each.c.requirement_id))

    everyone = aliased(Membership)
    people = (sa.select(Membership.id).join(User, User.id == Membership.user_id)
              .where(Membership.organisation_id == organisation_id))
    if role:
        people = people.where(Membership.job_role == sa.bindparam("role"))
    if status:
        people = people.where(Membership.id.in_(sa.select(states.c.membership_id)
                                                .where(states.c.state == sa.bindparam("status"))))
    if search:
        people = people.where(Membership.id.in_(sa.bindparam("search_ids", expanding=True)))
    if only_contacts:
        people = people.where(Membership.is_contact_person.is_(True))
    # No COUNT(*) OVER () for how many pass: it makes the database keep every row instead of one page's (2.5 ms
    # instead of 15 ms for 5,000 staff); they are counted apart, and only when there are filters.
    page = (people.with_only_columns(
        Membership.id, Membership.user_id, User.full_name, User.email, Membership.job_role,
        Membership.is_contact_person, Membership.is_employer_admin,
        sa.select(sa.func.count()).select_from(everyone).where(everyone.organisation_id == organisation_id)
        .scalar_subquery().label("staff_count"), maintain_column_froms=False)
        .order_by(User.full_name, Membership.id)
        .limit(sa.bindparam("limit", type_=sa.Integer)).offset(sa.bindparam("offset", type_=sa.Integer)))

    reach = _reach(organisation_id, sa.bindparam("membership_ids", expanding=True)).subquery("reach")
    page_facts = (sa.select(reach.c.membership_id, reach.c.user_id, reach.c.requirement_id, reach.c.due_on,
                            s.c.passed_modules, s.c.opened_at, s.c.certificate_id, s.c.certificate_code,
                            s.c.certificate_issued_at, s.c.certificate_expires_at)
                  .select_from(reach.outerjoin(s, sa.and_(s.c.user_id == reach.c.user_id,
                                                           s.c.requirement_id == reach.c.requirement_id))))
    # A contact person is trained with a valid certificate of a requirement meant for contact persons. A large
    # organisation designates hundreds: the database counts them and picks the first few (the untrained, then by
    # name); only those few have their certificates read.
    trained_by = sa.and_(s.c.requirement_id.in_(sa.bindparam("wanted", expanding=True)),
                         s.c.certificate_id.is_not(None), s.c.expires_on > sa.bindparam("today", type_=sa.Date))
    trained = sa.case((sa.exists().where(s.c.user_id == Membership.user_id, trained_by), 1), else_=0)
    designated = sa.and_(Membership.organisation_id == organisation_id, Membership.is_contact_person.is_(True))
    contacts_first = (sa.select(Membership.id, sa.func.count().over().label("designated"),
                                sa.func.sum(trained).over().label("trained_count"))
                      .join(User, User.id == Membership.user_id).where(designated)
                      .order_by(trained, User.full_name, Membership.id)
                      .limit(sa.bindparam("shown", type_=sa.Integer)))
    contacts = (sa.select(Membership.id, User.full_name, s.c.certificate_id, s.c.certificate_code,
                          s.c.certificate_issued_at, s.c.certificate_expires_at)
                .join(User, User.id == Membership.user_id)
                .outerjoin(s, sa.and_(s.c.user_id == Membership.user_id, trained_by))
                .where(designated, Membership.id.in_(sa.bindparam("contact_ids", expanding=True)))
                .order_by(User.full_name, Membership.id))
    return PageStatements(
        stale=stale, counts=counts, people=page,
        staff_count=sa.select(sa.func.count()).where(Membership.organisation_id == organisation_id),
        matching=sa.select(sa.func.count()).select_from(people.subquery()) if role or status or search or only_contacts
        else None,
        page_facts=page_facts, contacts_first=contacts_first, contacts=contacts)


def _reach(organisation_id: sa.BindParameter, membership_ids: sa.BindParameter | None = None) -> sa.CompoundSelect:
    """Return (membership id, user id, requirement id, earliest due date) for each requirement that reaches a
    member: assigned to their job role or to them by name (AssignmentIndex does the same in Python).

    Most members are reached through their job role only: they join the few (job role, requirement, earliest
    due date) rows directly. Only members with assignments of their own go through the general join and its
    grouping, which costs three times as much per member.
    """
    personal = sa.select(Assignment.membership_id).where(Assignment.organisation_id == organisation_id,
                                                         Assignment.membership_id.is_not(None))
    by_role = (sa.select(Assignment.job_role, Assignment.requirement_id,
                         sa.func.min(Assignment.due_on).label("due_on"))
               .where(Assignment.organisation_id == organisation_id, Assignment.membership_id.is_(None))
               .group_by(Assignment.job_role, Assignment.requirement_id).subquery("by_role"))
    role_only = (sa.select(Membership.id.label("membership_id"), Membership.user_id, by_role.c.requirement_id,
                           by_role.c.due_on)
                 .join(by_role, by_role.c.job_role == Membership.job_role)
                 .where(Membership.organisation_id == organisation_id, Membership.id.not_in(personal)))
    mixed = (sa.select(Membership.id.label("membership_id"), Membership.user_id, Assignment.requirement_id,
                       sa.func.min(Assignment.due_on).label("due_on"))
             .join(Assignment, sa.and_(Assignment.organisation_id == Membership.organisation_id,
                                       sa.or_(Assignment.membership_id == Membership.id,
                                              sa.and_(Assignment.membership_id.is_(None),
                                                      Assignment.job_role == Membership.job_role))))
             .where(Membership.organisation_id == organisation_id, Membership.id.in_(personal))
             .group_by(Membership.id, Membership.user_id, Assignment.requirement_id))
    if membership_ids is not None:
        role_only = role_only.where(Membership.id.in_(membership_ids))
        mixed = mixed.where(Membership.id.in_(membership_ids))
    return sa.union_all(role_only, mixed)


def _states(reach: sa.Subquery, windows: dict[int, sa.BindParameter]) -> sa.Select:
    """Return (membership id, requirement id, state) of every assignment in `reach` (see _reach).

    The state in SQL, so that the database counts and filters: the same rules as status.compute_status (a
    valid certificate, then an expired one, then the due date, then any progress), which the tests compare.
    """
    s = standing.standings
    today = sa.bindparam("today", type_=sa.Date)
    has_certificate = s.c.certificate_id.is_not(None)
    valid = sa.and_(has_certificate, sa.or_(s.c.expires_on.is_(None), s.c.expires_on > today))
    expiring = sa.and_(s.c.expires_on.is_not(None), s.c.expires_on <= sa.bindparam("expiring_until", type_=sa.Date))
    started = sa.or_(sa.func.coalesce(s.c.passed_modules, 0) > 0,
                     s.c.opened_at >= standing.window_of(reach.c.requirement_id, windows))
    state = sa.case((valid, sa.case((expiring, State.EXPIRING.value), else_=State.DONE.value)),
                    (has_certificate, State.EXPIRED.value),
                    (sa.and_(reach.c.due_on.is_not(None), reach.c.due_on < today), State.OVERDUE.value),
                    (started, State.IN_PROGRESS.value),
                    else_=State.NOT_STARTED.value)
    return (sa.select(reach.c.membership_id, reach.c.requirement_id, state.label("state"))
            .select_from(reach.outerjoin(s, sa.and_(s.c.user_id == reach.c.user_id,
                                                     s.c.requirement_id == reach.c.requirement_id))))


def _page_facts(sql: PageStatements, params: dict, windows: dict[int, datetime]
                ) -> tuple[dict[int, dict[int, date | None]], Activity, Certificates]:
    """Return what the page's people must do by when ({membership id: {requirement id: due date}}) and their
    activity and latest certificates on it: one query."""
    due: dict[int, dict[int, date | None]] = defaultdict(dict)
    activity: Activity = {}
    certificates: Certificates = {}
    if not params["membership_ids"]:
        return due, activity, certificates
    for row in _run(sql.page_facts, params):
        due[row.membership_id][row.requirement_id] = row.due_on
        _read_standing(row, windows[row.requirement_id], activity, certificates)
    return due, activity, certificates


def _contact_persons_of(rows: Iterable[sa.Row]) -> list[ContactPerson]:
    """Return the contact persons with their valid certificate that lasts longest, if any, from the `contacts`
    statement's rows (which leave out certificates no longer valid): those not trained first."""
    people: dict[int, tuple[str, CertificateFacts | None]] = {}
    for membership_id, full_name, certificate_id, code, issued_at, expires_at in rows:
        held = people.get(membership_id)
        if held is None or (certificate_id is not None and (held[1] is None or expires_at > held[1].expires_at)):
            certificate = CertificateFacts(certificate_id, code, issued_at, expires_at) if certificate_id else None
            people[membership_id] = (full_name, certificate)
    found = [ContactPerson(membership_id, name, certificate) for membership_id, (name, certificate) in people.items()]
    return sorted(found, key=lambda person: person.trained)  # who still needs training first, then by name


def _contact_persons(contacts: list[StaffRow], requirements: list[Requirement],
                     certificates: dict[tuple[int, int], CertificateFacts], today: date) -> list[ContactPerson]:
    wanted = [r.id for r in contact_requirements([r for r in requirements if r.is_active])]
    people = []
    for row in contacts:
        valid = [c for requirement_id in wanted if (c := certificates.get((row.user_id, requirement_id))) is not None
                 and (c.expires_at is None or local_date(c.expires_at) > today)]
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
