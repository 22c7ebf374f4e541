"""Record a learner's progress; callers commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from elearning.accounts.models import User, utcnow
from elearning.certificates import standing
from elearning.content.models import Module
from elearning.extensions import db
from elearning.learn.models import ModuleProgress

ACTIVITY_RESOLUTION = timedelta(hours=1)  # how stale updated_at may get while a learner rereads pages


def insert_if_absent(model: type[db.Model], values: dict[str, Any], unique: Sequence[str]) -> bool:
    """INSERT a row unless one with the same `unique` columns exists; return whether it inserted.

    Two requests racing to create the same row (two tabs, a double click) then both succeed instead of one
    failing on the unique constraint.
    """
    dialect = db.session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        exists = sa.select(model.id).filter_by(**{name: values[name] for name in unique})
        if db.session.scalar(exists) is not None:
            return False
        db.session.execute(sa.insert(model).values(**values))
        return True
    insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    # RETURNING, not rowcount: psycopg reports rowcount -1 for INSERT … ON CONFLICT DO NOTHING here.
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=list(unique))
    return db.session.execute(statement.returning(model.id)).scalar() is not None


def progress_for(user: User, module: Module) -> ModuleProgress:
    """Return the learner's progress row for the module (any version of it), creating it when missing."""
    key = {"user_id": user.id, "course_id": module.course_version.course_id, "module_slug": module.slug}
    stmt = sa.select(ModuleProgress).filter_by(**key)
    progress = db.session.scalar(stmt)
    if progress is None:
        now = utcnow()
        if insert_if_absent(ModuleProgress, {**key, "started_at": now, "updated_at": now}, list(key)):
            standing.record_visit(user.id, f"{module.course_version.course.slug}/{module.slug}", now)
        progress = db.session.scalars(stmt).one()
    return progress


def record_page_view(user_id: int, place: sa.Row, module_slug: str, page: int, page_count: int) -> bool:
    """Remember the furthest lesson page the learner reached and when they reached the last one.

    `place` is learn.queries.reading_place(): the learner's progress as read with the page. Return whether
    anything was written: a page read again writes nothing, except to move updated_at (last activity, which
    the employer dashboard compares with certificate dates) when it is older than ACTIVITY_RESOLUTION.
    """
    now = utcnow()
    finished = page >= page_count
    key = {"user_id": user_id, "course_id": place.course_id, "module_slug": module_slug}
    if place.progress_id is None:
        values = {**key, "last_page": page, "started_at": now, "updated_at": now,
                  "reading_completed_at": now if finished else None}
        if insert_if_absent(ModuleProgress, values, list(key)):
            standing.record_visit(user_id, f"{place.course_slug}/{module_slug}", now)
            return True  # else another request created it meanwhile: advance it below
    elif ((place.last_page or 0) >= page and (place.reading_completed_at is not None or not finished)
          and place.updated_at > now - ACTIVITY_RESOLUTION):
        return False
    furthest = sa.case((sa.func.coalesce(ModuleProgress.last_page, 0) < page, page), else_=ModuleProgress.last_page)
    completed = sa.func.coalesce(ModuleProgress.reading_completed_at, now) if finished \
        else ModuleProgress.reading_completed_at
    db.session.execute(sa.update(ModuleProgress).filter_by(**key)
                       .values(last_page=furthest, updated_at=now, reading_completed_at=completed)
                       .execution_options(synchronize_session=False))
    standing.record_visit(user_id, f"{place.course_slug}/{module_slug}", now)  # the last visit moved
    return True
