"""Keep each person's standing on each requirement (`requirement_standings`) in step with what they did.

The services that change a person's progress, passes or certificates call `refresh` in their transaction:
learn (a module opened), quizzes (through `services.issue_if_eligible`, after a pass), certificates (issue,
revoke, holder removed) and the requirements loader (a requirement's modules changed: everyone). The rules are
the dashboard's: a module counts when its latest pass falls in the requirement's validity window and after
the person's last certificate for it (any certificate, revoked too: see eligibility.py); a visit counts the
same way. Rows are read and written with Core statements, on the session's connection or on one given (a
migration fills the table that way).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from elearning.accounts.models import User, utcnow
from elearning.certificates.eligibility import add_months
from elearning.certificates.models import Certificate, Requirement, RequirementStanding
from elearning.content.models import Course
from elearning.dates import local_date
from elearning.extensions import db
from elearning.learn.models import ModuleProgress
from elearning.quizzes.models import QuizAttempt

BATCH = 500  # people per statement when refreshing many (bound parameters stay well under every limit)
standings = RequirementStanding.__table__


def refresh(user_ids: Iterable[int | None], *, now: datetime | None = None,
            connection: sa.Connection | None = None) -> int:
    """Rewrite the standing rows of these people from their progress, passes and certificates; return how many
    rows they have now.

    On PostgreSQL each person's `users` row is locked first (FOR NO KEY UPDATE, which foreign keys do not wait
    for), so two transactions refreshing the same person run one after the other and the second reads what
    the first committed; SQLite runs one writer at a time anyway.
    """
    ids = sorted({user_id for user_id in user_ids if user_id is not None})
    if not ids:
        return 0
    connection = _connection(connection)
    now = now or utcnow()
    requirements = _requirements(connection)
    written = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        _lock(connection, batch)
        rows = _standing_rows(connection, batch, requirements, now)
        connection.execute(sa.delete(standings).where(standings.c.user_id.in_(batch)))
        if rows:
            connection.execute(sa.insert(standings), rows)
        written += len(rows)
    return written


def record_visit(user_id: int, ref: str, now: datetime) -> None:
    """Record that the person opened module `ref` ("course/module") at `now`, on each requirement that has it.

    One upsert instead of a refresh, since a visit only moves `opened_at` (and `now` is after every
    certificate): a lesson page read writes this every time the learner gets further.
    """
    connection = _connection(None)
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        refresh([user_id], now=now)
        return
    _lock(connection, [user_id])
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    having = sa.cast(Requirement.modules, sa.Text).contains(f'"{ref}"', autoescape=True)  # a JSON list of refs
    rows = sa.select(sa.literal(user_id), Requirement.id, sa.literal(0), sa.literal(now, sa.DateTime),
                     sa.literal(now, sa.DateTime)).where(having)
    statement = insert(standings).from_select(
        ["user_id", "requirement_id", "passed_modules", "opened_at", "refreshed_at"], rows)
    connection.execute(statement.on_conflict_do_update(index_elements=["user_id", "requirement_id"],
                                                       set_={"opened_at": now, "refreshed_at": now}))


def refresh_everyone(*, now: datetime | None = None, connection: sa.Connection | None = None) -> int:
    """Rewrite the standing of everyone who opened a module or holds a certificate; return the rows written.

    For a requirements file whose modules changed, a migration, or `flask certificates refresh-standings`.
    """
    connection = _connection(connection)
    people = sa.union(sa.select(ModuleProgress.user_id), sa.select(Certificate.user_id),
                      sa.select(standings.c.user_id))
    return refresh(connection.execute(people).scalars().all(), now=now, connection=connection)


def rows_for(user_ids: Collection[int], now: datetime) -> list[SimpleNamespace]:
    """Return what these people's rows would hold if refreshed at `now`, without writing them."""
    connection = _connection(None)
    requirements = _requirements(connection)
    return [SimpleNamespace(**row) for row in _standing_rows(connection, sorted(user_ids), requirements, now)]


def window_of(requirement_id: sa.ColumnElement, windows: dict[int, datetime | sa.BindParameter]) -> sa.ColumnElement:
    """Return SQL for the start of the validity window of the row's requirement ({requirement id: start, as a
    value or a bound parameter})."""
    if not windows:
        return sa.cast(sa.null(), sa.DateTime)
    return sa.case(*((requirement_id == rid, start if isinstance(start, sa.BindParameter)
                      else sa.literal(start, sa.DateTime)) for rid, start in windows.items()))


