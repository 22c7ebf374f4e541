"""What each member did toward their requirements: modules opened and passed since their last certificate."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from elearning.certificates.eligibility import add_months
from elearning.certificates.models import Certificate, Requirement
from elearning.content.models import Course
from elearning.employers.models import Membership
from elearning.extensions import db
from elearning.learn.models import ModuleProgress
from elearning.quizzes.models import QuizAttempt

Refs = dict[str, tuple[str, str]]  # "course/module": (course slug, module slug)


def module_activity(organisation_id: int, requirements: list[Requirement], now: datetime,
                    user_id: int | None = None) -> dict[tuple[int, int], tuple[int, bool]]:
    """Return {(user id, requirement id): (modules passed, opened one of its modules)} of the members.

    Only what happened within the requirement's validity window and after the person's last certificate for
    it counts (every certificate counts here, revoked too: passes before it were used for it, see
    eligibility.py). So the latest visit and the latest pass of each module decide, and one pass over the
    members' module progress (with each one's passed attempts, through `progress_id`, which ties an attempt to
    its module across course versions) folds into one row per person, a column per requirement or module:
    the database never probes each (requirement, module) for each member, and Python reads one small row per
    member who opened something. Leaves out who did nothing.
    """
    wanted = [r for r in requirements if _refs(r.modules)]
    if not wanted:
        return {}
    stmt = _statement(tuple((r.id, tuple(r.modules)) for r in wanted), one_member=user_id is not None)
    params = {"organisation_id": organisation_id, "user_id": user_id,
              **{f"window_{r.id}": add_months(now, -r.validity_months) for r in wanted}}
    found = {}
    for member_user_id, *values in db.session.connection().execute(stmt, params):  # Core: no ORM row loading
        for requirement, started, passed in zip(wanted, values[::2], values[1::2], strict=True):
            if started or passed:
                found[(member_user_id, requirement.id)] = (passed, bool(started))
    return found


def _refs(modules: Iterable[str]) -> Refs:
    return {ref: tuple(ref.split("/", 1)) for ref in modules if "/" in ref}


@functools.lru_cache(maxsize=32)
def _statement(wanted: tuple[tuple[int, tuple[str, ...]], ...], *, one_member: bool) -> sa.Select:
    """Return the statement for these (requirement id, modules), built once: it is large and costly to build.

    It selects the user id, then per requirement 1 if a module was opened in time (else 0) and the number of
    modules passed in time. Bound parameters: organisation_id, user_id (`one_member`), window_<requirement id>.
    """
    members = sa.select(Membership.user_id).where(Membership.organisation_id == sa.bindparam("organisation_id"))
    if one_member:
        members = members.where(Membership.user_id == sa.bindparam("user_id"))
    refs = {requirement_id: _refs(modules) for requirement_id, modules in wanted}
    every_ref = {ref: pair for pairs in refs.values() for ref, pair in pairs.items()}
    pass_label = {ref: f"m{n}" for n, ref in enumerate(every_ref)}

    activity = (sa.select(ModuleProgress.user_id,
                          *(_latest(_module_in(pairs.values()), ModuleProgress.updated_at, f"r{requirement_id}")
                            for requirement_id, pairs in refs.items()),
                          *(_latest(_module_in([pair]), QuizAttempt.submitted_at, pass_label[ref])
                            for ref, pair in every_ref.items()))
                .outerjoin(QuizAttempt, sa.and_(QuizAttempt.progress_id == ModuleProgress.id,
                                                QuizAttempt.is_passed.is_(True)))
                .where(ModuleProgress.user_id.in_(members),
                       ModuleProgress.course_id.in_([_course_id(c) for c in {c: 1 for c, _ in every_ref.values()}]))
                .group_by(ModuleProgress.user_id).subquery("activity"))
    last = (sa.select(Certificate.user_id, *(_latest(Certificate.requirement_id == requirement_id,
                                                     Certificate.issued_at, f"r{requirement_id}")
                                             for requirement_id in refs))
            .where(Certificate.user_id.in_(members)).group_by(Certificate.user_id).subquery("last_issued"))

    columns = []
    for requirement_id, pairs in refs.items():
        window = sa.bindparam(f"window_{requirement_id}", type_=sa.DateTime)
        last_issued = last.c[f"r{requirement_id}"]
        columns.append(_in_time(activity.c[f"r{requirement_id}"], window, last_issued))
        columns.append(sum((_in_time(activity.c[pass_label[ref]], window, last_issued) for ref in pairs),
                           sa.literal(0)))
    return sa.select(activity.c.user_id, *columns).outerjoin(last, last.c.user_id == activity.c.user_id)


def _course_id(slug: str) -> sa.ScalarSelect:
    return sa.select(Course.id).where(Course.slug == slug).scalar_subquery()


def _module_in(pairs: Iterable[tuple[str, str]]) -> sa.ColumnElement[bool]:
    """Return whether a module_progress row is one of these (course slug, module slug)."""
    by_course: dict[str, list[str]] = defaultdict(list)
    for course, module in pairs:
        by_course[course].append(module)
    return sa.or_(*(sa.and_(ModuleProgress.course_id == _course_id(course), ModuleProgress.module_slug.in_(slugs))
                    for course, slugs in by_course.items()))


def _latest(condition: sa.ColumnElement[bool], moment: sa.ColumnElement, label: str) -> sa.Label:
    return sa.func.max(sa.case((condition, moment))).label(label)


def _in_time(moment: sa.ColumnElement, window: sa.ColumnElement, last_issued: sa.ColumnElement) -> sa.Case:
    """Return 1 if `moment` falls in the validity window and after the last certificate (if any), else 0."""
    return sa.case((sa.and_(moment >= window, sa.or_(last_issued.is_(None), moment > last_issued)), 1), else_=0)