def _lock(connection: sa.Connection, user_ids: list[int]) -> None:
    if connection.dialect.name != "sqlite":  # SQLite has one writer at a time: nothing to lock
        connection.execute(sa.select(User.id).where(User.id.in_(user_ids)).order_by(User.id)
                           .with_for_update(key_share=True))


def _requirements(connection: sa.Connection) -> list[sa.Row]:
    return connection.execute(sa.select(Requirement.id, Requirement.modules, Requirement.validity_months)).all()


def _connection(given: sa.Connection | None) -> sa.Connection:
    if given is not None:
        return given
    db.session.flush()  # what the caller changed through the ORM must be in the rows read
    return db.session.connection()


# Built once (building costs more than running them for one person): a person's visit and latest pass of each
# module, and their certificates. Bound parameters: user_ids, course_slugs.
_PROGRESS = (sa.select(ModuleProgress.user_id, Course.slug, ModuleProgress.module_slug, ModuleProgress.updated_at,
                       sa.select(sa.func.max(QuizAttempt.submitted_at))
                       .where(QuizAttempt.progress_id == ModuleProgress.id, QuizAttempt.is_passed.is_(True),
                              QuizAttempt.submitted_at.is_not(None))
                       .scalar_subquery())
             .join(Course, Course.id == ModuleProgress.course_id)
             .where(ModuleProgress.user_id.in_(sa.bindparam("user_ids", expanding=True)),
                    Course.slug.in_(sa.bindparam("course_slugs", expanding=True))))
_CERTIFICATES = (sa.select(Certificate.user_id, Certificate.requirement_id, Certificate.id, Certificate.code,
                           Certificate.issued_at, Certificate.expires_at, Certificate.revoked_at,
                           Certificate.holder_removed_at)
                 .where(Certificate.user_id.in_(sa.bindparam("user_ids", expanding=True))))


def _standing_rows(connection: sa.Connection, user_ids: Collection[int], requirements: list[sa.Row],
                   now: datetime) -> list[dict]:
    refs = {ref for requirement in requirements for ref in requirement.modules}
    course_slugs = {ref.split("/", 1)[0] for ref in refs if "/" in ref}
    visits: dict[tuple[int, str], datetime] = {}
    passes: dict[tuple[int, str], datetime] = {}
    if course_slugs:
        progress = connection.execute(_PROGRESS, {"user_ids": list(user_ids), "course_slugs": sorted(course_slugs)})
        for user_id, course, module, updated_at, passed_at in progress:
            key = (user_id, f"{course}/{module}")
            visits[key] = max(updated_at, visits.get(key, updated_at))
            if passed_at is not None:
                passes[key] = max(passed_at, passes.get(key, passed_at))

    last_issued: dict[tuple[int, int], datetime] = {}
    latest: dict[tuple[int, int], sa.Row] = {}
    for row in connection.execute(_CERTIFICATES, {"user_ids": list(user_ids)}):
        key = (row.user_id, row.requirement_id)
        last_issued[key] = max(row.issued_at, last_issued.get(key, row.issued_at))
        if row.revoked_at is None and row.holder_removed_at is None:
            found = latest.get(key)
            if found is None or (row.issued_at, row.id) > (found.issued_at, found.id):
                latest[key] = row

    by_user: dict[int, set[str]] = defaultdict(set)
    for user_id, ref in visits:
        by_user[user_id].add(ref)
    rows = []
    for requirement in requirements:
        window = add_months(now, -requirement.validity_months)
        for user_id in user_ids:
            key = (user_id, requirement.id)
            after = last_issued.get(key)
            mine = [ref for ref in requirement.modules if ref in by_user.get(user_id, ())]
            counted = [at for ref in mine if (at := passes.get((user_id, ref))) is not None
                       and at >= window and (after is None or at > after)]
            opened = max((at for at in (visits[(user_id, ref)] for ref in mine) if after is None or at > after),
                         default=None)
            certificate = latest.get(key)
            if not counted and opened is None and certificate is None:
                continue
            rows.append({
                "user_id": user_id, "requirement_id": requirement.id, "passed_modules": len(counted),
                "passes_from": min(counted, default=None), "opened_at": opened,
                "certificate_id": certificate.id if certificate else None,
                "certificate_code": certificate.code if certificate else None,
                "certificate_issued_at": certificate.issued_at if certificate else None,
                "certificate_expires_at": certificate.expires_at if certificate else None,
                "expires_on": local_date(certificate.expires_at) if certificate and certificate.expires_at else None,
                "refreshed_at": now})
    return rows
